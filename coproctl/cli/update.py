"""``coproctl update start``: the update procedure (première connexion), steps 1–2."""

from __future__ import annotations

from typing import Annotated

import typer

from coproctl.cli.render import deliver_and_emit
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

ACCEPT_DOMAIN_HELP = (
    "Garder une adresse dont le domaine ressemble à une faute de frappe d'un domaine courant."
)


@app.command()
def start(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="Identifiant du propriétaire.")],
    email: Annotated[
        str, typer.Option("--email", help="L'adresse e-mail choisie par le propriétaire.")
    ],
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
    """Vérifier le mot de passe communiqué par le syndic, puis envoyer un code de mise à
    jour à l'adresse choisie.

    Secret : le mot de passe du syndic (courrier, ou celui de l'ancien espace client).
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.update import start_update

        password = SecretReader(password_stdin).read("Mot de passe communiqué par le syndic")
        sent = start_update(
            office, identifiant, password, email, confirm_email, accept_unusual_domain=accept_domain
        )
        deliver_and_emit(state(ctx).json, office, sent)
