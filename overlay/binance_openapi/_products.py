"""The six client classes: one per product, sync and async twins with the same methods."""

from __future__ import annotations

from binance_coinm.client import Client as _CoinMRaw
from binance_coinm.facade import AsyncCoinMFacade, CoinMFacade
from binance_spot.client import Client as _SpotRaw
from binance_spot.facade import AsyncSpotFacade, SpotFacade
from binance_usdm.client import Client as _UsdMRaw
from binance_usdm.facade import AsyncUsdMFacade, UsdMFacade

from ._client import AsyncClient, SyncClient


class Spot(SyncClient, SpotFacade):
    """Binance Spot (``/api/v3``), synchronous. See ``SyncClient`` for the parameters."""

    product = "spot"

    def _raw_client(self) -> _SpotRaw:
        return _SpotRaw(base_url=self.base_url)


class AsyncSpot(AsyncClient, AsyncSpotFacade):
    """Binance Spot (``/api/v3``), asynchronous."""

    product = "spot"

    def _raw_client(self) -> _SpotRaw:
        return _SpotRaw(base_url=self.base_url)


class UsdM(SyncClient, UsdMFacade):
    """Binance USDⓈ-M futures (``/fapi``), synchronous."""

    product = "usdm"

    def _raw_client(self) -> _UsdMRaw:
        return _UsdMRaw(base_url=self.base_url)


class AsyncUsdM(AsyncClient, AsyncUsdMFacade):
    """Binance USDⓈ-M futures (``/fapi``), asynchronous."""

    product = "usdm"

    def _raw_client(self) -> _UsdMRaw:
        return _UsdMRaw(base_url=self.base_url)


class CoinM(SyncClient, CoinMFacade):
    """Binance COIN-M futures (``/dapi``), synchronous."""

    product = "coinm"

    def _raw_client(self) -> _CoinMRaw:
        return _CoinMRaw(base_url=self.base_url)


class AsyncCoinM(AsyncClient, AsyncCoinMFacade):
    """Binance COIN-M futures (``/dapi``), asynchronous."""

    product = "coinm"

    def _raw_client(self) -> _CoinMRaw:
        return _CoinMRaw(base_url=self.base_url)


__all__ = ["AsyncCoinM", "AsyncSpot", "AsyncUsdM", "CoinM", "Spot", "UsdM"]
