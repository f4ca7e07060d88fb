"""The client shells: configuration shared by sync and async clients, and the one place a call is made.

``_Core`` holds everything both share (key, clock, rate-limit ledgers, exchange rules, the policy) and
builds requests; ``SyncClient`` and ``AsyncClient`` only add the I/O: an ``httpx`` client that runs each
call through the policy flow, and the two methods that fetch ``exchangeInfo``.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Callable, Generator
from decimal import Decimal
from types import ModuleType, TracebackType
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from . import _logging
from ._async_transport import AsyncHttpTransport
from ._auth import RECV_WINDOW_EXTENSION, BinanceAuth, check_recv_window
from ._clock import ServerClock
from ._drift import drifted, parse_answer, strict_default
from ._errors import APIError, BinanceError, TransportError
from ._filters import ExchangeRules, SymbolRules
from ._guard import RiskConfig, RiskHook
from ._http import AsyncBinanceHttpClient, BinanceHttpClient
from ._keys import Key
from ._limits import Limits
from ._limits import Policy as LimitPolicy
from ._networks import Network, Product, rest_url
from ._operation import EXTENSION, OperationLike
from ._order_check import ORDER_HTTP_METHODS, check_orders, orders_to_check
from ._policy import Action, Policy, fetch
from ._transport import HttpClientTransport
from ._urls import encode_query
from ._validation import check_url_length
from ._validation import install as install_checks

T = TypeVar("T")
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class _Core:
    """What sync and async clients share: where to send, how to sign, what limits and rules apply."""

    product: ClassVar[Product]
    package: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "package" in vars(cls):  # a product's client: check the arguments of its facade methods
            install_checks(cls, cls.package)

    def _configure(
        self,
        *,
        key: Key | None,
        network: Network,
        base_url: str | None,
        recv_window: int | Decimal | str | None,
        clock: ServerClock | None,
        rate_limit: LimitPolicy,
        max_wait: float,
        retries: int,
        validate_orders: bool,
        strict: bool | None,
        risk: RiskConfig | None,
    ) -> None:
        self.strict = strict_default(strict)
        self._shape = importlib.import_module(f"{self.package}._shape")
        self.base_url = (base_url or rest_url(self.product, network)).rstrip("/")
        self.network: Network | None = network if base_url is None else None
        self.clock = clock or ServerClock()
        self.limits = Limits.shared(
            self.product, urlsplit(self.base_url).netloc, key.api_key if key else None, rate_limit, max_wait
        )
        self.auth = BinanceAuth(
            key,
            recv_window=recv_window,
            clock=self.clock,
            time_path=self._operation("server_time").path,
            decimal_recv_window=self.product == "spot",
            is_banned=lambda: self.limits.ip.banned(self.clock.now_ms()),
        )
        self._rules: ExchangeRules | None = None
        self._recv_window: str | None = None
        _logging.install()
        self._check_filters = validate_orders
        self.policy = Policy(
            limits=self.limits,
            clock=self.clock,
            retries=retries,
            validate=self._validate,
            strict=self.strict,
            failed=self._failed,
        )
        self.risk: RiskHook | None = risk.guard_for(self) if risk is not None else None

    @classmethod
    def _api(cls) -> ModuleType:
        return importlib.import_module(f"{cls.package}.api")

    @classmethod
    def _operation(cls, operation_id: str) -> OperationLike:
        found: OperationLike = cls._api().operation(operation_id)
        return found

    def _prepare(self, request: dict[str, Any], operation: OperationLike) -> dict[str, Any]:
        """The ``httpx`` request arguments of a facade call: per-call options, the client order id of an
        order (so that it is in the request from the start), and the query encoded into an absolute URL
        (parsed once)."""
        extensions = request["extensions"]
        if self._recv_window is not None:
            extensions = {**extensions, RECV_WINDOW_EXTENSION: self._recv_window}
        params = request.get("params") or {}
        idempotency = operation.extensions.get("x-binance-idempotency")
        if idempotency and not idempotency.get("batchParam"):
            name = idempotency["clientIdParam"]
            if not params.get(name):
                params = {**params, name: self.policy.client_id_prefix + self.policy.new_id()}
        url = self.base_url + request["url"]
        if params:
            url = f"{url}?{encode_query(params)}"
            check_url_length(url, params, operation.id)
        return {"method": request["method"], "url": url, "extensions": extensions}

    def _parse(
        self, operation: OperationLike, response: httpx.Response, parse: Callable[[httpx.Response], T]
    ) -> T:
        return parse_answer(self._shape, operation, response, parse, strict=self.strict)

    def _on_drift(self, operation: OperationLike, surprises: Any, response: httpx.Response) -> None:
        drifted(self._shape, operation, surprises, response, strict=self.strict)

    def _raw_client(self) -> Any:
        return importlib.import_module(f"{self.package}.client").Client(
            base_url=self.base_url, on_drift=self._on_drift
        )

    def with_options(self, *, recv_window: int | Decimal | str | None = None) -> Self:
        """A view of this client (same connection, clock and limits) whose calls use these options.

        ``client.with_options(recv_window=10000).new_order(...)``.
        """
        view = copy.copy(self)
        view._recv_window = check_recv_window(recv_window, decimals=self.product == "spot")
        return view

    # -- exchange rules -----------------------------------------------------------------------------

    def _exchange_info_request(self) -> httpx.Request:
        operation = self._operation("exchange_info")
        return httpx.Request("GET", f"{self.base_url}{operation.path}", extensions={EXTENSION: operation})

    def _store_rules(self, response: httpx.Response) -> ExchangeRules:
        data = json.loads(response.content, parse_float=Decimal)
        rules = ExchangeRules.from_exchange_info(data)
        self.limits.configure(rules.rate_limits)
        self._rules = rules
        return rules

    def _validate(self, request: httpx.Request, operation: OperationLike) -> Generator[Action, Any, None]:
        """Check an order against its symbol's exchange filters (``check_orders``, the check the WebSocket
        API's orders pass too), then the client's risk rules, before it is sent."""
        if operation.method not in ORDER_HTTP_METHODS:
            return
        if self._check_filters:
            yield from self._check_order_filters(request, operation)
        if self.risk is not None:
            yield from self.risk.check_request(request, operation)

    def _failed(self, operation: OperationLike, error: BinanceError) -> None:
        if self.risk is not None:
            self.risk.failed(operation.id, error)

    def _check_order_filters(
        self, request: httpx.Request, operation: OperationLike
    ) -> Generator[Action, Any, None]:
        idempotency = operation.extensions.get("x-binance-idempotency") or {}
        orders = orders_to_check(dict(request.url.params), idempotency.get("batchParam"))
        if not orders:
            return
        if self._rules is None:
            response = yield from fetch(self._exchange_info_request(), self.policy)
            self._store_rules(response)
        assert self._rules is not None
        check_orders(self._rules, orders)

    # -- errors that say what to change --------------------------------------------------------------

    def _explain(self, error: BaseException, method: str, operation: OperationLike) -> None:
        """Add what the caller needs to an error of their call ``method``: which method it was,
        for a transport error the request that failed and why the client sent it, for an answer from
        Binance the likely cause and fix (with the symbols and key this client holds)."""
        called = f"{type(self).__name__}.{method}"
        if isinstance(error, TransportError):
            error.with_context(called=called, purpose=self._purpose(error, operation.path))
        elif isinstance(error, APIError):
            error.explained(
                called=called,
                operation=operation,
                symbols=tuple(self._rules.symbols) if self._rules is not None else (),
                key_kind=type(self.auth.key).__name__ if self.auth.key is not None else "",
                where=f"{self.network}, {self.base_url}" if self.network else self.base_url,
            )

    def _purpose(self, error: TransportError, path: str) -> str:
        """Why the client sent the request that failed, when it is not the call itself."""
        cause = error.__cause__
        try:
            failed = cause.request.url.path if isinstance(cause, httpx.TransportError) else path
        except RuntimeError:
            return ""
        if failed == path:
            return ""
        if failed == self._operation("exchange_info").path:
            return "fetched to check the order's filters"
        if failed == self.auth.time_path:
            return "fetched to measure the server clock before signing"
        return "sent by the client for this call"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, key={self.auth.key!r})"


class SyncClient(_Core):
    """Base of ``Spot``, ``UsdM`` and ``CoinM``: sends the facade's requests with ``httpx``.

    **Parameters:**

    * **key** - an API key (``HmacKey``, ``RsaKey``, ``Ed25519Key``); without one only public calls work.
    * **network** - ``"mainnet"``, ``"testnet"`` or ``"demo"``; ignored when ``base_url`` is given.
    * **base_url** - send to this address instead (the local emulator, a proxy...).
    * **recv_window** - milliseconds a signed request stays valid (at most 60000; spot allows three
      decimals). ``with_options(recv_window=...)`` overrides it per call.
    * **timeout** - an ``httpx.Timeout`` or seconds.
    * **rate_limit** - ``"wait"`` (default) sleeps until a full rate-limit window resets; ``"raise"``
      raises ``ThrottledError`` instead. ``max_wait`` caps the sleep (seconds).
    * **retries** - how many times a GET is retried after a transport error or a 5XX, and an order is
      sent again after Binance positively says it does not exist.
    * **validate_orders** - check orders against the exchange filters before sending (default on).
    * **risk** - risk rules (``binance_openapi.safety.RiskRules``) checked before every order is sent;
      the guard they make is ``client.risk`` (``reset()`` re-opens its circuit breaker).
    * **strict** - raise ``ResponseShapeError`` when an answer departs from the spec, instead of parsing
      it tolerantly (a missing field reads as ``UNSET``, another type keeps its raw value) and logging
      the departure once to ``binance_openapi.drift``. Default: on when the environment variable
      ``BINANCE_OPENAPI_STRICT`` is ``1``, else off.
    * **clock** - a ``ServerClock`` (its ``resync_interval`` turns on periodic resynchronisation).
    * **transport**, **proxy**, **httpx_args** - passed to ``httpx.Client`` (``httpx.MockTransport`` in
      tests, a proxy URL, or any other ``httpx.Client`` argument such as ``verify`` or ``limits``).
      Without a transport or proxy the client uses ``HttpClientTransport`` (keep-alive ``http.client``
      connections: a fraction of httpcore's CPU per call); the async clients ``AsyncHttpTransport``
      (asyncio streams and ``h11``).
    """

    def __init__(
        self,
        *,
        key: Key | None = None,
        network: Network = "mainnet",
        base_url: str | None = None,
        recv_window: int | Decimal | str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        rate_limit: LimitPolicy = "wait",
        max_wait: float = 60.0,
        retries: int = 3,
        validate_orders: bool = True,
        strict: bool | None = None,
        risk: RiskConfig | None = None,
        clock: ServerClock | None = None,
        transport: httpx.BaseTransport | None = None,
        proxy: str | None = None,
        httpx_args: dict[str, Any] | None = None,
    ) -> None:
        self._configure(
            key=key,
            network=network,
            base_url=base_url,
            recv_window=recv_window,
            clock=clock,
            rate_limit=rate_limit,
            max_wait=max_wait,
            retries=retries,
            validate_orders=validate_orders,
            strict=strict,
            risk=risk,
        )
        extra = dict(httpx_args or {})
        if transport is None and proxy is None and "mounts" not in extra:
            transport = HttpClientTransport(verify=extra.pop("verify", True))
        self.http = BinanceHttpClient(
            policy=self.policy,
            base_url=self.base_url,
            auth=self.auth,
            timeout=timeout,
            transport=transport,
            proxy=proxy,
            **extra,
        )

    @property
    def raw(self) -> Any:
        """The generated ``Client``, sending through this client, for ``binance_<product>.api`` functions."""
        return self._raw_client().set_httpx_client(self.http)

    def _call(
        self,
        operation: OperationLike,
        request: dict[str, Any],
        parse: Callable[[httpx.Response], T],
    ) -> T:
        try:
            return self._parse(operation, self.http.request(**self._prepare(request, operation)), parse)
        except (APIError, TransportError) as error:
            self._explain(error, operation.id, operation)
            raise

    def exchange_rules(self, *, refresh: bool = False) -> ExchangeRules:
        """The exchange's symbol rules and rate limits, fetched once (again with ``refresh=True``)."""
        if self._rules is None or refresh:
            try:
                self._store_rules(self.http.send(self._exchange_info_request()))
            except (APIError, TransportError) as error:
                self._explain(error, "exchange_rules", self._operation("exchange_info"))
                raise
        assert self._rules is not None
        return self._rules

    def symbol_rules(self, symbol: str) -> SymbolRules:
        """One symbol's filters, with ``round_price``, ``round_quantity`` and ``check_order``."""
        return self.exchange_rules().symbol(symbol)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClient(_Core):
    """Base of ``AsyncSpot``, ``AsyncUsdM`` and ``AsyncCoinM``: the same, with ``httpx.AsyncClient``.

    Takes the same parameters as ``SyncClient`` (``transport`` is an ``httpx.AsyncBaseTransport``).
    """

    def __init__(
        self,
        *,
        key: Key | None = None,
        network: Network = "mainnet",
        base_url: str | None = None,
        recv_window: int | Decimal | str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        rate_limit: LimitPolicy = "wait",
        max_wait: float = 60.0,
        retries: int = 3,
        validate_orders: bool = True,
        strict: bool | None = None,
        risk: RiskConfig | None = None,
        clock: ServerClock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: str | None = None,
        httpx_args: dict[str, Any] | None = None,
    ) -> None:
        self._configure(
            key=key,
            network=network,
            base_url=base_url,
            recv_window=recv_window,
            clock=clock,
            rate_limit=rate_limit,
            max_wait=max_wait,
            retries=retries,
            validate_orders=validate_orders,
            strict=strict,
            risk=risk,
        )
        extra = dict(httpx_args or {})
        if transport is None and proxy is None and "mounts" not in extra:
            transport = AsyncHttpTransport(verify=extra.pop("verify", True))
        self.http = AsyncBinanceHttpClient(
            policy=self.policy,
            base_url=self.base_url,
            auth=self.auth,
            timeout=timeout,
            transport=transport,
            proxy=proxy,
            **extra,
        )

    @property
    def raw(self) -> Any:
        """The generated ``Client``, sending through this client, for ``binance_<product>.api`` functions."""
        return self._raw_client().set_async_httpx_client(self.http)

    async def _call(
        self,
        operation: OperationLike,
        request: dict[str, Any],
        parse: Callable[[httpx.Response], T],
    ) -> T:
        try:
            return self._parse(operation, await self.http.request(**self._prepare(request, operation)), parse)
        except (APIError, TransportError) as error:
            self._explain(error, operation.id, operation)
            raise

    async def exchange_rules(self, *, refresh: bool = False) -> ExchangeRules:
        """The exchange's symbol rules and rate limits, fetched once (again with ``refresh=True``)."""
        if self._rules is None or refresh:
            try:
                self._store_rules(await self.http.send(self._exchange_info_request()))
            except (APIError, TransportError) as error:
                self._explain(error, "exchange_rules", self._operation("exchange_info"))
                raise
        assert self._rules is not None
        return self._rules

    async def symbol_rules(self, symbol: str) -> SymbolRules:
        """One symbol's filters, with ``round_price``, ``round_quantity`` and ``check_order``."""
        return (await self.exchange_rules()).symbol(symbol)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


__all__ = ["AsyncClient", "SyncClient"]
