"""Turning an export's bytes into text, and saying which codec did it and why.

- A byte-order mark decides: UTF-8 ("CSV UTF-8" of Excel), UTF-16 ("Texte Unicode").
- ``--encoding`` decides: any codec Python knows (``codecs.lookup``), checked on the whole
  file; a byte it cannot decode is refused with its line.
- Otherwise valid UTF-8 is UTF-8 (text in a single-byte encoding with accents is practically
  never valid UTF-8), and anything else is scored as French text in Windows-1252, Mac Roman
  and ISO-8859-15 (:mod:`encoding_detection`): the best one is named; when two read the
  file differently and score alike, staff choose (exit 2), never mojibake.

The file is checked chunk by chunk and the text handed out as a stream (:func:`text_stream`):
no second copy of a large file is held as one string.
"""

from __future__ import annotations

import codecs
import io
from typing import TextIO

from coproctl.importers import encoding_detection
from coproctl.importers.errors import ReadError
from coproctl.importers.result import BY_BOM, DETECTED, GIVEN, Decoding

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
UTF16 = "utf-16"
WINDOWS_1252 = "windows-1252"
CHUNK = 1024 * 1024

_BOMS = ((codecs.BOM_UTF8, UTF8_BOM), (codecs.BOM_UTF16_LE, UTF16), (codecs.BOM_UTF16_BE, UTF16))

# for --encoding's help and the refusal of an unknown name: the codecs French exports use
COMMON_ENCODINGS = (
    "utf-8",
    "utf-8-sig",
    "windows-1252 (cp1252)",
    "mac-roman",
    "iso-8859-15 (latin-9)",
    "iso-8859-1 (latin-1)",
    "utf-16",
    "utf-16-le",
    "cp850",
)
COMMON_TEXT = ", ".join(COMMON_ENCODINGS)


_LABELS = {codecs.lookup(codec).name: text for codec, text in encoding_detection.LABELS.items()}


def label(codec: str, how: str) -> str:
    """``Mac Roman (détecté)``: the summary's words for a decoding."""
    name = _LABELS.get(codecs.lookup(codec).name, codec)
    suffix = {BY_BOM: "marque d'ordre", DETECTED: "détecté", GIVEN: "--encoding"}[how]
    return f"{name} ({suffix})"


def choose(data: bytes, encoding: str | None = None) -> Decoding:
    """How ``data`` is to be decoded; every byte of it is checked to decode that way."""
    if encoding is not None:
        try:
            if not getattr(codecs.lookup(encoding), "_is_text_encoding", True):
                raise LookupError(encoding)  # hex, base64, zlib: bytes to bytes, not text
        except LookupError:
            raise ReadError(
                "bad_encoding",
                f"Encodage inconnu : « {encoding} ». Tout nom d'encodage de Python est accepté ; "
                f"les plus courants : {COMMON_TEXT}.",
            ) from None
        _check(data, encoding, forced=True)
        return Decoding(encoding, GIVEN, label(encoding, GIVEN))
    for bom, name in _BOMS:
        if data.startswith(bom):
            _check(data, name, forced=False)
            return Decoding(name, BY_BOM, label(name, BY_BOM))
    if b"\x00" in data:
        raise ReadError(
            "unreadable_file",
            "Le fichier contient des octets nuls : ce n'est pas un export CSV, ou il est en "
            "UTF-16 sans marque d'ordre (précisez --encoding utf-16-le).",
        )
    if data.isascii() or _valid(data, UTF8):
        return Decoding(UTF8, DETECTED, label(UTF8, DETECTED))
    guess = encoding_detection.guess(data)
    if not guess.ranked:
        _check(data, WINDOWS_1252, forced=False)  # raises: no candidate reads it
    if guess.close:
        raise Ambiguous(guess)
    _check(data, guess.codec, forced=False)  # the words were sampled: every byte now
    return Decoding(guess.codec, DETECTED, label(guess.codec, DETECTED))


class Ambiguous(ReadError):
    """Two encodings read the file differently and look alike as French: staff choose.

    The reader adds examples from the file's columns before it reaches staff (it knows
    which cells are passwords and must not be shown)."""

    def __init__(self, guess: encoding_detection.Guess, examples: str = "") -> None:
        first, second = guess.ranked[0][0], guess.ranked[1][0]
        names = encoding_detection.LABELS
        super().__init__(
            "ambiguous_encoding",
            f"Encodage incertain : le fichier se lit aussi bien en {names[first]} qu'en "
            f"{names[second]}{examples}. Précisez-le : --encoding {first} ou --encoding "
            f"{second}.",
            candidates=[first, second],
        )
        self.guess = guess


def text_stream(data: bytes, decoding: Decoding) -> TextIO:
    """The text of ``data``, read as it is parsed; line ends kept for the CSV reader."""
    codec = decoding.codec
    if codecs.lookup(codec).name == UTF8:  # a BOM after --encoding utf-8 is no cell
        codec = UTF8_BOM
    return io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="")


def decode(data: bytes, encoding: str | None = None) -> tuple[str, Decoding]:
    """The whole text at once (JSON lines, small files), and how it was decoded."""
    decoding = choose(data, encoding)
    return text_stream(data, decoding).read(), decoding


def _valid(data: bytes, codec: str) -> bool:
    try:
        _check(data, codec, forced=False)
    except ReadError:
        return False
    return True


def _check(data: bytes, codec: str, *, forced: bool) -> None:
    """Decode every byte of ``data``, chunk by chunk, keeping nothing."""
    try:
        decoder = codecs.getincrementaldecoder(codec)()
    except (LookupError, TypeError):
        raise ReadError("bad_encoding", f"« {codec} » n'est pas un encodage de texte.") from None
    view = memoryview(data)
    at = 0
    try:
        for at in range(0, len(data), CHUNK):
            decoder.decode(view[at : at + CHUNK], final=at + CHUNK >= len(data))
        if not data:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        offset = at + exc.start
        breaks = b"\n" if b"\n" in data else b"\r"  # a classic Mac file ends lines with CR
        line = data.count(breaks, 0, offset) + 1
        hint = "" if forced else " ; précisez l'encodage du fichier avec --encoding"
        raise ReadError(
            "bad_encoding",
            f"Le fichier n'est pas lisible en {codec} (octet invalide ligne {line}){hint}.",
        ) from None
    except (UnicodeError, ValueError, TypeError) as exc:  # a truncated UTF-16 file...
        raise ReadError(
            "bad_encoding", f"Le fichier n'est pas lisible en {codec} : {exc}."
        ) from None
