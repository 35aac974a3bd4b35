"""Headers and what pages hold (issue 12): a Content-Security-Policy without inline script,
frame-ancestors 'none', nosniff, Referrer-Policy same-origin, pages not cached; no inline
script or style in any page; no secret in any URL; the syndic's colours checked."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from coproctl.errors import BadInput
from coproctl.services.web.theme import contrast
from tests.web.conftest import NEW, Site


class _Inline(HTMLParser):
    """Inline scripts, event handlers and style attributes, and every URL of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("inline <style>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and value:
                self.urls.append(value)


def _check_page(response: Any, secrets: list[str]) -> list[str]:
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    parser = _Inline()
    parser.feed(response.text)
    assert parser.problems == []
    urls = [*parser.urls, headers.get("location", "")]
    for url in urls:
        for secret in secrets:
            assert secret not in url, (url, "holds a secret")
    return urls


def test_every_page_of_the_procedures(site: Site) -> None:
    site.account()
    seen: list[str] = []
    with site.visitor() as owner:
        original = owner.get("/")
        _check_page(original, [])
        site.to_password_step(owner)
        code_rows = site.rows("SELECT COUNT(*) FROM verification_code")
        assert code_rows == [(1,)]
        secrets = [NEW, "Tilleuls-Initial-77", site.code()]
        for path in (
            "/mise-a-jour",
            "/mise-a-jour/e-mail",
            "/mise-a-jour/mot-de-passe",
        ):
            _check_page(owner.get(path), secrets)
            seen.append(path)
        done = owner.post("/mise-a-jour/mot-de-passe", {"password": NEW, "confirmation": NEW})
        _check_page(done, secrets)
        for path in (
            "/mise-a-jour/terminee",
            "/espace",
            "/parametres",
            "/parametres/e-mail",
            "/parametres/mot-de-passe",
            "/mot-de-passe-oublie",
            "/page-qui-n-existe-pas",
        ):
            response = owner.get(path)
            assert response.status_code in (200, 303, 404)
            _check_page(response, secrets)
            seen.append(path)
        refused = owner.post("/parametres/mot-de-passe", {}, csrf=False)
        assert refused.status_code == 403
        _check_page(refused, secrets)
    assert len(seen) == 10


def test_static_files_and_theme_are_served_with_nosniff(site: Site) -> None:
    with site.visitor() as owner:
        for path in ("/static/site.css", "/static/pages.js", "/theme.css"):
            response = owner.get(path)
            assert response.status_code == 200
            assert response.headers["x-content-type-options"] == "nosniff"
        assert "--syndic: #1f4a66" in owner.get("/theme.css").text


def test_the_syndics_name_and_colours_come_from_settings(site: Site) -> None:
    app = site.app(syndic_name="Cabinet Dupuis", syndic_colour="#2d2a6e", syndic_phone="01 23")
    with site.visitor(app) as owner:
        page = owner.get("/").text
        assert "Cabinet Dupuis" in page
        assert "01 23" in page
        assert "#2d2a6e" in owner.get("/theme.css").text


@pytest.mark.parametrize(
    ("setting", "value"),
    [("syndic_colour", "#ffcc00"), ("syndic_accent_colour", "#aaaaaa"), ("syndic_colour", "bleu")],
)
def test_an_unreadable_colour_is_refused_at_start(site: Site, setting: str, value: str) -> None:
    with pytest.raises(BadInput) as refused:
        site.app(**{setting: value})
    assert setting.upper() in refused.value.message


def test_contrast_is_wcags() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#1f4a66", "#ffffff") == contrast("#ffffff", "#1f4a66")
