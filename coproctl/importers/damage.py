"""Values a spreadsheet round trip altered, told to staff line by line (never "fixed").

French Excel opens a CSV and types its cells: ``06000`` becomes the number 6000, the lot
``1-2`` the date 1 February (saved back as ``01-févr``), the password ``1E5`` the number
100000 (saved back as ``1,00E+05``). Saved again, the file is what staff import: the
owner's letter no longer matches. The reader cannot know the original for sure, so it
warns, with the line; a password is never echoed.
"""

from __future__ import annotations

import re

from coproctl.importers.result import ReadNote
from coproctl.importers.workbook import DATE, NUMBER

_MONTHS = {
    "janv": 1,
    "jan": 1,
    "fevr": 2,
    "févr": 2,
    "feb": 2,
    "mars": 3,
    "mar": 3,
    "avr": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "jun": 6,
    "juil": 7,
    "jul": 7,
    "août": 8,
    "aout": 8,
    "aug": 8,
    "sept": 9,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "déc": 12,
    "dec": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# 01-févr, 1-févr., 01-févr-26 (Excel's "jj-mmm"), févr-12 ("mmm-aa")
_DAY_MONTH = re.compile(rf"(\d{{1,2}})[-/ .]({_MONTH})\.?(?:[-/ ]\d{{2,4}})?", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"({_MONTH})\.?[-/ ](\d{{2,4}})", re.IGNORECASE)
_FULL_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")


def postal_code(line: int, value: str) -> ReadNote | None:
    if len(value) == 4 and value.isdigit():
        return ReadNote(
            line,
            "postal_code_4_digits",
            f"code postal « {value} » à 4 chiffres : un tableur a sans doute supprimé le zéro "
            f"initial (« 0{value} ») ; corrigez-le dans le fichier.",
        )
    return None


def lot(line: int, value: str, typed: str | None) -> ReadNote | None:
    if value.isdigit():  # the usual lot
        return None
    guess = None
    match = _DAY_MONTH.fullmatch(value)
    if match is not None:
        guess = f"{int(match[1])}-{_MONTHS[match[2].lower()]}"
    elif (match := _MONTH_YEAR.fullmatch(value)) is not None:
        guess = f"{_MONTHS[match[1].lower()]}-{int(match[2]) % 100}"
    elif typed != DATE and _FULL_DATE.fullmatch(value) is None:
        return None
    original = f" (sans doute « {guess} » à l'origine)" if guess else ""
    return ReadNote(
        line,
        "lot_read_as_date",
        f"lot « {value} » : une date, qu'un tableur a faite d'un numéro de lot{original} ; "
        "corrigez-le dans le fichier.",
    )


def password(line: int, value: str, typed: str | None) -> ReadNote | None:
    """A password a spreadsheet took for a number; the value itself is never shown."""
    if typed == NUMBER:
        return ReadNote(
            line,
            "password_number",
            "mot de passe saisi comme un nombre dans le classeur : le tableur a pu le "
            "réécrire (zéros initiaux, notation scientifique) ; celui de la lettre risque de "
            "ne plus fonctionner.",
        )
    if not value[:1].isdigit() and value[:1] not in "+-":
        return None
    if _SCIENTIFIC.fullmatch(value):
        return ReadNote(
            line,
            "password_scientific",
            "mot de passe en notation scientifique (de la forme 1,00E+05) : un tableur a pris "
            "le mot de passe pour un nombre et l'a réécrit ; celui de la lettre ne "
            "fonctionnera pas.",
        )
    if _DECIMAL_COMMA.fullmatch(value):
        return ReadNote(
            line,
            "password_decimal_comma",
            "mot de passe en nombre à virgule : un tableur a pu le réécrire (virgule "
            "décimale, chiffres arrondis) ; vérifiez celui de la lettre.",
        )
    return None
