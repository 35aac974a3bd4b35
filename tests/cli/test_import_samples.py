"""``sample_data/generate.py`` (issue 11, 22): it writes where it is run unless told, every
option has help, and the samples' README tells the truth about the rows that fail."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Cli

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
GENERATE = SAMPLES / "generate.py"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATE), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_it_writes_into_the_current_folder_not_over_the_samples(tmp_path: Path) -> None:
    tracked = {path.name: digest(path) for path in SAMPLES.iterdir() if path.is_file()}
    done = generate(tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "anciens-comptes.jsonl",
        "appel-de-fonds-2026-T3.csv",
    ]
    # the same seed gives the same export as the tracked one
    assert digest(tmp_path / "appel-de-fonds-2026-T3.csv") == tracked["appel-de-fonds-2026-T3.csv"]
    assert {p.name: digest(p) for p in SAMPLES.iterdir() if p.is_file()} == tracked
    only = generate(tmp_path, "--accounts", "5", "--out", "five.csv", "--no-bad-rows")
    assert only.returncode == 0, only.stderr
    assert len((tmp_path / "five.csv").read_bytes().splitlines()) > 5
    refused = generate(tmp_path, "--samples", "--out", "x.csv")
    assert refused.returncode == 2
    assert "--samples" in refused.stderr


def test_every_option_has_help(tmp_path: Path) -> None:
    text = generate(tmp_path, "--help").stdout
    options = re.findall(r"^  (--[a-z-]+)(.*)$", text, re.MULTILINE)
    names = {name for name, _ in options}
    assert names >= {"--accounts", "--seed", "--out", "--legacy-out", "--samples"}
    assert names >= {"--encoding", "--delimiter", "--no-bad-rows"}
    for name, rest in options:
        described = rest.strip() or text.split(name, 1)[1].splitlines()[1].strip()
        assert described, name


def test_the_readme_names_the_rows_that_fail(cli: Cli) -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    run = cli.json("import", "calls-for-funds", str(SAMPLES / "appel-de-fonds-2026-T3.csv"))
    data = run.data
    assert (run.exit_code, data["created"], len(data["rejected"]), len(data["warnings"])) == (
        1,
        421,
        6,
        1,
    )
    assert "exit 1, 421 created,\n6 lines rejected, 1 warning" in readme
    for note in data["rejected"] + data["warnings"]:
        assert re.search(rf"\| {note['line']}\b|, {note['line']} \|", readme), note
        assert note["identifiant"] is None or f"`{note['identifiant']}`" in readme
    legacy = cli.json("import", "legacy", str(SAMPLES / "anciens-comptes.jsonl"))
    assert (legacy.exit_code, legacy.data["created"]) == (1, 24)
    assert "(exit 1, 24 created, 1 line rejected)" in readme
    assert [r["identifiant"] for r in legacy.data["rejected"]] == ["EXT99999"]
    password = "Extranet-EXT00001-2019"
    assert f"`{password}`" in readme
    assert cli("login", "EXT00001", "--password-stdin", input=password + "\n").exit_code == 0
