"""URL canonicalisation and host matching, shared by outlet specs and discovery.

A canonical URL is what an article's id is derived from, so two spellings of one page
(``HTTP://Ria.RU:443/x#top?utm_source=rss``) must give one string. Path case is kept:
servers are free to treat ``/World`` and ``/world`` as different pages.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, quote, unquote_plus, urlsplit, urlunsplit

__all__ = ["InvalidURL", "address_scope", "canonicalize_url", "host_matches", "host_port", "path_and_query"]

# Query parameters that only say how a reader arrived; they never select content.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "ocid", "spm",
    }
)
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left unescaped when re-quoting: URL delimiters and existing escapes.
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


class InvalidURL(ValueError):
    """Raised by :func:`canonicalize_url` for a URL that is not absolute http(s)."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def _requote(text: str, safe: str) -> str:
    # Percent-encode non-ASCII (IRIs) as UTF-8 and upper-case existing escapes, so
    # an encoded and an unencoded spelling of one path compare equal.
    quoted = quote(text, safe=safe)
    return _ESCAPE.sub(lambda m: m.group(0).upper(), quoted)


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL {url!r}: {exc}") from exc
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidURL(f"not an absolute http(s) URL: {url!r}")
    return parts


def canonicalize_url(url: str) -> str:
    """Return the canonical spelling of an absolute http(s) URL.

    Lower-cases scheme and host, drops a trailing dot on the host, the default port,
    the fragment and tracking parameters (``utm_*``, ``fbclid``, ...), percent-encodes
    non-ASCII characters and keeps path case and the order of the other parameters.
    Raises :class:`InvalidURL` for anything that is not absolute http(s).
    """
    parts = _split(url)
    scheme = parts.scheme.lower()
    host = parts.hostname.rstrip(".")  # hostname is already lower-case
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        netloc = f"{parts.netloc.rsplit('@', 1)[0]}@{netloc}"
    path = _requote(parts.path or "/", _SAFE_PATH)
    # Filter the raw pieces rather than decode and re-encode them: decoding would turn
    # an escaped '&' or '=' inside a value into a delimiter.
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(unquote_plus(p.split("=", 1)[0]))]
    query = _requote("&".join(kept), _SAFE_QUERY)
    return urlunsplit((scheme, netloc, path, query, ""))


def host_matches(url: str, domains: tuple[str, ...]) -> bool:
    """True when the URL's host is one of ``domains`` or a subdomain of one.

    A domain written with a port (``127.0.0.1:8001``) matches only that port (the
    scheme's default when the URL has none); one without a port matches any port.
    """
    try:
        parts = _split(url)
    except InvalidURL:
        return False
    host = parts.hostname.rstrip(".")
    port = parts.port or _DEFAULT_PORTS[parts.scheme.lower()]
    for domain in domains:
        name, _, want_port = domain.partition(":")
        if want_port and int(want_port) != port:
            continue
        if host == name or host.endswith("." + name):
            return True
    return False


def path_and_query(url: str) -> str:
    """The part of a URL that outlet patterns are searched in: path plus ``?query``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def host_port(url: str) -> tuple[str, int]:
    """The URL's host (lower case, no brackets) and port (the scheme's default if none)."""
    parts = _split(url)
    return parts.hostname.rstrip("."), parts.port or _DEFAULT_PORTS[parts.scheme.lower()]


# Ranges ipaddress does not flag as private but no public web server lives in: shared
# address space (carrier-grade NAT), and IPv6 site-local (deprecated, still routed inside).
_INTERNAL_NETS = (ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("fec0::/10"))


def address_scope(address: str) -> str:
    """Where an IP address lives: ``public``, ``loopback``, ``link-local`` (this includes
    the cloud metadata endpoint 169.254.169.254), ``private`` (RFC 1918, unique-local,
    shared address space), or ``reserved`` (unspecified, multicast, documentation and other
    special-purpose ranges). An IPv4 address mapped into IPv6 counts as itself.

    Pure: no resolution. Anything that is not an IP literal raises ``ValueError``.
    """
    ip = ipaddress.ip_address(address.strip("[]"))
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "reserved"
    if ip.is_private or any(ip in net for net in _INTERNAL_NETS if net.version == ip.version):
        # is_private also covers documentation and benchmarking ranges: none is public.
        return "private"
    if not ip.is_global:
        return "reserved"
    return "public"
