"""The ``coproctl`` Typer app: global options, and the command groups joined together."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coproctl.cli import owner_login, setup
from coproctl.cli.lazy import COMMANDS, GROUPS, LazyGroup
from coproctl.cli.runtime import CliState, os_user

GROUPS.update(
    {
        "update": (
            "coproctl.cli.update",
            "The update procedure of a pending account (first connection).",
        ),
        "code": ("coproctl.cli.codes", "Verification codes of the procedure in progress."),
        "password": ("coproctl.cli.passwords", "Choose, reset or change a password."),
        "email": ("coproctl.cli.emails", "The contact e-mail of an active account."),
        "account": ("coproctl.cli.accounts", "Staff: create, look up and manage accounts."),
        "audit": ("coproctl.cli.audit", "The audit trail."),
        "import": (
            "coproctl.cli.imports",
            "Import the call-for-funds export, or legacy extranet accounts.",
        ),
        "mail": ("coproctl.cli.mail", "Outgoing mail: deliver and retry the queue, list, purge."),
        "codes": ("coproctl.cli.codes_admin", "Cron: purge expired, used and superseded codes."),
        "owner": ("coproctl.cli.owners", "Owners: show, export (right of access), erase."),
        "stats": (
            "coproctl.cli.stats",
            "Migration progress: accounts by status, procedures, mails.",
        ),
    }
)
COMMANDS.add("stats")

app = typer.Typer(
    name="coproctl",
    cls=LazyGroup,
    help=(
        "Account back office of the syndic: owners' accounts, the first-connection, "
        "forgotten-password and settings procedures, codes, mail and audit."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=True,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (env COPROCTL_DATABASE_URL). Default: SQLite in the app folder.",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help='Machine output on stdout; errors as {"error": ...}.')
    ] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar="COPROCTL_ACTOR",
            show_envvar=False,
            help="Who is acting, for the audit trail. Default: the OS user.",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="COPROCTL_CONFIG",
            show_envvar=False,
            help="TOML settings file (env COPROCTL_CONFIG).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    ctx.obj = CliState(db=db, json=json_output, actor=actor or os_user(), config=config)


setup.register(app)
owner_login.register(app)


def main() -> None:
    app(prog_name="coproctl")
