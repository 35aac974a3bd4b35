"""The call-for-funds import against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from coproctl.models import ACTIVE, Account, AuditEvent, OutboxMessage, Owner
from coproctl.security import passwords
from coproctl.services.importing.run import ImportOptions, ImportSummary, import_file

HEADER = [
    "Identifiant internet",
    "Mot de passe internet",
    "Réf. copropriétaire",
    "Civilité",
    "Nom",
    "Prénom",
    "Courriel",
    "Copropriété",
    "N° lot",
    "Adresse",
    "Code postal",
    "Ville",
    "Montant appelé",
]
# one row per lot; C0042 holds accounts in two copropriétés
ROWS = [
    ["LEF001", "Init-Aa11xy", "C0042", "Mme", "Lefèvre", "Hélène", "helene.lefevre@orange.fr",
     "Les Tilleuls", "12", "3 rue Pâris", "13008", "Marseille", "1 234,56"],
    ["LEF001", "Init-Aa11xy", "C0042", "Mme", "Lefèvre", "Hélène", "helene.lefevre@orange.fr",
     "Les Tilleuls", "14", "3 rue Pâris", "13008", "Marseille", "234,50"],
    ["LEF002", "Init-Bb22xy", "C0042", "Mme", "Lefèvre", "Hélène", "", "Le Clos Saint-Éloi",
     "3", "3 rue Pâris", "13008", "Marseille", "99,00"],
    ["GAR003", "Init-Cc33xy", "C0043", "M.", "Garçon", "Loïc", "", "Les Tilleuls", "7",
     "1 place de l'Église", "69003", "Lyon", "12,00"],
    ["COE004", "Init-Dd44xy", "C0044", "Mme", "Cœurdevey", "Zoé", "ZOE@Free.FR",
     "Villa Cœur de Ville", "1", "8 quai Vauban", "25000", "Besançon", "10,00"],
    ["MUL005", "Init-Ee55xy", "C0045", "M.", "Müller", "Jérôme", "", "Les Tilleuls", "2",
     "2 rue Hérold", "75001", "Paris", "1,00"],
]  # fmt: skip


def write(
    path: Path,
    rows: list[list[str]] = ROWS,
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
    header: list[str] = HEADER,
) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(office: Any, path: Path, **options: Any) -> ImportSummary:
    return import_file(office, path, options=ImportOptions(**options))


def counts(summary: ImportSummary) -> tuple[int, int, int, int]:
    return summary.created, summary.updated, summary.unchanged, len(summary.rejected)


def snapshot(office: Any) -> list[tuple[Any, ...]]:
    """Everything an import sets, hashes and times left out."""
    with office.uow() as uow:
        rows = uow.session.exec(
            select(Account, Owner).join(Owner).order_by(Account.identifiant_key)
        ).all()
        return [
            (
                a.identifiant,
                a.status,
                a.password_origin,
                a.email,
                a.email_verified_at,
                a.copropriete,
                a.lots,
                o.owner_ref,
                o.civility,
                o.last_name,
                o.first_name,
                o.address,
                o.postal_code,
                o.city,
            )
            for a, o in rows
        ]


def account(office: Any, identifiant: str) -> Account:
    with office.uow() as uow:
        found = uow.session.exec(select(Account).where(Account.identifiant == identifiant)).one()
        return found


def test_first_import_creates_pending_accounts(office: Any, tmp_path: Path) -> None:
    summary = run(office, write(tmp_path / "export.csv"))
    assert counts(summary) == (5, 0, 0, 0)
    assert summary.rows == 6
    assert summary.accounts == 5
    assert summary.ignored_columns == ["Montant appelé"]
    rows = {row[0]: row for row in snapshot(office)}
    assert rows["LEF001"][1:] == (
        "pending",
        "syndic",
        "helene.lefevre@orange.fr",
        None,  # never verified by an import
        "Les Tilleuls",
        ["12", "14"],
        "C0042",
        "Mme",
        "Lefèvre",
        "Hélène",
        "3 rue Pâris",
        "13008",
        "Marseille",
    )
    assert rows["COE004"][3] == "ZOE@free.fr"  # normalised
    assert rows["COE004"][9] == "Cœurdevey"
    lef001 = account(office, "LEF001")
    assert lef001.password_hash.startswith("$argon2id$")
    assert passwords.verify("Init-Aa11xy", lef001.password_hash)[0]
    # one owner, two accounts
    with office.uow() as uow:
        assert len(uow.session.exec(select(Owner)).all()) == 4
        assert uow.session.exec(select(OutboxMessage)).all() == []  # no mail from an import
        events = uow.session.exec(select(AuditEvent).where(AuditEvent.action == "import.account"))
        assert len(events.all()) == 5
        summary_event = uow.session.exec(
            select(AuditEvent).where(AuditEvent.action == "import.calls-for-funds")
        ).one()
        assert summary_event.details["created"] == 5
        assert summary_event.actor == "test-staff"
        assert "Init-" not in str(summary_event.details)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_every_encoding_and_delimiter_gives_the_same_database(
    office: Any, tmp_path: Path, encoding: str
) -> None:
    assert counts(run(office, write(tmp_path / "utf8.csv"))) == (5, 0, 0, 0)
    reference = snapshot(office)
    for delimiter in (";", ",", "\t"):
        path = write(tmp_path / f"x{ord(delimiter)}.csv", encoding=encoding, delimiter=delimiter)
        summary = run(office, path)
        assert counts(summary) == (0, 0, 5, 0), (encoding, delimiter)
        assert summary.delimiter == delimiter
    assert snapshot(office) == reference
    names = {row[9] for row in reference} | {row[10] for row in reference}
    assert {"Lefèvre", "Garçon", "Cœurdevey", "Müller", "Hélène", "Loïc", "Jérôme"} <= names


def test_next_quarter_updates_exactly_what_changed(office: Any, tmp_path: Path) -> None:
    run(office, write(tmp_path / "t3.csv"))
    before = {row[0]: row for row in snapshot(office)}
    again = run(office, write(tmp_path / "t3-again.csv"))
    assert counts(again) == (0, 0, 5, 0)

    rows = [list(row) for row in ROWS]
    rows[1][0] = "GAR003"  # lot 14 moves from LEF001 to GAR003
    rows[1][1:8] = ROWS[3][1:8]
    rows[1][9:12] = ROWS[3][9:12]
    rows[5][4] = "Müller-Noël"  # owner renamed
    rows.append(
        ["NEW006", "Init-Ff66xy", "C0046", "M.", "Hémon", "Noël", "", "Les Tilleuls", "30",
         "5 rue Dañez", "29200", "Brest", "3,00"]
    )  # fmt: skip
    summary = run(office, write(tmp_path / "t4.csv", rows))
    assert counts(summary) == (1, 3, 2, 0)
    after = {row[0]: row for row in snapshot(office)}
    assert after["LEF001"][6] == ["12"]
    assert after["GAR003"][6] == ["7", "14"]
    assert after["MUL005"][9] == "Müller-Noël"
    assert after["NEW006"][1] == "pending"
    for identifiant in ("LEF002", "COE004"):
        assert after[identifiant] == before[identifiant]
    with office.uow() as uow:
        events = uow.session.exec(select(AuditEvent).where(AuditEvent.action == "import.account"))
        updated = {
            e.identifiant: e.details["fields"] for e in events if e.details["result"] == "updated"
        }
    assert updated == {"LEF001": ["lots"], "GAR003": ["lots"], "MUL005": ["owner.last_name"]}
    assert counts(run(office, write(tmp_path / "t4-again.csv", rows))) == (0, 0, 6, 0)


BAD_ROWS = [
    ["", "Init-Xx00xy", "C0050", "M.", "Sans", "Identifiant", "", "Les Tilleuls", "40", "", "", "",
     ""],
    ["TWO007", "Init-Gg77xy", "C0051", "M.", "Deux", "Proprios", "", "Les Tilleuls", "41", "", "",
     "", ""],
    ["TWO007", "Init-Gg77xy", "C0052", "M.", "Deux", "Proprios", "", "Les Tilleuls", "42", "", "",
     "", ""],
    ["BAD008", "Init-Hh88xy", "C0053", "Mme", "Mauvais", "Courriel", "bad@@orange.fr",
     "Les Tilleuls", "43", "", "", "", ""],
    ["NON009", "Init-Ii99xy", "C0054", "Mme", "", "Sans nom", "", "Les Tilleuls", "44", "", "", "",
     ""],
    ["NPW010", "", "C0055", "M.", "Sans", "Mot de passe", "", "Les Tilleuls", "45", "", "", "", ""],
]  # fmt: skip


def test_every_bad_row_kind_is_reported_with_line_and_reason(office: Any, tmp_path: Path) -> None:
    summary = run(office, write(tmp_path / "bad.csv", ROWS + BAD_ROWS))
    assert counts(summary) == (6, 0, 0, 5)
    reasons = {(n.line, n.identifiant): n.reason for n in summary.rejected}
    assert reasons[8, None] == "identifiant manquant"
    assert "deux propriétaires" in reasons[9, "TWO007"]
    assert "lignes 9 et 10" in reasons[10, "TWO007"]
    assert reasons[12, "NON009"] == "valeur obligatoire manquante : Nom"
    assert "mot de passe manquant" in reasons[13, "NPW010"]
    [warning] = summary.warnings
    assert (warning.line, warning.identifiant) == (11, "BAD008")
    assert "bad@@orange.fr" in warning.reason
    assert account(office, "BAD008").email is None
    as_json = summary.as_dict()
    assert as_json["rejected"][0] == {
        "line": 8,
        "identifiant": None,
        "reason": "identifiant manquant",
        "code": None,
    }
    assert set(as_json) >= {"created", "updated", "unchanged", "rejected", "warnings"}


def test_strict_writes_nothing(office: Any, tmp_path: Path) -> None:
    summary = run(office, write(tmp_path / "bad.csv", ROWS + BAD_ROWS), strict=True)
    assert not summary.written
    assert len(summary.rejected) == 5
    assert snapshot(office) == []
    # a clean file goes through
    assert counts(run(office, write(tmp_path / "ok.csv"), strict=True)) == (5, 0, 0, 0)


def test_strict_counts_rejections_only_the_database_can_tell(office: Any, tmp_path: Path) -> None:
    run(office, write(tmp_path / "t3.csv"))
    rows = [*ROWS, ["NPW010", "", "C0055", "M.", "Sans", "Mdp", "", "Les Tilleuls", "45", "", "",
                    "", ""]]  # fmt: skip
    rows[5] = [*ROWS[5][:4], "Müller-Noël", *ROWS[5][5:]]
    summary = run(office, write(tmp_path / "t4.csv", rows), strict=True)
    assert not summary.written
    assert len(summary.rejected) == 1
    assert account(office, "MUL005") is not None
    assert snapshot(office)[4][9] == "Müller"  # the rename was not applied


def test_dry_run_writes_nothing_and_reports_the_same(office: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", ROWS + BAD_ROWS)
    dry = run(office, path, dry_run=True)
    assert snapshot(office) == []
    with office.uow() as uow:
        assert uow.session.exec(select(AuditEvent)).all() == []
    real = run(office, path)

    def comparable(summary: ImportSummary) -> dict[str, Any]:
        data = summary.as_dict()
        del data["dry_run"], data["written"]
        return data

    assert comparable(dry) == comparable(real)
    assert dry.dry_run
    assert not dry.written
    assert real.written


def test_passwords_stay_unless_update_passwords_and_then_only_pending(
    office: Any, tmp_path: Path
) -> None:
    run(office, write(tmp_path / "t3.csv"))
    with office.uow() as uow:  # GAR003 finished the update procedure meanwhile
        gar = uow.session.exec(select(Account).where(Account.identifiant == "GAR003")).one()
        gar.status = ACTIVE
        gar.password_hash = passwords.hash_password("Owner-Chosen-9x")
        uow.session.add(gar)
        uow.commit()
    rows = [[r[0], r[1].replace("Init", "Next"), *r[2:]] for r in ROWS]
    summary = run(office, write(tmp_path / "t4.csv", rows))
    assert counts(summary) == (0, 0, 5, 0)
    assert passwords.verify("Init-Aa11xy", account(office, "LEF001").password_hash)[0]

    summary = run(office, write(tmp_path / "t4b.csv", rows), update_passwords=True)
    assert counts(summary) == (0, 4, 1, 0)
    assert passwords.verify("Next-Aa11xy", account(office, "LEF001").password_hash)[0]
    assert passwords.verify("Owner-Chosen-9x", account(office, "GAR003").password_hash)[0]
    # the same passwords again: verified, not re-hashed
    again = run(office, write(tmp_path / "t4c.csv", rows), update_passwords=True)
    assert counts(again) == (0, 0, 5, 0)


def test_a_verified_email_is_never_overwritten(office: Any, tmp_path: Path) -> None:
    from coproctl.clock import now

    run(office, write(tmp_path / "t3.csv"))
    with office.uow() as uow:
        lef = uow.session.exec(select(Account).where(Account.identifiant == "LEF001")).one()
        lef.email, lef.email_verified_at = "helene@example.com", now()
        uow.session.add(lef)
        uow.commit()
    rows = [list(r) for r in ROWS]
    rows[3][6] = "loic.garcon@laposte.net"  # GAR003 (unverified) gets an address
    summary = run(office, write(tmp_path / "t4.csv", rows))
    assert counts(summary) == (0, 1, 4, 0)
    assert account(office, "LEF001").email == "helene@example.com"
    assert account(office, "GAR003").email == "loic.garcon@laposte.net"
    assert account(office, "GAR003").email_verified_at is None


def test_an_account_of_another_owner_is_not_taken_over(office: Any, tmp_path: Path) -> None:
    run(office, write(tmp_path / "t3.csv"))
    rows = [list(r) for r in ROWS]
    rows[5][2] = "C0099"  # MUL005 now under another owner reference
    summary = run(office, write(tmp_path / "t4.csv", rows))
    [rejected] = summary.rejected
    assert rejected.identifiant == "MUL005"
    assert "C0045" in rejected.reason
    assert "C0099" in rejected.reason
    with office.uow() as uow:
        assert uow.session.exec(select(Owner).where(Owner.owner_ref == "C0099")).first() is None


def test_identifiants_match_whatever_their_case(office: Any, tmp_path: Path) -> None:
    run(office, write(tmp_path / "t3.csv"))
    rows = [[r[0].lower(), *r[1:]] for r in ROWS]
    assert counts(run(office, write(tmp_path / "t4.csv", rows))) == (0, 0, 5, 0)
    assert account(office, "LEF001").identifiant == "LEF001"


def test_many_accounts_are_hashed_by_the_pool(office: Any, tmp_path: Path) -> None:
    rows = [
        [f"P{i:04d}", f"Init-{i:04d}Qz", f"R{i // 2:04d}", "", "Nom", "", "", "Les Tilleuls",
         str(i), "", "", "", ""]
        for i in range(40)
    ]  # fmt: skip
    summary = run(office, write(tmp_path / "many.csv", rows), batch_size=15, workers=2)
    assert counts(summary) == (40, 0, 0, 0)
    for i in (0, 17, 39):
        assert passwords.verify(f"Init-{i:04d}Qz", account(office, f"P{i:04d}").password_hash)[0]


def test_the_search_columns_follow_the_import(office: Any, tmp_path: Path) -> None:
    """The import writes with Core, around the ORM hooks that fill ``search_text``."""
    run(office, write(tmp_path / "t3.csv"))
    rows = [list(r) for r in ROWS]
    rows[5][4] = "Müller-Noël"  # owner renamed
    rows[3][6] = "loic.garcon@laposte.net"  # GAR003 gets an address
    run(office, write(tmp_path / "t4.csv", rows))
    with office.uow() as uow:
        owners = {o.owner_ref: o.search_text for o in uow.session.exec(select(Owner))}
        accounts = {a.identifiant: a.search_text for a in uow.session.exec(select(Account))}
    assert owners["C0044"] == "c0044 coeurdevey zoe"
    assert owners["C0045"] == "c0045 muller-noel jerome"
    assert accounts["COE004"] == "coe004 zoe@free.fr villa coeur de ville"
    assert accounts["GAR003"] == "gar003 loic.garcon@laposte.net les tilleuls"
