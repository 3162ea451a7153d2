#!/usr/bin/env bash
# Set up what the browser tests need, without letting Playwright download anything:
#   - Debian's `chromium` package (apt-get), when /usr/bin/chromium is missing;
#   - the `playwright` Python package in the project's venv (its driver only; never
#     `playwright install`: the tests launch /usr/bin/chromium through executable_path).
# Idempotent: does nothing when both are already there. Usage: bash scripts/setup-browser.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PLAYWRIGHT_VERSION="${PLAYWRIGHT_VERSION:-1.56.0}"

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "need root or sudo to install chromium with apt-get" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
fi

if ! "$VENV/bin/python" -c "import playwright" >/dev/null 2>&1; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$VENV/bin/pip" install --quiet "playwright==${PLAYWRIGHT_VERSION}"
fi

/usr/bin/chromium --version
"$VENV/bin/python" -c "from importlib.metadata import version; print('playwright', version('playwright'))"
