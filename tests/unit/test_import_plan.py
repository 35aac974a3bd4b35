"""Merging an export's rows into accounts and owners, before any database is involved."""

from __future__ import annotations

import csv
import io

from coproctl.importers.reader import read_csv
from coproctl.services.importing.kinds import CALLS_FOR_FUNDS
from coproctl.services.importing.plan import Plan, build_plan, natural_key, split_lots
from coproctl.services.importing.write import batches

HEADER = ["Identifiant", "Mot de passe", "Réf. copropriétaire", "Nom", "Prénom", "Lot", "Courriel"]


def plan(*rows: list[str]) -> Plan:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    table = read_csv(
        out.getvalue().encode(),
        allowed=CALLS_FOR_FUNDS.allowed,
        required=CALLS_FOR_FUNDS.required_columns,
    )
    return build_plan(table, CALLS_FOR_FUNDS)


def accounts(result: Plan) -> dict[str, list[str]]:
    return {a.identifiant: a.lots for owner in result.owners for a in owner.accounts}


def test_rows_of_one_identifiant_are_merged_and_lots_collected() -> None:
    result = plan(
        ["LEF001", "pw-Aa11", "C1", "Lefèvre", "Hélène", "12", ""],
        ["lef001 ", "pw-Aa11", "C1", "Lefèvre", "", "2", "h@orange.fr"],
        ["LEF001", "", "C1", "Lefèvre", "Hélène", "10, 2 et A3", ""],
    )
    assert result.rejected == []
    assert accounts(result) == {"LEF001": ["2", "10", "12", "A3"]}
    draft = result.owners[0].accounts[0]
    assert draft.lines == [2, 3, 4]
    assert draft.values["first_name"] == "Hélène"
    assert draft.values["email"] == "h@orange.fr"
    assert draft.origins["email"] == 3


def test_contradictory_rows_reject_the_identifiant_naming_the_lines() -> None:
    result = plan(
        ["A1", "pw-Aa11", "C1", "Dupont", "", "1", ""],
        ["B2", "pw-Bb22", "C2", "Martin", "", "1", ""],
        ["A1", "pw-Aa11", "C9", "Dupont", "", "2", ""],
        ["B2", "pw-Xx99", "C2", "Martin", "", "2", ""],
    )
    assert accounts(result) == {}
    by_line = {note.line: note for note in result.rejected}
    assert sorted(by_line) == [2, 3, 4, 5]
    assert "deux propriétaires" in by_line[2].reason
    assert "lignes 2 et 4" in by_line[2].reason
    assert by_line[4].identifiant == "A1"
    assert "deux mots de passe" in by_line[3].reason
    assert "lignes 3 et 5" in by_line[3].reason
    assert "pw-" not in by_line[3].reason  # never a password in a message


def test_a_bad_line_rejects_every_line_of_its_identifiant() -> None:
    result = plan(
        ["A1", "pw-Aa11", "C1", "Dupont", "", "1", ""],
        ["A1", "pw-Aa11", "C1", "D" * 201, "", "2", ""],
        ["B2", "pw-Bb22", "C2", "Martin", "", "1", ""],
    )
    assert accounts(result) == {"B2": ["1"]}
    assert [(n.line, n.identifiant) for n in result.rejected] == [(2, "A1"), (3, "A1")]
    assert "ligne 3" in result.rejected[0].reason


def test_missing_required_values() -> None:
    result = plan(
        ["", "pw-Aa11", "C1", "Dupont", "", "1", ""],
        ["B2", "pw-Bb22", "C2", "", "", "1", ""],
        ["C3", "pw-Cc33", "", "Petit", "", "1", ""],
        ["D4", "pw-\x01", "C4", "Petit", "", "1", ""],
    )
    assert accounts(result) == {}
    reasons = {n.line: n.reason for n in result.rejected}
    assert reasons[2] == "identifiant manquant"
    assert reasons[3] == "valeur obligatoire manquante : Nom"
    assert reasons[4] == "valeur obligatoire manquante : Référence propriétaire"
    assert "contrôle" in reasons[5]


def test_an_owner_whose_accounts_disagree_is_rejected_whole() -> None:
    result = plan(
        ["A1", "pw-Aa11", "C1", "Dupont", "Jean", "1", ""],
        ["A2", "pw-Bb22", "C1", "Dupond", "Jean", "1", ""],
        ["B1", "pw-Cc33", "C2", "Martin", "", "1", ""],
        ["B2", "pw-Dd44", "C2", "Martin", "Anne", "1", ""],
    )
    assert accounts(result) == {"B1": ["1"], "B2": ["1"]}
    assert [owner.owner_ref for owner in result.owners] == ["C2"]
    assert result.owners[0].values["first_name"] == "Anne"  # an empty cell is no information
    assert {n.identifiant for n in result.rejected} == {"A1", "A2"}
    assert "Dupont" in result.rejected[0].reason
    assert "Dupond" in result.rejected[0].reason


def test_email_case_is_not_a_contradiction() -> None:
    result = plan(
        ["A1", "pw-Aa11", "C1", "Dupont", "", "1", "Jean@Orange.fr"],
        ["A1", "pw-Aa11", "C1", "Dupont", "", "2", "jean@orange.fr"],
    )
    assert result.rejected == []


def test_lots_sort_naturally_and_split_on_separators() -> None:
    assert sorted(["10", "2", "A10", "A2", "b1"], key=natural_key) == ["2", "10", "A2", "A10", "b1"]
    assert split_lots("12, 14;15 / 16 + 17 et 18") == ["12", "14", "15", "16", "17", "18"]


def test_batches_never_split_an_owner() -> None:
    rows = [[f"A{i}", "pw-Aa11", f"C{i // 3}", "Dupont", "", "1", ""] for i in range(10)]
    result = plan(*rows)
    sizes = [[len(o.accounts) for o in batch] for batch in batches(result.owners, 4)]
    assert sizes == [[3, 3], [3, 1]]
