"""ASVS 2.1.12: the owner can see what they typed before choosing it ("Afficher les mots
de passe" on the page that sets a password), and hide it again."""

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
from tests.web.browser.steps import control, field, on_page, to_code_step


def test_the_new_password_can_be_shown_then_hidden(site: Site, page: Any, look: Look) -> None:
    identifiant, letter = new_identifiant("S"), letter_password()
    site.create_account(identifiant, letter, owner_ref=f"R-{identifiant}")
    address = new_address(identifiant)
    box = site.mailbox(address)
    to_code_step(page, site, identifiant, letter, address)
    field(page, "Code de vérification").fill(box.next_code())
    control(page, "Suivant").click()
    on_page(page, "3 - Mot de passe")

    typed = chosen_password()
    new, confirmation = (
        field(page, "Nouveau mot de passe"),
        field(page, "Confirmez votre mot de passe"),
    )
    new.fill(typed)
    confirmation.fill(typed)
    for box_field in (new, confirmation):
        expect(box_field).to_have_attribute("type", "password")
    show = page.get_by_role("checkbox", name="Afficher les mots de passe")
    show.check()
    for box_field in (new, confirmation):
        expect(box_field).to_have_attribute("type", "text")
        expect(box_field).to_have_value(typed)  # shown as typed, nothing lost on the way
    look("mot-de-passe-affiche")
    show.uncheck()
    for box_field in (new, confirmation):
        expect(box_field).to_have_attribute("type", "password")
