"""Cross-site request checks: does an Origin (or Referer) name the gateway's own origin?"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL, normalised; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def is_same_origin(*, origin: str | None, referer: str | None, own_origin: str) -> bool:
    """True when the request names `own_origin`: by its Origin header, or lacking one its Referer.

    `Origin: null` (sandboxed frames, some redirects) and a request naming neither are refused.
    """
    if origin is not None:
        return origin.strip().lower() != "null" and origin_of(origin) == own_origin
    if referer is not None:
        return origin_of(referer) == own_origin
    return False


def needs_origin_check(method: str, *, via_cookie: bool) -> bool:
    """Only state-changing requests authenticated by the browser's cookie can be forged cross-site."""
    return via_cookie and method.upper() in UNSAFE_METHODS
