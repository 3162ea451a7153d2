"""A real PostgreSQL 15 for the tests: initdb on a temporary data directory, a free port, stopped
at the end. As root it runs the server as an unprivileged system user (``postgres`` if present,
else a ``newsweave`` user it creates), since PostgreSQL refuses to run as root.

Fixtures: ``pg_server`` (session: the running server) and ``pg_url`` (a fresh database's URL);
a test module imports ``pg_server_fixture, pg_url_fixture`` to use them.
Install the binaries with ``scripts/setup-postgres.sh``; without them the tests skip and say so.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("NEWSWEAVE_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "newsweave"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    """The system user to run the server as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "newsweave"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "newsweave"],
                   check=True, capture_output=True)
    return "newsweave"


@dataclass
class PgServer:
    """One running server; ``url(db)`` gives a connection URL for a database on it."""

    datadir: Path
    port: int
    user: str | None
    root: Path

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(PG_BIN / args[0]), *args[1:]]
        return ["runuser", "-u", self.user, "--", *cmd] if self.user else cmd

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.root / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off " \
               "-c full_page_writes=off -c synchronous_commit=off -c max_connections=60"
        res = subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.datadir), "-l", str(self.root / "server.log"), "-o", opts,
                      "-w", "-t", "60", "start"),
            capture_output=True, text=True)
        if res.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {res.stderr.strip()}\n{log}")

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop"),
                       capture_output=True, text=True)

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = name or "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LOCALE \'C.UTF-8\'')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PgServer:
    """initdb a temporary cluster and start it; the caller stops it (``stop()``) and removes ``root``."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        raise FileNotFoundError(f"PostgreSQL 15 binaries not found in {PG_BIN}")
    user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="newsweave-pg-", dir="/tmp"))
    (root / "sock").mkdir()
    if user:
        pw = pwd.getpwnam(user)
        for p in (root, root / "sock"):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    srv = PgServer(datadir=root / "data", port=_free_port(), user=user, root=root)
    res = subprocess.run(
        srv._cmd("initdb", "-D", str(srv.datadir), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                 "--locale=C.UTF-8", "--no-sync"),
        capture_output=True, text=True)
    if res.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {res.stderr.strip()}")
    srv.start()
    return srv


@pytest.fixture(scope="session", name="pg_server")
def pg_server_fixture() -> Iterator[PgServer]:
    pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install 'psycopg[binary]' psycopg_pool)")
    try:
        srv = start_server()
    except FileNotFoundError as exc:
        pytest.skip(f"{exc}; run scripts/setup-postgres.sh to install postgresql-15")
    try:
        yield srv
    finally:
        srv.stop("immediate")
        shutil.rmtree(srv.root, ignore_errors=True)


@pytest.fixture(name="pg_url")
def pg_url_fixture(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database on the session's server (dropped afterwards)."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)
