"""``coproctl import calls-for-funds`` end to end: exit codes, --json, --report, the sample."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.cli.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "appel-de-fonds-2026-T3.csv"

EXPORT = (
    "Identifiant;Mot de passe;Réf. copropriétaire;Nom;Prénom;N° lot;Courriel\r\n"
    "LEF001;Init-Aa11xy;C0042;Lefèvre;Hélène;12;helene@orange.fr\r\n"
    "LEF001;Init-Aa11xy;C0042;Lefèvre;Hélène;14;helene@orange.fr\r\n"
    "GAR002;Init-Bb22xy;C0043;Garçon;Loïc;3;loic@orange\r\n"
)


def export(tmp_path: Path, text: str = EXPORT, encoding: str = "cp1252") -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_json_summary_and_exit_zero(cli: Cli, tmp_path: Path) -> None:
    run = cli.json("import", "calls-for-funds", str(export(tmp_path)))
    assert run.exit_code == 0, run.output
    data = run.data
    assert (data["created"], data["updated"], data["unchanged"]) == (2, 0, 0)
    assert data["rejected"] == []
    assert data["warnings"] == [
        {
            "line": 4,
            "identifiant": "GAR002",
            "reason": "e-mail « loic@orange » non enregistré : La partie après le @ est "
            "incomplète : il y manque l'extension (.fr, .com…).",
            "code": "email_not_stored",
        }
    ]
    assert data["encoding"] == "windows-1252"
    assert "Init-" not in run.stdout
    shown = cli.json("account", "show", "LEF001").data
    assert shown["lots"] == ["12", "14"]
    assert shown["last_name"] == "Lefèvre"
    assert cli.mails() == []  # an import sends no mail
    again = cli.json("import", "calls-for-funds", str(export(tmp_path)))
    assert (again.data["created"], again.data["unchanged"]) == (0, 2)


def test_rejected_rows_exit_one_and_go_to_the_report(cli: Cli, tmp_path: Path) -> None:
    text = EXPORT + ";Init-Cc33xy;C0044;Sans;Identifiant;5;\r\n"
    report = tmp_path / "rejets.csv"
    run = cli("import", "calls-for-funds", str(export(tmp_path, text)), "--report", str(report))
    assert run.exit_code == 1
    assert "ligne 5 : identifiant manquant" in run.stdout
    assert "Comptes créés : 2" in run.stdout
    with report.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0][:4] == ["ligne", "identifiant", "motif", "Identifiant"]
    assert rows[1][:3] == ["5", "", "identifiant manquant"]
    assert rows[1][4] == "(masqué)"  # the password cell
    assert "Init-Cc33xy" not in report.read_text("utf-8-sig")


def test_strict_and_dry_run_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    text = EXPORT + ";Init-Cc33xy;C0044;Sans;Identifiant;5;\r\n"
    path = export(tmp_path, text)
    strict = cli.json("import", "calls-for-funds", str(path), "--strict")
    assert strict.exit_code == 1
    assert strict.data["written"] is False
    dry = cli("import", "calls-for-funds", str(path), "--dry-run")
    assert dry.exit_code == 1
    assert "Simulation (--dry-run) : rien n'a été écrit." in dry.stdout
    assert "Comptes à créer : 2" in dry.stdout
    assert cli.json("account", "list").data == []


def test_unreadable_files_exit_two_naming_the_columns(cli: Cli, tmp_path: Path) -> None:
    path = export(tmp_path, "Login;Nom client;Lot\r\nA1;Dupont;1\r\n")
    run = cli.json("import", "calls-for-funds", str(path))
    assert run.exit_code == 2
    error = run.data["error"]
    assert error["code"] == "missing_columns"
    assert error["details"]["columns_found"] == ["Login", "Nom client", "Lot"]
    assert error["details"]["columns_missing"] == ["owner_ref", "last_name"]
    run = cli("import", "calls-for-funds", str(path), "--map", "Nom client=nom")
    assert run.exit_code == 2
    assert "Référence propriétaire" in run.stderr
    missing = cli("import", "calls-for-funds", str(tmp_path / "absent.csv"))
    assert missing.exit_code == 2
    assert "Fichier introuvable" in missing.stderr
    bad = cli("import", "calls-for-funds", str(path), "--delimiter", "|")
    assert bad.exit_code == 2


def test_map_and_forced_options(cli: Cli, tmp_path: Path) -> None:
    text = EXPORT.replace("Réf. copropriétaire", "Code client").replace(";", "\t")
    path = export(tmp_path, text, "utf-8")
    run = cli.json(
        "import", "calls-for-funds", str(path), "--map", "Code client=owner_ref",
        "--delimiter", "tab", "--encoding", "utf-8",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert run.data["columns"]["owner_ref"] == "Code client"
    assert run.data["delimiter"] == "\t"


def test_no_progress_bar_when_not_a_terminal(cli: Cli, tmp_path: Path) -> None:
    run = cli("import", "calls-for-funds", str(export(tmp_path)))
    assert "Import des comptes" not in run.output
    assert "\r" not in run.stderr


def test_a_progress_bar_on_a_terminal(cli: Cli, tmp_path: Path) -> None:
    """Standard error on a pseudo-terminal: rich draws the bar there."""
    import os
    import pty
    import subprocess
    import sys

    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coproctl", "import", "calls-for-funds", str(export(tmp_path))],
        stdout=subprocess.DEVNULL,
        stderr=secondary,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
    )
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    assert proc.wait(timeout=60) == 0
    assert b"Import des comptes" in seen


def test_the_sample_export(cli: Cli, tmp_path: Path) -> None:
    """The README's main job: the sample's bad rows are reported, the rest imported."""
    run = cli.json("import", "calls-for-funds", str(SAMPLE))
    assert run.exit_code == 1
    data = run.data
    assert data["created"] > 300
    assert data["encoding"] == "windows-1252"
    reasons = {r["identifiant"]: r["reason"] for r in data["rejected"]}
    assert reasons[None] == "identifiant manquant"
    assert "deux propriétaires" in reasons["ERR00001"]
    assert "Nom" in reasons["ERR00003"]
    assert "deux mots de passe" in reasons["ERR00004"]
    assert [w["identifiant"] for w in data["warnings"]] == ["ERR00002"]
    owners = {}
    for view in cli.json("account", "list", "--status", "pending").data:
        owners.setdefault(view["owner_ref"], []).append(view["identifiant"])
    assert any(len(accounts) == 2 for accounts in owners.values())  # two copropriétés


def test_report_writes_nothing_and_says_nothing_when_no_row_is_rejected(
    cli: Cli, tmp_path: Path
) -> None:
    report = tmp_path / "rejets.csv"
    run = cli("import", "calls-for-funds", str(export(tmp_path)), "--report", str(report))
    assert run.exit_code == 0, run.output
    assert not report.exists()
    assert "Rapport" not in run.output
    data = cli.json("import", "calls-for-funds", str(export(tmp_path)), "--report", str(report))
    assert data.data["report"] is None
    assert not report.exists()
