"""``coproctl stats``: migration progress, for staff (rich layout) and dashboards (--json)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.labels import PURPOSE, label
from coproctl.cli.output import emit
from coproctl.cli.runtime import backoffice, state
from coproctl.typography import NBSP, percent

if TYPE_CHECKING:
    from coproctl.services.maintenance.stats import AccountCounts, Stats

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS


class By(StrEnum):
    copropriete = "copropriete"


STATES_FR = {"code_sent": "code à saisir", "code_verified": "code validé", "stalled": "abandonnées"}
PERIODS_FR = {"24h": "dernières 24 heures", "7d": "7 derniers jours"}
CAUSES_FR = {
    "mailbox_full": "boîte pleine",
    "spam": "anti-spam / refus",
    "bad_address": "adresse erronée",
    "unreachable": "serveur injoignable",
    "temporary": "erreur temporaire persistante",
    "other": "autre",
}


def _account_row(counts: AccountCounts) -> list[str]:
    return [
        str(counts.by_status.get("pending", 0)),
        str(counts.by_status.get("active", 0)),
        str(counts.by_status.get("disabled", 0)),
        str(counts.total),
        percent(counts.as_dict()["completed_share"]),
    ]


def _render(stats: Stats) -> None:
    import sys

    from rich.columns import Columns
    from rich.console import Console
    from rich.table import Table

    from coproctl.cli.output import on_terminal
    from coproctl.clock import paris_text

    # off a terminal nothing is cut: a file or a pipe gets the whole width of every table
    console = Console(file=sys.stdout, width=None if on_terminal() else 1000)
    accounts = Table(title="Comptes", title_justify="left")
    for name in ("en attente", "actifs", "désactivés", "total", "mise à jour faite"):
        accounts.add_column(name, justify="right")
    accounts.add_row(*_account_row(stats.accounts))

    procedures = Table(title="Procédures en cours", title_justify="left")
    procedures.add_column("procédure")
    for state_label in STATES_FR.values():
        procedures.add_column(state_label, justify="right")
    for purpose, counts in stats.procedures.items():
        procedures.add_row(label(PURPOSE, purpose), *(str(counts[state_]) for state_ in STATES_FR))

    codes = Table(title="Codes", title_justify="left")
    codes.add_column("période")
    for heading in ("émis", "validés", "expirés"):
        codes.add_column(heading, justify="right")
    for window, counts in stats.codes.items():
        codes.add_row(
            PERIODS_FR.get(window, window),
            str(counts["issued"]),
            str(counts["verified"]),
            str(counts["expired"]),
        )

    mail = Table(title="E-mails en échec", title_justify="left")
    mail.add_column("cause")
    mail.add_column("échec définitif", justify="right")
    mail.add_column("en réessai", justify="right")
    for cause, cause_label in CAUSES_FR.items():
        if stats.mail_failures[cause] or stats.mail_retrying[cause]:
            mail.add_row(
                cause_label, str(stats.mail_failures[cause]), str(stats.mail_retrying[cause])
            )
    if not mail.row_count:
        mail.add_row("aucun", "0", "0")

    console.print(f"[bold]coproctl stats[/bold] — {paris_text(stats.at)}")
    console.print(accounts)
    console.print(
        f"Propriétaires{NBSP}: {stats.owners} · comptes verrouillés en ce moment{NBSP}: "
        f"{stats.locked} · e-mails en attente d'envoi{NBSP}: "
        f"{stats.mail_by_status.get('queued', 0)}"
    )
    console.print(Columns([procedures, codes]))
    console.print(mail)
    if stats.by_copropriete is not None:
        table = Table(title="Par copropriété", title_justify="left")
        table.add_column("copropriété")
        for name in ("en attente", "actifs", "désactivés", "total", "mise à jour faite"):
            table.add_column(name, justify="right")
        for name, counts in stats.by_copropriete:
            table.add_row(name or "(sans copropriété)", *_account_row(counts))
        console.print(table)


@app.command()
def stats(
    ctx: typer.Context,
    by: Annotated[
        By | None,
        typer.Option("--by", help="Détailler aussi les comptes par copropriété."),
    ] = None,
) -> None:
    """Comptes par statut et part des mises à jour faites, procédures en cours, codes émis,
    validés et expirés (24 heures, 7 jours), comptes verrouillés, e-mails en échec par cause.
    """
    with backoffice(ctx) as office:
        from coproctl.services.maintenance.stats import compute_stats

        result = compute_stats(office, by_copropriete=by is By.copropriete)
        emit(state(ctx).json, result, lambda: _render(result))
