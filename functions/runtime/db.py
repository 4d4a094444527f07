"""The database: one lazily created engine per process and a unit of work per use case."""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID

from functions.runtime.settings import get_settings

if TYPE_CHECKING:  # importing SQLAlchemy is the cost of the first request, not of import
    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine import ExceptionContext

_engine: Engine | None = None
_engine_lock = threading.Lock()
# A pooled connection idle for longer than this is pinged before use (a scaled-up pod may hold
# connections the database restarted under); one in steady use is not: the ping was a BEGIN and
# a SELECT 1, two of a search's six round trips (bench/_search_profile.py).
PING_AFTER_IDLE_SECONDS = 1.0


def get_engine() -> Engine:
    """Return the process's engine, creating it (and its small pool) on first use."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from sqlalchemy import create_engine, event

                settings = get_settings()
                _engine = create_engine(
                    settings.database_url,
                    pool_size=settings.db_pool_size,
                    max_overflow=settings.db_pool_max_overflow,
                    pool_pre_ping=False,  # _ping_if_idle instead
                    pool_recycle=300,
                    connect_args={"application_name": settings.service_name[:60], "timeout": 10},
                )
                event.listen(_engine, "handle_error", _invalidate_unless_clean)
                event.listen(_engine, "checkout", _ping_if_idle)
                event.listen(_engine, "checkin", _mark_idle)
                tune_pg8000(_engine)
                if _engine.dialect.driver == "pg8000":
                    event.listen(_engine, "do_connect", _connect_preferring_ssl)
    return _engine


_TIMESTAMPTZ, _TIMESTAMP = 1184, 1114  # PostgreSQL type oids


def _fast_timestamps(dbapi_connection: Any, record: Any) -> None:
    """Read timestamps with datetime.fromisoformat (0.1 us) rather than pg8000's strptime (6 us).

    Only for the text PostgreSQL writes in the usual form, where both give the same value
    (a whole-hour offset, at most six fractional digits); anything else (infinity, BC, offsets
    with minutes, years past 9999) goes to pg8000's own converter as before. A page of twenty
    products has forty timestamps.
    """
    from pg8000.converters import timestamp_in, timestamptz_in

    def tz_in(data: str, _slow: Any = timestamptz_in, _parse: Any = _iso) -> Any:
        return _parse(data, _slow) if len(data) > 3 and data[-3] in "+-" else _slow(data)

    def naive_in(data: str, _slow: Any = timestamp_in, _parse: Any = _iso) -> Any:
        return _parse(data, _slow) if data[:1].isdigit() and data[-1:].isdigit() else _slow(data)

    dbapi_connection.register_in_adapter(_TIMESTAMPTZ, tz_in)
    dbapi_connection.register_in_adapter(_TIMESTAMP, naive_in)


def _iso(data: str, slow: Any) -> Any:
    from datetime import datetime

    dot = data.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(data) and data[end].isdigit():
            end += 1
        if end - dot - 1 > 6:
            return slow(data)  # more than microseconds: pg8000's way, whatever it makes of it
    try:
        return datetime.fromisoformat(data)
    except ValueError:
        return slow(data)


_ssl_context: Any = None
_server_takes_ssl: bool | None = None  # learnt on the first connection: the same server after


def _connect_preferring_ssl(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
    """Connect as pg8000 does by default (TLS if the server offers it, unverified; else plain),
    without its cost: pg8000 builds a new default SSL context for every connection, and loading
    the system's CA certificates into it took 24 ms of CPU (on a 25 ms connect, most of the
    first request's connection: bench/cold_start.py), for a context that verifies nothing.
    Here one context is built once, without the certificates it never uses; whether the server
    takes TLS is remembered, so a server without it costs one attempt per process, not per
    connection. An explicit `ssl_context` in the connect arguments is left alone.
    """
    global _ssl_context, _server_takes_ssl
    if "ssl_context" in cparams:
        return None  # SQLAlchemy connects as configured
    if _ssl_context is None:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        _ssl_context = context
    first = _server_takes_ssl is not False
    try:
        connection = dialect.dbapi.connect(*cargs, ssl_context=_ssl_context if first else False, **cparams)
    except dialect.dbapi.InterfaceError as exc:
        if not first or "refuses SSL" not in str(exc):
            raise
        connection = dialect.dbapi.connect(*cargs, ssl_context=False, **cparams)
        _server_takes_ssl = False
        return connection
    except dialect.dbapi.DatabaseError:
        if first:
            raise
        # The server took plain connections before; perhaps it wants TLS now.
        connection = dialect.dbapi.connect(*cargs, ssl_context=_ssl_context, **cparams)
        _server_takes_ssl = True
        return connection
    _server_takes_ssl = first if _server_takes_ssl is None else _server_takes_ssl
    return connection


def _mark_idle(dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Ping a connection that sat idle in the pool; a dead one is replaced (DisconnectionError)."""
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS:
        return  # new, or used a moment ago
    from sqlalchemy import exc

    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as error:  # the pool discards it and connects anew (up to three times)
        raise exc.DisconnectionError(f"pooled connection is dead: {error}") from error


def _invalidate_unless_clean(context: ExceptionContext) -> None:
    """Treat every failure but an error the server reported as a broken connection.

    pg8000 raises `DatabaseError` only after reading the server's whole answer, so the
    connection is still in step. Anything else (an `OverflowError` while encoding a parameter
    after half the query went out, a network error, an interrupt) may leave an answer unread
    that the next request would take for its own: close that connection, keep the rest.
    """
    from pg8000.exceptions import DatabaseError

    if not isinstance(context.original_exception, DatabaseError):
        context.is_disconnect = True
        context.invalidate_pool_on_disconnect = False


def tune_pg8000(engine: Engine | None = None) -> None:
    """Make pg8000 cheaper per statement: for this process, and for `engine`'s connections.

    The functions' engine, the outbox relays and the local broker's Postgres transport all use
    it. For the process (idempotent): remembered paramstyle rewrites, one round trip per
    statement, the transaction's BEGIN in the same write as its first statement. For the
    engine's connections (pg8000 ones; call it once per engine): timestamps read without strptime.
    """
    _remember_pg8000_rewrites()
    _pipeline_pg8000_statements()
    if engine is not None and engine.dialect.driver == "pg8000":
        from sqlalchemy import event

        event.listen(engine, "connect", _fast_timestamps)


def _remember_pg8000_rewrites() -> None:
    """Cache pg8000's rewrite of `%s` into `$n`, a char-by-char scan of every statement.

    SQLAlchemy sends the same few statements again and again; for a catalog search the scan
    cost more than a third of the function's own time. With the "format" style the rewrite
    depends on the text alone, so it is safe to remember.
    """
    import pg8000.legacy

    scan = pg8000.legacy.convert_paramstyle
    if getattr(scan, "remembers", False):
        return

    @functools.lru_cache(maxsize=1024)
    def rewrite(query: str) -> str:
        return scan("format", query, ())[0]

    def convert(style: str, query: str, args: Any) -> tuple[str, Any]:
        return (rewrite(query), args) if style == "format" else scan(style, query, args)

    convert.remembers = True  # type: ignore[attr-defined]
    pg8000.legacy.convert_paramstyle = convert


PREPARED_PER_CONNECTION = 256  # named statements a connection keeps; the least recently used is closed


def _pipeline_pg8000_statements() -> None:
    """Send each statement in one write (one round trip), and parse each only once per connection.

    pg8000 waits for the server's answer to Parse, then to Describe, then to Execute: three
    round trips per statement, nine for a search, each a wake-up of the server's process on a
    busy machine (a third of a warm search's CPU was in socket sends: bench/_search_profile.py).
    Here the first execution of a statement on a connection sends Parse (under a name of the
    connection's own), Describe, Bind and Execute in one write; the next ones send only Bind
    and Execute of that name, with the columns the first Describe gave: the server neither
    parses nor analyses the text again (it plans as it does for any prepared statement:
    custom plans first, a generic one once it costs no more), and pg8000 decodes no statement
    or row description. SQLAlchemy sends the same few texts over and over, so almost every
    statement is a known one (statements without parameters, COMMIT and the like, are parsed
    each time as before: no plan to keep). The server answers the pipelined messages in order,
    so the same handlers read them in one pass; on an error it skips to the Sync as before, the
    error is raised the same way, and the statement is remembered only once it has run (a name
    whose Parse went through is never used again). Parameters are converted before anything is
    sent, so one that cannot be (an OverflowError) leaves nothing half-sent. COPY (a stream)
    keeps pg8000's own sequence. Each connection keeps at most PREPARED_PER_CONNECTION
    statements: the least recently used one is closed, in the same write as the new Parse.

    The BEGIN pg8000 sends before a transaction's first statement (its own round trip, a
    quarter of an event handler's: BEGIN, inbox row, effect, COMMIT) goes in the same write as
    that statement: `_defer_pg8000_begin`.
    """
    from pg8000 import core

    original = core.CoreConnection.execute_unnamed
    if getattr(original, "pipelined", False):
        return
    _defer_pg8000_begin()

    def execute_unnamed(self: Any, statement: str, vals: Any = (), oids: Any = (), stream: Any = None) -> Any:
        if stream is not None:
            return original(self, statement, vals=vals, oids=oids, stream=stream)
        if self._begin_deferred and statement == "commit":
            self._begin_deferred = False  # nothing was sent: an empty transaction, nothing to commit
            return core.Context(statement)
        params = core.make_params(self.py_types, vals)
        prepared = self.__dict__.get("_ecom_prepared")
        if prepared is None:
            prepared = self._ecom_prepared = _PreparedStatements()
        # Statements without parameters (COMMIT, ROLLBACK, SET, DDL) have no plan worth keeping,
        # and pg_stat_statements would not count a COMMIT run as a prepared statement.
        key = (statement, tuple(oids) if oids else ()) if vals else None
        known = prepared.get(key) if key is not None else None
        begun = _send_deferred_begin(self)
        if known is not None:
            prepared.move_to_end(key)
            name, columns, input_funcs = known
            context = core.Context(statement, columns=columns, input_funcs=input_funcs)
        else:
            name = core.NULL_BYTE if key is None else prepared.new_name(self)
            context = core.Context(statement)
            self.send_PARSE(name, statement, oids)
            self.send_DESCRIBE_STATEMENT(name)
        self.send_BIND(name, params)
        self.send_EXECUTE()
        try:
            core._write(self._sock, core.SYNC_MSG)
            core._flush(self._sock)
        except AttributeError as e:
            if self._sock is None:
                raise core.InterfaceError("connection is closed") from e
            raise
        if begun is not None:
            self.handle_messages(begun)
        self.handle_messages(context)
        if known is None and key is not None:
            prepared[key] = (name, context.columns, context.input_funcs)
        return context

    execute_unnamed.pipelined = True  # type: ignore[attr-defined]
    core.CoreConnection.execute_unnamed = execute_unnamed  # type: ignore[method-assign]


class _PreparedStatements(OrderedDict):
    """A connection's named statements: (text, oids) -> (name, columns, input funcs), oldest first."""

    def __init__(self) -> None:
        super().__init__()
        self.names = 0

    def new_name(self, connection: Any) -> bytes:
        """A name never used on this connection; closes the least recently used statement when full
        (its Close goes out in the write of the statement that takes its place)."""
        from pg8000 import core

        if len(self) >= PREPARED_PER_CONNECTION:
            _, (oldest, _, _) = self.popitem(last=False)
            connection._send_message(core.CLOSE, core.STATEMENT + oldest)
        self.names += 1
        return f"ecom_{self.names}".encode("ascii") + core.NULL_BYTE


def _defer_pg8000_begin() -> None:
    """Hold pg8000's "begin transaction" back until the transaction's first statement goes out.

    pg8000 (its DB-API cursor) runs `execute_simple("begin transaction")` before the first
    statement of a transaction, and waits for the answer. Here that call only notes that a BEGIN
    is owed (`_begin_deferred`); the next statement's write starts with the BEGIN as a simple
    Query message, and its two answers (BEGIN's, then the statement's, each up to its
    ReadyForQuery) are read in order: the server runs the messages in the order sent, so the
    statement runs inside the transaction exactly as before, one round trip sooner. A rollback
    with the BEGIN still owed sends nothing (nothing was begun), as does a commit; autocommit
    never asks for a BEGIN, so it never owes one.
    """
    from pg8000 import core, legacy

    core.CoreConnection._begin_deferred = False  # type: ignore[attr-defined]
    simple = core.CoreConnection.execute_simple
    rollback = legacy.Connection.rollback

    def execute_simple(self: Any, statement: str) -> Any:
        if statement == "begin transaction":
            self._begin_deferred = True
            return core.Context(statement)
        begun = _send_deferred_begin(self)
        if begun is None:
            return simple(self, statement)
        context = core.Context(statement)
        self.send_QUERY(statement)
        core._flush(self._sock)
        self.handle_messages(begun)
        self.handle_messages(context)
        return context

    def deferring_rollback(self: Any) -> None:
        if self._begin_deferred:
            self._begin_deferred = False
            return
        rollback(self)

    core.CoreConnection.execute_simple = execute_simple  # type: ignore[method-assign]
    legacy.Connection.rollback = deferring_rollback  # type: ignore[method-assign]


def _send_deferred_begin(connection: Any) -> Any:
    """Write the owed BEGIN (not flushed); return its Context to read its answer with, or None."""
    if not connection._begin_deferred:
        return None
    from pg8000 import core

    connection._begin_deferred = False
    connection.send_QUERY("begin transaction")
    return core.Context("begin transaction")


def dispose_engine() -> None:
    """Close the pool (tests that point the process at another database call this)."""
    global _engine
    with _engine_lock:
        if _engine is not None:
            _engine.dispose()
            _engine = None


class UnitOfWork:
    """One transaction of one domain: everything done through it commits together or not at all."""

    def __init__(self, conn: Connection, domain: str, actor: str | None = None) -> None:
        self.conn = conn
        self.domain = domain
        self.actor = actor
        self._committed = False
        self._business: list[tuple[str, int | None, dict[str, str]]] = []

    def audit(self, action: str, entity_id: UUID, changes: dict[str, Any] | None = None) -> None:
        """Record an admin action in the domain's audit trail, in this transaction."""
        from functions.runtime.audit import record

        if self.actor is None:
            raise RuntimeError("an audited unit of work needs an actor")
        record(self.conn, self.domain, self.actor, action, entity_id, changes)

    def emit(self, event_type: str, subject: str, data: dict[str, Any]) -> UUID:
        """Write an event to the domain's outbox: it leaves only if this unit of work commits.

        It carries the current span's `traceparent` (the request's or the handler's), so the
        trace goes on through the event to its handlers.
        """
        from functions.runtime.outbox import append
        from functions.runtime.tracing import current_traceparent

        service = get_settings().service_name.removeprefix(f"{self.domain}-")
        return append(self.conn, self.domain, event_type, f"/ecom/{self.domain}/{service}",
                      subject, data, current_traceparent())

    def business_event(self, name: str, amount_minor: int | None = None, **labels: str) -> None:
        """Count a business event (functions/runtime/metrics.py) once this unit of work commits.

        Checked now (an unknown name or label raises ValueError here), counted at commit: an
        order whose transaction rolls back was never placed.
        """
        from functions.runtime.metrics import check_business_event

        check_business_event(name, amount_minor, **labels)
        self._business.append((name, amount_minor, labels))

    def commit(self) -> None:
        """Commit the transaction; without this call the unit of work rolls back."""
        self.conn.commit()
        self._committed = True
        if self._business:
            from functions.runtime.metrics import business_event

            for name, amount_minor, labels in self._business:
                business_event(name, amount_minor, **labels)
            self._business.clear()

    @property
    def committed(self) -> bool:
        return self._committed


@contextmanager
def unit_of_work(domain: str | None = None, actor: str | None = None) -> Iterator[UnitOfWork]:
    """Yield a unit of work whose transaction rolls back unless `commit()` was called.

    The domain is the one of the function serving the request, unless given.
    """
    from functions.runtime.domains import current_domain

    domain = domain or current_domain.get()
    if domain is None:
        raise RuntimeError("a unit of work outside a domain's function must name its domain")
    with get_engine().connect() as conn:
        uow = UnitOfWork(conn, domain, actor)
        with _rolled_back_or_invalidated(conn, lambda: uow.committed):
            yield uow


@contextmanager
def read_only() -> Iterator[Connection]:
    """Yield a connection for reads, each statement in its own implicit transaction.

    The driver runs in autocommit meanwhile: no BEGIN before the first statement and nothing to
    roll back after the last, two of a search's round trips saved. Under READ COMMITTED (the
    database's default) every statement sees its own snapshot anyway, in a transaction or not,
    so the answers are the same. The connection goes back to the pool out of autocommit.
    """
    with autocommit() as conn:
        yield conn


@contextmanager
def autocommit() -> Iterator[Connection]:
    """Yield a connection on which each statement is its own transaction (no BEGIN, no COMMIT):
    for reads (`read_only`), and for a write that is one statement (inbox.record_with)."""
    with get_engine().connect() as conn, _rolled_back_or_invalidated(conn, lambda: False):
        dbapi = conn.connection.dbapi_connection
        dbapi.autocommit = True
        try:
            yield conn
        finally:
            dbapi.autocommit = False


@contextmanager
def _rolled_back_or_invalidated(conn: Connection, committed: Callable[[], bool]) -> Iterator[None]:
    """Roll back what was not committed; a connection that cannot be trusted is closed instead.

    Driver failures during a statement are caught by `_invalidate_unless_clean`; this covers
    what happens between statements: an interrupt (gunicorn's timeout, Ctrl-C) or a rollback
    that fails itself. Either way the connection never goes back to the pool.
    """
    try:
        yield
    except BaseException as exc:
        if not isinstance(exc, Exception):  # SystemExit, KeyboardInterrupt: stopped mid-protocol
            conn.invalidate(exc)
            raise
        _roll_back(conn)
        raise
    else:
        if not committed():
            _roll_back(conn)


def _roll_back(conn: Connection) -> None:
    if conn.invalidated:
        return
    try:
        conn.rollback()
    except Exception as exc:
        conn.invalidate(exc)


def violated_constraint(exc: Exception) -> str | None:
    """Return the name of the constraint a database error reports, if any (pg8000's fields)."""
    orig = getattr(exc, "orig", exc)  # SQLAlchemy wraps the driver's error
    fields = orig.args[0] if orig.args else None
    return fields.get("n") if isinstance(fields, dict) else None
