"""Every published vector through `login` and the update procedure, on both engines.

The hash is written into the account as an import writes it (``legacy.stored_form``): a
wrong password is refused and counted, the right one logs in, and the first success
replaces the hash with a plain argon2id of the password.
"""

from __future__ import annotations

import hashlib

import pytest

from coproctl.errors import Refused
from coproctl.models import ORIGIN_LEGACY
from coproctl.security import legacy, passwords
from coproctl.services.common import get_account
from coproctl.services.procedures.authentication import login
from tests.data.legacy.vectors import VECTORS, Vector
from tests.integration.conftest import Owners

NEW_HASH = "$argon2id$v=19$m=19456,t=2,p=1$"
ONE_PER_SCHEME = list({vector.scheme: vector for vector in VECTORS}.values())


def _store(owners: Owners, stored: str) -> None:
    owners.account()
    with owners.office.uow() as uow:
        account = get_account(uow.session, "ID001")
        account.password_hash = stored
        account.password_origin = ORIGIN_LEGACY
        uow.session.add(account)
        uow.commit()


def _stored_hash(owners: Owners) -> tuple[str, int]:
    with owners.office.uow() as uow:
        account = get_account(uow.session, "ID001")
        return account.password_hash, account.failed_logins


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.id)
def test_legacy_hash_logs_in_and_is_upgraded(owners: Owners, vector: Vector) -> None:
    stored = legacy.stored_form(vector.hash, **vector.options)
    _store(owners, stored)

    with pytest.raises(Refused) as refused:
        login(owners.office, "ID001", vector.wrong)
    assert refused.value.code == "bad_credentials"
    assert _stored_hash(owners) == (stored, 1)

    assert login(owners.office, "ID001", vector.password).next_step == "update required"
    upgraded, failed = _stored_hash(owners)
    assert failed == 0
    assert upgraded.startswith(NEW_HASH)
    assert passwords.verify(vector.password, upgraded) == (True, None)
    assert login(owners.office, "ID001", vector.password).status == "pending"


@pytest.mark.parametrize("vector", ONE_PER_SCHEME, ids=lambda v: v.scheme)
def test_legacy_hash_opens_the_update_procedure(owners: Owners, vector: Vector) -> None:
    _store(owners, legacy.stored_form(vector.hash, **vector.options))
    with pytest.raises(Refused):
        owners.start_update(password=vector.wrong)
    owners.start_update(password=vector.password)
    assert _stored_hash(owners)[0].startswith(NEW_HASH)


def test_bcrypt_over_72_bytes_logs_in_without_counting_a_failure(owners: Owners) -> None:
    (vector,) = [v for v in VECTORS if v.over_72_bytes]
    _store(owners, vector.hash)  # as imported before this release: bcrypt kept as it came
    assert login(owners.office, "ID001", vector.password).next_step == "update required"
    assert _stored_hash(owners) == (_stored_hash(owners)[0], 0)
    assert _stored_hash(owners)[0].startswith(NEW_HASH)


def test_weak_hash_imported_before_wrapping_still_logs_in(owners: Owners) -> None:
    _store(owners, hashlib.md5(b"Ancien-Extranet1").hexdigest())  # noqa: S324
    assert login(owners.office, "ID001", "Ancien-Extranet1").next_step == "update required"
    assert _stored_hash(owners)[0].startswith(NEW_HASH)
