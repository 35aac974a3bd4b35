"""Issue 11, items 11 and 12: French labels, never an English code inside a French
sentence (JSON keeps the codes); filters take both; typography and grammar."""

from __future__ import annotations

import re

import pytest

from coproctl.typography import NBSP, count, decimal, duration, fr, percent
from tests.cli.conftest import Cli
from tests.staff.conftest import make_account

CODES = ("pending", "active", "disabled", "syndic", "legacy", "code_sent", "code_verified")
ENGLISH_VALUE = re.compile(r"\b(" + "|".join(CODES) + r")\b")


def _french(text: str) -> str:
    return text.replace(NBSP, " ")


def test_account_show_speaks_french_and_json_keeps_codes(cli: Cli) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre", "--first-name", "Marie")
    initial = cli.json("account", "reset", "LEF001", "--yes").data["initial_password"]
    email = "marie@example.com"
    start = ["update", "start", "LEF001", "--email", email, "--confirm-email", email]
    assert cli(*start, "--password-stdin", input=initial + "\n").exit_code == 0

    text = _french(cli("account", "show", "LEF001").stdout)
    sentences = text.split("Derniers")[0]  # the events' details stay clé=valeur codes
    assert not ENGLISH_VALUE.search(sentences), sentences
    assert "Statut              : en attente de mise à jour" in text
    assert "Mot de passe        : mot de passe initial (courrier)" in text
    assert "Procédure en cours  : mise à jour (première connexion) — code à saisir" in text
    assert "1 essai faux" not in text
    assert "0 essai faux" in text

    data = cli.json("account", "show", "LEF001").data
    assert data["status"] == "pending"
    assert data["password_origin"] == "syndic"
    assert data["procedure"]["purpose"] == "update"
    assert data["procedure"]["state"] == "code_sent"

    for args in (("account", "list"), ("owner", "show", "C0001"), ("account", "lock", "LEF001")):
        run = cli(*args)
        assert run.exit_code == 0
        assert not ENGLISH_VALUE.search(run.stdout.split("Derniers")[0]), (args, run.stdout)
    created = cli("account", "create", "DUR001", "--owner-ref", "C2", "--last-name", "Durand")
    assert "statut pending" not in created.stdout


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("actif", "active"),
        ("Actif", "active"),
        ("active", "active"),
        ("en attente", "pending"),
        ("En attente de mise à jour", "pending"),
        ("pending", "pending"),
        ("désactivé", "disabled"),
        ("desactive", "disabled"),
        ("disabled", "disabled"),
    ],
)
def test_status_filter_takes_french_and_codes(cli: Cli, typed: str, code: str) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre")
    make_account(cli, "DUR001", "C0002", "Durand")
    assert cli("account", "disable", "DUR001").exit_code == 0
    found = cli.json("account", "list", "--status", typed).data
    expected = {"pending": ["LEF001"], "disabled": ["DUR001"], "active": []}[code]
    assert [a["identifiant"] for a in found] == expected
    assert all(a["status"] == code for a in found)


def test_unknown_status_is_refused_in_french(cli: Cli) -> None:
    run = cli("account", "list", "--status", "bloqué")
    assert run.exit_code == 2
    assert "Statut inconnu « bloqué »" in _french(run.stderr)
    assert "en attente, actif ou désactivé" in _french(run.stderr)


def test_typography_helpers() -> None:
    assert count(1, "minute") == f"1{NBSP}minute"
    assert count(0, "compte") == f"0{NBSP}compte"
    assert count(2, "minute") == f"2{NBSP}minutes"
    assert count(3, "essai faux", "essais faux") == f"3{NBSP}essais faux"
    assert decimal(0.2) == "0,2"
    assert decimal(12.0) == "12"
    assert percent(0.002) == f"0,2{NBSP}%"
    assert percent(0.4444) == f"44,4{NBSP}%"
    assert percent(None) == "—"
    assert duration(60) == f"1{NBSP}minute"
    assert duration(2 * 86400) == f"2{NBSP}jours"
    assert duration(5400) == f"1{NBSP}h{NBSP}30"
    assert fr("Erreur (x) : message ; suite ? oui !") == (
        f"Erreur (x){NBSP}: message{NBSP}; suite{NBSP}? oui{NBSP}!"
    )
    assert fr("« 8 chiffres »") == f"«{NBSP}8{NBSP}chiffres{NBSP}»"
    assert fr("(mal placés ?)") == f"(mal placés{NBSP}?)"
    # glued colons are not French punctuation: left alone
    assert fr("https://x.example 10:30 clé=valeur") == "https://x.example 10:30 clé=valeur"


def test_staff_messages_use_the_typography(cli: Cli) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre")
    lock = cli("account", "lock", "LEF001", "--minutes", "1")
    assert "verrouillé jusqu'au" in lock.stdout
    error = cli("account", "show", "NOPE")
    assert error.stderr.startswith(f"Erreur (not_found){NBSP}: ")
    purge = cli("codes", "purge", "--grace", "2j")  # durations in days: j
    assert purge.exit_code == 0, purge.output
    assert f"2{NBSP}jours" in purge.stdout
    assert f"0{NBSP}code supprimé" in purge.stdout  # singular below 2
    stats = cli("stats").stdout
    assert "dernières 24 heures" in stats
    assert "7 derniers jours" in stats
    assert f"0{NBSP}%" in stats or "—" in stats
    assert "24h" not in stats
    assert "7d" not in stats
