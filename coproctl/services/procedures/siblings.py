"""Which of the owner's other accounts the password of an update procedure reaches.

The guide says "votre mot de passe est appliqué à tous vos comptes". Holding one account's
letter and one mailbox must not be enough to take the others over, so the rule reaches:

- every **pending** sibling (it still has a letter password: the guide's case);
- an **active** sibling only when its verified e-mail is the address just verified (the
  same mailbox proved it twice); any other active sibling keeps its password and e-mail;
- never a **disabled** sibling.

The answer names each sibling that kept its password, and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from coproctl.addresses import same_address
from coproctl.models import ACTIVE, DISABLED, PENDING, Account

# why a sibling kept its password: stable codes, and the French sentence an owner reads
KEPT_REASONS = {
    "verified_email_differs": "son adresse vérifiée est différente",
    "account_disabled": "ce compte est désactivé",
    "this_account_only": "vous avez choisi de ne changer que ce compte",
}


@dataclass(frozen=True)
class KeptAccount:
    """A sibling the new password did not reach."""

    identifiant: str
    reason: str  # a key of KEPT_REASONS

    @property
    def message(self) -> str:
        return f"{self.identifiant} garde son mot de passe : {KEPT_REASONS[self.reason]}."

    def as_dict(self) -> dict[str, Any]:
        return {"identifiant": self.identifiant, "reason": self.reason, "message": self.message}


@dataclass(frozen=True)
class SiblingSplit:
    reached: list[Account]  # the siblings that take the new password (and the address)
    kept: list[tuple[Account, str]]  # (sibling, reason) for the others

    def kept_accounts(self) -> list[KeptAccount]:
        return [KeptAccount(sibling.identifiant, reason) for sibling, reason in self.kept]


def siblings_of(session: Session, account: Account, *, lock: bool = False) -> list[Account]:
    """The owner's other accounts, in identifiant order (row-locked with ``lock``)."""
    query = (
        select(Account)
        .where(Account.owner_id == account.owner_id, Account.id != account.id)
        .order_by(col(Account.identifiant_key))
    )
    if lock:
        query = query.with_for_update()
    return list(session.exec(query).all())


def split_siblings(
    siblings: Sequence[Account], verified_address: str, *, this_account_only: bool
) -> SiblingSplit:
    """Apply the rule above to ``siblings``, given the address the procedure just verified."""
    reached: list[Account] = []
    kept: list[tuple[Account, str]] = []
    for sibling in siblings:
        if sibling.status == DISABLED:
            kept.append((sibling, "account_disabled"))
        elif this_account_only:
            kept.append((sibling, "this_account_only"))
        elif sibling.status == PENDING or (
            sibling.status == ACTIVE and _same_verified_address(sibling, verified_address)
        ):
            reached.append(sibling)
        else:
            kept.append((sibling, "verified_email_differs"))
    return SiblingSplit(reached, kept)


def _same_verified_address(account: Account, address: str) -> bool:
    return (
        account.email_verified_at is not None
        and bool(account.email)
        and same_address(account.email or "", address)
    )
