"""An export file -> a :class:`Table`: its rows as fields, and the lines that could not be used.

No database access and no rule beyond the shape of each value: merging rows, owners and
accounts is the import service's job. The only exception raised is :class:`ReadError`, for a
file that cannot be read at all; a bad line is a :class:`LineError` and the others go on.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import gt, itemgetter
from pathlib import Path

from coproctl.importers.decoding import decode
from coproctl.importers.errors import ReadError
from coproctl.importers.fields import (
    ALIASES,
    FIELDS,
    IGNORE,
    SECRET_FIELDS,
    normalise_header,
    resolve_field,
)
from coproctl.importers.result import (
    GIVEN,
    Decoding,
    LineError,
    ReadNote,
    ReadResult,
    SourceRow,
    Table,
)

__all__ = [
    "Decoding",
    "LineError",
    "ReadNote",
    "ReadResult",
    "SourceRow",
    "Table",
    "parse_mapping",
    "read_csv",
    "read_file",
]

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
HEADER_SEARCH_LINES = 10  # a title line or two may stand above the header
MAX_FILE_BYTES = 512 * 1024 * 1024
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
# printable blanks other than the space, which str.split() collapses too
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def parse_mapping(items: Iterable[str], allowed: Sequence[str]) -> dict[str, str]:
    """``--map 'Header=field'`` options -> {normalised header: field or IGNORE}."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, target = item.partition("=")
        key = normalise_header(header)
        if not sep or not key:
            raise ReadError(
                "bad_mapping", f"--map « {item} » : la forme attendue est 'En-tête=champ'."
            )
        target = target.strip()
        if target in ("", IGNORE):
            mapping[key] = IGNORE
            continue
        name = target if target in FIELDS else resolve_field(target)
        if name is None or name not in allowed:
            raise ReadError(
                "bad_mapping",
                f"--map « {item} » : champ inconnu « {target} ». Champs possibles : "
                f"{', '.join(allowed)} (ou « - » pour ignorer la colonne).",
            )
        mapping[key] = name
    return mapping


def read_file(
    path: Path,
    *,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """A CSV file, or JSON lines (``.jsonl``, or text starting with ``{``)."""
    data = _read_bytes(path)
    text, used = decode(data, encoding)
    if not text.strip():
        raise ReadError("empty_file", f"Le fichier {path} est vide.")
    if path.suffix.lower() in JSON_SUFFIXES or text.lstrip().startswith("{"):
        return read_json_lines(text, used, allowed, required, mapping or {}, str(path))
    return read_csv_text(text, used, allowed, required, mapping or {}, delimiter, str(path))


def read_csv(
    data: bytes,
    *,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    source: str = "<données>",
) -> Table:
    text, used = decode(data, encoding)
    if not text.strip():
        raise ReadError("empty_file", f"Le fichier {source} est vide.")
    return read_csv_text(text, used, allowed, required, mapping or {}, delimiter, source)


def _read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ReadError("file_too_large", f"Le fichier {path} dépasse 512 Mo.")
        return path.read_bytes()
    except FileNotFoundError:
        raise ReadError("file_not_found", f"Fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise ReadError("unreadable_file", f"{path} est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise ReadError(
            "unreadable_file", f"Lecture impossible de {path} : {exc.strerror}."
        ) from None


def _decoding(encoding: Decoding | str) -> Decoding:
    if isinstance(encoding, Decoding):
        return encoding
    return Decoding(encoding, GIVEN, encoding)


# --- CSV ---------------------------------------------------------------------------------


class _Columns:
    """The header's cells resolved to fields."""

    def __init__(self, header: list[str], allowed: Sequence[str], mapping: Mapping[str, str]):
        self.header = header
        self.index: dict[str, int] = {}
        self.ignored: list[str] = []
        self.duplicates: list[tuple[str, str, str]] = []
        for i, cell in enumerate(header):
            key = normalise_header(cell)
            name = mapping.get(key) or ALIASES.get(key)
            if name is None or name == IGNORE or name not in allowed:
                if cell.strip():
                    self.ignored.append(cell.strip())
                continue
            if name in self.index:
                self.duplicates.append((header[self.index[name]], cell, name))
                continue
            self.index[name] = i

    @property
    def score(self) -> int:
        return len(self.index)


def _sniff(
    text: str,
    allowed: Sequence[str],
    mapping: Mapping[str, str],
    delimiter: str | None,
) -> tuple[str, int, _Columns]:
    """(delimiter, index of the header record, its columns): the best-recognised header."""
    best: tuple[int, int, int] | None = None
    chosen: tuple[str, int, _Columns] | None = None
    candidates = (delimiter,) if delimiter is not None else DELIMITERS
    for rank, candidate in enumerate(candidates):
        for position, record in enumerate(_first_records(text, candidate)):
            columns = _Columns([c.strip() for c in record], allowed, mapping)
            # most fields recognised, then earliest line, then most cells, then delimiter order
            key = (columns.score, -position, len(record) if columns.score else -rank)
            if best is None or key > best:
                best, chosen = key, (candidate, position, columns)
    if chosen is None:
        raise ReadError("no_header", "Aucune ligne d'en-tête dans le fichier.")
    return chosen


def _first_records(text: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    found = 0
    while found < HEADER_SEARCH_LINES:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            return
        if any(cell.strip() for cell in record):
            found += 1
            yield record


def _check_columns(
    columns: _Columns,
    required: Sequence[str],
    mapping: Mapping[str, str],
    source: str,
) -> None:
    found = [cell for cell in columns.header if cell]
    found_text = ", ".join(f"« {cell} »" for cell in found) or "aucune"
    present = {normalise_header(cell) for cell in columns.header}
    unknown = [key for key in mapping if key not in present]
    if unknown:
        raise ReadError(
            "bad_mapping",
            f"--map : aucune colonne « {unknown[0]} » dans {source}. Colonnes trouvées : "
            f"{found_text}.",
            columns_found=found,
        )
    if columns.duplicates:
        first, second, name = columns.duplicates[0]
        raise ReadError(
            "ambiguous_columns",
            f"Les colonnes « {first} » et « {second} » désignent toutes deux le champ "
            f"{name} ({FIELDS[name].label}) : écartez-en une avec --map '{second}=-'.",
            columns_found=found,
        )
    missing = [name for name in required if name not in columns.index]
    if missing:
        described = "; ".join(
            f"{FIELDS[name].label} ({', '.join(a for a in FIELDS[name].aliases if a != name)})"
            for name in missing
        )
        raise ReadError(
            "missing_columns",
            f"Colonnes obligatoires absentes de {source} : {described}. Colonnes trouvées : "
            f"{found_text}. Indiquez la bonne colonne avec --map 'En-tête=champ'.",
            columns_found=found,
            columns_missing=missing,
        )


def read_csv_text(
    text: str,
    encoding: Decoding | str,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str],
    delimiter: str | None,
    source: str,
) -> Table:
    if delimiter is not None and len(delimiter) != 1:
        raise ReadError("bad_delimiter", "Le séparateur doit être un seul caractère.")
    delimiter, header_position, columns = _sniff(text, allowed, mapping, delimiter)
    _check_columns(columns, required, mapping, source)
    table = Table(
        source=source,
        decoding=_decoding(encoding),
        delimiter=delimiter,
        header=columns.header,
        columns={name: columns.header[i] for name, i in columns.index.items()},
        ignored=columns.ignored,
    )
    shape = _RowShape(list(columns.index.items()), len(columns.header))
    records = _records(text, delimiter)
    seen = 0
    for line, record, error in records:
        if error is not None:
            table.errors.append(LineError(line, None, error, []))
            continue
        if seen <= header_position:
            seen += 1
            continue
        _add_row(table, line, record, shape)
    return table


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str], str | None]]:
    """(first line number, cells, error) for every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num == previous:  # nothing consumed: give up rather than spin
                return
            start, previous = previous + 1, reader.line_num
            yield start, [], f"ligne illisible ({exc})"
            continue
        start, previous = previous + 1, reader.line_num
        if "".join(record).strip():
            yield start, record, None


class _RowShape:
    """What the hot loop needs about the columns, computed once per file."""

    def __init__(self, index: list[tuple[str, int]], width: int) -> None:
        self.width = width
        self.names = [name for name, _ in index]
        positions = [i for _, i in index]
        self.needed = max(positions, default=-1) + 1
        self.cells = itemgetter(*positions) if len(positions) > 1 else _one(positions)
        self.secrets = [(k, i) for k, (name, i) in enumerate(index) if name in SECRET_FIELDS]
        self.limits = [FIELDS[name].max_length for name in self.names]
        self.identifiant = dict(index).get("identifiant")


def _one(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    return lambda record: tuple(record[i] for i in positions)


def _add_row(table: Table, line: int, record: list[str], shape: _RowShape) -> None:
    """Clean and check one record's values: the hot loop of a large import, kept in C calls."""
    count = len(record)
    if count > shape.width and any(cell.strip() for cell in record[shape.width :]):
        at = shape.identifiant
        identifiant = record[at].strip() if at is not None else ""
        table.errors.append(
            LineError(
                line,
                identifiant or None,
                f"{count} valeurs pour {shape.width} colonnes (séparateur ou guillemets "
                "mal placés ?)",
                record,
            )
        )
        return
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
    problem = None
    if "identifiant" not in values:
        problem = "identifiant manquant"
    elif not printable or any(map(gt, map(len, cleaned), shape.limits)):
        problem = next(
            _value_problem(name, value)
            for name, value in values.items()
            if len(value) > FIELDS[name].max_length or not value.isprintable()
        )
    if problem is not None:
        table.errors.append(LineError(line, values.get("identifiant"), problem, record))
        return
    table.rows.append(SourceRow(line, values, record))


def _value_problem(name: str, value: str) -> str:
    spec = FIELDS[name]
    if len(value) > spec.max_length:
        return f"« {spec.label} » trop long ({spec.max_length} caractères au plus)"
    return f"caractère de contrôle dans « {spec.label} »"


# --- JSON lines --------------------------------------------------------------------------


def read_json_lines(
    text: str,
    encoding: Decoding | str,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str],
    source: str,
) -> Table:
    """One JSON object per line; its keys are read as headers (same aliases as CSV)."""
    objects: list[tuple[int, dict[str, object] | None, str | None]] = []
    keys: dict[str, None] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            message = exc.msg if isinstance(exc, json.JSONDecodeError) else "trop imbriqué"
            objects.append((number, None, f"JSON invalide ({message})"))
            continue
        if not isinstance(value, dict):
            objects.append((number, None, "un objet JSON {…} est attendu sur chaque ligne"))
            continue
        objects.append((number, value, None))
        keys.update(dict.fromkeys(str(key) for key in value))
    columns = _Columns(list(keys), allowed, mapping)
    _check_columns(columns, required, mapping, source)
    table = Table(
        source=source,
        decoding=_decoding(encoding),
        delimiter=None,
        format="jsonl",
        header=columns.header,
        columns={name: columns.header[i] for name, i in columns.index.items()},
        ignored=columns.ignored,
    )
    shape = _RowShape(list(columns.index.items()), len(columns.header))
    identifiant_at = columns.index.get("identifiant")
    for number, obj, error in objects:
        if obj is None:
            table.errors.append(LineError(number, None, error or "ligne illisible", []))
            continue
        cells = [_cell(obj.get(key)) for key in columns.header]
        bad = [key for key, cell in zip(columns.header, cells, strict=True) if cell is None]
        if bad:
            ident = cells[identifiant_at] if identifiant_at is not None else None
            table.errors.append(
                LineError(
                    number,
                    ident.strip() or None if isinstance(ident, str) else None,
                    f"valeur non textuelle pour « {bad[0]} »",
                    [c or "" for c in cells],
                )
            )
            continue
        _add_row(table, number, [c or "" for c in cells], shape)
    return table


def _cell(value: object) -> str | None:
    """A JSON value as a cell; None when it cannot be one (an object, a nested list)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(str(v) for v in value)
    return None
