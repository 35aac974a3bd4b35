"""The update procedure (première connexion), steps 1–2: credentials, then the e-mail.

Steps 3 and 4 are :func:`coproctl.services.procedures.codes.verify_code` and
:func:`coproctl.services.procedures.new_password.set_password`.
"""

from __future__ import annotations

from coproctl.backoffice import Backoffice
from coproctl.errors import Refused
from coproctl.models import PENDING, UPDATE
from coproctl.services import audit
from coproctl.services.common import owner_of, refuse, wrong_state
from coproctl.services.procedures import hints
from coproctl.services.procedures.authentication import check_credentials
from coproctl.services.procedures.codes import CodeSent, issue
from coproctl.services.procedures.email_input import checked_email


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
    action = "update.start"
    address = checked_email(email, confirm_email, accept_unusual_domain=accept_unusual_domain)
    with backoffice.uow() as uow:
        account = check_credentials(uow, backoffice, identifiant, password, action)
        if account.status != PENDING:
            raise refuse(
                uow,
                backoffice,
                action,
                wrong_state(
                    "Ce compte est déjà à jour : connectez-vous avec votre mot de passe "
                    "personnel (ou utilisez « mot de passe oublié »).",
                    hint=hints.start(account),
                ),
                account=account,
            )
        owner = owner_of(uow.session, account)
        try:
            sent = issue(uow, backoffice, account, owner, UPDATE, address)
        except Refused as error:
            raise refuse(uow, backoffice, action, error, account=account) from None
        audit.record(uow.session, backoffice.actor, action, account=account, to=address)
        uow.commit()
        return sent
