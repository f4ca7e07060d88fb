"""What the kill switch tests share: a served emulator with a market maker, a trader who opens orders
and positions on all three products, random faults, and the exchange's own records to compare with.

The futures markets are quiet (``serve_venue``): the maker's ladder of resting orders is the only
liquidity, so every trade of the trader is against it; spot keeps its simulated books.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal as D
from typing import Any

from binance_openapi import CoinM, Spot, UsdM
from tests.e2e.conftest import Venue

USDM = "BTCUSDT"
COINM = "BTCUSD_PERP"
PRICE = D("60000")
# random faults: each is armed for the next call (order) while the kill switch runs
FAULTS = ("server_errors", "status_unknown", "drop_after", "drop_before", "rate_limited")


def fund(venue: Venue, name: str) -> Any:
    return venue.user(
        name,
        spot={"USDT": "100000", "BTC": "1"},
        usdm={"USDT": "1000000"},
        coinm={"BTC": "100"},
    )


@dataclass
class Trader:
    spot: Spot
    usdm: UsdM
    coinm: CoinM
    user: str

    def close(self) -> None:
        for client in (self.spot, self.usdm, self.coinm):
            client.close()


def trader(venue: Venue, name: str, **options: Any) -> Trader:
    key = fund(venue, name)
    trader = Trader(
        venue.client(Spot, key, **options),
        venue.client(UsdM, key, **options),
        venue.client(CoinM, key, **options),
        name,
    )
    for client in (trader.spot, trader.usdm, trader.coinm):
        client.policy.backoff_s = 0.01
    return trader


def ladder(venue: Venue, maker: tuple[UsdM, CoinM]) -> None:
    """The maker's book on both futures symbols: bids below the price, asks above, deep enough."""
    usdm, coinm = maker
    for client, symbol, size in ((usdm, USDM, D("2")), (coinm, COINM, D("2000"))):
        client.cancel_all_open_orders(symbol=symbol)
        for level in range(1, 4):
            for side, price in (("BUY", PRICE - 10 * level), ("SELL", PRICE + 10 * level)):
                client.new_order(
                    symbol=symbol,
                    side=side,  # type: ignore[arg-type]
                    type="LIMIT",
                    time_in_force="GTC",
                    quantity=size,
                    price=price,
                )


def open_everything(t: Trader, *, hedge: bool) -> dict[str, Any]:
    """Positions, resting orders and algo orders on both futures products, and spot orders (a limit
    order and an OCO list); returns what was opened, by product."""
    opened: dict[str, Any] = {}
    if hedge:
        # One position mode for both futures products since the 2026-06-30 integration: set once, here
        # through USDⓈ-M, it holds on COIN-M too (asking COIN-M again would be -4059).
        t.usdm.change_position_mode(dual_side_position=True)
        assert t.coinm.position_mode().dual_side_position is True
    for client, symbol, unit in ((t.usdm, USDM, D("0.1")), (t.coinm, COINM, D("10"))):
        if hedge:
            long_side: dict[str, Any] = {"position_side": "LONG"}
            short_side: dict[str, Any] = {"position_side": "SHORT"}
            close_long: dict[str, Any] = {"position_side": "LONG"}
        else:
            long_side = short_side = {}
            close_long = {"reduce_only": True}
        market = {"symbol": symbol, "type": "MARKET"}
        client.new_order(side="BUY", quantity=unit * 5, **market, **long_side)  # type: ignore[arg-type]
        if hedge:
            client.new_order(side="SELL", quantity=unit * 3, **market, **short_side)  # type: ignore[arg-type]
        limit = {"symbol": symbol, "type": "LIMIT", "time_in_force": "GTC", "quantity": unit}
        client.new_order(side="BUY", price=PRICE - 1000, **limit, **long_side)  # type: ignore[arg-type]
        client.new_order(side="SELL", price=PRICE + 1000, **limit, **short_side)  # type: ignore[arg-type]
        for kind, trigger in (("STOP_MARKET", PRICE - 3000), ("TAKE_PROFIT_MARKET", PRICE + 3000)):
            client.new_algo_order(
                algo_type="CONDITIONAL",
                symbol=symbol,
                side="SELL",
                type=kind,  # type: ignore[arg-type]
                quantity=unit * 5,
                trigger_price=trigger,
                working_type="MARK_PRICE",
                **close_long,
            )
        opened[client.product] = {
            "positions": {(p.position_side, p.position_amt) for p in positions(client) if p.position_amt},
            "orders": len(client.open_orders()),
            "algos": len(client.open_algo_orders()),
        }
    book = t.spot.order_book(symbol=USDM, limit=5)
    bid, ask = book.bids[0].price, book.asks[0].price
    t.spot.new_order(
        symbol=USDM,
        side="BUY",
        type="LIMIT",
        time_in_force="GTC",
        quantity=D("0.01"),
        price=(bid * D("0.9")).quantize(D("0.01")),
    )
    t.spot.new_order_list_oco(
        symbol=USDM,
        side="SELL",
        quantity=D("0.1"),
        above_type="LIMIT_MAKER",
        above_price=(ask * D("1.1")).quantize(D("0.01")),
        below_type="STOP_LOSS",
        below_stop_price=(bid * D("0.9")).quantize(D("0.01")),
    )
    opened["spot"] = {"orders": len(t.spot.open_orders())}
    return opened


def positions(client: UsdM | CoinM) -> list[Any]:
    found: list[Any] = client.position_risk_v3() if isinstance(client, UsdM) else client.position_risk()
    return found


@dataclass(frozen=True)
class Records:
    """The exchange's own records of one user on one futures product."""

    open_orders: int
    open_algos: int
    positions: dict[tuple[str, str], D]
    canceled_orders: set[int]
    canceled_algos: set[int]
    kill_orders: dict[int, tuple[str, D, D]]  # order id -> (symbol, executed, cum quote)


def records(venue: Venue, product: str, user: str) -> Records:
    with venue.emulator.lock:
        account = venue.emulator.exchanges[product].state.account(user)
        return Records(
            open_orders=len(account.open_orders),
            open_algos=len(account.open_algo),
            positions={key: p.amount for key, p in account.positions.items() if p.amount},
            canceled_orders={o.order_id for o in account.orders.values() if o.status == "CANCELED"},
            canceled_algos={a.algo_id for a in account.algo_orders.values() if a.status == "CANCELED"},
            kill_orders={
                o.order_id: (o.symbol, o.executed_qty, o.cum_quote)
                for o in account.orders.values()
                if o.client_order_id.startswith("x-kill") and o.executed_qty
            },
        )


@contextmanager
def random_faults(venue: Venue, seed: int, *, every_s: float = 0.03, limit: int = 20) -> Iterator[list[str]]:
    """Random faults while the block runs: a random set armed at the start (5XX, ``-1007`` after
    executing, connections dropped before and after an order, a 429, an order answered after the
    client's timeout), then a 5XX for the next call every ``every_s`` (at most ``limit``). Yields the
    list of faults that fired (filled in when the block ends); all are cleared at the end.
    """
    chosen = random.Random(seed)
    armed = {
        "server_errors": chosen.randint(2, 5),
        "status_unknown": 1,
        "drop_after": 1,
        "drop_before": 1,
        "rate_limited": 1,  # a 429 costs a second of Retry-After: one only
    }
    order_faults = ["status_unknown", "drop_after", "drop_before"]
    chosen.shuffle(order_faults)
    fired: list[str] = []
    stop = threading.Event()

    def storm() -> None:
        for _ in range(limit):
            if stop.wait(every_s * chosen.uniform(0.5, 1.5)):
                return
            with venue.emulator.lock:
                armed["server_errors"] += 1
                venue.emulator.faults.update({"server_errors": venue.emulator.faults.server_errors + 1})

    # the order faults one after the other on the first orders, in a random order
    venue.emulator.set_faults({**armed, "delay_answer_ms": 2500, "delayed_orders": 1})
    thread = threading.Thread(target=storm, daemon=True)
    thread.start()
    try:
        yield fired
    finally:
        stop.set()
        thread.join(timeout=5)
        left = venue.emulator.faults.as_dict()
        late = left["delayed_orders"] == 0
        venue.emulator.set_faults({**dict.fromkeys(FAULTS, 0), "delay_answer_ms": 0, "delayed_orders": 0})
        for fault, count in armed.items():
            fired += [fault] * (count - left[fault])
        fired += ["late answer"] if late else []
