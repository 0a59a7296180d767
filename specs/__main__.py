"""``python -m nncheck.specs [NAME ...]``: print the formulas, each verified by SymPy."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._registry import SPECS, describe, get_spec, verify


def main(argv: Sequence[str] | None = None) -> int:
    """Print each named spec (all by default) and whether SymPy confirms it; 1 if one fails."""
    names = list(sys.argv[1:] if argv is None else argv) or list(SPECS)
    failed = 0
    for i, name in enumerate(names):
        try:
            spec = get_spec(name)
        except KeyError as e:
            print(e.args[0], file=sys.stderr)
            return 2
        ok, account = verify(spec)
        failed += not ok
        print(("\n" if i else "") + describe(spec))
        print(f"  verified:   {'yes' if ok else 'NO'} — {account}")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
