"""The error raised when an array's shape breaks its annotation."""

from __future__ import annotations

from nncheck.reference.dimensions import ShapeError as _ReferenceShapeError

__all__ = ["ShapeError"]


class ShapeError(_ReferenceShapeError):
    """An array's shape contradicts its ``Array[R, C]`` annotation (or the rank-2 rule).

    A subclass of :class:`nncheck.reference.ShapeError` (itself a ``ValueError``), so
    ``except nncheck.ShapeError`` catches both. ``str(error)`` is the full explanation;
    ``problems`` lists every violation found in one call (the first is the message's head).
    """

    def __init__(
        self,
        message: str,
        *,
        name: str = "",
        shape: tuple[int, ...] = (),
        rule: str = "",
        expected: tuple[int, ...] = (),
        problems: tuple[str, ...] = (),
    ) -> None:
        # Deliberately skip the parent's __init__: it builds its own message from a rule of the
        # course notes, while ours names the function and the dimension that disagrees.
        ValueError.__init__(self, message)
        self.name = name
        self.shape = shape
        self.rule = rule
        self.expected = expected
        self.problems = problems or (message,)
