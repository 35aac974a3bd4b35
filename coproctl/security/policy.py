"""The new-password policy: the seed rules, a guessability estimate, not the current one.

Every failing rule is reported at once, each with a stable ``code`` and a French message
for the owner. Rules apply to the password's NFKC form, the form that is hashed
(:func:`coproctl.security.passwords.normalise`): what is checked is what is stored. A
control character (NUL, ESC, a line break...) is refused: nobody can type it again.
Guessability is zxcvbn's estimate, fed with the owner's own data; zxcvbn is imported on
first use only, so that CLI start-up does not pay for it.

zxcvbn sees every character of every password the policy may accept (up to the 128
allowed; it costs at most a quarter of a second at that length): nothing beyond a cap
escapes the estimate, and nothing before it decides alone (``"a" * 100`` followed by 28
random characters is accepted; ``Password1`` repeated up to 128 characters is not).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import permutations
from operator import itemgetter
from types import ModuleType
from typing import Any

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn's input cap: above the policy's own maximum (no password goes beyond it; the
# accent-free variant of one full of ligatures, œ -> oe, may be up to twice as long)
_ESTIMATE_MAX = 2 * MAX_LENGTH
_FRENCH_DICTIONARY = "coproctl_french"
_SEPARATORS = re.compile(r"[\s\-‐–'’.@_+]+")
_JUNCTION = re.compile(r"(?<=[^\W_])[\s\-‐–'’._+]+(?=[^\W_])")  # between letters, digits
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})

# zxcvbn hands the user inputs to its matchers in a module-level dict: one estimate at a time.
_ESTIMATE_LOCK = threading.Lock()

_MESSAGES = {
    "too_short": f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères.",
    "too_long": f"Le mot de passe ne doit pas dépasser {MAX_LENGTH} caractères.",
    "no_uppercase": "Le mot de passe doit contenir au moins une lettre majuscule.",
    "no_lowercase": "Le mot de passe doit contenir au moins une lettre minuscule.",
    "no_digit": "Le mot de passe doit contenir au moins un chiffre.",
    "control_character": (
        "Le mot de passe ne doit contenir ni caractère de contrôle ni saut de ligne "
        "(tabulation, échappement, caractère nul…)."
    ),
    "same_as_current": "Le nouveau mot de passe doit être différent de votre mot de passe actuel.",
}

# Reasons a password is guessable, in the order the message lists them.
_PERSONAL = "reprend vos données personnelles (nom, prénom, identifiant, e-mail, résidence)"
_IS_WIDESPREAD = "fait partie des mots de passe les plus répandus"
_CONTAINS = {
    "contains_widespread": "un mot de passe très répandu",
    "word": "un mot ou un prénom courant",
    "date": "une date ou une année",
    "spatial": "une suite de touches voisines sur le clavier (azerty, qsdf…)",
    "sequence": "une suite logique (abcd, 1234…)",
    "repeat": "des répétitions (aaaa, 1212…)",
}
_TRICKS = {
    "l33t": "remplacer des lettres par des chiffres ou des symboles (@ pour a, 0 pour o…)",
    "reversed": "écrire un mot à l'envers",
}


@dataclass(frozen=True)
class PolicyFailure:
    """One failed rule: a stable ``code`` and a French ``message`` for the owner."""

    code: str
    message: str


def check_new_password(
    password: str,
    *,
    user_inputs: Sequence[str] = (),
    min_score: int = 3,
    is_current: Callable[[str], bool] | None = None,
) -> list[PolicyFailure]:
    """Every failing rule, in a stable order; empty list = accepted.

    ``user_inputs`` is the owner's own data (names, identifiant, e-mail, copropriété, city);
    ``min_score`` the zxcvbn score required (3: about 10^8 guesses); ``is_current`` tells
    whether a password is the current one (a hash check; an exception counts as "no").
    """
    text = unicodedata.normalize("NFKC", password)
    failures = [
        PolicyFailure(code, _MESSAGES[code])
        for code, failed in (
            ("too_short", len(text) < MIN_LENGTH),
            ("too_long", len(text) > MAX_LENGTH),
            ("no_uppercase", not any(ch.isupper() for ch in text)),
            ("no_lowercase", not any(ch.islower() for ch in text)),
            ("no_digit", not any(ch.isdecimal() for ch in text)),
            ("control_character", any(_is_control(ch) for ch in text)),
        )
        if failed
    ]
    if len(text) <= MAX_LENGTH:
        reason = _guessable(text, user_inputs, min_score)
        if reason is not None:
            failures.append(PolicyFailure("guessable", reason))
    if is_current is not None and _is_current(is_current, password):
        failures.append(PolicyFailure("same_as_current", _MESSAGES["same_as_current"]))
    return failures


def _is_control(ch: str) -> bool:
    """C0/C1 controls (NUL, ESC, tab, CR, LF, DEL...), lone surrogates, line separators."""
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def requirements_fr() -> list[str]:
    """The rules as short French lines, for help and prompt text."""
    return [
        f"Au moins {MIN_LENGTH} caractères (au plus {MAX_LENGTH}).",
        "Au moins une majuscule et une minuscule (les lettres accentuées comptent).",
        "Au moins un chiffre.",
        "Sans caractère de contrôle (tabulation, saut de ligne…).",
        (
            "Difficile à deviner : ni vos nom, prénom, identifiant, e-mail ou résidence, ni une "
            "date, ni une suite de touches (azerty, 1234), ni un mot courant suivi de chiffres "
            "(Soleil2024)."
        ),
        "Différent de votre mot de passe actuel.",
    ]


def _is_current(is_current: Callable[[str], bool], password: str) -> bool:
    try:
        return bool(is_current(password))
    except Exception:  # any failure of the check means "not the same"
        return False  # e.g. bcrypt refusing a secret over 72 bytes


def required_guesses(min_score: int) -> int:
    """The guesses a zxcvbn score stands for: 10^(2s+2), so score 3 is 10^8 (SPEC §1).

    zxcvbn's own ``guesses_to_score`` wants 10^8 + 5 for a 3, which refuses every random
    8-character password (priced exactly 10^8): the spec's "10^8 or more" accepts it.
    """
    return 0 if min_score <= 0 else 10 ** (2 * min_score + 2)


def _guessable(text: str, user_inputs: Iterable[str], min_score: int) -> str | None:
    """The French reason ``text`` is too easy to guess, or None if it is not.

    zxcvbn estimates the password as typed, without accents, and folded (lower case, no
    separator between letters or digits): alone, it prices "Jean-Pierre" as random characters
    around "Pierre" and "Abcdefgh1" as a capital breaking a sequence. The folded form is
    charged 2 guesses for the case and 10 per separator, so that a random password loses
    nothing by it. The lowest estimate counts.
    """
    if not text:
        return _guessable_message([])  # zxcvbn fails on an empty string
    zxcvbn = _zxcvbn()
    inputs = _expand_user_inputs(user_inputs)
    stripped = _strip_accents(text)
    folded, junctions = _JUNCTION.subn("", stripped)
    variants: dict[str, int] = {}
    for candidate, factor in ((text, 1), (stripped, 1), (folded.lower(), 2 * 10**junctions)):
        if candidate:
            variants.setdefault(candidate, factor)
    estimates: list[tuple[Any, list[dict[str, Any]]]] = []  # (guesses, zxcvbn sequence)
    for candidate, factor in variants.items():
        result = _estimate(zxcvbn, candidate, inputs)
        estimates.append((result["guesses"] * factor, result["sequence"]))
    guesses, sequence = min(estimates, key=itemgetter(0))
    if guesses >= required_guesses(min_score):
        return None
    return _guessable_message(sequence)


def _expand_user_inputs(user_inputs: Iterable[str]) -> list[str]:
    """The owner's data as zxcvbn words: each input lower-cased, with and without accents,
    whole, in parts, parts run together, then every two parts run together ("marielefevre").
    Words under 3 characters are left out."""
    words: dict[str, None] = {}
    parts: dict[str, None] = {}
    for raw in user_inputs:
        if not raw:
            continue
        for form in (raw.lower(), _strip_accents(raw).lower()):
            pieces = [piece for piece in _SEPARATORS.split(form) if piece]
            parts.update(dict.fromkeys(piece for piece in pieces if len(piece) >= 3))
            words.update(dict.fromkeys((form, *pieces, "".join(pieces))))
    words.update(dict.fromkeys(first + second for first, second in permutations(parts, 2)))
    return [word for word in words if len(word) >= 3]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _zxcvbn() -> ModuleType:
    """The zxcvbn package, with the French list registered (once)."""
    import zxcvbn

    from coproctl.security.french_words import FRENCH_WORDS

    zxcvbn.matching.add_frequency_lists({_FRENCH_DICTIONARY: list(FRENCH_WORDS)})
    return zxcvbn


def _estimate(zxcvbn: ModuleType, password: str, user_inputs: list[str]) -> dict[str, Any]:
    with _ESTIMATE_LOCK:
        try:
            return zxcvbn.zxcvbn(password, user_inputs=user_inputs, max_length=_ESTIMATE_MAX)
        finally:  # zxcvbn leaves the owner's data in a module-level dict: do not keep it
            zxcvbn.matching.RANKED_DICTIONARIES.pop("user_inputs", None)


def _guessable_message(sequence: Sequence[dict[str, Any]]) -> str:
    """One French sentence saying why, from zxcvbn's match sequence (never its feedback)."""
    found: set[str] = set()
    tricks: dict[str, None] = {}
    for match in sequence:
        pattern = match["pattern"]
        if pattern == "dictionary":
            name = match.get("dictionary_name")
            if name == "user_inputs":
                found.add("personal")
            elif name == "passwords":
                found.add("widespread" if len(sequence) == 1 else "contains_widespread")
            else:
                found.add("word")
            for trick in ("l33t", "reversed"):
                if match.get(trick):
                    tricks[_TRICKS[trick]] = None
        elif pattern == "date" or match.get("regex_name") == "recent_year":
            found.add("date")
        elif pattern in ("spatial", "sequence", "repeat"):
            found.add(pattern)

    clauses = [_PERSONAL] if "personal" in found else []
    if "widespread" in found:
        clauses.append(_IS_WIDESPREAD)
    contained = [text for key, text in _CONTAINS.items() if key in found]
    if contained:
        clauses.append("contient " + _join(contained))
    why = "il " + _join(clauses) if clauses else "il est trop court ou trop simple"
    message = f"Mot de passe trop facile à deviner : {why}."
    if tricks:
        trick_text = " ou ".join(tricks)
        message += f" {trick_text[0].upper()}{trick_text[1:]} ne le rend pas plus sûr."
    return message + " Ajoutez des mots ou des caractères moins prévisibles."


def _join(items: Sequence[str]) -> str:
    """French enumeration: "a", "a et b", "a, b et c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]
