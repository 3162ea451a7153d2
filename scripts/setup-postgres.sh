#!/usr/bin/env bash
# PostgreSQL 15 and pgvector for the PostgreSQL store tests (Debian bookworm).
# Idempotent and quick when everything is there; needs root (or sudo) to install.
#
#   postgresql-15            from Debian (apt-get)
#   postgresql-15-rum        from Debian when the release has it (ranked full text from the index;
#                            optional: without it the store ranks GIN matches with ts_rank)
#   postgresql-15-pgvector   from Debian when this release has it; bookworm does not, so then
#                            pgvector is built from Debian's own source package (trixie) against
#                            postgresql-server-dev-15 and installed into PostgreSQL 15's folders.
# The tests start their own server on a temporary data directory (tests/pg_server.py); this
# script starts nothing.
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
PGEXT=/usr/share/postgresql/15/extension
have_pg() { [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ]; }
have_vector() { [ -f "$PGEXT/vector.control" ] && [ -f /usr/lib/postgresql/15/lib/vector.so ]; }
have_rum() { [ -f "$PGEXT/rum.control" ]; }
if have_pg && have_vector && have_rum; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-postgres: need root to install postgresql-15 and pgvector (run this script as root)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
apt_install() { $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }

echo "setup-postgres: updating the package lists" >&2
$SUDO apt-get update -qq
if ! have_pg; then
  echo "setup-postgres: installing postgresql-15" >&2
  apt_install postgresql-15
fi
if ! have_rum; then
  if [ -n "$(apt-cache policy postgresql-15-rum 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -v '(none)')" ]; then
    echo "setup-postgres: installing postgresql-15-rum" >&2
    apt_install postgresql-15-rum
  else
    echo "setup-postgres: postgresql-15-rum is not in this Debian release; full text ranks with GIN" >&2
  fi
fi
if have_vector; then
  exit 0
fi
if [ -n "$(apt-cache policy postgresql-15-pgvector 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -v '(none)')" ]; then
  echo "setup-postgres: installing postgresql-15-pgvector" >&2
  apt_install postgresql-15-pgvector
  exit 0
fi

# bookworm has no pgvector package: build Debian's source package for PostgreSQL 15.
echo "setup-postgres: postgresql-15-pgvector is not in this Debian release; building pgvector from" \
  "Debian's source package" >&2
apt_install postgresql-server-dev-15 gcc make libc6-dev ca-certificates
work=$(mktemp -d /tmp/newsweave-pgvector.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
# the Debian mirror this machine already uses (the one serving the suite that has postgresql-15)
mirror=$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } \
  | awk '/^URIs:/ {print $2} /^deb / {print $2}' | { grep -E '/debian/?$' || true; } | head -n1)
if [ -z "$mirror" ]; then
  echo "setup-postgres: no Debian mirror found in the apt sources; cannot fetch pgvector's source" >&2
  exit 1
fi
echo "deb-src $mirror trixie main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
$SUDO apt-get "${apt_opts[@]}" update -qq
(cd "$work" && $SUDO apt-get "${apt_opts[@]}" source --download-only -qq pgvector >/dev/null)
orig=$(ls "$work"/pgvector_*.orig.tar.* | head -n1)
mkdir -p "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
# OPTFLAGS="" leaves out -march=native, so the library runs on any x86-64 machine
make -s -C "$work/src" PG_CONFIG="$PGBIN/pg_config" OPTFLAGS="" >/dev/null
$SUDO make -s -C "$work/src" PG_CONFIG="$PGBIN/pg_config" install >/dev/null
if ! have_vector; then
  echo "setup-postgres: pgvector build finished but $PGEXT/vector.control is missing" >&2
  exit 1
fi
echo "setup-postgres: pgvector $(awk -F"'" '/default_version/ {print $2}' "$PGEXT/vector.control") installed" >&2
