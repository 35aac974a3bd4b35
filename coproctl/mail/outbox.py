"""The transactional outbox: a mail is a row written with the change that causes it."""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid
from typing import TYPE_CHECKING

from coproctl import clock
from coproctl.config import Settings
from coproctl.db import UnitOfWork
from coproctl.mail.civility import greeting, title
from coproctl.mail.compose import sender_domain
from coproctl.mail.templates import CODE_PLACEHOLDER, render, templates_folder
from coproctl.models import Account, OutboxMessage, Owner, VerificationCode

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice

REPLY_HINT_NO = "Message automatique : merci de ne pas y répondre."
REPLY_HINT_YES = "Vous pouvez répondre à ce message pour écrire à votre service de syndic."


def template_values(
    settings: Settings,
    owner: Owner,
    account: Account | None,
    extra: dict[str, str] | None = None,
    *,
    expires_at: datetime | None = None,
) -> dict[str, str]:
    """Everything a template may use (see ``templates.COMMON_VALUES``), as text."""
    moment = clock.in_paris(clock.now())
    values = {
        "greeting": greeting(owner.civility, owner.last_name, owner.first_name),
        "civility": title(owner.civility) or "",
        "first_name": owner.first_name or "",
        "last_name": owner.last_name or "",
        "full_name": " ".join(p for p in (owner.first_name, owner.last_name) if p),
        "identifiant": account.identifiant if account is not None else "",
        "copropriete": (account.copropriete or "") if account is not None else "",
        "date": moment.strftime("%d/%m/%Y"),
        "time": moment.strftime("%H:%M"),
        "reply_hint": REPLY_HINT_YES if settings.mail_reply_to else REPLY_HINT_NO,
    }
    if expires_at is not None:
        values["code"] = CODE_PLACEHOLDER
        values["expires_at"] = clock.paris_text(expires_at)
    values.update(extra or {})
    return values


def queue_mail(
    uow: UnitOfWork,
    backoffice: Backoffice,
    *,
    kind: str,
    to: str,
    owner: Owner,
    account: Account | None,
    values: dict[str, str] | None = None,
    code: str | None = None,
    code_row: VerificationCode | None = None,
    expires_at: datetime | None = None,
) -> OutboxMessage:
    """Render ``kind`` for ``owner`` and add it to the outbox in ``uow``'s transaction.

    Once the transaction commits, the message id goes to ``backoffice.mail_committed``
    (immediate delivery). The code, if any, is kept apart from the rendered bodies, which
    hold a placeholder (see models). The Message-ID is chosen now, so that every attempt
    sends the same one (a receiver can then drop a duplicate).
    """
    settings = backoffice.settings
    context = template_values(settings, owner, account, values, expires_at=expires_at)
    rendered = render(kind, context, templates_folder(settings.mail_templates_dir))
    message = OutboxMessage(
        account_id=account.id if account is not None else None,
        code_id=code_row.id if code_row is not None else None,
        kind=kind,
        to_addr=to,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        secret=code,
        expires_at=expires_at,
        message_id=make_msgid(domain=sender_domain(settings)),
    )
    uow.session.add(message)
    uow.session.flush()
    message_id = message.id
    assert message_id is not None
    uow.after_commit(lambda: backoffice.mail_committed(message_id))
    return message
