#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests of the web UI.
# Idempotent and quick when everything is there; needs root (or sudo) to install.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-system: need root to install: ${need[*]} (run: apt-get install ${need[*]})" >&2; exit 1
  fi
fi
echo "setup-system: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
