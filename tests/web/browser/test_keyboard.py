"""The first connection with the keyboard only: every field and control reached with Tab,
buttons and links activated with Enter or Space, text typed into the focused field; each
control shows where the focus is."""

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
from tests.web.browser.steps import control, field, main_text, on_page, sign_out_button, signed_in

MAX_TABS = 60


def tab_to(page: Any, target: Any) -> None:
    """Tab until ``target`` has the focus (fails if it is never reached), and check that the
    focus can be seen on it."""
    for _ in range(MAX_TABS):
        if target.evaluate("el => el === document.activeElement"):
            visible = target.evaluate(
                """el => { const s = getComputedStyle(el);
                           return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                                  || s.boxShadow !== 'none'; }"""
            )
            assert visible, f"{target}: la prise de focus ne se voit pas"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never reached with Tab ({MAX_TABS} presses)")


def type_into(page: Any, label: str, text: str) -> None:
    tab_to(page, field(page, label))
    page.keyboard.type(text)


def press(page: Any, name: str, key: str = "Enter") -> None:
    """Reach the control and activate it: a button with ``key`` (Enter or Space), a link
    with Enter (Space scrolls the page on a link)."""
    target = control(page, name)
    tab_to(page, target)
    is_link = target.evaluate("el => el.tagName === 'A'")
    page.keyboard.press("Enter" if is_link else key)


def test_the_first_connection_with_the_keyboard_only(site: Site, page: Any, look: Look) -> None:
    identifiant, letter = new_identifiant("K"), letter_password()
    site.create_account(identifiant, letter, owner_ref=f"R-{identifiant}")
    address, password = new_address(identifiant), chosen_password()
    box = site.mailbox(address)

    page.goto(site.url + "/")
    type_into(page, "Identifiant", identifiant)
    type_into(page, "Mot de passe", letter)
    press(page, "Connexion")

    on_page(page, "Mise à jour de votre service en ligne")
    press(page, "Continuer", " ")

    on_page(page, "1 - E-mail de référence")
    type_into(page, "Adresse e-mail", address)
    type_into(page, "Confirmez cet e-mail", address)
    press(page, "Suivant")

    on_page(page, "2 - Authentification de votre E-mail")
    type_into(page, "Code de vérification", box.next_code())
    press(page, "Suivant", " ")

    on_page(page, "3 - Mot de passe")
    type_into(page, "Nouveau mot de passe", password)
    type_into(page, "Confirmez votre mot de passe", password)
    press(page, "Terminer", " ")

    on_page(page, "Procédure de mise à jour terminée")
    press(page, "Accéder à mon espace client")

    signed_in(page)
    assert identifiant in main_text(page)
    look("espace-client-au-clavier")
    tab_to(page, sign_out_button(page))
    page.keyboard.press(" ")
    expect(control(page, "Connexion")).to_be_visible()
