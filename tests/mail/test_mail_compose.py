"""The message bytes: the direct writer gives what the ``email`` package gives, once parsed."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coproctl.config import Settings
from coproctl.mail.compose import compose

PIECES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
    max_size=30,
) | st.sampled_from(["\n", "\n\n", "=", ".", " ", "\t", "=_", "--", "é", "€", "    ", "x" * 90])
TEXT = st.lists(PIECES, max_size=25).map("".join)


@dataclass
class Row:
    id: int
    kind: str
    to_addr: str
    subject: str
    body_text: str
    body_html: str | None
    secret: str | None
    message_id: str | None


def parsed(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def body(message: EmailMessage, kind: str) -> str | None:
    part = message.get_body(preferencelist=(kind,))
    if part is None:
        return None
    return part.get_content().replace("\r\n", "\n")


@settings(max_examples=150, deadline=None)
@given(
    subject=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=150
    ),
    text=TEXT,
    html=st.none() | TEXT,
    sender=st.sampled_from(
        [
            "Espace copropriétaires <ne-pas-repondre@localhost>",
            '"Cabinet Dupont, gestion" <ne-pas-repondre@dupont.fr>',
            "ne-pas-repondre@dupont.fr",
        ]
    ),
)
def test_direct_bytes_parse_like_the_email_package(
    subject: str, text: str, html: str | None, sender: str
) -> None:
    config = Settings(mail_from=sender, mail_reply_to="Syndic <contact@syndic.fr>")
    row = Row(7, "update_code", "marie@example.com", subject, text + "\n[[CODE]]\n", html,
              "01234567", "<1.2.3@dupont.fr>")  # fmt: skip
    direct = compose(row, config, code="01234567")
    reference = compose(row, config, code="01234567", direct=False)
    assert direct.data.isascii()
    assert b"\r\n" in direct.data
    assert b"\n" not in direct.data.replace(b"\r\n", b"")  # CRLF only, as SMTP wants
    assert all(len(line) <= 998 for line in direct.data.split(b"\r\n"))
    ours, theirs = parsed(direct.data), parsed(reference.data)
    for name in ("From", "To", "Reply-To", "Subject", "Message-ID", "Auto-Submitted"):
        assert ours[name] == theirs[name], name
    # on one line, blanks single spaces; the no-break spaces of French typography stay
    assert ours["Subject"] == re.sub(r"[^\S\u00a0]+", " ", subject).strip()
    expected_text = (text + "\n0123 4567\n").replace("\r\n", "\n")  # grouped for reading
    assert body(ours, "plain") == body(theirs, "plain") == expected_text
    assert body(ours, "html") == body(theirs, "html")
    if not html:
        assert ours.get_content_type() == "text/plain"
    else:
        assert ours.get_content_type() == "multipart/alternative"
        assert body(ours, "html") is not None


def test_the_subject_keeps_its_no_break_spaces() -> None:
    """« Votre code de vérification : ... » keeps the U+00A0 before its colon, both ways."""
    subject = "Votre code de vérification\u00a0: nouveau \n mot de passe"
    row = Row(9, "reset_code", "marie@example.com", subject, "Texte\n", None, None, None)
    for direct in (True, False):
        message = parsed(compose(row, Settings(), direct=direct).data)
        assert message["Subject"] == "Votre code de vérification\u00a0: nouveau mot de passe"


def test_an_address_with_a_comma_goes_through_the_email_package() -> None:
    row = Row(8, "password_changed", '"a,b"@exemple.fr', "Sujet", "Texte\n", None, None, None)
    message = parsed(compose(row, Settings()).data)
    assert message["To"].addresses[0].addr_spec == '"a,b"@exemple.fr'
    assert message["Message-ID"].endswith("@localhost>")


def test_an_address_no_relay_could_carry_is_a_value_error() -> None:
    row = Row(9, "password_changed", "élodie@exemple.fr", "Sujet", "Texte\n", None, None, None)
    with pytest.raises(ValueError, match="non-ASCII"):
        compose(row, Settings())
