"""Issue 10, end to end: each export of ``tests/data/exports/`` (written the way the named
program writes it; see its README) through ``coproctl import``, on both engines: exit code,
counts, and the exact warnings staff read (the reader's notes, with their line)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"
TYPED = "un tableur a sans doute supprimé le zéro initial"


def counts(data: dict[str, Any]) -> tuple[int, int, int, int]:
    return data["created"], data["updated"], data["unchanged"], len(data["rejected"])


def warnings(data: dict[str, Any]) -> list[tuple[int, str | None, str, str]]:
    return [(w["line"], w["identifiant"], w["code"], w["reason"]) for w in data["warnings"]]


def test_totals_lines_are_skipped_and_said(cli: Cli) -> None:
    """Excel's Sous-total / TOTAL lines made every quarter's import exit 1."""
    path = str(EXPORTS / "excel_windows_totals.csv")
    for strict in ((), ("--strict",)):
        run = cli.json("import", "calls-for-funds", path, *strict)
        assert run.exit_code == 0, run.output
        assert counts(run.data) == ((5, 0, 0, 0) if not strict else (0, 0, 5, 0))
        assert run.data["written"] is True
        assert warnings(run.data) == [
            (5, None, "totals_line", "ligne de totaux « Sous-total Tilleuls » ignorée."),
            (9, None, "totals_line", "ligne de totaux « Sous-total Clos Fleuri » ignorée."),
            (11, None, "totals_line", "ligne de totaux « TOTAL » ignorée."),
        ]
    text = cli("import", "calls-for-funds", path)
    assert "  ligne 11 : ligne de totaux « TOTAL » ignorée.\n" in text.stdout
    assert "(Windows-1252 (détecté), séparateur point-virgule)" in text.stdout


def test_excel_round_trip_damage_is_warned_line_by_line(cli: Cli) -> None:
    run = cli.json("import", "calls-for-funds", str(EXPORTS / "excel_windows_roundtrip.csv"))
    assert run.exit_code == 0, run.output
    assert counts(run.data) == (4, 0, 0, 0)
    assert [(line, code) for line, _, code, _ in warnings(run.data)] == [
        (2, "postal_code_4_digits"),
        (3, "postal_code_4_digits"),
        (3, "lot_read_as_date"),
        (4, "password_scientific"),
        (5, "password_decimal_comma"),
    ]
    first = warnings(run.data)[0]
    assert first[3] == (
        f"code postal « 6000 » à 4 chiffres : {TYPED} (« 06000 ») ; corrigez-le dans le fichier."
    )
    assert first[1] is not None  # the identifiant of the row on that line
    for password in ("Xr7-pLm4", "Hq3-tVb8", "3,14159265"):  # never shown, even damaged
        assert password not in run.stdout


def test_libreoffice_quoted_address_on_two_lines(cli: Cli) -> None:
    run = cli.json("import", "calls-for-funds", str(EXPORTS / "libreoffice_quoted.csv"))
    assert (run.exit_code, counts(run.data), run.data["warnings"]) == (0, (3, 0, 0, 0), [])


def test_excel_for_mac_is_read_as_mac_roman_and_said(cli: Cli) -> None:
    run = cli.json("import", "calls-for-funds", str(EXPORTS / "excel_mac_roman.csv"))
    assert (run.exit_code, counts(run.data)) == (0, (3, 0, 0, 0))
    assert run.data["decoding"] == {
        "codec": "mac-roman",
        "how": "detected",
        "label": "Mac Roman (détecté)",
    }
    names = {a["last_name"] for a in cli.json("account", "list", "--all").data}
    assert names == {"Müller", "Cœurdevey", "Lemaître"}
    text = cli("import", "calls-for-funds", str(EXPORTS / "excel_mac_roman.csv"))
    assert "excel_mac_roman.csv (Mac Roman (détecté), séparateur point-virgule)" in text.stdout


def test_property_management_joined_addresses_and_split_owner(cli: Cli) -> None:
    path = str(EXPORTS / "property_management_latin9.csv")
    run = cli.json("import", "calls-for-funds", path)
    assert (run.exit_code, counts(run.data)) == (0, (4, 0, 0, 0))
    assert [(line, code) for line, _, code, _ in warnings(run.data)] == [
        (1, "columns_joined"),
        (1, "owner_column_split"),
    ]
    assert warnings(run.data)[1][3] == (
        "Colonne « Copropriétaire » découpée en civilité, nom (les mots en majuscules) et "
        "prénom, faute de colonnes séparées : vérifiez les noms composés."
    )
    owner = cli.json("owner", "show", "4110001").data
    assert (owner["civility"], owner["last_name"], owner["first_name"]) == (
        "Mme",
        "LEFÈVRE",
        "Hélène",
    )
    assert owner["address"] == "Bâtiment A, Escalier 2, 3 rue de la Paix"
    kept = cli.json("import", "calls-for-funds", path, "--map", "#5=-", "--map", "#6=-")
    assert (kept.exit_code, counts(kept.data)) == (0, (0, 2, 2, 0))  # GES001 and GES003
    assert cli.json("owner", "show", "4110001").data["address"] == "3 rue de la Paix"


def test_an_extra_semicolon_rejects_its_line_and_the_report_holds_no_password(
    cli: Cli, tmp_path: Path
) -> None:
    report = tmp_path / "rejets.csv"
    path = str(EXPORTS / "excel_windows_extra_semicolon.csv")
    run = cli.json("import", "calls-for-funds", path, "--report", str(report))
    assert run.exit_code == 1
    assert counts(run.data) == (2, 0, 0, 1)
    assert run.data["rejected"] == [
        {
            "line": 3,
            "identifiant": "SEM002",
            "reason": "7 valeurs pour 6 colonnes (séparateur ou guillemets mal placés ?) : "
            "cellules non reproduites",
            "code": None,
        }
    ]
    assert run.data["report"] == str(report)
    assert "Kx7-InitialPwd" not in report.read_text("utf-8-sig")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("excel_windows_stray_quote.csv", "stray_quote"),
        ("mixed_windows_mac.csv", "ambiguous_encoding"),
    ],
)
def test_unreadable_exports_import_nothing(cli: Cli, name: str, code: str) -> None:
    run = cli.json("import", "calls-for-funds", str(EXPORTS / name))
    assert run.exit_code == 2
    assert run.data["error"]["code"] == code
    assert cli.json("account", "list", "--all").data == []


def test_formula_cells_are_rejected_and_neutralised_in_the_report(cli: Cli, tmp_path: Path) -> None:
    report = tmp_path / "rejets.csv"
    run = cli.json(
        "import", "calls-for-funds", str(EXPORTS / "formula_cells.csv"), "--report", str(report)
    )
    assert (run.exit_code, counts(run.data)) == (1, (0, 0, 0, 6))
    assert {r["reason"] for r in run.data["rejected"]} == {
        "valeur obligatoire manquante : Référence propriétaire"
    }
    for line in report.read_text("utf-8-sig").splitlines()[1:]:
        cells = line.split(";")
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells), line


def test_an_excel_workbook_first_sheet_or_the_one_named(cli: Cli) -> None:
    path = str(EXPORTS / "excel_workbook.xlsx")
    run = cli.json("import", "calls-for-funds", path)
    assert (run.exit_code, counts(run.data)) == (0, (3, 0, 0, 0))
    assert (run.data["format"], run.data["sheet"]) == ("xlsx", "Appel T4 2026")
    assert warnings(run.data) == [
        (3, None, "sheet_chosen", "Feuille « Appel T4 2026 » lue ; le classeur en contient "
         "d'autres (« Appel T3 2026 ») : --sheet NOM pour en lire une autre."),
        (6, "XL002", "postal_code_4_digits",
         f"code postal « 6000 » à 4 chiffres : {TYPED} (« 06000 ») ; corrigez-le dans le fichier."),
        (7, "XL003", "lot_read_as_date", "lot « 01/02/2026 » : une date, qu'un tableur a faite "
         "d'un numéro de lot ; corrigez-le dans le fichier."),
        (7, "XL003", "password_number", "mot de passe saisi comme un nombre dans le classeur : le "
         "tableur a pu le réécrire (zéros initiaux, notation scientifique) ; celui de la lettre "
         "risque de ne plus fonctionner."),
    ]  # fmt: skip
    text = cli("import", "calls-for-funds", path)
    assert "excel_workbook.xlsx (classeur xlsx, feuille « Appel T4 2026 »)" in text.stdout

    other = cli.json("import", "calls-for-funds", path, "--sheet", "Appel T3 2026")
    assert (other.exit_code, other.data["created"], other.data["sheet"]) == (
        0,
        1,
        "Appel T3 2026",
    )
    missing = cli.json("import", "calls-for-funds", path, "--sheet", "T2")
    assert missing.exit_code == 2
    assert missing.data["error"]["code"] == "sheet_not_found"
    assert "« Appel T4 2026 », « Appel T3 2026 »" in missing.data["error"]["message"]


@pytest.mark.parametrize(
    ("name", "lots"), [("libreoffice.ods", ["21", "22"]), ("excel97.xls", ["31", "32"])]
)
def test_other_workbooks(cli: Cli, name: str, lots: list[str]) -> None:
    run = cli.json("import", "calls-for-funds", str(EXPORTS / name))
    assert (run.exit_code, counts(run.data)) == (0, (2, 0, 0, 0))
    assert [(line, code) for line, _, code, _ in warnings(run.data)] == [
        (3, "postal_code_4_digits")
    ]
    stored = sorted(lot for a in cli.json("account", "list", "--all").data for lot in a["lots"])
    assert stored == lots  # typed numbers read back as the user sees them, no ".0"


def test_phpmyadmin_users_with_null_cells(cli: Cli) -> None:
    run = cli.json("import", "legacy", str(EXPORTS / "phpmyadmin_users.csv"))
    assert run.exit_code == 1
    assert counts(run.data) == (2, 0, 0, 1)
    assert run.data["columns"]["password_hash"] == "password"
    assert run.data["rejected"] == [
        {
            "line": 4,
            "identifiant": "pdurand",
            "reason": "empreinte manquante (nouveau compte)",
            "code": "missing_password",
        }
    ]
    assert warnings(run.data) == [
        (3, "mmartin", "null_cells",
         "Cellules « NULL » (export phpMyAdmin) lues comme vides, sur 2 lignes."),
    ]  # fmt: skip
    shown = cli.json("account", "show", "mmartin").data
    assert (shown["email"], shown["first_name"]) == (None, None)  # never the text "NULL"
    login = cli.json("login", "jdupont", "--password-stdin", input="rasmuslerdorf\n")
    assert login.exit_code == 0, login.output


def test_a_salt_column_without_its_construction_is_refused(cli: Cli) -> None:
    path = str(EXPORTS / "phpmyadmin_joomla_salt.csv")
    run = cli.json("import", "legacy", path)
    assert run.exit_code == 2
    assert run.data["error"] == {
        "code": "salt_column",
        "message": "La colonne « salt » contient le sel des empreintes : précisez comment "
        "l'extranet combinait sel et mot de passe avec --legacy-scheme (par exemple "
        "--legacy-scheme 'md5(password+salt)' pour Joomla 1.5) ; sans cela aucun de ces "
        "propriétaires ne pourrait se connecter. Rien n'a été importé.",
        "details": {"column": "salt"},
    }
    assert cli.json("account", "list", "--all").data == []


def test_a_salt_column_with_legacy_scheme_logs_in(cli: Cli) -> None:
    path = str(EXPORTS / "phpmyadmin_joomla_salt.csv")
    run = cli.json("import", "legacy", path, "--legacy-scheme", "MD5($password . $salt)")
    assert (run.exit_code, counts(run.data)) == (0, (1, 0, 0, 0)), run.output
    assert cli("login", "acolin", "--password-stdin", input="s3cr3tPassw0rd!\n").exit_code == 1
    login = cli.json("login", "acolin", "--password-stdin", input="s3cr3tPassw0rd\n")
    assert login.exit_code == 0, login.output
    assert login.data["next_step"] == "update required"
    again = cli.json("import", "legacy", path, "--legacy-scheme", "md5(password+salt)")
    assert (again.exit_code, counts(again.data)) == (0, (0, 0, 1, 0))

    unknown = cli.json("import", "legacy", path, "--legacy-scheme", "crc32(password)")
    assert unknown.exit_code == 2
    assert unknown.data["error"]["code"] == "bad_legacy_scheme"
