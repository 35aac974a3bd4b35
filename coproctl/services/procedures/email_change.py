"""Settings: a new contact e-mail. The code goes to the new address; verifying it (see
:func:`coproctl.services.procedures.codes.verify_code`) switches the address and notifies
the old one.
"""

from __future__ import annotations

from coproctl.addresses import same_address
from coproctl.backoffice import Backoffice
from coproctl.errors import Refused
from coproctl.models import ACTIVE, EMAIL_CHANGE
from coproctl.services import audit
from coproctl.services.common import owner_of, refuse, wrong_state
from coproctl.services.procedures import hints
from coproctl.services.procedures.authentication import check_credentials
from coproctl.services.procedures.codes import CodeSent, issue
from coproctl.services.procedures.email_input import checked_email


def start_email_change(
    backoffice: Backoffice,
    identifiant: str,
    current_password: str,
    email: str,
    confirm_email: str,
    *,
    accept_unusual_domain: bool = False,
) -> CodeSent:
    action = "email.change"
    address = checked_email(email, confirm_email, accept_unusual_domain=accept_unusual_domain)
    with backoffice.uow() as uow:
        account = check_credentials(uow, backoffice, identifiant, current_password, action)
        if account.status != ACTIVE:
            raise refuse(
                uow,
                backoffice,
                action,
                wrong_state(
                    "Ce compte doit d'abord passer par la procédure de mise à jour.",
                    hint=hints.start(account),
                ),
                account=account,
            )
        if account.email and same_address(account.email, address):
            raise refuse(
                uow,
                backoffice,
                action,
                Refused("email_unchanged", "C'est déjà l'adresse e-mail de ce compte."),
                account=account,
            )
        owner = owner_of(uow.session, account)
        try:
            sent = issue(uow, backoffice, account, owner, EMAIL_CHANGE, address)
        except Refused as error:
            raise refuse(uow, backoffice, action, error, account=account) from None
        audit.record(uow.session, backoffice.actor, action, account=account, to=address)
        uow.commit()
        return sent
