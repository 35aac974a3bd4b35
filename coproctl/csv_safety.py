"""Cells made safe for a spreadsheet: every CSV coproctl writes goes through :func:`neutralise`.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel
and LibreOffice as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``, DDE payloads):
a name typed by an owner or a line of an import file would run in the staff's spreadsheet.
OWASP's rule for CSV injection: prefix such a cell with a single quote, which the
spreadsheet shows as text. The quote is visible in the raw file; that is the price of a
cell that can never run. A value given as a Python number (not text) is written as is.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    """The cell as text, with a ``'`` in front when a spreadsheet would run it."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return str(cell)  # a number given as a number cannot hold a formula
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(cells: Iterable[object]) -> list[str]:
    """A row for ``csv.writer``, every cell neutralised."""
    return [neutralise(cell) for cell in cells]
