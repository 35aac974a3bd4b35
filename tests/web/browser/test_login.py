"""The Connexion page: its names, its answers to a wrong password, and the lockout."""

from __future__ import annotations

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
from tests.web.browser.steps import control, field, log_in, main_text, mentions


def test_the_login_page_has_the_guide_s_names(site: Site, page: Any, look: Look) -> None:
    answer = page.goto(site.url + "/")
    assert answer.status == 200
    expect(field(page, "Identifiant")).to_be_editable()
    expect(field(page, "Mot de passe")).to_have_attribute("type", "password")
    expect(control(page, "Connexion")).to_be_visible()
    forgotten = page.get_by_role("link", name="Mot de passe oublié ?")
    expect(forgotten).to_be_visible()
    # the page writes the no-break space French wants; the lookup by name tolerates it
    assert forgotten.text_content() == "Mot de passe oublié\u00a0?"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    policy = answer.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[-1].split(";")[0]
    look("connexion")


def test_a_wrong_password_and_an_unknown_identifiant_answer_alike(
    site: Site, page: Any, look: Look
) -> None:
    identifiant, letter = new_identifiant("L"), letter_password()
    site.create_account(identifiant, letter, owner_ref=f"R-{identifiant}")
    log_in(page, site, identifiant, letter + "x")
    expect(control(page, "Connexion")).to_be_visible()
    wrong = main_text(page)
    look("connexion-refusee")
    log_in(page, site, new_identifiant("U"), letter)
    expect(control(page, "Connexion")).to_be_visible()
    assert main_text(page) == wrong
    assert mentions(wrong, "incorrect"), wrong


def test_five_wrong_passwords_lock_the_account(site: Site, page: Any, look: Look) -> None:
    identifiant, letter = new_identifiant("V"), letter_password()
    site.create_account(identifiant, letter, owner_ref=f"R-{identifiant}")
    password = chosen_password()
    site.activate(identifiant, letter, new_address(identifiant), password)
    for attempt in range(1, 6):
        log_in(page, site, identifiant, f"{password}-{attempt}")
        expect(control(page, "Connexion")).to_be_visible()
    assert mentions(main_text(page), "verrouillé"), main_text(page)
    look("compte-verrouille")
    log_in(page, site, identifiant, password)  # the right password: still locked
    expect(control(page, "Connexion")).to_be_visible()
    assert mentions(main_text(page), "Compte verrouillé jusqu'au"), main_text(page)
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    assert site.account(identifiant)["locked_until"] is not None
