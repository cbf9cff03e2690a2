#!/usr/bin/env bash
# Install what the quality and browser tests need, on a clean Debian machine, only when missing:
#   system (apt-get, as root): chromium, fonts-noto-cjk, a Java runtime (for vnu), nodejs + npm
#   npm (pinned, into the ignored .cache/test-deps):  vnu-jar, axe-core
# Python test dependencies (playwright) come from requirements-test.txt via the Makefile.
# Playwright drives Debian's /usr/bin/chromium: no browser is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

VNU_JAR_VERSION=26.9.27
AXE_CORE_VERSION=4.14.1
DEPS=.cache/test-deps

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" || missing+=(fonts-noto-cjk)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp="$DEPS/.installed-vnu-$VNU_JAR_VERSION-axe-$AXE_CORE_VERSION"
if [ ! -f "$stamp" ]; then
  echo "test-deps: npm install vnu-jar@$VNU_JAR_VERSION axe-core@$AXE_CORE_VERSION into $DEPS"
  mkdir -p "$DEPS"
  # --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime; we use Debian's.
  npm install --prefix "$DEPS" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
    "vnu-jar@$VNU_JAR_VERSION" "axe-core@$AXE_CORE_VERSION" >/dev/null
  touch "$stamp"
fi
