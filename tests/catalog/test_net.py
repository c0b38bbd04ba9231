"""Fetching images by URL: the address policy (SSRF) and the capped, checked download."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import httpx
import pytest

from catalog.net import (
    ALLOW_LOOPBACK,
    PUBLIC_ONLY,
    FetchError,
    PublicAddressPolicy,
    check_url_allowed,
    fetch_image_url,
)

PUBLIC = "93.184.216.34"
JPEG = b"\xff\xd8\xff\xe0" + b"x" * 1000


def resolver(table: dict[str, list[str]]) -> Callable[[str], list[str]]:
    return lambda host: table.get(host, [])


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.5", "192.168.1.1", "169.254.169.254",
    "100.100.100.200", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1", "239.255.255.250", "ff02::1",
    "fe80::1", "fd00:ec2::254", "fc00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::",
    "64:ff9b::a9fe:a9fe", "240.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.1", "2001:db8::1",
])
def test_internal_and_special_addresses_are_refused(address: str) -> None:
    assert not PUBLIC_ONLY.allows(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert PUBLIC_ONLY.allows(ipaddress.ip_address(address))


def test_policies_are_injectable() -> None:
    assert ALLOW_LOOPBACK.allows(ipaddress.ip_address("127.0.0.1"))
    assert ALLOW_LOOPBACK.allows(ipaddress.ip_address("::1"))
    assert not ALLOW_LOOPBACK.allows(ipaddress.ip_address("10.0.0.1"))
    lan = PublicAddressPolicy(also_allow=(ipaddress.ip_network("10.0.0.0/8"),))
    assert lan.allows(ipaddress.ip_address("10.9.9.9"))


def test_check_url_allowed() -> None:
    dns = resolver({"shop.example": [PUBLIC], "meta.example": ["169.254.169.254"],
                    "mixed.example": [PUBLIC, "10.0.0.7"], "local.example": ["127.0.0.1"]})
    assert check_url_allowed("https://shop.example/a.jpg", resolver=dns) == [ipaddress.ip_address(PUBLIC)]
    assert check_url_allowed("http://local.example/a.jpg", policy=ALLOW_LOOPBACK, resolver=dns)
    cases = {"http://meta.example/latest/meta-data": "image.url_refused",
             "http://mixed.example/a.jpg": "image.url_refused",  # every address must pass (DNS rebinding)
             "http://local.example/a.jpg": "image.url_refused",
             "http://169.254.169.254/": "image.url_refused",
             "http://[::1]:8000/x.jpg": "image.url_refused",
             "http://nowhere.example/a.jpg": "image.url_unresolvable",
             "file:///etc/passwd": "image.url_invalid",
             "ftp://shop.example/a.jpg": "image.url_invalid",
             "not a url": "image.url_invalid"}
    for url, code in cases.items():
        with pytest.raises(FetchError) as caught:
            check_url_allowed(url, resolver=dns)
        assert caught.value.code == code, url


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


DNS = resolver({"shop.example": [PUBLIC], "evil.example": ["10.0.0.1"]})


def test_fetch_connects_to_the_vetted_address() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"content-type": "image/jpeg"}, content=JPEG)

    with _client(handler) as client:
        data = fetch_image_url("https://shop.example:8443/p/1.jpg?s=1", client=client, resolver=DNS)
    assert data == JPEG
    assert seen[0].url.host == PUBLIC
    assert seen[0].url.port == 8443
    assert seen[0].url.path == "/p/1.jpg"
    assert seen[0].headers["host"] == "shop.example:8443"
    assert seen[0].extensions["sni_hostname"] == "shop.example"


@pytest.mark.parametrize(("response", "code"), [
    (httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html>"), "image.fetch_not_image"),
    (httpx.Response(200, content=JPEG), "image.fetch_not_image"),
    (httpx.Response(404, headers={"content-type": "text/plain"}), "image.fetch_status"),
    (httpx.Response(200, headers={"content-type": "image/png", "content-length": "99999999"}, content=b"x"),
     "image.fetch_too_large"),
    (httpx.Response(200, headers={"content-type": "image/png"}, content=iter([b"x" * 1500] * 3)),
     "image.fetch_too_large"),
    (httpx.Response(302, headers={"location": "http://evil.example/x.jpg"}), "image.url_refused"),
    (httpx.Response(302, headers={"location": "http://169.254.169.254/latest"}), "image.url_refused"),
    (httpx.Response(301, headers={"location": "/again.jpg"}), "image.fetch_redirects"),
])
def test_fetch_refusals(response: httpx.Response, code: str) -> None:
    with _client(lambda request: response) as client, pytest.raises(FetchError) as caught:
        fetch_image_url("http://shop.example/a.jpg", client=client, resolver=DNS, max_bytes=4000)
    assert caught.value.code == code
    assert caught.value.to_dict("en")["value"] == "http://shop.example/a.jpg"
    if response.is_redirect and code == "image.url_refused":
        assert caught.value.params["redirect"] == response.headers["location"]


def test_fetch_follows_a_safe_redirect() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old.jpg":
            return httpx.Response(302, headers={"location": "/new.jpg"})
        return httpx.Response(200, headers={"content-type": "image/jpeg"}, content=JPEG)

    with _client(handler) as client:
        assert fetch_image_url("http://shop.example/old.jpg", client=client, resolver=DNS) == JPEG


def test_fetch_transport_errors_are_fetch_failed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with _client(handler) as client, pytest.raises(FetchError) as caught:
        fetch_image_url("http://shop.example/a.jpg", client=client, resolver=DNS)
    assert caught.value.code == "image.fetch_failed"
