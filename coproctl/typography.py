"""French typography for every message staff or owners read: one rule, usable everywhere.

- a non-breaking space (U+00A0) before ``:`` ``;`` ``?`` ``!``, inside « guillemets », and
  between a number and the word it counts (``8 chiffres``, ``30 minutes``): :func:`fr`;
- agreement: ``1 minute``, ``2 minutes`` (French uses the singular below 2): :func:`count`;
- decimal comma and a spaced percent sign: ``0,2 %`` (:func:`decimal`, :func:`percent`);
- dates: "à partir du 15/12/2026", "jusqu'au 15/12/2026 à 10:30" (``clock.paris_text``
  gives the date; the words around it are the message's).

Light on purpose (no import): services, mail and the faces may all use it.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, also acceptable before ; ? !

_BEFORE_PUNCTUATION = re.compile(r"[ \t](?=[:;?!](?:\s|$|»|\)))")
_INSIDE_QUOTES = re.compile(r"«[ \t]+|[ \t]+»")
_NUMBER_WORD = re.compile(r"(?<![\w./:-])(\d+(?:,\d+)?) (?=[a-zA-Zàâçéèêëîïôûùüœ%])")


def fr(text: str) -> str:
    """``text`` with non-breaking spaces where French typography wants them.

    Only existing spaces are replaced (never added), so a message keeps its words; a colon
    glued to its word (``http://``, ``10:30``, ``clé=valeur``) is left alone.
    """
    text = _BEFORE_PUNCTUATION.sub(NBSP, text)
    text = _INSIDE_QUOTES.sub(lambda m: m.group(0).replace(" ", NBSP).replace("\t", NBSP), text)
    return _NUMBER_WORD.sub(lambda m: m.group(1) + NBSP, text)


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 minute``, ``0 compte``, ``3 comptes`` (no-break space between)."""
    word = singular if abs(number) < 2 else (plural or singular + "s")
    return f"{number}{NBSP}{word}"


def decimal(value: float, digits: int = 1) -> str:
    """``0,2`` — a decimal comma; no trailing ``,0`` for whole numbers."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def percent(share: float | None, digits: int = 1) -> str:
    """A share (0..1) as ``12,5 %``; ``—`` when there is none."""
    if share is None:
        return "—"
    return f"{decimal(share * 100, digits)}{NBSP}%"


def duration(seconds: float) -> str:
    """``1 minute``, ``1 h 30 min``, ``2 jours``: a span as staff say it."""
    seconds = round(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days and not (hours or minutes):
        return count(days, "jour")
    if days:
        return f"{count(days, 'jour')} {hours}{NBSP}h{NBSP}{minutes:02d}"
    if hours and minutes:
        return f"{hours}{NBSP}h{NBSP}{minutes:02d}"
    if hours:
        return count(hours, "heure")
    if minutes and not secs:
        return count(minutes, "minute")
    if minutes:
        return f"{minutes}{NBSP}min{NBSP}{secs:02d}{NBSP}s"
    return count(secs, "seconde")
