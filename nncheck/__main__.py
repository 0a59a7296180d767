"""``python -m nncheck``: the same command line as the ``nncheck`` script."""

from __future__ import annotations

import sys

from nncheck.cli import main

if __name__ == "__main__":
    sys.exit(main())
