"""Fixtures of the trust tests: the services driven as an owner (or an intruder) would.

The database, settings and back office come from ``tests/conftest.py`` (both engines).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli
from tests.conftest import last_code, mail_text, read_mails

NEW = "Brume-Tilleul-Quartz7"


class Procedures:
    """Accounts made through the services, and the procedures run step by step."""

    def __init__(self, office: Any, mail_dir: Path) -> None:
        self.office = office
        self.mail_dir = mail_dir

    def account(
        self,
        identifiant: str,
        password: str = "Initial-Aa11",
        owner_ref: str = "C0001",
        **fields: Any,
    ) -> Any:
        from coproctl.services.owners.accounts import create_account

        fields.setdefault("last_name", "Martin")
        fields.setdefault("first_name", "Paul")
        return create_account(
            self.office, identifiant, owner_ref=owner_ref, initial_password=password, **fields
        )

    def start_update(self, identifiant: str, address: str, password: str = "Initial-Aa11") -> Any:
        from coproctl.services.procedures.update import start_update

        return start_update(self.office, identifiant, password, address, address)

    def code(self, to: str | None = None) -> str:
        self.office.deliver_pending()
        return last_code(self.mail_dir, to)

    def verify(self, identifiant: str, code: str) -> Any:
        from coproctl.services.procedures.codes import verify_code

        return verify_code(self.office, identifiant, code)

    def set_password(self, identifiant: str, verified: Any, new: str = NEW, **options: Any) -> Any:
        from coproctl.services.procedures.new_password import set_password

        options.setdefault("proof", verified.proof)
        result = set_password(self.office, identifiant, new, new, **options)
        self.office.deliver_pending()
        return result

    def update(
        self,
        identifiant: str,
        address: str,
        password: str = "Initial-Aa11",
        new: str = NEW,
        **options: Any,
    ) -> Any:
        """The whole update procedure: start, the code from the mail, the new password."""
        self.start_update(identifiant, address, password)
        verified = self.verify(identifiant, self.code())
        return self.set_password(identifiant, verified, new, **options)

    def login(self, identifiant: str, password: str) -> Any:
        from coproctl.services.procedures.authentication import login

        return login(self.office, identifiant, password)

    def show(self, identifiant: str) -> Any:
        from coproctl.services.owners.accounts import show_account

        return show_account(self.office, identifiant)

    def mails(self, *kinds: str) -> list[tuple[str, str]]:
        """(recipient, text) of the mails written so far (of these kinds), oldest first."""
        self.office.deliver_pending()
        return [
            (message["To"].addresses[0].addr_spec, mail_text(message))
            for message in read_mails(self.mail_dir)
            if not kinds or message["X-Coproctl-Kind"] in kinds
        ]

    def notices(self) -> list[tuple[str, str]]:
        """The mails that tell of a password change (after a first connection, the one to
        the address just verified says the space is active)."""
        return self.mails("password_changed", "account_activated")


@pytest.fixture
def procedures(office: Any, mail_dir: Path) -> Procedures:
    return Procedures(office, mail_dir)


@pytest.fixture
def cli(initialised: Any, mail_dir: Path) -> Cli:
    return Cli(mail_dir)
