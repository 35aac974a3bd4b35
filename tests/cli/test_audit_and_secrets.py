"""Done-when 8: every step is audited; no password, code or hash in audit, output or logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import create_engine, text

from tests.cli.conftest import Cli
from tests.cli.test_forgotten_password import ADDRESS, RESET_PW
from tests.cli.test_update_procedure import NEW, make_owner_with_two_accounts

NEWER = "Sable-Falaise-Hibou8"


def test_end_to_end_run_is_audited_and_leaks_nothing(
    cli: Cli, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: set[str] = {"Initial-Aa11", "Initial-Bb22", NEW, RESET_PW, NEWER, "Wrong-Pass99"}
    make_owner_with_two_accounts(cli)

    cli("login", "LEF001", "--password-stdin", input="Wrong-Pass99\n")
    cli(
        "update",
        "start",
        "LEF001",
        "--email",
        ADDRESS,
        "--confirm-email",
        ADDRESS,
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    code = cli.code(to=ADDRESS)
    secrets.add(code)
    cli("code", "verify", "LEF001", "00000000" if code != "00000000" else "11111111")
    cli("code", "verify", "LEF001", code)
    cli("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    cli("password", "forgot", "LEF001", "--email", ADDRESS)
    code = cli.code(to=ADDRESS)
    secrets.add(code)
    cli("code", "verify", "LEF001", code)
    cli(
        "password",
        "set",
        "LEF001",
        "--noted",
        "--password-stdin",
        input=f"{RESET_PW}\n{RESET_PW}\n",
    )
    cli(
        "password",
        "change",
        "LEF001",
        "--noted",
        "--password-stdin",
        input=f"{RESET_PW}\n{NEWER}\n{NEWER}\n",
    )
    cli(
        "email",
        "change",
        "LEF001",
        "--email",
        "autre@example.com",
        "--confirm-email",
        "autre@example.com",
        "--password-stdin",
        input=NEWER + "\n",
    )
    code = cli.code(to="autre@example.com")
    secrets.add(code)
    cli("code", "verify", "LEF001", code)
    cli("account", "lock", "LEF002")
    cli("account", "unlock", "LEF002")
    cli("account", "disable", "LEF002")
    cli("account", "enable", "LEF002")
    reset = cli.json("account", "reset", "LEF002", "--yes")
    shown_once = reset.data["initial_password"]

    engine = create_engine(db_url)
    with engine.connect() as conn:
        hashes = {row[0] for row in conn.execute(text("SELECT password_hash FROM account"))}
        audit_rows = [
            " ".join(map(str, row)) for row in conn.execute(text("SELECT * FROM audit_event"))
        ]
    engine.dispose()
    secrets |= hashes

    events = cli.json("audit", "list", "--limit", "1000").data
    actions = {(e["identifiant"], e["action"], e["outcome"]) for e in events}
    for expected in [
        ("LEF001", "login", "bad_credentials"),
        ("LEF001", "update.start", "ok"),
        ("LEF001", "code.verify", "code_invalid"),
        ("LEF001", "code.verify", "ok"),
        ("LEF001", "password.set", "ok"),
        ("LEF002", "password.set", "ok"),
        ("LEF001", "password.forgot", "ok"),
        ("LEF001", "password.change", "ok"),
        ("LEF001", "email.change", "ok"),
        ("LEF001", "email.changed", "ok"),
        ("LEF002", "account.lock", "ok"),
        ("LEF002", "account.unlock", "ok"),
        ("LEF002", "account.disable", "ok"),
        ("LEF002", "account.enable", "ok"),
        ("LEF002", "account.reset", "ok"),
    ]:
        assert expected in actions, expected
    assert all(e["actor"] == "test-staff" and e["at"] for e in events)

    outputs = [out for out in cli.transcript if shown_once not in out]
    assert len(outputs) == len(cli.transcript) - 1  # the generated password, shown once
    haystacks = {
        "audit rows": "\n".join(audit_rows),
        "outputs": "\n".join(outputs),
        "logs": caplog.text,
    }
    for where, haystack in haystacks.items():
        for secret in secrets:
            assert secret not in haystack, f"a secret appears in {where}"
    assert shown_once not in "\n".join(audit_rows)
