"""Templates: the packaged French ones, a syndic's own folder, and what a bad file gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from coproctl.mail.civility import greeting
from coproctl.mail.templates import KINDS
from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, create_account, start_update

ADDRESS = "marie.lefevre@example.com"


@pytest.mark.parametrize(
    ("civility", "last", "first", "expected"),
    [
        ("Mme", "Lefèvre", "Marie", "Bonjour Madame Lefèvre,"),
        ("M.", "Martin", None, "Bonjour Monsieur Martin,"),
        ("MR", "Martin", None, "Bonjour Monsieur Martin,"),
        ("Mlle", "Durand", None, "Bonjour Madame Durand,"),
        ("M. et Mme", "Durand", None, "Madame, Monsieur,"),
        ("Mme et M.", "Durand", None, "Madame, Monsieur,"),
        ("SCI", "Les Pins", None, "Bonjour Les Pins,"),
        (None, "Lefèvre", "Marie", "Bonjour Marie Lefèvre,"),
        ("", "", None, "Bonjour,"),
    ],
)
def test_greeting(civility: str | None, last: str, first: str | None, expected: str) -> None:
    assert greeting(civility, last, first) == expected


def test_every_packaged_template_renders(cli: Cli) -> None:
    run = cli.json("mail", "preview")
    assert run.exit_code == 0, run.output
    previews = {p["kind"]: p for p in run.data}
    assert set(previews) == set(KINDS)
    for kind, preview in previews.items():
        assert "Bonjour Madame Lefèvre," in preview["text"], kind
        assert "Bonjour Madame Lefèvre," in preview["html"], kind
        assert "$" not in preview["text"] + preview["html"], kind
    assert "1234 5678" in previews["reset_code"]["text"]
    assert "valable que 10 minutes (jusqu'au" in previews["reset_code"]["text"]
    assert "LEF001, LEF002" in previews["password_changed"]["text"]
    human = cli("mail", "preview", "update_code")
    assert human.stdout.startswith("Subject: Votre code de vérification")


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))


def test_a_syndic_adapts_a_template(
    cli: Cli, smtp_server: MailServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "modeles"
    # written on Windows: BOM and CRLF
    write(
        folder,
        "update_code.txt",
        "\ufeffSubject: [$copropriete] Votre code, $civility $last_name\r\n\r\n"
        "$greeting\r\n\r\nVotre code :\r\n\r\n    $code\r\n\r\n"
        "Valable $minutes minutes.\r\n\r\n$signature\r\n",
    )
    write(folder, "signature.txt", "Cabinet Lefort & Fils — 04 91 00 00 00\n")
    write(
        folder,
        "account_activated.html",
        "<p>$greeting</p><p>Changement pour <b>$identifiants</b>.</p><p>$signature</p>",
    )
    monkeypatch.setenv("COPROCTL_MAIL_TEMPLATES_DIR", str(folder))
    create_account(cli)
    assert start_update(cli, "LEF001", ADDRESS).exit_code == 0

    message = smtp_server.to(ADDRESS)[-1]
    assert message["Subject"] == "[Les Tilleuls] Votre code, Madame Lefèvre"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Valable 30 minutes." in text
    assert "Cabinet Lefort & Fils" in text
    # the HTML comes from the syndic's text, not from the packaged wording
    assert "Valable 30 minutes." in html
    assert "Cabinet Lefort &amp; Fils" in html
    assert "espace client" not in html
    code = smtp_server.code_for(ADDRESS)
    assert f"{code[:4]} {code[4:]}" in html

    assert cli("code", "verify", "LEF001", code).exit_code == 0
    new = "Brume-Tilleul-Quartz7"
    run = cli("password", "set", "LEF001", "--password-stdin", input=f"{new}\n{new}\n")
    assert run.exit_code == 0, run.output
    notice = smtp_server.to(ADDRESS)[-1]
    # packaged text, the syndic's HTML fragment inside the packaged layout
    assert "La mise à jour de votre espace client est terminée" in (
        notice.get_body(("plain",)).get_content()
    )
    notice_html = notice.get_body(("html",)).get_content()
    assert "Changement pour <b>LEF001</b>." in notice_html
    assert '<html lang="fr">' in notice_html


@pytest.mark.parametrize(
    ("content", "encoding", "says"),
    [
        ("Subject: Code\n\n$greeting $code $prenom\n", "utf-8", "$prenom n'existe pas"),
        ("Subject: Code\n\nPrix : 5 $ pièce\n", "utf-8", "$$"),
        ("Votre code\n\n$code\n", "utf-8", "Subject:"),
        ("Subject: Votre code à saisir\n\n$code\n", "cp1252", "UTF-8"),
        ("Subject: Votre code\n\n$greeting, voici votre code.\n", "utf-8", "($code) manque"),
    ],
)
def test_a_broken_template_stops_the_step_cleanly(
    cli: Cli,
    smtp_server: MailServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: str,
    encoding: str,
    says: str,
) -> None:
    folder = tmp_path / "modeles"
    write(folder, "update_code.txt", content, encoding)
    monkeypatch.setenv("COPROCTL_MAIL_TEMPLATES_DIR", str(folder))
    create_account(cli)
    run = cli.json("update", "start", "LEF001", "--email", ADDRESS, "--confirm-email", ADDRESS,
                   "--password-stdin", input="Initial-Aa11\n")  # fmt: skip
    assert run.exit_code == 2
    assert run.data["error"]["code"] == "bad_template"
    assert says in run.data["error"]["message"]
    assert "update_code.txt" in run.data["error"]["message"]
    # nothing happened: no code in flight, no mail
    assert cli.json("account", "show", "LEF001").data["procedure"] is None
    assert cli.json("mail", "list").data == []
    assert smtp_server.received == []
    preview = cli.json("mail", "preview", "update_code")
    assert preview.exit_code == 2
    assert preview.data["error"]["code"] == "bad_template"


def test_a_missing_template_folder_is_named(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPROCTL_MAIL_TEMPLATES_DIR", str(tmp_path / "absent"))
    run = cli("mail", "preview")
    assert run.exit_code == 2
    assert "MAIL_TEMPLATES_DIR" in run.stderr
