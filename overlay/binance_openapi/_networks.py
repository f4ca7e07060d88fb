"""Where each product's REST API lives on each Binance network."""

from __future__ import annotations

from typing import Literal

Network = Literal["mainnet", "testnet", "demo"]
Product = Literal["spot", "usdm", "coinm"]

REST_URLS: dict[Product, dict[Network, str]] = {
    "spot": {
        "mainnet": "https://api.binance.com",
        "testnet": "https://testnet.binance.vision",
        "demo": "https://demo-api.binance.com",
    },
    "usdm": {
        "mainnet": "https://fapi.binance.com",
        "testnet": "https://testnet.binancefuture.com",
        "demo": "https://demo-fapi.binance.com",
    },
    "coinm": {
        "mainnet": "https://dapi.binance.com",
        "testnet": "https://testnet.binancefuture.com",
        "demo": "https://testnet.binancefuture.com",
    },
}


def rest_url(product: Product, network: Network) -> str:
    """The REST base URL of ``product`` on ``network``."""
    try:
        return REST_URLS[product][network]
    except KeyError:
        raise ValueError(f"network must be one of {', '.join(REST_URLS[product])}, not {network!r}") from None


__all__ = ["REST_URLS", "Network", "Product", "rest_url"]
