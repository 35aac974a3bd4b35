"""The forgotten password on the owners' pages: the same answers whoever asks.

Step 1 is ``forgot_password`` (same answer, same time, mail left to the server's
background deliverer: never sent inside the request). The session then remembers what was
typed, whether it matched or not, and the next steps must not tell either: when no reset
code of the account is waiting (unknown identifiant, pending or disabled account, another
e-mail), a code typed is answered as a wrong code, with the procedures' own words and the
same count of tries, by the session itself; nothing of any account is touched. "Recevoir un
nouveau code" asks step 1 again with what was typed, so it answers the same way too.
"""

from __future__ import annotations

from coproctl.backoffice import Backoffice
from coproctl.errors import Refused
from coproctl.models import RESET
from coproctl.security import codes as code_crypto
from coproctl.services.common import find_account
from coproctl.services.procedures.codes import bad_code_format, in_flight, verify_code
from coproctl.services.procedures.forgotten import forgot_password
from coproctl.services.procedures.new_password import PasswordChanged, set_password
from coproctl.services.web import sessions, signin, steps
from coproctl.services.web.sessions import OwnerSession
from coproctl.typography import count


def ask_code(
    backoffice: Backoffice, current: OwnerSession, address: str, identifiant: str, email: str
) -> OwnerSession:
    """Step 1: identifiant and e-mail. A new session remembers them, in every case."""
    steps.required(identifiant, "identifiant", "Saisissez votre identifiant.")
    steps.required(email, "email", "Saisissez l'adresse e-mail de votre compte.")
    signin.count_request(backoffice, address, identifiant)
    answer = forgot_password(backoffice, identifiant, email)
    state = {
        "step": steps.FORGOT_CODE,
        "identifiant": identifiant,
        "email": email,
        "answer": answer.answer,
        "tries": 0,
    }
    return sessions.start(backoffice, current, state)


def ask_again(backoffice: Backoffice, current: OwnerSession, address: str) -> str:
    """« Recevoir un nouveau code »: step 1 again with what was typed; its answer."""
    steps.require(current, steps.FORGOT_CODE)
    identifiant = current.state["identifiant"]
    signin.count_request(backoffice, address, identifiant)
    answer = forgot_password(backoffice, identifiant, current.state["email"])
    current.state.update(answer=answer.answer, tries=0)
    steps.notice(current, answer.answer)
    sessions.save(backoffice, current)
    return answer.answer


def _reset_waiting(backoffice: Backoffice, identifiant: str) -> bool:
    """Whether the account has a reset code waiting to be verified."""
    with backoffice.uow() as uow:
        account = find_account(uow.session, identifiant)
        if account is None or account.id is None:
            return False
        row = in_flight(uow.session, account.id)
        return row is not None and row.purpose == RESET and row.verified_at is None


def wrong_code(tries: int, max_attempts: int) -> Refused:
    """What ``verify_code`` answers to the ``tries``-th wrong code (same words)."""
    left = max_attempts - tries
    if tries > max_attempts:
        return Refused(
            "code_attempts_exhausted",
            "Trop d'essais avec ce code : il est annulé. Demandez un nouveau code.",
        )
    if left <= 0:
        return Refused(
            "code_attempts_exhausted",
            "Code incorrect. C'était le dernier essai permis : ce code est annulé, "
            "demandez un nouveau code.",
        )
    return Refused(
        "code_invalid",
        f"Code incorrect. Il vous reste {count(left, 'essai')}.",
        attempts_left=left,
    )


def check_code(backoffice: Backoffice, current: OwnerSession, typed: str) -> None:
    """Step 2: the code; its proof goes into the session."""
    steps.require(current, steps.FORGOT_CODE)
    steps.required(typed, "code", "Saisissez le code reçu par e-mail.")
    if not code_crypto.well_formed(typed):
        raise bad_code_format()
    identifiant = current.state["identifiant"]
    if not _reset_waiting(backoffice, identifiant):
        current.state["tries"] = int(current.state.get("tries", 0)) + 1
        sessions.save(backoffice, current)
        raise wrong_code(current.state["tries"], backoffice.settings.code_max_attempts)
    verified = verify_code(backoffice, identifiant, typed)
    if verified.purpose != RESET or verified.proof is None:
        raise steps.WrongStep(steps.current(current))
    steps.set_step(current, steps.FORGOT_PASSWORD, proof=verified.proof)
    sessions.save(backoffice, current)


def choose_password(
    backoffice: Backoffice,
    current: OwnerSession,
    password: str,
    confirmation: str,
    *,
    noted: bool,
) -> PasswordChanged:
    """Step 3: the new password, noted; every session of the account then ends (whoever
    was signed in with the forgotten password is out)."""
    steps.require(current, steps.FORGOT_PASSWORD)
    steps.required(password, "password", "Saisissez votre nouveau mot de passe.")
    steps.required(confirmation, "confirmation", "Saisissez une seconde fois le mot de passe.")
    try:
        changed = set_password(
            backoffice,
            current.state["identifiant"],
            password,
            confirmation,
            proof=current.state["proof"],
            noted=noted,
        )
    except Refused as error:
        if error.code in steps.START_AGAIN:
            current.state.pop("proof", None)
            steps.set_step(current, steps.LOGIN)
            steps.notice(current, error.message)
            sessions.save(backoffice, current)
            raise steps.StartAgain(error, steps.LOGIN) from None
        raise
    current.state.pop("proof", None)
    steps.set_step(current, steps.FORGOT_DONE)
    sessions.save(backoffice, current)
    with backoffice.uow() as uow:
        account = find_account(uow.session, changed.identifiants[0])
        account_id = account.id if account is not None else None
    if account_id is not None:
        sessions.end_others(backoffice, [account_id])
    return changed
