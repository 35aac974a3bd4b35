"""What reading an import file hands to the import pipeline: a :class:`ReadResult`.

The pipeline (``coproctl.services.importing``) gets, and only gets, this value:

- ``rows``: the usable lines, each a :class:`SourceRow` (its first line number in the file,
  its non-empty values by field name, its cells as read for the rejects report);
- ``errors``: the lines that cannot be used, each a :class:`LineError` (line, identifiant
  when it can be attributed, French reason); the other lines go on;
- ``notes``: what the reader changed, skipped or suspects, each a :class:`ReadNote` with its
  ``line``, a stable English ``code`` and a French ``message`` (a skipped totals line, a
  postal code Excel shortened, address columns joined, an owner column split...). A note
  never rejects a line: the pipeline shows notes as warnings (summary, ``--json``, report);
- ``decoding``: how the bytes became text (:class:`Decoding`: the codec, and whether a
  byte-order mark, the detection or ``--encoding`` chose it); ``encoding`` is its codec
  name (the format name for a workbook);
- ``columns`` (field -> the header it was read from), ``ignored`` (headers left out),
  ``header`` (the header's cells), ``delimiter`` (None for JSON lines and workbooks),
  ``format`` (``csv``, ``jsonl``, ``xlsx``, ``xls``, ``ods``) and ``sheet`` (workbooks).

No message, note or error ever holds a password or a hash from the file. ``Table`` is the
older name of the same class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from coproctl.importers.fields import REPORT_WITHHELD_FIELDS


class SourceRow(NamedTuple):
    """One usable line: its non-empty values by field, and its cells as read."""

    line: int
    values: dict[str, str]
    cells: list[str]


class LineError(NamedTuple):
    """A line that cannot be used: ``cells`` is empty when they cannot be attributed to
    columns (a malformed line), so that no report ever shows them."""

    line: int
    identifiant: str | None
    reason: str
    cells: list[str]


@dataclass(frozen=True)
class ReadNote:
    """A warning on a line, or on the file (then ``line`` is the header's line)."""

    line: int
    code: str  # stable, English: what scripts match on
    message: str  # French, for staff; never a password or a hash

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "message": self.message}


# how the codec was chosen
BY_BOM = "bom"  # a byte-order mark said it
DETECTED = "detected"  # valid UTF-8, or the best-scored single-byte encoding
GIVEN = "given"  # --encoding
WORKBOOK = "workbook"  # a workbook holds text, not bytes to decode


@dataclass(frozen=True)
class Decoding:
    codec: str  # a Python codec name ("utf-8", "mac-roman"...), or the workbook's format
    how: str  # BY_BOM, DETECTED, GIVEN or WORKBOOK
    label: str  # French, for the summary: "Mac Roman (détecté)"

    def as_dict(self) -> dict[str, Any]:
        return {"codec": self.codec, "how": self.how, "label": self.label}


@dataclass
class ReadResult:
    source: str
    decoding: Decoding
    delimiter: str | None  # None for JSON lines and workbooks
    header: list[str]
    columns: dict[str, str]  # field -> the header (or headers) it was read from
    ignored: list[str]  # headers left out
    rows: list[SourceRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    notes: list[ReadNote] = field(default_factory=list)
    format: str = "csv"
    sheet: str | None = None
    header_line: int = 1
    # header indexes of the cells a report never shows (passwords, hashes, salts)
    withheld: frozenset[int] = frozenset()

    @property
    def encoding(self) -> str:
        """The codec's name (what the summary printed before ``decoding`` existed)."""
        return self.decoding.codec

    @property
    def secret_cells(self) -> frozenset[int]:
        """Indexes of the cells a report must never show (passwords, hashes, salts)."""
        if self.withheld:
            return self.withheld
        secret = {self.columns[name] for name in REPORT_WITHHELD_FIELDS if name in self.columns}
        return frozenset(i for i, header in enumerate(self.header) if header in secret)


Table = ReadResult
