"""Engine, SQLite pragmas, schema check and the unit of work.

SQLite is opened in WAL mode with a busy timeout and foreign keys on, its file created
with mode 0600, and every transaction starts with ``BEGIN IMMEDIATE``: a service that
reads then writes (counting codes before issuing one, say) then holds the write lock from
its first read, as ``SELECT ... FOR UPDATE`` does on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from coproctl.errors import NotInitialised, Refused

DEFAULT_BUSY_TIMEOUT_MS = 10_000


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        return None
    return Path(database)


def _prepare_sqlite_file(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def make_engine(url: str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for ``url``; on SQLite a writer waits ``busy_timeout_ms`` for the lock."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            _prepare_sqlite_file(path)
        engine = create_engine(
            url, connect_args={"timeout": busy_timeout_ms / 1000, "isolation_level": None}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if backend == "postgresql" and make_url(url).drivername == "postgresql":
        url = str(make_url(url).set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_pre_ping=True)


def is_locked_error(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def busy_error() -> Refused:
    return Refused(
        "database_busy",
        "La base de données est occupée par un autre traitement ; réessayez dans un instant.",
    )


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None when it has no schema."""
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except ProgrammingError:  # PostgreSQL: relation "alembic_version" does not exist
        return None
    except OperationalError as exc:
        if is_locked_error(exc):
            raise busy_error() from None
        if "no such table" in str(exc):
            return None
        raise
    return row[0] if row else None


def require_schema(engine: Engine, head: str) -> None:
    revision = current_revision(engine)
    if revision is None:
        raise NotInitialised("La base de données n'est pas initialisée : lancez « coproctl init ».")
    if revision != head:
        raise NotInitialised(
            f"La base de données est à la version {revision}, il faut la version {head} : "
            "lancez « coproctl init » pour la mettre à jour."
        )


class UnitOfWork:
    """A session whose transaction rolls back unless the service commits it.

    After a successful commit the callbacks registered with :meth:`after_commit` run (the
    outbox delivery uses this), outside the transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session: Session
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves the
        # loaded objects readable (detached), so services can return what they loaded
        self.session.close()
        if exc is not None and is_locked_error(exc):
            raise busy_error() from exc

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def commit(self) -> None:
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()
