"""TLS (STARTTLS and implicit) and login against a real aiosmtpd relay with its own certificate."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from coproctl.mail import diagnosis
from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, create_account, start_update

ADDRESS = "marie@example.com"
USER, PASSWORD = "coproctl", "relay-Secret-42"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test relay's certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "relay.pem", folder / "relay.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


def check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    good = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=good, handled=False)


@pytest.fixture
def tls_relay(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[MailServer]:
    """A relay that wants STARTTLS then a login (or implicit TLS when parametrised)."""
    mode = getattr(request, "param", "starttls")
    context = server_context(certificate)
    if mode == "ssl":
        # (aiosmtpd only knows about STARTTLS: the connection is TLS from the start here)
        relay = MailServer(
            ssl_context=context,
            authenticator=check_login,
            auth_required=True,
            auth_require_tls=False,
        )
    else:
        relay = MailServer(
            tls_context=context,
            require_starttls=True,
            authenticator=check_login,
            auth_required=True,
        )
    relay.start()
    for name, value in {
        "COPROCTL_SMTP_PORT": str(relay.port),
        "COPROCTL_SMTP_TLS": mode,
        "COPROCTL_SMTP_CA_FILE": str(certificate[0]),
        "COPROCTL_SMTP_USER": USER,
        "COPROCTL_SMTP_PASSWORD": PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)
    try:
        yield relay
    finally:
        relay.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("tls_relay", ["starttls", "ssl"], indirect=True)
def test_delivered_over_tls_with_a_login(cli: Cli, tls_relay: MailServer) -> None:
    create_account(cli)
    assert start_update(cli, "LEF001", ADDRESS).exit_code == 0
    (mail,) = cli.json("mail", "list").data
    assert mail["status"] == "sent", mail["error"]
    assert cli("code", "verify", "LEF001", tls_relay.code_for(ADDRESS)).exit_code == 0


def test_a_refused_login_keeps_the_mail_and_says_so(
    cli: Cli, tls_relay: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_SMTP_PASSWORD", "wrong")
    create_account(cli)
    run = start_update(cli, "LEF001", ADDRESS)
    assert run.exit_code == 0
    assert "wrong" not in run.output
    (mail,) = cli.json("mail", "list").data
    assert mail["status"] == "queued"
    assert mail["error"].startswith("authentification refusée par le serveur d'envoi")
    assert "wrong" not in mail["error"]
    assert mail["hint"] == diagnosis.AUTH_HINT
    assert tls_relay.received == []


def test_an_unknown_certificate_is_refused(
    cli: Cli, tls_relay: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COPROCTL_SMTP_CA_FILE")
    create_account(cli)
    assert start_update(cli, "LEF001", ADDRESS).exit_code == 0
    (mail,) = cli.json("mail", "list").data
    assert mail["status"] == "queued"
    assert mail["error"].startswith("négociation TLS impossible avec le serveur d'envoi")
    assert "CERTIFICATE_VERIFY_FAILED" in mail["error"]
    assert mail["hint"] == diagnosis.TLS_HINT
    assert tls_relay.received == []
