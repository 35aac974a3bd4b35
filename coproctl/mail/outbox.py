"""The transactional outbox: a mail is a row written with the change that causes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from coproctl import clock
from coproctl.db import UnitOfWork
from coproctl.mail.templates import CODE_PLACEHOLDER, greeting, render
from coproctl.models import Account, OutboxMessage, Owner, VerificationCode


def queue_mail(
    uow: UnitOfWork,
    on_commit: Callable[[int], None],
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

    ``on_commit`` receives the message id once the transaction commits (for immediate
    delivery). The code, if any, is kept apart from the rendered bodies (see models).
    """
    moment = clock.in_paris(clock.now())
    context = {
        "greeting": greeting(owner.civility, owner.last_name, owner.first_name),
        "identifiant": account.identifiant if account is not None else "",
        "date": moment.strftime("%d/%m/%Y"),
        "time": moment.strftime("%H:%M"),
        "code": CODE_PLACEHOLDER,
        **(values or {}),
    }
    rendered = render(kind, context)
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
    )
    uow.session.add(message)
    uow.session.flush()
    message_id = message.id
    assert message_id is not None
    uow.after_commit(lambda: on_commit(message_id))
    return message
