"""Helpers every service uses: finding an account, refusing with an audit row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from coproctl import inputs
from coproctl.backoffice import Backoffice
from coproctl.db import UnitOfWork
from coproctl.errors import CoproctlError, Refused, not_found
from coproctl.models import Account, Owner
from coproctl.services import audit


def identifiant_key(identifiant: str) -> str:
    """Identifiants are compared in NFKC form, without surrounding blanks, case-folded."""
    return inputs.identifiant_key(identifiant)


def find_account(session: Session, identifiant: str, *, lock: bool = False) -> Account | None:
    """The account, or None. ``lock`` takes the row lock (PostgreSQL) for read-then-write.

    An identifiant no account can hold (too long, a control character) is refused
    (``InvalidInput``, exit 2) before the database, the same way on both engines.
    """
    query = select(Account).where(Account.identifiant_key == inputs.lookup_key(identifiant))
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def get_account(session: Session, identifiant: str, *, lock: bool = False) -> Account:
    account = find_account(session, identifiant, lock=lock)
    if account is None:
        raise not_found(identifiant.strip())
    return account


def owner_of(session: Session, account: Account) -> Owner:
    owner = session.get(Owner, account.owner_id)
    assert owner is not None  # foreign key
    return owner


def refuse(
    uow: UnitOfWork,
    backoffice: Backoffice,
    action: str,
    error: CoproctlError,
    *,
    account: Account | None = None,
    identifiant: str | None = None,
    **details: Any,
) -> CoproctlError:
    """Record the refusal (and whatever the service changed before it), commit, return the error.

    Used as ``raise refuse(...)``: a refused step still leaves its trace, and state changes a
    refusal implies (a failed-login counter, a spent try on a code) are kept. They are kept
    even when the trail cannot take the event as it is: the event is then written without
    its details (``details_cut``), never the other way round (a lockout must not fail open).
    """
    session = uow.session
    try:
        with session.begin_nested():  # flushes the refusal's own changes first
            audit.record(
                session,
                backoffice.actor,
                action,
                error.code,
                account=account,
                identifiant=identifiant,
                **details,
            )
    except SQLAlchemyError:
        audit.record(
            session,
            backoffice.actor,
            action,
            error.code,
            account=account,
            identifiant=None if account is not None else "?",
            details_cut=True,
        )
    uow.commit()
    return error


def wrong_state(message: str, hint: str | None = None) -> Refused:
    """The account is not where this step expects it; ``hint`` (staff only) names the
    command that gets it there."""
    return Refused("wrong_state", message, hint=hint)


def owner_user_inputs(owner: Owner, account: Account, *extra: str | None) -> list[str]:
    """The owner's own data a password must not be guessable from."""
    values = [
        owner.last_name,
        owner.first_name,
        owner.city,
        owner.owner_ref,
        account.identifiant,
        account.copropriete,
        account.email,
        *extra,
    ]
    return [value for value in values if value]
