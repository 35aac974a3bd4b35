"""Issue 11: what a command says about its mail is what happened to it.

Item 1 ("envoyé" only once a relay accepted it, in text and in ``--json`` "delivery"; ``account
show`` shows the delivery state), item 2 (a bounce lifts the resend cooldown, not the
hourly cap), item 8 (``mail send`` says what waits and until when; ``mail retry``), item 24
(mails name the syndic; a new code says it replaces the previous one; the first connection's
confirmation), item 12's grouped code.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from coproctl.clock import now
from coproctl.mail import diagnosis
from tests.cli.conftest import Cli
from tests.conftest import mail_text as crlf_text
from tests.mail.conftest import (
    MailServer,
    activate,
    create_account,
    server_down,
    server_up,
    start_update,
)

ADDRESS = "marie.lefevre@example.com"


def mail_text(message: object) -> str:
    return crlf_text(message).replace("\r\n", "\n")  # type: ignore[arg-type]


def test_sent_only_when_the_relay_accepted(cli: Cli, smtp_server: MailServer) -> None:
    create_account(cli)
    run = cli.json("update", "start", "LEF001", "--email", ADDRESS, "--confirm-email", ADDRESS,
                   "--password-stdin", input="Initial-Aa11\n")  # fmt: skip
    assert run.exit_code == 0, run.output
    delivery = run.data["delivery"]
    assert delivery["status"] == "sent"
    assert f"127.0.0.1:{smtp_server.port}" in delivery["detail"]
    assert "250" in delivery["detail"]  # the relay's own answer
    (message,) = delivery["messages"]
    assert (message["to"], message["kind"]) == (ADDRESS, "update_code")

    text = cli("code", "resend", "LEF001")
    assert text.exit_code == 1  # the cooldown: nothing new was sent, and nothing said so


def test_relay_down_is_not_sent(cli: Cli, smtp_server: MailServer) -> None:
    create_account(cli)
    server_down(smtp_server)
    run = start_update(cli, "LEF001", ADDRESS)
    assert run.exit_code == 0, run.output
    assert "envoyé à" not in run.stdout.replace("PAS ENCORE envoyé à", "")
    assert f"Code de vérification PAS ENCORE envoyé à {ADDRESS}" in run.stdout
    assert "serveur d'envoi injoignable" in run.stdout
    assert diagnosis.UNREACHABLE_HINT in run.stdout
    shown = cli.json("account", "show", "LEF001").data
    assert shown["procedure"]["delivery"]["status"] == "retrying"
    human = cli("account", "show", "LEF001").stdout
    assert "PAS ENCORE envoyé" in human


def test_a_refused_address_is_said_failed(cli: Cli, smtp_server: MailServer) -> None:
    typo = "marie.lefevre@exemple.com"
    smtp_server.handler.refuse[typo] = "550 5.1.1 <marie.lefevre@exemple.com>: User unknown"
    create_account(cli)
    run = cli.json("update", "start", "LEF001", "--email", typo, "--confirm-email", typo,
                   "--password-stdin", "--accept-domain", input="Initial-Aa11\n")  # fmt: skip
    assert run.exit_code == 0, run.output
    assert run.data["delivery"]["status"] == "failed"
    assert "550 5.1.1" in run.data["delivery"]["detail"]
    assert run.data["delivery"]["messages"][0]["hint"] == diagnosis.UNKNOWN_ADDRESS
    human = cli.json("account", "show", "LEF001").data["procedure"]["delivery"]
    assert human["status"] == "failed"


def test_queue_mode_says_queued(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_DELIVERY", "queue")
    create_account(cli)
    run = cli.json("update", "start", "LEF001", "--email", ADDRESS, "--confirm-email", ADDRESS,
                   "--password-stdin", input="Initial-Aa11\n")  # fmt: skip
    assert run.data["delivery"]["status"] == "queued"
    assert "MAIL_DELIVERY=queue" in run.data["delivery"]["detail"]
    assert smtp_server.received == []


def test_file_transport_says_written(
    cli: Cli, mail_dir: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_TRANSPORT", f"file:{mail_dir}")
    create_account(cli)
    run = start_update(cli, "LEF001", ADDRESS)
    assert run.exit_code == 0, run.output
    assert f"Code de vérification écrit dans un fichier, rien n'est envoyé à {ADDRESS}" in (
        run.stdout
    )
    assert f"E-mails écrits dans {mail_dir}, rien n'est envoyé" in run.stderr
    data = cli.json("code", "resend", "LEF001").data
    assert data["error"]["code"] == "resend_too_soon"


def test_a_bounce_lifts_the_cooldown_but_not_the_hourly_cap(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_CODE_MAX_PER_HOUR", "3")
    typos = ["marie.lefevre@exemple.com", "marie.lefevr@example.com", "marie.lefeve@example.com"]
    for typo in typos:
        smtp_server.handler.refuse[typo] = "550 5.1.1 User unknown"
    create_account(cli)
    with freeze_time(now(), real_asyncio=True):
        assert start_update(cli, "LEF001", typos[0]).exit_code == 0  # bounced
        # corrected at once: no 60 s wait after a permanent failure
        fixed = start_update(cli, "LEF001", typos[1])
        assert fixed.exit_code == 0, fixed.output
        assert start_update(cli, "LEF001", typos[2]).exit_code == 0  # bounced too
        # the hourly cap still counts every code
        capped = cli.json("update", "start", "LEF001", "--email", ADDRESS, "--confirm-email",
                          ADDRESS, "--password-stdin", input="Initial-Aa11\n")  # fmt: skip
        assert capped.exit_code == 1
        assert capped.data["error"]["code"] == "resend_limit"


def test_a_mere_change_of_address_keeps_the_cooldown(cli: Cli, smtp_server: MailServer) -> None:
    create_account(cli)
    with freeze_time(now(), real_asyncio=True):
        assert start_update(cli, "LEF001", "premiere@example.com").exit_code == 0  # delivered
        again = cli.json("update", "start", "LEF001", "--email", ADDRESS, "--confirm-email",
                         ADDRESS, "--password-stdin", input="Initial-Aa11\n")  # fmt: skip
        assert again.exit_code == 1
        assert again.data["error"]["code"] == "resend_too_soon"


def test_mail_send_tells_what_waits_and_retry_sends_now(cli: Cli, smtp_server: MailServer) -> None:
    create_account(cli)
    start = now()
    with freeze_time(start, real_asyncio=True) as frozen:
        server_down(smtp_server)
        assert start_update(cli, "LEF001", ADDRESS).exit_code == 0  # retrying, in 1 min
        server_up(smtp_server)
        frozen.tick(timedelta(seconds=10))
        run = cli("mail", "send")
        assert run.exit_code == 0, run.output
        assert "Envoyés : 0" in run.stdout
        assert "1 message en attente, prochain essai à partir du" in run.stdout
        data = cli.json("mail", "send").data
        assert data["waiting"] == 1
        assert data["next_attempt_at"] is not None
        assert smtp_server.received == []

        (queued,) = cli.json("mail", "list").data
        refused = cli.json("mail", "retry", "999999")
        assert (refused.exit_code, refused.data["error"]["code"]) == (1, "not_retryable")
        assert cli("mail", "retry").exit_code == 2  # neither numbers nor --all
        retried = cli.json("mail", "retry", str(queued["id"]))
        assert retried.exit_code == 0, retried.output
        assert (retried.data["sent"], retried.data["waiting"]) == (1, 0)
        assert len(smtp_server.received) == 1
        again = cli.json("mail", "retry", str(queued["id"]))
        assert "déjà envoyé" in again.data["error"]["message"]


def test_mails_name_the_syndic(
    cli: Cli, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_SYNDIC_NAME", "Cabinet Lefort & Associés")
    monkeypatch.setenv("COPROCTL_SYNDIC_PHONE", "04 91 00 00 00")
    monkeypatch.setenv("COPROCTL_SYNDIC_URL", "https://espace.lefort.example.com")
    create_account(cli)
    with freeze_time(now(), real_asyncio=True) as frozen:
        assert start_update(cli, "LEF001", ADDRESS).exit_code == 0
        frozen.tick(timedelta(seconds=61))
        assert cli("code", "resend", "LEF001").exit_code == 0
    first, second = (mail_text(m) for m in smtp_server.to(ADDRESS))
    for text in (first, second):
        assert "Cabinet Lefort & Associés" in text
        assert "Tél. 04 91 00 00 00 — Espace client : https://espace.lefort.example.com" in text
        assert "\n\n\n" not in text  # an empty value leaves no hole
    assert "remplace celui du message précédent" not in first
    assert "Ce code remplace celui du message précédent, qui ne fonctionne plus." in second
    # the code, grouped for reading
    assert smtp_server.code_for(ADDRESS)[:4] + " " in second

    code = smtp_server.code_for(ADDRESS)
    assert cli("code", "verify", "LEF001", code).exit_code == 0
    new = "Brume-Tilleul-Quartz7"
    assert cli("password", "set", "LEF001", "--password-stdin",
               input=f"{new}\n{new}\n").exit_code == 0  # fmt: skip
    activated = smtp_server.to(ADDRESS)[-1]
    assert activated["X-Coproctl-Kind"] == "account_activated"
    text = mail_text(activated)
    assert "Les Tilleuls (identifiant LEF001)" in text
    assert f"maintenant actif avec cette adresse e-mail, {ADDRESS}" in text
    assert (
        "appelez sans attendre votre service de syndic, Cabinet Lefort & Associés, au "
        "04 91 00 00 00" in " ".join(text.split())
    )


def test_without_syndic_settings_the_mail_stays_neutral_and_init_warns(
    cli: Cli, smtp_server: MailServer
) -> None:
    create_account(cli)
    activate(cli, "LEF001", ADDRESS)
    text = mail_text(smtp_server.to(ADDRESS)[-1])
    assert "appelez sans attendre votre service de syndic :" in " ".join(text.split())
    assert "Votre service de syndic\n" in text
    init = cli("init")
    assert "SYNDIC_NAME, SYNDIC_PHONE, SYNDIC_URL non renseignés" in init.stderr
    assert f"127.0.0.1, port {smtp_server.port}" in init.stdout
    assert "Syndic Lefort & Associés <ne-pas-repondre@syndic-lefort.fr>" in init.stdout
