"""Websocket base URLs of each product on each network."""

from __future__ import annotations

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
    """Base URL of market and user data streams (``/ws/<name>``, ``/stream?streams=``)."""
    return _pick(STREAM_URLS, product, network)


def ws_api_url(product: str, network: str = "mainnet") -> str:
    """URL of the WebSocket API."""
    return _pick(WS_API_URLS, product, network)


def local_urls(base_http_url: str, product: str) -> tuple[str, str]:
    """Stream base and WS API URL of a local server (the emulator) at ``base_http_url``.

    The emulator serves every product on one port: futures streams under ``/usdm`` and ``/coinm``
    (``base_http_url`` may already end with the product's prefix), the WebSocket APIs at their own paths.
    """
    ws = base_http_url.replace("https://", "wss://").replace("http://", "ws://").rstrip("/")
    root = ws.removesuffix("/coinm").removesuffix("/usdm").removesuffix("/spot")
    prefix = {"spot": "", "usdm": "/usdm", "coinm": "/coinm"}[product]
    return root + prefix, root + WS_API_PATHS[product]


__all__ = ["STREAM_URLS", "WS_API_URLS", "local_urls", "stream_url", "ws_api_url"]
