"""The mails the procedures send, queued in the outbox of the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from coproctl.addresses import same_address
from coproctl.backoffice import Backoffice
from coproctl.db import UnitOfWork
from coproctl.mail.outbox import REPLACES, coproprietes_text, queue_mail
from coproctl.models import EMAIL_CHANGE, RESET, UPDATE, Account, Owner, VerificationCode

CODE_MAIL_KINDS = {
    UPDATE: "update_code",
    RESET: "reset_code",
    EMAIL_CHANGE: "email_change_code",
}


def send_code(
    uow: UnitOfWork,
    backoffice: Backoffice,
    owner: Owner,
    account: Account,
    code_row: VerificationCode,
    code: str,
    *,
    replaces: bool = False,
) -> None:
    """``replaces``: a code of the same procedure was in flight (the mail says it is dead)."""
    minutes = backoffice.settings.code_ttl_minutes(code_row.purpose)
    queue_mail(
        uow,
        backoffice,
        kind=CODE_MAIL_KINDS[code_row.purpose],
        to=code_row.target_email,
        owner=owner,
        account=account,
        values={"minutes": str(minutes), "replaces": REPLACES if replaces else ""},
        code=code,
        code_row=code_row,
        expires_at=code_row.expires_at,
    )


def password_changed(
    uow: UnitOfWork,
    backoffice: Backoffice,
    owner: Owner,
    accounts: Sequence[Account],
    previous: Mapping[int, str | None],
    *,
    first_connection: bool = False,
) -> None:
    """One notice per address, naming the accounts whose password changed.

    After a first connection (``first_connection``), the address just verified gets the
    confirmation that the space is active with it, naming the copropriétés.

    Each account's notice goes to the address that was verified BEFORE the change
    (``previous``, by account id): the one the rightful owner reads, which whoever made the
    change cannot have replaced. It goes also to the verified address after the change, when
    that one differs (a first connection has no address before).
    """
    by_address: dict[str, tuple[str, list[Account]]] = {}
    for account in accounts:
        assert account.id is not None
        for address in (previous.get(account.id), verified_address(account)):
            if not address:
                continue
            _, group = by_address.setdefault(address.lower(), (address, []))
            if account not in group:
                group.append(account)
    for address, group in by_address.values():
        identifiants = ", ".join(a.identifiant for a in group)
        if first_connection and all(same_address(address, a.email or "") for a in group):
            queue_mail(
                uow,
                backoffice,
                kind="account_activated",
                to=address,
                owner=owner,
                account=group[0],
                values={
                    "identifiants": identifiants,
                    "email": address,
                    "coproprietes": coproprietes_text(
                        [(a.identifiant, a.copropriete) for a in group]
                    ),
                },
            )
            continue
        queue_mail(
            uow,
            backoffice,
            kind="password_changed",
            to=address,
            owner=owner,
            account=group[0],
            values={"identifiants": identifiants},
        )


def verified_address(account: Account) -> str | None:
    """The address a notice about ``account`` may go to now (None: none verified yet)."""
    return account.email if account.email and account.email_verified_at is not None else None


def email_changed(
    uow: UnitOfWork, backoffice: Backoffice, owner: Owner, account: Account, old_address: str
) -> None:
    queue_mail(
        uow,
        backoffice,
        kind="email_changed",
        to=old_address,
        owner=owner,
        account=account,
    )


def account_reset(
    uow: UnitOfWork, backoffice: Backoffice, owner: Owner, account: Account, address: str
) -> None:
    queue_mail(
        uow,
        backoffice,
        kind="account_reset",
        to=address,
        owner=owner,
        account=account,
    )
