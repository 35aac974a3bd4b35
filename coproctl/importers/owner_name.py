"""One owner column (``Copropriétaire`` = ``Mme LEFÈVRE Hélène``) split into its parts.

Property-management software often exports the owner as one cell: a civility, the last name
in capitals, then the first name. When a file has no separate name column the reader splits
it: the civility is a known French one at the start; the last name is the run of words in
capitals (``DE LA TOUR``, ``LEFÈVRE-DURAND``, ``D'ARTAGNAN``), at the start or else at the
end (``Hélène LEFÈVRE``); the first name is what remains. A cell without a word in capitals
cannot be split: it all becomes the last name, and the reader says so for that line.
A company (``SCI LES TILLEULS``) is all capitals: all of it is the last name.
"""

from __future__ import annotations

from typing import NamedTuple

_CIVILITIES = (
    "monsieur et madame",
    "m. et mme",
    "m et mme",
    "mme et m.",
    "mme et m",
    "mr et mme",
    "mademoiselle",
    "madame",
    "monsieur",
    "maître",
    "maitre",
    "docteur",
    "mmes",
    "mlle",
    "melle",
    "mme",
    "mm.",
    "mm",
    "mr.",
    "mr",
    "me",
    "dr",
    "m.",
    "m",
)


class OwnerName(NamedTuple):
    civility: str
    last_name: str
    first_name: str
    split: bool  # False: no word in capitals, everything taken as the last name


def _is_capitals(word: str) -> bool:
    """A word of a last name in capitals: two letters at least, none in small letters."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and word == word.upper()


def split_owner(text: str) -> OwnerName:
    words = text.split()
    civility = ""
    lowered = [w.lower() for w in words]
    for candidate in _CIVILITIES:
        parts = candidate.split()
        if lowered[: len(parts)] == parts and len(words) > len(parts):
            civility = " ".join(words[: len(parts)])
            words = words[len(parts) :]
            break
    if all(_is_capitals(w) or not any(c.isalpha() for c in w) for w in words):
        return OwnerName(civility, " ".join(words), "", True)
    lead = 0
    while lead < len(words) and _is_capitals(words[lead]):
        lead += 1
    if lead:
        return OwnerName(civility, " ".join(words[:lead]), " ".join(words[lead:]), True)
    tail = len(words)
    while tail > 0 and _is_capitals(words[tail - 1]):
        tail -= 1
    if tail < len(words):
        return OwnerName(civility, " ".join(words[tail:]), " ".join(words[:tail]), True)
    return OwnerName(civility, " ".join(words), "", False)
