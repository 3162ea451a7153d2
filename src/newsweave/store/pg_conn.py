"""PostgreSQL plumbing for :mod:`newsweave.store.postgres`: the connection pool, retries across a
lost connection, the translation of driver errors into :class:`StoreError`, and a reversible
text codec for the one character PostgreSQL cannot store (NUL).

psycopg 3 and psycopg_pool are imported lazily so the SQLite default needs neither.
"""

from __future__ import annotations

import json
import re
import select
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..errors import StoreError
from .shapes import POSTGRES, Dialect

T = TypeVar("T")
INSTALL_HINT = "pip install 'psycopg[binary]' psycopg_pool"

# -- NUL codec ------------------------------------------------------------------------------
# PostgreSQL text and jsonb cannot hold U+0000, which any text may contain. Strings with NUL
# (or with the escape character itself, a Unicode noncharacter) are stored escaped and decoded
# on the way out, so every string round-trips exactly; all other strings are stored as they are.
ESC = "\uffff"
_ESC_B = ESC.encode()
_DEC = re.compile(ESC + "([01])")


def enc(s: str | None) -> str | None:
    if s is None or ("\x00" not in s and ESC not in s):
        return s
    return s.replace(ESC, ESC + "1").replace("\x00", ESC + "0")


def dec(s: str) -> str:
    if ESC not in s:
        return s
    return _DEC.sub(lambda m: "\x00" if m.group(1) == "0" else ESC, s)


def _walk(obj: Any, f: Callable[[str], Any]) -> Any:
    if isinstance(obj, str):
        return f(obj)
    if isinstance(obj, list):
        return [_walk(x, f) for x in obj]
    if isinstance(obj, dict):
        return {f(k): _walk(v, f) for k, v in obj.items()}
    return obj


def jdumps(obj: Any) -> str:
    """JSON for a jsonb column (which refuses \\u0000): NULs escaped with the codec."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if "\\u0000" in s or ESC in s:
        s = json.dumps(_walk(obj, enc), ensure_ascii=False, separators=(",", ":"))
    return s


def jloads(data: str | bytes) -> Any:
    obj = json.loads(data)
    has_esc = (ESC in data) if isinstance(data, str) else (_ESC_B in data)
    return _walk(obj, dec) if has_esc else obj


def dec_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: dec(v) if type(v) is str and ESC in v else v for k, v in row.items()}


# -- connections ----------------------------------------------------------------------------
def _import_psycopg() -> Any:
    try:
        import psycopg
        import psycopg_pool  # noqa: F401
    except ImportError as exc:
        raise StoreError(f"the PostgreSQL backend needs psycopg 3 and psycopg_pool: {INSTALL_HINT}") from exc
    return psycopg


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


TRANSIENT_STATES = ("40P01", "40001")  # deadlock detected, serialization failure: rolled back, retry


def is_transient(exc: BaseException) -> bool:
    """True for a transaction the server rolled back whole to break a deadlock (or a
    serialisation conflict): the same work run again succeeds. Ray workers writing documents
    while the driver writes a window of them lock shared rows (entities) in different orders."""
    return getattr(exc, "sqlstate", None) in TRANSIENT_STATES


def is_connection_error(exc: BaseException) -> bool:
    """True for failures of the connection itself (server gone, restarting, network), which a
    retry on a fresh connection may cure; False for errors in what was asked."""
    state = getattr(exc, "sqlstate", None)
    return state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03")


class Row(tuple[Any, ...]):
    """A result row read by position or by column name, like ``sqlite3.Row`` (``dict(row)`` works)."""

    names: dict[str, int]

    def __new__(cls, values: tuple[Any, ...], names: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row.names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


class ConnReader:
    """A :class:`shapes.Reader` over one checked-out connection."""

    dialect: Dialect = POSTGRES

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, tuple(args))
            return [dec_row(r) for r in cur.fetchall()]  # fetchall also syncs a pipeline


def check_idle(conn: Any) -> None:
    """The pool's check of a connection it hands out, without a round trip when it can: an idle
    connection has nothing to read, so a readable socket means the server said something (a
    shutdown notice, end of file) and only then is it pinged; a dead one is replaced.

    A ping on every checkout (psycopg_pool's ``check_connection``) doubled the round trips of the
    linking step, which makes many small reads and writes."""
    from psycopg_pool import ConnectionPool

    if conn.closed or conn.broken:
        raise conn.OperationalError("the connection is closed")
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        readable = [True]
    if readable:
        ConnectionPool.check_connection(conn)


class Pool:
    """A psycopg connection pool (autocommit connections; writers open explicit transactions)
    with retries across lost connections for idempotent work."""

    def __init__(self, url: str, *, min_size: int, max_size: int, timeout: float, retry_seconds: float) -> None:
        psycopg = _import_psycopg()
        from psycopg_pool import ConnectionPool, PoolTimeout

        self.where = redact(url)
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.retries = 0  # how often work was retried on a fresh connection (for tests and stats)
        self._local = threading.local()  # .conn: the connection pinned by pinned() in this thread
        self._psycopg = psycopg
        self._timeout_exc = PoolTimeout

        def configure(conn: Any) -> None:
            from psycopg.types.json import set_json_loads

            set_json_loads(jloads, conn)

        try:
            self.pool = ConnectionPool(
                url, min_size=min_size, max_size=max_size, timeout=timeout, open=False,
                kwargs={"autocommit": True, "connect_timeout": max(2, int(timeout))},
                configure=configure, check=check_idle, reconnect_timeout=max(timeout, 30.0),
                name="newsweave",
            )
            self.pool.open(wait=True, timeout=timeout)
        except PoolTimeout as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {self.where} within {timeout:g} s: "
                             f"{_first_line(exc)}") from exc
        except psycopg.Error as exc:
            raise StoreError(f"cannot open PostgreSQL database {self.where}: {exc}") from exc

    @contextmanager
    def conn(self) -> Iterator[Any]:
        with self.pool.connection() as c:
            yield c

    @contextmanager
    def pinned(self) -> Iterator[Any]:
        """One connection for all of this thread's work inside (``run`` uses it), held until the
        outermost ``pinned`` ends; the base of :meth:`PostgresStore.batch`."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        try:
            with self.pool.connection() as c:
                self._local.conn = c
                try:
                    yield c
                finally:
                    self._local.conn = None
        except self._timeout_exc as exc:
            raise StoreError(f"no connection to PostgreSQL at {self.where} within {self.timeout:g} s "
                             f"(is the server running?): {_first_line(exc)}") from exc

    def run(self, what: str, fn: Callable[[Any], T], *, retry: bool = True) -> T:
        """``fn(connection)``, retried on a fresh connection while the connection itself fails,
        and again when the server rolled it back to break a deadlock (for up to ``retry_seconds``:
        ``fn`` must be idempotent, as every caller's is); every failure becomes a StoreError that
        names ``what``.
        On a connection pinned by :meth:`pinned` nothing is retried: the work belongs to a larger
        transaction, which a lost connection has rolled back whole."""
        psycopg = self._psycopg
        held = getattr(self._local, "conn", None)
        if held is not None:
            try:
                return fn(held)
            except psycopg.Error as exc:
                raise self.error(what, exc) from exc
        deadline = time.monotonic() + (self.retry_seconds if retry else 0.0)
        delay = 0.2
        while True:
            try:
                with self.pool.connection() as c:
                    return fn(c)
            except self._timeout_exc as exc:
                raise StoreError(f"{what}: no connection to PostgreSQL at {self.where} within {self.timeout:g} s "
                                 f"(is the server running?): {_first_line(exc)}") from exc
            except psycopg.OperationalError as exc:  # deadlocks too (TransactionRollback)
                if (is_connection_error(exc) or is_transient(exc)) and time.monotonic() + delay <= deadline:
                    self.retries += 1
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
                    continue
                if is_connection_error(exc):
                    raise StoreError(
                        f"{what}: lost the connection to PostgreSQL at {self.where} "
                        f"({_first_line(exc)}); nothing is half-written: a transaction in flight commits whole or not at all"
                    ) from exc
                raise StoreError(f"{what}: {_first_line(exc)}") from exc
            except psycopg.Error as exc:
                raise StoreError(f"{what}: {_first_line(exc)}") from exc

    def error(self, what: str, exc: BaseException) -> StoreError:
        """The StoreError for a driver error met while doing ``what`` inside a batch."""
        if is_connection_error(exc):
            return StoreError(f"{what}: lost the connection to PostgreSQL at {self.where} ({_first_line(exc)}); "
                              "the batch of writes it belonged to was rolled back whole, nothing is half-written")
        return StoreError(f"{what}: {_first_line(exc)}")

    def close(self) -> None:
        self.pool.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
