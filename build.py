#!/usr/bin/env python3
"""Plansite command line: the thin front over MkDocs and the plansite package.

    python build.py build [--site DIR] [--quiet]   build the site atomically (old site kept on failure);
                         [--force]                 nothing changed since the last build: nothing written
    python build.py check                          validate all inputs without writing anything
    python build.py diff OLD_SITE NEW_SITE         compare two built sites (pages, main text, indicators)
    python build.py diff --against REV [--site D]  compare git revision REV with the working tree
    python build.py add PATH [--slug S] [--kind K] copy a plan source into seeds/ and draft its metadata
    python build.py --root DIR <command>           work on the project at DIR (default: this folder)

Exit codes: 0 success (diff: identical), 1 input errors, each printed as ``path:line: message``
(diff: differences found), 2 usage or internal errors.
"""

from __future__ import annotations

import sys

from plansite.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
