"""Issue 9, items 5, 19 (expiry) and 20 (unknown identifiants in the trail): what a
password check answers, and what it leaves behind.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import text

from coproctl.clock import now
from coproctl.errors import Refused
from tests.trust.conftest import NEW, Procedures

INITIAL = "Initial-Aa11"


def refusal(call: Any, *args: Any) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args)
    return caught.value


def failed_logins(procedures: Procedures, identifiant: str) -> int:
    with procedures.office.engine.connect() as conn:
        return conn.execute(
            text("SELECT failed_logins FROM account WHERE identifiant = :i"), {"i": identifiant}
        ).scalar_one()


# --- item 5: a disabled account is no password oracle ------------------------------------


def disabled_active_account(procedures: Procedures) -> None:
    from coproctl.services.owners.accounts import disable_account

    procedures.account("ID001")
    procedures.update("ID001", "marie@example.com")
    disable_account(procedures.office, "ID001")


def test_disabled_account_answers_the_same_to_a_right_and_a_wrong_password(
    procedures: Procedures,
) -> None:
    disabled_active_account(procedures)
    right = refusal(procedures.login, "ID001", NEW)
    wrong = refusal(procedures.login, "ID001", "Pas-Le-Bon-Mot-7")
    assert (right.code, right.message) == (wrong.code, wrong.message)
    assert right.code == "account_disabled"
    assert right.details == wrong.details == {}
    assert failed_logins(procedures, "ID001") == 2


def test_disabled_account_counts_every_try_and_locks_like_any_account(
    procedures: Procedures,
) -> None:
    disabled_active_account(procedures)
    with freeze_time(now()):
        answers = [
            refusal(procedures.login, "ID001", password)
            for password in ("Faux-1-Aa", NEW, "Faux-2-Aa", NEW, "Faux-3-Aa")
        ]
        assert [a.code for a in answers] == ["account_disabled"] * 5
        assert "locked_until" in answers[-1].details  # the 5th try locks, right or wrong
        assert refusal(procedures.login, "ID001", NEW).code == "account_locked"
    assert failed_logins(procedures, "ID001") == 5


# --- item 19: letter passwords expire -----------------------------------------------------


def test_expired_initial_password_answers_contact_the_syndic_whatever_the_password(
    procedures: Procedures,
) -> None:
    from coproctl.services.procedures.update import start_update

    start = now()
    with freeze_time(start) as frozen:
        procedures.account("ID001")
        frozen.tick(timedelta(days=365))
        assert procedures.login("ID001", INITIAL).next_step == "update required"  # still valid
        frozen.tick(timedelta(seconds=1))
        right = refusal(procedures.login, "ID001", INITIAL)
        wrong = refusal(procedures.login, "ID001", "Pas-Le-Bon-Mot-7")
        assert right.code == wrong.code == "initial_password_expired"
        assert right.message == wrong.message
        assert "contactez votre service de syndic" in right.message
        assert right.hint is not None
        assert "coproctl account reset ID001" in right.hint
        assert "coproctl" not in right.message  # the owner's words name no command
        started = refusal(
            start_update, procedures.office, "ID001", INITIAL, "m@example.com", "m@example.com"
        )
        assert started.code == "initial_password_expired"
        assert failed_logins(procedures, "ID001") == 0  # no password can open it: no lock


def test_account_reset_gives_a_new_initial_password_that_works(procedures: Procedures) -> None:
    from coproctl.services.owners.accounts import reset_account

    with freeze_time(now()) as frozen:
        procedures.account("ID001")
        frozen.tick(timedelta(days=400))
        assert refusal(procedures.login, "ID001", INITIAL).code == "initial_password_expired"
        fresh = reset_account(procedures.office, "ID001").initial_password
        assert procedures.login("ID001", fresh).next_step == "update required"


def test_initial_password_days_is_a_setting(
    procedures: Procedures, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from coproctl.config import load_settings

    monkeypatch.setenv("COPROCTL_INITIAL_PASSWORD_DAYS", "30")
    assert load_settings().initial_password_days == 30
    procedures.office.settings = replace(procedures.office.settings, initial_password_days=30)
    with freeze_time(now()) as frozen:
        procedures.account("ID001")
        frozen.tick(timedelta(days=30, seconds=1))
        assert refusal(procedures.login, "ID001", INITIAL).code == "initial_password_expired"


def test_an_active_account_password_never_expires(procedures: Procedures) -> None:
    with freeze_time(now()) as frozen:
        procedures.account("ID001")
        procedures.update("ID001", "marie@example.com")
        frozen.tick(timedelta(days=3650))
        assert procedures.login("ID001", NEW).next_step == "active"


# --- item 20: an unknown identifiant is kept as an HMAC ------------------------------------


def audit_texts(procedures: Procedures) -> list[str]:
    with procedures.office.engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, identifiant, details FROM audit_event")).all()
    return [" ".join(str(value) for value in row) for row in rows]


def test_a_password_typed_as_the_identifiant_never_reaches_the_trail(
    procedures: Procedures,
) -> None:
    from coproctl.services.audit import identifiant_tag
    from coproctl.services.procedures.forgotten import forgot_password

    typed = "Secret-Tilleul-42"
    assert refusal(procedures.login, typed, "x").code == "bad_credentials"
    forgot_password(procedures.office, typed, "marie@example.com")
    texts = audit_texts(procedures)
    assert texts
    assert not [t for t in texts if "tilleul" in t.lower()]
    tag = identifiant_tag(procedures.office.secret_key, typed)
    assert tag.startswith("inconnu:")
    # the same identifiant typed in another case or width gives the same tag
    assert identifiant_tag(procedures.office.secret_key, " ＳＥＣＲＥＴ-tilleul-42 ") == tag
    # another instance key, another tag: without the key, no dictionary reverses it
    assert identifiant_tag(b"another-key" * 4, typed) != tag


def test_audit_list_finds_the_events_of_an_unknown_identifiant(procedures: Procedures) -> None:
    from coproctl.services.audit import list_audit

    refusal(procedures.login, "XYZ999", "x")
    events = list_audit(procedures.office, identifiant="xyz999")
    assert [(e.action, e.outcome) for e in events] == [("login", "bad_credentials")]
    assert events[0].identifiant is not None
    assert events[0].identifiant.startswith("inconnu:")
    assert list_audit(procedures.office, identifiant="XYZ998") == []
