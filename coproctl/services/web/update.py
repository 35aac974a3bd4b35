"""The update procedure (première connexion) on the owners' pages, after ``sign_in``.

Steps: the contact e-mail (a code is sent), the code (its proof is kept in the session),
the password (set with that proof), then the session is signed in. The services of
``services/procedures`` decide everything else, with the same words as the CLI.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from coproctl.backoffice import Backoffice
from coproctl.errors import Refused
from coproctl.models import UPDATE, Account
from coproctl.services.procedures.codes import CodeSent, resend_code, verify_code
from coproctl.services.procedures.new_password import PasswordChanged, set_password
from coproctl.services.procedures.password_plan import PasswordPlan, plan_password_set
from coproctl.services.procedures.update import start_update_signed_in
from coproctl.services.web import sessions, signin, steps
from coproctl.services.web.sessions import OwnerSession
from coproctl.typography import count


def send_code(
    backoffice: Backoffice,
    current: OwnerSession,
    email: str,
    confirm_email: str,
    *,
    accept_unusual_domain: bool = False,
) -> CodeSent:
    """Step 1: the contact e-mail typed twice; a code goes to it (again, when the owner
    comes back to correct the address)."""
    steps.require(current, steps.UPDATE_EMAIL, steps.UPDATE_CODE)
    steps.required(email, "email", "Saisissez votre adresse e-mail.")
    steps.required(confirm_email, "confirm_email", "Saisissez une seconde fois votre adresse.")
    sent = start_update_signed_in(
        backoffice,
        current.state["identifiant"],
        email,
        confirm_email,
        accept_unusual_domain=accept_unusual_domain,
    )
    current.state.pop("proof", None)
    steps.set_step(current, steps.UPDATE_CODE, sent_to=sent.to, minutes=sent.minutes)
    sessions.save(backoffice, current)
    return sent


def resend(backoffice: Backoffice, current: OwnerSession) -> CodeSent:
    """« Recevoir un nouveau code » (the procedures' cooldown and hourly cap apply)."""
    steps.require(current, steps.UPDATE_CODE)
    sent = resend_code(backoffice, current.state["identifiant"])
    steps.notice(
        current, f"Un nouveau code, valable {count(sent.minutes, 'minute')}, a été envoyé."
    )
    sessions.save(backoffice, current)
    return sent


def check_code(backoffice: Backoffice, current: OwnerSession, typed: str) -> None:
    """Step 2: the code; its proof goes into the session, never into a page."""
    steps.require(current, steps.UPDATE_CODE)
    steps.required(typed, "code", "Saisissez le code reçu par e-mail.")
    verified = verify_code(backoffice, current.state["identifiant"], typed)
    if verified.purpose != UPDATE or verified.proof is None:
        raise steps.WrongStep(steps.current(current))
    steps.set_step(current, steps.UPDATE_PASSWORD, proof=verified.proof)
    sessions.save(backoffice, current)


def _start_again(backoffice: Backoffice, current: OwnerSession, error: Refused) -> Refused:
    current.state.pop("proof", None)
    steps.set_step(current, steps.UPDATE_EMAIL)
    steps.notice(current, error.message)
    sessions.save(backoffice, current)
    return steps.StartAgain(error, steps.UPDATE_EMAIL)


def plan(
    backoffice: Backoffice, current: OwnerSession, *, this_account_only: bool = False
) -> PasswordPlan:
    """What the password will reach, before it is typed (step 3's page)."""
    steps.require(current, steps.UPDATE_PASSWORD)
    try:
        return plan_password_set(
            backoffice,
            current.state["identifiant"],
            proof=current.state["proof"],
            this_account_only=this_account_only,
        )
    except Refused as error:
        if error.code in steps.START_AGAIN:
            raise _start_again(backoffice, current, error) from None
        raise


def choose_password(
    backoffice: Backoffice,
    current: OwnerSession,
    password: str,
    confirmation: str,
    *,
    this_account_only: bool = False,
) -> PasswordChanged:
    """Step 3: the password, with the session's proof. The session is then signed in; the
    other sessions of every account the password reached are ended."""
    steps.require(current, steps.UPDATE_PASSWORD)
    steps.required(password, "password", "Saisissez votre nouveau mot de passe.")
    steps.required(confirmation, "confirmation", "Saisissez une seconde fois le mot de passe.")
    try:
        changed = set_password(
            backoffice,
            current.state["identifiant"],
            password,
            confirmation,
            proof=current.state["proof"],
            this_account_only=this_account_only,
        )
    except Refused as error:
        if error.code in steps.START_AGAIN:
            raise _start_again(backoffice, current, error) from None
        raise
    current.state.pop("proof", None)
    done: dict[str, Any] = {
        "identifiants": changed.identifiants,
        "kept": [kept.message for kept in changed.kept],
        "email": changed.email,
    }
    steps.set_step(current, steps.SPACE, signed_in=True, update_done=done)
    signin.restamp(backoffice, current)
    sessions.save(backoffice, current)
    sessions.end_others(backoffice, _ids(backoffice, changed.identifiants), keep=current)
    return changed


def _ids(backoffice: Backoffice, identifiants: list[str]) -> list[int]:
    with backoffice.uow() as uow:
        rows = uow.session.exec(
            select(Account.id).where(col(Account.identifiant).in_(identifiants))
        ).all()
        return [row for row in rows if row is not None]
