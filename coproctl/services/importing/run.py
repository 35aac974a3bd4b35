"""Importing accounts in bulk (SPEC §4): the stages, one after the other.

1. read (``coproctl.importers``): the file -> a table of rows, and the lines it could not use;
2. plan (:mod:`.plan`): rows -> owner and account drafts, and the lines rejected;
3. compare (:mod:`.compare`): each batch of drafts against the database -> its changes;
4. write (:mod:`.write`): the changes of each batch in one transaction, passwords hashed on
   every core (:mod:`.hashes`) while earlier batches are written.

Each stage takes what the previous one handed it and gives its own result forward; none
calls back into an earlier one. :func:`import_file` is the whole path, read top to bottom.
No mail is ever sent.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coproctl.backoffice import Backoffice
from coproctl.importers.reader import Table, parse_mapping, read_file
from coproctl.services import audit
from coproctl.services.importing.kinds import CALLS_FOR_FUNDS, ImportKind
from coproctl.services.importing.legacy import LEGACY, with_scheme
from coproctl.services.importing.notes import LineNote
from coproctl.services.importing.plan import Plan, build_plan
from coproctl.services.importing.summary import ImportInterrupted, ImportSummary
from coproctl.services.importing.write import Outcome, Progress, Writer

__all__ = ["CALLS_FOR_FUNDS", "ImportInterrupted", "ImportOptions", "ImportSummary", "import_file"]

DEFAULT_BATCH = 500


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
    restore: bool = False  # recreate the accounts of erased owners
    sheet: str | None = None  # a workbook's sheet (default: the first with data)
    legacy_scheme: str | None = None  # legacy: how a salt column was combined (--legacy-scheme)


KINDS = {CALLS_FOR_FUNDS.name: CALLS_FOR_FUNDS, LEGACY.name: LEGACY}


def import_file(
    backoffice: Backoffice,
    path: Path,
    kind: ImportKind | str = CALLS_FOR_FUNDS,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Read ``path`` and import it; the summary says what was (or would be) done."""
    options = options or ImportOptions()
    kind = with_scheme(KINDS[kind] if isinstance(kind, str) else kind, options.legacy_scheme)
    with _collector_paused():
        table = read_file(
            path,
            allowed=kind.allowed,
            required=kind.required_columns,
            mapping=parse_mapping(options.mapping, kind.allowed),
            encoding=options.encoding,
            delimiter=options.delimiter,
            sheet=options.sheet,
        )
        plan = build_plan(table, kind)
    summary = _summary(table, plan, kind, options)
    try:
        with _collector_paused():  # the table and plan are still alive: see below
            outcome = _write(backoffice, plan, kind, options, summary.file, progress)
    except _Interrupted as stop:
        _add(summary, stop.outcome)
        raise ImportInterrupted(summary) from None
    finally:
        _keep_rejected_cells(summary, table)
    _add(summary, outcome)
    if summary.written:
        _record(backoffice, kind, summary)
    return summary


class _Interrupted(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def _write(
    backoffice: Backoffice,
    plan: Plan,
    kind: ImportKind,
    options: ImportOptions,
    source: str,
    progress: Progress | None,
) -> Outcome:
    """``--strict``: a first pass that writes nothing says whether anything is rejected."""

    def writer(dry_run: bool) -> Writer:
        return Writer(
            backoffice,
            kind,
            source=source,
            update_passwords=options.update_passwords,
            batch_size=options.batch_size,
            workers=options.workers,
            dry_run=dry_run,
            restore=options.restore,
        )

    if options.strict and not options.dry_run:
        check = writer(dry_run=True).run(plan.owners)
        if plan.rejected or check.rejected:
            return check
    run = writer(dry_run=options.dry_run)
    try:
        return run.run(plan.owners, progress)
    except KeyboardInterrupt:
        raise _Interrupted(run.outcome) from None


def _summary(table: Table, plan: Plan, kind: ImportKind, options: ImportOptions) -> ImportSummary:
    return ImportSummary(
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
        warnings=[*_read_notes(table), *plan.warnings],
        decoding=table.decoding.as_dict(),
        format=table.format,
        sheet=table.sheet,
        header=list(table.header),
        secret_cells=table.secret_cells,
    )


def _read_notes(table: Table) -> list[LineNote]:
    """The reader's notes as warnings, with the identifiant of the row on their line."""
    if not table.notes:
        return []
    lines = {note.line for note in table.notes}
    who = {row.line: row.values.get("identifiant") for row in table.rows if row.line in lines}
    return [
        LineNote(note.line, who.get(note.line), note.message, note.code) for note in table.notes
    ]


def _add(summary: ImportSummary, outcome: Outcome) -> None:
    summary.written = outcome.written
    summary.created, summary.updated = outcome.created, outcome.updated
    summary.unchanged, summary.skipped = outcome.unchanged, outcome.skipped
    summary.rejected.extend(outcome.rejected)
    summary.warnings.extend(outcome.warnings)
    summary.rejected.sort(key=lambda note: note.line)
    summary.warnings.sort(key=lambda note: note.line)


def _record(backoffice: Backoffice, kind: ImportKind, summary: ImportSummary) -> None:
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
            skipped=summary.skipped,
            rejected=len(summary.rejected),
            warnings=len(summary.warnings),
        )
        uow.commit()


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


def _keep_rejected_cells(summary: ImportSummary, table: Table) -> None:
    wanted = {note.line for note in summary.rejected}
    if wanted:
        for item in (*table.rows, *table.errors):
            if item.line in wanted:
                summary.rejected_cells[item.line] = item.cells
