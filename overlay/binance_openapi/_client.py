"""The client shells: configuration shared by sync and async, and the one place requests are sent."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import httpx

from ._auth import BinanceAuth, _local_clock_ms
from ._errors import error_from_response
from ._keys import Key
from ._networks import Network, Product, rest_url
from ._operation import OperationLike

T = TypeVar("T")
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class _Config:
    """What sync and async clients share: where to send, how to sign."""

    product: ClassVar[Product]

    def _configure(
        self,
        *,
        key: Key | None,
        network: Network,
        base_url: str | None,
        recv_window: int | None,
        clock: Callable[[], int] | None,
    ) -> None:
        self.base_url = base_url or rest_url(self.product, network)
        self.network = network if base_url is None else None
        self.auth = BinanceAuth(key, recv_window=recv_window, clock=clock or _local_clock_ms)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, key={self.auth.key!r})"


class SyncClient(_Config):
    """Base of ``Spot``, ``UsdM`` and ``CoinM``: sends the facade's requests with ``httpx.Client``.

    **Parameters:**

    * **key** - an API key (``HmacKey``...); without one only public calls work.
    * **network** - ``"mainnet"``, ``"testnet"`` or ``"demo"``; ignored when ``base_url`` is given.
    * **base_url** - send to this address instead (the local emulator, a proxy...).
    * **recv_window** - milliseconds a signed request stays valid.
    * **timeout** - an ``httpx.Timeout`` or seconds.
    * **transport** - an ``httpx`` transport (``httpx.MockTransport`` in tests).
    * **clock** - returns the current time in milliseconds.
    """

    def __init__(
        self,
        *,
        key: Key | None = None,
        network: Network = "mainnet",
        base_url: str | None = None,
        recv_window: int | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self._configure(key=key, network=network, base_url=base_url, recv_window=recv_window, clock=clock)
        self.http = httpx.Client(base_url=self.base_url, auth=self.auth, timeout=timeout, transport=transport)

    @property
    def raw(self) -> Any:
        """The generated ``Client``, configured like this one, for ``binance_<product>.api`` functions."""
        return self._raw_client().set_httpx_client(self.http)

    def _raw_client(self) -> Any:
        raise NotImplementedError

    def _call(
        self, operation: OperationLike, request: dict[str, Any], parse: Callable[[httpx.Response], T]
    ) -> T:
        response = self.http.request(**request)
        if not response.is_success:
            raise error_from_response(response, operation)
        return parse(response)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClient(_Config):
    """Base of ``AsyncSpot``, ``AsyncUsdM`` and ``AsyncCoinM``: the same, with ``httpx.AsyncClient``.

    Takes the same parameters as ``SyncClient`` (``transport`` is an ``httpx.AsyncBaseTransport``).
    """

    def __init__(
        self,
        *,
        key: Key | None = None,
        network: Network = "mainnet",
        base_url: str | None = None,
        recv_window: int | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self._configure(key=key, network=network, base_url=base_url, recv_window=recv_window, clock=clock)
        self.http = httpx.AsyncClient(
            base_url=self.base_url, auth=self.auth, timeout=timeout, transport=transport
        )

    @property
    def raw(self) -> Any:
        """The generated ``Client``, configured like this one, for ``binance_<product>.api`` functions."""
        return self._raw_client().set_async_httpx_client(self.http)

    def _raw_client(self) -> Any:
        raise NotImplementedError

    async def _call(
        self, operation: OperationLike, request: dict[str, Any], parse: Callable[[httpx.Response], T]
    ) -> T:
        response = await self.http.request(**request)
        if not response.is_success:
            raise error_from_response(response, operation)
        return parse(response)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


__all__ = ["AsyncClient", "SyncClient"]
