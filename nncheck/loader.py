"""Load a person's implementation: a ``.py`` path, a module name, or a module object.

Learner files often train, plot or load datasets when imported. With ``defs_only=True`` only the
parts that define things run: imports, function and class definitions, and assignments whose value
calls nothing (``learning_rate = 0.01``, ``LAYERS = [5, 4, 1]``), each only when the names it reads
are bound; everything else (training loops, ``plt.show()``, ``X, Y = load_data()``) does not run,
and imports of modules that are not installed are skipped and reported (see
:mod:`nncheck._defs_only`). Files are read the way Python reads them (a BOM, a coding line), and
the IPython lines that Python rejects (``%matplotlib inline``, ``files = !ls``, ``%%bash`` cells)
are set aside first. A script exported from Jupyter calls ``get_ipython()`` instead: loaded
without ``defs_only`` it gets a shell that runs no magic and notes each one it skips
(:class:`_NotebookShell`).

Every failure to load is a :class:`LoadError` with the file, the line and a message a person can
act on; never a bare traceback.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import importlib
import importlib.util
import itertools
import json
import os
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from nncheck._defs_only import COURSE_MODULE, run_definitions
from nncheck.errors import user_frames

__all__ = [
    "LoadError",
    "LoadErrorKind",
    "load_notes",
    "load_target",
]

LoadErrorKind = Literal["not_found", "syntax", "import", "runtime"]


_counter = itertools.count()
_LINE_MAGIC = re.compile(r"^\s*([%!]|[\w.,\s\[\]()]+=\s*[%!](?!=))")
_CELL_MAGIC = re.compile(r"^\s*%%(\w+)")
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
"""Cell magics whose body is Python (it runs); the body of any other (``%%bash``) does not."""
_TIMED_STATEMENT = re.compile(r"^\s*%(?:time|timeit|prun)\s+(?:-[nr]\s*\d+\s+|-\w+\s+)*(.+)$")
"""``%time stmt`` and its kind: the statement runs, as in IPython."""
_CELL_MARKER = re.compile(r"^# *(In\[|%%)")


class LoadError(Exception):
    """The target could not be loaded.

    Attributes:
        kind: ``"not_found"``, ``"syntax"``, ``"import"`` or ``"runtime"`` (the file raised while
            running its top level).
        path: the file involved, when known.
        line: the 1-based line in ``path``, when known (in a notebook: in its joined code cells).
        cell: for a notebook, (code cell number, line in that cell), both 1-based.
        message: what went wrong and what to do, without the location prefix and without
            :attr:`advice`.
        advice: what else may help, to follow the message ("" when nothing does); where it
            names defs-only loading, ``{defs_only}`` stands for the front door's way to ask for
            it (:meth:`worded` fills it in: ``--defs-only`` on the command line).
    """

    def __init__(
        self,
        kind: LoadErrorKind,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        advice: str = "",
    ) -> None:
        self.kind: LoadErrorKind = kind
        self.message = message
        self.path = path
        self.line = line
        self.advice = advice
        self.cell: tuple[int, int] | None = None
        super().__init__(str(self))

    def worded(self, defs_only: str = "defs_only=True") -> str:
        """The whole error, located, its advice naming ``defs_only`` as the way to ask for
        defs-only loading: each front door passes its own option (the default, and ``str()``,
        name the keyword of :func:`load_target` and :func:`nncheck.conform`)."""
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            if self.cell is not None:
                where = f"{self.path}, code cell {self.cell[0]}, line {self.cell[1]}"
            where += ": "
        return where + self.message + self.advice.format(defs_only=defs_only)

    def __str__(self) -> str:
        return self.worded()


def load_target(
    target: str | os.PathLike[str] | types.ModuleType, *, defs_only: bool = False
) -> types.ModuleType:
    """Return the module behind ``target``.

    ``target`` is a module object (returned as is), a path to a ``.py`` file or a Jupyter
    notebook (``.ipynb``: its code cells run in order, magics skipped; errors name the cell), or
    an importable module name. ``defs_only`` (files only) runs just the definitions and
    imports whose names are bound (:mod:`nncheck._defs_only`); imports that fail are then
    skipped (the course's ``testCases``, ``lr_utils``…) and listed by :func:`load_notes`.

    Raises :class:`LoadError` for a missing file or module, a syntax error, an import error, or
    an exception raised by the file's top-level code (without ``defs_only``).
    """
    if isinstance(target, types.ModuleType):
        return target
    text = os.fspath(target)
    path = Path(text)
    looks_like_path = (
        text.endswith((".py", ".ipynb")) or os.sep in text or "/" in text or path.is_file()
    )
    if looks_like_path:
        return _load_file(path, defs_only=defs_only)
    if defs_only:
        spec = importlib.util.find_spec(text) if _valid_module_name(text) else None
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            return _load_file(Path(spec.origin), defs_only=True)
    return _import_module(text)


def _valid_module_name(name: str) -> bool:
    return all(part.isidentifier() for part in name.split("."))


def _import_module(name: str) -> types.ModuleType:
    if not _valid_module_name(name):
        raise LoadError(
            "not_found",
            f"{name!r} is neither an existing .py file nor a module name; "
            "give the path to your file (e.g. my_assignment.py)",
        )
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise LoadError(
                "not_found",
                f"no file or module named {name!r}: give the path to your .py file, "
                "or install the module",
            ) from None
        raise _from_exception(exc, None, "import") from None
    except SyntaxError as exc:
        raise _from_syntax(exc) from None
    except Exception as exc:  # the module's own top level raised
        raise _from_exception(exc, None, "runtime") from None


def _load_file(path: Path, *, defs_only: bool) -> types.ModuleType:
    shown = str(path)
    if not path.exists():
        raise LoadError("not_found", f"no such file: {shown}", path=shown)
    if path.is_dir():
        raise LoadError("not_found", f"{shown} is a folder; give a .py file", path=shown)
    source, cells = _read_source(path)
    source, tree = _parse(source, shown, cells)

    stem = re.sub(r"\W", "_", path.stem)
    name = f"nncheck_target_{stem}_{next(_counter)}"
    module = types.ModuleType(name)
    module.__file__ = str(path.resolve())
    sys.modules[name] = module
    course: dict[str, object] = {}
    with _sys_path_entry(str(path.resolve().parent)):
        try:
            if defs_only:
                outcome = run_definitions(tree, module.__dict__, source, module.__file__)
                module.__dict__["__nncheck_skipped_imports__"] = outcome.notes
                course = outcome.course
            else:
                _give_notebook_shell(tree, module)
                exec(compile(tree, module.__file__, "exec"), module.__dict__)
        except SyntaxError as exc:
            sys.modules.pop(name, None)
            raise _in_cell(_from_syntax(exc), cells) from None
        except ImportError as exc:
            sys.modules.pop(name, None)
            raise _in_cell(
                _from_exception(exc, module.__file__, "import", shown, defs_only), cells
            ) from None
        except BaseException as exc:  # top-level code of the file failed (incl. SystemExit)
            sys.modules.pop(name, None)
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise _in_cell(
                _from_exception(exc, module.__file__, "runtime", shown, defs_only), cells
            ) from None
    course.update(
        (n, v)
        for n, v in module.__dict__.items()
        if callable(v) and COURSE_MODULE.match(str(getattr(v, "__module__", "")).split(".")[0])
    )
    from nncheck.conventions import COURSE_NAMES  # not at import: the conventions import numpy

    module.__dict__[COURSE_NAMES] = frozenset(course)
    return module


class MagicOutputNeeded(RuntimeError):
    """A line of the file uses the output of a shell command (``files = !ls``), which nncheck
    does not run."""


class _NotebookShell:
    """``get_ipython()`` for a script exported from Jupyter, loaded without defs-only.

    No magic runs, and each one skipped is noted like a skipped import ("skipped: `%matplotlib
    inline` (line 21: …)"); the Python of ``%time stmt`` and of a ``%%time`` cell runs, as in
    IPython. The output of a shell command is never made up: ``files = !ls``
    (``getoutput``) raises :class:`MagicOutputNeeded`, which fails the load on that line.
    """

    def __init__(self, filename: str, notes: list[str]) -> None:
        self.filename = filename
        self.notes = notes

    def _caller(self) -> types.FrameType | None:
        """The frame of the person's file that called the shell."""
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != self.filename:
            frame = frame.f_back  # type: ignore[assignment]
        return frame

    def _skip(self, shown: str) -> None:
        frame = self._caller()
        where = f"line {frame.f_lineno}: " if frame is not None else ""
        self.notes.append(f"skipped: `{shown}` ({where}an IPython magic; nncheck runs no magic)")

    def _run(self, code: str) -> None:
        frame = self._caller()
        if frame is not None:
            exec(compile(code, self.filename, "exec"), frame.f_globals, frame.f_locals)

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> None:
        """``%name line``: skipped, but the statement of ``%time stmt`` runs."""
        if name in ("time", "timeit", "prun") and line.strip():
            timed = _TIMED_STATEMENT.match(f"%{name} {line}")
            self._run(timed.group(1) if timed else line)
        else:
            self._skip(f"%{name} {line}".rstrip())

    def run_cell_magic(self, name: str, line: str, cell: str) -> None:
        """``%%name line`` and its cell: the cell runs when it is Python (``%%time``)."""
        if name in _PYTHON_CELL_MAGICS:
            self._run(cell)
        else:
            self._skip(f"%%{name} {line}".rstrip())

    def magic(self, line: str) -> None:
        """The older exports' ``get_ipython().magic('matplotlib inline')``."""
        name, _, rest = line.lstrip("%").partition(" ")
        self.run_line_magic(name, rest)

    def system(self, command: str) -> None:
        """``!command``: skipped."""
        self._skip(f"!{command}")

    def getoutput(self, command: str) -> Any:
        """``x = !command``: its output is used, and nncheck runs no shell command."""
        raise MagicOutputNeeded(
            f"this line uses the output of the shell command `{command}` (`x = !{command}`), "
            "which nncheck does not run"
        )


def _give_notebook_shell(tree: ast.Module, module: types.ModuleType) -> None:
    """Let a script exported from Jupyter call ``get_ipython()`` (:class:`_NotebookShell`); its
    notes join :func:`load_notes`."""
    if not any(isinstance(n, ast.Name) and n.id == "get_ipython" for n in ast.walk(tree)):
        return
    notes: list[str] = []
    shell = _NotebookShell(module.__file__ or "", notes)
    module.__dict__["__builtins__"] = {**vars(builtins), "get_ipython": lambda: shell}
    module.__dict__["__nncheck_skipped_imports__"] = notes


def load_notes(module: types.ModuleType) -> tuple[str, ...]:
    """What defs-only loading of ``module`` skipped or stood in for, and the IPython magics a
    notebook export's ``get_ipython()`` did not run, one sentence each ("skipped: `from lr_utils
    import load_dataset` (line 3: h5py is not installed)")."""
    return tuple(getattr(module, "__nncheck_skipped_imports__", ()))


def _parse(source: str, shown: str, cells: list[int] | None) -> tuple[str, ast.Module]:
    """Parse ``source``; the lines Python rejects that are IPython magics are set aside first.

    Only a line that Python itself rejects is ever touched, so a continuation line that starts
    with ``%`` or ``!=`` stays code. A line magic becomes ``pass`` (at its indentation; ``%time
    stmt`` becomes ``stmt``); a cell magic too, and the rest of its cell goes unless the cell
    magic runs Python (``%%time``).
    """
    lines = source.splitlines()
    first: SyntaxError | None = None
    for _ in range(len(lines) + 1):
        text = "\n".join(lines)
        try:
            return text, ast.parse(text, filename=shown)
        except SyntaxError as exc:
            first = first or exc
            index = (exc.lineno or 0) - 1
            if not (0 <= index < len(lines) and _set_magic_aside(lines, index, cells)):
                first = exc  # a real syntax error, not a magic
                break
    assert first is not None
    raise _in_cell(_from_syntax(first), cells) from None


def _set_magic_aside(lines: list[str], index: int, cells: list[int] | None) -> bool:
    line = lines[index]
    indent = line[: len(line) - len(line.lstrip())]
    cell = _CELL_MAGIC.match(line)
    if cell is None and not _LINE_MAGIC.match(line):
        return False
    timed = _TIMED_STATEMENT.match(line)
    lines[index] = indent + (timed.group(1) if timed else "pass")
    if cell is not None and cell.group(1) not in _PYTHON_CELL_MAGICS:
        end = _cell_end(lines, index, cells)
        lines[index + 1 : end] = [""] * (end - index - 1)
    return True


def _cell_end(lines: list[str], index: int, cells: list[int] | None) -> int:
    """The index after the last line of the cell holding line ``index`` (0-based): the next
    notebook cell, else the next ``# In[ ]:`` / ``# %%`` marker or blank line of an export."""
    if cells is not None:
        later = [start - 1 for start in cells if start - 1 > index]
        return later[0] if later else len(lines)
    for i in range(index + 1, len(lines)):
        if _CELL_MARKER.match(lines[i]) or not lines[i].strip():
            return i
    return len(lines)


def _read_source(path: Path) -> tuple[str, list[int] | None]:
    """The file's text; for a notebook, its code cells joined, with each cell's first line."""
    shown = str(path)
    try:
        data = path.read_bytes()
        # as Python reads a file: a BOM or a coding line chooses the encoding (UTF-8 otherwise)
        text = (
            data.decode("utf-8-sig")
            if path.suffix == ".ipynb"
            else importlib.util.decode_source(data)
        )
    except (UnicodeDecodeError, SyntaxError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else exc.msg
        raise LoadError(
            "syntax",
            f"cannot read the file as text ({reason}); save it as UTF-8",
            path=shown,
        ) from None
    except OSError as exc:
        raise LoadError("not_found", f"cannot read the file: {exc.strerror}", path=shown) from None
    if path.suffix != ".ipynb":
        return text, None
    try:
        cells = json.loads(text)["cells"]
        sources = [
            "".join(c["source"]) if isinstance(c["source"], list) else str(c["source"])
            for c in cells
            if c.get("cell_type") == "code"
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise LoadError(
            "syntax",
            "this .ipynb file is not a valid Jupyter notebook (no JSON list of cells); "
            "save it again from Jupyter, or export it with "
            "`jupyter nbconvert --to script` and check the .py file",
            path=shown,
        ) from None
    starts: list[int] = []
    lines: list[str] = []
    for cell in sources:
        starts.append(len(lines) + 1)
        lines.extend(cell.splitlines() or [""])
        lines.append("")  # a blank line between cells keeps statements apart
    return "\n".join(lines), starts


def _in_cell(error: LoadError, cells: list[int] | None) -> LoadError:
    """Say which notebook code cell a line of the joined cells belongs to."""
    if cells is None or error.line is None:
        return error
    index = bisect.bisect_right(cells, error.line) - 1
    if index >= 0:
        error.cell = (index + 1, error.line - cells[index] + 1)
    return error


@contextmanager
def _sys_path_entry(folder: str) -> Iterator[None]:
    """Let the file import its siblings (course helper modules) while it loads; afterwards they
    are forgotten (the module keeps what it imported), so another folder's file of the same
    name is not served the first one's cached ``dnn_utils``."""
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    before = set(sys.modules)
    try:
        yield
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if os.path.dirname(os.path.abspath(origin)) == folder:
                del sys.modules[name]


def _from_syntax(exc: SyntaxError) -> LoadError:
    detail = exc.msg
    if exc.text:
        detail += f": {exc.text.strip()}"
    return LoadError(
        "syntax",
        f"SyntaxError: {detail} — fix this line, then run again",
        path=exc.filename,
        line=exc.lineno,
    )


def _from_exception(
    exc: BaseException,
    real_path: str | None,
    kind: LoadErrorKind,
    shown: str | None = None,
    defs_only: bool = False,
) -> LoadError:
    frames = user_frames(exc, real_path)
    line = frames[-1].lineno if frames else None
    summary = f"{type(exc).__name__}: {exc}"
    if defs_only:  # already given: never advise it again
        advice = ""
    elif kind == "import" and isinstance(exc, ModuleNotFoundError):
        advice = (
            f" — install it, put {exc.name}.py next to your file, or use defs-only loading "
            "({defs_only}) to skip imports that are not found"
        )
    elif kind == "runtime":
        advice = (
            " — your file's top-level code raised while loading; if it trains, plots or loads "
            "data at import, use defs-only loading ({defs_only})"
        )
    else:
        advice = ""
    return LoadError(kind, summary, path=shown or real_path, line=line, advice=advice)
