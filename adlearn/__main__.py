"""``python -m adlearn`` and the ``adlearn`` console script: see :mod:`adlearn.cli`."""

import sys

from adlearn.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
