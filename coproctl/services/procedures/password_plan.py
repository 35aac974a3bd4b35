"""What choosing a password will do, told before any secret is asked.

A face asks for a new password only once it is known that the step can succeed: the code
was verified by this face (its proof), the window is open, the acknowledgement is there
when a reset needs it. It shows the rules first, and which of the owner's accounts the
password will reach (and which keep theirs). It checks the policy before asking for the
confirmation. :func:`~coproctl.services.procedures.new_password.set_password` checks it
all again: nothing here replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coproctl.backoffice import Backoffice
from coproctl.errors import Refused
from coproctl.models import RESET, UPDATE
from coproctl.security.policy import check_new_password, requirements_fr
from coproctl.services.common import get_account, owner_of, owner_user_inputs, refuse
from coproctl.services.procedures.new_password import (
    noted_required,
    policy_error,
    verified_procedure,
)
from coproctl.services.procedures.siblings import KeptAccount, siblings_of, split_siblings


@dataclass(frozen=True)
class PasswordPlan:
    """The accounts the new password will reach (this one first), the owner's others that
    keep theirs and why, and the rules. ``policy_refusal`` checks a candidate at once."""

    identifiant: str
    purpose: str
    applies_to: list[str]
    kept: list[KeptAccount]
    user_inputs: tuple[str, ...] = field(repr=False)
    min_score: int = field(repr=False, default=3)

    @property
    def rules(self) -> list[str]:
        return requirements_fr()

    @property
    def others(self) -> list[str]:
        """The owner's other accounts the password will reach too."""
        return self.applies_to[1:]

    @property
    def warnings(self) -> list[str]:
        """What to tell the owner before the password is typed: the other accounts it will
        reach, and those that keep their own password (and why)."""
        lines = []
        if self.others:
            lines.append(
                "Ce mot de passe sera aussi celui de vos autres comptes : "
                + ", ".join(self.others)
                + "."
            )
        return lines + [kept.message for kept in self.kept]

    def policy_refusal(self, password: str) -> Refused | None:
        """Every rule the candidate fails (the owner's data included), before it is typed
        twice. The current password is checked at the end only (it needs the hash)."""
        failures = check_new_password(
            password, user_inputs=self.user_inputs, min_score=self.min_score
        )
        return policy_error(failures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "identifiant": self.identifiant,
            "purpose": self.purpose,
            "applies_to": self.applies_to,
            "kept": [kept.as_dict() for kept in self.kept],
            "rules": self.rules,
            "warnings": self.warnings,
        }


def check_candidate(backoffice: Backoffice, plan: PasswordPlan, password: str) -> None:
    """Refuse (recorded in the trail like the final check) a candidate the policy refuses,
    before the owner types it a second time."""
    refusal = plan.policy_refusal(password)
    if refusal is None:
        return
    with backoffice.uow() as uow:
        account = get_account(uow.session, plan.identifiant)
        raise refuse(
            uow,
            backoffice,
            "password.set",
            refusal,
            account=account,
            purpose=plan.purpose,
            rules=refusal.details.get("rules"),
        )


def plan_password_set(
    backoffice: Backoffice,
    identifiant: str,
    *,
    proof: str,
    this_account_only: bool = False,
    noted: bool = False,
) -> PasswordPlan:
    """Check that ``set_password`` can go ahead (same refusals, nothing changed) and say
    what it will do."""
    action = "password.set"
    with backoffice.uow() as uow:
        session = uow.session
        account, row = verified_procedure(uow, backoffice, identifiant, proof, action)
        if row.purpose == RESET and not noted:
            raise refuse(
                uow, backoffice, action, noted_required(), account=account, purpose=row.purpose
            )
        applies_to = [account.identifiant]
        kept: list[KeptAccount] = []
        if row.purpose == UPDATE:
            split = split_siblings(
                siblings_of(session, account),
                row.target_email,
                this_account_only=this_account_only,
            )
            applies_to += [sibling.identifiant for sibling in split.reached]
            kept = split.kept_accounts()
        owner = owner_of(session, account)
        return PasswordPlan(
            account.identifiant,
            row.purpose,
            applies_to,
            kept,
            tuple(owner_user_inputs(owner, account, row.target_email)),
            backoffice.settings.password_min_score,
        )


def password_rules() -> list[str]:
    """The rules, in French, to show before a new password is asked."""
    return requirements_fr()


def require_noted(noted: bool) -> None:
    """Settings: the acknowledgement is required; a face checks it before asking secrets."""
    if not noted:
        raise noted_required()


def policy_precheck(backoffice: Backoffice, password: str) -> Refused | None:
    """The rules a candidate fails whoever the owner is (the owner's own data is checked
    at the end, once the current password opened the account)."""
    failures = check_new_password(password, min_score=backoffice.settings.password_min_score)
    return policy_error(failures)
