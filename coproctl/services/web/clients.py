"""Which address a request comes from.

Behind a reverse proxy every request comes from the proxy; the proxy says who its client
was in ``X-Forwarded-For``. That header is believed only when the request comes from an
address listed in ``WEB_TRUSTED_PROXIES`` (addresses or networks, separated by commas or
blanks): anyone else could write anything there. The header is read from its right end
(what the nearest proxy added) leftwards, past every trusted proxy; the first address that
is not one is the client.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from coproctl.errors import BadInput

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def trusted_networks(setting: str) -> tuple[Network, ...]:
    networks = []
    for item in setting.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise BadInput(
                "bad_setting",
                f"WEB_TRUSTED_PROXIES : « {item} » n'est ni une adresse IP ni un réseau "
                "(exemples : 127.0.0.1, 10.0.0.0/24, ::1).",
            ) from None
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(peer: str | None, forwarded_for: list[str], trusted: str) -> str:
    """The client's address: the peer's, or what trusted proxies say it was."""
    networks = trusted_networks(trusted)
    current = peer or "inconnu"
    if not networks or not _trusted(current, networks):
        return current
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return current  # garbage past this point: the last address vouched for
        current = hop
        if not _trusted(hop, networks):
            return hop
    return current
