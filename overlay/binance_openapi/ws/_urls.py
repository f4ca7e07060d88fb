"""Websocket base URLs of each product on each network, and the route of each stream.

USDⓈ-M serves its streams on three routes of its host since 2026-03-06 (the paths without a route were
retired on 2026-04-23): ``/public`` (book data), ``/market`` (every other market stream) and ``/private``
(user data), on mainnet, testnet and demo alike. A stream asked for on another route is accepted and never
sent, so every URL is built for the route of its streams (``binance_streams.routes``, compiled from the
stream specs). Spot and COIN-M have one path.
"""

from __future__ import annotations

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


__all__ = [
    "ROUTES",
    "STREAM_URLS",
    "WS_API_URLS",
    "local_urls",
    "route_of",
    "routed",
    "stream_url",
    "user_data_route",
    "with_route",
    "ws_api_url",
]
