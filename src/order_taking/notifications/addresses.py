"""Where a webhook may go: an https URL to a public address, checked when a listener registers
and again, after name resolution, before every delivery (no listener makes the service call
inside the operator's network). Private networks are allowed only when the settings say so."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal")


class CallbackRefused(ValueError):
    pass


class CallbackUnresolved(CallbackRefused):
    """The callback's name does not resolve (now)."""


def is_public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_callback(url: str, *, allow_private: bool) -> tuple[str, int]:
    """The URL's host and port, if the URL may be a callback; CallbackRefused otherwise."""
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise CallbackRefused(f"a callback must be an {' or '.join(allowed_schemes)} URL")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise CallbackRefused("the callback's port is not a number from 0 to 65535") from None
    if not host:
        raise CallbackRefused("the callback has no host")
    if not allow_private:
        address = _literal(host)
        if (address is not None and not is_public(address)) or (
            address is None and (host == LOCAL_NAMES[0] or host.endswith(LOCAL_NAMES[1:]))
        ):
            raise CallbackRefused(f"the callback's host {host} is not a public address")
    return host, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for `host`: every address it resolves to must be public."""
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as error:
            raise CallbackUnresolved(
                f"the callback's host {host} does not resolve: {error}"
            ) from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not allow_private and not all(is_public(a) for a in addresses):
        raise CallbackRefused(f"the callback's host {host} resolves to a private address")
    return str(addresses[0])
