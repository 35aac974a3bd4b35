"""French typography stays done (issue 11 item 12): every French string literal of the swept
modules has a no-break space (U+00A0) before ``: ; ? !`` and inside « guillemets », and a
number of minutes (seconds, hours, days, tries) written into a message agrees with it
(``typography.count``: "1 minute", "2 minutes").

The scan reads the source (``ast``): implicitly joined literals are seen whole, f-strings
piece by piece; docstrings are scanned when they are French (a command's docstring is its
``--help``), not when they are the developers' English.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from coproctl.cli.french import english_words

ROOT = Path(__file__).resolve().parents[2] / "coproctl"
# the modules swept; MAIL's and WEB's files join once those groups have finished
SWEPT = [
    "services/procedures/*.py",
    "services/owners/*.py",
    "services/importing/*.py",
    "services/audit.py",
    "services/common.py",
    "importers/*.py",
    "security/**/*.py",
    "inputs.py",
    "errors.py",
    "db.py",
    "config.py",
    "backoffice.py",
    "addresses.py",
    "typography.py",
    "cli/*.py",
]
NOT_YET = {
    "cli/mail.py",  # MAIL
    "cli/render.py",  # MAIL
    "cli/setup.py",  # MAIL
    "cli/config.py",  # MAIL
    "cli/serve.py",  # WEB
}
# a plain space or tab before French high punctuation ending a word group
PLAIN_BEFORE_PUNCTUATION = re.compile(r"[ \t][:;?!](?=\s|$|»|\))")
PLAIN_IN_GUILLEMETS = re.compile(r"«[ \t]|[ \t]»")
# words whose number must agree: written after a formatted number, they need count()
AGREEING = re.compile(r"^[ \u00a0](minutes?|secondes?|heures?|jours?|essais?)\b")
ONE_PLURAL = re.compile(r"(?<![\d,.])1[ \u00a0](minutes|secondes|heures|jours|essais)\b")


def swept_files() -> list[Path]:
    files = {path for pattern in SWEPT for path in ROOT.glob(pattern)}
    return sorted(p for p in files if str(p.relative_to(ROOT)) not in NOT_YET)


def _english_docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes written in English (the developers')."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = node.body[0] if node.body else None
            if (
                isinstance(doc, ast.Expr)
                and isinstance(doc.value, ast.Constant)
                and isinstance(doc.value.value, str)
                and len(english_words(doc.value.value)) > 1
            ):
                found.add(id(doc.value))
    return found


def faults(source: str) -> list[tuple[int, str, str]]:
    """(line, rule, text) for each typographic fault in the source's French literals."""
    tree = ast.parse(source)
    english = _english_docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in english
        ):
            text = node.value
            for rule, pattern in (
                ("plain space before : ; ? !", PLAIN_BEFORE_PUNCTUATION),
                ("plain space inside « »", PLAIN_IN_GUILLEMETS),
                ("1 with a plural", ONE_PLURAL),
            ):
                for match in pattern.finditer(text):
                    around = text[max(0, match.start() - 30) : match.end() + 10]
                    found.append((node.lineno, rule, around))
        if isinstance(node, ast.JoinedStr):
            for value, following in zip(node.values, node.values[1:], strict=False):
                if (
                    isinstance(value, ast.FormattedValue)
                    and isinstance(following, ast.Constant)
                    and AGREEING.match(str(following.value))
                ):
                    found.append((node.lineno, "number without count()", str(following.value)))
    return found


def test_the_scan_sees_each_fault() -> None:
    """The rule is not blind: each kind of fault in a literal is found, its fix is not."""
    nb = "\u00a0"
    bad = [
        '"Compte verrouillé : réessayez"',
        '"Étape suivante ; ensuite"',
        '"Vouliez-vous dire x ?"',
        '"mal placés ?)"',
        '"Identifiant « X »"',
        '"Il est valable 1 minutes."',
        'f"Il est valable {minutes} minutes."',
        '("Code incorrect "\n ": il reste")',  # joined literals are seen whole
    ]
    for literal in bad:
        assert faults(f"x = {literal}\n"), literal
    good = [
        f'"Compte verrouillé{nb}: réessayez{nb}; ensuite{nb}? oui{nb}!"',
        f'"Identifiant «{nb}X{nb}» 10:30 https://x.example clé=valeur"',
        "f\"Il est valable {count(minutes, 'minute')}.\"",
        f'"Il est valable 1{nb}minute, 2{nb}minutes."',
    ]
    for literal in good:
        assert faults(f"x = {literal}\n") == [], literal
    english = 'def f():\n    """Return ``label : value`` lines of the table."""\n'
    assert faults(english) == []
    french_help = 'def f():\n    """Importer le fichier : créer les comptes."""\n'
    assert faults(french_help) != []


def test_the_swept_modules_are_all_there() -> None:
    names = {str(path.relative_to(ROOT)) for path in swept_files()}
    assert {"cli/accounts.py", "services/procedures/codes.py", "importers/columns.py"} <= names
    assert not names & NOT_YET
    assert len(names) > 60


@pytest.mark.parametrize("path", swept_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_french_literals_follow_the_typography(path: Path) -> None:
    assert faults(path.read_text(encoding="utf-8")) == []
