"""What an owner does and sees on the pages, by the names a person reads (never CSS)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.web.browser.server import Site


def heading(page: Any, name: str) -> Any:
    return page.get_by_role("heading", name=name)


def on_page(page: Any, name: str) -> None:
    """The page whose heading reads ``name`` is shown."""
    expect(heading(page, name)).to_be_visible()


def control(page: Any, name: str) -> Any:
    """A button or a link named ``name`` (the pages may make either a form's button).

    Playwright normalises white space in accessible names, the no-break space included: the
    name « Mot de passe oublié ? » finds the link the page writes « Mot de passe
    oublié&nbsp;? » (French typography), and names stay written with plain spaces here."""
    return page.get_by_role("button", name=name, exact=True).or_(
        page.get_by_role("link", name=name, exact=True)
    )


def field(page: Any, label: str) -> Any:
    return page.get_by_label(label, exact=True)


def log_in(page: Any, site: Site, identifiant: str, password: str) -> None:
    page.goto(site.url + "/")
    field(page, "Identifiant").fill(identifiant)
    field(page, "Mot de passe").fill(password)
    control(page, "Connexion").click()


def sign_out_button(page: Any) -> Any:
    """The menu's "Se déconnecter", on every page of a signed-in owner (the espace client
    has one of its own too)."""
    menu = page.get_by_role("navigation", name="Menu principal")
    return menu.get_by_role("button", name="Se déconnecter")


def signed_in(page: Any) -> None:
    expect(sign_out_button(page)).to_be_visible()


def log_out(page: Any) -> None:
    sign_out_button(page).click()
    expect(control(page, "Connexion")).to_be_visible()


def field_error(page: Any, label: str) -> str:
    """The error shown for the field labelled ``label``, checked the GOV.UK way: the field is
    marked invalid and described by the message, and the summary at the top of the page
    links to the field with the same message. Returns the message beside the field (the
    summary may give only its first sentence)."""
    target = field(page, label)
    expect(target).to_have_attribute("aria-invalid", "true")
    described = target.evaluate(
        """el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
                .map(id => (document.getElementById(id) || {textContent: ''}).textContent)
                .join(' ').replace(/\\s+/g, ' ').trim()"""
    )
    assert described, f"« {label} » : aucun message d'erreur lié au champ (aria-describedby)"
    field_id = target.get_attribute("id")
    assert field_id, f"« {label} » has no id for the summary to link to"
    links = page.locator(f'a[href="#{field_id}"]')
    expect(links).to_have_count(1)
    summary_text = " ".join(links.inner_text().split())
    assert summary_text, f"« {label} » : le lien du résumé est vide"
    assert summary_text in described, (summary_text, described)
    before = links.evaluate(
        "(link, id) => !!(link.compareDocumentPosition(document.getElementById(id))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)",
        field_id,
    )
    assert before, "the error summary is not above the field"
    return str(described)


def error_text(page: Any) -> str:
    """The text of the page's alerts (the error summary and other announced messages)."""
    alerts = page.get_by_role("alert")
    expect(alerts.first).to_be_visible()
    return " ".join(" ".join(alerts.all_inner_texts()).split())


def main_text(page: Any) -> str:
    return " ".join(page.get_by_role("main").inner_text().split())


RULES = ("8 caractères minimum", "Au moins une majuscule", "Au moins une minuscule")
RULES += ("Au moins un chiffre",)


def rule_states(page: Any) -> dict[str, bool]:
    """The four password rules as a screen reader reads them: met ("respectée") or not."""
    rules = page.get_by_role("list", name=re.compile("^Votre mot de passe doit contenir"))
    states = {}
    for rule in RULES:
        text = " ".join(rules.get_by_role("listitem").filter(has_text=rule).text_content().split())
        assert text.startswith(rule), text
        states[rule] = "(respectée)" in text
    return states


def mentions(text: str, *words: str) -> bool:
    folded = text.lower()
    return all(re.search(re.escape(word.lower()), folded) for word in words)


def to_code_step(page: Any, site: Site, identifiant: str, letter: str, address: str) -> None:
    """First connection up to "2 - Authentification de votre E-mail" (a code sent)."""
    log_in(page, site, identifiant, letter)
    control(page, "Continuer").click()
    field(page, "Adresse e-mail").fill(address)
    field(page, "Confirmez cet e-mail").fill(address)
    control(page, "Suivant").click()
    on_page(page, "2 - Authentification de votre E-mail")


def type_code(page: Any, code: str) -> None:
    field(page, "Code de vérification").fill(code)
    control(page, "Suivant").click()


def other_code(code: str) -> str:
    """A well-formed code that is not ``code`` (a wrong guess, grouped like the mail's)."""
    digits = code.replace(" ", "")
    wrong = f"{(int(digits) + 1) % 10**8:08d}"
    return f"{wrong[:4]} {wrong[4:]}"
