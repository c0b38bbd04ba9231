"""Fetching an image named by URL (a spreadsheet column of links) without becoming a proxy
into the machine's own network (SSRF).

    check_url_allowed(url, *, policy, resolver) -> list[IPAddress]
    fetch_image_url(url, *, client, policy, max_bytes, timeout, resolver, max_redirects) -> bytes

Every address a host name resolves to must pass the :class:`AddressPolicy`; the request is then
sent to the vetted address itself (the name travels in ``Host`` and TLS SNI, so certificates
are still checked against it), which closes the DNS-rebinding gap between check and connect.
Redirects are followed by hand, each hop checked again.  The body is streamed with a byte cap
and an overall deadline, and must be declared ``image/*``.

The default :data:`PUBLIC_ONLY` refuses loopback, private, link-local (so the cloud metadata
address 169.254.169.254), shared (100.64/10, Alibaba's 100.100.100.200), multicast,
unspecified and reserved addresses, including IPv4 addresses wrapped in IPv6 (mapped, 6to4,
NAT64).  Tests against a server on loopback pass :data:`ALLOW_LOOPBACK`.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from catalog.images import ImageError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], Sequence[str]]
"""Host name → IP address strings (``socket.getaddrinfo`` by default; injected in tests)."""

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(ImageError):
    """A URL we will not fetch, or a fetch that failed; ``value`` is the URL."""

    default_code = "image.fetch_failed"


class AddressPolicy(Protocol):
    """Decides whether we may connect to one resolved address."""

    def allows(self, address: IPAddress) -> bool: ...


@dataclass(frozen=True, slots=True)
class PublicAddressPolicy:
    """Only globally routable unicast addresses, plus the networks in ``also_allow``."""

    also_allow: tuple[IPNetwork, ...] = ()

    def allows(self, address: IPAddress) -> bool:
        if any(address.version == net.version and address in net for net in self.also_allow):
            return True
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return self.allows(embedded)
        special = (address.is_loopback or address.is_private or address.is_link_local or address.is_multicast
                   or address.is_unspecified or address.is_reserved)
        return address.is_global and not special


PUBLIC_ONLY = PublicAddressPolicy()
ALLOW_LOOPBACK = PublicAddressPolicy(also_allow=(ipaddress.ip_network("127.0.0.0/8"),
                                                 ipaddress.ip_network("::1/128")))


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def system_resolver(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def check_url_allowed(url: str, *, policy: AddressPolicy = PUBLIC_ONLY,
                      resolver: Resolver = system_resolver) -> list[IPAddress]:
    """The addresses ``url`` may be fetched from; raises :class:`FetchError` if any is refused."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError("image.url_invalid", value=url, detail=str(exc)) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError("image.url_invalid", value=url, detail="scheme or host")
    try:
        addresses = [ipaddress.ip_address(parsed.host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a) for a in resolver(parsed.host)]
        except (OSError, UnicodeError, ValueError):
            addresses = []
    if not addresses:
        raise FetchError("image.url_unresolvable", value=url)
    for address in addresses:
        if not policy.allows(address):
            raise FetchError("image.url_refused", value=url, address=str(address))
    return addresses


def fetch_image_url(url: str, *, client: httpx.Client, policy: AddressPolicy = PUBLIC_ONLY,
                    max_bytes: int = 20_000_000, timeout: float = 15.0, resolver: Resolver = system_resolver,
                    max_redirects: int = 3) -> bytes:
    """The body of an ``image/*`` response at ``url``, at most ``max_bytes``, within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    current = url
    for _ in range(max_redirects + 1):
        try:
            addresses = check_url_allowed(current, policy=policy, resolver=resolver)
        except FetchError as error:
            if current == url:
                raise
            # Report the URL the user gave; the hop that was refused goes along with it.
            raise FetchError(error.code, **{**error.params, "value": url, "redirect": current}) from None
        request = _pinned_request(client, current, addresses[0], timeout)
        try:
            response = client.send(request, stream=True, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise FetchError("image.fetch_failed", value=url, detail=type(exc).__name__) from None
        try:
            if response.is_redirect and "location" in response.headers:
                current = str(httpx.URL(current).join(response.headers["location"]))
                continue
            return _read_body(response, url, max_bytes, deadline)
        finally:
            response.close()
    raise FetchError("image.fetch_redirects", value=url)


def _pinned_request(client: httpx.Client, url: str, address: IPAddress, timeout: float) -> httpx.Request:
    parsed = httpx.URL(url)
    host_header = parsed.host if parsed.port is None else f"{parsed.host}:{parsed.port}"
    if ":" in parsed.host:  # an IPv6 literal goes back in brackets
        host_header = f"[{parsed.host}]" if parsed.port is None else f"[{parsed.host}]:{parsed.port}"
    extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    return client.build_request("GET", parsed.copy_with(host=str(address)), headers={"Host": host_header},
                                timeout=httpx.Timeout(timeout), extensions=extensions)


def _read_body(response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    if response.status_code != 200:
        raise FetchError("image.fetch_status", value=url, status=response.status_code)
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if not content_type.startswith("image/"):
        raise FetchError("image.fetch_not_image", value=url, content_type=content_type or "?")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("image.fetch_too_large", value=url, max_bytes=max_bytes)
    chunks: list[bytes] = []
    received = 0
    try:
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > max_bytes:
                raise FetchError("image.fetch_too_large", value=url, max_bytes=max_bytes)
            if time.monotonic() > deadline:
                raise FetchError("image.fetch_failed", value=url, detail="timeout")
            chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise FetchError("image.fetch_failed", value=url, detail=type(exc).__name__) from None
    return b"".join(chunks)
