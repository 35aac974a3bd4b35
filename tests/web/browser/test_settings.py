"""Paramètres: a new contact e-mail (current password, the address twice, the code sent to
the new address, a notice to the old one), then a new password (current, new, confirmation,
"J'ai noté ce mot de passe"), each ending where the owner can see it took."""

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
from tests.web.browser.steps import (
    control,
    field,
    field_error,
    log_in,
    log_out,
    on_page,
    signed_in,
)


def to_settings(page: Any) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Paramètres"
    ).click()
    on_page(page, "Paramètres")


def test_settings_change_the_e_mail_then_the_password(site: Site, page: Any, look: Look) -> None:
    identifiant, letter = new_identifiant("S"), letter_password()
    site.create_account(identifiant, letter, owner_ref=f"R-{identifiant}")
    old_address, password = new_address(identifiant), chosen_password()
    old_box = site.activate(identifiant, letter, old_address, password)
    log_in(page, site, identifiant, password)
    signed_in(page)
    page.get_by_role("main").get_by_role("link", name="Paramètres").click()
    on_page(page, "Paramètres")
    look("parametres")

    # the contact e-mail
    control(page, "Modifier mon e-mail de contact").click()
    on_page(page, "Modifier mon e-mail de contact")
    look("parametres-e-mail")
    address = new_address(identifiant, "-nouvelle")
    field(page, "Nouvelle adresse e-mail").fill(address)
    field(page, "Confirmez cet e-mail").fill(address)
    field(page, "Mot de passe actuel").fill(password + "x")
    control(page, "Valider").click()
    on_page(page, "Modifier mon e-mail de contact")
    field_error(page, "Mot de passe actuel")
    look("parametres-e-mail-mot-de-passe-faux")
    field(page, "Mot de passe actuel").fill(password)
    control(page, "Valider").click()

    on_page(page, "Authentification de votre E-mail")
    look("parametres-e-mail-code")
    box = site.mailbox(address)
    field(page, "Code de vérification").fill(box.next_code())
    control(page, "Valider").click()
    expect(page.get_by_text(address).first).to_be_visible()
    look("parametres-e-mail-change")
    notice = old_box.next_mail("email_changed")  # the old address is told
    assert address not in notice["To"]
    assert site.account(identifiant)["email"] == address

    # the password
    to_settings(page)
    control(page, "Modifier mon mot de passe").click()
    on_page(page, "Modifier mon mot de passe")
    look("parametres-mot-de-passe")
    new = chosen_password()
    field(page, "Mot de passe actuel").fill(password)
    field(page, "Nouveau mot de passe").fill(new)
    field(page, "Confirmez votre mot de passe").fill(new)
    control(page, "Modifier le mot de passe").click()  # "J'ai noté" left unticked
    on_page(page, "Modifier mon mot de passe")
    field_error(page, "J'ai noté ce mot de passe")
    look("parametres-mot-de-passe-case-non-cochee")
    field(page, "Mot de passe actuel").fill(password)
    field(page, "Nouveau mot de passe").fill(new)
    field(page, "Confirmez votre mot de passe").fill(new)
    field(page, "J'ai noté ce mot de passe").check()
    control(page, "Modifier le mot de passe").click()
    on_page(page, "Paramètres")
    expect(page.get_by_role("status")).to_contain_text("mot de passe")
    look("parametres-mot-de-passe-change")
    assert box.next_mail("password_changed")  # told at the address now verified

    log_out(page)
    log_in(page, site, identifiant, password)
    expect(control(page, "Connexion")).to_be_visible()
    log_in(page, site, identifiant, new)
    signed_in(page)
