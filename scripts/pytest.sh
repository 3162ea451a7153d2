#!/usr/bin/env bash
# Run the whole pytest suite; pytest's exit 5 ("no tests collected") is a failure here too,
# since a suite that collects nothing tests nothing.
set -u
cd "$(dirname "$0")/.."
.venv/bin/pytest -q "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
