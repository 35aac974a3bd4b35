"""CSV records with the line each starts on, and the stray quote that would swallow a file.

In an export that quotes nothing, one cell starting with ``"`` (``"Le Clos`` typed by hand)
makes every CSV parser read on, across line ends, until the next ``"``: the rest of the
file becomes one cell, the accounts in it vanish, and the cell (other rows' initial
passwords included) would land in a report. A cell spanning lines is legitimate (a quoted
address on two lines), so a record is refused — the whole file, exit 2, naming the line
where the quote opens, so that nothing is imported unless every line is accounted for —
when what it swallowed looks like records:

- a line inside one of its cells holds as many delimiters as half a row would (three at
  least, or a whole row's in a narrower file);
- it spans more than :data:`MAX_CELL_LINES` lines, or reaches the parser's cell limit;
- or, over the file, far fewer records than lines (records spanning 4 lines on average: a
  file of two-line addresses is fine).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import TextIO

from coproctl.importers.errors import ReadError

MAX_CELL_LINES = 8  # an address on 4 lines, with room
SWALLOWED_PER_RECORD = 3  # lines inside cells per record, on average: beyond, swallowed
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class StrayQuote(ReadError):
    def __init__(self, line: int, end: int | None) -> None:
        span = (
            f"court jusqu'à la ligne {end}"
            if end is not None and end > line
            else ("ne se referme pas")
        )
        super().__init__(
            "stray_quote",
            f'Ligne {line} : un guillemet (") ouvre une cellule qui {span} : les lignes '
            "suivantes ne formeraient qu'une cellule et leurs comptes disparaîtraient. "
            f"Supprimez ce guillemet (ou doublez-le) à la ligne {line}, puis relancez : rien "
            "n'a été importé.",
            line=line,
        )


class Records:
    """Iterate (first line, cells, error) over the non-blank records of a CSV stream."""

    def __init__(self, stream: TextIO, delimiter: str, width: int) -> None:
        self.reader = csv.reader(stream, delimiter=delimiter)
        self.delimiter = delimiter
        # delimiters on one line inside a cell that mean "this was a row": a row has
        # width - 1; a legitimate address line holds one or two commas at most
        self.row_like = max(1, min(width - 1, max(3, (width - 1) // 2)))
        self.swallowed = 0  # lines inside cells
        self.records = 0
        self.first_multiline: int | None = None

    @property
    def lines(self) -> int:
        return self.reader.line_num

    def __iter__(self) -> Iterator[tuple[int, list[str], str | None]]:
        reader = self.reader
        previous = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise StrayQuote(previous + 1, None) from None
                if reader.line_num == previous:  # nothing consumed: give up rather than spin
                    break
                start, previous = previous + 1, reader.line_num
                yield start, [], f"ligne illisible ({exc})"
                continue
            start, previous = previous + 1, reader.line_num
            if previous > start:
                self._spanning(record, start, previous)
            if "".join(record).strip():
                self.records += 1
                yield start, record, None
        self.finish()

    def _spanning(self, record: list[str], start: int, end: int) -> None:
        if self.first_multiline is None:
            self.first_multiline = start
        self.swallowed += end - start
        if end - start >= MAX_CELL_LINES:
            raise StrayQuote(start, end)
        for cell in record:
            if "\n" in cell or "\r" in cell:
                for inner in _LINE_BREAK.split(cell)[1:]:
                    if inner.count(self.delimiter) >= self.row_like:
                        raise StrayQuote(start, end)

    def finish(self) -> None:
        """The file-wide check: far fewer records than lines."""
        if self.first_multiline is not None and self.swallowed > max(
            5, SWALLOWED_PER_RECORD * self.records
        ):
            raise StrayQuote(self.first_multiline, None)
