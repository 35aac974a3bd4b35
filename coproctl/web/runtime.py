"""What every request of the server shares: settings, engine, key, theme, templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import Engine

from coproctl.backoffice import Backoffice
from coproctl.config import Settings
from coproctl.services.web.theme import Theme
from coproctl.typography import fr
from coproctl.web.mailer import Mailer

HERE = Path(__file__).resolve().parent
ACTOR = "web"  # the audit trail's actor for what owners do on their pages


def _typeset(value: Any) -> Any:
    """Every text a template prints gets French typography (no-break spaces)."""
    if isinstance(value, Markup):  # already HTML (a macro's output): left as it is
        return value
    return fr(value) if isinstance(value, str) else value


def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=_typeset,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    secret_key: bytes
    theme: Theme
    secure: bool  # cookies marked Secure (no --insecure-http)
    jinja: Environment = field(default_factory=templates)
    mailer: Mailer | None = None

    def office(self) -> Backoffice:
        """A back office for one request: committed mail wakes the background deliverer."""
        return Backoffice(
            self.settings, self.engine, self.secret_key, ACTOR, deliverer=self._handed_over
        )

    def _handed_over(self, _office: Backoffice, ids: Sequence[int], background: bool) -> None:
        if self.mailer is not None and (ids or background):
            self.mailer.wake()
