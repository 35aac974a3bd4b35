"""Records (lists of cells) -> rows of values by field, line errors and notes.

The hot loop of a large import: the usual row costs a few C calls (an ``itemgetter``, a
strip per cell, one ``isprintable``); everything unusual — ``NULL`` cells, joined address
columns, an owner column to split, a totals line, a value a spreadsheet damaged — is looked
for with one cheap test first.

A record with more cells than the header is malformed: the cells cannot be attributed to
columns (an unquoted ``;`` shifts the password into the next column), so they are withheld
(never kept for a report) and the line is reported by number and reason; its identifiant is
kept only when no secret column comes before it (a shift to the right cannot bring a
secret there). A record with fewer cells is read (trailing empty cells may be left out),
but a line error on it names no identifiant unless every secret column comes before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import gt, itemgetter

from coproctl.importers import damage
from coproctl.importers.columns import Columns
from coproctl.importers.errors import ReadError
from coproctl.importers.fields import FIELDS, REPORT_WITHHELD_FIELDS, SECRET_FIELDS
from coproctl.importers.owner_name import split_owner
from coproctl.importers.result import LineError, ReadNote, ReadResult, SourceRow
from coproctl.importers.workbook import DATE, NUMBER
from coproctl.typography import count

# printable blanks other than the space, which str.split() collapses too
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# phpMyAdmin writes NULL for an empty cell, MySQL's SELECT ... INTO OUTFILE \N
NULLS = ("NULL", "\\N")
_TOTALS = re.compile(r"(sous[- ]?)?(total|totaux)\b", re.IGNORECASE)
_NUMBER_START = frozenset("0123456789+-")
MAX_LINE_ERRORS = 10_000  # beyond, and more errors than rows: this is no export


class RowShape:
    """What the hot loop needs about the columns, computed once per file."""

    def __init__(self, columns: Columns) -> None:
        index = list(columns.index.items())
        self.width = len(columns.header)
        self.names = [name for name, _ in index]
        positions = [i for _, i in index]
        self.needed = max([*positions, *(columns.joined.get("address", [])), -1]) + 1
        if columns.owner_at is not None:
            self.needed = max(self.needed, columns.owner_at + 1)
        self.cells = itemgetter(*positions) if len(positions) > 1 else _one(positions)
        self.secrets = [(k, i) for k, (name, i) in enumerate(index) if name in SECRET_FIELDS]
        self.limits = [FIELDS[name].max_length for name in self.names]
        self.identifiant = columns.index.get("identifiant")
        withheld = [i for name, i in index if name in REPORT_WITHHELD_FIELDS]
        # a cell too many shifts cells right: a secret cannot land before its column; a
        # cell too few shifts them left: a secret cannot land after its column
        self.identifiant_safe = self.identifiant is not None and all(
            self.identifiant < i for i in withheld
        )
        self.identifiant_safe_short = self.identifiant is not None and all(
            self.identifiant > i for i in withheld
        )
        self.joined = {name: at for name, at in columns.joined.items()}
        self.owner_at = columns.owner_at
        self.damage = any(name in columns.index for name in ("postal_code", "lot", "password"))
        self.typed_at = {i: name for name, i in index if name in ("password", "lot")}
        # the typed cells worth a warning: a password made a number, a lot made a date
        self.typed_relevant = frozenset(
            (i, NUMBER if name == "password" else DATE) for i, name in self.typed_at.items()
        )


def _one(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    return lambda record: tuple(record[i] for i in positions)


class RowBuilder:
    """Adds records to a :class:`ReadResult`, one call per record."""

    def __init__(self, table: ReadResult, columns: Columns) -> None:
        self.table = table
        self.shape = RowShape(columns)
        self.nulls = 0
        self.first_null: int | None = None

    def add(self, line: int, record: list[str], typed: dict[int, str] | None = None) -> None:
        """Clean and check one record's values (the usual one in a few C calls)."""
        table, shape = self.table, self.shape
        count = len(record)
        if count > shape.width and any(cell.strip() for cell in record[shape.width :]):
            self._malformed(line, record)
            return
        padded = record if count >= shape.needed else record + [""] * (shape.needed - count)
        raw = shape.cells(padded)
        joined = "".join(raw)
        if ("NULL" in joined or "\\N" in joined) and ("NULL" in record or "\\N" in record):
            record = self._nulls(line, record)
            padded = record if count >= shape.needed else record + [""] * (shape.needed - count)
            raw = shape.cells(padded)
            joined = "".join(raw)
        if joined.isprintable() and "  " not in joined and _ODD_SPACE.search(joined) is None:
            cleaned = [cell.strip() for cell in raw]  # the usual row: nothing inside to collapse
            printable = True
        else:
            cleaned = [" ".join(cell.split()) for cell in raw]
            for k, i in shape.secrets:  # a password keeps its inner blanks
                cleaned[k] = padded[i].strip()
            printable = "".join(cleaned).isprintable()
        values = {name: value for name, value in zip(shape.names, cleaned, strict=True) if value}
        too_long = any(map(gt, map(len, cleaned), shape.limits))
        if shape.joined or shape.owner_at is not None:
            printable, too_long = self._compose(line, padded, values, printable, too_long)
        if "owner_ref" not in values and self._totals(line, padded, values):
            return
        problem = None
        if "identifiant" not in values:
            problem = "identifiant manquant"
        elif not printable or too_long:
            problem = next(
                (
                    _value_problem(name, value)
                    for name, value in values.items()
                    if len(value) > FIELDS[name].max_length or not value.isprintable()
                ),
                "valeur illisible",
            )
        if problem is not None:
            identifiant = values.get("identifiant")
            if count < shape.width and not shape.identifiant_safe_short:
                identifiant = None  # the row is short: its cells may sit left of their column
            table.errors.append(LineError(line, identifiant, problem, record))
            self._bounded()
            return
        if shape.damage:  # cheap tests first: the usual value is none of these
            code = values.get("postal_code")
            lot = values.get("lot")
            password = values.get("password")
            if (
                (typed is not None and not shape.typed_relevant.isdisjoint(typed.items()))
                or (code is not None and len(code) == 4)
                or (lot is not None and not lot.isdigit())
                or (password is not None and password[0] in _NUMBER_START)
            ):
                self._damage(line, values, typed)
        table.rows.append(SourceRow(line, values, record))

    def _malformed(self, line: int, record: list[str]) -> None:
        shape = self.shape
        identifiant = None
        if shape.identifiant_safe and shape.identifiant is not None:
            identifiant = record[shape.identifiant].strip() or None
        self.table.errors.append(
            LineError(
                line,
                identifiant,
                f"{count(len(record), 'valeur')} pour {count(shape.width, 'colonne')} "
                "(séparateur ou guillemets mal placés ?) : cellules non reproduites",
                [],
            )
        )
        self._bounded()

    def _nulls(self, line: int, record: list[str]) -> list[str]:
        self.nulls += 1
        if self.first_null is None:
            self.first_null = line
        return ["" if cell in NULLS else cell for cell in record]

    def _compose(
        self,
        line: int,
        padded: list[str],
        values: dict[str, str],
        printable: bool,
        too_long: bool,
    ) -> tuple[bool, bool]:
        """Joined address columns and the split owner column, into ``values``."""
        shape = self.shape
        for name, positions in shape.joined.items():
            parts = [" ".join(padded[i].split()) for i in positions]
            value = ", ".join(part for part in parts if part)
            values.pop(name, None)
            if value:
                values[name] = value
                printable = printable and value.isprintable()
                too_long = too_long or len(value) > FIELDS[name].max_length
        if shape.owner_at is not None:
            text = " ".join(padded[shape.owner_at].split())
            if text:
                owner = split_owner(text)
                for name, value in (
                    ("civility", owner.civility),
                    ("last_name", owner.last_name),
                    ("first_name", owner.first_name),
                ):
                    if value and name not in values:
                        values[name] = value
                        too_long = too_long or len(value) > FIELDS[name].max_length
                printable = printable and text.isprintable()
                if not owner.split:
                    self.table.notes.append(
                        ReadNote(
                            line,
                            "owner_not_split",
                            f"« {text} » : aucun nom en majuscules, tout est pris comme nom "
                            "(prénom vide) ; vérifiez-le.",
                        )
                    )
        return printable, too_long

    def _totals(self, line: int, padded: list[str], values: dict[str, str]) -> bool:
        """A totals line (``Total``, ``Totaux``, ``Sous-total``): skipped, and said."""
        first = next((cell.strip() for cell in padded if cell.strip()), "")
        if not _TOTALS.match(first) or values.get("identifiant", first) != first:
            return False
        if any(name in values for name in REPORT_WITHHELD_FIELDS):
            return False
        self.table.notes.append(
            ReadNote(line, "totals_line", f"ligne de totaux « {first[:40]} » ignorée.")
        )
        return True

    def _damage(self, line: int, values: dict[str, str], typed: dict[int, str] | None) -> None:
        notes = self.table.notes
        shape = self.shape
        kinds = (
            {shape.typed_at[i]: kind for i, kind in typed.items() if i in shape.typed_at}
            if typed
            else {}
        )
        value = values.get("postal_code")
        if value is not None and (note := damage.postal_code(line, value)) is not None:
            notes.append(note)
        value = values.get("lot")
        if value is not None and (note := damage.lot(line, value, kinds.get("lot"))) is not None:
            notes.append(note)
        value = values.get("password")
        if value is not None:
            note = damage.password(line, value, kinds.get("password"))
            if note is not None:
                notes.append(note)

    def _bounded(self) -> None:
        errors = len(self.table.errors)
        if errors > MAX_LINE_ERRORS and errors > len(self.table.rows):
            raise ReadError(
                "too_many_errors",
                f"Plus de {MAX_LINE_ERRORS} lignes inutilisables, et plus que de lignes "
                f"valides (dernière : ligne {self.table.errors[-1].line}) : ce fichier n'est "
                "pas un export d'appel de fonds lisible avec ces colonnes. Lecture arrêtée, "
                "rien n'a été importé.",
            )

    def finish(self) -> None:
        """Notes said once for the file."""
        if self.nulls:
            self.table.notes.append(
                ReadNote(
                    self.first_null or self.table.header_line,
                    "null_cells",
                    f"Cellules « NULL » (export phpMyAdmin) lues comme vides, sur "
                    f"{count(self.nulls, 'ligne')}.",
                )
            )


def _value_problem(name: str, value: str) -> str:
    spec = FIELDS[name]
    if len(value) > spec.max_length:
        return f"« {spec.label} » trop long ({spec.max_length} caractères au plus)"
    return f"caractère de contrôle dans « {spec.label} »"
