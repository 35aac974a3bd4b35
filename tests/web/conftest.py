"""Fixtures of the server-side web tests (``test_app_*.py``): the ASGI app of the owners'
pages driven by Starlette's TestClient, on both engines (``tests/conftest.py``).

The app is built with the background deliverer off (``WEB_MAIL_INTERVAL_SECONDS=0``): a
test delivers the outbox itself (``Site.deliver``), so it can see what a request did and
did not send. ``tests/web/browser/`` (the Playwright tests) has its own fixtures.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import last_code, read_mails


def pytest_configure(config: pytest.Config) -> None:
    # Starlette 1.x asks for httpx2 beside httpx; the test client behaves the same
    config.addinivalue_line("filterwarnings", r"ignore:Using `httpx` with `starlette\.testclient`")


INITIAL = "Tilleuls-Initial-77"
NEW = "Girafe-Bleue-Violon-42"
OTHER = "Mouette-Grise-Piano-58"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
COOKIE = "coproctl_session"


class Visitor:
    """One browser: a cookie jar, the last page, and forms posted with the page's token."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.page: Any = None

    def get(self, path: str) -> Any:
        self.page = self.client.get(path, follow_redirects=False)
        return self.page

    def token(self) -> str:
        found = CSRF.search(self.page.text) if self.page is not None else None
        if found is None:
            self.get("/")
            found = CSRF.search(self.page.text)
        assert found, "no CSRF token on the page"
        return found.group(1)

    def post(self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True) -> Any:
        form = dict(data or {})
        if csrf and "csrf" not in form:
            form["csrf"] = self.token()
        response = self.client.post(path, data=form, follow_redirects=False)
        self.page = response
        return response

    def follow(self, response: Any) -> Any:
        assert response.status_code == 303, (response.status_code, response.text[:500])
        return self.get(response.headers["location"])

    @property
    def cookie(self) -> str | None:
        return self.client.cookies.get(COOKIE)

    def errors(self) -> list[str]:
        """The error summary's messages, as the page shows them."""
        block = re.search(r'class="resume-erreurs".*?</div>', self.page.text, re.S)
        if block is None:
            return []
        return [
            re.sub(r"<[^>]+>", "", item).replace("&#39;", "'").replace("\xa0", " ").strip()
            for item in re.findall(r'<li><a href="#[^"]+">(.*?)</a>', block.group(0), re.S)
        ]

    def heading(self) -> str:
        found = re.search(r"<h1>(.*?)</h1>", self.page.text, re.S)
        assert found, self.page.text[:300]
        return found.group(1).replace("&#39;", "'").replace("\xa0", " ")


class Site:
    """The app on one database, its accounts, its mail."""

    def __init__(self, settings: Any, mail_dir: Path) -> None:
        self.settings = settings
        self.mail_dir = mail_dir

    def app(self, **changes: Any) -> Any:
        from coproctl.web import create_app

        secure = changes.pop("secure", False)
        settings = dataclasses.replace(self.settings, **changes) if changes else self.settings
        return create_app(settings, insecure_http=not secure)

    @contextmanager
    def visitor(self, app: Any = None, **client: Any) -> Iterator[Visitor]:
        from starlette.testclient import TestClient

        with TestClient(app or self.app(), **client) as test_client:
            yield Visitor(test_client)

    @contextmanager
    def office(self) -> Iterator[Any]:
        from coproctl.services.office import open_backoffice

        with open_backoffice(self.settings, "test-staff") as backoffice:
            yield backoffice

    def account(self, identifiant: str = "LEF001", owner_ref: str = "R1", **fields: Any) -> None:
        from coproctl.services.owners.accounts import create_account

        fields.setdefault("last_name", "Lefèvre")
        fields.setdefault("first_name", "Marie")
        fields.setdefault("copropriete", "Les Tilleuls")
        fields.setdefault("lots", ["12", "14"])
        with self.office() as office:
            create_account(
                office, identifiant, owner_ref=owner_ref, initial_password=INITIAL, **fields
            )

    def age_codes(self, minutes: int) -> None:
        """Every code issued ``minutes`` earlier (the resend cooldown passed)."""
        from datetime import timedelta

        from sqlalchemy import update

        from coproctl import clock
        from coproctl.models import VerificationCode

        with self.office() as office, office.uow() as uow:
            uow.session.execute(
                update(VerificationCode).values(created_at=clock.now() - timedelta(minutes=minutes))
            )
            uow.commit()

    def deliver(self) -> None:
        """What the server's background deliverer does: drain the outbox."""
        from coproctl.services.web.upkeep import deliver_outbox

        with self.office() as office:
            deliver_outbox(office)

    def code(self, to: str | None = None) -> str:
        self.deliver()
        return last_code(self.mail_dir, to)

    def mails(self) -> list[Any]:
        return read_mails(self.mail_dir)

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        with self.office() as office, office.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params).all()]

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Everything an owner's request could change, but the visitor's own session."""
        return {
            "account": self.rows("SELECT * FROM account ORDER BY id"),
            "code": self.rows("SELECT * FROM verification_code ORDER BY id"),
            "outbox": self.rows("SELECT id, status, to_addr FROM outbox_message ORDER BY id"),
            "audit": self.rows("SELECT id, action, outcome FROM audit_event ORDER BY id"),
            "rate": self.rows("SELECT * FROM web_rate_count ORDER BY bucket, minute"),
            "sessions": self.rows("SELECT id_digest, state FROM web_session ORDER BY id_digest"),
        }

    # --- the procedures, driven as an owner would -----------------------------------------
    def sign_in(
        self, visitor: Visitor, identifiant: str = "LEF001", password: str = INITIAL
    ) -> Any:
        visitor.get("/")
        return visitor.post("/", {"identifiant": identifiant, "password": password})

    def to_password_step(
        self, visitor: Visitor, identifiant: str = "LEF001", email: str = "marie@example.com"
    ) -> None:
        """Signed in with the letter's password, e-mail given, code verified."""
        assert self.sign_in(visitor, identifiant).headers["location"] == "/mise-a-jour"
        visitor.get("/mise-a-jour/e-mail")
        sent = visitor.post("/mise-a-jour/e-mail", {"email": email, "confirm_email": email})
        assert sent.headers["location"] == "/mise-a-jour/code", visitor.errors()
        visitor.get("/mise-a-jour/code")
        verified = visitor.post("/mise-a-jour/code", {"code": self.code(email)})
        assert verified.headers["location"] == "/mise-a-jour/mot-de-passe", visitor.errors()
        visitor.get("/mise-a-jour/mot-de-passe")

    def activate(
        self,
        visitor: Visitor,
        identifiant: str = "LEF001",
        email: str = "marie@example.com",
        password: str = NEW,
    ) -> None:
        """The whole first connection; the visitor ends signed in."""
        self.to_password_step(visitor, identifiant, email)
        done = visitor.post(
            "/mise-a-jour/mot-de-passe", {"password": password, "confirmation": password}
        )
        assert done.headers["location"] == "/mise-a-jour/terminee", visitor.errors()
        visitor.follow(done)


@pytest.fixture
def site(initialised: Any, mail_dir: Path) -> Site:
    return Site(dataclasses.replace(initialised, web_mail_interval_seconds=0), mail_dir)
