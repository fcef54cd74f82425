"""`python -m bench` (what `make bench` runs): see `python -m bench --help`."""

from __future__ import annotations

import sys

from bench.requirements import ensure_installed

if __name__ == "__main__":
    ensure_installed()
    from bench.cli import main

    sys.exit(main(sys.argv[1:]))
