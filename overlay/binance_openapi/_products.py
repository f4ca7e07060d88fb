"""The six client classes: one per product, sync and async twins with the same methods.

Each joins a generated facade (one method per operation of the spec) to the shell that sends its calls.
"""

from __future__ import annotations

from binance_coinm.facade import AsyncCoinMFacade, CoinMFacade
from binance_spot.facade import AsyncSpotFacade, SpotFacade
from binance_usdm.facade import AsyncUsdMFacade, UsdMFacade

from ._client import AsyncClient, SyncClient


class Spot(SyncClient, SpotFacade):
    """Binance Spot (``/api/v3``), synchronous. The parameters are ``SyncClient``'s."""

    product = "spot"
    package = "binance_spot"


class AsyncSpot(AsyncClient, AsyncSpotFacade):
    """Binance Spot (``/api/v3``), asynchronous. The parameters are ``AsyncClient``'s."""

    product = "spot"
    package = "binance_spot"


class UsdM(SyncClient, UsdMFacade):
    """Binance USDⓈ-M futures (``/fapi``), synchronous. The parameters are ``SyncClient``'s."""

    product = "usdm"
    package = "binance_usdm"


class AsyncUsdM(AsyncClient, AsyncUsdMFacade):
    """Binance USDⓈ-M futures (``/fapi``), asynchronous. The parameters are ``AsyncClient``'s."""

    product = "usdm"
    package = "binance_usdm"


class CoinM(SyncClient, CoinMFacade):
    """Binance COIN-M futures (``/dapi``), synchronous. The parameters are ``SyncClient``'s."""

    product = "coinm"
    package = "binance_coinm"


class AsyncCoinM(AsyncClient, AsyncCoinMFacade):
    """Binance COIN-M futures (``/dapi``), asynchronous. The parameters are ``AsyncClient``'s."""

    product = "coinm"
    package = "binance_coinm"


__all__ = ["AsyncCoinM", "AsyncSpot", "AsyncUsdM", "CoinM", "Spot", "UsdM"]
