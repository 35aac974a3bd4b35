"""Legacy extranet accounts: every hash format logs in, goes through the update procedure,
and ends with an argon2id hash; unknown formats are rejected with their line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from passlib import hash as schemes
from sqlmodel import select

from coproctl.security import legacy
from tests.cli.conftest import Cli

NEW = "Brume-Tilleul-Quartz7"
LEGACY_PASSWORD = "Ancien-Extranet-2019"
# each format with the cheap settings an old extranet used
FORMATS: dict[str, Any] = {
    "md5_crypt": schemes.md5_crypt,
    "sha256_crypt": schemes.sha256_crypt.using(rounds=5000),
    "sha512_crypt": schemes.sha512_crypt.using(rounds=5000),
    "bcrypt": schemes.bcrypt.using(rounds=5),
    "ldap_salted_sha1": schemes.ldap_salted_sha1,
    "django_pbkdf2_sha256": schemes.django_pbkdf2_sha256.using(rounds=1000),
    "hex_md5": schemes.hex_md5,
    "hex_sha1": schemes.hex_sha1,
}


def record(identifiant: str, password_hash: str, **extra: Any) -> dict[str, Any]:
    return {
        "identifiant": identifiant,
        "owner_ref": f"L-{identifiant}",
        "last_name": "Noël",
        "first_name": "Gaëlle",
        "email": "gaelle.noel@orange.fr",
        "password_hash": password_hash,
        **extra,
    }


def jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def stored_hash(identifiant: str) -> str:
    from coproctl.config import load_settings
    from coproctl.models import Account
    from coproctl.services.office import open_backoffice

    with open_backoffice(load_settings(), "test") as office, office.uow() as uow:
        account = uow.session.exec(select(Account).where(Account.identifiant == identifiant)).one()
        return account.password_hash


@pytest.mark.parametrize("scheme", sorted(FORMATS))
def test_every_legacy_format_opens_the_update_procedure(
    cli: Cli, tmp_path: Path, scheme: str
) -> None:
    legacy_hash = FORMATS[scheme].hash(LEGACY_PASSWORD)
    path = jsonl(tmp_path / "legacy.jsonl", [record("EXT001", legacy_hash)])
    run = cli.json("import", "legacy", str(path))
    assert run.exit_code == 0, run.output
    assert run.data["created"] == 1
    shown = cli.json("account", "show", "EXT001").data
    assert shown["status"] == "pending"
    assert shown["email_verified"] is False
    stored = stored_hash("EXT001")  # every one of these is cheap to crack: wrapped at import
    assert stored.startswith("$legacy$")
    assert legacy_hash not in stored
    assert legacy.represents(stored, legacy_hash)

    assert cli("login", "EXT001", "--password-stdin", input="wrong-one\n").exit_code == 1
    login = cli.json("login", "EXT001", "--password-stdin", input=LEGACY_PASSWORD + "\n")
    assert login.exit_code == 0, login.output
    assert login.data["next_step"] == "update required"
    assert stored_hash("EXT001").startswith("$argon2id$")  # re-hashed at the first login

    address = "gaelle.noel@laposte.net"
    run = cli(
        "update", "start", "EXT001", "--email", address, "--confirm-email", address,
        "--password-stdin", input=LEGACY_PASSWORD + "\n",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert cli("code", "verify", "EXT001", cli.code(to=address)).exit_code == 0
    run = cli("password", "set", "EXT001", "--password-stdin", input=f"{NEW}\n{NEW}\n")
    assert run.exit_code == 0, run.output

    final = stored_hash("EXT001")
    assert final.startswith("$argon2id$")
    assert cli.json("account", "show", "EXT001").data["status"] == "active"
    assert cli("login", "EXT001", "--password-stdin", input=LEGACY_PASSWORD + "\n").exit_code == 1
    assert cli("login", "EXT001", "--password-stdin", input=NEW + "\n").exit_code == 0


def test_unknown_and_malformed_hashes_are_rejected_with_their_line(
    cli: Cli, tmp_path: Path
) -> None:
    good = schemes.md5_crypt.hash(LEGACY_PASSWORD)
    path = jsonl(
        tmp_path / "legacy.jsonl",
        [
            record("EXT001", good),
            record("EXT002", "{CRYPT}$9$pas-un-format"),
            record("EXT003", "$2b$12$tronque"),
            record("EXT004", "$1$salt"),  # a setting, not a hash
        ],
    )
    report = tmp_path / "rejets.csv"
    run = cli.json("import", "legacy", str(path), "--report", str(report))
    assert run.exit_code == 1
    assert run.data["created"] == 1
    rejected = {r["line"]: r for r in run.data["rejected"]}
    assert sorted(rejected) == [2, 3, 4]
    assert rejected[2]["identifiant"] == "EXT002"
    assert "non reconnu" in rejected[2]["reason"]
    assert "bcrypt" in rejected[3]["reason"]
    text = report.read_text("utf-8-sig")
    assert "EXT002" in text
    assert "pas-un-format" not in text  # hashes are never written back
    assert "$2b$" not in run.stdout


def test_legacy_csv_with_the_hash_column_alias(cli: Cli, tmp_path: Path) -> None:
    hashed = schemes.sha512_crypt.using(rounds=5000).hash(LEGACY_PASSWORD)
    path = tmp_path / "legacy.csv"
    path.write_text(
        "Login;Réf propriétaire;Nom;Prénom;E-mail;Hash\r\n"
        f"EXT010;L010;Bérard;Agnès;agnes.berard@free.fr;{hashed}\r\n",
        encoding="cp1252",
    )
    run = cli.json("import", "legacy", str(path))
    assert run.exit_code == 0, run.output
    assert run.data["columns"]["password_hash"] == "Hash"
    assert cli("login", "EXT010", "--password-stdin", input=LEGACY_PASSWORD + "\n").exit_code == 0
    # re-import: unchanged, the (already re-hashed) password untouched
    again = cli.json("import", "legacy", str(path))
    assert (again.data["created"], again.data["updated"], again.data["unchanged"]) == (0, 0, 1)
    assert stored_hash("EXT010").startswith("$argon2id$")


def test_the_sample_legacy_file(cli: Cli) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_data" / "anciens-comptes.jsonl"
    run = cli.json("import", "legacy", str(sample))
    assert run.exit_code == 1  # its last line has an unknown format, on purpose
    assert run.data["created"] == 24
    assert [r["identifiant"] for r in run.data["rejected"]] == ["EXT99999"]
    # generate.py: the legacy password of EXTnnnnn is Extranet-EXTnnnnn-2019
    for identifiant in ("EXT00001", "EXT00010", "EXT00024"):
        password = f"Extranet-{identifiant}-2019\n"
        assert cli("login", identifiant, "--password-stdin", input=password).exit_code == 0
