"""Inputs of a gradient check: layer widths, arrays read from ``.npz`` files, drawn data."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from nncheck.errors import ProtocolError, UserCodeError

__all__ = ["FloatArray", "draw_data", "load_arrays", "parse_dims"]

FloatArray = npt.NDArray[np.float64]


def parse_dims(text: str) -> tuple[int, ...]:
    """Parse ``"5,4,3,1"`` into layer widths; raise ``ValueError`` with a fix otherwise."""
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    raw = [p.strip() for p in text.strip().split(",")]
    if len(parts) >= 2 and any(not p for p in raw):
        where = next(i for i, p in enumerate(raw) if not p) + 1
        raise ValueError(
            f"--dims {text!r}: entry {where} is empty; give every layer width once, "
            "separated by single commas, e.g. --dims 5,4,3,1"
        )
    if len(parts) < 2:
        raise ValueError(
            f"--dims {text!r}: give every layer width, input and output included, separated "
            "by commas, e.g. --dims 4,1 (logistic regression) or --dims 5,4,3,1"
        )
    dims: list[int] = []
    for part in parts:
        try:
            value = int(part)
        except ValueError:
            raise ValueError(
                f"--dims {text!r}: {part!r} is not a whole number; e.g. --dims 5,4,3,1"
            ) from None
        if value < 1:
            raise ValueError(f"--dims {text!r}: every width must be at least 1, got {value}")
        dims.append(value)
    return tuple(dims)


def load_arrays(path: str | os.PathLike[str], *, what: str) -> dict[str, FloatArray]:
    """Read every array of the ``.npz`` file at ``path`` as float64, with pickling disabled.

    ``what`` names the option in messages (``"--data"``). Raises :class:`ProtocolError` for a
    missing or unreadable file, object (pickled) arrays, non-numeric or non-finite values.
    """
    name = os.fspath(path)
    if not os.path.exists(name):
        raise ProtocolError(f"{what} {name}: no such file")
    if not os.path.isfile(name):
        raise ProtocolError(f"{what} {name}: not a file; give an .npz file made with np.savez")
    try:
        with open(name, "rb") as handle:
            head = handle.read(6)
    except OSError as exc:
        raise ProtocolError(f"{what} {name}: cannot read the file ({exc.strerror})") from None
    if head.startswith(b"\x80"):
        raise ProtocolError(
            f"{what} {name}: is pickled Python data, which nncheck never loads because "
            "unpickling can run arbitrary code; save numeric arrays with np.savez(path, X=X, Y=Y)"
        )
    if head.startswith(b"\x93NUMPY"):
        raise ProtocolError(
            f"{what} {name}: is a .npy file holding one array; nncheck needs an .npz archive of "
            "named arrays, made with np.savez(path, X=X, Y=Y) or np.savez(path, **parameters)"
        )
    if not head.startswith(b"PK"):
        raise ProtocolError(
            f"{what} {name}: not an .npz file (make one with np.savez(path, X=X, Y=Y))"
        )
    try:
        with np.load(name, allow_pickle=False) as archive:
            raw = {key: archive[key] for key in archive.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
            raise ProtocolError(
                f"{what} {name}: holds object (pickled) arrays, which nncheck never loads "
                "because unpickling can run arbitrary code; save plain numeric arrays, e.g. "
                "np.savez(path, X=X.astype(float), Y=Y.astype(float))"
            ) from None
        raise ProtocolError(f"{what} {name}: not a readable .npz file ({exc})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ProtocolError(f"{what} {name}: not a readable .npz file ({exc})") from None
    arrays: dict[str, FloatArray] = {}
    for key, value in raw.items():
        if value.dtype.kind not in "biuf":
            raise ProtocolError(
                f"{what} {name}: array {key!r} has dtype {value.dtype}; nncheck needs real "
                "numbers (save it with .astype(float))"
            )
        array = value.astype(np.float64)
        _require_finite(array, f"{what} {name}: array {key!r}")
        arrays[key] = array
    return arrays


def _require_finite(array: FloatArray, label: str) -> None:
    bad = ~np.isfinite(array)
    if np.any(bad):
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ProtocolError(
            f"{label} has a non-finite value {float(array[index])} at index {list(index)}; "
            "gradient checking needs finite inputs"
        )


def draw_data(dims: Sequence[int], m: int, seed: int) -> tuple[FloatArray, FloatArray]:
    """Draw X: (n[0], m) standard normal and Y: (n[L], m) in {0, 1} from ``default_rng(seed)``.

    With one output (n[L] = 1), both classes appear in Y when m ≥ 2. With several outputs, each
    column of Y is one-hot (sums to 1, as softmax's ``A - Y`` gradient assumes), and every class
    appears when m ≥ n[L]. Deterministic for a given seed.
    """
    if m < 1:
        raise ProtocolError(f"--m {m}: the number of examples must be at least 1")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    classes = dims[-1]
    if classes > 1:
        labels = rng.integers(0, classes, size=m)
        if m >= classes:
            labels[rng.permutation(m)[:classes]] = np.arange(classes)
        Y = np.zeros((classes, m))
        Y[labels, np.arange(m)] = 1.0
        return X, Y
    Y = rng.integers(0, 2, size=(dims[-1], m)).astype(np.float64)
    if m >= 2:
        for row in Y:
            if np.all(row == row[0]):
                row[rng.integers(0, m)] = 1.0 - row[0]
    return X, Y


def _as_arrays(grads: Mapping[str, Any], function: str) -> dict[str, FloatArray]:
    out: dict[str, FloatArray] = {}
    for key, value in grads.items():
        try:
            array = np.asarray(value)
        except Exception:  # a value numpy cannot read is the person's bug
            array = np.asarray(None, dtype=object)
        if array.dtype.kind not in "biuf":
            raise UserCodeError(
                function,
                f"returned gradient {key!r} of type {type(value).__name__}"
                + (f" (dtype {array.dtype})" if isinstance(value, np.ndarray) else "")
                + "; gradients must be real numeric arrays",
            )
        out[str(key)] = array.astype(np.float64, copy=False)
    return out


def _reference_params(dims: Sequence[int], seed: int) -> dict[str, FloatArray]:
    from nncheck.reference import initialize_parameters

    return initialize_parameters(dims, "he", seed=seed)
