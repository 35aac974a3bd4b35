"""Done-when 7: a legacy hash verifies at login and is replaced by argon2id."""

from __future__ import annotations

import pytest
from passlib.hash import bcrypt, md5_crypt, sha512_crypt

from coproctl.models import ORIGIN_LEGACY
from coproctl.security.passwords import verify
from coproctl.services.common import get_account
from coproctl.services.procedures.authentication import login
from tests.integration.conftest import Owners


@pytest.mark.parametrize("scheme", [md5_crypt, bcrypt, sha512_crypt], ids=lambda s: s.name)
def test_legacy_hash_is_upgraded_at_login(owners: Owners, scheme: object) -> None:
    owners.account()
    legacy = scheme.hash("Legacy-Pass1")  # type: ignore[attr-defined]
    with owners.office.uow() as uow:
        account = get_account(uow.session, "ID001")
        account.password_hash = legacy
        account.password_origin = ORIGIN_LEGACY
        uow.session.add(account)
        uow.commit()

    assert login(owners.office, "ID001", "Legacy-Pass1").next_step == "update required"

    with owners.office.uow() as uow:
        upgraded = get_account(uow.session, "ID001").password_hash
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify("Legacy-Pass1", upgraded)[0]


def test_bcrypt_secret_over_72_bytes_is_a_plain_failure(owners: Owners) -> None:
    from coproctl.errors import Refused

    owners.account()
    with owners.office.uow() as uow:
        account = get_account(uow.session, "ID001")
        account.password_hash = bcrypt.hash("Legacy-Pass1")
        uow.session.add(account)
        uow.commit()
    with pytest.raises(Refused) as caught:
        login(owners.office, "ID001", "é" * 60)
    assert caught.value.code == "bad_credentials"
