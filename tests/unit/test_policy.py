"""The new-password policy: seed rules, guessability (zxcvbn), current password."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coproctl.security.french_words import FRENCH_WORDS
from coproctl.security.policy import (
    PolicyFailure,
    _expand_user_inputs,
    check_new_password,
    requirements_fr,
)

ORDER = (
    "too_short",
    "too_long",
    "no_uppercase",
    "no_lowercase",
    "no_digit",
    "control_character",
    "guessable",
    "same_as_current",
)
OWNER = ("Lefèvre", "Marie")
STRONG = ("Brume-Tilleul-Quartz7", "Kx9!mPq2vLr", "Tr0ub4dor&3-Xw", "Velo.Rouge.Nuage.9")


def codes(password: str, **kwargs: Any) -> list[str]:
    return [failure.code for failure in check_new_password(password, **kwargs)]


def guessable_message(password: str, **kwargs: Any) -> str:
    failures = check_new_password(password, **kwargs)
    messages = [failure.message for failure in failures if failure.code == "guessable"]
    assert messages, f"{password!r} was not refused as guessable"
    return messages[0]


# --- seed rules -------------------------------------------------------------------------


@pytest.mark.parametrize("password", STRONG)
def test_strong_passwords_are_accepted(password: str) -> None:
    assert check_new_password(password, user_inputs=OWNER) == []


def test_every_failing_rule_is_listed_at_once() -> None:
    assert codes("abc") == ["too_short", "no_uppercase", "no_digit", "guessable"]


def test_empty_password_fails_every_rule_but_length_cap() -> None:
    assert codes("") == ["too_short", "no_uppercase", "no_lowercase", "no_digit", "guessable"]


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("brume-tilleul-quartz7", "no_uppercase"),
        ("BRUME-TILLEUL-QUARTZ7", "no_lowercase"),
        ("Brume-Tilleul-Quartz", "no_digit"),
        ("Kx9!mPq", "too_short"),
    ],
)
def test_each_seed_rule(password: str, missing: str) -> None:
    assert codes(password)[0] == missing


def test_accented_letters_count_as_upper_and_lower_case() -> None:
    assert codes("ÉTÉ-BRÛLANT-9x") == []  # É, Û upper-case; x lower-case
    assert "no_lowercase" not in codes("Éé")
    assert "no_uppercase" not in codes("Éé")
    assert "no_uppercase" in codes("éèàçùêôî1234")
    assert "no_lowercase" in codes("ÉÈÀÇÙÊÔÎ1234")


@pytest.mark.parametrize(
    "control", ["\x00", "\x1b", "\t", "\r", "\n", "\x7f", "\x85", "\u2028", "\ud800"]
)
def test_control_characters_are_refused(control: str) -> None:
    assert codes(f"Brume-Tilleul{control}Quartz7") == ["control_character"]


def test_rules_apply_to_the_form_that_is_hashed() -> None:
    """NFKC, as the hash: fullwidth "Ｐａｓｓｗｏｒｄ１" is "Password1", a common password;
    "Ｂｒｕｍｅ" keeps its strength once normalised."""
    assert codes("Ｐａｓｓｗｏｒｄ１") == ["guessable"]
    assert codes("Ｂｒｕｍｅ-Tilleul-Quartz７") == []
    assert len("ﬁﬁﬁA1b") == 6
    assert "too_short" not in codes("ﬁﬁﬁA1b")  # hashed as "fififiA1b": 9 characters


def test_length_counts_characters_not_code_points() -> None:
    decomposed = "Gre\u0301ve7"  # "Grève7" typed with a combining accent: 6 characters
    assert "too_short" in codes(decomposed)
    assert "too_short" not in codes("Gre\u0301ve7xy")


def test_length_limits_are_inclusive() -> None:
    assert "too_short" not in codes("Kx9!mPq2")
    base = "Kx9!mPq2vLr-Brume-Tilleul-"
    at_limit = (base * 6)[:128]
    assert "too_long" not in codes(at_limit)
    assert codes(at_limit + "z") == ["too_long"]


def test_over_long_password_is_not_estimated() -> None:
    # too_long alone: no guessability verdict on something that is refused anyway
    assert codes("a" * 300) == ["too_long", "no_uppercase", "no_digit"]


def test_long_password_within_limit_is_estimated_without_error() -> None:
    assert codes("A1" + "a" * 126) == ["guessable"]
    assert codes(("Kx9!mPq2vLr-" * 11)[:128]) == []  # zxcvbn: about 10^21 guesses


def test_a_weak_password_of_128_characters_is_refused() -> None:
    """Length does not buy a pass: the estimate runs whatever the length (up to 128)."""
    for weak in (("Password1" * 15)[:128], "Azerty123" + "1" * 119):
        assert len(weak) == 128
        assert codes(weak) == ["guessable"]


def test_every_character_of_a_long_password_is_estimated() -> None:
    """The estimate sees the whole password: a weak start (100 times "a", about 10^3
    guesses alone) followed by 28 random characters is a strong password."""
    strong = "a" * 100 + "Kx9!mPq2vLr-Brume-Tilleul-7"
    assert len(strong) == 127
    assert codes(strong) == []


# --- guessability -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Soleil2024",
        "Marseille13",
        "Azerty123",
        "Password1",
        "Motdepasse1",
        "Lefevre1965",
        "Lefèvre1965",
        "Printemps2024",
        "Limoges87",
        "Clémence1985",
        "Jean-Pierre1960",
        "Abcdefgh1",
        "P@ssw0rd1",
        "Qwertyuiop1",
    ],
)
def test_guessable_passwords_are_refused(password: str) -> None:
    assert codes(password, user_inputs=OWNER) == ["guessable"]


@pytest.mark.parametrize(
    "password", ["Lefevre1965", "Lefèvre1965", "LEFEVRE-marie-1965", "MarieLefevre1965"]
)
def test_owner_data_is_recognised_with_and_without_accents(password: str) -> None:
    message = guessable_message(password, user_inputs=OWNER)
    assert "données personnelles" in message
    assert "année" in message


def test_email_local_part_and_domain_are_owner_data() -> None:
    message = guessable_message("Lefevre-Orange-42", user_inputs=["marie.lefevre@orange.fr"])
    assert "données personnelles" in message


def test_copropriete_name_with_other_separators_is_owner_data() -> None:
    inputs = ["Résidence Les Tilleuls"]
    message = guessable_message("Residence-Les-Tilleuls1", user_inputs=inputs)
    assert "données personnelles" in message


def test_owner_data_makes_the_difference() -> None:
    password = "Xylander-Quimbo7"
    assert check_new_password(password) == []
    assert codes(password, user_inputs=["Quimbo Xylander"]) == ["guessable"]


def test_expand_user_inputs() -> None:
    owner = ["marie.lefevre@orange.fr", "Lefèvre", "Jean-Pierre", "Al", "Le Gall"]
    expanded = _expand_user_inputs(owner)
    for expected in ("marie", "lefevre", "orange", "lefèvre", "jean", "pierre", "jeanpierre"):
        assert expected in expanded
    for pair in ("marielefevre", "lefevremarie", "pierrelefevre"):
        assert pair in expanded
    assert expanded.index("marie") < expanded.index("marielefevre")  # own words rank first
    assert "legall" in expanded
    for short in ("fr", "al", "le"):
        assert short not in expanded
    assert len(expanded) == len(set(expanded))
    assert all(item == item.lower() for item in expanded)


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Password1", "fait partie des mots de passe les plus répandus"),
        ("Motdepasse1", "contient un mot de passe très répandu"),
        ("Soleil2024", "un mot ou un prénom courant"),
        ("Nicolas1980", "une date ou une année"),
        ("Zxcvbnm,./1", "touches voisines"),
        ("Abcdefgh1", "suite logique"),
        ("Azazazaz9", "répétitions"),
        ("P@ssw0rd1", "chiffres ou des symboles"),
        ("Drowssap1", "à l'envers"),
        ("Kx9!mPq", "trop court ou trop simple"),  # 7 random characters: 10^7 guesses
    ],
)
def test_guessable_message_says_why(password: str, fragment: str) -> None:
    message = guessable_message(password)
    assert message.startswith("Mot de passe trop facile à deviner : il ")
    assert fragment in message
    assert message.endswith(" Ajoutez des mots ou des caractères moins prévisibles.")


def test_guessable_message_combines_reasons_in_one_sentence() -> None:
    message = guessable_message("Lefevre1965", user_inputs=OWNER)
    assert message.startswith(
        "Mot de passe trop facile à deviner : il reprend vos données personnelles"
    )
    assert " et contient une date ou une année." in message


@pytest.mark.parametrize("password", ["Password1", "Azerty123", "Soleil2024", "Abcdefgh1", "abc"])
def test_no_english_feedback(password: str) -> None:
    from zxcvbn import zxcvbn

    feedback = zxcvbn(password)["feedback"]
    english = [feedback["warning"], *feedback["suggestions"]]
    for failure in check_new_password(password):
        for sentence in filter(None, english):
            assert sentence not in failure.message
        for word in ("password", "Add ", "Avoid", "common", "words"):
            assert word not in failure.message


def test_min_score_is_a_setting() -> None:
    password = "Kx9!mPq2v"  # random, 10^9 guesses: score 3
    assert check_new_password(password) == []
    assert codes(password, min_score=4) == ["guessable"]
    assert check_new_password("Soleil2024", min_score=0) == []


def test_owner_data_is_not_kept_in_zxcvbn() -> None:
    from zxcvbn.matching import RANKED_DICTIONARIES

    check_new_password("Lefevre1965", user_inputs=OWNER)
    assert "lefevre" not in RANKED_DICTIONARIES.get("user_inputs", {})


def test_french_words_are_lower_case_ascii_and_unique() -> None:
    assert len(FRENCH_WORDS) > 500
    assert len(set(FRENCH_WORDS)) == len(FRENCH_WORDS)
    for word in FRENCH_WORDS:
        assert word.isascii()
        assert word == word.lower()
        assert word.replace("-", "").isalpha()


def test_import_does_not_load_zxcvbn() -> None:
    code = (
        "import sys, coproctl.security.policy as p; "
        "assert 'zxcvbn' not in sys.modules; "
        "assert 'coproctl.security.french_words' not in sys.modules; "
        "p.requirements_fr(); assert 'zxcvbn' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- current password -------------------------------------------------------------------


def test_same_as_current_is_listed_last_even_with_other_failures() -> None:
    seen: list[str] = []

    def is_current(candidate: str) -> bool:
        seen.append(candidate)
        return True

    assert codes("abc", is_current=is_current) == [
        "too_short",
        "no_uppercase",
        "no_digit",
        "guessable",
        "same_as_current",
    ]
    assert seen == ["abc"]


def test_different_from_current_passes() -> None:
    assert check_new_password(STRONG[0], is_current=lambda candidate: False) == []


def test_current_password_check_gets_the_password_as_typed() -> None:
    typed = "Gre\u0301ve-Tilleul-Quartz7"  # combining accent: not normalised for the hash check
    seen: list[str] = []
    check_new_password(typed, is_current=lambda candidate: seen.append(candidate) or False)
    assert seen == [typed]


def test_failing_current_check_counts_as_different() -> None:
    def broken(candidate: str) -> bool:
        raise ValueError("secret too long for bcrypt")

    assert check_new_password(STRONG[0], is_current=broken) == []


def test_same_as_current_message_is_french() -> None:
    failures = check_new_password(STRONG[0], is_current=lambda candidate: True)
    assert failures == [
        PolicyFailure(
            "same_as_current",
            "Le nouveau mot de passe doit être différent de votre mot de passe actuel.",
        )
    ]


# --- help text and properties -----------------------------------------------------------


def test_requirements_fr() -> None:
    lines = requirements_fr()
    text = " ".join(lines)
    assert all(isinstance(line, str) and line for line in lines)
    for fragment in ("8 caractères", "128", "majuscule", "minuscule", "chiffre", "deviner"):
        assert fragment in text


@settings(max_examples=300, deadline=None)
@given(
    password=st.text(max_size=300),
    user_inputs=st.lists(st.text(max_size=40), max_size=4),
)
def test_never_raises_and_reports_in_stable_order(password: str, user_inputs: list[str]) -> None:
    failures = check_new_password(password, user_inputs=user_inputs)
    found = [failure.code for failure in failures]
    assert found == sorted(found, key=ORDER.index)
    assert len(found) == len(set(found))
    assert all(failure.message for failure in failures)
    length = len(unicodedata.normalize("NFKC", password))
    assert ("too_short" in found) == (length < 8)
    assert ("too_long" in found) == (length > 128)
    assert not ("too_long" in found and "guessable" in found)


def test_score_three_means_ten_to_the_eight_guesses() -> None:
    """8 random characters are priced exactly 10^8: enough for the spec's "10^8 or more"."""
    assert codes("Kx9!mPq2") == []
    assert "guessable" in codes("Kx9!mPq2", min_score=4)
