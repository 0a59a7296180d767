"""Course conventions: map a person's module onto the checks of one course convention.

A convention is a module with ``NAME``, ``FUNCTIONS`` (the names it checks, in order),
``MARKERS`` (names that identify it) and ``checks()`` (a list of :class:`Check`); optionally
``ASSIGNMENTS`` (the course's separate notebooks it covers: name → their functions, so that a file
of one is not asked for the other's functions). Composition, not
inheritance: the checks are built from the helpers of ``nncheck.conventions._common``.

Conventions: ``week2`` (logistic regression), ``week3`` (one hidden tanh layer), ``week4``
(L layers, ReLU/sigmoid), ``course2`` (gradient checking and initialisation), ``generic`` (the
canonical names documented in the README).

Gradient checking (:mod:`nncheck.gradcheck`) finds a module's protocol here too: one detector for
every front door — :func:`detect_protocol` tries the protocols of the convention
:func:`detect_convention` finds first, then the rest of :data:`PROTOCOLS` in order; each
convention's home binds its protocols (``GRADCHECK``, a tuple of :class:`Protocol`: functions,
default widths, cost and gradient closures).
"""

from __future__ import annotations

import functools
import importlib
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from nncheck.conventions._common import Check, Context, Prerequisite
from nncheck.conventions._protocol import Protocol
from nncheck.errors import ProtocolError

__all__ = [
    "CONVENTIONS",
    "COURSE_NAMES",
    "DEFAULT_M",
    "PROTOCOLS",
    "Check",
    "Context",
    "Convention",
    "Prerequisite",
    "Protocol",
    "available_conventions",
    "convention_module",
    "course_names",
    "detect_convention",
    "detect_protocol",
    "protocol_home",
    "protocols",
    "provide_helpers",
    "registry",
    "rename",
    "render_markdown",
]

CONVENTIONS = ("week4", "week3", "week2", "course2", "generic")
"""Known conventions, in the order ties are broken."""


def convention_module(name: str) -> types.ModuleType:
    """The adapter module of convention ``name``; ``ValueError`` listing the known names."""
    if name not in CONVENTIONS:
        raise ValueError(
            f"unknown convention {name!r}; expected 'auto' or one of: {', '.join(CONVENTIONS)}"
        )
    return importlib.import_module(f"nncheck.conventions.{name}")


COURSE_NAMES: Final = "__nncheck_course_names__"
"""The attribute in which the loader notes the functions of a loaded module that come from the
course's own modules (see :func:`course_names`)."""


def course_names(module: types.ModuleType) -> frozenset[str]:
    """The functions of ``module`` that come from the course's own modules (a local
    ``dnn_utils.py``, ``testCases``, ``public_tests``, or nncheck's stand-ins): not the
    person's code, so not judged as theirs (the loader notes them in :data:`COURSE_NAMES`)."""
    return frozenset(getattr(module, COURSE_NAMES, ()))


def provide_helpers(module: types.ModuleType, convention: str) -> frozenset[str]:
    """Define the course helpers of ``convention`` (its module's ``HELPERS``) that ``module``
    lacks — the course ships them in ``dnn_utils``/``planar_utils``/``gc_utils``, which learners
    import rather than write. Returns the names provided (they are not checked as the person's),
    with the functions that came from the course's own modules (a local ``dnn_utils.py``)."""
    helpers = getattr(convention_module(convention), "HELPERS", {})
    provided = list(course_names(module))
    for name, f in helpers.items():
        if not callable(getattr(module, name, None)):
            setattr(module, name, f)
            provided.append(name)
    return frozenset(provided)


def available_conventions() -> list[str]:
    """The conventions whose modules are installed (all of :data:`CONVENTIONS` normally)."""
    out = []
    for name in CONVENTIONS:
        try:
            convention_module(name)
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


def detect_convention(
    module: types.ModuleType, names: Mapping[str, str] | None = None
) -> str | None:
    """The convention whose marker functions the module defines most of (None when none).

    ``names`` maps a convention's function name to the person's name for it. A convention may
    adjust its score from signatures (``score_adjustment(module, names)``): course 2's
    one-dimensional ``forward_propagation(x, theta)`` is not week 3's.
    """
    names = dict(names or {})
    best: tuple[int, str] | None = None
    for conv in available_conventions():
        mod = convention_module(conv)
        score = sum(1 for n in mod.MARKERS if callable(getattr(module, names.get(n, n), None)))
        adjust = getattr(mod, "score_adjustment", None)
        if callable(adjust):
            score += adjust(module, names)
        if score > 0 and (best is None or score > best[0]):
            best = (score, conv)
    return None if best is None else best[1]


# --------------------------------------------------------------------------------------------
# gradient-check protocols: each home's ``GRADCHECK``, tried in this order

PROTOCOLS: Final = ("week4", "canonical", "course2", "course2_1d", "week3", "week2", "generic")
"""The gradient-check protocols, in the order detection tries them (``--protocol``)."""

DEFAULT_M: Final = 8
"""Number of examples drawn when ``--data`` is not given."""


@functools.cache
def protocols() -> dict[str, Protocol]:
    """Every gradient-check protocol, from its convention's home (``GRADCHECK``), in
    :data:`PROTOCOLS` order."""
    found = {p.name: p for c in registry().values() for p in c.protocols}
    return {name: found[name] for name in PROTOCOLS if name in found}


def protocol_home(name: str) -> str:
    """The convention whose home binds gradient-check protocol ``name``."""
    return next(c.name for c in registry().values() if any(p.name == name for p in c.protocols))


def _protocol_order(module: types.ModuleType) -> list[str]:
    """The protocols to try: those of the convention conform detects first (one detector for
    every front door), then the rest in :data:`PROTOCOLS` order (files that only define a
    protocol's functions, like ``cost_and_gradients``)."""
    home = detect_convention(module)
    return sorted(protocols(), key=lambda p: protocol_home(p) != home)


def detect_protocol(
    module: types.ModuleType, requested: str = "auto"
) -> tuple[str, tuple[str, ...]]:
    """Return (protocol name, function names used) for ``module``.

    With ``requested="auto"`` the convention :func:`detect_convention` finds decides first (its
    protocols are tried before the others). Raises :class:`ProtocolError` listing the names
    looked for when nothing fits.
    """
    known = protocols()
    candidates = _protocol_order(module) if requested == "auto" else [requested]
    if requested != "auto" and requested not in known:
        raise ProtocolError(
            f"unknown protocol {requested!r}; expected auto or one of {', '.join(known)}"
        )
    for name in candidates:
        for option in known[name].options:
            if all(callable(getattr(module, fn, None)) for fn in option):
                accepts = known[name].accepts
                if accepts is not None and not accepts(module):
                    continue  # e.g. week 3's forward_propagation(X, parameters), not J(theta)
                return name, option
    lines = []
    for name in candidates:
        for option in known[name].options:
            found = [fn for fn in option if callable(getattr(module, fn, None))]
            missing = [fn for fn in option if fn not in found]
            have = f" (found {', '.join(found)}; missing {', '.join(missing)})" if found else ""
            lines.append(f"  {name}: {', '.join(option)}{have}")
    where = getattr(module, "__file__", None) or module.__name__
    raise ProtocolError(
        f"{where}: no gradient-check protocol recognised. nncheck looked for these functions:\n"
        + "\n".join(lines)
        + "\nname yours like one of these, or map them with --rename COURSE_NAME=YOUR_NAME; "
        "`nncheck gradcheck --help` shows each protocol's signatures"
    )


def rename(module: types.ModuleType, names: Mapping[str, str]) -> types.ModuleType:
    """Make each course name of ``names`` refer to the person's function, and return ``module``.

    ``names`` maps a course name to the person's name (``{"L_model_forward": "forward"}``). The
    course names are added to ``module`` itself, so helpers nncheck provides later (the course's
    ``gc_utils``) are seen by the person's functions too. Raises :class:`ProtocolError` when a
    named function does not exist.
    """
    for course, yours in names.items():
        function = getattr(module, yours, None)
        if not callable(function):
            known = sorted(k for k, v in vars(module).items() if callable(v) and k[:1] != "_")
            raise ProtocolError(
                f"--rename {course}={yours}: the file defines no function {yours!r} "
                f"(it defines {', '.join(known) or 'no functions'})"
            )
        setattr(module, course, function)
    return module


# --------------------------------------------------------------------------------------------
# the registry: one entry per convention home, for the front doors and the docs

@dataclass(frozen=True)
class Convention:
    """One course assignment's home (``nncheck/conventions/<name>.py``) as the front doors and
    the docs see it.

    Attributes:
        name: the convention's name (``--convention``).
        title: the first line of its module's docstring.
        functions: the course's names it checks, in the order the assignment introduces them.
        markers: the names that identify it (conform's detection).
        variants: the hidden activations it accepts (``--hidden-activation``), if any.
        helpers: the course helpers provided when their import is skipped.
        assignments: the separate notebooks of the course it covers (its home's
            ``ASSIGNMENTS``: name → their functions, together :attr:`functions`), empty when it
            is one assignment.
        protocols: the gradient-check protocols it binds (its home's ``GRADCHECK``): the
            functions, default widths, cost and gradient closures of each.
        module: the home itself (its ``checks()``).
    """

    name: str
    title: str
    functions: tuple[str, ...]
    markers: tuple[str, ...]
    variants: tuple[str, ...]
    helpers: tuple[str, ...]
    assignments: Mapping[str, tuple[str, ...]]
    protocols: tuple[Protocol, ...]
    module: types.ModuleType


def registry() -> dict[str, Convention]:
    """Every installed convention, by name, in the order ties are broken."""
    out: dict[str, Convention] = {}
    for name in available_conventions():
        mod = convention_module(name)
        out[name] = Convention(
            name=name,
            title=(mod.__doc__ or name).strip().splitlines()[0].rstrip(".").replace("``", "`"),
            functions=tuple(mod.FUNCTIONS),
            markers=tuple(mod.MARKERS),
            variants=tuple(getattr(mod, "VARIANTS", ())),
            helpers=tuple(sorted(getattr(mod, "HELPERS", {}))),
            assignments=dict(getattr(mod, "ASSIGNMENTS", {})),
            protocols=tuple(getattr(mod, "GRADCHECK", ())),
            module=mod,
        )
    return out


def render_markdown() -> str:
    """The docs' table of conventions (docs/readme/conventions.md), generated from
    :func:`registry`: ``python -m nncheck.conventions > docs/readme/conventions.md``."""
    lines = [
        "# Conventions",
        "",
        "<!-- generated by `python -m nncheck.conventions > docs/readme/conventions.md`;",
        "     tests/test_conventions_registry.py checks that this file is current -->",
        "",
        "| convention | assignment | detected by | hidden activations | gradcheck protocols "
        "(default dims) | helpers provided |",
        "|---|---|---|---|---|---|",
    ]

    def code(names: tuple[str, ...]) -> str:
        return ", ".join(f"`{n}`" for n in names) or "—"

    for c in registry().values():
        protocols = ", ".join(f"`{p.name}` ({','.join(map(str, p.dims))})" for p in c.protocols)
        cells = (f"`{c.name}`", c.title, code(c.markers), code(c.variants), protocols,
                 code(c.helpers))  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    several = [c for c in registry().values() if c.assignments]
    if several:
        lines += [
            "",
            "## Conventions of several assignments",
            "",
            "A convention may cover several notebooks of the course. With `--require-all`",
            "(`conform`, `grade`) a file must define every function of each assignment it starts",
            "(it defines one of its functions); the functions of the other assignments are",
            "skipped, with a note.",
            "",
            "| convention | assignment | functions |",
            "|---|---|---|",
        ]
        for c in several:
            lines += [f"| `{c.name}` | {a} | {code(fs)} |" for a, fs in c.assignments.items()]
    return "\n".join(lines) + "\n"
