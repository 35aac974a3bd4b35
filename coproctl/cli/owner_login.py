"""``coproctl login ID``: check an identifiant and a password, say the next step."""

from __future__ import annotations

from typing import Annotated

import typer

from coproctl.cli.output import emit
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state

NEXT_STEP_TEXT = {
    "active": "Identifiants corrects : compte actif.",
    "update required": (
        "Identifiants corrects : mise à jour requise (e-mail et mot de passe personnel à "
        "choisir, coproctl update start)."
    ),
}


def login(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="Identifiant du propriétaire.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Vérifier un identifiant et son mot de passe. Secret : le mot de passe.

    Sortie 0 s'ils sont justes (compte actif, ou mise à jour requise) ; 1 s'ils sont faux,
    si le compte est verrouillé ou désactivé, ou si le mot de passe du courrier a expiré.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.authentication import login as login_service

        password = SecretReader(password_stdin).read("Mot de passe")
        result = login_service(office, identifiant, password)
        emit(state(ctx).json, result, NEXT_STEP_TEXT[result.next_step])


def register(app: typer.Typer) -> None:
    app.command()(login)
