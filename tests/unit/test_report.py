"""The rejects report: no secret whatever the row's shape, no formula, 0600, only when needed."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest

from coproctl.csv_safety import FORMULA_STARTS, neutralise, safe_row
from coproctl.importers.reader import read_csv, read_file
from coproctl.importers.report import MASKED, write_report
from coproctl.importers.result import ReadResult
from tests.unit.test_reader import ALLOWED, REQUIRED

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"


def report_of(table: ReadResult, path: Path, lines: list[int] | None = None) -> str:
    """Write the report of ``lines`` (default: every line) as the import command does."""
    every = {item.line: item for item in (*table.rows, *table.errors)}
    wanted = sorted(every) if lines is None else lines
    rejected = [(line, None, "motif de test") for line in wanted]
    cells = {line: every[line].cells for line in wanted}
    assert write_report(path, table.header, rejected, cells, table.secret_cells) is True
    return path.read_text(encoding="utf-8-sig")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_nothing_rejected_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "rejets.csv"
    assert write_report(path, ["Identifiant"], [], {}, frozenset()) is False
    assert not path.exists()


def test_report_file_is_0600_even_when_it_existed(tmp_path: Path) -> None:
    table = read_file(EXPORTS / "excel_windows_totals.csv", allowed=ALLOWED, required=REQUIRED)
    fresh = tmp_path / "nouveau.csv"
    report_of(table, fresh, [2])
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    old = tmp_path / "ancien.csv"
    old.write_text("x")
    old.chmod(0o644)
    report_of(table, old, [2])
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_password_column_is_masked_in_a_well_formed_row(tmp_path: Path) -> None:
    table = read_file(EXPORTS / "excel_windows_totals.csv", allowed=ALLOWED, required=REQUIRED)
    rows = rows_of(report_of(table, tmp_path / "r.csv", [2]))
    assert rows[0][:5] == ["ligne", "identifiant", "motif", "Identifiant", "Mot de passe"]
    assert rows[1][3:6] == ["LEF001", MASKED, "C0042"]
    assert "Kp7-mWq2" not in "".join(rows[1])


def test_a_shifted_password_never_reaches_the_report(tmp_path: Path) -> None:
    """Issue 9, item 2: an unquoted ';' moved the password out of the masked column."""
    table = read_file(
        EXPORTS / "excel_windows_extra_semicolon.csv", allowed=ALLOWED, required=REQUIRED
    )
    text = report_of(table, tmp_path / "r.csv")
    assert "Kx7-InitialPwd" not in text
    assert "Ua7-Ow3p" not in text  # the well-formed rows' passwords are masked too
    line_3 = next(row for row in rows_of(text) if row[0] == "3")
    assert line_3[3:] == []  # nothing attributed: cells withheld, line and reason given


def test_a_short_row_has_its_cells_withheld(tmp_path: Path) -> None:
    """A row with a cell too few cannot be attributed either: the password may sit one
    column to the left, under another header."""
    data = (
        "Identifiant;Réf. copropriétaire;Nom;Prénom;Mot de passe;Ville\r\n"
        "SHO001;C1;Lambert;Ua7-Ow3p-secret;Lyon\r\n"
    ).encode()
    table = read_csv(data, allowed=ALLOWED, required=REQUIRED)
    text = report_of(table, tmp_path / "r.csv")
    assert "Ua7-Ow3p-secret" not in text
    [row] = rows_of(text)[1:]
    assert row == ["2", "", "motif de test (cellules non reproduites : ligne mal formée)"]


@pytest.mark.parametrize("first", FORMULA_STARTS)
def test_each_formula_start_is_neutralised(first: str) -> None:
    assert neutralise(f"{first}SUM(A1)") == f"'{first}SUM(A1)"


@pytest.mark.parametrize("cell", ["Dupont", "", "'=déjà", "12 rue X", "€3", " =espace"])
def test_other_cells_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell


def test_numbers_given_as_numbers_are_not_formulas() -> None:
    assert safe_row([-5, 2.5, None, True, "-5"]) == ["-5", "2.5", "", "True", "'-5"]


def test_report_cells_from_a_hostile_file_are_neutralised(tmp_path: Path) -> None:
    table = read_file(EXPORTS / "formula_cells.csv", allowed=ALLOWED, required=REQUIRED)
    rows = rows_of(report_of(table, tmp_path / "r.csv"))
    names = [row[6] for row in rows[1:]]
    assert names == [
        '\'=HYPERLINK("http://example.com/x";"clic")',
        "'+33 6 12 34 56 78",
        "'-2+3+cmd|' /C calc'!A0",
        "'@SUM(1+1)*cmd|' /C calc'!A0",
        "'\tTabulé",
        "'\nRetour",  # written "'\rRetour", quoted: a CSV reader reads the CR back as LF
    ]
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


def test_reason_and_identifiant_are_neutralised_too(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_report(path, ["=A1"], [(2, "@ident", "-motif")], {2: ["+x"]}, frozenset())
    rows = rows_of(path.read_text(encoding="utf-8-sig"))
    assert rows == [["ligne", "identifiant", "motif", "'=A1"], ["2", "'@ident", "'-motif", "'+x"]]
