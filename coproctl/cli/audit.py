"""``coproctl audit list|purge``: the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from coproctl.cli.output import emit, table
from coproctl.cli.render import details_text
from coproctl.cli.runtime import backoffice, state

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"]


@app.command("list")
def list_(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option("--account", help="Identifiant.")] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="Action, or prefix (e.g. password).")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who acted.")] = None,
    since: Annotated[
        datetime | None, typer.Option("--since", formats=DATE_FORMATS, help="From (Paris time).")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option("--until", formats=DATE_FORMATS, help="Before (Paris time).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many events.")] = 100,
) -> None:
    """Audit events, newest first; filters combine."""
    with backoffice(ctx) as office:
        from coproctl.services.audit import list_audit

        events = list_audit(
            office,
            identifiant=account,
            action=action,
            actor=actor,
            since=since,
            until=until,
            limit=limit,
        )
        from coproctl.clock import paris_text

        emit(
            state(ctx).json,
            [event.as_dict() for event in events],
            lambda: table(
                None,
                ["quand", "acteur", "identifiant", "action", "résultat", "détails"],
                [
                    (
                        paris_text(e.at),
                        e.actor,
                        e.identifiant,
                        e.action,
                        e.outcome,
                        details_text(e.details),
                    )
                    for e in events
                ],
            ),
        )


@app.command()
def purge(
    ctx: typer.Context,
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=1,
            metavar="DAYS",
            help="Delete the days before the day DAYS days ago; that day is kept. "
            "Default: AUDIT_RETENTION_DAYS (365).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing unless something failed (cron).")
    ] = False,
) -> None:
    """Delete old audit events (cron); idempotent, in short batches."""
    with backoffice(ctx) as office:
        from coproctl.clock import paris_text
        from coproctl.services.maintenance.purges import purge_audit

        report = purge_audit(office, older_than_days=older_than, dry_run=dry_run)
        if not quiet:
            verb = "seraient supprimés" if dry_run else "supprimés"
            emit(
                state(ctx).json,
                report,
                f"{report.removed} événement(s) d'audit {verb} (antérieurs au "
                f"{paris_text(report.cutoff)}, conservation {report.older_than_days} jours).",
            )
