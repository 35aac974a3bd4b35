"""An owner with two accounts: the new password and e-mail go to both by default (the guide:
"votre mot de passe est appliqué à tous vos comptes"), or to this one only when asked."""

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
    log_in,
    log_out,
    on_page,
    signed_in,
    to_code_step,
    type_code,
)

THIS_ONLY = re.compile("ce compte seulement|ce compte uniquement", re.IGNORECASE)


def two_accounts(site: Site) -> tuple[str, str, str, str]:
    """Two pending accounts of one owner, in two copropriétés."""
    first, second = new_identifiant("M"), new_identifiant("M")
    letter_1, letter_2 = letter_password(), letter_password()
    owner = f"R-{first}"
    site.create_account(first, letter_1, owner_ref=owner, copropriete="Le Clos des Vignes")
    site.create_account(second, letter_2, owner_ref=owner, copropriete="Les Hauts de Loire")
    return first, letter_1, second, letter_2


def to_password_step(page: Any, site: Site, identifiant: str, letter: str, address: str) -> None:
    to_code_step(page, site, identifiant, letter, address)
    type_code(page, site.mailbox(address).next_code())
    on_page(page, "3 - Mot de passe")


def finish(page: Any, password: str) -> None:
    field(page, "Nouveau mot de passe").fill(password)
    field(page, "Confirmez votre mot de passe").fill(password)
    control(page, "Terminer").click()
    on_page(page, "Procédure de mise à jour terminée")


def test_the_password_goes_to_every_account_by_default(site: Site, page: Any, look: Look) -> None:
    first, letter, second, _ = two_accounts(site)
    address, password = new_address(first), chosen_password()
    to_password_step(page, site, first, letter, address)
    choice = page.get_by_label(THIS_ONLY)
    expect(choice).to_be_visible()
    expect(choice).not_to_be_checked()
    look("mot-de-passe-plusieurs-comptes")
    finish(page, password)
    look("terminee-plusieurs-comptes")

    shown = site.account(second)
    assert (shown["status"], shown["email"]) == ("active", address)
    control(page, "Accéder à mon espace client").click()
    log_out(page)
    log_in(page, site, second, password)
    signed_in(page)


def test_this_account_only_leaves_the_other_pending(site: Site, page: Any, look: Look) -> None:
    first, letter, second, letter_2 = two_accounts(site)
    address, password = new_address(first), chosen_password()
    to_password_step(page, site, first, letter, address)
    page.get_by_label(THIS_ONLY).check()
    finish(page, password)
    look("terminee-ce-compte-seulement")

    assert site.account(first)["status"] == "active"
    assert site.account(second)["status"] == "pending"
    control(page, "Accéder à mon espace client").click()
    log_out(page)
    log_in(page, site, second, letter_2)  # the other account still opens with its letter
    on_page(page, "Mise à jour de votre service en ligne")
