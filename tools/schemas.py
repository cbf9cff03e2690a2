#!/usr/bin/env python3
"""Write the editor files' JSON Schemas into site_src/schemas/ from the pydantic models.

    .venv/bin/python tools/schemas.py           # (re)write the files
    .venv/bin/python tools/schemas.py --check   # exit 1 if a committed file differs

The models are in plansite/schema.py and plansite/indicator_schema.py; tests/test_schema.py
checks that the committed files equal what this tool writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plansite.schema import json_schemas, schema_text  # noqa: E402

SCHEMA_DIR = ROOT / "site_src" / "schemas"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in json_schemas().items():
        path = SCHEMA_DIR / name
        text = schema_text(schema)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(ROOT).as_posix())
        if not check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path}: {'differs from the models' if check else 'written'}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
