"""What every service needs: settings, the engine, the instance key and who is acting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from coproctl.config import Settings
from coproctl.db import UnitOfWork, make_engine, require_schema
from coproctl.errors import BadInput, Refused
from coproctl.migrations import HEAD
from coproctl.security.secret_key import load_secret_key


@dataclass
class Backoffice:
    settings: Settings
    engine: Engine
    secret_key: bytes
    actor: str
    # outbox messages committed by this session's transactions, not yet handed to a transport
    pending_mail: list[int] = field(default_factory=list)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def mail_committed(self, message_id: int) -> None:
        self.pending_mail.append(message_id)

    def deliver_pending(self) -> None:
        """Deliver what this session queued (the default "immediate" delivery)."""
        if not self.pending_mail or self.settings.mail_delivery != "immediate":
            self.pending_mail.clear()
            return
        from coproctl.mail.delivery import deliver_messages

        ids, self.pending_mail = self.pending_mail, []
        deliver_messages(self, ids)


def engine_for(settings: Settings) -> Engine:
    url = settings.resolved_database_url()
    try:
        return make_engine(url, settings.database_busy_timeout_ms)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise BadInput("bad_setting", f"Adresse de base de données invalide : {exc}") from None


def unavailable(exc: OperationalError) -> Refused:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connexion impossible"
    return Refused("database_unavailable", f"Base de données injoignable : {reason}")


@contextmanager
def open_backoffice(settings: Settings, actor: str) -> Iterator[Backoffice]:
    """A ready back office on an initialised, up-to-date database.

    On leaving, the mails committed meanwhile are delivered (after the caller has shown its
    answer), then the engine is released.
    """
    engine = engine_for(settings)
    try:
        try:
            require_schema(engine, HEAD)
        except OperationalError as exc:
            raise unavailable(exc) from None
        backoffice = Backoffice(settings, engine, load_secret_key(settings), actor)
        try:
            yield backoffice
        finally:
            backoffice.deliver_pending()
    finally:
        engine.dispose()
