"""Issue 9 item 16: identifiants normalised (NFKC), look-alikes refused at creation, every
lookup by the one key (:func:`coproctl.inputs.identifiant_key`), on both engines."""

from __future__ import annotations

import unicodedata

import pytest

from coproctl import inputs
from coproctl.services import common
from tests.inputs.conftest import Cli

PW = "Initial-Aa11\n"


def _create(cli: Cli, identifiant: str, owner_ref: str = "C0001") -> object:
    return cli.json(
        "account",
        "create",
        identifiant,
        "--owner-ref",
        owner_ref,
        "--last-name",
        "Lefèvre",
        "--password-stdin",
        input=PW,
    )


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ＬＥＦ００１", "lef001"),  # fullwidth
        ("  Lef001\t", "lef001"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # case folding, not lower()
        ("ﬁ001", "fi001"),  # the ligature is two letters
    ],
)
def test_one_key_for_every_lookup(typed: str, key: str) -> None:
    assert inputs.identifiant_key(typed) == key
    assert common.identifiant_key(typed) == key  # the services' helper delegates


@pytest.mark.parametrize(
    ("identifiant", "reason"),
    [
        ("LEF\u3164001", "invisible"),  # Hangul filler: a "letter" that shows nothing
        ("LEF\u034f001", "invisible"),  # combining grapheme joiner
        ("LEF\u200b001", "invisible"),  # zero-width space
        ("Lq\u0301f001", "invisible"),  # a combining accent NFKC cannot compose (q + U+0301)
        ("LEF\x07001", "contrôle"),
        ("LЕF001", "alphabets"),  # a Cyrillic Е among Latin letters
        ("ΑΒΓ001x", "alphabets"),  # Greek and Latin
        ("LEF 001", "espace"),
        ("LEF;001", "non admis"),
        ("İ" * 64, "trop long"),  # 64 characters, 128 once case-folded
        ("W" * 65, "trop long"),
        ("   ", "vide"),
    ],
)
def test_refused_identifiants_say_why(identifiant: str, reason: str) -> None:
    with pytest.raises(inputs.InvalidInput) as caught:
        inputs.clean_identifiant(identifiant)
    assert caught.value.code == "bad_identifiant"
    assert caught.value.exit_code == 2
    assert caught.value.field == "identifiant"
    assert reason in caught.value.message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＬＥＦ００１", "LEF001"),
        (" Lef-001.b ", "Lef-001.b"),
        ("Éloïse01", "Éloïse01"),
        ("Е" + "ЛЕНА01", "ЕЛЕНА01"),  # one script, even if not Latin
        ("e\u0301l001", "él001"),  # NFKC composes it: one letter
        ("İ" * 32, "İ" * 32),  # 64 once case-folded: fits
    ],
)
def test_accepted_identifiants_are_stored_in_nfkc(typed: str, stored: str) -> None:
    assert inputs.clean_identifiant(typed) == stored
    assert unicodedata.is_normalized("NFKC", stored)


def test_lookups_refuse_what_no_account_can_hold() -> None:
    for impossible in ("İ" * 64, "x" * 65, "LEF\x00001", "LEF\udcff"):
        with pytest.raises(inputs.InvalidInput):
            inputs.lookup_key(impossible)
    # anything else is looked up as typed (an account created before the rules is found)
    assert inputs.lookup_key("LEF 001") == "lef 001"


def test_look_alikes_make_no_second_account(cli: Cli) -> None:
    assert _create(cli, "LEF001").exit_code == 0
    twin = _create(cli, "ＬＥＦ００１", owner_ref="C0002")
    assert twin.exit_code == 1
    assert twin.data["error"]["code"] == "already_exists"
    for look_alike in ("LEF\u3164001", "LEF\u034f001", "LЕF001", "L\u200bEF001"):
        run = _create(cli, look_alike, owner_ref="C0003")
        assert run.exit_code == 2, look_alike
        assert run.data["error"]["code"] == "bad_identifiant"
        assert run.data["error"]["details"] == {"field": "identifiant"}
    # the fullwidth form, spaces and case find the one account everywhere
    shown = cli.json("account", "show", " ｌｅｆ００１ ")
    assert shown.exit_code == 0
    assert shown.data["identifiant"] == "LEF001"
    assert cli.json("login", "ＬＥＦ００１", "--password-stdin", input=PW).exit_code == 0
    assert len(cli.json("account", "list").data) == 1


def test_a_new_identifiant_is_stored_in_nfkc(cli: Cli) -> None:
    run = _create(cli, "ＭＡＲ００２")
    assert run.exit_code == 0
    assert run.data["identifiant"] == "MAR002"


def test_identifiants_that_cannot_exist_are_refused_alike_on_lookup(cli: Cli) -> None:
    assert _create(cli, "LEF001").exit_code == 0
    for command in (["account", "show"], ["account", "unlock"], ["login", "--password-stdin"]):
        run = cli.json(*command, "İ" * 64, input=PW)
        assert run.exit_code == 2, command
        assert run.data["error"]["code"] == "bad_identifiant"
