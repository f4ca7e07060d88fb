"""Runner for ccxt (``ccxt.binance``, synchronous, requests).

Every URL in ``urls["api"]`` is rewritten to the loopback server; markets are loaded from its
``exchangeInfo`` (spot only), currency fetching, time-difference adjustment and ccxt's own rate limiter
are off. Run by ``bench/clients.py`` in ``.bench/ccxt``:

    .bench/ccxt/bin/python bench/runners/ccxt_binance.py --url http://127.0.0.1:PORT
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import ccxt
from _harness import API_KEY, SECRET, Runner, run


def _loopback(urls: dict[str, Any], base: str) -> dict[str, Any]:
    """The same URL tree, every absolute URL moved to ``base`` (path kept)."""
    moved: dict[str, Any] = {}
    for name, value in urls.items():
        if isinstance(value, dict):
            moved[name] = _loopback(value, base)
        elif isinstance(value, str) and value.startswith("http"):
            moved[name] = base + urlsplit(value).path
        else:
            moved[name] = value
    return moved


def build(url: str) -> Runner:
    exchange = ccxt.binance(
        {
            "apiKey": API_KEY,
            "secret": SECRET,
            "enableRateLimit": False,
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "adjustForTimeDifference": False,
                "fetchMargins": False,
            },
        }
    )
    exchange.urls["api"] = _loopback(exchange.urls["api"], url)
    exchange.load_markets()

    def order() -> Any:
        return exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 65000)

    def book() -> Any:
        return exchange.fetch_order_book("BTC/USDT", 1000)

    return Runner(
        order=order,
        book=book,
        order_id=lambda answer: answer["id"],
        bids=lambda answer: len(answer["bids"]),
        packages=["ccxt", "requests"],
        notes=["unified dicts: float prices and amounts; markets loaded once from exchangeInfo"],
    )


if __name__ == "__main__":
    run(build)
