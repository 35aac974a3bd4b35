"""Issue 11, item 23: the production configuration of docs/operations.md works as written:
its settings file (SMTP on 587 with STARTTLS and a login, the password in its own file), the
setup commands and every command of the documented systemd units, run as a process would
run them, against a real relay that wants STARTTLS and that login."""

from __future__ import annotations

import json
import os
import re
import shlex
import ssl
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.mail.conftest import MailServer
from tests.mail.test_smtp_tls import certificate, server_context  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS_MD = ROOT / "docs" / "operations.md"
RELAY_PASSWORD = "Relais-Secret-587"
OWNER_EMAIL = "marie@example.com"


def _block(name: str) -> str:
    text = OPERATIONS_MD.read_text(encoding="utf-8")
    found = re.search(rf"<!-- tested: {name} -->\n```\w+\n(.*?)\n```", text, re.DOTALL)
    assert found, f"no tested block {name!r} in docs/operations.md"
    return found.group(1) + "\n"


def _setting(toml: str, name: str) -> str:
    found = re.search(rf'^{name} = "?([^"\n]*)"?$', toml, re.MULTILINE)
    assert found, name
    return found.group(1)


def _documented_commands() -> tuple[list[list[str]], list[list[str]]]:
    """(setup commands, unit commands): the words after ``coproctl`` as the doc gives them."""
    text = OPERATIONS_MD.read_text(encoding="utf-8")
    setup = [
        shlex.split(line)[1:]
        for line in re.findall(r"--preserve-env=COPROCTL_CONFIG \S+/bin/(coproctl .+)$", text, re.M)
    ]
    units = [
        shlex.split(line)[1:]
        for line in re.findall(r"^ExecStart=/opt/coproctl/\.venv/bin/(coproctl .+)$", text, re.M)
    ]
    prefix = re.search(r"\| `ExecStart=/opt/coproctl/\.venv/bin/(coproctl [^`]*) \.\.\.` \|", text)
    assert prefix, "the table of the other units"
    for cell in re.findall(r"^\| `coproctl-[\w-]+` \| `([^`]+)` \|", text, re.M):
        units.append(shlex.split(prefix.group(1))[1:] + shlex.split(cell))
    return setup, units


@pytest.fixture
def relay(certificate: tuple[Path, Path]) -> Iterator[MailServer]:  # noqa: F811
    """A relay that wants STARTTLS, then the login of the documented settings."""
    user = _setting(_block("config"), "smtp_user")

    def check(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        good = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode() == user and auth_data.password.decode() == RELAY_PASSWORD
        )
        return AuthResult(success=good, handled=False)

    context: ssl.SSLContext = server_context(certificate)
    server = MailServer(
        tls_context=context, require_starttls=True, authenticator=check, auth_required=True
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_documented_production_configuration_runs(
    tmp_path: Path,
    relay: MailServer,
    certificate: tuple[Path, Path],  # noqa: F811
) -> None:
    var, etc = tmp_path / "var-lib-coproctl", tmp_path / "etc-coproctl"
    var.mkdir(mode=0o700)
    etc.mkdir()
    toml = _block("config")
    assert "password =" not in toml.replace("smtp_password_file", "")  # no secret in it
    assert _setting(toml, "smtp_port") == "587"
    assert _setting(toml, "smtp_tls") == "starttls"
    password_file = _setting(toml, "smtp_password_file")
    toml = toml.replace("/var/lib/coproctl", str(var)).replace(password_file, str(etc / "pw"))
    toml = re.sub(r"^smtp_host = .*$", 'smtp_host = "127.0.0.1"', toml, flags=re.M)
    toml = re.sub(r"^smtp_port = .*$", f"smtp_port = {relay.port}", toml, flags=re.M)
    # the test relay's own certificate (a real relay's is signed by a public authority)
    toml += f'smtp_ca_file = "{certificate[0]}"\n'
    config = etc / "coproctl.toml"
    config.write_text(toml, encoding="utf-8")
    (etc / "pw").write_text(RELAY_PASSWORD + "\n", encoding="utf-8")
    (etc / "pw").chmod(0o640)

    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROCTL_")}
    env.update(
        {
            "COPROCTL_CONFIG": str(config),
            "HOME": str(var),
            "XDG_CONFIG_HOME": str(var / ".config"),
            "PYTHONPATH": str(ROOT),
        }
    )

    def coproctl(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "coproctl", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in done.stderr, done.stderr
        assert RELAY_PASSWORD not in done.stdout + done.stderr
        return done

    setup, units = _documented_commands()
    assert [words[0] for words in setup] == ["init", "config", "mail"]
    assert len(units) >= 4
    for words in setup:
        done = coproctl(*words)
        assert done.returncode == 0, (words, done.stdout, done.stderr)
    assert (var / "coproctl.db").exists()
    assert stat.S_IMODE((var / "secret.key").stat().st_mode) == 0o600
    shown = coproctl("--json", "config", "show").stdout
    assert "starttls" in shown
    assert "smtp_password_file" in shown
    assert [m["To"] for m in (r.message for r in relay.received)] == [
        "exploitation@syndic.example"
    ]  # mail test went through STARTTLS and the login

    # a procedure's code mail goes out at once, over the same relay
    create = ["account", "create", "LEF001", "--owner-ref", "C0001", "--last-name", "Lefèvre"]
    created = coproctl("--json", *create, "--generate-password")
    assert created.returncode == 0, created.stderr
    initial = json.loads(created.stdout)["initial_password"]
    start = ["update", "start", "LEF001", "--email", OWNER_EMAIL, "--confirm-email", OWNER_EMAIL]
    started = coproctl(*start, "--password-stdin", stdin=initial + "\n")
    assert started.returncode == 0, started.stderr
    assert relay.to(OWNER_EMAIL), "the code mail did not reach the relay"

    # every command of the documented units, as systemd runs them: silent, exit 0
    for words in units:
        done = coproctl(*words)
        assert done.returncode == 0, (words, done.stdout, done.stderr)
        if "--quiet" in words:
            assert done.stdout == "", (words, done.stdout)
    actors = {
        e["actor"] for e in __import__("json").loads(coproctl("--json", "audit", "list").stdout)
    }
    assert "cron" in actors or len(units) >= 4


def test_smtp_password_file(tmp_path: Path) -> None:
    from coproctl.config import load_settings
    from coproctl.errors import BadInput

    secret = tmp_path / "smtp-password"
    secret.write_text("Premiere-Ligne-1\nignorée\n", encoding="utf-8")
    settings = load_settings(environ={"COPROCTL_SMTP_PASSWORD_FILE": str(secret)})
    assert settings.resolved_smtp_password() == "Premiere-Ligne-1"
    assert "Premiere" not in repr(settings)
    # SMTP_PASSWORD, when given, wins; a missing file is said when a mail is sent, in French
    given = load_settings(
        environ={"COPROCTL_SMTP_PASSWORD": "x", "COPROCTL_SMTP_PASSWORD_FILE": str(secret)}
    )
    assert given.resolved_smtp_password() == "x"
    missing = load_settings(environ={"COPROCTL_SMTP_PASSWORD_FILE": str(tmp_path / "absent")})
    with pytest.raises(BadInput, match="SMTP_PASSWORD_FILE illisible"):
        missing.resolved_smtp_password()
