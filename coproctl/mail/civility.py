"""How a mail greets the owner: the civility as the accounting software writes it, in full.

Imports carry whatever the accounting export holds (``M.``, ``Mme``, ``M. et Mme``,
``SCI``...): a known civility becomes its full French form, anything else (a company, an
empty cell) gives a greeting by name, or a neutral one.
"""

from __future__ import annotations

import re

_TITLES = {
    "m": "Monsieur",
    "mr": "Monsieur",
    "monsieur": "Monsieur",
    "mme": "Madame",
    "mrs": "Madame",
    "madame": "Madame",
    "mlle": "Madame",
    "melle": "Madame",
    "mademoiselle": "Madame",
    "mmes": "Mesdames",
    "mesdames": "Mesdames",
    "mm": "Messieurs",
    "messieurs": "Messieurs",
}
_COUPLE = "Madame, Monsieur"


def _key(civility: str) -> str:
    return re.sub(r"[^a-z ]", "", civility.strip().lower().replace(".", " ")).strip()


def title(civility: str | None) -> str | None:
    """'Madame', 'Monsieur', 'Madame, Monsieur' for a couple; None when unknown."""
    key = _key(civility or "")
    if not key:
        return None
    if key in _TITLES:
        return _TITLES[key]
    words = [word for word in re.split(r"\s+(?:et|ou|and)\s+|\s+", key) if word]
    titles = {_TITLES.get(word) for word in words}
    if titles == {"Madame", "Monsieur"}:
        return _COUPLE
    return None


def greeting(civility: str | None, last_name: str | None, first_name: str | None = None) -> str:
    """'Bonjour Madame Lefèvre,' — 'Madame, Monsieur,' — or by name, or 'Bonjour,'."""
    known = title(civility)
    if known and known != _COUPLE and last_name:
        return f"Bonjour {known} {last_name},"
    if known:
        return f"{known},"
    name = " ".join(part.strip() for part in (first_name, last_name) if part and part.strip())
    return f"Bonjour {name}," if name else "Bonjour,"
