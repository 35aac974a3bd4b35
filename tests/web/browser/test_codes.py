"""The code step: "Recevoir un nouveau code" (the cooldown, then a new code that replaces
the first), and a wrong code typed five times (the code is dead, a new one is needed)."""

from __future__ import annotations

from typing import Any

from tests.web.browser.conftest import Look, letter_password, new_address, new_identifiant
from tests.web.browser.server import Mailbox, Site
from tests.web.browser.steps import (
    control,
    field_error,
    main_text,
    mentions,
    on_page,
    other_code,
    to_code_step,
    type_code,
)

STEP_2 = "2 - Authentification de votre E-mail"


def pending_at_code_step(site: Site, page: Any, prefix: str) -> tuple[str, Mailbox]:
    identifiant, letter = new_identifiant(prefix), letter_password()
    site.create_account(identifiant, letter, owner_ref=f"R-{identifiant}")
    address = new_address(identifiant)
    to_code_step(page, site, identifiant, letter, address)
    return identifiant, site.mailbox(address)


def update_codes_sent(site: Site, identifiant: str) -> int:
    mails = site.account(identifiant)["mails"]
    return [m["kind"] for m in mails].count("update_code")  # type: ignore[union-attr, index]


def test_a_new_code_on_request_after_the_cooldown(site: Site, page: Any, look: Look) -> None:
    identifiant, box = pending_at_code_step(site, page, "N")
    first = box.next_code()
    look("code")

    control(page, "Recevoir un nouveau code").click()  # at once: the cooldown says when
    on_page(page, STEP_2)
    assert mentions(main_text(page), "attendez"), main_text(page)
    look("nouveau-code-trop-tot")
    assert update_codes_sent(site, identifiant) == 1

    site.age_codes(identifiant, 61)  # the minute of cooldown is over
    control(page, "Recevoir un nouveau code").click()
    on_page(page, STEP_2)
    assert mentions(main_text(page), "nouveau code"), main_text(page)
    look("nouveau-code-envoye")
    second = box.next_code()
    assert second != first

    type_code(page, first)  # the first code was replaced
    on_page(page, STEP_2)
    assert mentions(field_error(page, "Code de vérification"), "remplacé")
    look("code-remplace")
    type_code(page, second)
    on_page(page, "3 - Mot de passe")


def test_a_wrong_code_five_times_kills_the_code(site: Site, page: Any, look: Look) -> None:
    identifiant, box = pending_at_code_step(site, page, "C")
    code = box.next_code()
    for left in (4, 3, 2, 1):
        type_code(page, other_code(code))
        on_page(page, STEP_2)
        message = field_error(page, "Code de vérification")
        assert mentions(message, "Code incorrect", f"reste {left} essai"), message
    look("code-faux")
    type_code(page, other_code(code))
    assert mentions(field_error(page, "Code de vérification"), "dernier essai")
    look("code-faux-cinq-fois")

    type_code(page, code)  # the right code, too late: it was cancelled
    on_page(page, STEP_2)
    assert mentions(field_error(page, "Code de vérification"), "Trop d'essais")
    assert site.account(identifiant)["status"] == "pending"

    site.age_codes(identifiant, 61)
    control(page, "Recevoir un nouveau code").click()
    type_code(page, box.next_code())
    on_page(page, "3 - Mot de passe")
