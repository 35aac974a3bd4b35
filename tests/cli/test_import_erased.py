"""Issue 10: an owner erased on a data-protection request does not come back with the next
quarter's import, unless staff say ``--restore``; the memory of the erasure names nobody."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from freezegun import freeze_time
from sqlalchemy import select

from coproctl.models import AuditEvent, ErasedReference
from tests.cli.conftest import Cli

EXPORT = (
    "Identifiant;Mot de passe;Réf. copropriétaire;Nom;Prénom;N° lot;Adresse\r\n"
    "BEL00001;fK9swwnVB7wZ;C000002;Giraud;Loïc;1;92 impasse des Mûriers\r\n"
    "BEL00001;fK9swwnVB7wZ;C000002;Giraud;Loïc;2;92 impasse des Mûriers\r\n"
    "TIL00004;Qm4xT7pLr2Wz;C000002;Giraud;Loïc;7;92 impasse des Mûriers\r\n"
    "PAR00009;Vw3kR8nHs5Tq;C000003;Bérard;Agnès;3;3 rue Vendôme\r\n"
)
SKIPPED = "propriétaire effacé le 02/12/2026, ligne ignorée ; --restore pour le recréer"


def export(tmp_path: Path, text: str = EXPORT) -> Path:
    path = tmp_path / "appel.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def erased_rows(office: Any) -> list[ErasedReference]:
    with office.uow() as uow:
        return list(uow.session.exec(select(ErasedReference)).scalars())


def test_an_erased_owner_is_skipped_then_restored_on_request(
    cli: Cli, office: Any, tmp_path: Path
) -> None:
    path = export(tmp_path)
    assert cli("import", "calls-for-funds", str(path)).exit_code == 0
    with freeze_time("2026-12-02 10:00:00"):
        erase = cli("owner", "erase", "C000002", "--yes")
    assert erase.exit_code == 0, erase.output

    # the erasure is remembered by keyed hashes only: the reference and both identifiants
    rows = erased_rows(office)
    assert len(rows) == 3
    for value in ("C000002", "BEL00001", "bel00001", "TIL00004", "til00004"):
        plain = value.encode()
        for row in rows:
            assert plain not in row.digest
            assert row.digest != hashlib.sha256(plain).digest()  # keyed, not a bare digest

    again = cli.json("import", "calls-for-funds", str(path))
    assert again.exit_code == 0, again.output  # a warning, not a rejection
    data = again.data
    assert (data["created"], data["updated"], data["unchanged"], data["skipped"]) == (0, 0, 1, 2)
    assert data["rejected"] == []
    assert data["warnings"] == [
        {"line": line, "identifiant": identifiant, "reason": SKIPPED, "code": "erased_owner"}
        for line, identifiant in ((2, "BEL00001"), (3, "BEL00001"), (4, "TIL00004"))
    ]
    assert cli("account", "show", "BEL00001").exit_code != 0  # not recreated
    text = cli("import", "calls-for-funds", str(path))
    assert f"ligne 2 (BEL00001) : {SKIPPED}" in text.stdout
    assert "Comptes de propriétaires effacés, ignorés : 2 (--restore pour les recréer)" in (
        text.stdout
    )

    restored = cli.json("import", "calls-for-funds", str(path), "--restore")
    assert restored.exit_code == 0, restored.output
    assert (restored.data["created"], restored.data["skipped"]) == (2, 0)
    assert restored.data["warnings"] == []
    shown = cli.json("account", "show", "BEL00001").data
    assert (shown["owner_ref"], shown["last_name"], shown["lots"]) == (
        "C000002",
        "Giraud",
        ["1", "2"],
    )
    assert erased_rows(office) == []  # brought back: no longer skipped
    with office.uow() as uow:
        events = uow.session.exec(
            select(AuditEvent.details).where(AuditEvent.identifiant == "TIL00004")
        ).scalars()
        assert {"result": "created", "restored": True} in [
            {k: v for k, v in details.items() if k in ("result", "restored")} for details in events
        ]

    final = cli.json("import", "calls-for-funds", str(path))
    assert (final.data["created"], final.data["unchanged"], final.data["skipped"]) == (0, 3, 0)


def test_an_erased_identifiant_under_another_reference_is_skipped_too(
    cli: Cli, office: Any, tmp_path: Path
) -> None:
    """The accounting software may renumber the owner: the identifiant still names them."""
    assert cli("import", "calls-for-funds", str(export(tmp_path))).exit_code == 0
    with freeze_time("2026-12-02 10:00:00"):
        assert cli("owner", "erase", "C000002", "--yes").exit_code == 0
    moved = EXPORT.replace("C000002", "C009999").replace("TIL00004", "TIL00005")
    run = cli.json("import", "calls-for-funds", str(export(tmp_path, moved)))
    assert run.exit_code == 0, run.output
    assert (run.data["created"], run.data["skipped"]) == (1, 1)  # TIL00005: a new account
    assert [w["identifiant"] for w in run.data["warnings"]] == ["BEL00001", "BEL00001"]
    shown = cli.json("account", "show", "TIL00005").data
    assert shown["owner_ref"] == "C009999"


def test_a_dry_run_says_what_would_be_skipped(cli: Cli, office: Any, tmp_path: Path) -> None:
    path = export(tmp_path)
    assert cli("import", "calls-for-funds", str(path)).exit_code == 0
    with freeze_time("2026-12-02 10:00:00"):
        assert cli("owner", "erase", "C000002", "--yes").exit_code == 0
    dry = cli.json("import", "calls-for-funds", str(path), "--dry-run", "--restore")
    assert (dry.data["created"], dry.data["skipped"]) == (2, 0)
    assert len(erased_rows(office)) == 3  # a dry run forgets nothing
