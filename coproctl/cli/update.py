"""``coproctl update start``: the update procedure (première connexion), steps 1–2."""

from __future__ import annotations

from typing import Annotated

import typer

from coproctl.cli.render import deliver_and_emit
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

ACCEPT_DOMAIN_HELP = "Keep an address whose domain looks like a typo of a common one."


@app.command()
def start(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="The owner's identifiant.")],
    email: Annotated[str, typer.Option("--email", help="The contact e-mail chosen by the owner.")],
    confirm_email: Annotated[
        str, typer.Option("--confirm-email", help="The same e-mail, typed again.")
    ],
    accept_domain: Annotated[
        bool, typer.Option("--accept-domain", help=ACCEPT_DOMAIN_HELP)
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Check the password communicated by the syndic, then e-mail an update code.

    Secret: the syndic's password (initial or legacy).
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.update import start_update

        password = SecretReader(password_stdin).read("Mot de passe communiqué par le syndic")
        sent = start_update(
            office, identifiant, password, email, confirm_email, accept_unusual_domain=accept_domain
        )
        deliver_and_emit(state(ctx).json, office, sent)
