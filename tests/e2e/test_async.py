"""The same flows with the async clients: ``AsyncSpot``, ``AsyncUsdM`` and ``AsyncCoinM`` over loopback HTTP.

A spot LIMIT order filled in two steps, cancel and queries by client order id, a MARKET order sized by
``quoteOrderQty``; a USDⓈ-M position with hand-computed PnL and the margin-type rule; a COIN-M inverse
position; lost order answers reconciled to exactly one order, also with many orders in flight at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal as D

import pytest

from binance_openapi import AsyncCoinM, AsyncSpot, AsyncUsdM, BadRequestError, UnknownOrderError
from tests.e2e.conftest import Venue, serve_venue

SYMBOL = "BTCUSDT"


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.quiet("spot", SYMBOL)
        venue.set_price("usdm", SYMBOL, "60000")
        venue.set_price("coinm", "BTCUSD_PERP", "50000")
        yield venue


async def spot_balances(client: AsyncSpot, *assets: str) -> dict[str, tuple[D, D]]:
    found = {b.asset: (b.free, b.locked) for b in (await client.account()).balances}
    return {asset: found.get(asset, (D(0), D(0))) for asset in assets}


async def test_spot_limit_order_lifecycle(venue: Venue) -> None:
    alice_key = venue.user("async-alice", spot={"USDT": "10000", "BTC": "1"})
    maker_key = venue.user("async-spot-maker", spot={"USDT": "100000", "BTC": "10"})
    async with venue.client(AsyncSpot, alice_key) as alice, venue.client(AsyncSpot, maker_key) as maker:
        placed = await alice.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D("0.01"),
            price=D("64000"),
            new_client_order_id="async-buy",
        )
        assert placed.status == "NEW"
        assert await spot_balances(alice, "USDT") == {"USDT": (D("9360"), D("640"))}

        await maker.new_order(
            symbol=SYMBOL,
            side="SELL",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D("0.004"),
            price=D("63000"),
        )
        partial = await alice.query_order(symbol=SYMBOL, orig_client_order_id="async-buy")
        assert (partial.status, partial.executed_qty, partial.cummulative_quote_qty) == (
            "PARTIALLY_FILLED",
            D("0.004"),
            D("256"),
        )
        assert await spot_balances(alice, "USDT", "BTC") == {
            "USDT": (D("9360"), D("384")),
            "BTC": (D("1.003996"), D(0)),
        }
        await maker.new_order(symbol=SYMBOL, side="SELL", type="MARKET", quantity=D("0.006"))
        filled = await alice.query_order(symbol=SYMBOL, orig_client_order_id="async-buy")
        assert (filled.status, filled.executed_qty) == ("FILLED", D("0.01"))
        assert await spot_balances(alice, "USDT", "BTC") == {
            "USDT": (D("9360"), D(0)),
            "BTC": (D("1.00999"), D(0)),
        }

        resting = await alice.new_order(
            symbol=SYMBOL,
            side="SELL",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D("0.5"),
            price=D("70000"),
            new_client_order_id="async-sell",
        )
        assert (await spot_balances(alice, "BTC"))["BTC"][1] == D("0.5")
        canceled = await alice.cancel_order(symbol=SYMBOL, orig_client_order_id="async-sell")
        assert (canceled.order_id, canceled.status) == (resting.order_id, "CANCELED")
        assert (await spot_balances(alice, "BTC"))["BTC"] == (D("1.00999"), D(0))
        with pytest.raises(UnknownOrderError):
            await alice.cancel_order(symbol=SYMBOL, orig_client_order_id="async-sell")

        ask = await maker.new_order(
            symbol=SYMBOL,
            side="SELL",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D("0.01"),
            price=D("65000"),
        )
        bought = await alice.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quote_order_qty=D("100"))
        assert (bought.status, bought.executed_qty, bought.cummulative_quote_qty) == (
            "FILLED",
            D("0.00153"),
            D("99.45"),
        )
        await maker.cancel_order(symbol=SYMBOL, order_id=ask.order_id)
        assert await alice.open_orders(symbol=SYMBOL) == []


async def test_usdm_position_pnl_and_margin_type(venue: Venue) -> None:
    trader_key = venue.user("async-usdm-trader", usdm={"USDT": "10000"})
    maker_key = venue.user("async-usdm-maker", usdm={"USDT": "1000000"})
    async with venue.client(AsyncUsdM, trader_key) as trader, venue.client(AsyncUsdM, maker_key) as maker:

        async def trade(side: str, quantity: str, price: str, **extra: object) -> None:
            other = "BUY" if side == "SELL" else "SELL"
            await maker.new_order(
                symbol=SYMBOL,
                side=other,  # type: ignore[arg-type]
                type="LIMIT",
                time_in_force="GTC",
                quantity=D(quantity),
                price=D(price),
            )
            taken = await trader.new_order(
                symbol=SYMBOL,
                side=side,  # type: ignore[arg-type]
                type="MARKET",
                quantity=D(quantity),
                new_order_resp_type="RESULT",
                **extra,  # type: ignore[arg-type]
            )
            assert (taken.status, taken.avg_price) == ("FILLED", D(price))

        await trade("SELL", "0.2", "60000")  # a short
        with pytest.raises(BadRequestError) as refused:
            await trader.change_margin_type(symbol=SYMBOL, margin_type="ISOLATED")
        assert refused.value.code == -4048
        venue.set_price("usdm", SYMBOL, "59000")
        row = (await trader.position_risk_v2(symbol=SYMBOL))[0]
        assert (row.position_amt, row.entry_price, row.un_realized_profit) == (
            D("-0.2"),
            D("60000"),
            D("200"),
        )
        await trade("BUY", "0.1", "59500")  # realizes 0.1 * (60000 - 59500)
        await trade("BUY", "0.1", "60500", reduce_only=True)  # realizes 0.1 * (60000 - 60500)
        realized = await trader.income_history(symbol=SYMBOL, income_type="REALIZED_PNL")
        assert [r.income for r in realized] == [D("50"), D("-50")]
        fees = D("0.0005") * (D("0.2") * 60000 + D("0.1") * 59500 + D("0.1") * 60500)
        balance = next(b for b in await trader.balance_v3() if b.asset == "USDT")
        assert balance.balance == D("10000") - fees
        venue.set_price("usdm", SYMBOL, "60000")


async def test_coinm_inverse_position(venue: Venue) -> None:
    trader_key = venue.user("async-coinm-trader", coinm={"BTC": "1"})
    maker_key = venue.user("async-coinm-maker", coinm={"BTC": "100"})
    async with venue.client(AsyncCoinM, trader_key) as trader, venue.client(AsyncCoinM, maker_key) as maker:
        await maker.new_order(
            symbol="BTCUSD_PERP",
            side="SELL",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D(50),
            price=D(50000),
        )
        await trader.new_order(symbol="BTCUSD_PERP", side="BUY", type="MARKET", quantity=D(50))
        venue.set_price("coinm", "BTCUSD_PERP", "62500")
        row = next(p for p in await trader.position_risk(pair="BTCUSD") if p.symbol == "BTCUSD_PERP")
        # 50 contracts * 100 USD * (1/50000 - 1/62500) = 0.02 BTC
        assert (row.position_amt, row.entry_price, row.un_realized_profit) == (D(50), D(50000), D("0.02"))
        venue.set_price("coinm", "BTCUSD_PERP", "50000")


@pytest.mark.parametrize("fault", ["drop_after", "drop_before", "status_unknown"])
async def test_a_lost_answer_is_reconciled_to_one_order(venue: Venue, fault: str) -> None:
    key = venue.user(f"async-faults-{fault}", usdm={"USDT": "10000"})
    async with venue.client(AsyncUsdM, key) as client:
        client.policy.backoff_s = 0.01
        await client.exchange_rules()
        await client.open_orders(symbol=SYMBOL)
        venue.emulator.set_faults({fault: 1})
        try:
            placed = await client.new_order(
                symbol=SYMBOL,
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=D("0.01"),
                price=D("59000"),
            )
        finally:
            venue.emulator.set_faults({fault: 0})
        orders = await client.all_orders(symbol=SYMBOL)
        assert [(o.order_id, o.client_order_id) for o in orders] == [
            (placed.order_id, placed.client_order_id)
        ]


async def test_many_orders_in_flight_with_lost_answers_are_each_placed_once(venue: Venue) -> None:
    key = venue.user("async-concurrent", spot={"USDT": "100000"})
    async with venue.client(AsyncSpot, key) as client:
        client.policy.backoff_s = 0.01
        await client.exchange_rules()
        await client.open_orders(symbol=SYMBOL)
        venue.emulator.set_faults({"drop_after": 2, "drop_before": 2, "status_unknown": 2})
        try:
            placed = await asyncio.gather(
                *(
                    client.new_order(
                        symbol=SYMBOL,
                        side="BUY",
                        type="LIMIT",
                        time_in_force="GTC",
                        quantity=D("0.001"),
                        price=D(50000 + n),
                        new_client_order_id=f"many-{n}",
                    )
                    for n in range(16)
                )
            )
            left = venue.emulator.faults.as_dict()
        finally:
            venue.emulator.set_faults({"drop_after": 0, "drop_before": 0, "status_unknown": 0})
        assert (left["drop_after"], left["drop_before"], left["status_unknown"]) == (0, 0, 0)
        assert [(o.client_order_id, o.price) for o in placed] == [
            (f"many-{n}", D(50000 + n)) for n in range(16)
        ]
        orders = await client.all_orders(symbol=SYMBOL)
        assert sorted(o.client_order_id for o in orders) == sorted(f"many-{n}" for n in range(16))
        assert {o.order_id for o in orders} == {o.order_id for o in placed}
        await client.cancel_all_open_orders(symbol=SYMBOL)
