"""An export file -> a :class:`~coproctl.importers.result.ReadResult` for the import pipeline.

CSV (any delimiter of ``;``, ``,``, tab; any encoding, detected or given), a workbook
(``.xlsx``, ``.xls``, ``.ods``: its first sheet, or the one named) or JSON lines. The header
is looked for in the first lines (a title may stand above it) and refused at once when the
required columns are not there, before the rest of the file is parsed.

No database access and no rule beyond the shape of each value: merging rows, owners and
accounts is the pipeline's job. The only exception raised is
:class:`~coproctl.importers.errors.ReadError` (exit 2), for a file that cannot be read as a
whole; a bad line is a :class:`LineError` and the others go on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from coproctl.importers import decoding as decoding_module
from coproctl.importers import encoding_detection
from coproctl.importers.columns import Columns, parse_mapping
from coproctl.importers.csv_records import Records
from coproctl.importers.decoding import Ambiguous, choose, text_stream
from coproctl.importers.errors import ReadError
from coproctl.importers.fields import REPORT_WITHHELD_FIELDS
from coproctl.importers.result import (
    GIVEN,
    WORKBOOK,
    Decoding,
    LineError,
    ReadNote,
    ReadResult,
    SourceRow,
    Table,
)
from coproctl.importers.rows import RowBuilder
from coproctl.importers.source import MAX_FILE_BYTES, read_bytes, workbook_format
from coproctl.importers.workbook import SheetRow, open_sheet

__all__ = [
    "MAX_FILE_BYTES",
    "Decoding",
    "LineError",
    "ReadNote",
    "ReadResult",
    "SourceRow",
    "Table",
    "parse_mapping",
    "read_csv",
    "read_data",
    "read_file",
    "read_json_lines",
]

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
HEADER_SEARCH_LINES = 10  # a title line or two may stand above the header
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
# text fields that may show, as examples, how two encodings read the file (never a secret)
_EXAMPLE_FIELDS = ("last_name", "first_name", "city", "address", "copropriete", "civility")


def read_file(
    path: Path,
    *,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> ReadResult:
    """A CSV file, a workbook, or JSON lines (``.jsonl``, or text starting with ``{``)."""
    data = read_bytes(path)
    return read_data(
        data,
        allowed=allowed,
        required=required,
        mapping=mapping,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        source=str(path),
        suffix=path.suffix.lower(),
    )


def read_csv(
    data: bytes,
    *,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    source: str = "<données>",
) -> ReadResult:
    """Bytes already in memory (tests, the pipeline's own callers)."""
    return read_data(
        data,
        allowed=allowed,
        required=required,
        mapping=mapping,
        encoding=encoding,
        delimiter=delimiter,
        source=source,
    )


def read_data(
    data: bytes,
    *,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    source: str = "<données>",
    suffix: str = "",
) -> ReadResult:
    mapping = mapping or {}
    if delimiter is not None and len(delimiter) != 1:
        raise ReadError("bad_delimiter", "Le séparateur doit être un seul caractère.")
    kind = workbook_format(data, Path(source))
    if kind is not None:
        return read_workbook(data, kind, allowed, required, mapping, sheet, source)
    if sheet is not None:
        raise ReadError(
            "not_a_workbook",
            f"--sheet ne s'applique qu'à un classeur (.xlsx, .xls, .ods) ; {source} est un "
            "fichier texte.",
        )
    try:
        decoding = choose(data, encoding)
    except Ambiguous as ambiguous:
        raise _with_examples(ambiguous, data, allowed, mapping, delimiter) from None
    if not _has_text(data, decoding):
        raise ReadError("empty_file", f"Le fichier {source} est vide.")
    head = text_stream(data, decoding).read(4096)
    if suffix in JSON_SUFFIXES or head.lstrip().startswith("{"):
        text = text_stream(data, decoding).read()
        return read_json_lines(text, decoding, allowed, required, mapping, source)
    return _read_csv(data, decoding, allowed, required, mapping, delimiter, source)


def _has_text(data: bytes, decoding: Decoding) -> bool:
    stream = text_stream(data, decoding)
    while chunk := stream.read(65536):
        if not chunk.isspace():
            return True
    return False


# --- CSV ---------------------------------------------------------------------------------


def _read_csv(
    data: bytes,
    decoding: Decoding,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str],
    delimiter: str | None,
    source: str,
) -> ReadResult:
    delimiter, header_position, columns = _sniff(data, decoding, allowed, mapping, delimiter)
    columns.check(required, mapping, source)
    table = _table(source, decoding, columns, delimiter=delimiter)
    builder = RowBuilder(table, columns)
    records = Records(text_stream(data, decoding), delimiter, len(columns.header))
    seen = 0
    for line, record, error in records:
        if error is not None:
            table.errors.append(LineError(line, None, error, []))
            continue
        if seen <= header_position:
            if seen == header_position:
                table.header_line = line
            seen += 1
            continue
        builder.add(line, record)
    return _finish(table, columns, builder)


def _table(
    source: str,
    decoding: Decoding,
    columns: Columns,
    *,
    delimiter: str | None = None,
    format: str = "csv",
    sheet: str | None = None,
) -> ReadResult:
    return ReadResult(
        source=source,
        decoding=decoding,
        delimiter=delimiter,
        header=columns.header,
        columns=columns.described(),
        ignored=columns.ignored,
        format=format,
        sheet=sheet,
        withheld=frozenset(
            i for name, i in columns.index.items() if name in REPORT_WITHHELD_FIELDS
        ),
    )


def _finish(table: ReadResult, columns: Columns, builder: RowBuilder) -> ReadResult:
    builder.finish()
    table.notes[:0] = columns.notes(table.header_line)
    table.notes.sort(key=lambda note: note.line)
    return table


def _sniff(
    data: bytes,
    decoding: Decoding,
    allowed: Sequence[str],
    mapping: Mapping[str, str],
    delimiter: str | None,
) -> tuple[str, int, Columns]:
    """(delimiter, index of the header record, its columns): the best-recognised header."""
    best: tuple[int, int, int] | None = None
    chosen: tuple[str, int, Columns] | None = None
    candidates = (delimiter,) if delimiter is not None else DELIMITERS
    for rank, candidate in enumerate(candidates):
        records = _first_records(text_stream(data, decoding), candidate)
        for position, record in enumerate(records):
            columns = Columns([c.strip() for c in record], allowed, mapping)
            # most fields recognised, then earliest line, then most cells, then delimiter order
            key = (columns.score, -position, len(record) if columns.score else -rank)
            if best is None or key > best:
                best, chosen = key, (candidate, position, columns)
    if chosen is None:
        raise ReadError("no_header", "Aucune ligne d'en-tête dans le fichier.")
    return chosen


def _first_records(stream: TextIO, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(stream, delimiter=delimiter)
    found = 0
    while found < HEADER_SEARCH_LINES:
        try:
            record = next(reader)
        except (StopIteration, csv.Error):
            return
        if any(cell.strip() for cell in record):
            found += 1
            yield record


def _with_examples(
    ambiguous: Ambiguous,
    data: bytes,
    allowed: Sequence[str],
    mapping: Mapping[str, str],
    delimiter: str | None,
) -> ReadError:
    """The refusal of a close call, with words of the file read both ways (names, cities:
    never a password column)."""
    first, second = ambiguous.guess.ranked[0][0], ambiguous.guess.ranked[1][0]
    latin = Decoding("latin-1", GIVEN, "latin-1")  # byte for byte: the structure is ASCII
    examples: list[tuple[str, str]] = []
    try:
        delimiter, _, columns = _sniff(data, latin, allowed, mapping, delimiter)
        wanted = [i for name, i in columns.index.items() if name in _EXAMPLE_FIELDS]
        records = Records(text_stream(data, latin), delimiter, len(columns.header))
        for _line, record, _error in records:
            for i in wanted:
                if i < len(record) and not record[i].isascii():
                    for word in record[i].split():
                        pair = encoding_detection.differing_words(
                            word.encode("latin-1"), first, second
                        )
                        if pair is not None and pair not in examples:
                            examples.append(pair)
            if len(examples) >= 2:
                break
    except ReadError:
        pass
    if not examples:
        return ambiguous
    shown = " ; ".join(f"« {a} » ou « {b} »" for a, b in examples[:2])
    return Ambiguous(ambiguous.guess, f" ({shown})")


# --- workbooks -----------------------------------------------------------------------------


def read_workbook(
    data: bytes,
    kind: str,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str],
    sheet: str | None,
    source: str,
) -> ReadResult:
    opened = open_sheet(data, kind, source, sheet)
    head: list[SheetRow] = []
    for row in opened.rows:
        if any(cell.strip() for cell in row.cells):
            head.append(row)
            if len(head) >= HEADER_SEARCH_LINES:
                break
    if not head:
        raise ReadError("empty_file", f"La feuille « {opened.name} » de {source} est vide.")
    best: tuple[int, int] | None = None
    columns: Columns | None = None
    header_at = 0
    for position, row in enumerate(head):
        candidate = Columns([c.strip() for c in row.cells], allowed, mapping)
        key = (candidate.score, -position)
        if best is None or key > best:
            best, columns, header_at = key, candidate, position
    assert columns is not None
    columns.check(required, mapping, f"{source} (feuille « {opened.name} »)")
    decoding = Decoding(kind, WORKBOOK, f"classeur {kind}, feuille « {opened.name} »")
    table = _table(source, decoding, columns, format=kind, sheet=opened.name)
    table.header_line = head[header_at].line
    note = opened.note(table.header_line)
    if note is not None:
        table.notes.append(note)
    builder = RowBuilder(table, columns)
    for row in head[header_at + 1 :]:
        builder.add(row.line, row.cells, row.typed)
    for row in opened.rows:
        if any(cell.strip() for cell in row.cells):
            builder.add(row.line, row.cells, row.typed)
    return _finish(table, columns, builder)


# --- JSON lines --------------------------------------------------------------------------


def read_json_lines(
    text: str,
    encoding: Decoding | str,
    allowed: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str],
    source: str,
) -> ReadResult:
    """One JSON object per line; its keys are read as headers (same aliases as CSV)."""
    if isinstance(encoding, str):
        encoding = Decoding(encoding, GIVEN, decoding_module.label(encoding, GIVEN))
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
    columns = Columns(list(keys), allowed, mapping)
    columns.check(required, mapping, source)
    table = _table(source, encoding, columns, format="jsonl")
    builder = RowBuilder(table, columns)
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
                    f"valeur non textuelle pour « {bad[0]} »",
                    [c or "" for c in cells],
                )
            )
            continue
        builder.add(number, [c or "" for c in cells])
    return _finish(table, columns, builder)


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
