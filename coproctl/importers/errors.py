"""The one error the readers raise: the file cannot be read at all (exit 2)."""

from __future__ import annotations

from coproctl.errors import BadInput


class ReadError(BadInput):
    """A file that cannot be read as a whole: missing, empty, no header, a column absent..."""
