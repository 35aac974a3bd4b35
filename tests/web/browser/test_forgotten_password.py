"""Mot de passe oublié: identifiant and e-mail, the code read in the mail, the new password
with its "J'ai noté ce mot de passe" box; and the same answer whatever the case."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.web.browser.conftest import (
    Look,
    chosen_password,
    letter_password,
    new_address,
    new_identifiant,
)
from tests.web.browser.server import Site
from tests.web.browser.steps import (
    control,
    field,
    field_error,
    log_in,
    main_text,
    mentions,
    signed_in,
)

NOTED = re.compile(r"^J'ai noté ce mot de passe")


def ask(page: Any, site: Site, identifiant: str, address: str) -> None:
    page.goto(site.url + "/")
    control(page, "Mot de passe oublié ?").click()
    field(page, "Identifiant").fill(identifiant)
    field(page, "E-mail").fill(address)
    control(page, "Valider").click()


def active_account(site: Site) -> tuple[str, str, str, Any]:
    identifiant, letter = new_identifiant("F"), letter_password()
    site.create_account(identifiant, letter, owner_ref=f"R-{identifiant}")
    address, password = new_address(identifiant), chosen_password()
    return identifiant, address, password, site.activate(identifiant, letter, address, password)


def test_forgotten_password_from_the_link_to_the_new_password(
    site: Site, page: Any, look: Look
) -> None:
    identifiant, address, old, box = active_account(site)
    changed_at = site.account(identifiant)["password_changed_at"]
    page.goto(site.url + "/")
    control(page, "Mot de passe oublié ?").click()
    expect(field(page, "E-mail")).to_be_visible()
    look("oublie")
    ask(page, site, identifiant, address)

    expect(field(page, "Code de vérification")).to_be_visible()
    assert mentions(main_text(page), "10 minutes") or mentions(main_text(page), "dix minutes")
    look("oublie-code")
    field(page, "Code de vérification").fill(box.next_code())
    control(page, "Suivant").click()

    new = chosen_password()
    field(page, "Nouveau mot de passe").fill(new)
    field(page, "Confirmez votre mot de passe").fill(new)
    control(page, "Terminer").click()  # the box is not ticked: refused, next to the box
    checkbox = page.get_by_role("checkbox", name=NOTED)
    expect(checkbox).not_to_be_checked()
    field_error(page, "J'ai noté ce mot de passe")
    look("oublie-case-non-cochee")
    assert site.account(identifiant)["password_changed_at"] == changed_at
    field(page, "Nouveau mot de passe").fill(new)
    field(page, "Confirmez votre mot de passe").fill(new)
    checkbox.check()
    control(page, "Terminer").click()

    expect(page.get_by_text("Votre nouveau mot de passe est activé")).to_be_visible()
    look("oublie-termine")
    assert box.next_mail("password_changed")
    log_in(page, site, identifiant, old)
    expect(control(page, "Connexion")).to_be_visible()
    log_in(page, site, identifiant, new)
    signed_in(page)


def test_forgotten_password_answers_alike_whatever_the_case(
    site: Site, page: Any, look: Look
) -> None:
    """Matching, wrong e-mail, unknown identifiant, pending account: one answer, word for
    word; only the matching case gets a mail; the pending owner is told to call the syndic
    in those same words."""
    identifiant, address, _, box = active_account(site)
    pending = new_identifiant("P")
    site.create_account(pending, letter_password(), owner_ref=f"R-{pending}")
    cases = {  # the match last: once its mail is out, a mail of the others would be too
        "wrong e-mail": (identifiant, new_address(identifiant, "-autre")),
        "unknown": (new_identifiant("U"), new_address(identifiant, "-inconnu")),
        "pending": (pending, new_address(pending)),
        "matching": (identifiant, address),
    }
    answers = {}
    for case, (who, mail) in cases.items():
        ask(page, site, who, mail)
        expect(field(page, "Code de vérification")).to_be_visible()
        answers[case] = main_text(page).replace(who, "<ID>").replace(mail, "<MAIL>")
    look("oublie-reponse")
    assert len(set(answers.values())) == 1, answers
    assert mentions(answers["pending"], "syndic")
    assert box.next_code()
    for case in ("wrong e-mail", "unknown", "pending"):
        assert site.mailbox(cases[case][1]).unread_count() == 0, case
    assert box.unread_count() == 0
    sent = [m["kind"] for m in site.account(identifiant)["mails"]]  # type: ignore[union-attr]
    assert sent.count("reset_code") == 1, sent
    assert site.account(pending)["mails"] == []
