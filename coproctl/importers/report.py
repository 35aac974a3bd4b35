"""The rejected rows of an import, written back as CSV for staff to fix and re-import.

UTF-8 with a BOM and ``;``: what French Excel opens as is. Password and hash cells are
never written back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from coproctl.errors import BadInput

MASKED = "(masqué)"


def write_report(
    path: Path,
    header: list[str],
    rejected: Iterable[tuple[int, str | None, str]],
    cells: Mapping[int, list[str]],
    secret: frozenset[int],
) -> int:
    """Write one line per rejected row: line, identifiant, reason, then the row as read."""
    count = 0
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(["ligne", "identifiant", "motif", *header])
            for line, identifiant, reason in rejected:
                row = cells.get(line, [])
                shown = [MASKED if i in secret and cell else cell for i, cell in enumerate(row)]
                writer.writerow([line, identifiant or "", reason, *shown])
                count += 1
    except OSError as exc:
        raise BadInput(
            "unwritable_report", f"Impossible d'écrire le rapport {path} : {exc.strerror}."
        ) from None
    return count
