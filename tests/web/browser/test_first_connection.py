"""The first connection, from the letter's password to the espace client, as the guide tells
it: the owner reads the code in the mail the server sent, and types it as printed there."""

from __future__ import annotations

from typing import Any

import pytest
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
    RULES,
    control,
    field,
    field_error,
    log_in,
    log_out,
    main_text,
    mentions,
    on_page,
    rule_states,
    signed_in,
)


@pytest.mark.parametrize("engine", ["site", "pg_site"])
def test_first_connection_from_the_letter_to_the_espace_client(
    engine: str, request: pytest.FixtureRequest, page: Any, look: Look
) -> None:
    site: Site = request.getfixturevalue(engine)
    identifiant, letter = new_identifiant(), letter_password()
    site.create_account(
        identifiant, letter, owner_ref=f"R-{identifiant}", copropriete="Résidence Les Tilleuls",
        lots=("12", "14"),
    )  # fmt: skip
    address, password = new_address(identifiant), chosen_password()
    box = site.mailbox(address)

    page.goto(site.url + "/")
    look("connexion")
    log_in(page, site, identifiant, letter)

    on_page(page, "Mise à jour de votre service en ligne")
    assert mentions(main_text(page), "RGPD")
    look("mise-a-jour")
    control(page, "Continuer").click()

    on_page(page, "1 - E-mail de référence")
    text = main_text(page)
    assert mentions(text, "anti", "spam"), text
    assert mentions(text, "pleine"), text
    look("e-mail")
    field(page, "Adresse e-mail").fill(address)
    field(page, "Confirmez cet e-mail").fill(new_address(identifiant, "x"))
    control(page, "Suivant").click()
    on_page(page, "1 - E-mail de référence")
    field_error(page, "Confirmez cet e-mail")
    look("e-mail-differents")
    assert box.unread_count() == 0
    field(page, "Adresse e-mail").fill(address)
    field(page, "Confirmez cet e-mail").fill(address)
    control(page, "Suivant").click()

    on_page(page, "2 - Authentification de votre E-mail")
    look("code")
    field(page, "Code de vérification").fill(box.next_code())
    control(page, "Suivant").click()

    on_page(page, "3 - Mot de passe")
    expect(page.get_by_text("ce compte seulement")).to_have_count(0)  # one account: no choice
    look("mot-de-passe")
    assert not any(rule_states(page).values())
    field(page, "Nouveau mot de passe").press_sequentially("soleil")  # typed key by key
    assert rule_states(page) == dict(zip(RULES, (False, False, True, False), strict=True))
    field(page, "Nouveau mot de passe").press_sequentially("2024S")
    assert all(rule_states(page).values())
    expect(page.get_by_text("Les 4 règles sont respectées.")).to_be_attached()
    field(page, "Confirmez votre mot de passe").fill("soleil2024S")
    control(page, "Terminer").click()  # the four rules met, but a word and a year: refused
    on_page(page, "3 - Mot de passe")
    assert mentions(field_error(page, "Nouveau mot de passe"), "deviner")
    look("mot-de-passe-refuse")
    field(page, "Nouveau mot de passe").fill(password)
    field(page, "Confirmez votre mot de passe").fill(password)
    control(page, "Terminer").click()

    on_page(page, "Procédure de mise à jour terminée")
    look("terminee")
    control(page, "Accéder à mon espace client").click()

    text = main_text(page)
    for seen in (identifiant, "Résidence Les Tilleuls", "12", "14", address):
        assert seen in text, f"« {seen} » absent de l'espace client : {text}"
    own = page.get_by_role("main")
    expect(own.get_by_role("link", name="Paramètres")).to_be_visible()
    expect(own.get_by_role("button", name="Se déconnecter")).to_be_visible()
    look("espace-client")
    shown = site.account(identifiant)
    assert (shown["status"], shown["email"], shown["email_verified"]) == ("active", address, True)
    assert box.next_mail("account_activated")

    log_out(page)
    on_page(page, "Vous êtes déconnecté")
    look("deconnecte")
    log_in(page, site, identifiant, letter)  # the letter's password no longer opens it
    expect(control(page, "Connexion")).to_be_visible()
    log_in(page, site, identifiant, password)
    signed_in(page)
    assert identifiant in main_text(page)
