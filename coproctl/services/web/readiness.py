"""What the owners' pages need before they can serve, checked before the server starts:
the settings of the pages (colours, trusted proxies), an up-to-date database, the key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from coproctl.backoffice import engine_for, unavailable
from coproctl.config import Settings
from coproctl.db import require_schema
from coproctl.migrations import HEAD
from coproctl.security.secret_key import load_secret_key
from coproctl.services.web.clients import trusted_networks
from coproctl.services.web.theme import Theme, theme


@dataclass(frozen=True)
class Ready:
    engine: Engine
    secret_key: bytes
    theme: Theme


def prepare(settings: Settings) -> Ready:
    """Everything checked; raises ``CoproctlError`` with a French message otherwise. The
    caller disposes of the engine."""
    colours = theme(settings)
    trusted_networks(settings.web_trusted_proxies)
    engine = engine_for(settings)
    try:
        try:
            require_schema(engine, HEAD)
        except OperationalError as exc:
            raise unavailable(exc) from None
        return Ready(engine, load_secret_key(settings), colours)
    except BaseException:
        engine.dispose()
        raise
