"""Turning an export's bytes into text: UTF-8 (with or without BOM), Windows-1252, UTF-16.

French Excel writes "CSV (séparateur : point-virgule)" in Windows-1252, "CSV UTF-8" with a
BOM, and "Texte Unicode" in UTF-16 with a BOM. Valid UTF-8 is taken as UTF-8 (text in
Windows-1252 with accents is practically never valid UTF-8); anything else is tried as
Windows-1252. Bytes that fit neither are refused rather than turned into mojibake.
"""

from __future__ import annotations

import codecs

from coproctl.importers.errors import ReadError
from coproctl.importers.result import BY_BOM, DETECTED, GIVEN, Decoding

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
UTF16 = "utf-16"
WINDOWS_1252 = "windows-1252"

_BOMS = ((codecs.BOM_UTF8, UTF8_BOM), (codecs.BOM_UTF16_LE, UTF16), (codecs.BOM_UTF16_BE, UTF16))


def decode(data: bytes, encoding: str | None = None) -> tuple[str, Decoding]:
    """(text, how it was decoded). ``encoding`` forces one (``--encoding``)."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ReadError("bad_encoding", f"Encodage inconnu : « {encoding} ».") from None
        return _strict(data, encoding, forced=True), Decoding(encoding, GIVEN, encoding)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _strict(data, name, forced=False), Decoding(name, BY_BOM, name)
    if b"\x00" in data:
        raise ReadError(
            "unreadable_file",
            "Le fichier contient des octets nuls : ce n'est pas un export CSV, ou il est en "
            "UTF-16 sans marque d'ordre (précisez --encoding utf-16-le).",
        )
    try:
        return data.decode(UTF8), Decoding(UTF8, DETECTED, UTF8)
    except UnicodeDecodeError:
        pass
    return _strict(data, WINDOWS_1252, forced=False), Decoding(WINDOWS_1252, DETECTED, WINDOWS_1252)


def _strict(data: bytes, encoding: str, *, forced: bool) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = "" if forced else " ; précisez l'encodage du fichier avec --encoding"
        raise ReadError(
            "bad_encoding",
            f"Le fichier n'est pas lisible en {encoding} (octet invalide ligne {line}){hint}.",
        ) from None
    except (UnicodeError, LookupError, ValueError) as exc:  # a truncated UTF-16 file, "hex"...
        raise ReadError(
            "bad_encoding", f"Le fichier n'est pas lisible en {encoding} : {exc}."
        ) from None
    return text.removeprefix("\ufeff")
