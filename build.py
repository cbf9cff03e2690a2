#!/usr/bin/env python3
"""Plansite command line: the thin front over MkDocs and the plansite package.

    python build.py build [--site DIR]     build the site atomically (old site kept on failure)
    python build.py check                  validate all inputs without writing anything

Exit codes: 0 success, 1 input errors (each printed as ``path:line: message``), 2 usage errors.
"""

from __future__ import annotations

import sys

from plansite.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
