"""Which single-byte encoding a French export is in, when it is not UTF-8.

Windows-1252 (Excel for Windows), Mac Roman (Excel for Mac's "CSV") and ISO-8859-15
(property-management software on Unix) decode any byte string, so decoding cannot tell them
apart: the text can. Each word holding a byte above 127 is decoded with every candidate and
scored as French text: ``é``, ``è``, ``ç``, ``œ``, ``€``... are evidence for a candidate;
letters French never writes (``Ž``, ``Ÿ`` or ``ƒ`` inside a name), symbols inside a word
(``C½urdevey``), a capital after a small letter (``RŽsidence``) and control characters are
evidence against. ``MŸller`` scores low in Windows-1252 and ``Müller`` high in Mac Roman.

When the two best candidates read the words differently and score within
:data:`CLOSE_MARGIN` of each other, the choice is left to staff (``--encoding``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# (codec, French label): the order breaks ties between candidates that read alike
CANDIDATES: tuple[tuple[str, str], ...] = (
    ("windows-1252", "Windows-1252"),
    ("iso8859-15", "ISO-8859-15"),
    ("mac-roman", "Mac Roman"),
)
LABELS = dict(CANDIDATES) | {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 avec BOM",
    "utf-16": "UTF-16",
}
SLICES = 16  # stretches of the file sampled for words above 127
WINDOW = 32 * 1024  # bytes read from the start of each: a hundred rows or more
CLOSE_MARGIN = 2.0

_FRENCH = frozenset("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
# characters French text practically never holds, some of them letters (ƒ, Ž): the usual
# mojibake of one of the candidates read as another
_UNLIKELY = frozenset("ŽžŠšƒ™½¼¾¤¦¨´¸¹²³µ¶§©®±×÷¬¯‰‹›ˆ˜•¿¡†‡∂∑∏π∫Ω√≈∆◊ﬁﬂ¢¥ªıˇ˘˙˚˛˝¯¸")
# typographic signs a French export does hold
_TYPOGRAPHIC = frozenset("’‘“”«»–—…€°·\u00a0")
_MAY_TOUCH = frozenset("’‘«»°·")  # l’Église, N°, «Les
_C1 = re.compile("[\x80-\x9f]")
_SEPARATORS = b" \t\r\n;,\"'()/:|"
_TO_SPACE = bytes.maketrans(_SEPARATORS, b" " * len(_SEPARATORS))
_HIGH = re.compile(rb"[\x80-\xff]+")


@dataclass(frozen=True)
class Guess:
    """The candidates, best first, with their scores; ``close`` when the best two are near."""

    ranked: list[tuple[str, float]]
    close: bool

    @property
    def codec(self) -> str:
        return self.ranked[0][0]


def high_tokens(data: bytes) -> Counter[bytes]:
    """The words (runs between separators) that hold a byte above 127, with their counts.

    Sampled: the words in the first :data:`WINDOW` bytes of each of :data:`SLICES` stretches
    of the file, so that a file pasted together from two programs shows both, and a large
    file costs no more than a small one (a French export repeats few distinct words)."""
    tokens: Counter[bytes] = Counter()
    size = len(data)
    step = max(size // SLICES, 1)
    for start in range(0, size, step):
        window = data[start : min(start + step, start + WINDOW)]
        spaced = window.translate(_TO_SPACE)  # every separator a space: one find per side
        end = 0
        for match in _HIGH.finditer(window):
            at, after = match.span()
            if at < end:
                continue  # inside the word just taken
            end = spaced.find(b" ", after)
            if end < 0:
                end = len(window)
            tokens[window[spaced.rfind(b" ", 0, at) + 1 : end]] += 1
    return tokens


def score_word(word: str) -> float:
    """How French a decoded word looks, from its characters above 127 (ASCII scores 0)."""
    score = 0.0
    has_lower = any(c.islower() for c in word)
    for i, char in enumerate(word):
        if char.isascii():
            continue
        before = word[i - 1] if i else ""
        after = word[i + 1] if i + 1 < len(word) else ""
        category = unicodedata.category(char)
        if category in ("Cc", "Cn", "Co", "Cs"):
            score -= 10
        elif char in _UNLIKELY:
            score -= 5
        elif char.isalpha():
            # a capital inside a word written in small letters (RŽsidence, MŸller)
            if (
                char.isupper()
                and before.isalpha()
                and has_lower
                and (before.islower() or after.islower())
            ):
                score -= 5
            elif char in _FRENCH:
                score += 2
            else:
                score += 0.5  # a letter of another Latin language: a foreign name
        elif char in _TYPOGRAPHIC:
            touching = before.isalpha() or after.isalpha()
            score += -3 if touching and char not in _MAY_TOUCH else 1
        else:
            score -= 5 if before.isalpha() and after.isalpha() else 1
    return score


def guess(data: bytes) -> Guess:
    """Rank the single-byte candidates for ``data`` (which is not valid UTF-8)."""
    tokens = high_tokens(data)
    ranked: list[tuple[str, float]] = []
    readings: dict[str, tuple[str, ...]] = {}
    for codec, _label in CANDIDATES:
        try:
            words = tuple(token.decode(codec) for token in tokens)
        except UnicodeDecodeError:
            continue  # a byte this codec leaves undefined: it cannot be the file's
        if any(_C1.search(word) for word in words):
            continue  # a C1 control character: no text holds one, the codec is wrong
        # a word counts once, however many rows repeat it, up to 3 (a name in many lots)
        score = sum(score_word(w) * min(n, 3) for w, n in zip(words, tokens.values(), strict=True))
        ranked.append((codec, score))
        readings[codec] = words
    ranked.sort(key=lambda item: -item[1])  # stable: CANDIDATES order breaks ties
    close = False
    if len(ranked) > 1:
        (first, best), (second, runner_up) = ranked[0], ranked[1]
        differ = readings[first] != readings[second]
        close = differ and best - runner_up < max(CLOSE_MARGIN, abs(best) * 0.1)
    return Guess(ranked, close)


def differing_words(token: bytes, first: str, second: str) -> tuple[str, str] | None:
    """The word read with each codec when they differ (examples for staff)."""
    try:
        a, b = token.decode(first), token.decode(second)
    except UnicodeDecodeError:
        return None
    return (a, b) if a != b else None
