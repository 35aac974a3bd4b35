"""What an identifiant, a name or an initial password must be before it is stored.

One rule for every way in (``account create``, both imports, a future web form), checked
before the database so that both engines give the same answer: SQLite would store a value
that overflows a PostgreSQL column.

- Identifiants are compared in NFKC form, without surrounding blanks, case-folded
  (:func:`identifiant_key`): fullwidth ``ＬＥＦ００１`` is ``LEF001``. A new identifiant must
  hold letters of one script, digits and a few separators; invisible, control and
  combining characters are refused, and so is a key longer than its column (case folding
  can lengthen a string: ``İ`` folds to two code points).
- Names, civility, address and the copropriété are single-line text: no control or
  format character (a CR/LF would reach a mail's text part), at most their column's length.
- Initial passwords (printed on letters) are at least 8 characters, not a common password,
  and contain neither the identifiant nor the owner's name.

This module stays cheap to import: zxcvbn's lists are read on the first password check.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache

from coproctl.errors import BadInput

IDENTIFIANT_MAX = 64  # account.identifiant and account.identifiant_key
INITIAL_PASSWORD_MIN = 8
INITIAL_PASSWORD_MAX = 128

# column lengths of the owner's and account's text (models.py)
TEXT_LIMITS = {
    "owner_ref": 64,
    "civility": 32,
    "last_name": 200,
    "first_name": 200,
    "address": 400,
    "postal_code": 16,
    "city": 200,
    "copropriete": 200,
    "copropriete_code": 64,
    "lot": 400,
    "actor": 200,  # audit_event.actor
}
TEXT_LABELS = {
    "owner_ref": "Référence propriétaire",
    "civility": "Civilité",
    "last_name": "Nom",
    "first_name": "Prénom",
    "address": "Adresse",
    "postal_code": "Code postal",
    "city": "Ville",
    "copropriete": "Copropriété",
    "copropriete_code": "Code copropriété",
    "lot": "Lot",
    "actor": "Acteur (--actor)",
}

# separators an identifiant may hold besides letters and digits
_IDENTIFIANT_PUNCTUATION = frozenset("-_.@/+")
# letters that render as nothing although Unicode files them as letters (Lo)
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# scripts that mix freely with any other (digits and separators have none)
_NO_SCRIPT = "COMMON"


class InvalidInput(BadInput):
    """A value refused before it reaches the database (exit 2); ``field`` names it."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(code, message, field=field)
        self.field = field


def identifiant_key(identifiant: str) -> str:
    """The key identifiants are looked up by: NFKC, no surrounding blanks, case-folded.

    Never raises: a lookup with a malformed identifiant simply finds nothing.
    """
    return unicodedata.normalize("NFKC", identifiant).strip().casefold()


def lookup_key(identifiant: str) -> str:
    """The key to look ``identifiant`` up by, or ``InvalidInput`` when no account can hold it.

    An identifiant whose key is longer than its column, or that holds a control character
    (a NUL byte PostgreSQL refuses, an undecodable byte from the command line), cannot exist:
    both engines answer the same refusal instead of "not found" on SQLite and a database
    error on PostgreSQL. Anything else is looked up as typed (an account created before
    these rules keeps being found).
    """
    key = identifiant_key(identifiant)
    if len(key) > IDENTIFIANT_MAX:
        problem = f"identifiant trop long ({IDENTIFIANT_MAX} caractères au plus)"
    elif any(unicodedata.category(ch) in ("Cc", "Cs") for ch in key):
        problem = "caractère de contrôle dans l'identifiant"
    else:
        return key
    raise InvalidInput("bad_identifiant", f"Identifiant invalide : {problem}.", "identifiant")


def _script(ch: str) -> str:
    """A character's script, from its Unicode name (LATIN, CYRILLIC, GREEK...)."""
    if not ch.isalpha():
        return _NO_SCRIPT
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def identifiant_problem(identifiant: str) -> str | None:
    """Why ``identifiant`` (already NFKC, stripped) cannot be a new identifiant, or None."""
    if not identifiant:
        return "identifiant vide"
    if len(identifiant_key(identifiant)) > IDENTIFIANT_MAX or len(identifiant) > IDENTIFIANT_MAX:
        return f"identifiant trop long ({IDENTIFIANT_MAX} caractères au plus)"
    scripts: set[str] = set()
    for ch in identifiant:
        category = unicodedata.category(ch)
        if ch == " ":
            return "espace dans l'identifiant"
        if ch in _INVISIBLE_LETTERS or category[0] in "CZ" or category[0] == "M":
            return (
                f"caractère invisible, de contrôle ou combinant (U+{ord(ch):04X}) dans "
                "l'identifiant"
            )
        if category[0] not in "LN" and ch not in _IDENTIFIANT_PUNCTUATION:
            return (
                f"caractère « {ch} » non admis dans un identifiant (lettres, chiffres et "
                f"{' '.join(sorted(_IDENTIFIANT_PUNCTUATION))} seulement)"
            )
        script = _script(ch)
        if script != _NO_SCRIPT:
            scripts.add(script)
    if len(scripts) > 1:
        return (
            "identifiant mêlant des alphabets différents ("
            + ", ".join(sorted(s.lower() for s in scripts))
            + ") : des lettres qui se ressemblent font deux comptes différents"
        )
    return None


def clean_identifiant(identifiant: str) -> str:
    """A new identifiant as it will be stored (NFKC, stripped), or ``InvalidInput``."""
    cleaned = unicodedata.normalize("NFKC", identifiant).strip()
    problem = identifiant_problem(cleaned)
    if problem is not None:
        raise InvalidInput("bad_identifiant", f"Identifiant invalide : {problem}.", "identifiant")
    return cleaned


def text_problem(value: str, field: str) -> str | None:
    """Why ``value`` cannot be stored as ``field`` (a single line within its length), or None."""
    label = TEXT_LABELS.get(field, field)
    limit = TEXT_LIMITS.get(field)
    if limit is not None and len(value) > limit:
        return f"« {label} » trop long ({limit} caractères au plus)"
    for ch in value:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
            return f"caractère de contrôle ou invisible (U+{ord(ch):04X}) dans « {label} »"
    return None


def clean_text(value: str | None, field: str) -> str | None:
    """``value`` NFC-normalised and stripped (None when blank), or ``InvalidInput``."""
    if value is None:
        return None
    cleaned = unicodedata.normalize("NFC", value).strip()
    if not cleaned:
        return None
    problem = text_problem(cleaned, field)
    if problem is not None:
        raise InvalidInput("bad_text", f"Valeur refusée : {problem}.", field)
    return cleaned


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most common passwords (already a dependency)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def initial_password_problems(
    password: str, *, identifiant: str | None = None, names: Iterable[str | None] = ()
) -> list[str]:
    """Why ``password`` cannot be printed on a letter as an initial password (French, each
    reason once, in a stable order); empty when it can."""
    problems: list[str] = []
    if len(password) < INITIAL_PASSWORD_MIN:
        problems.append(f"moins de {INITIAL_PASSWORD_MIN} caractères")
    if len(password) > INITIAL_PASSWORD_MAX:
        problems.append(f"plus de {INITIAL_PASSWORD_MAX} caractères")
    if any(not ch.isprintable() for ch in password):
        problems.append("caractère de contrôle")
    if password.strip() != password:  # invisible on a letter, and lost by a copy-paste
        problems.append("espace au début ou à la fin")
    folded = _fold(password)
    if folded in _common_passwords():
        problems.append("mot de passe très répandu")
    own = [identifiant, *names]
    if any(value and len(value) >= 3 and _fold(value) in folded for value in own):
        problems.append("contient l'identifiant ou le nom du propriétaire")
    return problems


def check_initial_password(
    password: str, *, identifiant: str | None = None, names: Iterable[str | None] = ()
) -> None:
    """``InvalidInput`` naming every reason ``password`` cannot be an initial password."""
    problems = initial_password_problems(password, identifiant=identifiant, names=names)
    if problems:
        raise InvalidInput(
            "bad_initial_password",
            "Mot de passe initial refusé : " + " ; ".join(problems) + ".",
            "password",
        )
