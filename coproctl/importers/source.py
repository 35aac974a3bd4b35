"""Getting an import file's bytes, whatever the file is, without ever reading without limit.

A path may name a regular file, a pipe, a FIFO or a device (``/dev/zero``, ``/dev/stdin``):
the size the system gives is not to be trusted, so the bytes are read in chunks and
counted. Reading stops, with a clear error, at the first sign that this is no export:

- more than :data:`MAX_FILE_BYTES` (far above any syndic's quarter: 10,000 accounts make
  about 2 MB of CSV);
- a NUL byte in a file that is not UTF-16 (binary data, ``/dev/zero``);
- a line longer than :data:`MAX_LINE_BYTES` (no row of an export is that long).

Workbooks are told apart by their first bytes (a zip for ``.xlsx``/``.ods``, an OLE2
compound file for ``.xls``), never by the name alone.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from coproctl.importers.errors import ReadError

MAX_FILE_BYTES = 128 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024
CHUNK = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _mebibytes(count: int) -> str:
    return f"{count // (1024 * 1024)} Mo"


def read_bytes(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole file, read in chunks; refused as soon as it cannot be an export."""
    try:
        with path.open("rb") as stream:
            first = stream.read(CHUNK)
            workbook = first.startswith((ZIP_MAGIC, OLE2_MAGIC))
            wide = first.startswith(_UTF16_BOMS)
            chunks = [first]
            total = len(first)
            line = _LineWatch(path, check=not workbook)
            line.feed(first, wide=wide)
            while first:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise ReadError(
                        "file_too_large",
                        f"Le fichier {path} dépasse {_mebibytes(limit)} : ce n'est pas un "
                        "export d'appel de fonds (lecture arrêtée).",
                    )
                line.feed(chunk, wide=wide)
                chunks.append(chunk)
    except FileNotFoundError:
        raise ReadError("file_not_found", f"Fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise ReadError("unreadable_file", f"{path} est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise ReadError(
            "unreadable_file", f"Lecture impossible de {path} : {exc.strerror}."
        ) from None
    return b"".join(chunks)


class _LineWatch:
    """NUL bytes and over-long lines, seen chunk by chunk while the file is read."""

    def __init__(self, path: Path, *, check: bool) -> None:
        self.path = path
        self.check = check
        self.lines = 1
        self.since_break = 0  # bytes since the last line break

    def feed(self, chunk: bytes, *, wide: bool) -> None:
        if not self.check:
            return
        if not wide and b"\x00" in chunk:
            raise ReadError(
                "unreadable_file",
                f"Le fichier {self.path} contient des octets nuls : ce n'est pas un export CSV, "
                "ou il est en UTF-16 sans marque d'ordre (précisez --encoding utf-16-le).",
            )
        last_break = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
        if last_break < 0:
            self.since_break += len(chunk)
        else:
            first_break = min(i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0)
            longest = max(self.since_break + first_break, _longest_inner(chunk))
            if longest > MAX_LINE_BYTES:
                self._too_long()
            self.lines += chunk.count(b"\n") or chunk.count(b"\r")
            self.since_break = len(chunk) - last_break - 1
        if self.since_break > MAX_LINE_BYTES:
            self._too_long()

    def _too_long(self) -> None:
        raise ReadError(
            "line_too_long",
            f"Ligne {self.lines} de {self.path} : plus de {_mebibytes(MAX_LINE_BYTES)} sans "
            "retour à la ligne : ce n'est pas un export CSV (lecture arrêtée).",
        )


def _longest_inner(chunk: bytes) -> int:
    """The longest run between two line breaks inside one chunk (rarely more than 200)."""
    if len(chunk) <= MAX_LINE_BYTES:
        return 0
    return max(len(part) for part in chunk.replace(b"\r", b"\n").split(b"\n"))


def workbook_format(data: bytes, path: Path) -> str | None:
    """``xlsx``, ``xls`` or ``ods`` when the bytes are a workbook; None for text."""
    if data.startswith(OLE2_MAGIC):
        return "xls"
    if data.startswith(ZIP_MAGIC):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in data[:200]:
            return "ods"
        return WORKBOOK_SUFFIXES.get(path.suffix.lower(), "xlsx")
    return None
