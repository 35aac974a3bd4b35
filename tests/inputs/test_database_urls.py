"""Issue 9 item 17 and issue 11 item 20: what ``--db`` may name, and what is said when it
cannot be used: one French line, exit 2, no traceback; files coproctl did not create keep
their mode, and no folder is created but the application folder."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import SECRET
from tests.inputs.conftest import Cli, command_env, run_coproctl


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Settings with no database URL: each test says which with ``--db``."""
    for name in list(os.environ):
        if name.startswith("COPROCTL_") and name != "COPROCTL_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("COPROCTL_HOME", str(home))
    monkeypatch.setenv("COPROCTL_SECRET_KEY", SECRET)
    monkeypatch.setenv("COPROCTL_MAIL_TRANSPORT", f"file:{tmp_path / 'mail'}")
    return home


@pytest.fixture
def cli(plain_env: Path, tmp_path: Path) -> Cli:
    return Cli(tmp_path / "mail")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_error_line(stderr: str, code: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "nothing said"
    assert lines[0].startswith(f"Erreur ({code})"), stderr
    return lines[0]


def test_an_existing_database_keeps_its_mode(cli: Cli, tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    url = f"sqlite:///{database}"
    assert cli("--db", url, "init").exit_code == 0
    assert mode(database) == 0o600  # created by coproctl: its owner only
    database.chmod(0o640)  # the administrator's choice (a group that backs it up, say)
    assert cli("--db", url, "account", "list").exit_code == 0
    assert cli("--db", url, "init").exit_code == 0
    assert mode(database) == 0o640


def test_an_empty_file_is_an_empty_database_and_keeps_its_mode(cli: Cli, tmp_path: Path) -> None:
    database = tmp_path / "empty.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    assert cli("--db", f"sqlite:///{database}", "init").exit_code == 0
    assert mode(database) == 0o644


def test_no_folder_is_created_for_a_database(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "deeper" / "coproctl.db"
    run = cli("--db", f"sqlite:///{target}", "init")
    assert run.exit_code == 2
    line = one_error_line(run.stderr, "database_folder_missing")
    assert str(target.parent) in line
    assert not (tmp_path / "nowhere").exists()


def test_the_application_folder_is_created_for_the_default_database(
    cli: Cli, plain_env: Path
) -> None:
    assert not plain_env.exists()
    assert cli("init").exit_code == 0
    assert mode(plain_env / "coproctl.db") == 0o600


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"[coproctl]\nsecret_key = 'not a database'\n", "not_a_database"),
        (b"root:x:0:0:root:/root:/bin/bash\n", "not_a_database"),
        (b"SQLite format 2\x00 almost", "not_a_database"),
    ],
)
def test_a_file_that_is_not_a_database_is_refused_untouched(
    cli: Cli, tmp_path: Path, content: bytes, code: str
) -> None:
    other = tmp_path / "precious.txt"
    other.write_bytes(content)
    other.chmod(0o644)
    for command in (["init"], ["account", "list"]):
        run = cli("--db", f"sqlite:///{other}", *command)
        assert run.exit_code == 2, command
        line = one_error_line(run.stderr, code)
        assert "n'est pas une base de données SQLite" in line
        assert len(run.stderr.strip().splitlines()) == 1
    assert other.read_bytes() == content
    assert mode(other) == 0o644
    assert not Path(f"{other}-wal").exists()
    assert cli.json("--db", f"sqlite:///{other}", "init").data["error"]["code"] == code


def test_a_folder_or_a_device_is_refused(cli: Cli, tmp_path: Path) -> None:
    for path in (tmp_path, Path("/dev/null")):
        run = cli("--db", f"sqlite:///{path}", "account", "list")
        assert run.exit_code == 2
        assert "n'est pas un fichier de base de données SQLite" in one_error_line(
            run.stderr, "not_a_database"
        )
    assert mode(Path("/dev/null")) == 0o666


@pytest.mark.parametrize("given", ["/var/lib/coproctl/x.db", "x.db", "données/x.db"])
def test_a_bare_path_is_refused_with_the_url_to_type(
    cli: Cli, given: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    run = cli("--db", given, "account", "list")
    assert run.exit_code == 2
    assert given in one_error_line(run.stderr, "bad_database_url")
    expected = "sqlite:///" + (given if given.startswith("/") else str(tmp_path / given))
    assert expected in run.stderr
    assert not (tmp_path / given).exists()
    as_json = cli.json("--db", given, "account", "list")
    assert as_json.data["error"]["code"] == "bad_database_url"
    assert expected in as_json.data["error"]["hint"]
    monkeypatch.setenv("COPROCTL_DATABASE_URL", given)  # the same from the environment
    assert cli.json("account", "list").data["error"]["code"] == "bad_database_url"


def test_an_unreadable_url_is_not_echoed(cli: Cli) -> None:
    run = cli("--db", "postgresql://staff:S3cret-pw@db.example.com:notaport/coproctl", "stats")
    assert run.exit_code == 2
    assert "S3cret-pw" not in run.output
    one_error_line(run.stderr, "bad_database_url")


def test_postgres_scheme_is_an_alias(cli: Cli, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    alias = make_url(db_url).set(drivername="postgres").render_as_string(hide_password=False)
    assert alias.startswith("postgres://")
    assert cli("--db", alias, "init").exit_code == 0
    run = cli.json("--db", alias, "account", "list")
    assert run.exit_code == 0
    assert run.data == []


NO_PSYCOPG = """
import sys
sys.modules["psycopg"] = None  # as if the postgres extra were not installed
sys.argv = ["coproctl", *sys.argv[1:]]
from coproctl.cli.app import main
main()
"""


@pytest.mark.parametrize("command", [["init"], ["account", "list"], ["--json", "stats"]])
def test_missing_postgres_driver_is_one_line_with_the_pip_command(
    tmp_path: Path, command: list[str]
) -> None:
    import subprocess

    env = command_env(tmp_path / "home", "postgresql://coproctl@127.0.0.1:5432/coproctl")
    proc = subprocess.run(
        [sys.executable, "-c", NO_PSYCOPG, *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    if "--json" in command:
        error = json.loads(proc.stdout)["error"]
        assert error["code"] == "database_driver_missing"
        assert "pip install 'coproctl[postgres]'" in error["message"]
        return
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "pip install 'coproctl[postgres]'" in one_error_line(
        proc.stderr, "database_driver_missing"
    )


def test_with_the_driver_the_same_url_goes_to_the_server(tmp_path: Path) -> None:
    """The control of the test above: without the shim the driver loads (and the refusal
    is about the server, not the driver)."""
    env = command_env(tmp_path / "home", "postgresql://coproctl@127.0.0.1:1/coproctl")
    done = run_coproctl(["account", "list"], env)
    assert "database_driver_missing" not in done.stderr
    assert "Traceback" not in done.stderr
