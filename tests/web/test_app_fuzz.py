"""Random forms to every route (issue 12, done-when 4): never a 500, and never a change
without a valid session and token."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproctl.security.secret_key import load_secret_key
from coproctl.services.web import tokens
from tests.web.conftest import NEW, Site
from tests.web.test_app_csrf import POSTS

GETS = [
    "/",
    "/mise-a-jour",
    "/mise-a-jour/e-mail",
    "/mise-a-jour/code",
    "/mise-a-jour/mot-de-passe",
    "/mise-a-jour/terminee",
    "/mot-de-passe-oublie",
    "/mot-de-passe-oublie/code",
    "/mot-de-passe-oublie/mot-de-passe",
    "/mot-de-passe-oublie/termine",
    "/espace",
    "/parametres",
    "/parametres/e-mail",
    "/parametres/e-mail/code",
    "/parametres/mot-de-passe",
]
FIELDS = sorted(
    {name for form in POSTS.values() for name in form} | {"accept_domain", "this_account_only"}
)
TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", " ", "LEF001", NEW, "12345678", "marie@example.com", "\x00", "é" * 300]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=60, max_size=5000),
)
FORMS = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), TEXT, max_size=8)
TOKEN = st.sampled_from(["valid", "missing", "garbage", "foreign"])


def _changes(site: Site) -> dict[str, Any]:
    snapshot = site.snapshot()
    del snapshot["sessions"]  # a visitor's own session may be read (its idle time moves)
    return snapshot


def test_random_forms_never_fail_and_change_nothing_without_a_token(site: Site) -> None:
    site.account()
    site.account("DUP001", owner_ref="R2", last_name="Dupont", first_name="Jean")
    with site.visitor() as owner, site.visitor() as other:
        site.activate(owner)
        site.activate(other, "DUP001", "jean@example.com")
        other.get("/espace")
        foreign = other.token()
        key = load_secret_key(site.settings)

        @settings(
            max_examples=120,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            path=st.sampled_from(sorted(POSTS)), form=FORMS, token=TOKEN, get=st.sampled_from(GETS)
        )
        def posts(path: str, form: dict[str, str], token: str, get: str) -> None:
            page = owner.get(get)
            assert page.status_code < 500, (get, page.status_code)
            if token == "valid":
                form = {**form, "csrf": tokens.csrf_token(key, owner.cookie or "")}
            elif token == "garbage":
                form = {**form, "csrf": form.get("csrf", "") + "x"}
            elif token == "foreign":
                form = {**form, "csrf": foreign}
            else:
                form = {key: value for key, value in form.items() if key != "csrf"}
            before = _changes(site) if token != "valid" else None
            response = owner.client.post(path, data=form, follow_redirects=False)
            assert response.status_code < 500, (path, response.status_code, response.text[:300])
            if before is not None:
                assert response.status_code == 403
                assert _changes(site) == before

        posts()
