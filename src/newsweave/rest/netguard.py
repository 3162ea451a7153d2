"""Refuse URLs that point into the server's own network (SSRF guard for ingest by URL).

A URL is fetched only when its scheme is http(s) and *every* address its host resolves to is a
public one: loopback (127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7),
link-local (169.254/16 — cloud metadata lives at 169.254.169.254 —, fe80::/10), carrier-grade
NAT, multicast, reserved and unspecified addresses are refused, as are IPv4-mapped IPv6 forms
of them. The fetch itself connects to the address that was checked (no second DNS lookup that
could answer differently) and follows no redirects, so a public URL cannot bounce into the
private network.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import InputError

_CGNAT = ipaddress.ip_network("100.64.0.0/10")


@dataclass
class Target:
    url: str
    scheme: str
    host: str
    port: int
    address: str  # the checked IP address to connect to


def is_public(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or not ip.is_global)


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(host, f"cannot resolve host: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, *, allow_private: bool = False) -> Target:
    """The URL's target after checking scheme and every resolved address; InputError if refused."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise InputError(url, f"only http and https URLs can be ingested, not {parts.scheme or 'no scheme'!r}")
    host = parts.hostname
    if not host:
        raise InputError(url, "the URL has no host")
    if parts.username or parts.password:
        raise InputError(url, "URLs with credentials are not accepted")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise InputError(url, f"bad port: {exc}") from exc
    addrs = resolve(host, port)
    if not addrs:
        raise InputError(url, "the host resolves to no address")
    if not allow_private:
        bad = [a for a in addrs if not is_public(a)]
        if bad:
            raise InputError(
                url, f"refused: {host} resolves to a loopback, private or link-local address ({', '.join(bad)}); "
                "the operator can allow this with allow_private_urls",
            )
    return Target(url=url, scheme=parts.scheme, host=host, port=port, address=addrs[0])


def fetch(url: str, *, allow_private: bool = False, max_bytes: int = 5_000_000, timeout: float = 15.0
          ) -> tuple[bytes, str | None]:
    """GET a checked URL: (body, content type). No redirects; the body is capped at ``max_bytes``."""
    import httpx

    t = check_url(url, allow_private=allow_private)
    host = f"[{t.address}]" if ":" in t.address else t.address
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"Host": t.host if t.port in (80, 443) else f"{t.host}:{t.port}", "User-Agent": "newsweave/0.1"}
    ext = {"sni_hostname": t.host} if t.scheme == "https" else {}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, verify=True) as client, client.stream(
            "GET", f"{t.scheme}://{host}:{t.port}{path}", headers=headers, extensions=ext
        ) as resp:
            if resp.status_code >= 300:
                raise InputError(url, f"the server answered {resp.status_code}; redirects are not followed")
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(url, f"the page is larger than {max_bytes:,} bytes")
                chunks.append(chunk)
            return b"".join(chunks), resp.headers.get("content-type")
    except httpx.HTTPError as exc:
        raise InputError(url, f"cannot fetch: {exc}") from exc
