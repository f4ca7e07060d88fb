"""Typed, safe clients for Binance Spot, USDⓈ-M and COIN-M futures.

Usage::

    from decimal import Decimal
    from binance_openapi import HmacKey, UsdM

    with UsdM(key=HmacKey(api_key, secret), network="testnet") as client:
        order = client.new_order(symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                                 quantity=Decimal("0.010"), price=Decimal("60000.1"))
        order.price  # Decimal('60000.1')

The methods are generated from ``specs/*.yaml``; ``client.raw`` is the configured generated client for
the ``binance_<product>.api`` functions.
"""

from ._auth import BinanceAuth, MissingKeyError
from ._errors import APIError, BinanceError
from ._keys import HmacKey, Key
from ._products import AsyncCoinM, AsyncSpot, AsyncUsdM, CoinM, Spot, UsdM

__all__ = [
    "APIError",
    "AsyncCoinM",
    "AsyncSpot",
    "AsyncUsdM",
    "BinanceAuth",
    "BinanceError",
    "CoinM",
    "HmacKey",
    "Key",
    "MissingKeyError",
    "Spot",
    "UsdM",
]
