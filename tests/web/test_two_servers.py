"""Two ``coproctl serve`` processes on one PostgreSQL database, as two hosts behind a proxy:
nothing shared but the database.

- a session opened on one is valid on the other (the same cookie sent to both), and ended on
  the other when the owner signs out there;
- the rate limits count the requests to both: the per-identifiant limit is reached with
  half the requests on each server, and the per-address limit too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.web.browser.http_forms import Browserless, Response
from tests.web.browser.server import Site, postgres_schema, start_site

PER_ADDRESS, PER_IDENTIFIANT = 12, 6  # small limits: fewer requests, same rule
LIMITED = "Trop de demandes"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Site]]:
    settings = {
        "COPROCTL_WEB_RATE_PER_ADDRESS": str(PER_ADDRESS),
        "COPROCTL_WEB_RATE_PER_IDENTIFIANT": str(PER_IDENTIFIANT),
        "COPROCTL_WEB_TRUSTED_PROXIES": "127.0.0.1",  # as behind nginx: X-Forwarded-For
    }
    with postgres_schema() as url:
        first = start_site(tmp_path_factory.mktemp("host-a"), url, settings=settings)
        try:
            second = start_site(
                tmp_path_factory.mktemp("host-b"), url, settings=settings, initialise=False
            )
        except BaseException:
            first.stop()
            raise
        try:
            yield first, second
        finally:
            second.stop()
            first.stop()


def log_in(client: Browserless, site: Site, identifiant: str, password: str) -> Response:
    page = client.get(site.url + "/")
    assert page.status == 200, page.text
    return client.submit(page, "Connexion", {"Identifiant": identifiant, "Mot de passe": password})


def test_a_session_opened_on_one_server_is_valid_on_the_other(
    servers: tuple[Site, Site],
) -> None:
    first, second = servers
    identifiant, letter, password = "DEUXHOTES1", "Lettre-2h-Initiale-7", "Brume7c1e2a9f-Ortie9"
    address = "deux.hotes@example.com"
    first.create_account(identifiant, letter, owner_ref="R-DEUXHOTES1")
    first.activate(identifiant, letter, address, password)

    client = Browserless()
    espace = log_in(client, first, identifiant, password)
    assert espace.status == 200
    assert "Se déconnecter" in espace.text, espace.text
    assert identifiant in espace.text
    path = espace.url.removeprefix(first.url)

    on_second = client.get(second.url + path)  # the same cookie, the other server
    assert on_second.status == 200
    assert on_second.url == second.url + path, "the other server sent the owner back to log in"
    assert identifiant in on_second.text
    assert address in on_second.text

    out = client.submit(on_second, "Se déconnecter", {})  # signed out on the second...
    assert "Se déconnecter" not in out.text
    back = client.get(first.url + path)  # ...is signed out on the first
    assert "Se déconnecter" not in back.text
    assert identifiant not in back.text


def away_from_minute_edge() -> None:
    """The limits count by the minute (a sliding one): start a burst well inside a minute,
    so that the test does not depend on how a boundary is weighted."""
    second = time.time() % 60
    if second > 45:
        time.sleep(61 - second)


def behind_the_proxy(address: str) -> Browserless:
    """A client as the proxy forwards it (both servers trust 127.0.0.1 as their proxy): each
    test counts on an address of its own."""
    return Browserless({"X-Forwarded-For": address})


def test_the_rate_limit_per_identifiant_counts_the_requests_to_both(
    servers: tuple[Site, Site],
) -> None:
    first, second = servers
    client = behind_the_proxy("203.0.113.10")
    away_from_minute_edge()
    for attempt in range(PER_IDENTIFIANT):
        site = (first, second)[attempt % 2]  # half the requests on each server
        answer = log_in(client, site, "INCONNU-LIMITE", f"Faux-mot-{attempt}-A")
        assert answer.status == 400, f"attempt {attempt + 1}: {answer.status}"  # refused
        assert LIMITED not in answer.text, f"limited at attempt {attempt + 1}"
    refused = log_in(client, first, "inconnu-limite", "Faux-mot-final-A")  # any case
    assert refused.status == 429
    assert LIMITED in refused.text
    other = log_in(behind_the_proxy("203.0.113.11"), second, "INCONNU-LIMITE", "Faux-mot-B")
    assert other.status == 429, "the identifiant is counted whatever the address"


def test_the_rate_limit_per_address_counts_the_requests_to_both(
    servers: tuple[Site, Site],
) -> None:
    """Another identifiant each time (the per-identifiant limit stays out of it): the address
    is what is counted; each server alone sees half of the requests, under the limit."""
    first, second = servers
    client = behind_the_proxy("203.0.113.20")
    away_from_minute_edge()
    for attempt in range(PER_ADDRESS):
        site = (first, second)[attempt % 2]
        answer = log_in(client, site, f"INCONNU-ADR-{attempt}", "Faux-mot-de-passe-1")
        assert answer.status == 400, f"attempt {attempt + 1}: {answer.status}"  # refused
        assert LIMITED not in answer.text, f"limited at attempt {attempt + 1}"
    refused = log_in(client, second, "INCONNU-ADR-DERNIER", "Faux-mot-de-passe-1")
    assert refused.status == 429
    assert LIMITED in refused.text
    elsewhere = log_in(behind_the_proxy("203.0.113.21"), first, "INCONNU-ADR-X", "Faux-1")
    assert elsewhere.status == 400, "another address is not limited (a wrong password: 400)"
