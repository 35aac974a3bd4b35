"""``config show``: every effective setting, where it came from, secrets masked."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from coproctl.config import Settings, load_settings
from coproctl.errors import BadInput
from coproctl.services.mail.summary import MailSummary, mail_summary

SECRETS = frozenset({"secret_key", "smtp_password"})
DEFAULT = "défaut"


@dataclass(frozen=True)
class SettingView:
    name: str  # as in the environment, without the prefix: SMTP_HOST
    value: str
    source: str  # défaut, fichier PATH, environnement COPROCTL_X, option

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "source": self.source}


@dataclass(frozen=True)
class ConfigView:
    settings: list[SettingView]
    mail: MailSummary
    # what the checks at load refuse (every other command stops on it), or None
    problem: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "settings": {
                view.name.lower(): {"value": view.value, "source": view.source}
                for view in self.settings
            },
            "mail": self.mail.as_dict(),
            "problem": self.problem,
        }


def _masked_url(url: str) -> str:
    """A database URL without its password (``***``)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        head, at, tail = url.rpartition("@")
        return f"{head.split(':', 2)[0]}:***@{tail}" if at else url


def _shown(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    if name in SECRETS:
        return "(masqué)" if value else "(vide)"
    if name == "database_url":
        return _masked_url(settings.resolved_database_url())
    if name == "mail_transport":
        return settings.resolved_mail_transport()
    if name == "secret_key_file":
        return str(settings.resolved_secret_key_file())
    return str(value)


def effective_settings(config_file: str | os.PathLike[str] | None, db: str | None) -> ConfigView:
    """The settings as a command would load them (``--config``, environment, ``--db``)."""
    sources: dict[str, str] = {}
    settings = load_settings(config_file, sources=sources, check=False, database_url=db)
    problem = None
    try:
        load_settings(config_file, database_url=db)
    except BadInput as error:
        problem = error.message
    views = [
        SettingView(f.name.upper(), _shown(settings, f.name), sources.get(f.name, DEFAULT))
        for f in fields(Settings)
    ]
    return ConfigView(views, mail_summary(settings), problem)
