"""The dead man's switch against the emulator (USDⓈ-M and COIN-M, sync and async), on emulated time.

The switch re-arms on the local clock; the emulator's countdowns run on its emulated clock, which a test
moves forward (``Venue.advance``) past the countdown to see what Binance would do. The clients read the
emulator's clock (``emulated_clock``), so that moving it does not make their timestamps stale.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from binance_openapi import AsyncCoinM, AsyncUsdM, CoinM, HmacKey, Spot, UsdM
from binance_openapi.safety import DeadMansSwitch, DeadMansSwitchStatus
from binance_openapi.safety._heartbeat import _Plan
from tests.e2e.conftest import Venue, emulated_clock, fresh_ledgers, serve_venue

from .waiting import eventually

SYMBOLS = {"usdm": "BTCUSDT", "coinm": "BTCUSD_PERP"}
QUANTITY = {"usdm": D("0.01"), "coinm": D("1")}
CLASSES: dict[str, tuple[type[UsdM] | type[CoinM], type[AsyncUsdM] | type[AsyncCoinM]]] = {
    "usdm": (UsdM, AsyncUsdM),
    "coinm": (CoinM, AsyncCoinM),
}
LOG = "binance_openapi.safety"


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    fresh_ledgers()
    with serve_venue() as venue:
        venue.set_price("usdm", "BTCUSDT", "60000")
        venue.set_price("coinm", "BTCUSD_PERP", "60000")
        yield venue
    fresh_ledgers()


@pytest.fixture(autouse=True)
def _no_faults_left(venue: Venue) -> Iterator[None]:
    yield
    venue.emulator.set_faults({"server_errors": 0})


_users = iter(range(10_000))


def trader(venue: Venue, product: str) -> HmacKey:
    funds = {"usdm": {"USDT": "100000"}} if product == "usdm" else {"coinm": {"BTC": "10"}}
    return venue.user(f"dms-{product}-{next(_users)}", **funds)  # type: ignore[arg-type]


def client_of(venue: Venue, product: str, key: HmacKey) -> UsdM | CoinM:
    return venue.client(CLASSES[product][0], key, clock=emulated_clock(venue))


def place(client: UsdM | CoinM, product: str, count: int = 2) -> list[int]:
    """Resting buy orders below the market; their ids."""
    ids = []
    for i in range(count):
        order = client.new_order(
            symbol=SYMBOLS[product],
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=QUANTITY[product],
            price=D(59000 - 100 * i),
        )
        ids.append(order.order_id)
    return ids


def open_ids(client: UsdM | CoinM, product: str) -> list[int]:
    return sorted(order.order_id for order in client.open_orders(symbol=SYMBOLS[product]))


def statuses(client: UsdM | CoinM, product: str, ids: list[int]) -> list[str]:
    return [str(client.query_order(symbol=SYMBOLS[product], order_id=i).status) for i in ids]


class Crash(Exception):
    pass


# -- arguments -------------------------------------------------------------------------------------------


def test_arguments_are_checked_with_clear_errors() -> None:
    with UsdM(base_url="http://127.0.0.1:9") as client:
        DeadMansSwitch(client, symbols=["BTCUSDT"], countdown=1000)  # the smallest countdown
        default = DeadMansSwitch(client, symbols=["BTCUSDT"], countdown=timedelta(minutes=2))
        assert (default.countdown_ms, default.rearm_ms) == (120_000, 40_000)
        cases: list[tuple[dict[str, Any], type[Exception], str]] = [
            ({"symbols": []}, ValueError, "at least one"),
            ({"symbols": "BTCUSDT"}, TypeError, "not the string"),
            ({"symbols": ["btcusdt"]}, ValueError, "not a Binance symbol"),
            ({"symbols": ["BTCUSDT", "BTCUSDT"]}, ValueError, "twice"),
            ({"countdown": 999}, ValueError, "at least 1000 ms"),
            ({"countdown": 0}, ValueError, "at least 1000 ms"),
            (
                {"countdown": timedelta(seconds=2, microseconds=500)},
                ValueError,
                "whole number of milliseconds",
            ),
            ({"countdown": 2.5}, TypeError, "int of milliseconds"),
            ({"countdown": True}, TypeError, "int of milliseconds"),
            ({"countdown": 10_000, "rearm_every": 5_001}, ValueError, "half the countdown"),
            ({"countdown": 10_000, "rearm_every": 99}, ValueError, "between 100 ms"),
            ({"on_failure": "page me"}, TypeError, "callable"),
        ]
        for options, error, words in cases:
            arguments: dict[str, Any] = {"symbols": ["BTCUSDT"], **options}
            with pytest.raises(error, match=words):
                DeadMansSwitch(client, **arguments)
    with Spot(base_url="http://127.0.0.1:9") as spot, pytest.raises(TypeError, match="watchdog"):
        DeadMansSwitch(spot, symbols=["BTCUSDT"])  # type: ignore[arg-type]
    with UsdM(base_url="http://127.0.0.1:9") as client:
        switch = DeadMansSwitch(client, symbols=["BTCUSDT"], countdown=1000)
        with pytest.raises(TypeError, match="sync client"):
            asyncio.run(switch.astart())


def test_the_plan_retries_within_the_time_left_and_raises_each_alarm_once() -> None:
    plan = _Plan.of(["BTCUSDT"], countdown_ms=3000, rearm_ms=1000)
    assert plan.due(0.0) == ["BTCUSDT"]
    plan.armed("BTCUSDT", 0.0, 1_000_000.0)
    assert (plan.due(0.5), plan.wait(0.5)) == ([], 0.5)
    assert plan.due(1.0) == ["BTCUSDT"]
    now, delays = 1.0, []
    for _ in range(20):  # failing from the first re-arm on
        plan.failed("BTCUSDT", now, "ServerError: 503")
        delays.append(round(plan.symbols["BTCUSDT"].next_attempt - now, 3))
        now = plan.symbols["BTCUSDT"].next_attempt
        if now > 2.0:
            break
    assert delays[:3] == [0.1, 0.2, 0.4]  # doubling from a tenth of the re-arm interval
    assert plan.alarms(now) == [("BTCUSDT", "late", pytest.approx(3.0 - now))]  # under 1 s left
    assert plan.alarms(now) == []  # once
    assert plan.status(True).late == ["BTCUSDT"] and not plan.status(True).healthy
    assert plan.alarms(3.0) == [("BTCUSDT", "expired", 0.0)]
    assert plan.alarms(3.5) == []
    status = plan.status(True).symbols["BTCUSDT"]
    assert (status.failures, status.expired, status.last_error) == (
        plan.symbols["BTCUSDT"].failures,
        True,
        "ServerError: 503",
    )
    assert status.expires_at is not None and status.armed_at is not None
    assert status.expires_at - status.armed_at == timedelta(seconds=3)
    assert plan.armed("BTCUSDT", 3.6, 1_000_003.6) == status.failures
    assert plan.status(True).healthy and plan.alarms(3.7) == []


# -- against the emulator ------------------------------------------------------------------------------


def test_a_symbol_that_cannot_be_armed_fails_the_start_and_disarms_the_others(venue: Venue) -> None:
    with client_of(venue, "usdm", trader(venue, "usdm")) as client:
        ids = place(client, "usdm")
        switch = DeadMansSwitch(client, symbols=["BTCUSDT", "NOSUCHUSDT"], countdown=1_000)
        with pytest.raises(RuntimeError, match="could not arm NOSUCHUSDT at start: InvalidParameterError"):
            switch.start()
        assert not switch.status.running
        assert switch.status.symbols["BTCUSDT"].armed_at is None
        venue.advance(2_000)  # BTCUSDT was disarmed again
        assert open_ids(client, "usdm") == ids
        client.cancel_all_open_orders(symbol="BTCUSDT")


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_orders_are_cancelled_when_the_heartbeats_stop(venue: Venue, product: str) -> None:
    with client_of(venue, product, trader(venue, product)) as client:
        ids = place(client, product)

        def bot() -> None:
            with DeadMansSwitch(client, symbols=[SYMBOLS[product]], countdown=60_000):
                venue.advance(30_000)
                assert open_ids(client, product) == ids
                raise Crash  # the bot dies: no more heartbeats, and the countdown stays armed

        with pytest.raises(Crash):
            bot()
        venue.advance(29_000)
        assert open_ids(client, product) == ids
        venue.advance(2_000)  # the countdown has run out
        assert open_ids(client, product) == []
        assert statuses(client, product, ids) == ["CANCELED", "CANCELED"]


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_orders_stay_while_the_heartbeats_continue_and_after_a_clean_exit(venue: Venue, product: str) -> None:
    with client_of(venue, product, trader(venue, product)) as client:
        ids = place(client, product)
        switch = DeadMansSwitch(client, symbols=[SYMBOLS[product]], countdown=2_000, rearm_every=150)
        with switch:
            for _ in range(5):  # 4.5 s of emulated time, more than twice the countdown
                armed = switch.status.symbols[SYMBOLS[product]].armed_at
                eventually(lambda armed=armed: switch.status.symbols[SYMBOLS[product]].armed_at != armed)
                venue.advance(900)
                assert open_ids(client, product) == ids
            assert switch.status.running and switch.status.healthy
        assert not switch.status.running
        venue.advance(5_000)  # disarmed on the clean exit: nothing runs out
        assert open_ids(client, product) == ids
        client.cancel_all_open_orders(symbol=SYMBOLS[product])


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_failed_rearms_are_retried_and_reported(
    venue: Venue, product: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOG)
    symbol = SYMBOLS[product]
    key = trader(venue, product)
    with client_of(venue, product, key) as client:
        ids = place(client, product)
        switch = DeadMansSwitch(client, symbols=[symbol], countdown=3_000, rearm_every=300)
        with switch:
            venue.emulator.set_faults({"server_errors": 3})  # the next three calls answer 503
            eventually(lambda: switch.status.symbols[symbol].total_failures == 3)
            eventually(lambda: switch.status.symbols[symbol].failures == 0)
            assert switch.status.healthy
        assert open_ids(client, product) == ids
        client.cancel_all_open_orders(symbol=symbol)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4, warnings
    assert all(
        f"could not re-arm {symbol} (attempt" in w and "s of the 3.0 s countdown left" in w
        for w in warnings[:3]
    )
    assert "ServerError" in warnings[0]
    assert warnings[3] == f"dead man's switch re-armed {symbol} after 3 failed attempts"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert key.api_key not in caplog.text and "signature=" not in caplog.text.replace(
        "signature=<redacted>", ""
    )


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_a_switch_that_cannot_rearm_says_so_loudly(
    venue: Venue, product: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOG)
    symbol = SYMBOLS[product]
    seen: list[DeadMansSwitchStatus] = []
    with client_of(venue, product, trader(venue, product)) as client:
        ids = place(client, product)
        switch = DeadMansSwitch(
            client, symbols=[symbol], countdown=1_000, rearm_every=300, on_failure=seen.append
        )
        with switch:
            venue.emulator.set_faults({"server_errors": 1_000_000})
            eventually(lambda: len(seen) == 2)  # about to run out, then ran out
            assert seen[0].late == [symbol] and seen[0].expired == []
            assert seen[1].expired == [symbol]
            assert seen[1].symbols[symbol].failures >= 2
            assert seen[1].symbols[symbol].last_error is not None
            assert "ServerError" in seen[1].symbols[symbol].last_error
            errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
            assert len(errors) == 2
            assert (
                "could not re-arm in time" in errors[0]
                and f"{symbol} (" in errors[0]
                and "s left)" in errors[0]
            )
            assert "countdown ran out for " + symbol in errors[1]
            venue.emulator.set_faults({"server_errors": 0})
            venue.tick()  # the exchange's countdown has run out too
            assert open_ids(client, product) == []
            eventually(lambda: switch.status.healthy)  # re-armed once the exchange answers again
        assert statuses(client, product, ids) == ["CANCELED", "CANCELED"]


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_async_switch_keeps_orders_while_beating_and_leaves_the_countdown_armed_on_a_crash(
    venue: Venue, product: str
) -> None:
    symbol = SYMBOLS[product]
    key = trader(venue, product)
    with client_of(venue, product, key) as sync_client:
        ids = place(sync_client, product)

        async def bot() -> None:
            async with venue.client(CLASSES[product][1], key, clock=emulated_clock(venue)) as client:
                switch = DeadMansSwitch(client, symbols=[symbol], countdown=2_000, rearm_every=150)
                with pytest.raises(TypeError, match="async with"):
                    switch.start()

                async def trade() -> None:
                    async with switch:
                        for _ in range(4):
                            armed = switch.status.symbols[symbol].armed_at
                            for _ in range(300):
                                if switch.status.symbols[symbol].armed_at != armed:
                                    break
                                await asyncio.sleep(0.01)
                            await asyncio.to_thread(venue.advance, 900)
                            assert open_ids(sync_client, product) == ids
                        raise Crash

                with pytest.raises(Crash):
                    await trade()
                assert not switch.status.running

        asyncio.run(bot())
        venue.advance(2_100)
        assert open_ids(sync_client, product) == []


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_async_switch_disarms_on_a_clean_exit(venue: Venue, product: str) -> None:
    symbol = SYMBOLS[product]
    key = trader(venue, product)
    with client_of(venue, product, key) as sync_client:
        ids = place(sync_client, product, count=1)

        async def bot() -> DeadMansSwitchStatus:
            async with venue.client(CLASSES[product][1], key, clock=emulated_clock(venue)) as client:
                async with DeadMansSwitch(client, symbols=[symbol], countdown=1_000) as switch:
                    await asyncio.sleep(0.05)
                return switch.status

        status = asyncio.run(bot())
        assert not status.running and status.symbols[symbol].armed_at is not None
        venue.advance(3_000)
        assert open_ids(sync_client, product) == ids
        sync_client.cancel_all_open_orders(symbol=symbol)
