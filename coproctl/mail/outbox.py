"""The transactional outbox: a mail is a row written with the change that causes it."""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid
from typing import TYPE_CHECKING

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from coproctl import clock
from coproctl.config import Settings
from coproctl.db import UnitOfWork
from coproctl.mail.civility import greeting, title
from coproctl.mail.compose import sender_domain
from coproctl.mail.sealing import seal
from coproctl.mail.templates import CODE_PLACEHOLDER, render, templates_folder
from coproctl.mail.transports import transport_key
from coproctl.models import MAIL_FAILED, Account, OutboxMessage, Owner, VerificationCode
from coproctl.typography import count

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice

REPLY_HINT_NO = "Message automatique : merci de ne pas y répondre."
REPLY_HINT_YES = "Vous pouvez répondre à ce message pour écrire à votre service de syndic."
SYNDIC_DEFAULT = "Votre service de syndic"
REPLACES = "Ce code remplace celui du message précédent, qui ne fonctionne plus."


def syndic_values(settings: Settings) -> dict[str, str]:
    """How the mails name the syndic (SYNDIC_NAME, SYNDIC_PHONE, SYNDIC_URL)."""
    name, phone, url = (
        " ".join(value.split())
        for value in (settings.syndic_name, settings.syndic_phone, settings.syndic_url)
    )
    # "appelez $syndic" / "appelez sans attendre $syndic"
    call = "votre service de syndic" + (f", {name}," if name else "")
    call = (call + f" au {phone}") if phone else call.rstrip(",")
    contact = " — ".join(
        part
        for part in (f"Tél. {phone}" if phone else "", f"Espace client : {url}" if url else "")
        if part
    )
    return {
        "syndic_name": name or SYNDIC_DEFAULT,
        "syndic_phone": phone,
        "syndic_url": url,
        "syndic": call,
        "syndic_contact": contact,
    }


def coproprietes_text(accounts: list[tuple[str, str | None]]) -> str:
    """One line per account: « - Les Tilleuls (identifiant LEF001) »."""
    return "\n".join(
        f"- {copropriete} (identifiant {identifiant})"
        if copropriete
        else f"- identifiant {identifiant}"
        for identifiant, copropriete in accounts
    )


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
        **syndic_values(settings),
    }
    if expires_at is not None:
        values["code"] = CODE_PLACEHOLDER
        values["expires_at"] = clock.paris_text(expires_at)
        values["replaces"] = ""
    values.update(extra or {})
    minutes = values.get("minutes", "")
    if minutes.isdigit():  # "valable 30 minutes", "valable 1 minute"
        values.setdefault("validity", count(int(minutes), "minute"))
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
    hold a placeholder (see models), sealed with a key derived from the instance key
    (:mod:`coproctl.mail.sealing`). The Message-ID is chosen now, so that every attempt
    sends the same one (a receiver can then drop a duplicate). The message remembers the
    transport it is queued for (:func:`coproctl.mail.transports.transport_key`).
    """
    settings = backoffice.settings
    context = template_values(settings, owner, account, values, expires_at=expires_at)
    rendered = render(kind, context, templates_folder(settings.mail_templates_dir))
    message_id = make_msgid(domain=sender_domain(settings))
    message = OutboxMessage(
        account_id=account.id if account is not None else None,
        code_id=code_row.id if code_row is not None else None,
        kind=kind,
        to_addr=to,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        secret=seal(backoffice.secret_key, code, message_id) if code else None,
        expires_at=expires_at,
        message_id=message_id,
        transport=transport_key(settings),
    )
    uow.session.add(message)
    uow.session.flush()
    row_id = message.id
    assert row_id is not None
    uow.after_commit(lambda: backoffice.mail_committed(row_id))
    return message


def last_code_mail_failed(session: Session, account_id: int, purpose: str) -> bool:
    """Whether the mail of the account's newest code of ``purpose`` failed for good (a 5xx
    answer, an address no message can carry): the resend cooldown then does not hold."""
    newest = (
        select(VerificationCode.id)
        .where(VerificationCode.account_id == account_id, VerificationCode.purpose == purpose)
        .order_by(VerificationCode.id.desc())  # type: ignore[union-attr]
        .limit(1)
        .scalar_subquery()
    )
    failed = exists().where(OutboxMessage.code_id == newest, OutboxMessage.status == MAIL_FAILED)
    return bool(session.execute(select(failed)).scalar())
