"""``coproctl email change``: settings, a new contact e-mail."""

from __future__ import annotations

from typing import Annotated

import typer

from coproctl.cli.render import deliver_and_emit
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state
from coproctl.cli.update import ACCEPT_DOMAIN_HELP

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS


@app.command()
def change(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="Identifiant du propriétaire.")],
    email: Annotated[str, typer.Option("--email", help="La nouvelle adresse e-mail.")],
    confirm_email: Annotated[
        str, typer.Option("--confirm-email", help="La même adresse, tapée une seconde fois.")
    ],
    accept_domain: Annotated[
        bool, typer.Option("--accept-domain", help=ACCEPT_DOMAIN_HELP)
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Envoyer un code à la nouvelle adresse ; `code verify` fait le changement et
    prévient l'ancienne adresse.

    Secret : le mot de passe actuel.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.email_change import start_email_change

        current = SecretReader(password_stdin).read("Mot de passe actuel")
        sent = start_email_change(
            office, identifiant, current, email, confirm_email, accept_unusual_domain=accept_domain
        )
        deliver_and_emit(state(ctx).json, office, sent)
