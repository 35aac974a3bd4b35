"""Helpers for tests that call the services directly."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import last_code


class Owners:
    """Builds accounts and drives procedures through the services."""

    def __init__(self, office: Any, mail_dir: Any) -> None:
        self.office = office
        self.mail_dir = mail_dir

    def account(
        self,
        identifiant: str = "ID001",
        password: str = "Initial-Aa11",
        owner_ref: str = "C0001",
        **fields: Any,
    ) -> Any:
        from coproctl.services.owners.accounts import create_account

        fields.setdefault("last_name", "Lefèvre")
        fields.setdefault("first_name", "Marie")
        return create_account(
            self.office, identifiant, owner_ref=owner_ref, initial_password=password, **fields
        )

    def start_update(
        self,
        identifiant: str = "ID001",
        password: str = "Initial-Aa11",
        address: str = "marie@example.com",
    ) -> Any:
        from coproctl.services.procedures.update import start_update

        return start_update(self.office, identifiant, password, address, address)

    def code(self, to: str | None = None) -> str:
        self.office.deliver_pending()
        return last_code(self.mail_dir, to)

    def verify(self, identifiant: str, code: str) -> Any:
        from coproctl.services.procedures.codes import verify_code

        return verify_code(self.office, identifiant, code)

    def activate(
        self,
        identifiant: str = "ID001",
        password: str = "Initial-Aa11",
        address: str = "marie@example.com",
        new: str = "Brume-Tilleul-Quartz7",
    ) -> None:
        from coproctl.services.procedures.new_password import set_password

        self.start_update(identifiant, password, address)
        verified = self.verify(identifiant, self.code(address))
        set_password(self.office, identifiant, new, new, proof=verified.proof)
        self.office.deliver_pending()


@pytest.fixture
def owners(office: Any, mail_dir: Any) -> Owners:
    return Owners(office, mail_dir)
