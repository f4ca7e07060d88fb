"""The risk guard over the WebSocket API and the async clients, against the emulator: ``WsApi`` orders pass
the same check as REST orders (the guard of a sync or an async client, attached with ``attach``), and
``AsyncUsdM`` / ``AsyncCoinM`` run it in the same policy flow as the sync clients."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from binance_openapi import (
    AsyncCoinM,
    AsyncUsdM,
    ConfigurationError,
    OrderRejectedError,
    RiskLimitError,
    UsdM,
)
from binance_openapi.safety import CacheTimes, RiskGuard, RiskRules
from binance_openapi.ws import WsApi
from tests.e2e.conftest import Venue

from .risk_support import guarded, orders_seen, refused, rules
from .test_risk_usdm import SYMBOL, bid, limit, open_long

FUNDS = {"USDT": "10000"}


pytestmark = pytest.mark.usefixtures("clean_book")


def ws_api(venue: Venue, product: str, client: Any) -> WsApi:
    path = {"spot": "/ws-api/v3", "usdm": "/ws-fapi/v1", "coinm": "/ws-dapi/v1"}[product]
    url = venue.url.replace("http://", "ws://") + path  # the REST address: the futures clock and filters
    return WsApi(product, key=client.auth.key, url=url, rest_base_url=venue.url, clock=client.clock)


def order(side: str, quantity: str, price: str | None = None, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"symbol": SYMBOL, "side": side, "quantity": D(quantity), **extra}
    if price is None:
        return {**params, "type": "MARKET"}
    return {**params, "type": "LIMIT", "timeInForce": "GTC", "price": D(price)}


async def test_ws_api_orders_pass_the_same_check(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "ws-sync", FUNDS, max_order_notional=1000, max_failures=2)
    assert isinstance(client.risk, RiskGuard)
    with client, plain:
        async with client.risk.attach(ws_api(venue, "usdm", client)) as api:
            with pytest.raises(RiskLimitError) as excinfo:
                await api.request("order.place", order("BUY", "0.02", "59000"))
            refused(excinfo, "max_order_notional", "1000", "1180")
            with pytest.raises(RiskLimitError) as excinfo:
                await api.request("order.place", order("BUY", "0.02"))
            refused(excinfo, "max_order_notional", "1000", "1200")
            assert orders_seen(venue, "usdm", client) == 0

            placed = await api.request("order.place", order("BUY", "0.01", "59000"))
            assert placed["status"] == "NEW"
            open_long(maker, plain, "0.03")
            bid(maker, "0.03")
            closed = await api.request("order.place", order("SELL", "0.03", reduceOnly=True))
            assert closed["status"] in ("NEW", "FILLED")  # the ACK of a market order may come first
            assert orders_seen(venue, "usdm", client) == 3

            for _ in range(2):  # rejections over the WS API count for the breaker
                with pytest.raises(OrderRejectedError):  # reduce-only without a position
                    await api.request("order.place", order("SELL", "0.01", "61000", reduceOnly=True))
            with pytest.raises(RiskLimitError) as excinfo:
                limit(client, "BUY", "0.01", "59000")  # REST and WS API share the breaker
            assert excinfo.value.rule == "circuit_breaker"
            client.risk.reset()
            await api.request("order.place", order("BUY", "0.01", "58000"))
            assert orders_seen(venue, "usdm", client) == 4  # rejected orders are not recorded
        client.cancel_all_open_orders(symbol=SYMBOL)


async def test_ws_api_typed_orders_and_modifications_pass_the_same_check(venue: Venue) -> None:
    key = venue.user("ws-typed", usdm={"USDT": "10000"})
    with venue.client(UsdM, key, risk=rules(price_band_pct=2, max_order_notional=1000)) as client:
        assert isinstance(client.risk, RiskGuard)
        async with client.risk.attach(ws_api(venue, "usdm", client)) as api:
            with pytest.raises(RiskLimitError) as excinfo:
                await api.place_order(
                    symbol=SYMBOL,
                    side="BUY",
                    type="LIMIT",
                    time_in_force="GTC",
                    quantity=D("0.01"),
                    price=D("62000"),
                )
            refused(excinfo, "price_band_pct", "2", "3.33")
            placed = await api.place_order(
                symbol=SYMBOL,
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=D("0.01"),
                price=D("59000"),
            )
            assert placed.price == D("59000")
            with pytest.raises(RiskLimitError) as excinfo:  # order.modify is checked as REST's modify_order
                await api.modify_order(
                    symbol=SYMBOL, side="BUY", quantity=D("0.01"), price=D("50000"), order_id=placed.order_id
                )
            refused(excinfo, "price_band_pct", "2", "16.67")
            with pytest.raises(RiskLimitError) as excinfo:
                await api.modify_order(
                    symbol=SYMBOL, side="BUY", quantity=D("0.02"), price=D("59000"), order_id=placed.order_id
                )
            refused(excinfo, "max_order_notional", "1000", "1180")
            moved = await api.modify_order(
                symbol=SYMBOL, side="BUY", quantity=D("0.01"), price=D("59500"), order_id=placed.order_id
            )
            assert moved.price == D("59500")
            assert orders_seen(venue, "usdm", client) == 1
        client.cancel_all_open_orders(symbol=SYMBOL)


async def test_ws_api_with_the_guard_of_an_async_client(venue: Venue) -> None:
    key = venue.user("ws-async", usdm={"USDT": "10000"})
    async with venue.client(AsyncUsdM, key, risk=rules(price_band_pct=2, max_open_orders=1)) as client:
        assert isinstance(client.risk, RiskGuard)
        async with client.risk.attach(ws_api(venue, "usdm", client)) as api:
            with pytest.raises(RiskLimitError) as excinfo:
                await api.request("order.place", order("BUY", "0.01", "62000"))
            refused(excinfo, "price_band_pct", "2", "3.33")
            await api.request("order.place", order("BUY", "0.01", "59000"))
            with pytest.raises(RiskLimitError) as excinfo:
                await api.request("order.place", order("BUY", "0.01", "59500"))
            refused(excinfo, "max_open_orders", "1", "2")
            assert orders_seen(venue, "usdm", client) == 1
        await client.cancel_all_open_orders(symbol=SYMBOL)
        with pytest.raises(ConfigurationError):  # a guard checks orders of its own product only
            client.risk.attach(ws_api(venue, "spot", client))


async def test_async_usdm(venue: Venue) -> None:
    key = venue.user("async-usdm", usdm={"USDT": "10000"})
    async with venue.client(AsyncUsdM, key, risk=rules(max_order_notional=1000, max_leverage=25)) as client:
        with pytest.raises(RiskLimitError) as excinfo:
            await client.new_order(
                symbol=SYMBOL,
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=D("0.02"),
                price=D("59000"),
            )
        refused(excinfo, "max_order_notional", "1000", "1180")
        with pytest.raises(RiskLimitError) as excinfo:
            await client.change_leverage(symbol=SYMBOL, leverage=50)
        refused(excinfo, "max_leverage", "25", "50")
        assert orders_seen(venue, "usdm", client) == 0
        await client.new_order(
            symbol=SYMBOL, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D("0.01"), price=D("59000")
        )
        assert orders_seen(venue, "usdm", client) == 1
        await client.cancel_all_open_orders(symbol=SYMBOL)


async def test_async_coinm_notional_is_contracts_times_contract_size(venue: Venue) -> None:
    symbol = "BTCUSD_PERP"
    key = venue.user("async-coinm", coinm={"BTC": "10"})
    async with venue.client(
        AsyncCoinM,
        key,
        risk=RiskRules(max_order_notional=1000, max_position_notional=1500, cache=CacheTimes(positions=60)),
    ) as client:
        with pytest.raises(RiskLimitError) as excinfo:  # 20 contracts of 100 USD
            await client.new_order(
                symbol=symbol, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D(20), price=D("59000")
            )
        refused(excinfo, "max_order_notional", "1000", "2000")
        for _ in range(2):
            await client.new_order(
                symbol=symbol, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D(7), price=D("59000")
            )
        # while the positions read is fresh, orders let through since count as if filled: 16 contracts
        with pytest.raises(RiskLimitError) as excinfo:
            await client.new_order(
                symbol=symbol, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D(2), price=D("59000")
            )
        assert excinfo.value.rule == "max_position_notional"
        assert orders_seen(venue, "coinm", client) == 2
        await client.cancel_all_open_orders(symbol=symbol)
