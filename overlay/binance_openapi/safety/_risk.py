"""The risk guard: rules checked locally before an order leaves the client, over REST and the WS API.

Usage::

    from decimal import Decimal
    from binance_openapi import UsdM, RiskLimitError
    from binance_openapi.safety import RiskRules

    client = UsdM(key=key, risk=RiskRules(max_leverage=10, max_order_notional=Decimal(5000),
                                          price_band_pct=Decimal(5), daily_loss_cap=Decimal(200)))
    client.new_order(...)          # raises RiskLimitError naming the rule, the limit and the value
    client.risk.reset()            # re-open the circuit breaker
    client.risk.attach(ws_api)     # the same rules, cache and breaker for WsApi("usdm", ...) orders

One check, written once (``RiskGuard._check_orders``), as a generator that yields each ``Need`` (an
operation of the client's product) and gets its JSON answer back. REST orders run it inside the call's
policy flow (``_Core._validate``: the reads go through ``_policy.fetch`` on the same client, sync and
async alike); WS API orders run it from ``WsApi._place``, reading over the REST client the guard was
made for (the WS API has no mark price or income methods), so REST and WS orders share one cache and one
circuit breaker. What is read, and for how long it is reused, is in ``CacheTimes``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Generator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from binance_openapi._client import AsyncClient, SyncClient
from binance_openapi._decimal import plain
from binance_openapi._errors import ConfigurationError, LocalValidationError, RiskLimitError
from binance_openapi._guard import WsOrders
from binance_openapi._operation import EXTENSION, OperationLike
from binance_openapi._policy import Action, fetch
from binance_openapi._urls import encode_query

from ._risk_breaker import CircuitBreaker
from ._risk_orders import (
    MODIFY_OPERATIONS,
    ORDER_OPERATIONS,
    SETTING_OPERATIONS,
    Order,
    Setting,
    number,
    orders_of,
    setting_of,
)
from ._risk_state import (
    Need,
    Position,
    Reading,
    StateCache,
    contracts_need,
    income_losses,
    last_price_need,
    mark_need,
    midnight_utc,
    open_orders_need,
    parse_contracts,
    parse_mark,
    parse_positions,
    positions_need,
    trade_losses,
)

if TYPE_CHECKING:
    from ._risk_rules import RiskRules

Check = Generator[Need, Any, None]
W = TypeVar("W", bound=WsOrders)
PERCENT = Decimal("0.01")
# refusals that rest on figures read from the account or the market (checked again on fresh ones)
STATEFUL = frozenset(
    (
        "daily_loss_cap",
        "isolated_margin",
        "max_leverage",
        "max_open_orders",
        "max_order_notional",
        "max_position_notional",
        "max_total_position_notional",
        "price_band_pct",
    )
)


class RiskGuard:
    """The rules of one client (``client.risk``), with the state they read and the circuit breaker.

    ``RiskRules(...).guard_for(client)`` makes it (``UsdM(..., risk=rules)`` does that); ``now`` is the
    monotonic clock of the cache and the breaker, in seconds (tests).
    """

    def __init__(
        self,
        rules: RiskRules,
        client: SyncClient | AsyncClient | None,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rules = rules
        self.client = client
        self.product: str = client.product if client is not None else ""
        self.cache = StateCache(rules.cache, now)
        self.breaker = (
            CircuitBreaker(rules.max_failures, rules.failure_window_s, now) if rules.max_failures else None
        )
        self._spot_symbols: set[str] = set()

    def __repr__(self) -> str:
        return f"RiskGuard({self.rules!r}, product={self.product!r})"

    # -- what a caller does with it ---------------------------------------------------------------------

    def reset(self) -> None:
        """Re-open the circuit breaker (orders pass again)."""
        if self.breaker is not None:
            self.breaker.reset()

    def invalidate(self) -> None:
        """Forget every cached figure: the next order reads them afresh."""
        self.cache.forget()

    def attach(self, api: W) -> W:
        """Check every order ``api`` (a ``WsApi`` of this guard's product) places; returns ``api``."""
        if api.product != self.product:
            raise ConfigurationError(
                f"a {self.product or 'client-less'} risk guard cannot check WsApi({api.product!r}) orders: "
                f"use the risk guard of a {api.product} client"
            )
        api.risk = self
        return api

    # -- the hooks the clients call ---------------------------------------------------------------------

    def check_request(self, request: httpx.Request, operation: OperationLike) -> Generator[Action, Any, None]:
        """The REST step of ``_Core._validate``: raise ``RiskLimitError`` before the request is sent."""
        check = self._check_of(operation.id, dict(request.url.params))
        if check is None:
            return
        client = self._client()
        answer: Any = None
        try:
            while True:
                try:
                    need = check.send(answer)
                except StopIteration:
                    return
                response = yield from fetch(self._request(client, need), client.policy)
                answer = json.loads(response.content, parse_float=Decimal)
        finally:
            check.close()

    async def check_ws(self, operation_id: str | None, params: Mapping[str, Any]) -> None:
        """The step of ``WsApi._place``: raise ``RiskLimitError`` before the order is sent. A WS API
        method is checked as the REST operation it mirrors (``operation_id``, from the WebSocket API
        catalogue, where every order method has one): a modification as a modification."""
        check = self._check_of(operation_id, params) if operation_id is not None else None
        if check is None:
            return
        answer: Any = None
        try:
            while True:
                try:
                    need = check.send(answer)
                except StopIteration:
                    return
                client = self._client()
                request = self._request(client, need)
                if isinstance(client, AsyncClient):
                    response = await client.http.send(request)
                else:
                    response = await asyncio.to_thread(client.http.send, request)
                answer = json.loads(response.content, parse_float=Decimal)
        finally:
            check.close()

    def failed(self, name: str, error: BaseException) -> None:
        """An order (operation id or WS API method ``name``) was rejected or failed: count it."""
        if self.breaker is None or isinstance(error, LocalValidationError):
            return
        if name in ORDER_OPERATIONS or name in MODIFY_OPERATIONS:
            self.breaker.record()

    # -- reading through the client ---------------------------------------------------------------------

    def _client(self) -> SyncClient | AsyncClient:
        if self.client is None:
            raise ConfigurationError(
                "this risk guard has no client to read positions, prices and income through: "
                "make it with a client (UsdM(..., risk=RiskRules(...)); client.risk.attach(ws_api))"
            )
        return self.client

    @staticmethod
    def _request(client: SyncClient | AsyncClient, need: Need) -> httpx.Request:
        operation = client._operation(need.operation_id)
        url = f"{client.base_url}{operation.path}"
        if need.params:
            url = f"{url}?{encode_query(dict(need.params))}"
        return httpx.Request(operation.method, url, extensions={EXTENSION: operation})

    # -- the check, written once ------------------------------------------------------------------------

    def _check_of(self, operation_id: str, params: Mapping[str, Any]) -> Check | None:
        spot = self.product == "spot"
        if operation_id in ORDER_OPERATIONS:
            return self._check_orders(orders_of(params, spot, batch=ORDER_OPERATIONS[operation_id]))
        if operation_id in MODIFY_OPERATIONS:
            batch = MODIFY_OPERATIONS[operation_id]
            return self._check_orders(orders_of(params, spot, batch=batch, new=False))
        if operation_id in SETTING_OPERATIONS:
            setting = setting_of(operation_id, params)
            if setting is not None:
                self._check_setting(setting)
        return None

    def _check_setting(self, setting: Setting) -> None:
        rules = self.rules
        leverage = number(setting.value)
        too_high = rules.max_leverage is not None and leverage is not None and leverage > rules.max_leverage
        if setting.kind == "leverage" and too_high:
            raise RiskLimitError(
                "max_leverage",
                limit=rules.max_leverage,
                value=leverage,
                symbol=setting.symbol,
                subject="the leverage asked for",
            )
        if setting.kind == "margin_type" and rules.isolated_margin and setting.value == "CROSSED":
            raise RiskLimitError(
                "isolated_margin",
                limit="ISOLATED",
                value="CROSSED",
                symbol=setting.symbol,
                subject="the margin type asked for",
            )

    def _check_orders(self, orders: list[Order]) -> Check:
        """Check every order (batch items one by one, each counting those before it); on success, count
        them as let through. A refusal resting on figures older than ``confirm_after`` is checked
        again on fresh figures before it is raised."""
        if not orders:
            return
        reading = Reading()
        try:
            commit = yield from self._evaluate(orders, reading)
        except RiskLimitError as error:
            if error.rule not in STATEFUL or reading.oldest < self.rules.cache.confirm_after:
                raise
            self.cache.forget(reading.used)
            commit = yield from self._evaluate(orders, Reading())
        commit()

    def _evaluate(self, orders: list[Order], reading: Reading) -> Generator[Need, Any, Callable[[], None]]:
        delta: dict[tuple[str, str], Decimal] = {}
        placed = 0
        for order in orders:
            yield from self._check_order(order, reading, delta, placed)
            if order.new:
                placed += 1
                if self.product != "spot" and order.quantity is not None:
                    key = (order.symbol, order.position_side)
                    delta[key] = delta.get(key, Decimal(0)) + order.signed_quantity

        def commit() -> None:
            for key, quantity in delta.items():
                self.cache.pending[key] = self.cache.pending.get(key, Decimal(0)) + quantity
            self.cache.placed += placed
            if self.product == "spot":
                self._spot_symbols.update(order.symbol for order in orders)

        return commit

    def _check_order(
        self, order: Order, reading: Reading, delta: Mapping[tuple[str, str], Decimal], placed: int
    ) -> Check:
        rules = self.rules
        futures = self.product != "spot"
        band = rules.decimal("price_band_pct")
        if band is not None and order.price is not None:
            reference = yield from self._reference_price(order.symbol, reading)
            if reference:
                distance = abs(order.price - reference) / reference * 100
                if distance > band:
                    raise RiskLimitError(
                        "price_band_pct",
                        limit=band,
                        value=distance.quantize(PERCENT),
                        symbol=order.symbol,
                        subject=(
                            f"the distance in percent of the price {plain(order.price)} from the "
                            f"{'mark' if futures else 'last'} price {plain(reference)}"
                        ),
                    )
        if order.reducing:
            return  # the other rules only protect against increasing risk
        if self.breaker is not None:
            self.breaker.check(order.symbol)
        cap = rules.decimal("daily_loss_cap")
        if cap is not None:
            losses = yield from self._losses(order.symbol, reading)
            for asset, loss in sorted(losses.items()):
                if loss >= cap:
                    raise RiskLimitError(
                        "daily_loss_cap",
                        limit=cap,
                        value=loss,
                        symbol=order.symbol,
                        subject=f"the realised loss in {asset} since 00:00 UTC (only reducing orders pass)",
                    )
        positions: dict[tuple[str, str], Position] = {}
        if futures and (
            rules.isolated_margin
            or rules.max_leverage is not None
            or rules.decimal("max_position_notional") is not None
            or rules.decimal("max_total_position_notional") is not None
        ):
            positions = parse_positions((yield from self.cache.read(positions_need(self.product), reading)))
            rows = [row for row in positions.values() if row.symbol == order.symbol]
            if rules.isolated_margin and rows and rows[0].margin_type != "ISOLATED":
                raise RiskLimitError(
                    "isolated_margin",
                    limit="ISOLATED",
                    value=rows[0].margin_type,
                    symbol=order.symbol,
                    subject="the symbol's margin type",
                )
            leverage = rows[0].leverage if rows else None
            if rules.max_leverage is not None and leverage is not None and leverage > rules.max_leverage:
                raise RiskLimitError(
                    "max_leverage",
                    limit=rules.max_leverage,
                    value=leverage,
                    symbol=order.symbol,
                    subject="the symbol's leverage",
                )
        most = rules.decimal("max_order_notional")
        if most is not None:
            notional = yield from self._order_notional(order, reading)
            if notional is not None and notional > most:
                raise RiskLimitError(
                    "max_order_notional",
                    limit=most,
                    value=notional,
                    symbol=order.symbol,
                    subject="the order's notional",
                )
        if futures and order.new and order.quantity is not None and positions:
            yield from self._check_positions(order, reading, positions, delta)
        if rules.max_open_orders is not None and order.new:
            opened = yield from self.cache.read(open_orders_need(), reading)
            count = (len(opened) if isinstance(opened, list) else 0) + self.cache.placed + placed + 1
            if count > rules.max_open_orders:
                raise RiskLimitError(
                    "max_open_orders",
                    limit=rules.max_open_orders,
                    value=count,
                    symbol=order.symbol,
                    subject="the account's open orders with this one",
                )

    def _check_positions(
        self,
        order: Order,
        reading: Reading,
        positions: Mapping[tuple[str, str], Position],
        delta: Mapping[tuple[str, str], Decimal],
    ) -> Check:
        """Position notional (the symbol's and the total) if the order and those let through fill."""
        units = yield from self._units(positions, reading)
        amounts: dict[tuple[str, str], Decimal] = {key: row.amount for key, row in positions.items()}
        for extra in (self.cache.pending, delta):
            for key, quantity in extra.items():
                amounts[key] = amounts.get(key, Decimal(0)) + quantity
        key = (order.symbol, order.position_side)
        unit = units.get(order.symbol, Decimal(0))
        if not unit and self.product == "usdm":  # no position row for the symbol: its mark price
            unit = (yield from self._reference_price(order.symbol, reading)) or Decimal(0)
        before = abs(amounts.get(key, Decimal(0))) * unit
        after = abs(amounts.get(key, Decimal(0)) + order.signed_quantity) * unit
        if after <= before:
            return  # the order does not increase the position
        most = self.rules.decimal("max_position_notional")
        if most is not None and after > most:
            raise RiskLimitError(
                "max_position_notional",
                limit=most,
                value=after,
                symbol=order.symbol,
                subject="the position's notional once the order fills",
            )
        most = self.rules.decimal("max_total_position_notional")
        if most is not None:
            total = sum(
                (abs(amount) * units.get(k[0], Decimal(0)) for k, amount in amounts.items()), Decimal(0)
            )
            total += after - before
            if total > most:
                raise RiskLimitError(
                    "max_total_position_notional",
                    limit=most,
                    value=total,
                    symbol=order.symbol,
                    subject="the notional of every position once the order fills",
                )

    def _units(
        self, positions: Mapping[tuple[str, str], Position], reading: Reading
    ) -> Generator[Need, Any, dict[str, Decimal]]:
        """What one unit of quantity is worth per symbol: the mark price (USDⓈ-M), the contract size
        (COIN-M, in USD)."""
        if self.product == "coinm":
            return parse_contracts((yield from self.cache.read(contracts_need(), reading)))
        return {row.symbol: row.mark for row in positions.values() if row.mark}

    def _reference_price(self, symbol: str, reading: Reading) -> Generator[Need, Any, Decimal | None]:
        """The mark price (futures: from the position rows, else ``premiumIndex``), or spot's last price."""
        if self.product == "spot":
            data = yield from self.cache.read(last_price_need(symbol), reading)
            return number(data.get("price")) if isinstance(data, Mapping) else None
        positions = parse_positions((yield from self.cache.read(positions_need(self.product), reading)))
        for row in positions.values():
            if row.symbol == symbol and row.mark:
                return row.mark
        return parse_mark((yield from self.cache.read(mark_need(symbol), reading)), symbol)

    def _order_notional(self, order: Order, reading: Reading) -> Generator[Need, Any, Decimal | None]:
        if order.quantity is None:
            return order.quote_quantity
        if self.product == "coinm":
            contracts = parse_contracts((yield from self.cache.read(contracts_need(), reading)))
            return order.quantity * contracts.get(order.symbol, Decimal(1))
        price = order.price or order.trigger
        if price is None:
            price = yield from self._reference_price(order.symbol, reading)
        return order.quantity * price if price is not None else None

    def _losses(self, symbol: str, reading: Reading) -> Generator[Need, Any, dict[str, Decimal]]:
        clock = self._client().clock
        if clock.offset_ms is None:  # the day is the exchange's: ask its time before the first signing
            answer = yield from self.cache.read(Need("clock", "server_time"), reading)
            now_ms = int(answer["serverTime"])
        else:
            now_ms = clock.now_ms()
        since = midnight_utc(now_ms)
        if self.product != "spot":
            return (yield from income_losses(since, self.cache, reading))
        totals: dict[str, Decimal] = {}
        for traded in sorted(self._spot_symbols | {symbol}):
            for asset, loss in (yield from trade_losses(traded, since, self.cache, reading)).items():
                totals[asset] = totals.get(asset, Decimal(0)) + loss
        return totals


__all__ = ["RiskGuard"]
