"""The reader on exports written the way other programs write them (tests/data/exports/).

One test per file: what the reader hands the pipeline (rows, line errors, notes with their
exact words, the encoding and how it was chosen). README.md in that folder names the
program behind each file; the pipeline's end-to-end tests import the same files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coproctl.importers.columns import parse_mapping
from coproctl.importers.errors import ReadError
from coproctl.importers.reader import read_file
from coproctl.importers.result import BY_BOM, DETECTED, WORKBOOK, ReadResult
from tests.unit.test_reader import ALLOWED, LEGACY_ALLOWED, LEGACY_REQUIRED, REQUIRED

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"


def read(name: str, **options: object) -> ReadResult:
    return read_file(EXPORTS / name, allowed=ALLOWED, required=REQUIRED, **options)  # type: ignore[arg-type]


def read_legacy(name: str) -> ReadResult:
    return read_file(EXPORTS / name, allowed=LEGACY_ALLOWED, required=LEGACY_REQUIRED)


def notes(table: ReadResult) -> list[tuple[int, str, str]]:
    return [(note.line, note.code, note.message) for note in table.notes]


def identifiants(table: ReadResult) -> list[str]:
    return [row.values["identifiant"] for row in table.rows]


def test_excel_windows_totals_lines_are_skipped_and_said() -> None:
    table = read("excel_windows_totals.csv")
    assert (table.decoding.codec, table.decoding.how) == ("windows-1252", DETECTED)
    assert table.delimiter == ";"
    assert identifiants(table) == ["LEF001", "LEF001", "GAR002", "COE003", "MUL004", "BER005"]
    assert [row.line for row in table.rows] == [2, 3, 4, 6, 7, 8]
    assert not table.errors  # never a rejected row: --strict has nothing to refuse
    assert notes(table) == [
        (5, "totals_line", "ligne de totaux « Sous-total Tilleuls » ignorée."),
        (9, "totals_line", "ligne de totaux « Sous-total Clos Fleuri » ignorée."),
        (11, "totals_line", "ligne de totaux « TOTAL » ignorée."),
    ]
    assert table.rows[3].values["last_name"] == "Cœurdevey"
    assert table.ignored == ["Tantièmes", "Échéance", "Montant appelé"]


def test_excel_round_trip_damage_is_warned_line_by_line() -> None:
    table = read("excel_windows_roundtrip.csv")
    assert identifiants(table) == ["NIC001", "NIC002", "NIC003", "NIC004"]
    assert not table.errors
    assert notes(table) == [
        (
            2,
            "postal_code_4_digits",
            "code postal « 6000 » à 4 chiffres : un tableur a sans doute supprimé le zéro "
            "initial (« 06000 ») ; corrigez-le dans le fichier.",
        ),
        (
            3,
            "postal_code_4_digits",
            "code postal « 6100 » à 4 chiffres : un tableur a sans doute supprimé le zéro "
            "initial (« 06100 ») ; corrigez-le dans le fichier.",
        ),
        (
            3,
            "lot_read_as_date",
            "lot « 01-févr » : une date, qu'un tableur a faite d'un numéro de lot (sans doute "
            "« 1-2 » à l'origine) ; corrigez-le dans le fichier.",
        ),
        (
            4,
            "password_scientific",
            "mot de passe en notation scientifique (de la forme 1,00E+05) : un tableur a pris "
            "le mot de passe pour un nombre et l'a réécrit ; celui de la lettre ne "
            "fonctionnera pas.",
        ),
        (
            5,
            "password_decimal_comma",
            "mot de passe en nombre à virgule : un tableur a pu le réécrire (virgule "
            "décimale, chiffres arrondis) ; vérifiez celui de la lettre.",
        ),
    ]
    # the damaged password itself is never in a note
    assert not any("3,14159265" in note.message for note in table.notes)


def test_libreoffice_quoted_utf8_with_an_address_on_two_lines() -> None:
    table = read("libreoffice_quoted.csv")
    assert (table.decoding.codec, table.delimiter) == ("utf-8", ",")
    assert identifiants(table) == ["LYO001", "LYO002", "LYO003"]
    assert [row.line for row in table.rows] == [2, 4, 5]  # the address spans lines 2-3
    assert table.rows[0].values["address"] == "Bâtiment B 12 rue des Lilas"
    assert table.rows[1].values["address"] == "4, place Bellecour"
    assert table.rows[1].values["last_name"] == "D'Artagnan"
    assert table.rows[2].values["last_name"] == "Œuvray"
    assert not table.errors
    assert not table.notes


def test_excel_mac_roman_is_detected_and_named() -> None:
    table = read("excel_mac_roman.csv")
    assert table.decoding.codec == "mac-roman"
    assert table.decoding.how == DETECTED
    assert table.decoding.label == "Mac Roman (détecté)"
    assert [(r.values["last_name"], r.values["first_name"]) for r in table.rows] == [
        ("Müller", "Jürgen"),
        ("Cœurdevey", "Noël"),
        ("Lemaître", "Bénédicte"),
    ]
    assert {r.values["copropriete"] for r in table.rows} == {"Résidence du Parc"}
    assert table.rows[0].values["city"] == "Saint-Éloi"
    assert [row.line for row in table.rows] == [2, 3, 4]  # CR line ends counted


def test_mac_roman_read_as_windows_1252_is_the_mojibake_the_issue_saw() -> None:
    """What the file gives when forced the old way: the words the detection must avoid
    (the accented header is unreadable that way too: --map names it by position)."""
    mapping = parse_mapping(["#3=owner_ref", "#6=copropriete"], ALLOWED)
    table = read("excel_mac_roman.csv", encoding="windows-1252", mapping=mapping)
    assert table.decoding.how == "given"
    names = [r.values["last_name"] for r in table.rows]
    assert names[0] == "MŸller"
    assert table.rows[0].values["copropriete"] == "RŽsidence du Parc"
    assert table.rows[0].values["city"] == "Saint-ƒloi"


def test_property_management_latin9_joins_addresses_and_splits_the_owner() -> None:
    table = read("property_management_latin9.csv")
    assert table.decoding.codec == "iso8859-15"
    assert table.columns["address"] == "Adresse (n° 5) + Adresse (n° 6) + Adresse (n° 7)"
    values = [row.values for row in table.rows]
    assert [v["address"] for v in values] == [
        "Bâtiment A, Escalier 2, 3 rue de la Paix",
        "18 avenue Foch",
        "Chez M. Dupré, 7 bd Haussmann",
        "22 rue d'Alsace",
    ]
    assert [(v.get("civility"), v["last_name"], v.get("first_name")) for v in values] == [
        ("Mme", "LEFÈVRE", "Hélène"),
        ("M. et Mme", "CŒURDEVEY", "Loïc"),
        (None, "SCI LES TILLEULS", None),
        (None, "MÜLLER", "Jürgen"),
    ]
    assert notes(table) == [
        (
            1,
            "columns_joined",
            "3 colonnes « Adresse » (n° 5, n° 6, n° 7) réunies en une seule adresse, dans "
            "l'ordre, séparées par « , » ; --map '#N=-' en écarte une.",
        ),
        (
            1,
            "owner_column_split",
            "Colonne « Copropriétaire » découpée en civilité, nom (les mots en majuscules) et "
            "prénom, faute de colonnes séparées : vérifiez les noms composés.",
        ),
    ]
    assert table.ignored == ["Solde"]


def test_map_by_position_leaves_one_of_three_address_columns_out() -> None:
    mapping = parse_mapping(["#5=-", "#6=-"], ALLOWED)
    table = read("property_management_latin9.csv", mapping=mapping)
    assert table.rows[0].values["address"] == "3 rue de la Paix"
    assert table.columns["address"] == "Adresse"
    assert "columns_joined" not in {note.code for note in table.notes}
    # by name, the three go together (what the old hint did, and why positions exist)
    table = read("property_management_latin9.csv", mapping=parse_mapping(["Adresse=-"], ALLOWED))
    assert "address" not in table.columns
    assert table.ignored == ["Adresse", "Adresse", "Adresse", "Solde"]
    table = read("property_management_latin9.csv", mapping=parse_mapping(["#7=-"], ALLOWED))
    assert table.rows[0].values["address"] == "Bâtiment A, Escalier 2"


def test_phpmyadmin_null_cells_are_empty_and_password_is_the_hash() -> None:
    table = read_legacy("phpmyadmin_users.csv")
    assert table.columns["password_hash"] == "password"
    values = [row.values for row in table.rows]
    assert identifiants(table) == ["jdupont", "mmartin", "pdurand"]
    assert "email" not in values[1]
    assert "first_name" not in values[1]
    assert "password_hash" not in values[2]  # NULL is never a hash
    assert values[0]["password_hash"].startswith("$2y$10$")
    assert notes(table) == [
        (3, "null_cells", "Cellules « NULL » (export phpMyAdmin) lues comme vides, sur 2 lignes.")
    ]


def test_password_is_a_hash_alias_only_for_a_legacy_import() -> None:
    table = read(
        "phpmyadmin_users.csv", mapping=parse_mapping(["ref_proprietaire=owner_ref"], ALLOWED)
    )
    assert table.columns["password"] == "password"
    assert "password_hash" not in table.columns


def test_salt_column_is_recognised_for_the_pipeline_to_refuse() -> None:
    table = read_legacy("phpmyadmin_joomla_salt.csv")
    assert table.columns["salt"] == "salt"
    assert table.columns["password_hash"] == "password"
    assert table.rows[0].values["salt"] == "Xy9aBc12QrStUvWx"
    salt_at = table.header.index("salt")
    assert salt_at in table.secret_cells  # never shown back in a report


def test_stray_quote_refuses_the_file_naming_the_line() -> None:
    with pytest.raises(ReadError) as refused:
        read("excel_windows_stray_quote.csv")
    error = refused.value
    assert (error.code, error.exit_code) == ("stray_quote", 2)
    assert error.message == (
        "Ligne 3 : un guillemet (\") ouvre une cellule qui court jusqu'à la ligne 5 : les "
        "lignes suivantes ne formeraient qu'une cellule et leurs comptes disparaîtraient. "
        "Supprimez ce guillemet (ou doublez-le) à la ligne 3, puis relancez : rien n'a été "
        "importé."
    )
    assert "Cn9-Lx4v" not in error.message  # the swallowed passwords stay out of it


def test_extra_semicolon_row_keeps_no_cells() -> None:
    table = read("excel_windows_extra_semicolon.csv")
    assert identifiants(table) == ["SEM001", "SEM003"]
    [error] = table.errors
    assert error.line == 3
    assert error.identifiant == "SEM002"  # before every secret column: a shift cannot reach it
    assert error.reason == (
        "7 valeurs pour 6 colonnes (séparateur ou guillemets mal placés ?) : cellules non "
        "reproduites"
    )
    assert error.cells == []


def test_two_encodings_close_is_refused_with_both_readings() -> None:
    with pytest.raises(ReadError) as refused:
        read("mixed_windows_mac.csv")
    error = refused.value
    assert (error.code, error.exit_code) == ("ambiguous_encoding", 2)
    assert error.message == (
        "Encodage incertain : le fichier se lit aussi bien en Windows-1252 qu'en Mac Roman "
        "(« René » ou « RenÈ » ; « MŸller » ou « Müller »). Précisez-le : --encoding "
        "windows-1252 ou --encoding mac-roman."
    )
    table = read("mixed_windows_mac.csv", encoding="mac-roman")
    assert table.rows[1].values["last_name"] == "Müller"


def test_formula_cells_are_read_as_typed() -> None:
    """Neutralising is the writer's job (report, --csv): the reader keeps the values."""
    table = read("formula_cells.csv")
    assert table.rows[0].values["last_name"] == '=HYPERLINK("http://example.com/x";"clic")'
    assert table.rows[4].cells[3] == "\tTabulé"


def test_xlsx_typed_cells_read_as_the_user_sees_them() -> None:
    table = read("excel_workbook.xlsx")
    assert (table.format, table.sheet, table.decoding.how) == ("xlsx", "Appel T4 2026", WORKBOOK)
    assert table.header_line == 3  # a title and an empty row above
    assert [row.line for row in table.rows] == [4, 5, 6, 7]
    values = [row.values for row in table.rows]
    assert [v["lot"] for v in values] == ["12", "14", "3", "01/02/2026"]  # no spurious .0
    assert [v["postal_code"] for v in values] == ["06000", "06000", "6000", "75011"]
    assert values[3]["password"] == "31415926535"
    assert notes(table) == [
        (
            3,
            "sheet_chosen",
            "Feuille « Appel T4 2026 » lue ; le classeur en contient d'autres (« Appel T3 "
            "2026 ») : --sheet NOM pour en lire une autre.",
        ),
        (
            6,
            "postal_code_4_digits",
            "code postal « 6000 » à 4 chiffres : un tableur a sans doute supprimé le zéro "
            "initial (« 06000 ») ; corrigez-le dans le fichier.",
        ),
        (
            7,
            "lot_read_as_date",
            "lot « 01/02/2026 » : une date, qu'un tableur a faite d'un numéro de lot ; "
            "corrigez-le dans le fichier.",
        ),
        (
            7,
            "password_number",
            "mot de passe saisi comme un nombre dans le classeur : le tableur a pu le réécrire "
            "(zéros initiaux, notation scientifique) ; celui de la lettre risque de ne plus "
            "fonctionner.",
        ),
    ]


def test_xlsx_other_sheet_by_name() -> None:
    table = read("excel_workbook.xlsx", sheet="Appel T3 2026")
    assert identifiants(table) == ["XL009"]
    assert table.rows[0].values["first_name"] == "Ève"
    with pytest.raises(ReadError) as refused:
        read("excel_workbook.xlsx", sheet="T2")
    assert refused.value.code == "sheet_not_found"
    assert refused.value.message == (
        "Pas de feuille « T2 » dans "
        f"{EXPORTS / 'excel_workbook.xlsx'}. Feuilles du classeur : « Appel T4 2026 », "
        "« Appel T3 2026 »."
    )


def test_sheet_option_on_a_csv_is_bad_usage() -> None:
    with pytest.raises(ReadError) as refused:
        read("libreoffice_quoted.csv", sheet="Feuille1")
    assert (refused.value.code, refused.value.exit_code) == ("not_a_workbook", 2)


def test_ods_typed_cells() -> None:
    table = read("libreoffice.ods")
    assert table.format == "ods"
    assert [r.values["lot"] for r in table.rows] == ["21", "22"]
    assert [r.values["postal_code"] for r in table.rows] == ["69003", "6000"]
    assert table.rows[1].values["last_name"] == "Noël"
    assert [note.code for note in table.notes] == ["postal_code_4_digits"]


def test_xls_typed_cells() -> None:
    table = read("excel97.xls")
    assert table.format == "xls"
    assert [r.values["lot"] for r in table.rows] == ["31", "32"]
    assert [r.values["postal_code"] for r in table.rows] == ["67000", "6000"]
    assert table.rows[0].values["last_name"] == "Müller"
    assert [(note.line, note.code) for note in table.notes] == [(3, "postal_code_4_digits")]


def test_utf8_with_bom_is_named_by_its_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes((EXPORTS / "libreoffice_quoted.csv").read_text().encode("utf-8-sig"))
    table = read_file(path, allowed=ALLOWED, required=REQUIRED)
    assert (table.decoding.codec, table.decoding.how) == ("utf-8-sig", BY_BOM)
    assert table.header[0] == "Identifiant"


def test_an_empty_first_sheet_is_passed_over() -> None:
    table = read("excel_cover_sheet.xlsx")
    assert table.sheet == "Appel T4 2026"
    assert identifiants(table) == ["CV001"]
    assert notes(table) == [
        (
            1,
            "sheet_chosen",
            "Feuille « Appel T4 2026 » lue ; le classeur en contient d'autres "
            "(« Couverture ») : --sheet NOM pour en lire une autre.",
        )
    ]
