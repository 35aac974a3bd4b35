"""Choosing the codec of an export: BOM, --encoding (any Python codec), or French text scored."""

from __future__ import annotations

import pytest

from coproctl.importers.decoding import choose, decode, text_stream
from coproctl.importers.encoding_detection import guess, score_word
from coproctl.importers.errors import ReadError
from coproctl.importers.result import BY_BOM, DETECTED, GIVEN

# the words the issue saw turned to mojibake, and their French neighbours
WORDS = "Müller;Résidence;Saint-Éloi;Cœurdevey;Hélène;Noël;Garçon;Lefèvre;Zoé;L'Haÿ-les-Roses"


@pytest.mark.parametrize(
    ("codec", "name"),
    [("cp1252", "windows-1252"), ("mac-roman", "mac-roman"), ("iso8859-15", "iso8859-15")],
)
def test_each_single_byte_encoding_is_detected(codec: str, name: str) -> None:
    data = WORDS.encode(codec, errors="replace") if codec != "iso8859-15" else WORDS.encode(codec)
    decoding = choose(data)
    assert (decoding.codec, decoding.how) == (name, DETECTED)
    assert decode(data)[0] == data.decode(codec)


def test_iso_8859_15_euro_and_oe_beat_windows_1252() -> None:
    data = "Cœurdevey;Solde 1 250,00 €".encode("iso8859-15")
    assert choose(data).codec == "iso8859-15"
    assert data.decode("cp1252") == "C½urdevey;Solde 1 250,00 ¤"  # what it used to give


@pytest.mark.parametrize("mojibake", ["MŸller", "RŽsidence", "Saint-ƒloi", "C½urdevey", "RenÈ"])
def test_mojibake_scores_against(mojibake: str) -> None:
    assert score_word(mojibake) < 0


@pytest.mark.parametrize(
    "word", ["Müller", "Résidence", "Saint-Éloi", "Cœurdevey", "LEFÈVRE", "l’Église", "N°"]
)
def test_french_scores_for(word: str) -> None:
    assert score_word(word) > 0


def test_close_call_is_reported_as_close() -> None:
    result = guess(b"Ren\xe9;M\x9fller")  # one Windows word, one Mac word
    assert result.close
    assert {codec for codec, _ in result.ranked[:2]} == {"windows-1252", "mac-roman"}
    with pytest.raises(ReadError) as refused:
        choose(b"Ren\xe9;M\x9fller")
    assert (refused.value.code, refused.value.exit_code) == ("ambiguous_encoding", 2)
    assert "--encoding windows-1252 ou --encoding mac-roman" in refused.value.message


def test_two_codecs_that_read_alike_are_no_close_call() -> None:
    """é is the same byte in Windows-1252 and ISO-8859-15: nothing to choose."""
    result = guess("René Hélène".encode("cp1252"))
    assert not result.close
    assert result.codec == "windows-1252"


def test_valid_utf8_is_utf8_and_a_bom_is_named() -> None:
    assert choose(WORDS.encode()).codec == "utf-8"
    assert choose(b"Identifiant;Nom\r\n").how == DETECTED  # plain ASCII
    bom = choose(WORDS.encode("utf-8-sig"))
    assert (bom.codec, bom.how, bom.label) == (
        "utf-8-sig",
        BY_BOM,
        "UTF-8 avec BOM (marque d'ordre)",
    )
    assert choose(WORDS.encode("utf-16")).codec == "utf-16"


@pytest.mark.parametrize("codec", ["cp850", "latin_1", "ISO-8859-15", "macroman", "utf_16_le"])
def test_any_python_codec_name_is_accepted(codec: str) -> None:
    data = "Identifiant;Nom\r\nA1;Noël\r\n".encode(codec)
    decoding = choose(data, codec)
    assert (decoding.codec, decoding.how) == (codec, GIVEN)
    assert text_stream(data, decoding).read() == "Identifiant;Nom\r\nA1;Noël\r\n"


@pytest.mark.parametrize("codec", ["pas-un-encodage", "hex", "base64", "zlib"])
def test_unknown_or_non_text_codec_is_refused_listing_the_common_ones(codec: str) -> None:
    with pytest.raises(ReadError) as refused:
        choose(b"Identifiant;Nom\r\n", codec)
    assert (refused.value.code, refused.value.exit_code) == ("bad_encoding", 2)
    assert "utf-8, utf-8-sig, windows-1252 (cp1252), mac-roman" in refused.value.message


def test_a_given_codec_that_cannot_decode_names_the_line() -> None:
    data = b"Identifiant;Nom\rA1;Dupont\rA2;No\xebl\r"  # CR line ends, as on a Mac
    with pytest.raises(ReadError) as refused:
        choose(data, "utf-8")
    assert refused.value.message == (
        "Le fichier n'est pas lisible en utf-8 (octet invalide ligne 3)."
    )


def test_nul_bytes_without_bom_are_refused() -> None:
    with pytest.raises(ReadError) as refused:
        choose("Identifiant;Nom\r\n".encode("utf-16-le"))
    assert refused.value.code == "unreadable_file"
    assert "--encoding utf-16-le" in refused.value.message
