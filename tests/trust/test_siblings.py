"""Issue 9, item 1: one letter password never takes over the owner's other accounts.

Owner O holds SIBA (active, own password, verified paul.martin@example.com) and SIBB
(pending: its initial password is on a letter). Whoever holds SIBB's letter and a mailbox
of their own can bring SIBB up to date, and no further.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from coproctl.models import Account
from tests.trust.conftest import NEW, Procedures

OWNER_ADDRESS = "paul.martin@example.com"
INTRUDER = "intrus@example.org"
OWN_PASSWORD = "Velo.Rouge.Nuage.9"


def owner_with_siba_active_and_sibb_pending(procedures: Procedures) -> None:
    procedures.account("SIBA", copropriete="Les Tilleuls")
    procedures.account("SIBB", password="Initial-Bb22", copropriete="Le Clos")
    procedures.update("SIBA", OWNER_ADDRESS, new=OWN_PASSWORD, this_account_only=True)
    assert procedures.show("SIBA").status == "active"
    assert procedures.show("SIBB").status == "pending"


def test_a_letter_of_one_account_does_not_take_over_an_active_sibling(
    procedures: Procedures,
) -> None:
    owner_with_siba_active_and_sibb_pending(procedures)
    notices_before = len(procedures.notices())

    result = procedures.update("SIBB", INTRUDER, password="Initial-Bb22")

    assert result.identifiants == ["SIBB"]
    assert [kept.as_dict() for kept in result.kept] == [
        {
            "identifiant": "SIBA",
            "reason": "verified_email_differs",
            "message": "SIBA garde son mot de passe : son adresse vérifiée est différente.",
        }
    ]
    assert result.as_dict()["kept"][0]["reason"] == "verified_email_differs"
    # SIBA keeps its password and its address; SIBB took the intruder's
    siba = procedures.show("SIBA")
    assert (siba.status, siba.email) == ("active", OWNER_ADDRESS)
    assert procedures.login("SIBA", OWN_PASSWORD).next_step == "active"
    assert procedures.show("SIBB").email == INTRUDER
    # the only notice is about SIBB, to the address SIBB now has; none names SIBA
    notices = procedures.notices()[notices_before:]
    assert [to for to, _ in notices] == [INTRUDER]
    assert "SIBB" in notices[0][1]
    assert "SIBA" not in notices[0][1]


def test_the_refusal_to_reach_a_sibling_is_audited_on_that_sibling(
    procedures: Procedures,
) -> None:
    from coproctl.services.audit import list_audit

    owner_with_siba_active_and_sibb_pending(procedures)
    procedures.update("SIBB", INTRUDER, password="Initial-Bb22")
    events = list_audit(procedures.office, identifiant="SIBA", action="password.set")
    assert events[0].outcome == "not_applied"
    assert events[0].details["reason"] == "verified_email_differs"
    assert events[0].details["via"] == "SIBB"


def test_an_active_sibling_with_the_address_just_verified_follows(
    procedures: Procedures,
) -> None:
    owner_with_siba_active_and_sibb_pending(procedures)
    # the same mailbox proves itself again, typed in another case
    result = procedures.update("SIBB", OWNER_ADDRESS.upper(), password="Initial-Bb22")
    assert result.identifiants == ["SIBB", "SIBA"]
    assert result.kept == []
    assert procedures.login("SIBA", NEW).next_step == "active"
    assert procedures.show("SIBA").email == OWNER_ADDRESS
    to, text = procedures.notices()[-1]
    assert to.lower() == OWNER_ADDRESS
    assert "SIBA" in text
    assert "SIBB" in text


def test_pending_siblings_follow_and_disabled_ones_are_named(procedures: Procedures) -> None:
    from coproctl.services.owners.accounts import disable_account

    procedures.account("SIBA")
    procedures.account("SIBB", password="Initial-Bb22")
    procedures.account("SIBC", password="Initial-Cc33")
    disable_account(procedures.office, "SIBC")
    result = procedures.update("SIBA", OWNER_ADDRESS)
    assert result.identifiants == ["SIBA", "SIBB"]
    assert [(k.identifiant, k.reason) for k in result.kept] == [("SIBC", "account_disabled")]
    assert procedures.show("SIBB").status == "active"
    assert procedures.show("SIBC").status == "disabled"


def test_this_account_only_names_the_siblings_it_leaves(procedures: Procedures) -> None:
    procedures.account("SIBA")
    procedures.account("SIBB", password="Initial-Bb22")
    result = procedures.update("SIBA", OWNER_ADDRESS, this_account_only=True)
    assert result.identifiants == ["SIBA"]
    assert [k.message for k in result.kept] == [
        "SIBB garde son mot de passe : vous avez choisi de ne changer que ce compte."
    ]


def test_notice_goes_to_the_address_verified_before_the_change_and_to_the_new_one(
    procedures: Procedures,
) -> None:
    """A pending account that still carries a verified address (a row from before the
    current rules) is told at that address, and at the new one."""
    procedures.account("SIBA")
    with procedures.office.engine.begin() as conn:
        conn.execute(
            update(Account)
            .where(Account.identifiant == "SIBA")
            .values(email=OWNER_ADDRESS, email_verified_at=_now())
        )
    procedures.update("SIBA", INTRUDER)
    recipients = sorted(to for to, _ in procedures.notices())
    assert recipients == sorted([INTRUDER, OWNER_ADDRESS])


def test_a_procedure_ended_by_a_sibling_update_cannot_finish(
    procedures: Procedures,
) -> None:
    """An update is for a pending account: one that became active meanwhile starts again."""
    import pytest

    from coproctl.errors import Refused

    procedures.account("SIBA")
    procedures.account("SIBB", password="Initial-Bb22")
    procedures.start_update("SIBA", OWNER_ADDRESS)
    verified = procedures.verify("SIBA", procedures.code(OWNER_ADDRESS))
    # meanwhile the same owner completes SIBB (it reaches SIBA, pending: SIBA's code ends)
    procedures.update("SIBB", OWNER_ADDRESS, password="Initial-Bb22")
    with pytest.raises(Refused) as caught:
        procedures.set_password("SIBA", verified, "Autre-Mot-De-Passe-8x")
    assert caught.value.code == "wrong_state"


def _now() -> Any:
    from coproctl.clock import now

    return now()
