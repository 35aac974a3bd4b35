"""Rate limits of the login and forgotten-password pages (issue 12): per client address and
per identifiant, settings, counted in the database (shared by every worker and host), and
the trusted-proxy setting deciding whether X-Forwarded-For is believed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from coproctl import clock
from coproctl.errors import BadInput
from coproctl.services.web.clients import client_address
from coproctl.services.web.rate_limits import address_key
from tests.web.conftest import Site, Visitor


def _login(visitor: Visitor, identifiant: str, **headers: str) -> int:
    visitor.get("/")
    form = {"identifiant": identifiant, "password": "Pas-le-bon-1", "csrf": visitor.token()}
    response = visitor.client.post("/", data=form, headers=headers, follow_redirects=False)
    visitor.page = response
    return response.status_code


def test_ten_a_minute_per_identifiant_then_429(site: Site) -> None:
    site.account()
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with freeze_time(start, real_asyncio=True) as frozen, site.visitor() as owner:
        assert [_login(owner, "lef001") for _ in range(10)] == [400] * 10
        before = site.rows("SELECT failed_logins, locked_until FROM account")
        assert _login(owner, "LEF001") == 429  # the same identifiant, in any case
        assert owner.page.headers["retry-after"] == "60"
        assert owner.errors() == [
            "Trop de demandes en peu de temps : patientez une minute avant de réessayer."
        ]
        assert site.rows("SELECT failed_logins, locked_until FROM account") == before
        assert _login(owner, "AUTRE01") == 400  # another identifiant is not limited
        frozen.tick(timedelta(minutes=2))  # the sliding minute has passed
        assert _login(owner, "LEF001") == 400


def test_thirty_a_minute_per_address_and_counted_across_servers(site: Site) -> None:
    """Two app instances on one database (two workers, or two hosts) share the counts."""
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    one, two = site.app(), site.app()
    with freeze_time(start, real_asyncio=True), site.visitor(one) as a, site.visitor(two) as b:
        statuses = [_login(a if n % 2 else b, f"ID{n:03d}") for n in range(30)]
        assert statuses == [400] * 30
        assert _login(a, "ID999") == 429
        assert _login(b, "ID998") == 429
        # the forgotten-password page counts in the same buckets
        b.get("/mot-de-passe-oublie")
        asked = b.post("/mot-de-passe-oublie", {"identifiant": "ID997", "email": "a@example.com"})
        assert asked.status_code == 429


def test_limits_are_settings(site: Site) -> None:
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    app = site.app(web_rate_per_address=3, web_rate_per_identifiant=2)
    with freeze_time(start, real_asyncio=True), site.visitor(app) as owner:
        assert [_login(owner, "X1"), _login(owner, "X1"), _login(owner, "X1")] == [400, 400, 429]
        assert _login(owner, "X2") == 429  # the address's fourth request


def test_a_burst_across_the_minute_boundary_does_not_pass_twice(site: Site) -> None:
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1, seconds=50)
    with freeze_time(start, real_asyncio=True) as frozen, site.visitor() as owner:
        assert [_login(owner, "LEF001") for _ in range(10)] == [400] * 10
        frozen.tick(timedelta(seconds=15))  # a new minute, 5 s into it
        assert _login(owner, "LEF001") == 429


def test_forwarded_for_is_believed_from_trusted_proxies_only(site: Site) -> None:
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    proxy = ("127.0.0.1", 40000)
    trusting = site.app(web_trusted_proxies="127.0.0.1", web_rate_per_address=2)
    with freeze_time(start, real_asyncio=True), site.visitor(trusting, client=proxy) as owner:
        # behind the proxy, each client is counted on its own
        for client in ("203.0.113.5", "203.0.113.6", "203.0.113.5"):
            assert _login(owner, f"A{client[-1]}", **{"X-Forwarded-For": client}) == 400
        assert _login(owner, "B5", **{"X-Forwarded-For": "203.0.113.5"}) == 429
        assert _login(owner, "B7", **{"X-Forwarded-For": "203.0.113.7"}) == 400
    naive = site.app(web_rate_per_address=2)
    with freeze_time(start, real_asyncio=True), site.visitor(naive, client=proxy) as owner:
        # the header is not believed: a client cannot dodge the limit by writing it
        statuses = [
            _login(owner, f"C{n}", **{"X-Forwarded-For": f"198.51.100.{n}"}) for n in (1, 2, 3)
        ]
        assert statuses == [400, 400, 429]


def test_client_address_reads_the_header_from_the_right() -> None:
    trusted = "10.0.0.0/8, 127.0.0.1"
    assert client_address("203.0.113.9", ["1.2.3.4"], trusted) == "203.0.113.9"
    assert client_address("127.0.0.1", ["1.2.3.4"], "") == "127.0.0.1"
    assert client_address("127.0.0.1", ["1.2.3.4"], trusted) == "1.2.3.4"
    # a client writing its own header: only what the trusted proxies added counts
    assert client_address("127.0.0.1", ["6.6.6.6, 1.2.3.4, 10.0.0.7"], trusted) == "1.2.3.4"
    assert client_address("127.0.0.1", ["6.6.6.6", "1.2.3.4"], trusted) == "1.2.3.4"
    assert client_address("127.0.0.1", ["garbage, 10.0.0.3"], trusted) == "10.0.0.3"
    assert client_address("127.0.0.1", [], trusted) == "127.0.0.1"
    with pytest.raises(BadInput) as refused:
        client_address("127.0.0.1", [], "un-proxy")
    assert "WEB_TRUSTED_PROXIES" in refused.value.message


def test_ipv6_clients_are_counted_by_their_network() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
