"""What every service needs: settings, the engine, the instance key and who is acting.

This module sits below both ``services/`` and ``mail/``: it imports neither. The face that
opens a back office (see :mod:`coproctl.services.office`) gives it the function that
delivers the mails its transactions committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from coproctl.config import Settings, app_dir
from coproctl.db import UnitOfWork, make_engine
from coproctl.errors import BadInput, Refused

# (back office, committed message ids, in the background?) -> what became of them
Deliverer = Callable[["Backoffice", Sequence[int], bool], Any]


@dataclass
class Backoffice:
    settings: Settings
    engine: Engine
    secret_key: bytes
    actor: str
    # outbox messages committed by this session's transactions, not yet handed to a transport
    pending_mail: list[int] = field(default_factory=list)
    # hands committed messages to a transport ("immediate" delivery); None: cron delivers
    deliverer: Deliverer | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def mail_committed(self, message_id: int) -> None:
        self.pending_mail.append(message_id)

    def deliver_pending(self, *, background: bool = False) -> Any:
        """Hand over what this session queued; what became of it (``mail.state.Handover``).

        A face calls it before rendering its answer, so that the answer says whether the
        mail went; ``background``: a detached process delivers, and this returns at once
        (``password forgot``, whose answer and duration must not depend on it).
        """
        ids, self.pending_mail = self.pending_mail, []
        if self.deliverer is None:
            return None
        return self.deliverer(self, ids, background)


def engine_for(settings: Settings) -> Engine:
    """The engine of the configured database (only the application folder may be created).

    A URL that does not parse is refused without being echoed: it may hold a password.
    """
    url = settings.resolved_database_url()
    try:
        return make_engine(url, settings.database_busy_timeout_ms, own_folder=app_dir())
    except NoSuchModuleError:
        raise BadInput(
            "bad_database_url",
            "Type de base de données inconnu : l'adresse commence par sqlite:/// ou postgresql://.",
        ) from None
    except (ArgumentError, ValueError):
        raise BadInput(
            "bad_database_url",
            "Adresse de base de données illisible (sqlite:///CHEMIN ou "
            "postgresql://UTILISATEUR@HÔTE:PORT/BASE).",
        ) from None


def unavailable(exc: OperationalError) -> Refused:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connexion impossible"
    return Refused("database_unavailable", f"Base de données injoignable : {reason}")
