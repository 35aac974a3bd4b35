"""The owners' pages in headless Chromium: one browser and one server for the whole session.

- ``browser``: Debian's ``chromium`` driven by Playwright (never ``playwright install``);
  the browser tests skip, saying why, when it is missing (``.ci/run`` installs it).
- ``site``: a real ``coproctl serve --insecure-http`` on a fresh SQLite database with the
  file mail transport (``server.start_site``); the tests share it, each with accounts of its
  own (``new_identifiant``).
- ``page``: a fresh browser context (no cookie of another test) at 1280 px, with
  :class:`Look`, which every test calls on every page it reaches: screenshots at 1280 and
  360 px under ``tests/artifacts/browser/<test>/`` for a person to look at, axe-core with
  no serious or critical violation, no horizontal scrolling at 360 px, and no script error
  or Content-Security-Policy refusal in the page.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser.server import Site, postgres_schema, start_site

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# a shared machine of 2 cores under load: an argon2 login may take seconds, never 15
expect.set_options(timeout=15_000)
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 360, "height": 740}
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
AXE_SOURCE = (Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js").read_text()
# the WCAG 2.0/2.1 A and AA rules: what RGAA 4.1 reads (axe's best practices are not asked)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
# the shared server's settings: the whole suite comes from 127.0.0.1, so the per-address
# limit is raised above what the suite sends in a minute (the limit itself is proved by
# test_rate_limit_* on servers of their own, with the defaults)
SITE_SETTINGS: dict[str, str] = {
    "COPROCTL_WEB_RATE_PER_ADDRESS": "100000",
    "COPROCTL_WEB_MAIL_INTERVAL_SECONDS": "1",  # the server's deliverer: codes come sooner
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("chromium absent : apt-get install chromium (.ci/run l'installe)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Site]:
    """One server for the flows (asks for the browser first: no server without Chromium)."""
    running = start_site(tmp_path_factory.mktemp("site"), settings=SITE_SETTINGS)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def pg_site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Site]:
    """The same server on a PostgreSQL schema of its own (skipped without the test server)."""
    with postgres_schema() as url:
        running = start_site(tmp_path_factory.mktemp("pg-site"), url, settings=SITE_SETTINGS)
        yield running
        running.stop()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDE, locale="fr-FR")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    opened.problems = []  # script errors, CSP refusals, sub-resources that failed
    opened.on("pageerror", lambda error: opened.problems.append(f"script error: {error}"))
    opened.on(
        "console",
        lambda message: (
            opened.problems.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    opened.on(  # a style sheet, script or image of the page that failed (the page itself
        # may answer 400, 403 or 429 on purpose; the browser's own /favicon.ico is no page's)
        "response",
        lambda response: (
            opened.problems.append(f"{response.status} {response.url}")
            if response.status >= 400
            and response.request.resource_type != "document"
            and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    yield opened
    context.close()


@pytest.fixture
def look(page: Any, request: pytest.FixtureRequest) -> Look:
    return Look(page, ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name))


class Look:
    """What is checked on every page a flow reaches, and the screenshots of it."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def __call__(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        self.count += 1
        stem = f"{self.count:02d}-{name}"
        violations = axe(page)
        assert not violations, f"{name}: axe finds {violations}"
        page.screenshot(path=str(self.folder / f"{stem}-1280.png"), full_page=True)
        page.set_viewport_size(NARROW)
        try:
            page.screenshot(path=str(self.folder / f"{stem}-360.png"), full_page=True)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: {overflow} px de défilement horizontal à 360 px"
            narrow_violations = axe(page)
            assert not narrow_violations, f"{name} at 360 px: axe finds {narrow_violations}"
        finally:
            page.set_viewport_size(WIDE)
        assert not page.problems, f"{name}: {page.problems}"


def axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (id, impact, help, where).

    Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not
    stop it and is not relaxed for the test."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    found = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                               where: v.nodes.map(n => n.target.join(' '))})))""",
        AXE_TAGS,
    )
    return [v for v in found if v["impact"] in BLOCKING_IMPACTS]


def new_identifiant(prefix: str = "W") -> str:
    return f"{prefix}{secrets.token_hex(4).upper()}"


def letter_password() -> str:
    """An initial password as the syndic prints it on the letter."""
    return f"Lettre-{secrets.token_hex(3)}-Q7"


def chosen_password() -> str:
    """A password an owner would choose that the policy accepts (score >= 3)."""
    return f"Brume{secrets.token_hex(4)}-Ortie9"


def new_address(identifiant: str, tag: str = "") -> str:
    return f"{identifiant.lower()}{tag}@example.com"
