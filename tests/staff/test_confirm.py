"""Issue 11, items 16 and 19: irreversible staff actions ask first and say what they
replace; refusals come before the question; a staff lock is told as such."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from coproctl.clock import paris_text
from coproctl.typography import NBSP
from tests.cli.conftest import Cli
from tests.staff.conftest import make_account

EMAIL = "marie@example.com"


def _active(cli: Cli, identifiant: str, email: str) -> None:
    """An account through the update procedure: verified e-mail, owner's password."""
    initial = cli.json("account", "reset", identifiant, "--yes").data["initial_password"]
    start = ["update", "start", identifiant, "--email", email, "--confirm-email", email]
    assert cli(*start, "--password-stdin", input=initial + "\n").exit_code == 0
    assert cli("code", "verify", identifiant, cli.code(to=email)).exit_code == 0
    chosen = "Tournesol-Bleu-1987!"
    run = cli("password", "set", identifiant, "--password-stdin", input=f"{chosen}\n{chosen}\n")
    assert run.exit_code == 0, run.output


def _plain(text: str) -> str:
    return text.replace(NBSP, " ")


def test_account_reset_asks_and_says_what_it_replaces(cli: Cli) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre", "--first-name", "Marie")
    _active(cli, "LEF001", EMAIL)
    before = cli.json("account", "show", "LEF001").data

    for answer in ("non\n", "", "\n"):  # no, end of input (a script), nothing typed
        run = cli("account", "reset", "LEF001", input=answer)
        assert run.exit_code == 1, run.output
        question = _plain(run.stderr)
        assert "Réinitialiser le compte LEF001 (C0001 — Marie Lefèvre) ?" in question
        assert "mot de passe actuel (choisi par le propriétaire" in question
        assert "statut : actif → en attente de mise à jour" in question
        assert f"e-mail {EMAIL} conservé, à vérifier de nouveau" in question
        assert "Réinitialisation annulée : rien n'a été modifié." in question
        assert "--yes" in question
    assert cli.json("account", "show", "LEF001").data == before

    done = cli("account", "reset", "LEF001", input="oui\n")
    assert done.exit_code == 0, done.output
    assert "Mot de passe initial" in done.stdout
    assert cli.json("account", "show", "LEF001").data["status"] == "pending"
    # scripts: --yes, no question at all
    run = cli.json("account", "reset", "LEF001", "--yes")
    assert run.exit_code == 0
    assert "Réinitialiser" not in run.stderr
    assert run.data["initial_password"]


def test_account_link_asks_names_the_previous_owner_and_refuses_first(cli: Cli) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre", "--first-name", "Marie", "--email", EMAIL)
    make_account(cli, "DUR001", "C0002", "Durand", "--first-name", "Paul")

    run = cli("account", "link", "LEF001", "--owner-ref", "C0002", input="n\n")
    assert run.exit_code == 1
    question = _plain(run.stderr)
    assert "Rattacher le compte LEF001 à C0002 — Paul Durand ?" in question
    assert "propriétaire actuel, remplacé : C0001 — Marie Lefèvre" in question
    assert f"e-mail {EMAIL} et mot de passe du compte conservés" in question
    assert cli.json("account", "show", "LEF001").data["owner_ref"] == "C0001"

    # refusals before any question: unknown owner, same owner, unknown account
    for args, code in (
        (("LEF001", "--owner-ref", "NOPE"), "not_found"),
        (("LEF001", "--owner-ref", "C0001"), "wrong_state"),
        (("NOPE01", "--owner-ref", "C0002"), "not_found"),
    ):
        refused = cli.json("account", "link", *args, input="oui\n")
        assert refused.exit_code == 1
        assert refused.data["error"]["code"] == code
        assert "Rattacher" not in refused.stderr

    assert cli("account", "link", "LEF001", "--owner-ref", "C0002", input="oui\n").exit_code == 0
    assert cli.json("account", "show", "LEF001").data["owner_ref"] == "C0002"


def test_owner_erase_refuses_before_asking(cli: Cli) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre")
    initial = cli.json("account", "reset", "LEF001", "--yes").data["initial_password"]
    start = ["update", "start", "LEF001", "--email", EMAIL, "--confirm-email", EMAIL]
    assert cli(*start, "--password-stdin", input=initial + "\n").exit_code == 0

    run = cli("owner", "erase", "C0001", input="oui\n")
    assert run.exit_code == 1
    assert "procedure_in_progress" in run.stderr
    assert "Effacer définitivement" not in run.stderr  # no question for a refused erasure
    assert cli.json("owner", "show", "C0001").data["owner_ref"] == "C0001"
    asked = cli("owner", "erase", "C0001", "--force", input="non\n")
    assert "Effacer définitivement" in asked.stderr
    assert asked.exit_code == 1


def test_a_staff_lock_is_told_as_a_staff_lock(cli: Cli) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre")
    make_account(cli, "DUR001", "C0002", "Durand")
    _active(cli, "LEF001", EMAIL)
    now = datetime.now(UTC)
    with freeze_time(now):
        run = cli("account", "lock", "LEF001", "--minutes", "90")
        assert run.exit_code == 0
        until = paris_text(now + timedelta(minutes=90))
        text = _plain(run.stdout)
        assert f"Compte LEF001 verrouillé jusqu'au {until}, par le personnel" in text
        assert "par le personnel (test-staff)" in text
        # the owner reads that the syndic locked it, not that passwords were wrong
        login = cli.json("login", "LEF001", "--password-stdin", input="Tournesol-Bleu-1987!\n")
        assert login.exit_code == 1
        error = login.data["error"]
        assert error["code"] == "account_locked"
        assert "par votre service de syndic" in error["message"]
        assert "infructueux" not in error["message"]
        assert error["details"]["lock_reason"] == "staff"
        shown = _plain(cli("account", "show", "LEF001").stdout)
        assert "Verrouillé          : jusqu'au" in shown
        assert "par le personnel (test-staff)" in shown
        # account list --locked shows until when, and why
        locked = _plain(cli("account", "list", "--locked").stdout)
        (line,) = [ln for ln in locked.splitlines() if ln.startswith("LEF001")]
        assert "par le personnel" in line
        assert "DUR001" not in locked
        data = cli.json("account", "list", "--locked").data
        assert [a["identifiant"] for a in data] == ["LEF001"]
        assert data[0]["lock_reason"] == "staff"
        assert data[0]["locked_by"] == "test-staff"
        assert data[0]["locked_until"] is not None
    # failed logins after the staff lock ended: told as failed logins
    with freeze_time(now + timedelta(minutes=91)):
        for _ in range(5):
            cli("login", "LEF001", "--password-stdin", input="Mauvais-Mot-2000\n")
        error = cli.json("login", "LEF001", "--password-stdin", input="x\n").data["error"]
        assert error["code"] == "account_locked"
        assert "infructueux" in error["message"]
        shown = _plain(cli("account", "show", "LEF001").stdout)
        assert "après des échecs de connexion" in shown
        assert cli.json("account", "show", "LEF001").data["lock_reason"] == "failed_logins"
        assert cli("account", "unlock", "LEF001").exit_code == 0
        assert cli.json("account", "show", "LEF001").data["lock_reason"] is None
