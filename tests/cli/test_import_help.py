"""The import commands' help lists what they read, kept in step with the code that reads."""

from __future__ import annotations

from coproctl.cli import imports
from tests.cli.conftest import Cli


def test_help_names_the_file_types_encodings_and_legacy_constructions(cli: Cli) -> None:
    from coproctl.importers.decoding import COMMON_TEXT
    from coproctl.security import legacy

    assert imports.COMMON_ENCODINGS == COMMON_TEXT
    assert tuple(legacy.CONSTRUCTIONS) == imports.LEGACY_SCHEMES
    for command in ("calls-for-funds", "legacy"):
        text = " ".join(cli("import", command, "--help").stdout.replace("│", " ").split())
        for shown in (".xlsx", ".xls", ".ods", "JSON lines", "Mac Roman", "ISO-8859-15"):
            assert shown in text, (command, shown)
        assert "--sheet" in text
    text = " ".join(cli("import", "legacy", "--help").stdout.replace("│", " ").split())
    for name in legacy.CONSTRUCTIONS:
        assert name in text
