"""Issue 9 items 18 and 19 at ``account create`` and ``account reset``, on both engines:
single-line text fields (the import's rule, :func:`coproctl.inputs.clean_text`), and the
initial-password rule (:func:`coproctl.inputs.check_initial_password`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from freezegun import freeze_time

from coproctl import inputs
from coproctl.clock import paris_iso
from tests.inputs.conftest import Cli

PW = "Initial-Aa11\n"


def create(cli: Cli, *extra: str, identifiant: str = "SOL001", stdin: str | None = PW) -> Any:
    args = ["account", "create", identifiant, "--owner-ref", "C0001", "--last-name"]
    if "--last-name" not in extra:
        args.append("Soleil")
    else:
        args.pop()
    return cli.json(
        *args, *extra, *(["--password-stdin"] if stdin is not None else []), input=stdin
    )


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--last-name", "Soleil\r\nBcc: intrus@example.com", "last_name"),
        ("--first-name", "Marie\nRéf. : voir pièce jointe", "first_name"),
        ("--civility", "Mme\rM.", "civility"),
        ("--civility", "M\x1b[2J", "civility"),
        ("--copropriete", "Les Tilleuls\u2028Bâtiment B", "copropriete"),
        ("--lot", "B-117\x00", "lot"),
        ("--lot", "B-117\u200b", "lot"),
        ("--owner-ref", "C00\t01", "owner_ref"),
        ("--first-name", "M" * 201, "first_name"),
        ("--civility", "Madame la présidente du conseil syndical", "civility"),
    ],
)
def test_text_fields_are_single_lines_within_their_length(
    cli: Cli, option: str, value: str, field: str
) -> None:
    run = create(cli, option, value)
    assert run.exit_code == 2, run.output
    assert run.data["error"]["code"] == "bad_text"
    assert run.data["error"]["details"] == {"field": field}
    assert inputs.TEXT_LABELS[field] in run.data["error"]["message"]
    assert cli.json("account", "show", "SOL001").data["error"]["code"] == "not_found"
    assert cli.json("owner", "show", "C0001").exit_code == 1


def test_clean_text_fields_are_stored_tidy(cli: Cli) -> None:
    run = create(
        cli,
        "--first-name",
        "  Marie-Ange ",
        "--civility",
        "Mme",
        "--copropriete",
        "Le Clos Saint-E\u0301loi",  # decomposed: stored composed (NFC)
        "--lot",
        " B-117 ",
        "--lot",
        "  ",
    )
    assert run.exit_code == 0, run.output
    shown = cli.json("account", "show", "SOL001").data
    assert shown["first_name"] == "Marie-Ange"
    assert shown["copropriete"] == "Le Clos Saint-Éloi"
    assert shown["lots"] == ["B-117"]


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("abc", ["moins de 8 caractères"]),
        ("password", ["mot de passe très répandu"]),
        ("azertyuiop", ["mot de passe très répandu"]),
        ("xSOL001x!", ["contient l'identifiant ou le nom du propriétaire"]),
        ("Marie-1965", ["contient l'identifiant ou le nom du propriétaire"]),
        ("MARIÉ-E-1965", ["contient l'identifiant ou le nom du propriétaire"]),  # accents folded
        (
            "soleil",  # every reason at once
            [
                "moins de 8 caractères",
                "mot de passe très répandu",
                "contient l'identifiant ou le nom du propriétaire",
            ],
        ),
        (" Kx7pQ2mZw", ["espace au début ou à la fin"]),
    ],
)
def test_weak_initial_passwords_are_refused_with_every_reason(
    cli: Cli, password: str, reasons: list[str]
) -> None:
    run = create(cli, "--first-name", "Marie", stdin=password + "\n")
    assert run.exit_code == 2, run.output
    error = run.data["error"]
    assert error["code"] == "bad_initial_password"
    assert error["message"] == "Mot de passe initial refusé : " + " ; ".join(reasons) + "."
    assert password.strip() not in error["message"]
    assert cli.json("account", "show", "SOL001").exit_code == 1


def test_letters_already_printed_keep_working(cli: Cli) -> None:
    """The letters sent so far hold 8-character random passwords: still accepted."""
    assert create(cli, stdin="Kx7pQ2mZ\n").exit_code == 0
    assert cli.json("login", "SOL001", "--password-stdin", input="Kx7pQ2mZ\n").exit_code == 0


def test_a_refused_password_is_not_asked_twice(cli: Cli) -> None:
    """At the prompt, the rule is checked before the confirmation is asked."""
    run = cli(
        "account", "create", "SOL001", "--owner-ref", "C1", "--last-name", "Soleil", input="abc\n"
    )
    assert run.exit_code == 2
    assert "Confirmez" not in run.output
    assert "moins de 8 caractères" in run.stderr


def test_generated_passwords_are_long_and_pass_the_rule(cli: Cli) -> None:
    for number in range(5):
        run = create(cli, "--generate-password", identifiant=f"SOL00{number}", stdin=None)
        assert run.exit_code == 0, run.output
        generated = run.data["initial_password"]
        assert len(generated) >= 12
        inputs.check_initial_password(generated, identifiant=f"SOL00{number}", names=["Soleil"])
    reset = cli.json("account", "reset", "SOL001", "--yes")
    assert reset.exit_code == 0, reset.output
    assert len(reset.data["initial_password"]) >= 12


def test_password_changed_at_is_set_whenever_an_initial_password_is(cli: Cli) -> None:
    created_at = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    with freeze_time(created_at):
        assert create(cli).exit_code == 0
    shown = cli.json("account", "show", "SOL001").data
    assert shown["password_changed_at"] == paris_iso(created_at)

    reset_at = datetime(2027, 2, 1, 16, 0, tzinfo=UTC)
    with freeze_time(reset_at):
        reset = cli.json("account", "reset", "SOL001", "--yes")
        assert reset.exit_code == 0, reset.output
    shown = cli.json("account", "show", "SOL001").data
    assert shown["password_changed_at"] == paris_iso(reset_at)
