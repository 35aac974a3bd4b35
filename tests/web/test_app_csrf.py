"""CSRF (issue 12): every form carries a token bound to the cookie; a POST without it, or
with another session's, is refused with 403 and changes nothing."""

from __future__ import annotations

import pytest

from tests.web.conftest import NEW, OTHER, Site

# every route that takes a POST, with a form that would change something if accepted
POSTS = {
    "/": {"identifiant": "LEF001", "password": NEW},
    "/deconnexion": {},
    "/mise-a-jour/e-mail": {"email": "x@example.com", "confirm_email": "x@example.com"},
    "/mise-a-jour/code": {"code": "12345678"},
    "/mise-a-jour/nouveau-code": {},
    "/mise-a-jour/mot-de-passe": {"password": OTHER, "confirmation": OTHER},
    "/mot-de-passe-oublie": {"identifiant": "LEF001", "email": "marie@example.com"},
    "/mot-de-passe-oublie/code": {"code": "12345678"},
    "/mot-de-passe-oublie/nouveau-code": {},
    "/mot-de-passe-oublie/mot-de-passe": {"password": OTHER, "confirmation": OTHER},
    "/parametres/e-mail": {
        "current_password": NEW,
        "email": "y@example.com",
        "confirm_email": "y@example.com",
    },
    "/parametres/e-mail/code": {"code": "12345678"},
    "/parametres/e-mail/nouveau-code": {},
    "/parametres/e-mail/annuler": {},
    "/parametres/mot-de-passe": {
        "current_password": NEW,
        "password": OTHER,
        "confirmation": OTHER,
        "noted": "oui",
    },
}


def test_every_post_route_is_listed(site: Site) -> None:
    """A new POST route must join POSTS (and so these tests)."""
    app = site.app()
    posting = {
        route.path for route in app.routes if "POST" in (getattr(route, "methods", None) or set())
    }
    assert posting == set(POSTS)


@pytest.mark.parametrize("path", sorted(POSTS))
def test_a_post_without_the_token_is_refused_and_changes_nothing(site: Site, path: str) -> None:
    site.account()
    with site.visitor() as owner:
        site.activate(owner)
        owner.get("/espace")
        before = site.snapshot()
        missing = owner.post(path, POSTS[path], csrf=False)
        assert missing.status_code == 403
        assert "rien n'a été changé" in missing.text.replace("&#39;", "'")
        wrong = owner.post(path, {**POSTS[path], "csrf": "A" * 32})
        assert wrong.status_code == 403
        assert site.snapshot() == before
        assert owner.get("/espace").status_code == 200  # still signed in


@pytest.mark.parametrize("path", sorted(POSTS))
def test_another_sessions_token_is_refused(site: Site, path: str) -> None:
    site.account()
    site.account("DUP001", owner_ref="R2", last_name="Dupont", first_name="Jean")
    with site.visitor() as victim, site.visitor() as attacker:
        site.activate(victim)
        site.activate(attacker, "DUP001", "jean@example.com")
        attacker.get("/espace")
        foreign = attacker.token()  # a valid token, of the attacker's own session
        victim.get("/espace")
        before = site.snapshot()
        refused = victim.post(path, {**POSTS[path], "csrf": foreign})
        assert refused.status_code == 403
        assert site.snapshot() == before


def test_a_visitors_token_does_not_fit_another_visitor(site: Site) -> None:
    site.account()
    with site.visitor() as one, site.visitor() as two:
        one.get("/")
        two.get("/")
        before = site.snapshot()
        crossed = two.post("/", {"identifiant": "LEF001", "password": NEW, "csrf": one.token()})
        assert crossed.status_code == 403
        assert site.snapshot() == before  # not even a rate count, nor a failed login
        assert two.post("/", {"identifiant": "LEF001", "password": NEW}).status_code == 400


def test_a_post_without_any_cookie_is_refused(site: Site) -> None:
    with site.visitor() as owner:
        owner.get("/")
        token = owner.token()
        owner.client.cookies.clear()
        assert owner.post(
            "/", {"identifiant": "x", "password": "y", "csrf": token}
        ).status_code == (403)
