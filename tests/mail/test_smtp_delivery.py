"""Done-when 1: the update procedure's code arrives at a real SMTP server, as an owner gets it."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, code_in, create_account, start_update

ADDRESS = "marie.lefevre@example.com"


def test_update_code_arrives_by_smtp(cli: Cli, smtp_server: MailServer) -> None:
    create_account(cli)
    run = start_update(cli, "LEF001", ADDRESS)
    assert run.exit_code == 0, run.output

    (received,) = smtp_server.received
    assert received.rcpt_tos == [ADDRESS]
    assert received.mail_from == "ne-pas-repondre@syndic-lefort.fr"
    message = received.message
    assert message["To"].addresses[0].addr_spec == ADDRESS
    assert message["Subject"] == "Votre code de vérification : mise à jour de votre espace client"
    assert message["From"].addresses[0].display_name == "Syndic Lefort & Associés"
    assert message["Reply-To"].addresses[0].addr_spec == "copro@syndic-lefort.fr"
    assert message["Auto-Submitted"] == "auto-generated"
    assert parsedate_to_datetime(message["Date"]).utcoffset() is not None
    assert message["Message-ID"].endswith("@syndic-lefort.fr>")
    assert message.get_content_type() == "multipart/alternative"

    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert text.get_content_charset() == "utf-8"
    plain, markup = text.get_content(), html.get_content()
    code = code_in(message)
    assert f"{code[:4]} {code[4:]}" in markup  # grouped for reading, in both parts
    assert f"    {code[:4]} {code[4:]}\r\n" in plain
    for body in (plain, markup):
        assert "Bonjour Madame Lefèvre," in body
        assert "LEF001" in body
        assert "valable que 30 minutes" in body
        assert "[[CODE]]" not in body
    assert '<html lang="fr">' in markup

    # it is the code of the procedure: it verifies
    verified = cli.json("code", "verify", "LEF001", code)
    assert verified.exit_code == 0, verified.output

    listed = cli.json("mail", "list", "--account", "LEF001").data
    assert listed[0]["status"] == "sent"
    assert listed[0]["attempts"] == 1
    assert listed[0]["to"] == ADDRESS
    assert listed[0]["sent_at"] is not None
    assert set(listed[0]) >= {
        "id",
        "to",
        "kind",
        "status",
        "attempts",
        "error",
        "created_at",
        "sent_at",
    }
    assert int(message["X-Coproctl-Outbox-Id"]) == listed[0]["id"]


def test_reset_code_mail_states_its_own_validity(
    cli: Cli, smtp_server: MailServer, monkeypatch
) -> None:
    monkeypatch.setenv("COPROCTL_CODE_TTL_RESET_MINUTES", "12")
    create_account(cli)
    assert start_update(cli, "LEF001", ADDRESS).exit_code == 0
    assert cli("code", "verify", "LEF001", smtp_server.code_for(ADDRESS)).exit_code == 0
    new = "Brume-Tilleul-Quartz7"
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{new}\n{new}\n")
    assert run.exit_code == 0, run.output
    assert cli("password", "forgot", "LEF001", "--email", ADDRESS).exit_code == 0

    kinds = [m["X-Coproctl-Kind"] for m in smtp_server.to(ADDRESS)]
    assert kinds == ["update_code", "account_activated", "reset_code"]
    reset = smtp_server.to(ADDRESS)[-1]
    assert reset["Subject"] == "Votre code de vérification : nouveau mot de passe"
    body = reset.get_body(preferencelist=("plain",)).get_content()
    assert "valable que 12 minutes" in body
    notice = smtp_server.to(ADDRESS)[1].get_body(preferencelist=("plain",)).get_content()
    assert "heure de Paris" in notice
    assert "appelez sans attendre votre service de syndic" in notice
