"""Issue 11 item 3: a message goes by the transport it was queued for, or says why not.

A cron run without the SMTP settings (so writing files) leaves the messages queued for the
relay and exits 1; ``mail retry --use-this-transport`` is the deliberate move. ``mail test``
sends one real message and shows the relay's answer; ``config show`` says every setting and
where it came from, secrets masked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, create_account, server_down, start_update

ADDRESS = "marie.lefevre@example.com"


def test_a_run_with_another_transport_leaves_the_mail_queued(
    cli: Cli, smtp_server: MailServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_account(cli)
    server_down(smtp_server)
    assert start_update(cli, "LEF001", ADDRESS).exit_code == 0  # waits for the relay
    # cron without the mail settings: the default transport writes files
    folder = tmp_path / "cron-mail"
    monkeypatch.setenv("COPROCTL_MAIL_TRANSPORT", f"file:{folder}")
    run = cli("mail", "retry", "--all")
    assert run.exit_code == 1
    assert f"le serveur SMTP 127.0.0.1:{smtp_server.port}" in run.stderr
    assert "laissés en attente" in run.stderr
    assert "--use-this-transport" in run.stderr
    assert not folder.exists() or list(folder.iterdir()) == []
    (mail,) = cli.json("mail", "list").data
    assert mail["status"] == "queued"
    data = cli.json("mail", "send").data
    assert data["elsewhere"] == [{"transport": f"smtp:127.0.0.1:{smtp_server.port}", "count": 1}]
    assert data["sent"] == 0

    moved = cli.json("mail", "retry", str(mail["id"]), "--use-this-transport")
    assert moved.exit_code == 0, moved.output
    assert moved.data["sent"] == 1
    assert len(list(folder.glob("*.eml"))) == 1
    assert cli.json("mail", "list").data[0]["status"] == "sent"


def test_mail_test_shows_the_relay_answer(cli: Cli, smtp_server: MailServer) -> None:
    run = cli("mail", "test", "essai@example.com")
    assert run.exit_code == 0, run.output
    assert f"Message d'essai remis au serveur SMTP 127.0.0.1:{smtp_server.port}" in run.stdout
    assert "Réponse : 250" in run.stdout
    (received,) = smtp_server.received
    assert received.rcpt_tos == ["essai@example.com"]
    assert received.message["Subject"] == "Message d'essai de coproctl"
    data = cli.json("mail", "test", "essai@example.com").data
    assert data["ok"] is True
    assert data["reply"].startswith("250")

    assert cli("mail", "test", "pas-une-adresse").exit_code == 2
    server_down(smtp_server)
    down = cli("mail", "test", "essai@example.com")
    assert down.exit_code == 1
    assert "serveur d'envoi injoignable" in down.stderr
    assert "connexion impossible" in down.stderr  # the hint says what to check


def test_config_show_tells_each_source_and_masks_secrets(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "coproctl.toml"
    config.write_text('smtp_host = "relais.example.com"\nsmtp_password = "Relais-Secret-42"\n')
    monkeypatch.setenv("COPROCTL_CONFIG", str(config))
    monkeypatch.delenv("COPROCTL_SMTP_HOST")  # (the environment wins over the file)
    monkeypatch.setenv("COPROCTL_SMTP_PORT", "587")
    monkeypatch.setenv("COPROCTL_SMTP_TLS", "starttls")
    run = cli.json("--db", "postgresql://coproctl:Base-Secret-7@db.example.com/copro",
                   "config", "show")  # fmt: skip
    assert run.exit_code == 0, run.output
    settings = run.data["settings"]
    assert settings["smtp_host"] == {"value": "relais.example.com", "source": f"fichier {config}"}
    assert settings["smtp_port"] == {"value": "587", "source": "environnement COPROCTL_SMTP_PORT"}
    assert settings["smtp_ca_file"]["source"] == "défaut"
    assert settings["database_url"]["source"] == "option"
    assert settings["smtp_password"]["value"] == "(masqué)"
    assert settings["secret_key"]["value"] == "(masqué)"
    assert run.data["mail"]["host"] == "relais.example.com"
    assert run.data["mail"]["tls"] == "starttls"
    text = cli("--db", "postgresql://coproctl:Base-Secret-7@db.example.com/copro",
               "config", "show")  # fmt: skip
    for secret in ("Relais-Secret-42", "Base-Secret-7", "test-secret-key"):
        assert secret not in run.stdout + text.output
    assert "Chiffrement (SMTP_TLS)" in text.stdout
    assert "STARTTLS" in text.stdout


def test_config_show_says_what_the_checks_refuse(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPROCTL_SMTP_USER", "coproctl")
    monkeypatch.setenv("COPROCTL_SMTP_TLS", "none")
    run = cli("config", "show")
    assert run.exit_code == 1
    assert "SMTP_USER" in run.stdout
    assert "le mot de passe SMTP passerait en clair" in run.stderr
