"""Choosing a new password: the last step of the update and reset procedures, and the
password change of the settings.

Every failing policy rule is reported at once. After the update procedure the password
(and the verified e-mail) apply by default to every account of the owner; after a reset,
or from the settings, to the one account only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.db import UnitOfWork
from coproctl.errors import Refused
from coproctl.models import (
    ACTIVE,
    DISABLED,
    ORIGIN_OWNER,
    PENDING,
    RESET,
    UPDATE,
    Account,
    Owner,
    VerificationCode,
)
from coproctl.security import codes as code_crypto
from coproctl.security import passwords
from coproctl.security.policy import PolicyFailure, check_new_password
from coproctl.services import audit
from coproctl.services.common import get_account, owner_of, owner_user_inputs, refuse, wrong_state
from coproctl.services.procedures import hints, notifications
from coproctl.services.procedures.authentication import check_credentials, disabled_error
from coproctl.services.procedures.codes import in_flight, supersede_all
from coproctl.services.procedures.siblings import KeptAccount, siblings_of, split_siblings
from coproctl.typography import count


@dataclass(frozen=True)
class PasswordChanged:
    """The accounts that took the new password, and the owner's others that kept theirs."""

    identifiants: list[str]
    status: str
    email: str | None
    kept: list[KeptAccount] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "identifiants": self.identifiants,
            "status": self.status,
            "email": self.email,
            "kept": [kept.as_dict() for kept in self.kept],
        }


def noted_required() -> Refused:
    return Refused(
        "noted_required",
        "Confirmez avoir noté ce mot de passe en lieu sûr.",
        hint="Ajoutez --noted quand le propriétaire confirme avoir noté le mot de passe.",
    )


def policy_refusal(
    password: str,
    confirmation: str,
    owner: Owner,
    account: Account,
    backoffice: Backoffice,
    *extra_inputs: str | None,
) -> Refused | None:
    """The refusal for a new password, listing every failing rule, or None if accepted."""
    if password != confirmation:
        return Refused(
            "password_mismatch",
            "Les deux saisies du nouveau mot de passe sont différentes.",
        )
    failures = check_new_password(
        password,
        user_inputs=owner_user_inputs(owner, account, *extra_inputs),
        min_score=backoffice.settings.password_min_score,
        is_current=lambda candidate: passwords.verify(candidate, account.password_hash)[0],
    )
    return policy_error(failures)


def policy_error(failures: Sequence[PolicyFailure]) -> Refused | None:
    """The refusal listing every failed rule (each with its code), or None if none failed."""
    if not failures:
        return None
    lines = "\n".join(f"- {failure.message}" for failure in failures)
    return Refused(
        "password_policy",
        f"Ce mot de passe ne peut pas être accepté :\n{lines}",
        rules=[failure.code for failure in failures],
        failures=[{"rule": f.code, "message": f.message} for f in failures],
    )


def _apply_password(
    session: Session, accounts: Sequence[Account], hashed: str, email: str | None
) -> None:
    now = clock.now()
    for target in accounts:
        target.password_hash = hashed
        target.password_origin = ORIGIN_OWNER
        target.password_changed_at = now
        target.failed_logins = 0
        target.locked_until = None
        target.updated_at = now
        if email is not None and target.status == PENDING:
            # an active account's address changes only through the e-mail-change procedure
            target.email = email
            target.email_verified_at = now
            target.status = ACTIVE
        session.add(target)


def proof_invalid(identifiant: str) -> Refused:
    return Refused(
        "proof_invalid",
        "La validation du code n'a pas été retrouvée : validez le code reçu par e-mail, puis "
        "choisissez le mot de passe dans la foulée.",
        hint=hints.proof_lost(identifiant),
    )


def verified_procedure(
    uow: UnitOfWork, backoffice: Backoffice, identifiant: str, proof: str, action: str
) -> tuple[Account, VerificationCode]:
    """The account and its verified update or reset code, if ``proof`` is that code's proof
    and the password window is still open; else record, commit and raise."""
    session = uow.session
    account = get_account(session, identifiant, lock=True)
    assert account.id is not None
    row = in_flight(session, account.id)
    if row is None or row.purpose not in (UPDATE, RESET) or row.verified_at is None:
        waiting = row is not None and row.purpose in (UPDATE, RESET)
        raise refuse(
            uow,
            backoffice,
            action,
            wrong_state(
                "Aucun code validé pour ce compte : validez d'abord le code reçu par e-mail.",
                hint=hints.verify_first(account.identifiant) if waiting else hints.start(account),
            ),
            account=account,
        )
    assert row.id is not None
    if not code_crypto.proof_matches(
        backoffice.secret_key, row.id, account.id, proof, row.proof_digest
    ):
        raise refuse(
            uow,
            backoffice,
            action,
            proof_invalid(account.identifiant),
            account=account,
            purpose=row.purpose,
        )
    if account.status == DISABLED:
        raise refuse(uow, backoffice, action, disabled_error(), account=account)
    if account.status != (PENDING if row.purpose == UPDATE else ACTIVE):
        # an update is for a pending account, a reset for an active one: an account that
        # changed state meanwhile (a sibling's update reached it) starts again
        raise refuse(
            uow,
            backoffice,
            action,
            wrong_state(
                "La procédure en cours ne correspond plus à l'état du compte.",
                hint=hints.start(account),
            ),
            account=account,
            purpose=row.purpose,
        )
    minutes = backoffice.settings.password_window_minutes
    if clock.now() > clock.as_utc(row.verified_at) + timedelta(minutes=minutes):
        raise refuse(
            uow,
            backoffice,
            action,
            Refused(
                "procedure_expired",
                f"Le mot de passe devait être choisi au plus {count(minutes, 'minute')} après la "
                "validation du code : recommencez la procédure.",
                hint=hints.procedure_again(account.identifiant),
            ),
            account=account,
            purpose=row.purpose,
        )
    return account, row


def set_password(
    backoffice: Backoffice,
    identifiant: str,
    password: str,
    confirmation: str,
    *,
    proof: str,
    this_account_only: bool = False,
    noted: bool = False,
) -> PasswordChanged:
    """Final step of the update or reset procedure, once the code has been verified.

    ``proof`` is what :func:`~coproctl.services.procedures.codes.verify_code` returned for
    that code: whoever verified the code is who sets the password (``proof_invalid``
    otherwise). It is good for one password, within the password window.
    """
    action = "password.set"
    with backoffice.uow() as uow:
        session = uow.session
        account, row = verified_procedure(uow, backoffice, identifiant, proof, action)
        if row.purpose == RESET and not noted:
            raise refuse(
                uow, backoffice, action, noted_required(), account=account, purpose=row.purpose
            )
        owner = owner_of(session, account)
        refusal = policy_refusal(
            password, confirmation, owner, account, backoffice, row.target_email
        )
        if refusal is not None:
            raise refuse(
                uow,
                backoffice,
                action,
                refusal,
                account=account,
                purpose=row.purpose,
                rules=refusal.details.get("rules"),
            )
        completed = session.execute(
            update(VerificationCode)
            .where(VerificationCode.id == row.id, col(VerificationCode.completed_at).is_(None))
            .values(completed_at=clock.now())
        ).rowcount
        if completed != 1:
            raise Refused("code_used", "Cette procédure vient d'être terminée par ailleurs.")
        kept: list[tuple[Account, str]] = []
        if row.purpose == UPDATE:
            split = split_siblings(
                siblings_of(session, account, lock=True),
                row.target_email,
                this_account_only=this_account_only,
            )
            targets = [account, *split.reached]
            kept = split.kept
            email: str | None = row.target_email
        else:
            targets = [account]
            email = None
        for target in targets[1:]:
            assert target.id is not None
            supersede_all(session, target.id)
        previous = {target.id: notifications.verified_address(target) for target in targets}
        _apply_password(session, targets, passwords.hash_password(password), email)
        notifications.password_changed(
            uow, backoffice, owner, targets, previous, first_connection=row.purpose == UPDATE
        )
        for target in targets:
            audit.record(
                session,
                backoffice.actor,
                action,
                account=target,
                purpose=row.purpose,
                via=account.identifiant if target is not account else None,
            )
        for sibling, reason in kept:
            audit.record(
                session,
                backoffice.actor,
                action,
                "not_applied",
                account=sibling,
                purpose=row.purpose,
                via=account.identifiant,
                reason=reason,
            )
        uow.commit()
        return PasswordChanged(
            [t.identifiant for t in targets],
            account.status,
            account.email,
            [KeptAccount(sibling.identifiant, reason) for sibling, reason in kept],
        )


def change_password(
    backoffice: Backoffice,
    identifiant: str,
    current: str,
    password: str,
    confirmation: str,
    *,
    noted: bool = False,
) -> PasswordChanged:
    """Settings: a new password for this account, the current one required."""
    action = "password.change"
    with backoffice.uow() as uow:
        session = uow.session
        account = check_credentials(uow, backoffice, identifiant, current, action)
        if account.status == PENDING:
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
        if not noted:
            raise refuse(uow, backoffice, action, noted_required(), account=account)
        owner = owner_of(session, account)
        refusal = policy_refusal(password, confirmation, owner, account, backoffice)
        if refusal is not None:
            raise refuse(
                uow,
                backoffice,
                action,
                refusal,
                account=account,
                rules=refusal.details.get("rules"),
            )
        previous = {account.id: notifications.verified_address(account)}
        _apply_password(session, [account], passwords.hash_password(password), None)
        notifications.password_changed(uow, backoffice, owner, [account], previous)
        audit.record(session, backoffice.actor, action, account=account)
        uow.commit()
        return PasswordChanged([account.identifiant], account.status, account.email)
