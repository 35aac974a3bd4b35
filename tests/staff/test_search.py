"""Issue 11, item 15: --search folds accents, case and ligatures, and requires every word, on
both engines; the folded column follows every write (staff, procedures, import, erase)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coproctl.folding import account_search_text, fold, search_words
from tests.cli.conftest import Cli
from tests.staff.conftest import make_account


def _found(cli: Cli, text: str) -> list[str]:
    run = cli.json("account", "list", "--search", text)
    assert run.exit_code == 0, run.output
    return [a["identifiant"] for a in run.data]


@pytest.fixture
def people(cli: Cli) -> Cli:
    make_account(
        cli,
        "LEF001",
        "C0001",
        "Lefèvre",
        "--first-name",
        "Hélène",
        "--copropriete",
        "Résidence Cœur de Ville",
    )
    make_account(cli, "LEF002", "C0001", "Lefèvre", "--copropriete", "Les Tilleuls")
    make_account(cli, "LAE001", "C0003", "Lætitia", "--copropriete", "Cœur Vaillant")
    make_account(cli, "DUR001", "C0002", "Durand", "--copropriete", "Les Tilleuls")
    make_account(cli, "PCT001", "C0004", "Cent_pour%", "--copropriete", "Le 100 %")
    return cli


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("lefevre", ["LEF001", "LEF002"]),
        ("LEFÈVRE", ["LEF001", "LEF002"]),
        ("Lefèvre", ["LEF001", "LEF002"]),
        ("coeur", ["LAE001", "LEF001"]),
        ("Cœur", ["LAE001", "LEF001"]),
        ("CŒUR", ["LAE001", "LEF001"]),
        ("laetitia", ["LAE001"]),
        ("helene", ["LEF001", "LEF002"]),  # both accounts of Hélène Lefèvre
        # every word, in the account's or the owner's fields
        ("lefevre tilleuls", ["LEF002"]),
        ("tilleuls lefevre", ["LEF002"]),
        ("coeur lefevre", ["LEF001"]),
        ("lefevre vaillant", []),
        ("  les   tilleuls  ", ["DUR001", "LEF002"]),
        ("c0001", ["LEF001", "LEF002"]),  # the owner's reference too
        ("lef0", ["LEF001", "LEF002"]),
        # LIKE's wildcards are plain characters in a search
        ("%", ["PCT001"]),
        ("_pour", ["PCT001"]),
        ("cent_", ["PCT001"]),
    ],
)
def test_search_folds_and_needs_every_word(people: Cli, search: str, expected: list[str]) -> None:
    assert _found(people, search) == expected


def test_the_column_follows_every_write(people: Cli) -> None:
    # a procedure (ORM) changes the e-mail: the new address is found
    initial = people.json("account", "reset", "DUR001", "--yes").data["initial_password"]
    email = "paul.durand@exemple-été.example.com"
    start = ["update", "start", "DUR001", "--email", email, "--confirm-email", email]
    run = people(*start, "--password-stdin", input=initial + "\n")
    if run.exit_code == 0:
        assert _found(people, "exemple-ete") == []  # not the account's e-mail yet: unverified
    # staff link: the owner's names now find the account
    assert people("account", "link", "DUR001", "--owner-ref", "C0003", "--yes").exit_code == 0
    assert _found(people, "laetitia") == ["DUR001", "LAE001"]
    # erasure: nothing of the owner is found any more
    assert people("owner", "erase", "C0001", "--yes", "--force").exit_code == 0
    assert _found(people, "lefevre") == []
    assert _found(people, "helene") == []


def test_the_import_writes_the_column(cli: Cli, tmp_path: Path) -> None:
    """The import goes around the ORM (Core executemany): it fills the column itself."""
    export = tmp_path / "appel.csv"
    export.write_text(
        "Identifiant;Mot de passe;Réf copropriétaire;Nom;Prénom;Copropriété;Lot\n"
        "IMP001;Initial-Ab12cd;C0500;Œuvre-Bâtie;Zoé;Les Écrins;3\n",
        encoding="utf-8",
    )
    imported = cli("import", "calls-for-funds", str(export))
    assert imported.exit_code == 0, imported.output
    assert _found(cli, "oeuvre zoe ecrins") == ["IMP001"]
    export.write_text(
        "Identifiant;Mot de passe;Réf copropriétaire;Nom;Prénom;Copropriété;Lot\n"
        "IMP001;Initial-Ab12cd;C0500;Œuvre-Bâtie;Zoé;Les Écrins d'Été;3\n",
        encoding="utf-8",
    )
    assert cli("import", "calls-for-funds", str(export)).exit_code == 0
    assert _found(cli, "ecrins d'ete") == ["IMP001"]


def test_folding_rules() -> None:
    assert fold("Lefèvre") == "lefevre"
    assert fold("CŒUR  de  Lætitia") == "coeur de laetitia"
    assert fold("Straße") == "strasse"
    assert fold("d’Arc") == "d'arc"
    assert fold(None) == ""
    assert search_words(" Hélène   LEFÈVRE ") == ["helene", "lefevre"]
    assert account_search_text("LEF001", None, "Cœur") == "lef001 coeur"
