"""Websocket base URLs of each product on each network, and the route of each stream.

USDⓈ-M serves its streams on three routes of its host since 2026-03-06 (the paths without a route were
retired on 2026-04-23): ``/public`` (book data), ``/market`` (every other market stream) and ``/private``
(user data), on mainnet, testnet and demo alike. A stream asked for on another route is accepted and never
sent, so every URL is built for the route of its streams (``binance_streams.routes``, compiled from the
stream specs). Spot and COIN-M have one path.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from binance_openapi._errors import ConfigurationError
from binance_openapi._networks import REST_URLS
from binance_streams import routes as _routes

STREAM_URLS: dict[str, dict[str, str]] = {
    "spot": {
        "mainnet": "wss://stream.binance.com:9443",
        "testnet": "wss://stream.testnet.binance.vision",
        "demo": "wss://demo-stream.binance.com:9443",
    },
    "usdm": {
        "mainnet": "wss://fstream.binance.com",
        "testnet": "wss://fstream.binancefuture.com",
        "demo": "wss://fstream.binancefuture.com",
    },
    "coinm": {
        "mainnet": "wss://dstream.binance.com",
        "testnet": "wss://dstream.binancefuture.com",
        "demo": "wss://dstream.binancefuture.com",
    },
}
WS_API_URLS: dict[str, dict[str, str]] = {
    "spot": {
        "mainnet": "wss://ws-api.binance.com:443/ws-api/v3",
        "testnet": "wss://ws-api.testnet.binance.vision/ws-api/v3",
        "demo": "wss://demo-ws-api.binance.com/ws-api/v3",
    },
    "usdm": {
        "mainnet": "wss://ws-fapi.binance.com/ws-fapi/v1",
        "testnet": "wss://testnet.binancefuture.com/ws-fapi/v1",
        "demo": "wss://testnet.binancefuture.com/ws-fapi/v1",
    },
    "coinm": {
        "mainnet": "wss://ws-dapi.binance.com/ws-dapi/v1",
        "testnet": "wss://testnet.binancefuture.com/ws-dapi/v1",
        "demo": "wss://testnet.binancefuture.com/ws-dapi/v1",
    },
}
WS_API_PATHS = {"spot": "/ws-api/v3", "usdm": "/ws-fapi/v1", "coinm": "/ws-dapi/v1"}


def _pick(table: dict[str, dict[str, str]], product: str, network: str) -> str:
    try:
        return table[product][network]
    except KeyError:
        raise ValueError(f"unknown product/network {product!r}/{network!r}") from None


def stream_url(product: str, network: str = "mainnet") -> str:
    """Base URL of the product's stream host (before the route, on a product with routes)."""
    return _pick(STREAM_URLS, product, network)


def route_of(product: str, stream: str) -> str | None:
    """The route that sends market stream ``stream`` (``"public"``, ``"market"``); ``None`` on a product
    without routes."""
    return _routes.route_of(product, stream)


def routed(product: str) -> bool:
    """Whether the product's stream host serves its streams on routes."""
    return _routes.routed(product)


def user_data_route(product: str) -> str | None:
    """The route of user data (listenKey) streams; ``None`` on a product without routes."""
    return _routes.USER_DATA.get(product)


def with_route(base: str, route: str | None) -> str:
    """``base`` followed by ``/<route>`` (a route that ``base`` already ends with is replaced)."""
    base = base.rstrip("/")
    if route is None:
        return base
    for known in ROUTES:
        if base.endswith(f"/{known}"):
            base = base[: -len(known) - 1]
    return f"{base}/{route}"


ROUTES: tuple[str, ...] = tuple(dict.fromkeys(r for names in _routes.ROUTES.values() for r in names))


def ws_api_url(product: str, network: str = "mainnet") -> str:
    """URL of the WebSocket API."""
    return _pick(WS_API_URLS, product, network)


def local_urls(base_http_url: str, product: str) -> tuple[str, str]:
    """Stream base and WS API URL of a local server (the emulator) at ``base_http_url``.

    The emulator serves every product on one port: futures streams under ``/usdm`` and ``/coinm``
    (``base_http_url`` may already end with the product's prefix; USDⓈ-M's routes follow the prefix,
    ``/usdm/market/stream``), the WebSocket APIs at their own paths.
    """
    ws = base_http_url.replace("https://", "wss://").replace("http://", "ws://").rstrip("/")
    root = ws.removesuffix("/coinm").removesuffix("/usdm").removesuffix("/spot")
    prefix = {"spot": "", "usdm": "/usdm", "coinm": "/coinm"}[product]
    return root + prefix, root + WS_API_PATHS[product]


_NETWORKS = ("mainnet", "testnet", "demo")


def resolve_ws_api_url(
    product: str, *, network: str = "mainnet", base_url: str | None = None, url: str | None = None
) -> str:
    """The WebSocket API URL for these arguments, as ``UsdM(...)`` and ``MarketStream(...)`` take them.

    ``url`` is the WebSocket API's own address; ``base_url`` a server's base address (the local
    emulator's ``http://127.0.0.1:8650``, its ``ws://`` form, or a Binance REST host, which stands for
    its network); otherwise ``network``. Raises ``ConfigurationError`` saying what to pass instead.
    """
    if product not in WS_API_URLS:
        raise ConfigurationError(f"product must be one of {', '.join(WS_API_URLS)}, not {product!r}")
    if network not in _NETWORKS:
        raise ConfigurationError(
            f"network must be one of {', '.join(_NETWORKS)}, not {network!r}; for another server pass "
            "base_url= (its base address, e.g. http://127.0.0.1:8650 for the local emulator) or url="
        )
    if url is not None and base_url is not None:
        raise ConfigurationError(
            "pass url= (the WebSocket API's own address, e.g. "
            f"{WS_API_URLS[product]['mainnet']}) or base_url= (a server's base address, e.g. "
            "http://127.0.0.1:8650 for the local emulator), not both"
        )
    if url is not None:
        if urlsplit(url).scheme not in ("ws", "wss"):
            raise ConfigurationError(
                f"url= is the WebSocket API's ws:// or wss:// address, not {url!r}; "
                "for a server's http(s):// base address pass base_url="
            )
        return url
    if base_url is None:
        return WS_API_URLS[product][network]
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise ConfigurationError(
            "base_url must be an http(s):// or ws(s):// address such as http://127.0.0.1:8650, "
            f"not {base_url!r}"
        )
    for known, rest in REST_URLS[product].items():  # type: ignore[index]  # product is checked above
        if base_url.rstrip("/") == rest:
            return WS_API_URLS[product][known]
    path = parts.path.rstrip("/")
    for other, api_path in WS_API_PATHS.items():
        if path.endswith(api_path):
            if other != product:
                raise ConfigurationError(
                    f"base_url {base_url!r} is the {other} WebSocket API, not {product}'s: pass the "
                    f"server's base address (without {api_path})"
                )
            scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
            return parts._replace(scheme=scheme).geturl().rstrip("/")
    return local_urls(base_url, product)[1]


def resolve_rest_url(
    product: str,
    *,
    network: str = "mainnet",
    base_url: str | None = None,
    url: str | None = None,
    rest_base_url: str | None = None,
) -> str | None:
    """The REST base address of the server a WebSocket API client was pointed at, for what its WebSocket
    API does not serve (the futures clock and exchange rules): ``rest_base_url`` when given; the
    network's REST host (for ``network``, or a ``base_url`` that is a Binance REST or WebSocket API
    host); the ``http(s)://`` form of a local server's ``base_url``; ``None`` with only ``url``."""
    if rest_base_url is not None:
        if urlsplit(rest_base_url).scheme not in ("http", "https"):
            raise ConfigurationError(
                f"rest_base_url= is a REST server's http(s):// address, not {rest_base_url!r}"
            )
        return rest_base_url.rstrip("/")
    if url is not None:
        return None
    if base_url is None:
        return str(REST_URLS[product][network])  # type: ignore[index]  # checked by resolve_ws_api_url
    parts = urlsplit(base_url)
    for known, ws in WS_API_URLS[product].items():
        if parts.netloc and parts.netloc in (urlsplit(ws).netloc, urlsplit(ws).hostname):
            return str(REST_URLS[product][known])  # type: ignore[index]
    path = parts.path.rstrip("/").removesuffix(WS_API_PATHS[product])
    path = path.removesuffix("/coinm").removesuffix("/usdm").removesuffix("/spot")
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return parts._replace(scheme=scheme, path=path, query="", fragment="").geturl().rstrip("/")


__all__ = [
    "ROUTES",
    "STREAM_URLS",
    "WS_API_URLS",
    "local_urls",
    "resolve_rest_url",
    "resolve_ws_api_url",
    "route_of",
    "routed",
    "stream_url",
    "user_data_route",
    "with_route",
    "ws_api_url",
]
