"""Checking an identifiant and a password: ``login`` and the first step of other procedures.

An unknown identifiant costs a hash check and answers exactly like a wrong password; the
audit trail keeps an HMAC of it, never the text (it may be a password typed in the wrong
field). A locked account answers "locked until T" whatever the password. A disabled account
answers the same for a right and a wrong password, and every try counts towards the lock.
A pending account whose letter password is older than ``INITIAL_PASSWORD_DAYS`` answers
"contactez votre service de syndic", the same whatever the password (see docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.config import Settings
from coproctl.db import UnitOfWork
from coproctl.errors import CoproctlError, Refused
from coproctl.models import ACTIVE, DISABLED, PENDING, Account
from coproctl.security import passwords
from coproctl.services import audit
from coproctl.services.common import find_account, refuse
from coproctl.services.procedures.lockout import lock_duration
from coproctl.typography import count

BAD_CREDENTIALS_MESSAGE = "Identifiant ou mot de passe incorrect."


def bad_credentials() -> Refused:
    return Refused("bad_credentials", BAD_CREDENTIALS_MESSAGE)


def locked_error(account: Account) -> Refused:
    from coproctl.services.owners.locks import STAFF, lock_reason  # staff: who locked it

    assert account.locked_until is not None
    why = (
        "par votre service de syndic"
        if lock_reason(account) == STAFF
        else "après des essais de mot de passe infructueux"
    )
    return Refused(
        "account_locked",
        f"Compte verrouillé jusqu'au {clock.paris_text(account.locked_until)} {why}.",
        locked_until=clock.paris_iso(account.locked_until),
        lock_reason=lock_reason(account),
    )


def disabled_error() -> Refused:
    return Refused(
        "account_disabled",
        "Ce compte est désactivé. Contactez votre service de syndic.",
    )


def initial_password_expired_error(identifiant: str, days: int) -> Refused:
    return Refused(
        "initial_password_expired",
        "Le mot de passe communiqué par le syndic n'est plus valable : contactez votre service "
        "de syndic pour en recevoir un nouveau.",
        hint=(
            f"Mot de passe initial de plus de {count(days, 'jour')} : « coproctl account reset "
            f"{identifiant} » en édite un nouveau (à envoyer par courrier)."
        ),
    )


def is_locked(account: Account) -> bool:
    return account.locked_until is not None and clock.as_utc(account.locked_until) > clock.now()


def initial_password_expired(account: Account, settings: Settings) -> bool:
    """A pending account's password (the letter's, or a legacy one) opens it for
    ``INITIAL_PASSWORD_DAYS`` after it was set, no longer."""
    if account.status != PENDING:
        return False
    since = account.password_changed_at or account.created_at
    return clock.now() > clock.as_utc(since) + timedelta(days=settings.initial_password_days)


def check_credentials(
    uow: UnitOfWork,
    backoffice: Backoffice,
    identifiant: str,
    password: str,
    action: str,
) -> Account:
    """The account if ``password`` is its current one; else record, commit and raise.

    A success clears the failure counter and upgrades a deprecated hash to argon2id. Every
    path spends one hash check, so that time tells nothing. Answers that do not depend on the
    password (locked; disabled; expired initial password) are the same whether it was right
    or wrong: none of them confirms a password.
    """
    session = uow.session
    stored = None if session.in_transaction() else _stored_hash(backoffice, identifiant)
    checked = _check(password, stored)
    account = find_account(session, identifiant, lock=True)
    if account is None:
        raise refuse(
            uow,
            backoffice,
            action,
            bad_credentials(),
            identifiant=audit.identifiant_tag(backoffice.secret_key, identifiant),
            reason="unknown_identifiant",
        )
    if is_locked(account):
        raise refuse(uow, backoffice, action, locked_error(account), account=account)
    # the hash changed between the two reads (a password set meanwhile): check it again
    ok, replacement = (
        checked if account.password_hash == stored else _check(password, account.password_hash)
    )
    if account.status == DISABLED:
        # right or wrong, the same answer, and the try counts: otherwise the lock itself
        # (reached by wrong passwords only) would tell the right one
        raise _failed_try(uow, backoffice, action, account, disabled_error())
    if initial_password_expired(account, backoffice.settings):
        # not counted: no password can open the account, and a lock would only hurt its owner
        error = initial_password_expired_error(
            account.identifiant, backoffice.settings.initial_password_days
        )
        raise refuse(uow, backoffice, action, error, account=account)
    if not ok:
        raise _failed_try(uow, backoffice, action, account, bad_credentials())
    if replacement is not None:
        account.password_hash = replacement
        audit.record(
            session, backoffice.actor, "password.rehashed", account=account, scheme="argon2id"
        )
    if account.failed_logins or account.locked_until is not None or replacement is not None:
        account.failed_logins = 0
        account.locked_until = None
        account.updated_at = clock.now()
        session.add(account)
    return account


def _stored_hash(backoffice: Backoffice, identifiant: str) -> str | None:
    """The account's hash, read in a short transaction of its own.

    The hash check (argon2id: tens of milliseconds) then runs while no lock is held: on
    SQLite every transaction holds the database's write lock from its first statement, so
    checking inside it would queue every other writer (other logins, the web's sessions and
    rate counts) behind each hash. The decision is taken afterwards, under the lock, on the
    account as it is then (counters, lock, status), with the hash checked again in the rare
    case it changed in between.
    """
    with backoffice.uow() as peek:
        account = find_account(peek.session, identifiant)
        return None if account is None else account.password_hash


def _check(password: str, stored: str | None) -> tuple[bool, str | None]:
    """``passwords.verify``, or the same cost spent on the dummy hash when there is no
    account (an unknown identifiant takes as long as a known one)."""
    if stored is None:
        passwords.spend_verify_time(password)
        return False, None
    return passwords.verify(password, stored)


def _failed_try(
    uow: UnitOfWork, backoffice: Backoffice, action: str, account: Account, error: Refused
) -> CoproctlError:
    """Count a failed login (locking the account past the threshold) and refuse with
    ``error``, saying until when the account is locked if this try locked it."""
    now = clock.now()
    account.failed_logins += 1
    duration = lock_duration(account.failed_logins, backoffice.settings)
    details: dict[str, Any] = {"failed_logins": account.failed_logins}
    if duration is not None:
        account.locked_until = now + duration
        details["locked_seconds"] = int(duration.total_seconds())
        error = Refused(
            error.code,
            f"{error.message} Trop d'essais : compte verrouillé jusqu'au "
            f"{clock.paris_text(account.locked_until)}.",
            hint=error.hint,
            locked_until=clock.paris_iso(account.locked_until),
        )
    account.updated_at = now
    uow.session.add(account)
    return refuse(uow, backoffice, action, error, account=account, **details)


@dataclass(frozen=True)
class LoginResult:
    identifiant: str
    status: str
    next_step: str  # "active" or "update required"
    # for a face that opens a session on it (not output: ``as_dict`` leaves them out)
    account_id: int | None = None
    password_changed_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"identifiant": self.identifiant, "status": self.status, "next_step": self.next_step}


def login(backoffice: Backoffice, identifiant: str, password: str) -> LoginResult:
    with backoffice.uow() as uow:
        account = check_credentials(uow, backoffice, identifiant, password, "login")
        next_step = "update required" if account.status == PENDING else "active"
        assert account.status in (PENDING, ACTIVE)
        audit.record(uow.session, backoffice.actor, "login", account=account, next_step=next_step)
        uow.commit()
        return LoginResult(
            account.identifiant,
            account.status,
            next_step,
            account.id,
            account.password_changed_at,
        )
