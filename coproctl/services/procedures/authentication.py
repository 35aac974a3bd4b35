"""Checking an identifiant and a password: ``login`` and the first step of other procedures.

An unknown identifiant costs a hash check and answers exactly like a wrong password. A
locked account answers "locked until T" without the password being checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.db import UnitOfWork
from coproctl.errors import Refused
from coproctl.models import ACTIVE, DISABLED, PENDING, Account
from coproctl.security import passwords
from coproctl.services import audit
from coproctl.services.common import find_account, refuse
from coproctl.services.procedures.lockout import lock_duration

BAD_CREDENTIALS_MESSAGE = "Identifiant ou mot de passe incorrect."


def bad_credentials() -> Refused:
    return Refused("bad_credentials", BAD_CREDENTIALS_MESSAGE)


def locked_error(account: Account) -> Refused:
    assert account.locked_until is not None
    return Refused(
        "account_locked",
        f"Compte verrouillé jusqu'au {clock.paris_text(account.locked_until)} "
        "après des essais de mot de passe infructueux.",
        locked_until=clock.paris_iso(account.locked_until),
    )


def disabled_error() -> Refused:
    return Refused(
        "account_disabled",
        "Ce compte est désactivé. Contactez votre service de syndic.",
    )


def is_locked(account: Account) -> bool:
    return account.locked_until is not None and clock.as_utc(account.locked_until) > clock.now()


def check_credentials(
    uow: UnitOfWork,
    backoffice: Backoffice,
    identifiant: str,
    password: str,
    action: str,
) -> Account:
    """The account if ``password`` is its current one; else record, commit and raise.

    A success clears the failure counter and upgrades a deprecated hash to argon2id.
    """
    session = uow.session
    account = find_account(session, identifiant, lock=True)
    if account is None:
        passwords.spend_verify_time(password)
        raise refuse(
            uow,
            backoffice,
            action,
            bad_credentials(),
            identifiant=identifiant.strip()[:200],
            reason="unknown_identifiant",
        )
    if is_locked(account):
        raise refuse(uow, backoffice, action, locked_error(account), account=account)
    ok, replacement = passwords.verify(password, account.password_hash)
    now = clock.now()
    if not ok:
        if account.status == DISABLED:
            raise refuse(uow, backoffice, action, bad_credentials(), account=account)
        account.failed_logins += 1
        duration = lock_duration(account.failed_logins, backoffice.settings)
        details: dict[str, Any] = {"failed_logins": account.failed_logins}
        error = bad_credentials()
        if duration is not None:
            account.locked_until = now + duration
            details["locked_seconds"] = int(duration.total_seconds())
            error = Refused(
                "bad_credentials",
                f"{BAD_CREDENTIALS_MESSAGE} Trop d'essais : compte verrouillé jusqu'au "
                f"{clock.paris_text(account.locked_until)}.",
                locked_until=clock.paris_iso(account.locked_until),
            )
        account.updated_at = now
        session.add(account)
        raise refuse(uow, backoffice, action, error, account=account, **details)
    if account.status == DISABLED:
        raise refuse(uow, backoffice, action, disabled_error(), account=account)
    if replacement is not None:
        account.password_hash = replacement
        audit.record(
            session, backoffice.actor, "password.rehashed", account=account, scheme="argon2id"
        )
    if account.failed_logins or account.locked_until is not None or replacement is not None:
        account.failed_logins = 0
        account.locked_until = None
        account.updated_at = now
        session.add(account)
    return account


@dataclass(frozen=True)
class LoginResult:
    identifiant: str
    status: str
    next_step: str  # "active" or "update required"

    def as_dict(self) -> dict[str, Any]:
        return {"identifiant": self.identifiant, "status": self.status, "next_step": self.next_step}


def login(backoffice: Backoffice, identifiant: str, password: str) -> LoginResult:
    with backoffice.uow() as uow:
        account = check_credentials(uow, backoffice, identifiant, password, "login")
        next_step = "update required" if account.status == PENDING else "active"
        assert account.status in (PENDING, ACTIVE)
        audit.record(uow.session, backoffice.actor, "login", account=account, next_step=next_step)
        uow.commit()
        return LoginResult(account.identifiant, account.status, next_step)
