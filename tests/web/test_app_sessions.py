"""Sessions of the owners' pages (issue 12): kept server-side, keyed-hashed, cookie flags,
timeouts, and a password change that ends the account's other sessions."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from coproctl import clock
from coproctl.services.web import tokens
from tests.web.conftest import COOKIE, INITIAL, NEW, OTHER, Site


def _set_cookie(response: object) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(COOKIE + "=")]
    assert len(found) == 1, headers
    return found[0]


def test_cookie_flags_and_secure_unless_insecure_http(site: Site) -> None:
    with site.visitor(site.app(secure=True), base_url="https://testserver") as owner:
        flags = _set_cookie(owner.get("/")).lower()
        assert "httponly" in flags
        assert "samesite=lax" in flags
        assert "secure" in flags
        assert "strict-transport-security" in owner.page.headers
    with site.visitor() as trial:  # coproctl serve --insecure-http
        flags = _set_cookie(trial.get("/")).lower()
        assert "httponly" in flags
        assert "samesite=lax" in flags
        assert "secure" not in flags


def test_the_database_keeps_a_keyed_hash_of_the_id_and_a_sealed_state(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        visit = owner.get("/") and owner.cookie
        assert visit is not None
        assert visit.startswith("v.")
        assert site.rows("SELECT COUNT(*) FROM web_session") == [(0,)]  # a visit stores nothing
        site.sign_in(owner)
        raw = owner.cookie
        assert raw is not None
        assert raw != visit
        rows = site.rows("SELECT id_digest, account_id, state FROM web_session")
        assert len(rows) == 1
        digest, account_id, state = rows[0]
        assert bytes(digest) == tokens.id_digest(site_key(site), raw)
        assert raw.encode() not in bytes(digest) + bytes(state)
        assert b"LEF001" not in bytes(state)  # the state is sealed
        assert account_id is not None
        # only the cookie opens the state; another id, or the instance key alone, does not
        assert tokens.unseal(raw, bytes(digest), bytes(state)) is not None
        other = tokens.new_id(tokens.SESSION)
        assert tokens.unseal(other, bytes(digest), bytes(state)) is None


def site_key(site: Site) -> bytes:
    from coproctl.security.secret_key import load_secret_key

    return load_secret_key(site.settings)


def test_idle_timeout_is_15_minutes_from_the_last_request(site: Site) -> None:
    site.account()
    start = clock.now()
    with freeze_time(start, real_asyncio=True) as frozen, site.visitor() as owner:
        site.activate(owner)
        frozen.tick(timedelta(minutes=15))
        assert owner.get("/espace").status_code == 200  # exactly 15 minutes: still open
        frozen.tick(timedelta(minutes=15, seconds=1))
        gone = owner.get("/espace")
        assert gone.status_code == 303
        assert gone.headers["location"] == "/?session=expiree"
        assert "trop longtemps sans activité" in owner.follow(gone).text
    assert site.rows("SELECT COUNT(*) FROM web_session") == [(0,)]


def test_absolute_timeout_is_12_hours_whatever_the_activity(site: Site) -> None:
    site.account()
    start = clock.now()
    with freeze_time(start, real_asyncio=True) as frozen, site.visitor() as owner:
        site.activate(owner)
        for _ in range(12 * 6 + 1):  # a request every 10 minutes, past 12 hours
            frozen.tick(timedelta(minutes=10))
            if owner.get("/espace").status_code != 200:
                break
        assert owner.page.status_code == 303
        assert clock.now() - start > timedelta(hours=12)
        assert clock.now() - start <= timedelta(hours=12, minutes=10)


def test_timeouts_are_settings(site: Site) -> None:
    site.account()
    start = clock.now()
    app = site.app(web_session_idle_minutes=2)
    with freeze_time(start, real_asyncio=True) as frozen, site.visitor(app) as owner:
        site.activate(owner)
        frozen.tick(timedelta(minutes=2, seconds=1))
        assert owner.get("/espace").status_code == 303


def test_a_password_change_ends_every_other_session_of_the_account(site: Site) -> None:
    site.account()
    site.account("DUP001", owner_ref="R2", last_name="Dupont", first_name="Jean")
    with site.visitor() as first:
        site.activate(first)
    with site.visitor() as other_owner:
        site.activate(other_owner, "DUP001", "jean@example.com")
        with site.visitor() as phone, site.visitor() as laptop:
            site.sign_in(phone, password=NEW)
            site.sign_in(laptop, password=NEW)
            assert phone.get("/espace").status_code == 200
            laptop.get("/parametres/mot-de-passe")
            changed = laptop.post(
                "/parametres/mot-de-passe",
                {"current_password": NEW, "password": OTHER, "confirmation": OTHER, "noted": "oui"},
            )
            assert changed.headers["location"] == "/parametres"
            assert laptop.get("/espace").status_code == 200  # the session that changed it
            ended = phone.get("/espace")
            assert ended.headers["location"] == "/"  # deleted at once: no session any more
        # another account's session is left alone
        assert other_owner.get("/espace").status_code == 200


def test_a_password_changed_elsewhere_ends_the_session(site: Site) -> None:
    """Staff's account reset (the CLI): the session opened with the old password is over."""
    from coproctl.services.owners.accounts import reset_account

    site.account()
    with site.visitor() as owner:
        site.activate(owner)
        assert owner.get("/espace").status_code == 200
        with site.office() as office:
            reset_account(office, "LEF001")
        ended = owner.get("/espace")
        assert ended.headers["location"] == "/?session=mot-de-passe"
    assert site.rows("SELECT COUNT(*) FROM web_session") == [(0,)]


def test_a_tampered_cookie_opens_nothing_and_changes_nothing(site: Site) -> None:
    site.account()
    with site.visitor() as owner:
        site.activate(owner)
        owner.get("/parametres/mot-de-passe")
        token = owner.token()
        raw = owner.cookie
        assert raw is not None
        flipped = raw[:-1] + ("A" if raw[-1] != "A" else "B")
        before = site.snapshot()
        for forged in (flipped, "v." + raw[2:], raw + "x", "s.", ""):
            owner.client.cookies.set(COOKIE, forged)
            assert owner.get("/espace").status_code == 303
            posted = owner.post(
                "/parametres/mot-de-passe",
                {
                    "csrf": token,
                    "current_password": NEW,
                    "password": OTHER,
                    "confirmation": OTHER,
                    "noted": "oui",
                },
            )
            assert posted.status_code == 403
        assert site.snapshot() == before
        owner.client.cookies.set(COOKIE, raw)
        assert owner.get("/espace").status_code == 200  # the real one still works
    assert INITIAL
