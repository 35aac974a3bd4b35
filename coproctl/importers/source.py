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
import os
import stat
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
    return f"{count // (1024 * 1024)} Mo"


def read_bytes(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole file; refused as soon as it cannot be an export.

    A regular file is read in one call (one buffer: no second copy while joining chunks);
    anything else (a pipe, a FIFO, a device) chunk by chunk, checked as it comes."""
    try:
        with path.open("rb") as stream:
            if stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                data = stream.read(limit + 1)
                if len(data) > limit:
                    _too_large(path, limit)
                _LineWatch(path, data).feed(data, 0, len(data))
                return data
            first = stream.read(CHUNK)
            watch = _LineWatch(path, first)
            watch.feed(first, 0, len(first))
            chunks = [first]
            total = len(first)
            while first:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    _too_large(path, limit)
                watch.feed(chunk, 0, len(chunk))
                chunks.append(chunk)
    except FileNotFoundError:
        raise ReadError("file_not_found", f"Fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise ReadError("unreadable_file", f"{path} est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise ReadError(
            "unreadable_file", f"Lecture impossible de {path} : {exc.strerror}."
        ) from None
    return b"".join(chunks)


def _too_large(path: Path, limit: int) -> None:
    raise ReadError(
        "file_too_large",
        f"Le fichier {path} dépasse {_mebibytes(limit)} : ce n'est pas un export d'appel de "
        "fonds (lecture arrêtée).",
    )


class _LineWatch:
    """NUL bytes and over-long lines, seen chunk by chunk (or window by window)."""

    def __init__(self, path: Path, first: bytes) -> None:
        self.path = path
        self.check = not first.startswith((ZIP_MAGIC, OLE2_MAGIC))  # a workbook is binary
        self.wide = first.startswith(_UTF16_BOMS)
        self.lines = 1
        self.since_break = 0  # bytes since the last line break

    def feed(self, data: bytes, start: int, end: int) -> None:
        if not self.check:
            return
        for at in range(start, end, CHUNK):
            self._window(data, at, min(at + CHUNK, end))

    def _window(self, data: bytes, start: int, end: int) -> None:
        if not self.wide and data.find(b"\x00", start, end) >= 0:
            raise ReadError(
                "unreadable_file",
                f"Le fichier {self.path} contient des octets nuls : ce n'est pas un export CSV, "
                "ou il est en UTF-16 sans marque d'ordre (précisez --encoding utf-16-le).",
            )
        last_break = max(data.rfind(b"\n", start, end), data.rfind(b"\r", start, end))
        if last_break < 0:
            self.since_break += end - start
        else:
            breaks = [i for i in (data.find(b"\n", start, end), data.find(b"\r", start, end))]
            first_break = min(i for i in breaks if i >= 0)
            # a window is no longer than the limit: only a line across windows can exceed it
            if self.since_break + first_break - start > MAX_LINE_BYTES:
                self._too_long()
            self.lines += data.count(b"\n", start, end) or data.count(b"\r", start, end)
            self.since_break = end - last_break - 1
        if self.since_break > MAX_LINE_BYTES:
            self._too_long()

    def _too_long(self) -> None:
        raise ReadError(
            "line_too_long",
            f"Ligne {self.lines} de {self.path} : plus de {_mebibytes(MAX_LINE_BYTES)} sans "
            "retour à la ligne : ce n'est pas un export CSV (lecture arrêtée).",
        )


def workbook_format(data: bytes, path: Path) -> str | None:
    """``xlsx``, ``xls`` or ``ods`` when the bytes are a workbook; None for text."""
    if data.startswith(OLE2_MAGIC):
        return "xls"
    if data.startswith(ZIP_MAGIC):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in data[:200]:
            return "ods"
        return WORKBOOK_SUFFIXES.get(path.suffix.lower(), "xlsx")
    return None
