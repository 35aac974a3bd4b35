"""What an import tells staff at the end (and ``--json`` gives scripts), and its interruption."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coproctl.errors import CoproctlError
from coproctl.services.importing.notes import LineNote


@dataclass
class ImportSummary:
    kind: str
    file: str
    dry_run: bool
    strict: bool
    encoding: str
    delimiter: str | None
    columns: dict[str, str]
    ignored_columns: list[str]
    rows: int
    accounts: int
    decoding: dict[str, str] = field(default_factory=dict)  # codec, how chosen, French label
    format: str = "csv"  # csv, jsonl, xlsx, xls, ods
    sheet: str | None = None  # the workbook's sheet read
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # accounts of erased owners left out (see the warnings)
    rejected: list[LineNote] = field(default_factory=list)
    warnings: list[LineNote] = field(default_factory=list)
    written: bool = False
    # for the --report file: the header, and the cells of the rejected lines as read
    header: list[str] = field(default_factory=list, repr=False)
    rejected_cells: dict[int, list[str]] = field(default_factory=dict, repr=False)
    secret_cells: frozenset[int] = frozenset()

    @property
    def complete(self) -> bool:
        """Every row was used."""
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "dry_run": self.dry_run,
            "strict": self.strict,
            "written": self.written,
            "encoding": self.encoding,
            "decoding": self.decoding,
            "format": self.format,
            "sheet": self.sheet,
            "delimiter": self.delimiter,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "rows": self.rows,
            "accounts": self.accounts,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "rejected": [note.as_dict() for note in self.rejected],
            "warnings": [note.as_dict() for note in self.warnings],
        }


class ImportInterrupted(CoproctlError):
    """Ctrl-C during an import: the committed batches stay; a re-run finishes the job."""

    exit_code = 130

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__(
            "import_interrupted",
            f"Import interrompu : {summary.created} compte(s) créé(s) et {summary.updated} mis "
            "à jour avant l'interruption sont enregistrés, par lots entiers. Relancez la même "
            "commande pour terminer : ce qui est déjà importé sera reconnu comme inchangé.",
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
        )
        self.summary = summary
