"""``coproctl password set|forgot|change``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from coproctl.cli.output import emit
from coproctl.cli.proofs import DEAD_PROOF_CODES, drop_proof, load_proof
from coproctl.cli.render import deliver_and_emit
from coproctl.cli.runtime import PASSWORD_STDIN_HELP, SecretReader, backoffice, state
from coproctl.errors import CoproctlError

if TYPE_CHECKING:
    from coproctl.services.procedures.new_password import PasswordChanged

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.app GROUPS

NOTED_HELP = "The owner has noted the new password in a safe place (required after a reset)."


def _changed_text(result: PasswordChanged) -> str:
    lines = ["Nouveau mot de passe enregistré pour : " + ", ".join(result.identifiants) + "."]
    lines += [kept.message for kept in result.kept]
    return "\n".join(lines)


@app.command("set")
def set_(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="The owner's identifiant.")],
    this_account_only: Annotated[
        bool,
        typer.Option(
            "--this-account-only",
            help="After an update: apply password and e-mail to this account only, "
            "not to the owner's other accounts.",
        ),
    ] = False,
    noted: Annotated[bool, typer.Option("--noted", help=NOTED_HELP)] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Final step of the update or forgotten-password procedure, once the code is verified.

    Secrets: the new password, then its confirmation.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.new_password import set_password

        proof = load_proof(office.settings, identifiant)
        reader = SecretReader(password_stdin)
        new = reader.read("Nouveau mot de passe")
        confirmation = reader.read("Confirmez le nouveau mot de passe")
        try:
            result = set_password(
                office,
                identifiant,
                new,
                confirmation,
                proof=proof,
                this_account_only=this_account_only,
                noted=noted,
            )
        except CoproctlError as error:
            if error.code in DEAD_PROOF_CODES:
                drop_proof(office.settings, identifiant)
            raise
        drop_proof(office.settings, identifiant)
        deliver_and_emit(state(ctx).json, office, result, _changed_text(result))


@app.command()
def forgot(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="The owner's identifiant.")],
    email: Annotated[str, typer.Option("--email", help="The e-mail linked to the account.")],
) -> None:
    """Forgotten password, step 1: a reset code is e-mailed if identifiant and e-mail match.

    The answer is the same whether they match or not; a line for staff on standard error
    (or "staff_note" in --json) says whether a code went, or why not, and the next step.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.forgotten import forgot_password

        result = forgot_password(office, identifiant, email)
        # the owner's answer as it is, then (staff only, never on an owner's page) the reason
        staff = {**result.as_dict(), "staff_note": result.staff_note.as_dict()}
        emit(state(ctx).json, staff, result.answer)
        if not state(ctx).json:
            typer.echo(result.staff_note.message, err=True)
        # the same hand-over in every case: a detached process delivers (issue 9)
        office.deliver_pending(background=True)


@app.command()
def change(
    ctx: typer.Context,
    identifiant: Annotated[str, typer.Argument(help="The owner's identifiant.")],
    noted: Annotated[bool, typer.Option("--noted", help=NOTED_HELP)] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """Settings: change the password of an active account.

    Secrets: the current password, the new password, then its confirmation.
    """
    with backoffice(ctx) as office:
        from coproctl.services.procedures.new_password import change_password

        reader = SecretReader(password_stdin)
        current = reader.read("Mot de passe actuel")
        new = reader.read("Nouveau mot de passe")
        confirmation = reader.read("Confirmez le nouveau mot de passe")
        result = change_password(office, identifiant, current, new, confirmation, noted=noted)
        deliver_and_emit(state(ctx).json, office, result, _changed_text(result))
