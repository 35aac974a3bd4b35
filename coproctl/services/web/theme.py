"""The syndic's colours on the owners' pages (``SYNDIC_COLOUR``, ``SYNDIC_ACCENT_COLOUR``).

The pages carry the syndic's identity, never the State's (the DSFR is reserved to public
services). A colour that would make text unreadable is refused when the server starts:
white text on the main colour (header, buttons) and links in the accent colour on white
must reach WCAG's 4.5:1 contrast (RGAA 4.1, criterion 3.2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coproctl.config import Settings
from coproctl.errors import BadInput
from coproctl.typography import decimal

MIN_CONTRAST = 4.5
WHITE = "#ffffff"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True)
class Theme:
    name: str
    colour: str
    accent: str
    phone: str
    url: str

    def css(self) -> str:
        return f":root {{ --syndic: {self.colour}; --accent: {self.accent}; }}\n"


def theme(settings: Settings) -> Theme:
    for setting, value in (
        ("SYNDIC_COLOUR", settings.syndic_colour),
        ("SYNDIC_ACCENT_COLOUR", settings.syndic_accent_colour),
    ):
        if not _HEX.match(value):
            raise BadInput(
                "bad_setting", f"{setting} doit être une couleur #rrggbb (reçu : « {value} »)."
            )
        ratio = contrast(value, WHITE)
        if ratio < MIN_CONTRAST:
            raise BadInput(
                "bad_setting",
                f"{setting} {value} : contraste de {decimal(ratio)}:1 avec le blanc, il faut au "
                f"moins {decimal(MIN_CONTRAST)}:1 pour que le texte reste lisible (choisissez une "
                "teinte plus foncée).",
            )
    return Theme(
        settings.syndic_name or "Votre syndic",
        settings.syndic_colour.lower(),
        settings.syndic_accent_colour.lower(),
        settings.syndic_phone,
        settings.syndic_url,
    )
