"""Done-when 4: ``owner export`` holds every personal field stored about the owner (compared
with the database) and no secret; after ``owner erase`` no personal value of that owner
remains anywhere in the database (every table scanned), and the audit trail still counts
the events.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from sqlalchemy import func, inspect, select, text, update
from sqlmodel import SQLModel

from coproctl.clock import paris_iso
from coproctl.models import Account, AuditEvent, OutboxMessage, Owner, VerificationCode
from tests.cli.conftest import Cli

REF = "C0777"
INITIAL = ("Initial-Vq1177", "Initial-Vq2288")
NEW = "Brume-Tilleul-Quartz7"
FIRST_ADDRESS = "ondine.vasquez@example.org"
SECOND_ADDRESS = "o.vasquez-nouvelle@example.net"
THIRD_ADDRESS = "ondine.troisieme@example.com"
PERSONAL = [
    REF,
    "Vasquez-Lerouge",
    "Ondine",
    "17 impasse des Glycines",
    "13990",
    "Fontvieille-sur-Mer",
    "VASQ01",
    "VASQ02",
    "B-117",
    "C-204",
    FIRST_ADDRESS,
    SECOND_ADDRESS,
]


def _populate(cli: Cli, office: Any) -> None:
    """Two accounts of one owner through the real procedures, and traces elsewhere."""
    for identifiant, password, copro, lot in (
        ("VASQ01", INITIAL[0], "Les Tilleuls", "B-117"),
        ("VASQ02", INITIAL[1], "Le Clos", "C-204"),
    ):
        run = cli(
            "account",
            "create",
            identifiant,
            "--owner-ref",
            REF,
            "--last-name",
            "Vasquez-Lerouge",
            "--first-name",
            "Ondine",
            "--civility",
            "Mme",
            "--copropriete",
            copro,
            "--lot",
            lot,
            "--password-stdin",
            input=password + "\n",
        )
        assert run.exit_code == 0, run.output
    with office.uow() as uow:  # the address comes from the call-for-funds import
        uow.session.execute(
            update(Owner)
            .where(Owner.owner_ref == REF)
            .values(
                address="17 impasse des Glycines", postal_code="13990", city="Fontvieille-sur-Mer"
            )
        )
        uow.commit()

    start = ["update", "start", "VASQ01", "--email", FIRST_ADDRESS, "--confirm-email"]
    assert cli(*start, FIRST_ADDRESS, "--password-stdin", input=INITIAL[0] + "\n").exit_code == 0
    assert cli("code", "verify", "VASQ01", cli.code(FIRST_ADDRESS)).exit_code == 0
    run = cli("password", "set", "VASQ01", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output
    change = ["email", "change", "VASQ01", "--email", SECOND_ADDRESS, "--confirm-email"]
    assert cli(*change, SECOND_ADDRESS, "--password-stdin", input=NEW + "\n").exit_code == 0
    assert cli("code", "verify", "vasq01", cli.code(SECOND_ADDRESS)).exit_code == 0
    # refusals recorded with the identifiant as typed
    assert cli("password", "forgot", " vasq02 ", "--email", "wrong@example.com").exit_code == 0
    assert cli("login", "Vasq02", "--password-stdin", input="nope\n").exit_code == 1
    # another owner's account, once attached to this owner: its events name C0777
    create = ["account", "create", "DUR001", "--owner-ref", "C0888", "--last-name", "Durand"]
    assert cli(*create, "--generate-password").exit_code == 0
    assert cli("account", "link", "DUR001", "--owner-ref", REF, "--yes").exit_code == 0
    assert cli("account", "link", "DUR001", "--owner-ref", "C0888", "--yes").exit_code == 0
    # a delivery failure whose server words hold the address
    with office.uow() as uow:
        first = uow.session.execute(
            select(OutboxMessage.id).where(OutboxMessage.to_addr == FIRST_ADDRESS).limit(1)
        ).scalar_one()
        uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first)
            .values(
                status="failed",
                smtp_code=550,
                error=f"550 5.1.1 <{FIRST_ADDRESS}>: Recipient address rejected",
            )
        )
        uow.commit()


def _db_rows(office: Any, model: type[SQLModel], *where: Any) -> list[Any]:
    with office.uow() as uow:
        return list(uow.session.execute(select(model).where(*where)).scalars())


def _same(exported: dict[str, Any], row: Any, hidden: set[str]) -> None:
    for column in row.__table__.columns:
        if column.name in hidden:
            assert column.name not in exported
            continue
        value = getattr(row, column.name)
        expected = paris_iso(value) if hasattr(value, "isoformat") else value
        assert exported[column.name] == expected, column.name


def _secrets(office: Any) -> list[str]:
    values = [*INITIAL, NEW]
    with office.uow() as uow:
        values += list(uow.session.execute(select(Account.password_hash)).scalars())
        for digest in uow.session.execute(select(VerificationCode.digest)).scalars():
            values += [bytes(digest).hex(), repr(bytes(digest))]
    return values


def test_export_holds_every_personal_field_and_no_secret(cli: Cli, office: Any) -> None:
    _populate(cli, office)
    codes_sent = [cli.code(FIRST_ADDRESS), cli.code(SECOND_ADDRESS)]
    secrets = _secrets(office) + codes_sent

    run = cli("owner", "export", REF)
    assert run.exit_code == 0, run.output
    export = json.loads(run.stdout)

    owner = _db_rows(office, Owner, Owner.owner_ref == REF)[0]
    _same(export["owner"], owner, set())
    accounts = _db_rows(office, Account, Account.owner_id == owner.id)
    ids = {a.id for a in accounts}
    assert sorted(a["id"] for a in export["accounts"]) == sorted(ids)
    for exported, row in zip(
        sorted(export["accounts"], key=lambda a: a["id"]),
        sorted(accounts, key=lambda a: a.id),
        strict=True,
    ):
        _same(exported, row, {"password_hash"})
    codes = _db_rows(office, VerificationCode, VerificationCode.account_id.in_(ids))
    assert len(codes) >= 2
    by_id = {c["id"]: c for c in export["verification_codes"]}
    assert set(by_id) == {c.id for c in codes}
    for row in codes:
        _same(by_id[row.id], row, {"digest", "proof_digest"})
    mails = _db_rows(office, OutboxMessage, OutboxMessage.account_id.in_(ids))
    by_id = {m["id"]: m for m in export["mails"]}
    assert set(by_id) == {m.id for m in mails}
    for row in mails:
        _same(by_id[row.id], row, {"secret", "lease_token"})
    events = _db_rows(office, AuditEvent, AuditEvent.account_id.in_(ids))
    by_id = {e["id"]: e for e in export["audit_events"]}
    assert {e.id for e in events} <= set(by_id)
    for row in events:
        _same(by_id[row.id], row, set())
    # events recorded without the account: the refusals typed in another case, and the
    # other owner's account that was once attached to this owner
    actions = {(e["identifiant"], e["action"]) for e in export["audit_events"]}
    assert ("Vasq02", "login") not in actions  # recorded with the account: identifiant as stored
    assert ("DUR001", "account.link") in actions

    dump = json.dumps(export, ensure_ascii=False)
    for value in PERSONAL:
        assert value in dump, value
    for secret in secrets:
        assert secret not in dump
    for key in ("password_hash", "digest", "proof_digest", "secret", "lease_token"):
        assert f'"{key}"' not in dump
    assert "account.password_hash" in export["withheld"]
    # the export is itself in the audit trail
    assert cli.json("audit", "list", "--action", "owner.export").data[0]["actor"] == "test-staff"


def _string_values(office: Any) -> list[tuple[str, str]]:
    """Every text value of every table of the database, as (table, lower-cased text)."""
    found: list[tuple[str, str]] = []
    with office.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for value in row.values():
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    if isinstance(value, str):
                        if value.startswith(("{", "[")):  # JSON text (SQLite)
                            with contextlib.suppress(ValueError):
                                value = json.dumps(json.loads(value), ensure_ascii=False)
                        found.append((table, value.lower()))
    return found


def _events_of(office: Any, ids: set[int]) -> int:
    with office.uow() as uow:
        return uow.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.account_id.in_(ids))
        ).scalar_one()


def test_erase_leaves_no_personal_value_and_keeps_the_audit_count(cli: Cli, office: Any) -> None:
    _populate(cli, office)
    owner = _db_rows(office, Owner, Owner.owner_ref == REF)[0]
    ids = {a.id for a in _db_rows(office, Account, Account.owner_id == owner.id)}

    # a procedure in progress blocks the erasure (unless --force)
    change = ["email", "change", "VASQ02", "--email", THIRD_ADDRESS, "--confirm-email"]
    assert cli(*change, THIRD_ADDRESS, "--password-stdin", input=NEW + "\n").exit_code == 0
    refused = cli.json("owner", "erase", REF, "--yes")
    assert refused.exit_code == 1
    assert refused.data["error"]["code"] == "procedure_in_progress"
    assert "VASQ02" in refused.data["error"]["message"]
    # no confirmation, nothing done
    cancelled = cli("owner", "erase", REF, "--force", input="n\n")
    assert cancelled.exit_code == 1
    assert "annulé" in cancelled.stderr
    assert cli.json("owner", "show", REF).data["last_name"] == "Vasquez-Lerouge"

    before = _string_values(office)
    for personal in [*PERSONAL, THIRD_ADDRESS]:  # the scan below does find each value
        assert any(personal.lower() in value for _, value in before), personal
    counted = _events_of(office, ids)
    total = len(_db_rows(office, AuditEvent))
    run = cli("owner", "erase", REF, "--force", input="oui\n")
    assert run.exit_code == 0, run.output
    found = re.search(r"Pseudonyme\s: (anon-[0-9a-f]+)", run.stdout)
    assert found, run.stdout
    pseudonym = found.group(1)

    leftovers = [
        (table, value)
        for table, value in _string_values(office)
        for personal in [*PERSONAL, THIRD_ADDRESS]
        if personal.lower() in value
    ]
    assert leftovers == []
    # the trail still counts every event of the accounts, plus the erasure itself
    assert _events_of(office, ids) == counted
    assert len(_db_rows(office, AuditEvent)) == total + 1
    assert cli.json("audit", "list", "--action", "owner.erase").data[0]["details"]["owner_ref"] == (
        pseudonym
    )

    shown = cli.json("owner", "show", pseudonym).data
    assert [a["status"] for a in shown["accounts"]] == ["disabled", "disabled"]
    assert all(a["email"] is None and a["lots"] == [] for a in shown["accounts"])
    assert cli.json("owner", "show", REF).data["error"]["code"] == "not_found"
    login = cli.json("login", shown["accounts"][0]["identifiant"], "--password-stdin", input=NEW)
    assert login.exit_code == 1
    # the other owner keeps their data
    assert cli.json("account", "show", "DUR001").data["last_name"] == "Durand"
    assert _db_rows(office, VerificationCode, VerificationCode.account_id.in_(ids)) == []
