"""Forgotten password, step 1: same answer, same time, whatever the account.

If the identifiant and the e-mail designate an active account with that verified address,
a ``reset`` code is sent; in every other case nothing is sent. The caller cannot tell
which: the service returns nothing, and pads its running time to a floor. The audit trail
records why nothing was sent, and ``account show`` lists it for staff.
"""

from __future__ import annotations

import time

from coproctl.addresses import InvalidEmail, normalise_email, same_address
from coproctl.backoffice import Backoffice
from coproctl.errors import Refused
from coproctl.models import DISABLED, PENDING, RESET, Account
from coproctl.security import codes as code_crypto
from coproctl.services import audit
from coproctl.services.common import find_account, owner_of
from coproctl.services.procedures.codes import issue

ANSWER = (
    "Si l'identifiant et l'adresse e-mail correspondent à un compte à jour, un code de "
    "vérification vient d'être envoyé à cette adresse. Il est valable {minutes} minutes."
)


def forgot_password(backoffice: Backoffice, identifiant: str, email: str) -> str:
    """Returns the answer to show, identical in every case."""
    started = time.monotonic()
    action = "password.forgot"
    answer = ANSWER.format(minutes=backoffice.settings.code_ttl_reset_minutes)
    try:
        typed = normalise_email(email)
    except InvalidEmail:
        typed = None
    # the work a matching request does, done for every request: same cost whatever happens
    code_crypto.code_digest(backoffice.secret_key, RESET, 0, code_crypto.generate_code())
    with backoffice.uow() as uow:
        session = uow.session
        account = find_account(session, identifiant, lock=True)
        reason = _why_nothing_is_sent(account, typed)
        if reason is None and account is not None:
            try:
                issue(
                    uow, backoffice, account, owner_of(session, account), RESET, account.email or ""
                )
            except Refused as refusal:  # resend limits: silently, like every other case
                reason = refusal.code
        if reason is None:
            audit.record(session, backoffice.actor, action, account=account)
        else:
            audit.record(
                session,
                backoffice.actor,
                action,
                "nothing_sent",
                account=account,
                identifiant=None if account is not None else identifiant.strip()[:200],
                reason=reason,
            )
        uow.commit()
    floor = backoffice.settings.enumeration_floor_ms / 1000
    elapsed = time.monotonic() - started
    if elapsed < floor:
        time.sleep(floor - elapsed)
    return answer


def _why_nothing_is_sent(account: Account | None, typed: str | None) -> str | None:
    """Why no reset code may go (recorded in the audit trail only), or None if one may."""
    if account is None:
        return "unknown_identifiant"
    if account.status == PENDING:
        return "account_pending"
    if account.status == DISABLED:
        return "account_disabled"
    if not account.email or account.email_verified_at is None:
        return "no_verified_email"
    if typed is None or not same_address(typed, account.email):
        return "email_mismatch"
    return None
