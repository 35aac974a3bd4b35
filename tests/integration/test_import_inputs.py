"""Issue 9 (16, 18, 19) at the import: identifiants, names and initial passwords follow the
one rule of ``coproctl.inputs`` (as ``account create`` does), on both engines."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path
from typing import Any

from sqlmodel import select

from coproctl.models import Account, Owner
from coproctl.security import passwords
from coproctl.services.importing.run import ImportOptions, ImportSummary, import_file

HEADER = ["Identifiant", "Mot de passe", "Réf. copropriétaire", "Nom", "Prénom", "Lot"]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def run(office: Any, path: Path, **options: Any) -> ImportSummary:
    return import_file(office, path, options=ImportOptions(**options))


def rejected(summary: ImportSummary) -> list[tuple[int, str | None, str, str | None]]:
    return [(n.line, n.identifiant, n.reason, n.code) for n in summary.rejected]


def stored(office: Any) -> dict[str, Account]:
    with office.uow() as uow:
        return {a.identifiant: a for a in uow.session.exec(select(Account)).all()}


def test_identifiants_are_normalised_and_look_alikes_refused(office: Any, tmp_path: Path) -> None:
    rows = [
        ["ＬＥＦ００１", "Qm4xT7pLr2Wz", "C1", "Lefèvre", "Hélène", "1"],  # fullwidth
        ["LEF001", "Qm4xT7pLr2Wz", "C1", "Lefèvre", "Hélène", "2"],  # the same account
        ["LEFОО2", "Vw3kR8nHs5Tq", "C2", "Martin", "Anne", "1"],  # two Cyrillic О
        ["GAR\u31643", "Jp6cY2mBd9Lx", "C3", "Garçon", "Loïc", "1"],  # Hangul filler
    ]
    summary = run(office, write(tmp_path / "ids.csv", rows))
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 0)
    assert rejected(summary) == [
        (4, "LEFОО2", "identifiant invalide : identifiant mêlant des alphabets différents "
         "(cyrillic, latin) : des lettres qui se ressemblent font deux comptes différents",
         "bad_identifiant"),
        # NFKC turns the Hangul filler U+3164 into the Jamo filler U+1160: invisible too
        (5, "GAR\u11603", "identifiant invalide : caractère invisible, de contrôle ou combinant "
         "(U+1160) dans l'identifiant", "bad_identifiant"),
    ]  # fmt: skip
    accounts = stored(office)
    assert list(accounts) == ["LEF001"]  # NFKC: the fullwidth letters stored as ASCII
    assert accounts["LEF001"].identifiant_key == "lef001"
    assert accounts["LEF001"].lots == ["1", "2"]


def test_names_are_stored_in_nfc_as_account_create_stores_them(office: Any, tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Lefèvre")
    rows = [
        ["LEF001", "Qm4xT7pLr2Wz", "C1", decomposed, "Hélène", "1"],  # a Mac's export
        ["LEF002", "Vw3kR8nHs5Tq", "C1", "Lefèvre", "Hélène", "1"],  # the same owner
    ]
    summary = run(office, write(tmp_path / "nfd.csv", rows))
    assert (summary.created, summary.rejected) == (2, [])
    with office.uow() as uow:
        [owner] = uow.session.exec(select(Owner)).all()
    assert owner.last_name == "Lefèvre"
    assert unicodedata.is_normalized("NFC", owner.last_name)


def test_initial_passwords_follow_the_rule_of_account_create(office: Any, tmp_path: Path) -> None:
    rows = [
        ["SHO001", "Ab1-xyz", "C1", "Petit", "Jean", "1"],
        ["COM002", "sunshine", "C2", "Grand", "Paul", "1"],
        ["OWN003", "Barbier-2026", "C3", "Barbier", "Luc", "1"],
        ["IDE004", "xIDE004-Zq", "C4", "Moyen", "Léa", "1"],
        ["GOO005", "fK9swwnV", "C5", "Bon", "Léo", "1"],  # 8 random characters, as letters
    ]
    summary = run(office, write(tmp_path / "pw.csv", rows))
    assert summary.created == 1
    refused = "mot de passe initial refusé : "
    assert rejected(summary) == [
        (2, "SHO001", refused + "moins de 8 caractères", "bad_initial_password"),
        (3, "COM002", refused + "mot de passe très répandu", "bad_initial_password"),
        (4, "OWN003", refused + "contient l'identifiant ou le nom du propriétaire",
         "bad_initial_password"),
        (5, "IDE004", refused + "contient l'identifiant ou le nom du propriétaire",
         "bad_initial_password"),
    ]  # fmt: skip
    assert list(stored(office)) == ["GOO005"]
    text = str(summary.as_dict())
    assert "Ab1-xyz" not in text
    assert "sunshine" not in text


def test_the_password_age_counts_from_the_import(office: Any, tmp_path: Path) -> None:
    from freezegun import freeze_time

    rows = [["LEF001", "Qm4xT7pLr2Wz", "C1", "Lefèvre", "Hélène", "1"]]
    with freeze_time("2026-10-01 08:00:00"):
        run(office, write(tmp_path / "t3.csv", rows))
    first = stored(office)["LEF001"].password_changed_at
    assert first is not None
    assert first.isoformat() == "2026-10-01T08:00:00+00:00"

    with freeze_time("2027-01-04 09:30:00"):  # the same password: nothing changes
        again = run(office, write(tmp_path / "t4.csv", rows), update_passwords=True)
    assert (again.updated, again.unchanged) == (0, 1)
    assert stored(office)["LEF001"].password_changed_at == first

    rows[0][1] = "Vw3kR8nHs5Tq"
    with freeze_time("2027-01-04 09:30:00"):
        summary = run(office, write(tmp_path / "t4b.csv", rows), update_passwords=True)
    assert summary.updated == 1
    account = stored(office)["LEF001"]
    assert account.password_changed_at is not None
    assert account.password_changed_at.isoformat() == "2027-01-04T09:30:00+00:00"
    assert passwords.verify("Vw3kR8nHs5Tq", account.password_hash)[0]


def test_a_refused_password_update_leaves_the_account_as_it_was(
    office: Any, tmp_path: Path
) -> None:
    rows = [["LEF001", "Qm4xT7pLr2Wz", "C1", "Lefèvre", "Hélène", "1"]]
    run(office, write(tmp_path / "t3.csv", rows))
    rows = [["LEF001", "azerty", "C1", "Lefèvre", "Hélène", "1, 2"]]
    summary = run(office, write(tmp_path / "t4.csv", rows), update_passwords=True)
    assert rejected(summary) == [
        (2, "LEF001", "mot de passe initial refusé : moins de 8 caractères ; mot de passe très "
         "répandu", "bad_initial_password"),
    ]  # fmt: skip
    account = stored(office)["LEF001"]
    assert account.lots == ["1"]
    assert passwords.verify("Qm4xT7pLr2Wz", account.password_hash)[0]
    # without --update-passwords the file's password is not used, so not judged
    summary = run(office, write(tmp_path / "t4b.csv", rows))
    assert (summary.updated, summary.rejected) == (1, [])
