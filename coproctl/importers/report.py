"""The rejected rows of an import, written back as CSV for staff to fix and re-import.

UTF-8 with a BOM and ``;``: what French Excel opens as is. What a report never holds:

- a password, a hash or a salt: their columns are masked, and a row whose cells cannot be
  attributed to the header's columns (more or fewer cells than the header: an unquoted
  ``;`` shifts a password into the next column) has all its cells withheld — the line
  number and the reason say what to fix;
- a formula: every cell goes through :func:`coproctl.csv_safety.neutralise`.

The file is created 0600 (it holds owners' names and addresses), and only when at least
one row was rejected: :func:`write_report` says whether it wrote.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from coproctl.csv_safety import safe_row
from coproctl.errors import BadInput

MASKED = "(masqué)"
WITHHELD = "cellules non reproduites : ligne mal formée"


def attributable(cells: list[str], width: int) -> list[str] | None:
    """The cells when each can be attributed to its column, else None."""
    if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
        cells = cells[:width]  # empty cells past the header: a trailing delimiter
    return cells if len(cells) == width else None


def write_report(
    path: Path,
    header: list[str],
    rejected: Iterable[tuple[int, str | None, str]],
    cells: Mapping[int, list[str]],
    secret: frozenset[int],
) -> bool:
    """One line per rejected row: line, identifiant, reason, then its cells as read.

    Writes nothing, and returns False, when no row was rejected."""
    rows = list(rejected)
    if not rows:
        return False
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
        except OSError:
            os.close(fd)
            raise
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(safe_row(["ligne", "identifiant", "motif", *header]))
            for line, identifiant, reason in rows:
                shown = attributable(cells.get(line, []), len(header))
                if shown is None:
                    if cells.get(line):
                        reason = f"{reason} ({WITHHELD})"
                    shown = []
                else:
                    shown = [
                        MASKED if i in secret and cell else cell for i, cell in enumerate(shown)
                    ]
                writer.writerow(safe_row([line, identifiant or "", reason, *shown]))
    except OSError as exc:
        raise BadInput(
            "unwritable_report", f"Impossible d'écrire le rapport {path} : {exc.strerror}."
        ) from None
    return True
