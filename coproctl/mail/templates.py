"""The French mail templates: one ``<kind>.txt`` file per kind (and an optional ``.html``).

A template's first line is ``Subject: ...``, then a blank line, then the body, with
``$name`` placeholders (``string.Template``). A code mail is rendered with a placeholder in
place of the code: the code itself only joins the text when the message is handed to a
transport.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

CODE_PLACEHOLDER = "[[CODE]]"
SIGNATURE = "Votre service de syndic\n(message automatique, merci de ne pas y répondre)"

KINDS = (
    "update_code",
    "reset_code",
    "email_change_code",
    "password_changed",
    "email_changed",
    "account_reset",
)

_CIVILITIES = {
    "m": "Monsieur",
    "m.": "Monsieur",
    "mr": "Monsieur",
    "monsieur": "Monsieur",
    "mme": "Madame",
    "madame": "Madame",
    "mlle": "Madame",
    "mademoiselle": "Madame",
    "m. et mme": "Madame, Monsieur",
    "m et mme": "Madame, Monsieur",
    "mme et m.": "Madame, Monsieur",
}


def greeting(civility: str | None, last_name: str | None, first_name: str | None = None) -> str:
    """'Bonjour Madame Lefèvre,' — or a neutral greeting when the civility is unknown."""
    title = _CIVILITIES.get((civility or "").strip().lower())
    if title and last_name and "," not in title:
        return f"Bonjour {title} {last_name},"
    if title:
        return f"{title},"
    name = " ".join(part for part in (first_name, last_name) if part)
    return f"Bonjour {name}," if name else "Bonjour,"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _read(kind: str, suffix: str, folder: Path | None) -> str | None:
    if folder is not None:
        candidate = folder / f"{kind}{suffix}"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    packaged = resources.files("coproctl.mail").joinpath("templates", f"{kind}{suffix}")
    return packaged.read_text(encoding="utf-8") if packaged.is_file() else None


def _html_from_text(body: str) -> str:
    paragraphs = [p for p in body.strip().split("\n\n") if p.strip()]
    parts = []
    for paragraph in paragraphs:
        if paragraph.startswith("    "):
            parts.append(
                '<p style="font-size:1.6em;font-weight:bold;letter-spacing:0.15em">'
                f"{html.escape(paragraph.strip())}</p>"
            )
        else:
            parts.append("<p>" + html.escape(paragraph.strip()).replace("\n", "<br>\n") + "</p>")
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head>\n'
        '<body style="font-family:Arial,sans-serif">\n' + "\n".join(parts) + "\n</body></html>\n"
    )


def render(kind: str, values: dict[str, str], folder: Path | None = None) -> Rendered:
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    values = {"signature": SIGNATURE, **values}
    source = _read(kind, ".txt", folder)
    assert source is not None, f"template {kind}.txt is missing"
    head, _, body = source.partition("\n\n")
    if not head.startswith("Subject:"):
        raise ValueError(f"template {kind}.txt must start with 'Subject:'")
    subject = Template(head.removeprefix("Subject:").strip()).substitute(values)
    text = Template(body).substitute(values).strip() + "\n"
    html_source = _read(kind, ".html", folder)
    if html_source is None:
        rendered_html = _html_from_text(text)
    else:
        escaped = {key: html.escape(value) for key, value in values.items()}
        rendered_html = Template(html_source).substitute(escaped)
    return Rendered(subject=subject, text=text, html=rendered_html)
