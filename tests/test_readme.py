"""The README tells the truth: its set-up command works on a new machine, CI runs its test
command, and its settings table gives the defaults the code has.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_FOLDER = "<app folder>"  # how the README writes the per-user application folder


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"\n## {title}" in text, f"no section {title!r} in the README"
    return text.split(f"\n## {title}", 1)[1].split("\n## ", 1)[0]


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", readme_section("Set-up: two commands"))


def test_readme_has_the_two_setup_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "coproctl init" in commands[0]
    assert "pytest" in commands[1]
    assert "[test,postgres]" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in [line.strip() for line in ci.splitlines()]


# --- the set-up command, run as a newcomer would ------------------------------------------


def _project_files() -> list[str]:
    """The files of the working tree a clone would have (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def _copy_project(target: Path) -> None:
    if (ROOT / ".git").exists():
        for name in _project_files():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    else:  # an unpacked archive: everything but build products
        ignored = shutil.ignore_patterns(".venv", "__pycache__", "*.egg-info", "build", "dist")
        shutil.copytree(ROOT, target, ignore=ignored, dirs_exist_ok=True)


def _newcomer_environment(home: Path) -> dict[str, str]:
    """This machine's environment as a new user's shell has it: an empty HOME, no virtual
    environment active, no coproctl setting. pip keeps its cache (the one this user has),
    so that the packages already downloaded are not downloaded again."""
    cache = os.environ.get("PIP_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
    )
    active = {str(Path(sys.prefix) / "bin"), str(Path(os.environ.get("VIRTUAL_ENV", "/-")) / "bin")}
    dropped = {"HOME", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PIP_USER"}
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith(("COPROCTL_", "XDG_", "PYTEST_"))
    }
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if part not in active
    )
    env.update({"HOME": str(home), "PIP_CACHE_DIR": cache, "LANG": "C.UTF-8"})
    return env


@pytest.mark.slow
def test_readme_setup_command_runs_in_a_fresh_venv_and_an_empty_home(tmp_path: Path) -> None:
    """The README's first command, word for word, in a copy of the project: a new virtual
    environment (nothing borrowed from this one), an empty HOME; it must install, initialise,
    import the sample and list the accounts, everything in the per-user folder."""
    command = readme_commands()[0]
    project, home = tmp_path / "coproctl", tmp_path / "home"
    home.mkdir()
    _copy_project(project)
    done = subprocess.run(
        ["sh", "-c", command],
        cwd=project,
        env=_newcomer_environment(home),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    shown = (
        f"{command}\n--- stdout ---\n{done.stdout[-3000:]}\n--- stderr ---\n{done.stderr[-3000:]}"
    )
    assert done.returncode == 0, shown
    venv = project / ".venv"
    assert not (venv / "pyvenv.cfg").read_text().count("include-system-site-packages = true")
    assert (venv / "bin" / "coproctl").exists()
    app_folder = home / ".config" / "coproctl"
    assert (app_folder / "coproctl.db").stat().st_mode & 0o777 == 0o600
    assert (app_folder / "secret.key").stat().st_mode & 0o777 == 0o600
    # the sample's bad rows on purpose: reported, and written to rejets.csv
    assert "rejet" in done.stdout.lower(), shown
    assert (project / "rejets.csv").read_text(encoding="utf-8").count("\n") > 1
    # and the accounts it created, listed by the last command
    assert re.search(r"^\S+\s+en attente\s", done.stdout, re.MULTILINE), shown


# --- the settings table ------------------------------------------------------------------


def _settings_rows() -> list[tuple[list[str], bool, list[str], str]]:
    """(names, alternatives, default values, the row) of each row of the settings table.

    ``SECRET_KEY`` / ``SECRET_KEY_FILE`` are alternatives (one default for the pair);
    ``SMTP_HOST``, ``SMTP_PORT`` take their defaults in order. A default written in code
    style is taken whole (``Espace copropriétaires <...>``), a bare one up to its comment.
    """
    rows = []
    for line in readme_section("Settings").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])
        alternatives = " / " in cells[0]
        pieces = re.findall(r"`[^`]*`[^,]*|[^,]+", cells[1])
        values = []
        for piece in pieces:
            piece = piece.strip()
            quoted = re.match(r"`([^`]*)`", piece)
            values.append(quoted.group(1) if quoted else piece)
        rows.append((names, alternatives, values, line))
    return rows


def _code_default(settings: Any, name: str) -> str:
    """A setting's default as the README writes it: the value the code falls back to when
    the setting is left empty (``resolved_*``), with the application folder's placeholder;
    ``-`` for none."""
    resolved = getattr(settings, f"resolved_{name}", None)
    value = resolved() if resolved is not None else getattr(settings, name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if text else "-"


def test_readme_settings_table_gives_the_code_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every field of ``coproctl.config.Settings`` has its row, with the default the code
    has; every row names a real setting."""
    from coproctl.config import Settings

    for name in list(os.environ):
        if name.startswith("COPROCTL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COPROCTL_HOME", APP_FOLDER)  # app_dir() -> the README's placeholder
    defaults = Settings()
    fields = {field.name.upper(): field.name for field in dataclasses.fields(Settings)}
    problems, documented = [], set()
    for names, alternatives, values, row in _settings_rows():
        unknown = [name for name in names if name not in fields]
        if unknown:
            problems.append(f"not settings: {unknown} ({row})")
            continue
        documented.update(names)
        expected = [_code_default(defaults, fields[name]) for name in names]
        if alternatives:  # one default for the pair: the one that has a default
            given = [value for value in expected if value != "-"] or ["-"]
            if values[:1] != given[:1]:
                problems.append(f"{' / '.join(names)}: README {values[:1]}, code {given[:1]}")
        elif values != expected:
            problems.append(f"{', '.join(names)}: README {values}, code {expected}")
    missing = sorted(set(fields) - documented)
    if missing:
        problems.append(f"settings without a row in the README: {missing}")
    assert not problems, "README settings table:\n" + "\n".join(problems)
