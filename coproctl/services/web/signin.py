"""Signing in and out of the owners' pages."""

from __future__ import annotations

from coproctl.backoffice import Backoffice
from coproctl.models import Account
from coproctl.services.common import get_account
from coproctl.services.procedures.authentication import login
from coproctl.services.web import rate_limits, sessions, steps
from coproctl.services.web.sessions import OwnerSession


def count_request(backoffice: Backoffice, address: str, identifiant: str) -> None:
    """The rate limits of the login and forgotten-password pages (``rate_limited``)."""
    s = backoffice.settings
    rate_limits.hit(
        backoffice,
        [
            (rate_limits.ADDRESS, address, s.web_rate_per_address),
            (rate_limits.IDENTIFIANT, identifiant, s.web_rate_per_identifiant),
        ],
    )


def _account(backoffice: Backoffice, identifiant: str) -> Account:
    with backoffice.uow() as uow:
        return get_account(uow.session, identifiant)


def sign_in(
    backoffice: Backoffice, current: OwnerSession, address: str, identifiant: str, password: str
) -> OwnerSession:
    """Check the credentials (``login``) and open a new session: signed in for an active
    account, at the first step of the update procedure for a pending one."""
    steps.required(identifiant, "identifiant", "Saisissez votre identifiant.")
    steps.required(password, "password", "Saisissez votre mot de passe.")
    count_request(backoffice, address, identifiant)
    result = login(backoffice, identifiant, password)
    assert result.account_id is not None
    state = {
        "identifiant": result.identifiant,
        "stamp": sessions.stamp_of(result.password_changed_at),
    }
    if result.next_step == "active":
        state.update(signed_in=True, step=steps.SPACE)
    else:
        state.update(step=steps.UPDATE_EMAIL)
    return sessions.start(backoffice, current, state, result.account_id)


def sign_out(backoffice: Backoffice, current: OwnerSession) -> OwnerSession:
    return sessions.end(backoffice, current)


def restamp(backoffice: Backoffice, current: OwnerSession) -> None:
    """After a password change made by this session: it stays open with the new password."""
    account = _account(backoffice, current.state["identifiant"])
    current.state["stamp"] = sessions.stamp_of(account.password_changed_at)
