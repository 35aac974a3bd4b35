"""``coproctl code verify|resend``: the code of the procedure in progress."""

from __future__ import annotations

from typing import Annotated

import typer

from coproctl.cli.proofs import save_proof
from coproctl.cli.render import deliver_and_emit
from coproctl.cli.runtime import backoffice, state

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

NEXT_STEPS = {
    "password_set": "Code validé. Étape suivante : coproctl password set {identifiant}",
    "password_set_noted": (
        "Code validé. Étape suivante : coproctl password set {identifiant} --noted"
    ),
    "done": "Code validé : l'adresse e-mail du compte {identifiant} est maintenant {email}.",
}


@app.command()
def verify(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="The owner's identifiant.")],
    code: Annotated[
        str | None, typer.Argument(help="The 8-digit code from the e-mail (prompted if omitted).")
    ] = None,
) -> None:
    """Verify the code of the procedure in progress (update, reset or e-mail change).

    An e-mail change completes here; update and reset continue with `password set`.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.codes import verify_code

        typed = code if code is not None else typer.prompt("Code reçu par e-mail")
        result = verify_code(office, identifiant, typed)
        if result.proof is not None:  # for `password set`, on this machine, for this user
            save_proof(office.settings, result.identifiant, result.proof)
        text = NEXT_STEPS[result.next_step].format(
            identifiant=result.identifiant, email=result.email
        )
        deliver_and_emit(state(ctx).json, office, result, text)


@app.command()
def resend(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="The owner's identifiant.")],
) -> None:
    """Send a new code for the procedure in progress; the previous code stops working."""
    with backoffice(ctx) as office:
        from coproctl.services.procedures.codes import resend_code

        sent = resend_code(office, identifiant)
        deliver_and_emit(state(ctx).json, office, sent)
