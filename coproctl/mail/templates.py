"""The French mail templates: files a syndic can adapt without touching the code.

One ``<kind>.txt`` per kind of mail: a first line ``Subject: ...``, a blank line, then the
text, with ``$name`` placeholders (``string.Template``; ``$$`` for a dollar sign). The HTML
alternative is ``layout.html`` (the frame: colours, logo, footer) around a content that is
``<kind>.html`` when there is one, else the text turned into paragraphs: each line is a
line of the mail, a blank line starts a paragraph, a line indented by four spaces is shown
large (the code). ``signature.txt`` is the ``$signature`` of every mail.

``MAIL_TEMPLATES_DIR`` names a folder whose files replace the packaged ones, file by file
(a kind whose ``.txt`` is replaced gets its HTML from that folder or from its new text,
never from the packaged wording). Files are UTF-8 (a BOM and Windows line ends are fine).
Only regular files of the folder itself are read: a symbolic link (``signature.txt`` ->
``secret.key`` would put the key in every mail), a hard link or anything else that is not a
plain file is refused, never followed.

A code mail is rendered with :data:`CODE_PLACEHOLDER` in place of the code: the code only
joins the text when the message is handed to a transport, so that no stored body holds it.
"""

from __future__ import annotations

import html
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from coproctl.errors import BadInput

CODE_PLACEHOLDER = "[[CODE]]"

CODE_KINDS = ("update_code", "reset_code", "email_change_code")
KINDS = (*CODE_KINDS, "password_changed", "email_changed", "account_reset", "account_activated")

# what every template may use, then what each kind adds
COMMON_VALUES = (
    "greeting",  # "Bonjour Madame Lefèvre," (civility and name), or a neutral greeting
    "civility",  # "Madame", "Monsieur", "Madame, Monsieur" or empty
    "first_name",
    "last_name",
    "full_name",
    "identifiant",
    "copropriete",
    "date",  # when the mail was written, Paris time: 30/11/2026
    "time",  # 21:18
    "reply_hint",  # whether the owner may answer the mail (MAIL_REPLY_TO set or not)
    "syndic_name",  # SYNDIC_NAME, or "Votre service de syndic"
    "syndic_phone",  # SYNDIC_PHONE, or empty
    "syndic_url",  # SYNDIC_URL (the client space), or empty
    "syndic",  # "votre service de syndic, Lefort & Associés, au 01 23 45 67 89"
    "syndic_contact",  # "Tél. 01 23 45 67 89 — Espace client : https://...", or empty
    "signature",
)
KIND_VALUES: dict[str, tuple[str, ...]] = {
    # minutes: "30"; validity: "30 minutes", "1 minute" (the number agreed, no-break space);
    # replaces: "Ce code remplace celui du message précédent..." for a new code, else empty
    **dict.fromkeys(CODE_KINDS, ("code", "minutes", "validity", "expires_at", "replaces")),
    "password_changed": ("identifiants",),
    "email_changed": (),
    "account_reset": (),
    # the first connection is done: the address now in use, and the accounts it covers
    "account_activated": ("email", "identifiants", "coproprietes"),
}
LAYOUT_VALUES = ("subject", "content")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class TemplateError(BadInput):
    def __init__(self, message: str) -> None:
        super().__init__("bad_template", message)


@dataclass(frozen=True)
class _Source:
    text: str
    origin: str  # for error messages
    custom: bool


def templates_folder(setting: str) -> Path | None:
    """The syndic's template folder (``MAIL_TEMPLATES_DIR``), checked; None when unset."""
    if not setting:
        return None
    folder = Path(setting).expanduser()
    if not folder.is_dir():
        raise TemplateError(f"MAIL_TEMPLATES_DIR : dossier introuvable ({folder}).")
    return folder


def _decode(raw: bytes, origin: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(
            f"Modèle de message {origin} : le fichier doit être enregistré en UTF-8."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _packaged(name: str) -> Traversable:
    return resources.files("coproctl.mail").joinpath("templates", name)


MAX_TEMPLATE_BYTES = 1_000_000


def _refused(candidate: Path, why: str) -> TemplateError:
    return TemplateError(
        f"Modèle de message {candidate} refusé : {why}. Un modèle doit être un fichier ordinaire "
        "du dossier MAIL_TEMPLATES_DIR lui-même (copiez le fichier au lieu de le lier)."
    )


def _read_custom(candidate: Path) -> bytes | None:
    """The bytes of a template of the syndic's folder; None when there is none.

    Links are refused, not followed: ``O_NOFOLLOW`` on the last component, and the file
    opened must be the one looked at (same inode), a regular file with a single name.
    """
    try:
        seen = candidate.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TemplateError(f"Modèle de message {candidate} illisible : {exc.strerror}.") from None
    if stat.S_ISLNK(seen.st_mode):
        raise _refused(candidate, "c'est un lien symbolique")
    if not stat.S_ISREG(seen.st_mode):
        raise _refused(candidate, "ce n'est pas un fichier ordinaire")
    if seen.st_nlink > 1:
        raise _refused(candidate, "ce fichier a plusieurs noms (lien physique)")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(candidate, flags)
    except OSError as exc:
        raise TemplateError(f"Modèle de message {candidate} illisible : {exc.strerror}.") from None
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino):
            raise _refused(candidate, "le fichier a été remplacé pendant la lecture")
        raw = handle.read(MAX_TEMPLATE_BYTES + 1)
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise _refused(candidate, "fichier trop grand (1 Mo au plus)")
    return raw


def _read(name: str, folder: Path | None, *, packaged: bool = True) -> _Source | None:
    if folder is not None:
        candidate = folder / name
        raw = _read_custom(candidate)
        if raw is not None:
            return _Source(_decode(raw, str(candidate)), str(candidate), custom=True)
    if not packaged:
        return None
    resource = _packaged(name)
    if not resource.is_file():
        return None
    return _Source(_decode(resource.read_bytes(), name), name, custom=False)


_EMPTY_PARAGRAPHS = re.compile(r"\n(?:[ \t]*\n){2,}")
_BLANKS = re.compile(r"[^\S\u00a0]+")  # any run of white space but the no-break space


def one_line(text: str) -> str:
    """``text`` on one line, its blanks single spaces; the no-break spaces of French
    typography (``code de vérification\u00a0: ...``) stay."""
    return _BLANKS.sub(" ", text).strip()


def _substitute(source: _Source, template: str, values: Mapping[str, str]) -> str:
    try:
        return Template(template).substitute(values)
    except KeyError as exc:
        known = ", ".join(f"${name}" for name in sorted(values))
        raise TemplateError(
            f"Modèle de message {source.origin} : la variable ${exc.args[0]} n'existe pas pour "
            f"ce message (variables possibles : {known})."
        ) from None
    except ValueError:
        raise TemplateError(
            f"Modèle de message {source.origin} : un « $ » est mal placé (écrivez $$ pour un "
            "signe dollar)."
        ) from None


def _text_to_html(text: str) -> str:
    """Paragraphs of escaped text; a line indented by four spaces is shown large (the code)."""
    parts = []
    for paragraph in text.strip("\n").split("\n\n"):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("    ") for line in lines):
            parts.append(
                '<p style="margin:20px 0;font-size:26px;font-weight:bold;letter-spacing:4px;'
                'font-family:Consolas,Menlo,monospace">'
                + "<br>".join(html.escape(line.strip()) for line in lines)
                + "</p>"
            )
        else:
            parts.append("<p>" + "<br>\n".join(html.escape(line) for line in lines) + "</p>")
    return "\n".join(parts)


def _html_values(values: Mapping[str, str]) -> dict[str, str]:
    return {key: html.escape(value).replace("\n", "<br>\n") for key, value in values.items()}


def render(kind: str, values: Mapping[str, str], folder: Path | None = None) -> Rendered:
    """Subject, text and HTML of ``kind`` with ``values`` (see COMMON_VALUES, KIND_VALUES).

    Raises :class:`TemplateError` (exit 2) for a template that cannot be used.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    source = _read(f"{kind}.txt", folder)
    assert source is not None, f"packaged template {kind}.txt is missing"
    head, blank, body = source.text.partition("\n\n")
    if not head.startswith("Subject:") or "\n" in head or not blank:
        raise TemplateError(
            f"Modèle de message {source.origin} : la première ligne doit être « Subject: ... », "
            "suivie d'une ligne vide puis du texte."
        )
    signature_source = _read("signature.txt", folder)
    assert signature_source is not None
    signature = _substitute(signature_source, signature_source.text.strip("\n"), values)
    # a setting left empty (SYNDIC_PHONE...) leaves no empty line in the signature
    signature = "\n".join(line for line in signature.split("\n") if line.strip())
    values = {**values, "signature": signature}

    subject = one_line(_substitute(source, head.removeprefix("Subject:"), values))
    text = _substitute(source, body, values).strip("\n") + "\n"
    text = _EMPTY_PARAGRAPHS.sub("\n\n", text)  # an empty value alone in its paragraph

    # the HTML content comes from the same place as the text: never packaged HTML wording
    # next to a syndic's own text
    fragment = _read(f"{kind}.html", folder, packaged=not source.custom)
    if fragment is None:
        content = _text_to_html(text)
    else:
        content = _substitute(fragment, fragment.text, _html_values(values))
    layout = _read("layout.html", folder)
    assert layout is not None
    page = _substitute(
        layout, layout.text, {"subject": html.escape(subject), "content": content.strip("\n")}
    )
    if kind in CODE_KINDS:
        for part, where in ((text, source.origin), (page, fragment.origin if fragment else "")):
            if CODE_PLACEHOLDER not in part:
                raise TemplateError(
                    f"Modèle de message {where or 'layout.html'} : le code ($code) manque ; "
                    "sans lui le message ne sert à rien."
                )
    return Rendered(subject=subject, text=text, html=page)


def placeholders(kind: str) -> tuple[str, ...]:
    """The ``$names`` a template of ``kind`` may use."""
    return (*COMMON_VALUES, *KIND_VALUES[kind])
