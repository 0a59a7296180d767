"""Lines through the parameters: θ_base + t·direction applied in place to the working copy
and undone exactly, along one element (:class:`ElementLine`) or a direction over whole arrays
(:class:`DirectionLine`). The checker evaluates the cost along them."""

from __future__ import annotations

import numpy as np

from ._inputs import FloatArray


class Line:
    """θ_base + t·direction, applied in place to the working copy and undone exactly.

    θ_base is whatever the working copy holds when :meth:`set` is called (the parameters, or a
    probe point near them), so the same line serves the point and its neighbourhood.
    """

    def set(self, t: float) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def rebase(self) -> None:
        """Take the working copy's current state as θ_base (after a probe moved it)."""

    def reset(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ElementLine(Line):
    def __init__(self, flat: FloatArray, index: int, round32: bool) -> None:
        self.flat, self.index, self.round32 = flat, index, round32
        self.base = 0.0

    def set(self, t: float) -> float:
        self.base = float(self.flat[self.index])
        v = self.base + t
        if self.round32:
            v = float(np.float32(v))
        self.flat[self.index] = v
        return v - self.base

    def reset(self) -> None:
        self.flat[self.index] = self.base


class DirectionLine(Line):
    """θ_base + t·d over one or more arrays. θ_base is snapshotted on construction and again by
    :meth:`rebase` (after a probe moved the working copy), so set/reset cost three passes over
    the arrays and no allocation."""

    def __init__(self, work: dict[str, FloatArray], direction: dict[str, FloatArray]) -> None:
        self.work, self.direction = work, direction
        self.base = {n: work[n].copy() for n in direction}
        self.tmp = {n: np.empty_like(work[n]) for n in direction}
        self.round32 = False

    def rebase(self) -> None:
        for n in self.direction:
            np.copyto(self.base[n], self.work[n])

    def set(self, t: float) -> float:
        for n, d in self.direction.items():
            w, tmp = self.work[n], self.tmp[n]
            np.multiply(d, t, out=tmp)
            np.add(self.base[n], tmp, out=w)
            if self.round32:
                w[...] = w.astype(np.float32)
        return t

    def reset(self) -> None:
        for n in self.direction:
            np.copyto(self.work[n], self.base[n])
