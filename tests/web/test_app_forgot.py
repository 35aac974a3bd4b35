"""Mot de passe oublié on the pages (issue 12): the same answer in every case, no mail sent
inside the request, the code step answering the same whether a code went or not, then the
new password with "J'ai noté ce mot de passe", and every session of the account ended."""

from __future__ import annotations

import re

import pytest

from coproctl.services.web.forgot import wrong_code
from tests.web.conftest import NEW, OTHER, Site, Visitor

CASES = {
    "match": ("LEF001", "marie@example.com"),
    "wrong_email": ("ACT002", "autre@example.com"),
    "unknown": ("INCONNU9", "marie@example.com"),
    "pending": ("PEN001", "paul@example.com"),
    "disabled": ("DIS001", "dis@example.com"),
}


def _accounts(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.activate(owner)
    site.account("ACT002", owner_ref="R4", last_name="Bernard")
    with site.visitor() as owner:
        site.activate(owner, "ACT002", "act@example.com")
    site.account("PEN001", owner_ref="R2", last_name="Martin", email="paul@example.com")
    site.account("DIS001", owner_ref="R3", last_name="Durand")
    with site.visitor() as owner:
        site.activate(owner, "DIS001", "dis@example.com")
    from coproctl.services.owners.accounts import disable_account

    with site.office() as office:
        disable_account(office, "DIS001")


def _page_text(visitor: Visitor) -> str:
    """What the owner reads, the form's token aside."""
    return re.sub(r'name="csrf" value="[^"]+"', "", visitor.page.text)


def _ask(site: Site, visitor: Visitor, identifiant: str, email: str) -> str:
    visitor.get("/mot-de-passe-oublie")
    asked = visitor.post("/mot-de-passe-oublie", {"identifiant": identifiant, "email": email})
    assert asked.headers["location"] == "/mot-de-passe-oublie/code"
    visitor.follow(asked)
    return _page_text(visitor)


def test_the_same_answer_in_every_case_and_no_mail_inside_the_request(site: Site) -> None:
    _accounts(site)
    site.deliver()
    mails_before = len(site.mails())
    pages = {}
    for case, (identifiant, email) in CASES.items():
        with site.visitor() as visitor:
            pages[case] = _ask(site, visitor, identifiant, email)
            assert visitor.heading() == "Code de vérification"
            assert "appelez votre service de syndic" in pages[case]
    assert len(set(pages.values())) == 1, "the answer tells the cases apart"
    # the request queued the reset code but sent nothing: the background deliverer does
    assert len(site.mails()) == mails_before
    queued = site.rows("SELECT to_addr FROM outbox_message WHERE status = 'queued'")
    assert queued == [("marie@example.com",)]
    site.deliver()
    assert len(site.mails()) == mails_before + 1


@pytest.mark.parametrize("case", ["wrong_email", "unknown", "pending", "disabled"])
def test_the_code_step_answers_like_a_real_code_when_none_went(site: Site, case: str) -> None:
    """The same words and count of tries as a real wrong code, and no account touched."""
    _accounts(site)
    with site.visitor() as real, site.visitor() as none_sent:
        _ask(site, real, *CASES["match"])
        _ask(site, none_sent, *CASES[case])
        accounts_before = site.rows("SELECT * FROM account ORDER BY id")
        for _ in range(7):
            real.post("/mot-de-passe-oublie/code", {"code": "00000000"})
            none_sent.post("/mot-de-passe-oublie/code", {"code": "00000000"})
            assert none_sent.page.status_code == real.page.status_code == 400
            assert none_sent.errors() == real.errors()
        assert real.errors() == [
            "Trop d'essais avec ce code : il est annulé. Demandez un nouveau code."
        ]
        untouched = site.rows("SELECT * FROM account WHERE identifiant != 'LEF001' ORDER BY id")
        assert untouched == [row for row in accounts_before if row[1] != "LEF001"]


def test_the_fake_tries_use_the_procedures_words() -> None:
    # the same characters as verify_code's (its no-break space too): nothing tells them apart
    assert wrong_code(1, 5).message == "Code incorrect. Il vous reste 4 essais."
    assert wrong_code(4, 5).message == "Code incorrect. Il vous reste 1 essai."
    assert wrong_code(5, 5).code == "code_attempts_exhausted"
    assert wrong_code(6, 5).code == "code_attempts_exhausted"


def test_reset_to_a_new_password_noted(site: Site) -> None:
    _accounts(site)
    with site.visitor() as signed_in, site.visitor() as owner:
        site.sign_in(signed_in, password=NEW)
        assert signed_in.get("/espace").status_code == 200
        _ask(site, owner, *CASES["match"])
        done = owner.post("/mot-de-passe-oublie/code", {"code": site.code("marie@example.com")})
        owner.follow(done)
        assert owner.heading() == "Nouveau mot de passe"
        assert "J&#39;ai noté ce mot de passe" in owner.page.text
        fields = {"password": OTHER, "confirmation": OTHER}
        owner.post("/mot-de-passe-oublie/mot-de-passe", fields)
        assert owner.errors() == ["Confirmez avoir noté ce mot de passe en lieu sûr."]
        assert 'href="#noted"' in owner.page.text
        finished = owner.post("/mot-de-passe-oublie/mot-de-passe", {**fields, "noted": "oui"})
        owner.follow(finished)
        assert owner.heading() == "Votre nouveau mot de passe est activé"
        # whoever was signed in with the forgotten password is out
        assert signed_in.get("/espace").headers["location"] == "/"
    with site.visitor() as again:
        assert site.sign_in(again, password=OTHER).headers["location"] == "/espace"


def test_asking_again_answers_the_same(site: Site) -> None:
    _accounts(site)
    texts = set()
    for case in ("match", "unknown"):
        with site.visitor() as visitor:
            _ask(site, visitor, *CASES[case])
            again = visitor.post("/mot-de-passe-oublie/nouveau-code")
            assert again.headers["location"] == "/mot-de-passe-oublie/code"
            visitor.follow(again)
            texts.add(_page_text(visitor))
    assert len(texts) == 1
