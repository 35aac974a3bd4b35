"""Engine, SQLite pragmas, schema check and the unit of work.

SQLite is opened in WAL mode with a busy timeout and foreign keys on, and every
transaction starts with ``BEGIN IMMEDIATE``: a service that reads then writes (counting
codes before issuing one, say) then holds the write lock from its first read, as
``SELECT ... FOR UPDATE`` does on PostgreSQL. A database file coproctl creates gets mode
0600; an existing file keeps its mode, and is refused unless it is a SQLite database.

Engines never put the parameters of a statement in an error (``hide_parameters``): they
hold password hashes and, in the outbox, codes. :func:`database_error` turns whatever a
database raised that no service expected into one line for staff.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlmodel import Session

from coproctl.errors import BadInput, NotInitialised, Refused

DEFAULT_BUSY_TIMEOUT_MS = 10_000


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        return None
    return Path(database)


SQLITE_HEADER = b"SQLite format 3\x00"


def _prepare_sqlite_file(path: Path, own_folder: Path | None) -> None:
    """Refuse a path that is not a SQLite database; create a missing one, mode 0600.

    An existing file is only read (its first 16 bytes), never chmod-ed: ``--db`` may name
    any file. The only folder created is ``own_folder`` (the application folder).
    """
    if path.exists():
        if not path.is_file():
            raise BadInput(
                "not_a_database", f"{path} n'est pas un fichier de base de données SQLite."
            )
        try:
            with open(path, "rb") as handle:
                head = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise BadInput(
                "database_unreadable", f"Base de données illisible ({path}) : {exc.strerror}."
            ) from None
        if head and head != SQLITE_HEADER:  # an empty file is an empty database to SQLite
            raise BadInput("not_a_database", f"{path} n'est pas une base de données SQLite.")
        return
    folder = path.parent
    if not folder.is_dir():
        if own_folder is None or os.path.abspath(folder) != os.path.abspath(own_folder):
            raise BadInput(
                "database_folder_missing",
                f"Le dossier {folder} n'existe pas : créez-le, ou choisissez un autre fichier "
                "pour la base de données.",
            )
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:  # created meanwhile by another process: not ours to chmod
        return
    except OSError as exc:
        raise BadInput(
            "database_unreadable",
            f"Impossible de créer la base de données {path} : {exc.strerror}.",
        ) from None
    os.close(fd)


def make_engine(
    url: str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, *, own_folder: Path | None = None
) -> Engine:
    """An engine for ``url``; on SQLite a writer waits ``busy_timeout_ms`` for the lock.

    ``postgres://`` is read as ``postgresql://`` (psycopg 3). ``own_folder`` is the one
    folder a SQLite file may be created in when it does not exist yet.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            _prepare_sqlite_file(path, own_folder)
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms / 1000, "isolation_level": None},
            hide_parameters=True,
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
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    except ImportError as exc:
        if parsed.get_backend_name() == "postgresql":
            raise BadInput(
                "database_driver_missing",
                "Le pilote PostgreSQL n'est pas installé : pip install 'coproctl[postgres]'.",
            ) from None
        raise BadInput(
            "database_driver_missing",
            f"Le pilote de base de données « {exc.name or parsed.drivername} » n'est pas installé.",
        ) from None


def is_locked_error(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def busy_error() -> Refused:
    return Refused(
        "database_busy",
        "La base de données est occupée par un autre traitement ; réessayez dans un instant.",
    )


# what a driver's message may echo that must never reach a screen: a modular-crypt hash
# ($argon2id$..., $2b$...), a hex digest, a run of digits as long as a code
_SECRET_LIKE = re.compile(r"\$[0-9a-z-]+\$\S*|\b[0-9a-f]{16,}\b|\d{6,}", re.IGNORECASE)


def _driver_reason(exc: SQLAlchemyError) -> str:
    """The first line of the driver's own message (never the statement or its parameters)."""
    orig = getattr(exc, "orig", None)
    text_ = str(orig) if orig is not None else ""
    lines = text_.strip().splitlines()
    first = lines[0].strip() if lines else ""
    if not first:
        return type(exc).__name__
    return _SECRET_LIKE.sub("…", first)[:200]


def database_error(exc: SQLAlchemyError) -> Refused | BadInput:
    """What staff read when the database raised something no service expected: one line.

    The transaction it happened in was rolled back (the unit of work closes its session);
    the statement and its parameters are never shown.
    """
    if is_locked_error(exc):
        return busy_error()
    return BadInput(
        "database_error",
        f"Erreur inattendue de la base de données ({_driver_reason(exc)}) : "
        "l'opération en cours est annulée.",
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
        raise NotInitialised("La base de données n'est pas initialisée : lancez « coproctl init ».")
    if revision != head:
        raise NotInitialised(
            f"La base de données est à la version {revision}, il faut la version {head} : "
            "lancez « coproctl init » pour la mettre à jour."
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
