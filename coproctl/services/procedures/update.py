"""The update procedure (première connexion), steps 1–2: credentials, then the e-mail.

Steps 3 and 4 are :func:`coproctl.services.procedures.codes.verify_code` and
:func:`coproctl.services.procedures.new_password.set_password`. A face that keeps the owner
signed in (the web) checks the credentials once with
:func:`~coproctl.services.procedures.authentication.login`, then calls
:func:`start_update_signed_in`: the owner types the syndic's password once.
"""

from __future__ import annotations

from coproctl.backoffice import Backoffice
from coproctl.db import UnitOfWork
from coproctl.errors import Refused
from coproctl.models import DISABLED, PENDING, UPDATE, Account
from coproctl.services import audit
from coproctl.services.common import get_account, owner_of, refuse, wrong_state
from coproctl.services.procedures import hints
from coproctl.services.procedures.authentication import (
    check_credentials,
    disabled_error,
    initial_password_expired,
    initial_password_expired_error,
    is_locked,
    locked_error,
)
from coproctl.services.procedures.codes import CodeSent, issue
from coproctl.services.procedures.email_input import checked_email

ACTION = "update.start"


def start_update(
    backoffice: Backoffice,
    identifiant: str,
    password: str,
    email: str,
    confirm_email: str,
    *,
    accept_unusual_domain: bool = False,
) -> CodeSent:
    """Check the syndic's password and the chosen e-mail, then send an ``update`` code to it."""
    address = checked_email(email, confirm_email, accept_unusual_domain=accept_unusual_domain)
    with backoffice.uow() as uow:
        account = check_credentials(uow, backoffice, identifiant, password, ACTION)
        return _send_code(uow, backoffice, account, address)


def start_update_signed_in(
    backoffice: Backoffice,
    identifiant: str,
    email: str,
    confirm_email: str,
    *,
    accept_unusual_domain: bool = False,
) -> CodeSent:
    """Step 2 for a face whose session checked the credentials with ``login()``.

    The same rules and audit as :func:`start_update` after its credential check; what may
    have changed since the session's login is checked again (locked, disabled, the letter
    password expired, the account no longer pending). The face answers for the session: it
    calls this only for the identifiant its own ``login()`` accepted.
    """
    address = checked_email(email, confirm_email, accept_unusual_domain=accept_unusual_domain)
    with backoffice.uow() as uow:
        account = get_account(uow.session, identifiant, lock=True)
        if is_locked(account):
            raise refuse(uow, backoffice, ACTION, locked_error(account), account=account)
        if account.status == DISABLED:
            raise refuse(uow, backoffice, ACTION, disabled_error(), account=account)
        if initial_password_expired(account, backoffice.settings):
            error = initial_password_expired_error(
                account.identifiant, backoffice.settings.initial_password_days
            )
            raise refuse(uow, backoffice, ACTION, error, account=account)
        return _send_code(uow, backoffice, account, address, signed_in=True)


def _send_code(
    uow: UnitOfWork,
    backoffice: Backoffice,
    account: Account,
    address: str,
    *,
    signed_in: bool = False,
) -> CodeSent:
    """The account passed the credential check: it must be pending; the code goes out."""
    if account.status != PENDING:
        raise refuse(
            uow,
            backoffice,
            ACTION,
            wrong_state(
                "Ce compte est déjà à jour : connectez-vous avec votre mot de passe "
                "personnel (ou utilisez « mot de passe oublié »).",
                hint=hints.start(account),
            ),
            account=account,
        )
    owner = owner_of(uow.session, account)
    try:
        sent = issue(uow, backoffice, account, owner, UPDATE, address)
    except Refused as error:
        raise refuse(uow, backoffice, ACTION, error, account=account) from None
    extra = {"signed_in": True} if signed_in else {}
    audit.record(uow.session, backoffice.actor, ACTION, account=account, to=address, **extra)
    uow.commit()
    return sent
