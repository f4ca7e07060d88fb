"""Typed, safe clients for Binance Spot, USDⓈ-M and COIN-M futures.

Usage::

    from decimal import Decimal
    from binance_openapi import HmacKey, UsdM

    with UsdM(key=HmacKey(api_key, secret), network="testnet") as client:
        order = client.new_order(symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                                 quantity=Decimal("0.010"), price=Decimal("60000.1"))
        order.price  # Decimal('60000.1')

The methods are generated from ``specs/*.yaml``; ``client.raw`` is the configured generated client for
the ``binance_<product>.api`` functions, which behave the same (signing, limits, retries, errors).
"""

# One version for the whole distribution (``pyproject.toml``), written into the generated packages.
from binance_spot import __version__ as __version__

from ._auth import BinanceAuth, signed_query
from ._clock import ServerClock
from ._errors import (
    AlgoOrderRequiredError,
    APIError,
    AuthenticationError,
    BadRequestError,
    BinanceError,
    ConfigurationError,
    FilterError,
    FilterRejectedError,
    InvalidParameterError,
    IPBannedError,
    KeyLoadError,
    LocalValidationError,
    MissingKeyError,
    OrderRejectedError,
    OrderStatusUnknownError,
    RateLimitError,
    RequestTimeoutError,
    ResponseShapeError,
    RiskLimitError,
    ServerError,
    SignatureError,
    StatusUnknownError,
    StreamConnectError,
    StreamTimeoutError,
    TimestampError,
    TransportError,
    UnknownOrderError,
)
from ._filters import ExchangeRules, SymbolRules, round_to_step
from ._keys import Ed25519Key, HmacKey, Key, RsaKey
from ._policy import ThrottledError
from ._products import AsyncCoinM, AsyncSpot, AsyncUsdM, CoinM, Spot, UsdM
from ._secret import Secret

__all__ = [
    "APIError",
    "AlgoOrderRequiredError",
    "AsyncCoinM",
    "AsyncSpot",
    "AsyncUsdM",
    "AuthenticationError",
    "BadRequestError",
    "BinanceAuth",
    "BinanceError",
    "CoinM",
    "ConfigurationError",
    "Ed25519Key",
    "ExchangeRules",
    "FilterError",
    "FilterRejectedError",
    "HmacKey",
    "IPBannedError",
    "InvalidParameterError",
    "Key",
    "KeyLoadError",
    "LocalValidationError",
    "MissingKeyError",
    "OrderRejectedError",
    "OrderStatusUnknownError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseShapeError",
    "RiskLimitError",
    "RsaKey",
    "Secret",
    "ServerClock",
    "ServerError",
    "SignatureError",
    "Spot",
    "StatusUnknownError",
    "StreamConnectError",
    "StreamTimeoutError",
    "SymbolRules",
    "ThrottledError",
    "TimestampError",
    "TransportError",
    "UnknownOrderError",
    "UsdM",
    "round_to_step",
    "signed_query",
]
