"""What the espace client shows an owner: this account, and the owner's other ones.

Only what the owner's own letters already say: identifiant, copropriété, lots, the contact
e-mail; never a staff detail (audit, mails, locks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coproctl.backoffice import Backoffice
from coproctl.services.common import get_account
from coproctl.services.procedures.siblings import siblings_of
from coproctl.services.web import sessions, steps
from coproctl.services.web.sessions import OwnerSession


@dataclass(frozen=True)
class Holding:
    identifiant: str
    copropriete: str | None
    lots: list[str]


@dataclass(frozen=True)
class OwnerSpace:
    identifiant: str
    email: str | None
    email_verified: bool
    holding: Holding
    others: list[Holding] = field(default_factory=list)
    update_done: dict[str, Any] | None = None


def owner_space(backoffice: Backoffice, current: OwnerSession) -> OwnerSpace:
    steps.require_signed_in(current)
    with backoffice.uow() as uow:
        account = get_account(uow.session, current.state["identifiant"])
        others = siblings_of(uow.session, account)
        view = OwnerSpace(
            identifiant=account.identifiant,
            email=account.email,
            email_verified=account.email_verified_at is not None,
            holding=Holding(account.identifiant, account.copropriete, list(account.lots or [])),
            others=[Holding(o.identifiant, o.copropriete, list(o.lots or [])) for o in others],
            update_done=current.state.get("update_done"),
        )
    return view


def take_notice(backoffice: Backoffice, current: OwnerSession) -> str | None:
    """The message left for this page by the previous step, shown once."""
    if not current.stored or "notice" not in current.state:
        return None
    text = str(current.state.pop("notice"))
    sessions.save(backoffice, current)
    return text
