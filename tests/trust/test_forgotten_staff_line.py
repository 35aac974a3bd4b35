"""Issue 11, item 7: ``password forgot`` run by staff — the owner's answer unchanged, then
one line for staff on standard error saying whether a code went, why not, and what next.
"""

from __future__ import annotations

from tests.cli.conftest import Cli

NEW = "Brume-Tilleul-Quartz7"


def create(cli: Cli, identifiant: str, password: str) -> None:
    run = cli(
        "account",
        "create",
        identifiant,
        "--owner-ref",
        "C" + identifiant,
        "--last-name",
        "Lefèvre",
        "--password-stdin",
        input=password + "\n",
    )
    assert run.exit_code == 0, run.output


def activate(cli: Cli, identifiant: str, address: str) -> None:
    create(cli, identifiant, "Initial-Aa11")
    start = ("update", "start", identifiant, "--email", address, "--confirm-email", address)
    assert cli(*start, "--password-stdin", input="Initial-Aa11\n").exit_code == 0
    assert cli("code", "verify", identifiant, cli.code(address)).exit_code == 0
    run = cli("password", "set", identifiant, "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output


def staff_line(stderr: str) -> str:
    [line] = [line for line in stderr.splitlines() if line.startswith("pour le personnel")]
    return line


def test_owner_answer_unchanged_staff_line_says_why(cli: Cli) -> None:
    activate(cli, "ACT001", "marie@example.com")
    create(cli, "PEN001", "Initial-Bb22")
    cases = {
        "match": ("ACT001", "marie@example.com"),
        "wrong_email": ("ACT001", "autre@example.com"),
        "unknown": ("INCONNU9", "marie@example.com"),
        "pending": ("PEN001", "marie@example.com"),
    }
    runs = {name: cli("password", "forgot", i, "--email", e) for name, (i, e) in cases.items()}
    assert {run.exit_code for run in runs.values()} == {0}
    assert len({run.stdout for run in runs.values()}) == 1  # the owner learns nothing
    assert "pour le personnel" not in runs["match"].stdout
    staff = {name: staff_line(run.stderr) for name, run in runs.items()}
    assert staff["match"] == (
        "pour le personnel : code remis à l'envoi, vers l'adresse vérifiée du compte ; "
        "étape suivante : le propriétaire le saisit : coproctl code verify ACT001 (ce qu'est "
        "devenu l'e-mail : coproctl account show ACT001)."
    )
    assert staff["wrong_email"].startswith(
        "pour le personnel : aucun code envoyé — ce n'est pas l'adresse vérifiée du compte ; "
        "étape suivante : "
    )
    assert "coproctl account show ACT001" in staff["wrong_email"]
    assert staff["unknown"].startswith(
        "pour le personnel : aucun code envoyé — identifiant inconnu"
    )
    assert "coproctl account list --search" in staff["unknown"]
    assert staff["pending"].startswith(
        "pour le personnel : aucun code envoyé — compte en attente de mise à jour ; "
        "étape suivante : "
    )
    assert "coproctl update start PEN001" in staff["pending"]


def test_json_gives_the_same_message_and_the_staff_note_apart(cli: Cli) -> None:
    create(cli, "PEN001", "Initial-Bb22")
    pending = cli.json("password", "forgot", "PEN001", "--email", "m@example.com").data
    unknown = cli.json("password", "forgot", "NOPE01", "--email", "m@example.com").data
    assert pending["message"] == unknown["message"]
    assert pending["staff_note"]["code"] == "account_pending"
    assert unknown["staff_note"]["code"] == "unknown_identifiant"


def test_the_service_keeps_the_note_out_of_what_a_page_would_render(office: object) -> None:
    from coproctl.services.procedures.forgotten import forgot_password

    result = forgot_password(office, "NOPE01", "m@example.com")  # type: ignore[arg-type]
    assert result.as_dict() == {"message": result.answer}
    assert "personnel" not in repr(result)
    assert result.staff_note.code == "unknown_identifiant"
