"""The verified code's proof lives in the session (issue 12): no step of a procedure can
be skipped or replayed by editing the URL or the form, and one session's proof is of no
use to another."""

from __future__ import annotations

import pytest

from coproctl.services.web import tokens
from tests.web.conftest import NEW, OTHER, Site


def test_update_steps_cannot_be_skipped(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        # a visitor: every step sends back to the login page
        for path in ("/mise-a-jour", "/mise-a-jour/code", "/mise-a-jour/mot-de-passe", "/espace"):
            assert owner.get(path).headers["location"] == "/"
        site.sign_in(owner)
        before = site.snapshot()
        # signed in with the letter's password: neither the code nor the password step yet
        for path in ("/mise-a-jour/code", "/mise-a-jour/mot-de-passe", "/espace", "/parametres"):
            assert owner.get(path).headers["location"] == "/mise-a-jour", path
        owner.get("/mise-a-jour/e-mail")
        skipped = owner.post("/mise-a-jour/mot-de-passe", {"password": NEW, "confirmation": NEW})
        assert skipped.status_code == 303
        assert skipped.headers["location"] == "/mise-a-jour"
        code = owner.post("/mise-a-jour/code", {"code": "12345678"})
        assert code.headers["location"] == "/mise-a-jour"
        assert site.snapshot() == before


def test_a_forged_proof_field_is_ignored(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.sign_in(owner)
        owner.get("/mise-a-jour/e-mail")
        owner.post(
            "/mise-a-jour/e-mail",
            {"email": "marie@example.com", "confirm_email": "marie@example.com"},
        )
        before = site.snapshot()
        for extra in ({"proof": "x" * 43}, {"step": "update.password"}, {"stage": "space"}):
            posted = owner.post(
                "/mise-a-jour/mot-de-passe", {"password": NEW, "confirmation": NEW, **extra}
            )
            assert posted.headers["location"] == "/mise-a-jour/code"
        assert site.snapshot() == before


def test_completed_steps_cannot_be_replayed(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.to_password_step(owner)
        form_page = owner.page
        code_token = owner.token()
        done = owner.post("/mise-a-jour/mot-de-passe", {"password": NEW, "confirmation": NEW})
        assert done.headers["location"] == "/mise-a-jour/terminee"
        before = site.snapshot()
        owner.page = form_page
        again = owner.post("/mise-a-jour/mot-de-passe", {"password": OTHER, "confirmation": OTHER})
        assert again.headers["location"] == "/espace"
        replay_code = owner.post("/mise-a-jour/code", {"code": "12345678", "csrf": code_token})
        assert replay_code.headers["location"] == "/espace"
        replay_email = owner.post(
            "/mise-a-jour/e-mail",
            {"email": "z@example.com", "confirm_email": "z@example.com", "csrf": code_token},
        )
        assert replay_email.headers["location"] == "/espace"
        assert site.snapshot() == before
    with site.visitor() as again_owner:
        assert site.sign_in(again_owner, password=NEW).headers["location"] == "/espace"


def test_another_sessions_proof_is_of_no_use(site: Site) -> None:
    """Two sessions of one pending account: the one that verified the code holds the proof;
    the other, even given the proof in its form, cannot set the password."""
    site.account()
    with site.visitor() as owner, site.visitor() as intruder:
        site.to_password_step(owner)
        site.sign_in(intruder)  # the letter's password, stolen
        raw = owner.cookie
        assert raw is not None
        digest = tokens.id_digest(_key(site), raw)
        (state,) = site.rows("SELECT state FROM web_session WHERE id_digest = :d", d=digest)[0]
        proof = tokens.unseal(raw, digest, bytes(state))["proof"]  # type: ignore[index]
        before = site.snapshot()
        stolen = intruder.post(
            "/mise-a-jour/mot-de-passe",
            {"password": OTHER, "confirmation": OTHER, "proof": proof},
        )
        assert stolen.status_code == 303
        assert stolen.headers["location"] == "/mise-a-jour"
        assert site.snapshot() == before
        # the owner's own session still completes
        done = owner.post("/mise-a-jour/mot-de-passe", {"password": NEW, "confirmation": NEW})
        assert done.headers["location"] == "/mise-a-jour/terminee"


def test_a_new_code_in_another_session_voids_the_proof(site: Site) -> None:
    """The intruder's session starts the procedure again: the owner's proof dies with the
    code it was for, and the owner is sent back to step 1 with the procedures' words."""
    site.account()
    with site.visitor() as owner, site.visitor() as intruder:
        site.to_password_step(owner)
        site.sign_in(intruder)
        site.age_codes(minutes=2)  # past the resend cooldown
        intruder.get("/mise-a-jour/e-mail")
        intruder.post(
            "/mise-a-jour/e-mail",
            {"email": "pirate@example.com", "confirm_email": "pirate@example.com"},
        )
        lost = owner.post("/mise-a-jour/mot-de-passe", {"password": NEW, "confirmation": NEW})
        assert lost.headers["location"] == "/mise-a-jour"
        assert "validez d'abord le code" in owner.follow(lost).text.replace("&#39;", "'")
    assert site.rows("SELECT status FROM account") == [("pending",)]


@pytest.mark.parametrize(
    "path",
    [
        "/mot-de-passe-oublie/code",
        "/mot-de-passe-oublie/mot-de-passe",
        "/mot-de-passe-oublie/termine",
    ],
)
def test_forgot_steps_cannot_be_skipped(site: Site, path: str) -> None:
    site.account()
    with site.visitor() as owner:
        assert owner.get(path).headers["location"] == "/"
        owner.get("/mot-de-passe-oublie")
        owner.post("/mot-de-passe-oublie", {"identifiant": "LEF001", "email": "m@example.com"})
        if path != "/mot-de-passe-oublie/code":
            assert owner.get(path).headers["location"] == "/mot-de-passe-oublie/code"
        before = site.snapshot()
        owner.get("/mot-de-passe-oublie/code")
        skipped = owner.post(
            "/mot-de-passe-oublie/mot-de-passe",
            {"password": NEW, "confirmation": NEW, "noted": "oui"},
        )
        assert skipped.headers["location"] == "/mot-de-passe-oublie/code"
        assert site.snapshot() == before


def _key(site: Site) -> bytes:
    from coproctl.security.secret_key import load_secret_key

    return load_secret_key(site.settings)
