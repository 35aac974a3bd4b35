"""Opening the back office a face works with: a checked database, the key, the deliverer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

from coproctl import inputs
from coproctl.backoffice import Backoffice, engine_for, unavailable
from coproctl.config import Settings
from coproctl.db import require_schema
from coproctl.migrations import HEAD
from coproctl.security.secret_key import load_secret_key


@contextmanager
def open_backoffice(settings: Settings, actor: str) -> Iterator[Backoffice]:
    """A ready back office on an initialised, up-to-date database.

    On leaving, the mails committed meanwhile are delivered (after the caller has shown its
    answer), then the engine is released. The actor is checked like any text field before
    anything is written: an audit row refused by PostgreSQL alone would answer differently
    on the two engines.
    """
    from coproctl.mail.delivery import deliver_messages

    actor = inputs.clean_text(actor, "actor") or "inconnu"
    engine = engine_for(settings)
    try:
        try:
            require_schema(engine, HEAD)
        except OperationalError as exc:
            raise unavailable(exc) from None
        backoffice = Backoffice(
            settings, engine, load_secret_key(settings), actor, deliverer=deliver_messages
        )
        try:
            yield backoffice
        finally:
            backoffice.deliver_pending()
    finally:
        engine.dispose()
