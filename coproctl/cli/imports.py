"""``coproctl import ...``: the quarter's call-for-funds export, and legacy extranet accounts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coproctl.cli.output import emit
from coproctl.cli.runtime import backoffice, state
from coproctl.errors import BadInput

if TYPE_CHECKING:
    from coproctl.services.importing.kinds import ImportKind
    from coproctl.services.importing.notes import LineNote
    from coproctl.services.importing.summary import ImportSummary

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

File = Annotated[
    Path, typer.Argument(help="The file to import.", dir_okay=False, show_default=False)
]
Mapping = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="'Header=field' for a column the aliases miss ('Header=-' ignores it); repeatable.",
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(help="Force the encoding (default: detected; utf-8, windows-1252, utf-16)."),
]
Delimiter = Annotated[
    str | None,
    typer.Option(help="Force the delimiter: ';', ',' or 'tab' (default: detected)."),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")]
Strict = Annotated[
    bool, typer.Option("--strict", help="Write nothing at all if any row is rejected (exit 1).")
]
UpdatePasswords = Annotated[
    bool,
    typer.Option(
        "--update-passwords",
        help="Replace the password of existing accounts still pending (never of active ones).",
    ),
]
Report = Annotated[
    Path | None,
    typer.Option(
        "--report", help="Write the rejected rows, with line and reason, to this CSV file."
    ),
]
Restore = Annotated[
    bool,
    typer.Option(
        "--restore",
        help="Recreate the accounts of owners erased by 'owner erase' (skipped otherwise, "
        "with a warning).",
    ),
]
BatchSize = Annotated[int, typer.Option("--batch-size", min=1, help="Accounts per transaction.")]
Workers = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Password-hashing processes (default: every core)."),
]

DELIMITERS = {";": ";", ",": ",", "tab": "\t", "\\t": "\t", "\t": "\t"}
SHOWN = 30  # rejected lines / warnings listed on the terminal (all of them with --report)


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return DELIMITERS[value.lower()]
    except KeyError:
        raise BadInput(
            "bad_delimiter", f"Séparateur « {value} » inconnu : ';', ',' ou 'tab'."
        ) from None


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal (standard error); nothing otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Import des comptes", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _notes(title: str, notes: list[LineNote]) -> None:
    if not notes:
        return
    typer.echo(f"{title} :")
    for note in notes[:SHOWN]:
        who = f" ({note.identifiant})" if note.identifiant else ""
        typer.echo(f"  ligne {note.line}{who} : {note.reason}")
    if len(notes) > SHOWN:
        typer.echo(f"  … et {len(notes) - SHOWN} autre(s) (la liste complète : --report FICHIER)")


def _source_text(summary: ImportSummary) -> str:
    """How the file was read: "windows-1252 (détecté), séparateur point-virgule"."""
    from coproctl.importers.reader import DELIMITER_NAMES

    if summary.format in ("xlsx", "xls", "ods"):
        sheet = f", feuille « {summary.sheet} »" if summary.sheet else ""
        return f"classeur {summary.format}{sheet}"
    encoding = summary.decoding.get("label") or summary.encoding
    if summary.delimiter:
        return f"{encoding}, séparateur {DELIMITER_NAMES.get(summary.delimiter, summary.delimiter)}"
    return f"{encoding}, JSON lines"


def _render(summary: ImportSummary, report: Path | None) -> Callable[[], None]:
    def human() -> None:
        typer.echo(
            f"{summary.file} ({_source_text(summary)}) : {summary.rows} ligne(s), "
            f"{summary.accounts} identifiant(s)."
        )
        if summary.ignored_columns:
            typer.echo("Colonnes ignorées : " + ", ".join(summary.ignored_columns))
        _notes("Lignes rejetées", summary.rejected)
        _notes("Avertissements", summary.warnings)
        verb = "à créer" if not summary.written else "créés"
        typer.echo(
            f"Comptes {verb} : {summary.created} · mis à jour : {summary.updated} · "
            f"inchangés : {summary.unchanged} · lignes rejetées : {len(summary.rejected)} · "
            f"avertissements : {len(summary.warnings)}"
        )
        if summary.skipped:
            typer.echo(
                f"Comptes de propriétaires effacés, ignorés : {summary.skipped} "
                "(--restore pour les recréer)"
            )
        if summary.dry_run:
            typer.echo("Simulation (--dry-run) : rien n'a été écrit.")
        elif not summary.written:
            typer.echo("--strict : des lignes sont rejetées, rien n'a été importé.")
        if report is not None:
            typer.echo(f"Rapport des lignes rejetées : {report}")

    return human


def _run(
    ctx: typer.Context,
    kind_name: str,
    file: Path,
    report: Path | None,
    delimiter: str | None,
    mapping: list[str] | None,
    **options: Any,
) -> None:
    with backoffice(ctx) as office:
        from coproctl.importers.report import write_report
        from coproctl.services.importing import run as importing

        kind: ImportKind = importing.CALLS_FOR_FUNDS
        if kind_name == "legacy":
            from coproctl.services.importing.legacy import LEGACY

            kind = LEGACY
        chosen = importing.ImportOptions(
            delimiter=_delimiter(delimiter), mapping=tuple(mapping or ()), **options
        )
        with _progress() as progress:
            summary = importing.import_file(office, file, kind, chosen, progress)
        if report is not None:
            write_report(
                report,
                summary.header,
                ((n.line, n.identifiant, n.reason) for n in summary.rejected),
                summary.rejected_cells,
                summary.secret_cells,
            )
    emit(state(ctx).json, summary, _render(summary, report))
    if summary.rejected:
        raise typer.Exit(1)


@app.command("calls-for-funds")
def calls_for_funds(
    ctx: typer.Context,
    file: File,
    mapping: Mapping = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    dry_run: DryRun = False,
    strict: Strict = False,
    update_passwords: UpdatePasswords = False,
    restore: Restore = False,
    report: Report = None,
    batch_size: BatchSize = 500,
    workers: Workers = None,
) -> None:
    """Import the quarter's call-for-funds export (CSV): create and update accounts.

    Rows of one identifiant are merged (lots collected); new accounts are created pending
    with the initial password of the file; existing ones are updated, never duplicated.
    Exit 0 when every row was used, 1 when some were rejected, 2 when the file is unreadable.
    """
    _run(
        ctx,
        "calls-for-funds",
        file,
        report,
        delimiter,
        mapping,
        encoding=encoding,
        dry_run=dry_run,
        strict=strict,
        update_passwords=update_passwords,
        restore=restore,
        batch_size=batch_size,
        workers=workers,
    )


@app.command("legacy")
def legacy(
    ctx: typer.Context,
    file: File,
    mapping: Mapping = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    dry_run: DryRun = False,
    strict: Strict = False,
    update_passwords: UpdatePasswords = False,
    restore: Restore = False,
    report: Report = None,
    batch_size: BatchSize = 500,
) -> None:
    """Import the old extranet's accounts with their password hashes (CSV or JSON lines).

    Each hash's scheme is identified (md5_crypt, sha256_crypt, sha512_crypt, bcrypt,
    ldap_salted_sha1, django_pbkdf2_sha256, hex_md5, hex_sha1); an unknown one rejects its
    line. Accounts arrive pending; the legacy password opens the update procedure.
    """
    _run(
        ctx,
        "legacy",
        file,
        report,
        delimiter,
        mapping,
        encoding=encoding,
        dry_run=dry_run,
        strict=strict,
        update_passwords=update_passwords,
        restore=restore,
        batch_size=batch_size,
    )
