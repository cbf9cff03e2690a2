#!/usr/bin/env bash
# Refresh docs/screenshots/ from the browser tests (Chromium at 390 px and 1280 px, search results,
# the GDP comparison page, the plan overview on a phone, and page 2 of the chapter's print-to-PDF
# rendered by pdftoppm when poppler-utils is installed).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PLANSITE_SCREENSHOTS="$tmp" .venv/bin/python -m pytest -q tests/test_browser.py \
  tests/test_site_browser.py -k "not every_page"
mkdir -p "$out"
cp "$tmp"/chapter-phone.png "$tmp"/chapter-desktop.png "$tmp"/search-results.png \
  "$tmp"/indicator-comparison.png "$tmp"/overview-phone.png "$out"/
if command -v pdftoppm >/dev/null; then
  pdftoppm -r 60 -png -f 2 -l 2 -singlefile "$tmp/chapter-print.pdf" "$out/chapter-print"
fi
ls -l "$out"
