"""What failed at the relay, said for what it is (issue 11 item 4), and no login in clear
(issue 9 item 20): connection, TLS negotiation and authentication each have their message
and their hint; an SMTP password never crosses an unencrypted connection unless
``SMTP_TLS=none-insecure-login`` says so.
"""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from coproctl.mail import diagnosis
from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, create_account, server_down, start_update

ADDRESS = "marie@example.com"
USER, PASSWORD = "coproctl", "relay-Secret-42"


def delivery_of(cli: Cli) -> dict[str, str]:
    run = cli.json("update", "start", "LEF001", "--email", ADDRESS, "--confirm-email", ADDRESS,
                   "--password-stdin", input="Initial-Aa11\n")  # fmt: skip
    assert run.exit_code == 0, run.output
    (message,) = run.data["delivery"]["messages"]
    return message


def test_starttls_not_offered_is_a_tls_failure(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_SMTP_TLS", "starttls")  # the test relay offers no STARTTLS
    create_account(cli)
    message = delivery_of(cli)
    assert message["status"] == "retrying"
    assert "négociation TLS impossible avec le serveur d'envoi" in message["detail"]
    assert "ne propose pas STARTTLS" in message["detail"]
    assert "injoignable" not in message["detail"]
    assert message["hint"] == diagnosis.TLS_HINT
    assert smtp_server.received == []


def test_connection_refused_is_unreachable(cli: Cli, smtp_server: MailServer) -> None:
    create_account(cli)
    server_down(smtp_server)
    message = delivery_of(cli)
    assert "serveur d'envoi injoignable" in message["detail"]
    assert message["hint"] == diagnosis.UNREACHABLE_HINT


def check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    good = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=good, handled=False)


@pytest.fixture
def plain_relay(monkeypatch: pytest.MonkeyPatch) -> MailServer:
    """A relay that accepts a login without TLS (as a careless one would)."""
    relay = MailServer(authenticator=check_login, auth_required=True, auth_require_tls=False)
    relay.start()
    monkeypatch.setenv("COPROCTL_SMTP_PORT", str(relay.port))
    monkeypatch.setenv("COPROCTL_SMTP_USER", USER)
    monkeypatch.setenv("COPROCTL_SMTP_PASSWORD", PASSWORD)
    yield relay  # type: ignore[misc]
    relay.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_no_login_over_a_plain_connection(
    cli: Cli, plain_relay: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_SMTP_TLS", "none-insecure-login")
    create_account(cli)
    monkeypatch.setenv("COPROCTL_SMTP_TLS", "none")  # (the default)
    run = start_update(cli, "LEF001", ADDRESS)
    assert run.exit_code == 2  # refused with the settings, before anything is done
    assert "le mot de passe SMTP passerait en clair" in run.stderr
    assert PASSWORD not in run.output
    assert plain_relay.handler.peers == set()  # never even connected
    assert cli("mail", "test", ADDRESS).exit_code == 2


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_login_in_clear_when_the_setting_says_so(
    cli: Cli, plain_relay: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_SMTP_TLS", "none-insecure-login")
    create_account(cli)
    message = delivery_of(cli)
    assert message["status"] == "sent", message
    assert len(plain_relay.received) == 1
    monkeypatch.setenv("COPROCTL_SMTP_PASSWORD", "wrong")
    refused = cli("mail", "test", ADDRESS)
    assert refused.exit_code == 1
    assert "authentification refusée par le serveur d'envoi" in refused.stderr
    assert diagnosis.AUTH_HINT in refused.stderr
