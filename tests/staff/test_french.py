"""Issue 11, items 10, 13, 14, 21: Click's and Typer's own words in French, usage errors
under --json, --json anywhere, suggestions at every level, Ctrl-C, --version, no <bool>."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from coproctl.cli.french import english_help_report, english_words, help_texts
from tests.cli.conftest import Cli
from tests.staff.conftest import Terminal, make_account

# what Click and Typer print in English when left alone
CLICK_ENGLISH = (
    "Usage:",
    "Show this message and exit",
    "Install completion",
    "Show completion",
    "[default:",
    "[required]",
    "env var:",
    "Commands",
    "Error",
    "Try '",
    "Missing option",
    "Missing argument",
    "No such command",
    "No such option",
    "Got unexpected extra",
    "Invalid value",
    "Input should be",
    "Aborted",
    "Did you mean",
    "Possible options",
    "<bool>",
    "<str>",
    "<int",
    "COMMAND [ARGS]",
)
# modules whose help is not French yet (none now: MAIL's and WEB's were swept last); every
# other module's help must be French, every word
NOT_SWEPT_YET: set[str] = set()


def _run(*args: str, **env: str) -> Any:
    from coproctl.cli.app import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "100", **env})


def _entries() -> list[Any]:
    from coproctl.cli.reference import walk

    return [entry for entry in walk() if entry.missing_module is None]


def _module_of(entry: Any) -> str:
    callback = getattr(entry.command, "callback", None)
    if len(entry.path) == 1:
        return "coproctl.cli.app"
    if callback is not None:
        return callback.__module__
    from coproctl.cli.lazy import GROUPS

    return GROUPS.get(entry.path[1], ("",))[0]


def test_every_help_is_free_of_clicks_english() -> None:
    """Every command's --help: no word of Click's or Typer's own in English."""
    checked = 0
    for entry in _entries():
        run = _run(*entry.path[1:], "--help")
        assert run.exit_code == 0, (entry.name, run.output)
        assert "Utilisation" in run.stdout, entry.name
        for phrase in CLICK_ENGLISH:
            assert phrase not in run.stdout, (entry.name, phrase)
        checked += 1
    assert checked > 30


def test_help_texts_are_french() -> None:
    """The help of every command and option (but the groups not swept yet): French."""
    checked = 0
    # command names may be named in French prose (« owner erase »), as the report allows
    names = frozenset(part.lower() for entry in _entries() for part in entry.path)
    for entry in _entries():
        if _module_of(entry) in NOT_SWEPT_YET:
            continue
        for where, text in help_texts(entry):
            assert english_words(text, ignore=names) == [], (entry.name, where, text)
            checked += 1
    assert checked > 120


def test_the_english_finder_sees_english() -> None:
    """The rule the scan applies is not blind: it finds English, and nothing in French."""
    assert english_words("Show this message and exit.") == ["Show", "this", "and", "exit"]
    assert english_words("Number of rows to delete per transaction.") != []
    assert english_words("Supprimer les vieux événements d'audit (tâche planifiée).") == []
    # options, placeholders and code are not words of the sentence
    assert english_words("Voir `account list --status` et IDENTIFIANT, --show-all.") == []


def test_the_leads_report_lists_english_help_left() -> None:
    """``python -m coproctl.cli.french`` lists English help of every group (theirs too)."""
    report = english_help_report()
    swept = {entry.name for entry in _entries() if _module_of(entry) not in NOT_SWEPT_YET}
    assert not [line for line in report if line[0] in swept], report
    for command, where, words in report:
        assert words
        assert where
        assert command.startswith("coproctl")


@pytest.mark.parametrize(
    ("args", "code", "french"),
    [
        (["acount", "list"], "unknown_command", "Commande inconnue"),
        (["account", "show"], "missing_parameter", "Argument manquant"),
        (["account", "link", "X"], "missing_parameter", "Option manquante : --owner-ref"),
        (["account", "show", "A", "B"], "extra_argument", "Argument(s) en trop : B"),
        (["account", "list", "--limit", "-1"], "bad_value", "supérieure ou égale à 0"),
        (["account", "lock", "X", "--minutes", "0"], "bad_value", "supérieure ou égale à 1"),
        (["account", "list", "--limit", "beaucoup"], "bad_value", "nombre entier"),
        (["account", "list", "--statu", "actif"], "unknown_option", "--status"),
        (["audit", "list", "--since", "2026-13-01"], "bad_value", "AAAA-MM-JJ"),
        (["stats", "--by", "ville"], "bad_value", "valeur possible"),
        (["account", "list", "--limit"], "usage", "attend une valeur"),
        (["audit"], None, "Utilisation"),
    ],
)
def test_usage_errors_in_french(args: list[str], code: str | None, french: str) -> None:
    run = _run(*args)
    assert run.exit_code == 2, run.output
    text = run.output.replace("\u00a0", " ")
    assert french in text
    for phrase in CLICK_ENGLISH:
        assert phrase not in text, phrase
    if code is None:
        return
    assert f"Erreur ({code})" in text
    if code != "usage":  # Click's parser leaves no command to name for a missing value
        assert "Aide : coproctl" in text  # the command to read, not Click's "Try ..."
    # and under --json: {"error": ...} on standard output, exit 2, whatever the place
    for placed in (["--json", *args], [*args, "--json"]):
        run = _run(*placed)
        assert run.exit_code == 2
        error = json.loads(run.stdout)["error"]
        assert error["code"] == code
        assert french in error["message"].replace("\u00a0", " ")


@pytest.mark.parametrize("group", ["audit", "account", "import", "owner", "codes"])
def test_a_group_named_alone_under_json_is_a_usage_error(group: str) -> None:
    for placed in (["--json", group], [group, "--json"]):
        run = _run(*placed)
        assert run.exit_code == 2, run.output
        assert json.loads(run.stdout) == {
            "error": {
                "code": "usage",
                "message": "Commande manquante.",
                "hint": f"Aide\u00a0: coproctl {group} --help",
            }
        }
    run = _run(group)  # without --json: the group's help, as before
    assert run.exit_code == 2
    assert "Utilisation" in run.output


def _help_paragraphs(output: str) -> list[list[str]]:
    """The lines of each paragraph of a help's description (before the first panel)."""
    description = output.split("╭", 1)[0].splitlines()[2:]  # under the usage line
    paragraphs: list[list[str]] = [[]]
    for line in description:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def test_help_paragraphs_fill_the_width() -> None:
    """Every help's paragraphs are wrapped at the terminal's width, not at the docstring's
    line breaks: a line ends only where the next word would not fit (80 and 120 columns)."""
    ragged = []
    for width in (80, 120):
        for entry in _entries():
            output = _run(*entry.path[1:], "--help", COLUMNS=str(width)).stdout
            for paragraph in _help_paragraphs(output):
                for line, following in itertools.pairwise(paragraph):
                    # one space of margin each side, one between the words
                    if len(line) + 1 + len(following.split()[0]) <= width - 2:
                        ragged.append((width, entry.name, line))
    assert ragged == []
    # the docstrings do break their paragraphs (the test is not vacuous)
    erase = next(e for e in _entries() if e.path == ("coproctl", "owner", "erase"))
    assert "\n" in erase.command.help.split("\n\n")[1]


def test_json_anywhere_on_the_line(cli: Cli) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre")
    for args in (
        ["--json", "account", "show", "LEF001"],
        ["account", "--json", "show", "LEF001"],
        ["account", "show", "LEF001", "--json"],
    ):
        run = cli(*args)
        assert run.exit_code == 0, run.output
        assert json.loads(run.stdout)["identifiant"] == "LEF001"
    # a refusal too
    run = cli("account", "show", "NOPE", "--json")
    assert run.exit_code == 1
    assert json.loads(run.stdout)["error"]["code"] == "not_found"
    # after --, a --json is an argument, not the option
    run = cli("account", "show", "--", "--json")
    assert run.exit_code == 1
    assert "Aucun compte" in run.stderr


@pytest.mark.parametrize(
    ("args", "first", "also"),
    [
        (["acount", "list"], "coproctl account", None),
        (["code", "purge"], "coproctl codes purge", None),
        (["password", "reset", "X"], "coproctl account reset", "coproctl password set"),
        (["account", "shwo", "X"], "coproctl account show", None),
        (["purge"], "coproctl codes purge", "coproctl audit purge"),
        (["codes", "list"], "coproctl account list", "coproctl audit list"),
    ],
)
def test_suggestions_at_every_level_and_across_groups(
    args: list[str], first: str, also: str | None
) -> None:
    run = _run(*args)
    assert run.exit_code == 2
    assert "Vouliez-vous dire" in run.stderr
    suggested = run.stderr.split("Vouliez-vous dire", 1)[1]
    assert f"« {first} »" in suggested
    if args[:2] == ["code", "purge"]:
        assert suggested.index("codes purge") < suggested.index("audit purge")
    if also:
        assert f"« {also} »" in suggested


def test_version_and_no_bool() -> None:
    from coproctl import __version__

    run = _run("--version")
    assert run.exit_code == 0
    assert run.stdout.strip() == f"coproctl {__version__}"
    for args in (["--help"], ["account", "list", "--help"], ["owner", "erase", "--help"]):
        help_text = _run(*args).stdout
        assert "<bool>" not in help_text
        assert "<oui/non>" not in help_text


def test_completion_of_statuses_and_identifiants(cli: Cli) -> None:
    from coproctl.cli.app import app

    make_account(cli, "LEF001", "C0001", "Lefèvre")
    make_account(cli, "LEF002", "C0001", "Lefèvre")
    make_account(cli, "DUR001", "C0002", "Durand")

    def complete(words: str) -> list[str]:
        run = CliRunner().invoke(
            app,
            [],
            env={
                "_COPROCTL_COMPLETE": "complete_bash",
                "COMP_WORDS": words,
                "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
            },
            prog_name="coproctl",
        )
        return run.stdout.split()

    assert complete("coproctl account show LEF") == ["LEF001", "LEF002"]
    assert complete("coproctl audit list --account DU") == ["DUR001"]
    assert complete("coproctl account unlock ZZ") == []
    statuses = complete("coproctl account list --status ")
    assert {"actif", "désactivé", "active", "pending"} <= set(statuses)
    assert complete("coproctl account list --status dés") == ["désactivé"]


def test_ctrl_c_at_a_prompt_exits_130(cli: Cli, terminal: Terminal) -> None:
    make_account(cli, "LEF001", "C0001", "Lefèvre")
    code, output = terminal.run("account", "reset", "LEF001", ctrl_c_after="confirmer")
    assert code == 130, output
    assert "Interrompu" in output
    assert "Aborted" not in output
    assert "Traceback" not in output
    # nothing was reset
    assert cli.json("account", "show", "LEF001").data["password_changed_at"] is not None
    events = cli.json("audit", "list", "--account", "LEF001").data
    assert [e["action"] for e in events] == ["account.create"]


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["mail", "retry"], r"coproctl mail retry \[OPTIONS\] \[NUMÉRO\]\.\.\."),
        (["mail", "test"], r"coproctl mail test \[OPTIONS\] \{ADRESSE\}"),
        (["mail", "preview"], r"coproctl mail preview \[OPTIONS\] \[TYPE\]"),
        (["mail", "purge"], r"--older-than\s+JOURS"),
        (["mail", "list"], r"--status\s+STATUT"),
    ],
)
def test_mail_placeholders_are_french(args: list[str], shown: str) -> None:
    """Argument and option placeholders too: no ``{address}``, ``[ids]``, ``DAYS``."""
    run = _run(*args, "--help")
    assert run.exit_code == 0, run.output
    assert re.search(shown, run.stdout.replace("\u00a0", " ")), run.stdout
    for english in (r"\{address\}", r"\[ids\]", r"\[kind\]", r"\bDAYS\b"):
        assert not re.search(english, run.stdout), english
