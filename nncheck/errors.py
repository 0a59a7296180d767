"""The errors every front door handles: the person's code failed, or nncheck was used wrongly.

:class:`UserCodeError` is a problem found in the person's code (a crash, or a return value that
cannot be used): it passes through the engines unchanged and is reported as a finding.
:class:`UsageError` is a structured usage error of conform (no convention fits the file, an
option the convention does not have); :class:`ProtocolError` is gradcheck's (no usable protocol,
unusable dims, data or parameters). Each front door words its own advice and exits with one of
the codes below: :data:`EXIT_OK`, :data:`EXIT_PROBLEMS`, :data:`EXIT_ERROR`.
"""

from __future__ import annotations

import os
import traceback

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "ProtocolError",
    "UsageError",
    "UserCodeError",
    "user_frames",
    "user_traceback",
]

EXIT_OK = 0
"""Everything checked is right."""
EXIT_PROBLEMS = 1
"""Problems found in the checked code (wrong gradients, failed checks, a crash in it)."""
EXIT_ERROR = 2
"""Usage or load error: bad arguments, missing file, syntax error, no recognised protocol."""


class ProtocolError(Exception):
    """No protocol fits, or the inputs (dims, data, params) cannot be used: a usage error."""


class UsageError(ValueError):
    """nncheck was asked for something the file or the convention cannot give: a usage error.

    A ``ValueError`` (the Python API has always raised one for a bad option); the message says
    what was expected and what was found, ending with the advice of the front door that asked.
    """


class UserCodeError(Exception):
    """The person's function crashed or returned something unusable: a problem in their code.

    ``function`` names it; ``traceback`` is their traceback trimmed to their file ("" when the
    function returned a wrong value rather than raising).
    """

    def __init__(self, function: str, message: str, traceback: str = "") -> None:
        self.function = function
        self.message = message
        self.traceback = traceback
        super().__init__(f"{function}: {message}")

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form: ``{"kind": "user_code", "function", "message", "traceback"}``."""
        return {
            "kind": "user_code",
            "function": self.function,
            "message": self.message,
            "traceback": self.traceback,
        }


def _safe_str(exc: BaseException) -> str:
    """``str(exc)``, even when the person's exception class breaks ``__str__``."""
    try:
        return str(exc)
    except Exception:  # their __str__ raised: say so rather than crash
        return "<the exception's str() failed>"


def user_frames(exc: BaseException, path: str | None) -> list[traceback.FrameSummary]:
    """The frames of ``exc``'s traceback in the person's file ``path`` (all when None)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if path is None:
        return list(frames)
    real = os.path.realpath(path)
    return [f for f in frames if os.path.realpath(f.filename) == real]


def user_traceback(exc: BaseException, path: str | None) -> str:
    """The traceback of ``exc`` trimmed to the frames in the person's file ``path``.

    Falls back to the innermost frame when none is in ``path``; always ends with the exception
    line (``ValueError: ...``).
    """
    frames = user_frames(exc, path)
    if not frames:
        frames = list(traceback.extract_tb(exc.__traceback__))[-1:]
    lines = traceback.format_list(frames)
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return "".join(lines).rstrip()


def _trim(exc: BaseException, path: str) -> str:
    """The traceback of ``exc`` trimmed to the person's file."""
    return user_traceback(exc, path)
