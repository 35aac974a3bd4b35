"""``init``: bring the database to the current schema and make sure the secret key exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from coproctl.backoffice import engine_for, unavailable
from coproctl.config import Settings
from coproctl.security.secret_key import ensure_secret_key
from coproctl.services.mail.summary import MailSummary, mail_summary


@dataclass(frozen=True)
class InitResult:
    database: str
    revision_before: str | None
    revision_after: str | None
    secret_key_status: str
    mail_transport: str
    # how mail goes out (relay, port, TLS, sender), and what is missing (syndic settings)
    mail: MailSummary | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "revision_before": self.revision_before,
            "revision_after": self.revision_after,
            "secret_key": self.secret_key_status,
            "mail_transport": self.mail_transport,
            "mail": self.mail.as_dict() if self.mail is not None else None,
            "warnings": self.mail.warnings if self.mail is not None else [],
        }


def initialise(settings: Settings) -> InitResult:
    from coproctl import schema

    path, created = ensure_secret_key(settings)
    if path is None:
        key_status = "fournie par COPROCTL_SECRET_KEY"
    else:
        key_status = f"{'créée' if created else 'présente'} ({path})"
    transport = settings.resolved_mail_transport()
    if transport.startswith("file:"):
        Path(transport.removeprefix("file:")).expanduser().mkdir(
            parents=True, exist_ok=True, mode=0o700
        )
    engine = engine_for(settings)
    try:
        before, after = schema.upgrade(engine)
    except OperationalError as exc:
        raise unavailable(exc) from None
    finally:
        engine.dispose()
    return InitResult(
        engine.url.render_as_string(hide_password=True),
        before,
        after,
        key_status,
        transport,
        mail_summary(settings),
    )
