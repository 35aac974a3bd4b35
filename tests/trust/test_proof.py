"""Issue 9, item 7: verifying a code and setting the password are bound by a proof.

``verify_code`` returns a random single-use proof (update, reset); ``set_password``
requires it. The database keeps only its keyed hash; it dies with the password window, with
its use, and when a new code replaces the one it came from. The staff CLI carries it from
``code verify`` to ``password set`` in a 0600 file of the application folder.
"""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import inspect, text

from coproctl.clock import now
from coproctl.errors import Refused
from tests.cli.conftest import Cli
from tests.trust.conftest import NEW, Procedures

ADDRESS = "marie@example.com"


def set_with(procedures: Procedures, identifiant: str, proof: Any, **options: Any) -> str:
    from coproctl.services.procedures.new_password import set_password

    with pytest.raises(Refused) as caught:
        set_password(procedures.office, identifiant, NEW, NEW, proof=proof, **options)
    return caught.value.code


def verified(procedures: Procedures, identifiant: str = "ID001", address: str = ADDRESS) -> Any:
    procedures.start_update(identifiant, address)
    return procedures.verify(identifiant, procedures.code(address))


def test_password_set_requires_the_proof_of_whoever_verified_the_code(
    procedures: Procedures,
) -> None:
    procedures.account("ID001")
    result = verified(procedures)
    assert isinstance(result.proof, str)
    assert len(result.proof) >= 43  # 256 random bits
    for wrong in ("", "x" * 43, result.proof[:-1], result.proof + "A", "é" * 43):
        assert set_with(procedures, "ID001", wrong) == "proof_invalid"
    assert procedures.set_password("ID001", result).identifiants == ["ID001"]


def test_the_proof_serves_once(procedures: Procedures) -> None:
    procedures.account("ID001")
    result = verified(procedures)
    procedures.set_password("ID001", result)
    assert set_with(procedures, "ID001", result.proof) == "wrong_state"


def test_the_proof_dies_with_the_password_window(procedures: Procedures) -> None:
    procedures.account("ID001")
    with freeze_time(now()) as frozen:
        result = verified(procedures)
        frozen.tick(timedelta(minutes=15, seconds=1))
        assert set_with(procedures, "ID001", result.proof) == "procedure_expired"


def test_a_proof_of_one_account_is_refused_on_another(procedures: Procedures) -> None:
    procedures.account("ID001")
    procedures.account("ID002", owner_ref="C0002", last_name="Durand")
    first = verified(procedures, "ID001")
    second = verified(procedures, "ID002", "durand@example.com")
    assert set_with(procedures, "ID002", first.proof) == "proof_invalid"
    assert set_with(procedures, "ID001", second.proof) == "proof_invalid"
    assert procedures.set_password("ID002", second).identifiants == ["ID002"]


def test_a_new_code_replaces_the_verified_one_and_its_proof(procedures: Procedures) -> None:
    """Whoever lost the proof asks for a new code; the old proof no longer serves."""
    from coproctl.services.procedures.codes import resend_code

    procedures.account("ID001")
    with freeze_time(now()) as frozen:
        old = verified(procedures)
        frozen.tick(timedelta(seconds=61))
        resend_code(procedures.office, "ID001")
        assert set_with(procedures, "ID001", old.proof) == "wrong_state"
        fresh = procedures.verify("ID001", procedures.code(ADDRESS))
        assert set_with(procedures, "ID001", old.proof) == "proof_invalid"
        assert procedures.set_password("ID001", fresh).identifiants == ["ID001"]


def test_the_proof_is_never_shown_nor_stored_in_clear(procedures: Procedures) -> None:
    procedures.account("ID001")
    result = verified(procedures)
    assert "proof" not in result.as_dict()
    assert result.proof not in repr(result)
    assert result.proof not in str(result.as_dict())
    engine = procedures.office.engine
    tables = inspect(engine).get_table_names()
    with engine.connect() as conn:
        digests = conn.execute(text("SELECT proof_digest FROM verification_code")).scalars()
        assert [len(bytes(d)) for d in digests if d is not None] == [32]
        for table in tables:
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    assert result.proof not in str(value), f"proof in clear in {table}"


def test_an_email_change_gives_no_proof(procedures: Procedures) -> None:
    from coproctl.services.procedures.email_change import start_email_change

    procedures.account("ID001")
    procedures.update("ID001", ADDRESS)
    start_email_change(procedures.office, "ID001", NEW, "neuve@example.com", "neuve@example.com")
    result = procedures.verify("ID001", procedures.code("neuve@example.com"))
    assert (result.next_step, result.proof) == ("done", None)


# --- the staff CLI: the proof carried in a private file ---------------------------------


def make_account(cli: Cli) -> None:
    run = cli(
        "account",
        "create",
        "LEF001",
        "--owner-ref",
        "C0042",
        "--last-name",
        "Lefèvre",
        "--password-stdin",
        input="Initial-Aa11\n",
    )
    assert run.exit_code == 0, run.output
    run = cli(
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
    assert run.exit_code == 0, run.output


def proof_files(home: Path) -> list[Path]:
    return sorted((home / "proofs").glob("*.proof"))


def test_cli_keeps_the_proof_in_a_private_file_removed_once_used(
    cli: Cli, env: dict[str, str]
) -> None:
    home = Path(env["COPROCTL_HOME"])
    make_account(cli)
    verify = cli.json("code", "verify", "LEF001", cli.code(ADDRESS))
    assert verify.exit_code == 0, verify.output
    [path] = proof_files(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    proof = path.read_text().strip()
    assert proof not in verify.output
    assert "proof" not in verify.data
    assert "LEF001" not in path.name.upper()

    run = cli("password", "set", "lef001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output
    assert proof_files(home) == []


def test_cli_password_set_by_another_user_is_refused(
    cli: Cli, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Someone who only knows the identifiant (another staff account, another machine)
    cannot set the password of a code someone else verified."""
    make_account(cli)
    assert cli("code", "verify", "LEF001", cli.code(ADDRESS)).exit_code == 0

    monkeypatch.setenv("COPROCTL_HOME", str(tmp_path / "other-user"))
    run = cli.json("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 1, run.output
    assert run.data["error"]["code"] == "proof_invalid"

    monkeypatch.setenv("COPROCTL_HOME", env["COPROCTL_HOME"])
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output


def test_cli_keeps_the_proof_after_a_policy_refusal_and_drops_a_dead_one(
    cli: Cli, env: dict[str, str]
) -> None:
    home = Path(env["COPROCTL_HOME"])
    make_account(cli)
    with freeze_time(now()) as frozen:
        assert cli("code", "verify", "LEF001", cli.code(ADDRESS)).exit_code == 0
        weak = cli("password", "set", "LEF001", "--password-stdin", input="Soleil2024\n" * 2)
        assert weak.exit_code == 1
        assert len(proof_files(home)) == 1  # the owner tries another password
        frozen.tick(timedelta(minutes=16))
        late = cli.json("password", "set", "LEF001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
        assert late.data["error"]["code"] == "procedure_expired"
        assert proof_files(home) == []
