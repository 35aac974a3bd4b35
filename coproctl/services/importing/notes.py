"""What every stage of an import may say about a line: a rejection or a warning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class LineNote:
    """A rejected line, or a warning on a line: what the summary and the report show."""

    line: int
    identifiant: str | None
    reason: str  # French, for staff; never a password or a hash
    code: str | None = None  # stable, English, for scripts (warnings have one)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "identifiant": self.identifiant,
            "reason": self.reason,
            "code": self.code,
        }


class _Lines(Protocol):
    @property
    def lines(self) -> list[int]: ...
    @property
    def identifiant(self) -> str: ...


def on_account(account: _Lines, reason: str, code: str | None = None) -> list[LineNote]:
    """``reason`` on every line an account was read from."""
    return [LineNote(line, account.identifiant, reason, code) for line in account.lines]
