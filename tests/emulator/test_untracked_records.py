"""What an exchange keeps of every trade (orders, fills, trades on the tape, income) is not tracked by
the garbage collector: a long session must not make every full collection longer. Trading adds no
object the collector tracks, on spot and on USDⓈ-M, once the first trades have built the indexes."""

from __future__ import annotations

import gc
from collections.abc import Callable
from decimal import Decimal as D

from binance_emulator.market import Tape

from .test_futures_support import Futures
from .test_spot_support import Spot


def tracked_growth(trade: Callable[[], None], rounds: int) -> int:
    """How many more objects the collector tracks after ``rounds`` more trades."""
    for _ in range(5):
        trade()  # the first trades build the indexes (per symbol, per account)
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(rounds):
        trade()
    gc.collect()
    return len(gc.get_objects()) - before


def test_spot_trades_leave_no_tracked_record() -> None:
    venue = Spot()
    venue.events.keep_history = False
    venue.quiet()

    def trade() -> None:
        venue.trade_at("65000")

    assert tracked_growth(trade, 300) < 20
    tape: Tape = venue.exchange.state.symbols["BTCUSDT"].tape
    assert len(tape.trades) >= 300  # the trades are all kept
    assert not gc.is_tracked(tape.trades[-1])
    assert not gc.is_tracked(venue.exchange.state.accounts["bob"].trades["BTCUSDT"][-1])


def test_usdm_trades_leave_no_tracked_record() -> None:
    venue = Futures(funds={"USDT": D(10_000_000)})
    venue.events.keep_history = False
    sides = [("SELL", "BUY"), ("BUY", "SELL")]
    count = [0]

    def trade() -> None:
        rest, take = sides[count[0] % 2]
        count[0] += 1
        venue.order("bob", side=rest, quantity="0.002", price="65000")
        venue.order("alice", side=take, quantity="0.002", price="65000")

    assert tracked_growth(trade, 300) < 20
    account = venue.exchange.state.accounts["alice"]
    assert len(account.orders) >= 300
    assert not any(gc.is_tracked(record) for record in (account.trades["BTCUSDT"][-1], account.income[-1]))
