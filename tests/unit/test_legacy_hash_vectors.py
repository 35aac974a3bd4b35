"""Every published vector of tests/data/legacy: recognised, verified, wrapped when weak.

Right password: accepted, with an argon2id replacement; wrong one: refused; the stored
form (what an import writes) verifies the same way and holds no fast legacy digest.
"""

from __future__ import annotations

import pytest

from coproctl.security import legacy, passwords
from tests.data.legacy.vectors import VECTORS, Vector

NEW_HASH = "$argon2id$v=19$m=19456,t=2,p=1$"
# what the import must wrap: fast to brute-force (issue 9 item 12)
WEAK = {
    "phpass_wordpress",
    "phpass_phpbb",
    "drupal7",
    "drupal7_md5",
    "mysql41",
    "hex_md5",
    "hex_sha1",
    "hex_sha256",
    "joomla",
    "django_sha1",
    "django_md5",
    "django_crypt",
    "apr_md5_crypt",
    "des_crypt",
    "md5_crypt",
    "ldap_sha",
    "ldap_md5",
    "ldap_smd5",
    "ldap_ssha",
    "ldap_ssha256",
    "ldap_ssha512",
    *legacy.CONSTRUCTIONS,
}


def test_the_vectors_cover_every_format_of_the_issue() -> None:
    schemes = {vector.scheme for vector in VECTORS}
    assert schemes >= WEAK | {
        "bcrypt",
        "sha256_crypt",
        "sha512_crypt",
        "yescrypt",
        "wordpress_bcrypt",
        "django_pbkdf2_sha256",
        "django_pbkdf2_sha1",
        "django_argon2",
        "django_bcrypt",
        "django_bcrypt_sha256",
    }
    prefixes = {vector.hash[:4] for vector in VECTORS}
    assert {"$2a$", "$2b$", "$2y$", "{CRY"} <= prefixes
    assert all(vector.source for vector in VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.id)
def test_vector_is_described_as_its_format(vector: Vector) -> None:
    described = legacy.describe(vector.hash, **vector.options)
    assert described.supported, described.problem
    assert described.scheme == vector.scheme
    assert described.label.startswith("empreinte")
    if vector.scheme in WEAK:
        assert described.wraps


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if v.construction is None], ids=lambda v: v.id
)
def test_hash_as_it_came_verifies_and_is_replaced(vector: Vector) -> None:
    ok, replacement = passwords.verify(vector.password, vector.hash)
    assert ok
    assert replacement is not None
    assert replacement.startswith(NEW_HASH)
    assert passwords.verify(vector.password, replacement) == (True, None)
    assert passwords.verify(vector.wrong, vector.hash) == (False, None)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.id)
def test_stored_form_verifies_and_holds_no_weak_digest(vector: Vector) -> None:
    stored = legacy.stored_form(vector.hash, **vector.options)
    if vector.scheme in WEAK:
        assert stored.startswith(f"$legacy${vector.scheme}$")
        assert "$argon2id$v=19$m=19456,t=2,p=1$" in stored
        digest = vector.hash.rsplit("$", 1)[-1].split(":")[0].split("}")[-1]
        assert digest[-20:] not in stored
    ok, replacement = passwords.verify(vector.password, stored)
    assert ok
    assert replacement is not None
    assert replacement.startswith(NEW_HASH)
    assert passwords.verify(vector.wrong, stored) == (False, None)
    assert legacy.represents(stored, vector.hash, **vector.options)
