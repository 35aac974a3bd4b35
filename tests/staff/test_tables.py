"""Issue 11, item 6 (and the done-when check): `audit list`, `account list` and `account
show` at 80 columns, piped and on a terminal, cut nothing; details as clé=valeur; --csv
neutralises formula cells."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.cli.conftest import Cli
from tests.staff.conftest import Terminal, make_account

LONG_COPRO = "Résidence du Parc de la Vallée de Chevreuse, bâtiment B escalier 3"
EMAIL = "marie-christine.de-la-fontaine-lefevre@example.com"


@pytest.fixture
def trail(cli: Cli, office: Any) -> Cli:
    """Accounts with long values, a procedure begun, events with list and boolean details."""
    make_account(
        cli,
        "LEF001",
        "C0001",
        "de La Fontaine-Lefèvre",
        "--first-name",
        "Marie-Christine",
        "--civility",
        "Mme",
        "--copropriete",
        LONG_COPRO,
        "--lot",
        "12",
    )
    make_account(cli, "DUR001", "C0002", "Durand", "--copropriete", "Les Tilleuls")
    initial = cli.json("account", "reset", "LEF001", "--yes").data["initial_password"]
    start = ["update", "start", "LEF001", "--email", EMAIL, "--confirm-email", EMAIL]
    assert cli(*start, "--password-stdin", input=initial + "\n").exit_code == 0
    from coproctl.services import audit
    from coproctl.services.common import get_account

    with office.uow() as uow:
        account = get_account(uow.session, "LEF001")
        audit.record(
            uow.session,
            "test-staff",
            "password.set",
            "policy_refused",
            account=account,
            rules=["guessable", "too_short"],
            this_account_only=False,
            reason="trop facile à deviner pour un mot de passe",
        )
        uow.commit()
    return cli


def _expected_words(cli: Cli) -> set[str]:
    """Every word of every value shown: none may go missing, none may be cut."""
    words: set[str] = set()
    for event in cli.json("audit", "list").data:
        for value in (event["actor"], event["identifiant"], event["action"], event["outcome"]):
            words.update(str(value).split())
    for account in cli.json("account", "list").data:
        for value in (account["identifiant"], account["email"], account["copropriete"]):
            words.update(str(value or "").split())
    words.update(["rules=guessable,too_short", "this_account_only=non", "update.start"])
    return words


def _check_whole(output: str, expected: set[str], width: int | None) -> None:
    assert "…" not in output
    assert "['" not in output
    assert "False" not in output
    found = set(output.replace("\u00a0", " ").split())
    missing = {word for word in expected if word not in found}
    assert not missing, missing
    if width is not None:
        # wider than the terminal only where one word alone cannot fit (kept whole)
        too_wide = [
            line
            for line in output.splitlines()
            if len(line) > width and max(len(w) for w in line.split()) < width // 2
        ]
        assert not too_wide, too_wide


def test_piped_at_80_columns_nothing_is_cut(trail: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    expected = _expected_words(trail)
    audit_text = trail("audit", "list").stdout
    accounts_text = trail("account", "list").stdout
    show_text = trail("account", "show", "LEF001").stdout
    for output in (audit_text, accounts_text, show_text):
        assert "…" not in output
    _check_whole(audit_text + accounts_text + show_text, expected, None)
    # off a terminal, one record per line: grep finds an event whole
    for event in trail.json("audit", "list").data:
        lines = [ln for ln in audit_text.splitlines() if f" {event['action']} " in ln]
        assert any(event["identifiant"] in ln and event["outcome"] in ln for ln in lines), event
    (line,) = [ln for ln in audit_text.splitlines() if "policy_refused" in ln]
    assert 'rules=guessable,too_short this_account_only=non reason="trop facile' in line
    account_lines = [ln for ln in accounts_text.splitlines() if ln.startswith("LEF001")]
    assert len(account_lines) == 1
    assert LONG_COPRO in account_lines[0]


@pytest.mark.parametrize("width", [80, 50])
def test_on_a_terminal_wrapped_never_cut(trail: Cli, width: int, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the terminal rendering does not depend on the engine")
    expected = _expected_words(trail)
    terminal = Terminal(width)
    outputs = []
    for args in (("audit", "list"), ("account", "list"), ("account", "show", "LEF001")):
        code, output = terminal.run(*args)
        assert code == 0, output
        outputs.append(output)
    _check_whole(outputs[0] + outputs[1], set(), width)
    # account show: its fields and events wrap; its mail lines are the mail group's, one
    # line each whatever the width (the terminal folds them; nothing is cut)
    shown = outputs[2].split("Derniers e-mails")[0] + outputs[2].split("Derniers événements")[1]
    _check_whole(shown, set(), width)
    _check_whole("\n".join(outputs), expected, None)


def test_csv_for_excel_neutralises_formulas(cli: Cli) -> None:
    make_account(cli, "CSV001", "C0009", "=HYPERLINK(1)", "--copropriete", "+33 Les Cèdres")
    make_account(cli, "CSV002", "C0010", "@SUM(A1)", "--copropriete", "-2 Les Pins")
    raw = cli("account", "list", "--csv").stdout
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    header, *body = rows
    assert header[:3] == ["identifiant", "statut", "référence propriétaire"]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert by_id["CSV001"]["nom"] == "'=HYPERLINK(1)"
    assert by_id["CSV001"]["copropriété"] == "'+33 Les Cèdres"
    assert by_id["CSV002"]["nom"] == "'@SUM(A1)"
    assert by_id["CSV002"]["copropriété"] == "'-2 Les Pins"
    assert by_id["CSV001"]["statut"] == "en attente"
    audit = cli("audit", "list", "--csv").stdout.lstrip("\ufeff")
    events = list(csv.reader(io.StringIO(audit), delimiter=";"))
    assert events[0] == ["quand", "acteur", "identifiant", "action", "résultat", "détails"]
    assert {row[3] for row in events[1:]} == {"account.create"}
