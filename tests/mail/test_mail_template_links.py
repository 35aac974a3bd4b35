"""Issue 9 item 14: ``MAIL_TEMPLATES_DIR`` reads plain files of the folder, never a link.

``signature.txt`` -> ``secret.key`` put the instance key in ``mail preview`` and in every
mail: a symbolic link, a hard link or anything that is not a regular file is refused, with
the file named, and nothing of its target is shown or sent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.mail.conftest import MailServer, create_account, start_update

KEY_TEXT = "cle-secrete-de-l-instance-0123456789abcdef"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    templates = tmp_path / "modeles"
    templates.mkdir()
    monkeypatch.setenv("COPROCTL_MAIL_TEMPLATES_DIR", str(templates))
    return templates


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.key"
    path.write_text(KEY_TEXT)
    return path


@pytest.mark.parametrize("link", ["symbolic", "hard"])
def test_a_linked_template_is_refused(
    cli: Cli, smtp_server: MailServer, folder: Path, key_file: Path, link: str
) -> None:
    target = folder / "signature.txt"
    if link == "symbolic":
        target.symlink_to(key_file)
    else:
        os.link(key_file, target)
    preview = cli("mail", "preview", "update_code")
    assert preview.exit_code == 2
    assert KEY_TEXT not in preview.output
    assert f"Modèle de message {target} refusé" in preview.stderr
    assert ("lien symbolique" if link == "symbolic" else "lien physique") in preview.stderr

    create_account(cli)
    run = start_update(cli, "LEF001", "marie@example.com")
    assert run.exit_code == 2
    assert KEY_TEXT not in run.output
    assert smtp_server.received == []
    assert cli.json("mail", "list").data == []  # nothing queued: the step did not happen


def test_a_link_to_a_usable_template_outside_is_refused_too(
    cli: Cli, folder: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "ailleurs.txt"  # a valid template, with something private in it
    outside.write_text(f"Subject: Votre code\n\n    $code\n\n{KEY_TEXT}\n\n$signature\n")
    (folder / "update_code.txt").symlink_to(Path("..") / outside.name)  # relative, outside
    run = cli("mail", "preview", "update_code")
    assert run.exit_code == 2
    assert KEY_TEXT not in run.output
    assert "lien symbolique" in run.stderr


def test_plain_files_of_the_folder_are_used(cli: Cli, folder: Path) -> None:
    (folder / "signature.txt").write_text("Cabinet Lefort — 04 91 00 00 00\n")
    run = cli("mail", "preview", "update_code")
    assert run.exit_code == 0, run.output
    assert "Cabinet Lefort — 04 91 00 00 00" in run.stdout
