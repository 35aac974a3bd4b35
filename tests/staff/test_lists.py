"""Issue 11, item 5: no list is cut without a word; under --json every row comes unless
--limit is given; --all, --offset, --limit 0."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.conftest import Cli

MANY = 203  # more than the 200 accounts shown by default


def _many_accounts(office: Any, count: int) -> None:
    """``count`` accounts of one owner, written in one transaction (no hashing: speed)."""
    from coproctl.models import Account, Owner
    from coproctl.services import audit

    with office.uow() as uow:
        owner = Owner(owner_ref="C0100", last_name="Nombreux")
        uow.session.add(owner)
        uow.session.flush()
        for n in range(count):
            account = Account(
                identifiant=f"NB{n:04d}",
                identifiant_key=f"nb{n:04d}",
                owner_id=owner.id,
                password_hash="x",
            )
            uow.session.add(account)
            uow.session.flush()
            audit.record(uow.session, "test-staff", "account.create", account=account)
        uow.commit()


@pytest.fixture
def many(cli: Cli, office: Any) -> Cli:
    _many_accounts(office, MANY)
    return cli


def _identifiants(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines() if line.startswith("NB")]


def test_account_list_says_what_it_left_out(many: Cli) -> None:
    run = many("account", "list")
    assert run.exit_code == 0
    shown = _identifiants(run.stdout)
    assert len(shown) == 200
    assert "1 à 200 sur 203" in run.stdout
    assert "--all" in run.stdout
    assert "--offset 200" in run.stdout

    rest = many("account", "list", "--offset", "200")
    assert _identifiants(rest.stdout) == ["NB0200", "NB0201", "NB0202"]
    assert "201 à 203 sur 203" in rest.stdout

    for whole in (["--all"], ["--limit", "0"]):
        run = many("account", "list", *whole)
        assert len(_identifiants(run.stdout)) == MANY
        assert " sur " not in run.stdout
        assert "203\u00a0comptes." in run.stdout

    few = many("account", "list", "--limit", "5")
    assert len(_identifiants(few.stdout)) == 5
    assert "1 à 5 sur 203" in few.stdout


def test_json_gets_every_row_unless_limited(many: Cli) -> None:
    data = many.json("account", "list").data
    assert isinstance(data, list)  # still a bare array
    assert len(data) == MANY
    assert len(many.json("account", "list", "--limit", "7").data) == 7
    assert [a["identifiant"] for a in many.json("account", "list", "--offset", "201").data] == [
        "NB0201",
        "NB0202",
    ]
    events = many.json("audit", "list").data
    assert isinstance(events, list)
    assert len(events) == MANY
    assert len(many.json("audit", "list", "--limit", "3").data) == 3


def test_audit_list_says_what_it_left_out(many: Cli) -> None:
    run = many("audit", "list")
    lines = [line for line in run.stdout.splitlines() if "account.create" in line]
    assert len(lines) == 100
    assert "1 à 100 sur 203" in run.stdout
    assert len([ln for ln in many("audit", "list", "--all").stdout.splitlines() if "NB" in ln]) == (
        MANY
    )
    run = many("audit", "list", "--account", "NB0007")
    assert "1 événement." in run.stdout.replace("\u00a0", " ")
    assert " sur " not in run.stdout


def test_csv_has_every_row(many: Cli) -> None:
    run = many("account", "list", "--csv")
    rows = run.stdout.lstrip("\ufeff").splitlines()
    assert rows[0].startswith("identifiant;statut;")
    assert len(rows) == 1 + MANY
    audit_rows = many("audit", "list", "--csv").stdout.lstrip("\ufeff").splitlines()
    assert len(audit_rows) == 1 + MANY
    assert len(many("audit", "list", "--csv", "--limit", "2").stdout.splitlines()) == 3


def test_mail_list_says_what_it_left_out(cli: Cli, office: Any) -> None:
    from coproctl.models import MAIL_SENT, OutboxMessage

    with office.uow() as uow:
        for n in range(103):
            uow.session.add(
                OutboxMessage(
                    kind="password_changed",
                    to_addr=f"proprietaire{n}@example.com",
                    subject="Votre mot de passe a changé",
                    body_text="(texte)",
                    status=MAIL_SENT,
                    attempts=1,
                )
            )
        uow.commit()
    run = cli("mail", "list")
    assert len([ln for ln in run.stdout.splitlines() if ln.startswith("n°")]) == 100
    assert "1 à 100 sur 103" in run.stdout
    assert len(cli.json("mail", "list").data) == 103
    assert len(cli.json("mail", "list", "--limit", "4").data) == 4
    rest = cli("mail", "list", "--offset", "100")
    assert len([ln for ln in rest.stdout.splitlines() if ln.startswith("n°")]) == 3
    everything = cli("mail", "list", "--all")
    assert " sur " not in everything.stdout
