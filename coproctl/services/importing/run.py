"""Importing accounts in bulk: the quarter's call-for-funds export (SPEC §4).

The file is read (``coproctl.importers``), merged into a plan (``importing_plan``), then
applied owner by owner in batches. Each batch is first compared with the database in a
short read; if it changes anything, its initial passwords are hashed on every core
(``importing_hash``) while the previous batches are written, and it is then written in one
transaction (read again, compared again, Core ``insert()``/``update()`` executemany). A
batch is whole or absent: an interrupted import leaves every committed batch intact and a
re-run finishes the job, finding what was written as unchanged. No mail is ever sent.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coproctl.backoffice import Backoffice
from coproctl.errors import CoproctlError
from coproctl.importers.reader import Table as SourceTable
from coproctl.importers.reader import parse_mapping, read_file
from coproctl.models import ORIGIN_SYNDIC
from coproctl.security import passwords
from coproctl.services import audit
from coproctl.services.importing.batches import BatchRun
from coproctl.services.importing.plan import (
    LineNote,
    Plan,
    build_plan,
)

DEFAULT_BATCH = 500
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportKind:
    name: str
    allowed: tuple[str, ...]
    required_columns: tuple[str, ...]
    required_values: tuple[str, ...]
    credential: str  # the field holding the password ("password") or its hash ("password_hash")
    origin: str
    check_secret: Callable[[str], str | None]
    hashes: bool  # True: the secret is a password to hash; False: already a hash


def check_initial_password(password: str) -> str | None:
    """The reader has stripped the value and refused control characters already."""
    if len(password) > passwords.MAX_PASSWORD_CHARS:
        return f"mot de passe trop long ({passwords.MAX_PASSWORD_CHARS} caractères au plus)"
    return None


_COMMON = (
    "identifiant",
    "owner_ref",
    "last_name",
    "first_name",
    "civility",
    "email",
    "copropriete",
    "copropriete_code",
    "lot",
    "address",
    "postal_code",
    "city",
)

CALLS_FOR_FUNDS = ImportKind(
    name="calls-for-funds",
    allowed=(*_COMMON, "password"),
    required_columns=("identifiant", "owner_ref", "last_name"),
    required_values=("owner_ref", "last_name"),
    credential="password",
    origin=ORIGIN_SYNDIC,
    check_secret=check_initial_password,
    hashes=True,
)


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    strict: bool = False
    update_passwords: bool = False
    batch_size: int = DEFAULT_BATCH
    workers: int | None = None  # hashing processes; default: every core
    mapping: tuple[str, ...] = ()  # --map 'Header=field'
    encoding: str | None = None
    delimiter: str | None = None


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
    created: int = 0
    updated: int = 0
    unchanged: int = 0
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
            "delimiter": self.delimiter,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "rows": self.rows,
            "accounts": self.accounts,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [note.as_dict() for note in self.rejected],
            "warnings": [note.as_dict() for note in self.warnings],
        }


class ImportInterrupted(CoproctlError):
    """Ctrl-C during an import: the committed batches stay; a re-run finishes the job."""

    exit_code = 130

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__(
            "import_interrupted",
            f"Import interrompu : {summary.created} compte(s) créé(s) et {summary.updated} mis "
            "à jour avant l'interruption sont enregistrés, par lots entiers. Relancez la même "
            "commande pour terminer : ce qui est déjà importé sera reconnu comme inchangé.",
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
        )
        self.summary = summary


def import_file(
    backoffice: Backoffice,
    path: Path,
    kind: ImportKind = CALLS_FOR_FUNDS,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Read ``path`` and import it; the summary says what was (or would be) done."""
    options = options or ImportOptions()
    with _collector_paused():
        table = read_file(
            path,
            allowed=kind.allowed,
            required=kind.required_columns,
            mapping=parse_mapping(options.mapping, kind.allowed),
            encoding=options.encoding,
            delimiter=options.delimiter,
        )
    return import_table(backoffice, table, kind, options, progress)


def import_table(
    backoffice: Backoffice,
    table: SourceTable,
    kind: ImportKind,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportSummary:
    with _collector_paused():
        plan = build_plan(table, required=kind.required_values, check_secret=kind.check_secret)
    summary = ImportSummary(
        kind=kind.name,
        file=Path(table.source).name,
        dry_run=options.dry_run,
        strict=options.strict,
        encoding=table.encoding,
        delimiter=table.delimiter,
        columns=dict(table.columns),
        ignored_columns=list(table.ignored),
        rows=len(table.rows) + len(table.errors),
        accounts=plan.accounts + len({n.identifiant for n in plan.rejected if n.identifiant}),
        rejected=list(plan.rejected),
        header=list(table.header),
        secret_cells=table.secret_cells,
    )
    try:
        with _collector_paused():  # the table and plan are still alive: see below
            _apply(backoffice, plan, kind, options, summary, progress)
    finally:
        _keep_rejected_cells(summary, table)
    return summary


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading, merging and comparing a large file make many objects that all live until
    the end: the cyclic garbage collector's passes over them would cost more than the
    work itself (a third of a large re-import). Nothing here builds reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _keep_rejected_cells(summary: ImportSummary, table: SourceTable) -> None:
    wanted = {note.line for note in summary.rejected}
    if wanted:
        for item in (*table.rows, *table.errors):
            if item.line in wanted:
                summary.rejected_cells[item.line] = item.cells


def _apply(
    backoffice: Backoffice,
    plan: Plan,
    kind: ImportKind,
    options: ImportOptions,
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    if options.strict and not options.dry_run:
        check = BatchRun(backoffice, kind, options, summary.file, dry_run=True)
        check.apply(plan)
        if plan.rejected or check.rejected:
            _fill(summary, check)
            summary.rejected.sort(key=lambda note: note.line)
            return
    run = BatchRun(backoffice, kind, options, summary.file, dry_run=options.dry_run)
    try:
        run.apply(plan, progress)
    except KeyboardInterrupt:
        _fill(summary, run)
        raise ImportInterrupted(summary) from None
    _fill(summary, run)
    summary.written = not options.dry_run
    summary.rejected.sort(key=lambda note: note.line)
    summary.warnings.sort(key=lambda note: note.line)
    if summary.written:
        with backoffice.uow() as uow:
            audit.record(
                uow.session,
                backoffice.actor,
                f"import.{kind.name}",
                "ok" if summary.complete else "partial",
                file=summary.file,
                created=summary.created,
                updated=summary.updated,
                unchanged=summary.unchanged,
                rejected=len(summary.rejected),
                warnings=len(summary.warnings),
            )
            uow.commit()


def _fill(summary: ImportSummary, run: BatchRun) -> None:
    summary.created, summary.updated, summary.unchanged = run.created, run.updated, run.unchanged
    summary.rejected.extend(run.rejected)
    summary.warnings.extend(run.warnings)
