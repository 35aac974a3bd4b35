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
from coproctl.typography import count

if TYPE_CHECKING:
    from coproctl.services.importing.notes import LineNote
    from coproctl.services.importing.summary import ImportSummary

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

# what the imports read (kept light: --help imports no reader); tests/cli/test_import_help.py
# checks these lists against the reader and the legacy constructions
ENCODINGS = (
    "détecté : UTF-8 (avec ou sans BOM), UTF-16 avec BOM, et parmi Windows-1252, Mac Roman "
    "et ISO-8859-15 celui qui se lit le mieux en français (deux lectures trop proches : "
    "refus, avec les deux)"
)
COMMON_ENCODINGS = (
    "utf-8, utf-8-sig, windows-1252 (cp1252), mac-roman, iso-8859-15 (latin-9), "
    "iso-8859-1 (latin-1), utf-16, utf-16-le, cp850"
)
LEGACY_SCHEMES = (
    "md5(password+salt)",
    "md5(salt+password)",
    "sha1(password+salt)",
    "sha1(salt+password)",
    "sha256(password+salt)",
    "sha256(salt+password)",
    "md5(md5(password)+salt)",
)

File = Annotated[
    Path,
    typer.Argument(
        metavar="FICHIER", help="Le fichier à importer.", dir_okay=False, show_default=False
    ),
]
Mapping = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="'EN-TÊTE=champ'",
        help="Associer une colonne que les alias ne reconnaissent pas à un champ ('En-tête=-' "
        "l'écarte ; '#9=address' désigne la 9e colonne) ; répétable.",
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(
        metavar="ENCODAGE",
        help=f"Imposer l'encodage d'un fichier texte (par défaut {ENCODINGS}). Tout nom "
        f"d'encodage de Python est accepté ; les plus courants : {COMMON_ENCODINGS}.",
    ),
]
Delimiter = Annotated[
    str | None,
    typer.Option(
        metavar="SÉPARATEUR",
        help="Imposer le séparateur : ';', ',' ou 'tab' (par défaut : détecté).",
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        metavar="NOM",
        help="La feuille à lire dans un classeur (par défaut : la première qui a des données).",
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Dire ce qui changerait, sans rien écrire.")
]
Strict = Annotated[
    bool,
    typer.Option("--strict", help="Ne rien écrire du tout si une ligne est rejetée (code 1)."),
]
UpdatePasswords = Annotated[
    bool,
    typer.Option(
        "--update-passwords",
        help="Remplacer le mot de passe des comptes existants encore en attente (jamais des "
        "comptes actifs).",
    ),
]
Restore = Annotated[
    bool,
    typer.Option(
        "--restore",
        help="Recréer les comptes des propriétaires effacés par « owner erase » (sinon leurs "
        "lignes sont ignorées, avec un avertissement).",
    ),
]
Report = Annotated[
    Path | None,
    typer.Option(
        "--report",
        metavar="FICHIER",
        help="Écrire les lignes rejetées, avec leur numéro et le motif, dans ce fichier CSV "
        "(rien n'est écrit si aucune ligne n'est rejetée).",
    ),
]
BatchSize = Annotated[int, typer.Option("--batch-size", min=1, help="Comptes par transaction.")]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Processus de calcul des empreintes (par défaut : un par cœur).",
    ),
]
LegacyScheme = Annotated[
    str | None,
    typer.Option(
        "--legacy-scheme",
        metavar="CONSTRUCTION",
        help="Quand le sel est dans sa propre colonne (salt, sel) : comment l'ancien extranet "
        "combinait sel et mot de passe, parmi " + ", ".join(LEGACY_SCHEMES) + " (Joomla "
        "1.5 : 'md5(password+salt)'). Sans cette option, un fichier qui a une colonne de sel "
        "est refusé.",
    ),
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
            "bad_delimiter", f"Séparateur « {value} » inconnu : ';', ',' ou 'tab'."
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
    typer.echo(f"{title} :")
    for note in notes[:SHOWN]:
        who = f" ({note.identifiant})" if note.identifiant else ""
        typer.echo(f"  ligne {note.line}{who} : {note.reason}")
    if len(notes) > SHOWN:
        typer.echo(f"  … et {len(notes) - SHOWN} autre(s) (la liste complète : --json)")


def _source_text(summary: ImportSummary) -> str:
    """How the file was read: "Windows-1252 (détecté), séparateur point-virgule"."""
    from coproctl.importers.reader import DELIMITER_NAMES

    if summary.format in ("xlsx", "xls", "ods"):
        sheet = f", feuille « {summary.sheet} »" if summary.sheet else ""
        return f"classeur {summary.format}{sheet}"
    encoding = summary.decoding.get("label") or summary.encoding
    if summary.delimiter:
        return f"{encoding}, séparateur {DELIMITER_NAMES.get(summary.delimiter, summary.delimiter)}"
    return f"{encoding}, JSON lines"


def _render(summary: ImportSummary, report: Path | None) -> Callable[[], None]:
    def human() -> None:
        typer.echo(
            f"{summary.file} ({_source_text(summary)}) : {count(summary.rows, 'ligne')}, "
            f"{count(summary.accounts, 'identifiant')}."
        )
        if summary.ignored_columns:
            typer.echo("Colonnes ignorées : " + ", ".join(summary.ignored_columns))
        _notes("Lignes rejetées", summary.rejected)
        _notes("Avertissements", summary.warnings)
        verb = "à créer" if not summary.written else "créés"
        typer.echo(
            f"Comptes {verb} : {summary.created} · mis à jour : {summary.updated} · "
            f"inchangés : {summary.unchanged} · lignes rejetées : {len(summary.rejected)} · "
            f"avertissements : {len(summary.warnings)}"
        )
        if summary.skipped:
            typer.echo(
                f"Comptes de propriétaires effacés, ignorés : {summary.skipped} "
                "(--restore pour les recréer)"
            )
        if summary.dry_run:
            typer.echo("Simulation (--dry-run) : rien n'a été écrit.")
        elif not summary.written:
            typer.echo("--strict : des lignes sont rejetées, rien n'a été importé.")
        if report is not None:
            typer.echo(f"Rapport des lignes rejetées : {report}")

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

        chosen = importing.ImportOptions(
            delimiter=_delimiter(delimiter), mapping=tuple(mapping or ()), **options
        )
        with _progress() as progress:
            summary = importing.import_file(office, file, kind_name, chosen, progress)
        written = report is not None and write_report(
            report,
            summary.header,
            ((n.line, n.identifiant, n.reason) for n in summary.rejected),
            summary.rejected_cells,
            summary.secret_cells,
        )
    shown_report = report if written else None
    data = {**summary.as_dict(), "report": str(shown_report) if shown_report else None}
    emit(state(ctx).json, data, _render(summary, shown_report))
    if summary.rejected:
        raise typer.Exit(1)


@app.command("calls-for-funds")
def calls_for_funds(
    ctx: typer.Context,
    file: File,
    mapping: Mapping = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    sheet: Sheet = None,
    dry_run: DryRun = False,
    strict: Strict = False,
    update_passwords: UpdatePasswords = False,
    restore: Restore = False,
    report: Report = None,
    batch_size: BatchSize = 500,
    workers: Workers = None,
) -> None:
    """Importer l'export trimestriel des appels de fonds : créer et mettre à jour les comptes.

    Fichiers lus : CSV (séparateur ; , ou tabulation), classeurs .xlsx, .xls et .ods,
    JSON lines. Encodage détecté (UTF-8, UTF-16 avec BOM, Windows-1252, Mac Roman,
    ISO-8859-15), ou imposé par --encoding. Les lignes d'un même identifiant sont réunies
    (lots collectés) ; les lignes de total sont écartées. Les comptes nouveaux sont créés
    en attente, avec le mot de passe initial du fichier ; les autres sont mis à jour, jamais
    en double. Code de sortie : 0 si toutes les lignes sont prises, 1 si des lignes sont
    rejetées, 2 si le fichier est illisible.
    """
    _run(
        ctx,
        "calls-for-funds",
        file,
        report,
        delimiter,
        mapping,
        encoding=encoding,
        sheet=sheet,
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
    sheet: Sheet = None,
    legacy_scheme: LegacyScheme = None,
    dry_run: DryRun = False,
    strict: Strict = False,
    update_passwords: UpdatePasswords = False,
    restore: Restore = False,
    report: Report = None,
    batch_size: BatchSize = 500,
    workers: Workers = None,
) -> None:
    """Importer les comptes de l'ancien extranet, avec l'empreinte de leur mot de passe.

    Fichiers lus : CSV (séparateur ; , ou tabulation), classeurs .xlsx, .xls et .ods,
    JSON lines. Encodage détecté (UTF-8, UTF-16 avec BOM, Windows-1252, Mac Roman,
    ISO-8859-15), ou imposé par --encoding. Le format de chaque
    empreinte est reconnu d'après l'empreinte elle-même : WordPress et phpBB (phpass),
    Drupal 7, Joomla, Django, LDAP, .htpasswd, MySQL, crypt Unix (MD5, SHA, DES,
    yescrypt), bcrypt, argon2, MD5/SHA hexadécimal. Une empreinte inutilisable rejette sa
    ligne en disant quoi faire (account reset). Les comptes arrivent en attente ;
    l'ancien mot de passe ouvre la procédure de mise à jour.
    """
    _run(
        ctx,
        "legacy",
        file,
        report,
        delimiter,
        mapping,
        encoding=encoding,
        sheet=sheet,
        legacy_scheme=legacy_scheme,
        dry_run=dry_run,
        strict=strict,
        update_passwords=update_passwords,
        restore=restore,
        batch_size=batch_size,
        workers=workers,
    )
