"""``coproctl login ID``: check an identifiant and a password, say the next step."""

from __future__ import annotations

from typing import Annotated

import typer

from coproctl.cli.output import emit
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state

NEXT_STEP_TEXT = {
    "active": "Identifiants corrects : compte actif.",
    "update required": (
        "Identifiants corrects : mise à jour requise (e-mail et mot de passe personnel à "
        "choisir, coproctl update start)."
    ),
}


def login(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="The owner's identifiant.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Check identifiant + password. Secret: the password.

    Exit 0 when right (status active, or update required); 1 when wrong, locked or disabled.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.authentication import login as login_service

        password = SecretReader(password_stdin).read("Mot de passe")
        result = login_service(office, identifiant, password)
        emit(state(ctx).json, result, NEXT_STEP_TEXT[result.next_step])


def register(app: typer.Typer) -> None:
    app.command()(login)
