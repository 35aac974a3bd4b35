"""Text folded for searching: case, accents and ligatures do not matter (``Lefèvre`` =
``lefevre``, ``Cœur`` = ``coeur``), on SQLite and PostgreSQL alike.

The folded text is stored in a ``search_text`` column, filled at write time: by the ORM
for every flush of an ``Account`` or ``Owner`` (``models.py`` registers the hooks), and by
any bulk writer that goes around the ORM (the import's Core inserts and updates), which
calls :func:`account_search_text` / :func:`owner_search_text` for the rows it writes. The
query folds each word the same way and requires every word (``services/owners/accounts``).
"""

from __future__ import annotations

import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ĳ": "ij", "ﬀ": "ff", "’": "'", "ʼ": "'"})


def fold(text: str | None) -> str:
    """Lower case, no accents, ligatures spelt out, blanks collapsed."""
    if not text:
        return ""
    folded = text.casefold().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", folded)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def search_words(text: str | None) -> list[str]:
    """The folded words of a search (every one must match)."""
    return fold(text).split()


def _joined(*parts: str | None) -> str:
    return " ".join(folded for folded in (fold(part) for part in parts) if folded)


def account_search_text(identifiant: str | None, email: str | None, copropriete: str | None) -> str:
    """What ``account list --search`` finds an account by (its owner's names: the owner's)."""
    return _joined(identifiant, email, copropriete)


def owner_search_text(owner_ref: str | None, last_name: str | None, first_name: str | None) -> str:
    return _joined(owner_ref, last_name, first_name)
