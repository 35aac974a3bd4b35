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
    assert reasons[3] == "valeur obligatoire manquante : Nom"
    assert reasons[4] == "valeur obligatoire manquante : Référence propriétaire"
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


ADDRESS_HEADER = ["Identifiant", "Mot de passe", "Réf. copropriétaire", "Nom", "Prénom", "Lot"]
ADDRESS_HEADER += ["Adresse", "Code postal", "Ville"]


def address_plan(*rows: list[str]) -> Plan:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(ADDRESS_HEADER)
    writer.writerows(rows)
    table = read_csv(
        out.getvalue().encode(),
        allowed=CALLS_FOR_FUNDS.allowed,
        required=CALLS_FOR_FUNDS.required_columns,
    )
    return build_plan(table, CALLS_FOR_FUNDS)


def test_an_owner_with_two_postal_codes_keeps_every_account_and_the_last_value() -> None:
    """Issue 10: the same owner_ref with two postal codes rejected every row of that owner."""
    result = address_plan(
        ["A1", "Qm4xT7pLr2Wz", "C1", "Dupont", "Jean", "1", "3 rue Pâris", "13008", "Marseille"],
        ["B1", "Vw3kR8nHs5Tq", "C2", "Martin", "Anne", "1", "1 quai Vauban", "25000", "Besançon"],
        ["A2", "Jp6cY2mBd9Lx", "C1", "Dupont", "Jean", "2", "3 rue Pâris", "13009", "Marseille"],
        ["A1", "Qm4xT7pLr2Wz", "C1", "Dupont", "Jean", "3", "3 rue Pâris", "13008", "Marseille"],
    )
    assert result.rejected == []
    assert accounts(result) == {"A1": ["1", "3"], "B1": ["1"], "A2": ["2"]}
    owner = next(o for o in result.owners if o.owner_ref == "C1")
    assert owner.values["postal_code"] == "13008"  # line 5 comes last in the file
    assert owner.values["city"] == "Marseille"
    assert [note.as_dict() for note in result.warnings] == [
        {
            "line": 5,
            "identifiant": "A1",
            "reason": "« Code postal » diffère d'une ligne à l'autre pour le propriétaire C1 : "
            "« 13008 » retenu (ligne 5, la dernière) ; autre(s) valeur(s) : « 13009 » (ligne 4)",
            "code": "value_differs",
        }
    ]


def test_rows_of_one_account_with_two_addresses_keep_the_last_one() -> None:
    result = address_plan(
        ["A1", "Qm4xT7pLr2Wz", "C1", "Dupont", "Jean", "1", "3 rue Pâris", "13008", "Marseille"],
        ["A1", "Qm4xT7pLr2Wz", "C1", "Dupont", "Jean", "2", "8 quai Vauban", "13008", "Marseille"],
        ["A1", "Qm4xT7pLr2Wz", "C1", "Dupont", "Jean", "3", "3 rue Pâris", "13008", "Marseille"],
        ["A1", "Qm4xT7pLr2Wz", "C1", "Dupont", "Jean", "4", "8 quai Vauban", "", "Marseille"],
    )
    assert result.rejected == []
    assert result.owners[0].values["address"] == "8 quai Vauban"
    assert result.owners[0].values["postal_code"] == "13008"  # an empty cell is no value
    [warning] = result.warnings
    assert warning.reason == (
        "« Adresse » diffère d'une ligne à l'autre pour le propriétaire C1 : « 8 quai Vauban » "
        "retenu (ligne 5, la dernière) ; autre(s) valeur(s) : « 3 rue Pâris » (lignes 2, 4)"
    )
    assert (warning.line, warning.identifiant) == (5, "A1")


def test_two_first_names_for_one_owner_reject_every_account_of_it() -> None:
    result = address_plan(
        ["A1", "Qm4xT7pLr2Wz", "C1", "Dupont", "Jean", "1", "", "13008", ""],
        ["A2", "Jp6cY2mBd9Lx", "C1", "Dupont", "Jeanne", "2", "", "13009", ""],
        ["B1", "Vw3kR8nHs5Tq", "C2", "Martin", "Anne", "1", "", "", ""],
    )
    assert accounts(result) == {"B1": ["1"]}
    assert [(n.line, n.identifiant, n.reason) for n in result.rejected] == [
        (line, identifiant, "deux prénoms différents pour le propriétaire C1 : « Jean » "
         "(ligne 2) et « Jeanne » (ligne 3)")
        for line, identifiant in ((2, "A1"), (3, "A2"))
    ]  # fmt: skip
    assert result.warnings == []  # a rejected owner's address is not discussed
