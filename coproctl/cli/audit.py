"""``coproctl audit list|purge``: the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.labels import complete_identifiant
from coproctl.cli.output import (
    All,
    Csv,
    Limit,
    Offset,
    cut_notice,
    details_text,
    effective_limit,
    emit,
    table,
    when,
    write_csv,
)
from coproctl.cli.runtime import backoffice, state
from coproctl.typography import count

if TYPE_CHECKING:
    from coproctl.services.audit import AuditView
    from coproctl.services.listing import Page

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"]


@app.command("list")
def list_(
    ctx: typer.Context,
    account: Annotated[
        str | None,
        typer.Option(
            "--account",
            metavar="IDENTIFIANT",
            help="Identifiant du compte (majuscules ou minuscules).",
            autocompletion=complete_identifiant,
        ),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option(
            "--action",
            metavar="ACTION",
            help="Action, ou son début : update pour update.start, update.verify…",
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", metavar="NOM", help="Qui a agi (cron, un prénom…).")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=DATE_FORMATS, help="À partir du (heure de Paris)."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--until", formats=DATE_FORMATS, help="Avant le (heure de Paris)."),
    ] = None,
    limit: Limit = None,
    offset: Offset = 0,
    all_rows: All = False,
    csv_output: Csv = False,
) -> None:
    """Les événements d'audit, les plus récents d'abord ; les filtres se combinent.

    À l'écran, 100 événements au plus, et la ligne du bas dit combien il y en a en tout ;
    --json et --csv donnent tous les événements (sauf --limit). Redirigée vers un fichier,
    chaque événement tient sur une ligne entière.
    """
    with backoffice(ctx) as office:
        from coproctl.services.audit import audit_page

        json_mode = state(ctx).json
        page = audit_page(
            office,
            identifiant=account,
            action=action,
            actor=actor,
            since=since,
            until=until,
            limit=effective_limit(limit, all_rows, whole=json_mode or csv_output, default=100),
            offset=offset,
        )
        if csv_output and not json_mode:
            _audit_csv(page.rows)
            return
        emit(json_mode, [event.as_dict() for event in page.rows], lambda: _audit_table(page))


def _audit_table(page: Page[AuditView]) -> None:

    table(
        None,
        ["quand", "acteur", "identifiant", "action", "résultat", "détails"],
        [
            (
                when(e.at),
                e.actor,
                e.identifiant,
                e.action,
                e.outcome,
                details_text(e.details),
            )
            for e in page.rows
        ],
    )
    typer.echo(f"{count(page.total, 'événement')}.")
    notice = cut_notice(len(page.rows), page.offset, page.total)
    if notice:
        typer.echo(notice)


def _audit_csv(events: list[AuditView]) -> None:
    from coproctl.clock import paris_iso

    write_csv(
        ["quand", "acteur", "identifiant", "action", "résultat", "détails"],
        [
            (paris_iso(e.at), e.actor, e.identifiant, e.action, e.outcome, details_text(e.details))
            for e in events
        ],
    )


@app.command()
def purge(
    ctx: typer.Context,
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=1,
            metavar="JOURS",
            help="Supprimer les jours antérieurs au jour d'il y a JOURS jours ; ce jour-là est "
            "gardé. Par défaut : le réglage AUDIT_RETENTION_DAYS (365).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Compter ce qui serait supprimé, sans rien supprimer."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="N'afficher que les échecs (pour une tâche planifiée)."),
    ] = False,
) -> None:
    """Supprimer les vieux événements d'audit (tâche planifiée) ; par petits lots, sans
    effet si on le relance."""
    with backoffice(ctx) as office:
        from coproctl.services.maintenance.purges import purge_audit

        report = purge_audit(office, older_than_days=older_than, dry_run=dry_run)
        if not quiet:
            verb = "seraient supprimés" if dry_run else "supprimés"
            if report.removed < 2:
                verb = verb.removesuffix("s")
            removed = count(report.removed, "événement d'audit", "événements d'audit")
            emit(
                state(ctx).json,
                report,
                f"{removed} {verb} "
                f"(antérieurs au {when(report.cutoff)}, conservation "
                f"{count(report.older_than_days, 'jour')}).",
            )
