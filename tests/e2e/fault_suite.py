"""The fault suite: many MARKET orders through random faults, checked against the emulator's own records.

Each case is one product (spot or USDⓈ-M), sync or async, one user. Before a random share of the orders
the suite injects one fault on the emulator: the connection dropped before or after the order is
applied, ``-1007`` after executing it, a 503 before doing anything, an order held on its way longer than
the client's timeout (applied late while the client is already looking it up, or so late that the
engine refuses it with ``-1021``), or an answer held past the timeout. Async cases run several orders
at once, so faults land on whichever order comes next (or on a lookup).

MARKET orders are the dangerous ones: Binance refuses a reused client order id only while the first
order is open, so an order sent twice would execute twice. At the end the emulator's records must hold
exactly one order for every client order id the client returned, and nothing else: 0 duplicates,
0 lost. ``bench/faults.py`` runs the same suite at full size and prints its figures.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

from binance_openapi import AsyncSpot, AsyncUsdM, BinanceError, Spot, UsdM
from tests.e2e.conftest import Venue

SYMBOL = "BTCUSDT"
QUANTITY = {"spot": D("0.001"), "usdm": D("0.002")}
MID = D("61000")
TIMEOUT_S = 0.2
RECV_WINDOW_MS = 300
MARGIN_MS = 50  # loopback: the estimate of the emulator's clock is off by well under a millisecond
LATE_APPLIED_MS = 240  # past the client's timeout, within recvWindow: applied while the client looks
LATE_REFUSED_MS = 600  # past recvWindow: the engine refuses it, the client must send it again
LATE_ANSWER_MS = 300
FAULTS: dict[str, dict[str, int]] = {
    "drop_before": {"drop_before": 1},
    "drop_after": {"drop_after": 1},
    "status_unknown": {"status_unknown": 1},
    "server_error": {"server_errors": 1},
    "late_applied": {"delay_apply_ms": LATE_APPLIED_MS, "delayed_orders": 1},
    "late_refused": {"delay_apply_ms": LATE_REFUSED_MS, "delayed_orders": 1},
    "late_answer": {"delay_answer_ms": LATE_ANSWER_MS, "delayed_orders": 1},
}
CLEAR = {"drop_before": 0, "drop_after": 0, "status_unknown": 0, "server_errors": 0} | {
    "delay_apply_ms": 0,
    "delay_answer_ms": 0,
    "delayed_orders": 0,
}


@dataclass
class Report:
    """What one case did and what the emulator recorded."""

    product: str
    mode: str
    orders: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    lost: int = 0
    unknown: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    latency: dict[str, list[float]] = field(default_factory=dict)

    def took(self, kind: str, seconds: float) -> None:
        self.latency.setdefault(kind, []).append(seconds)

    def mean_ms(self, kind: str) -> float:
        found = self.latency.get(kind)
        return statistics.fmean(found) * 1000 if found else 0.0


def setup_market(venue: Venue) -> None:
    """A quiet spot book and a mark price for USDⓈ-M; liquidity comes from ``maker``."""
    venue.quiet("spot", SYMBOL)
    venue.set_price("usdm", SYMBOL, str(MID))


def maker(venue: Venue, name: str) -> None:
    """A user resting a large bid and ask on both products, so that MARKET orders always fill."""
    key = venue.user(name, spot={"USDT": "10000000", "BTC": "1000"}, usdm={"USDT": "10000000"})
    for cls in (Spot, UsdM):
        with venue.client(cls, key) as client:
            for side, price in (("BUY", MID - 10), ("SELL", MID + 10)):
                client.new_order(
                    symbol=SYMBOL, side=side, type="LIMIT", time_in_force="GTC", quantity=D("50"), price=price
                )


def configure(client: Any) -> None:
    """Short back-off and margin (loopback), no self-throttling (after ``exchange_rules``: the emulator's
    limits are raised, not the ``exchangeInfo`` it publishes)."""
    client.policy.backoff_s = 0.02
    client.policy.lookup_backoff_max_s = 0.1
    client.policy.lookups = 20
    client.policy.absence_margin_ms = MARGIN_MS
    for ledger in (client.limits.ip, client.limits.account):
        for window in ledger.windows.values():
            window.set_limit(10**9)


def recorded(venue: Venue, product: str, user: str) -> list[tuple[int, str]]:
    """``(order id, client order id)`` of every order the emulator holds for ``user``."""
    with venue.emulator.lock:
        state = venue.emulator.exchanges[product].state
        account = state.accounts.get(user)
        if account is None:
            return []
        orders = (
            account.orders.get(SYMBOL, []) if product == "spot" else account.orders_by_symbol.get(SYMBOL, [])
        )
        return [(order.order_id, order.client_order_id) for order in orders]


def check(report: Report, venue: Venue, user: str, placed: dict[str, int | None]) -> None:
    """Compare what the client returned with the emulator's records: duplicates and lost orders."""
    records = recorded(venue, report.product, user)
    by_id = Counter(client_id for _, client_id in records)
    report.duplicates = sum(n - 1 for n in by_id.values() if n > 1) + sum(
        n for client_id, n in by_id.items() if client_id not in placed
    )
    ids = {client_id: order_id for order_id, client_id in records}
    report.lost = sum(
        1 for client_id, order_id in placed.items() if order_id is not None and ids.get(client_id) != order_id
    )
    report.unknown = sum(1 for order_id in placed.values() if order_id is None)


def _fault(rng: random.Random, rate: float) -> str | None:
    return rng.choice(sorted(FAULTS)) if rng.random() < rate else None


def run_sync(venue: Venue, product: str, orders: int, *, seed: int, rate: float) -> Report:
    """``orders`` MARKET orders one after the other, a fault before a ``rate`` share of them."""
    rng = random.Random(seed)
    report = Report(product, "sync")
    user = f"suite-{product}-sync-{seed}"
    key = venue.user(user, spot={"USDT": "1000000", "BTC": "10"}, usdm={"USDT": "1000000"})
    cls = Spot if product == "spot" else UsdM
    placed: dict[str, int | None] = {}
    started = time.monotonic()
    with venue.client(cls, key, recv_window=RECV_WINDOW_MS, timeout=TIMEOUT_S) as client:
        client.exchange_rules()
        configure(client)
        for number in range(orders):
            kind = _fault(rng, rate)
            if kind is not None:
                venue.emulator.set_faults(FAULTS[kind])
                report.faults[kind] += 1
            client_id = f"s{seed}-{number}"
            side = "BUY" if number % 2 == 0 else "SELL"
            begun = time.monotonic()
            try:
                order = client.new_order(
                    symbol=SYMBOL,
                    side=side,
                    type="MARKET",
                    quantity=QUANTITY[product],
                    new_client_order_id=client_id,
                )
                placed[client_id] = order.order_id
            except BinanceError as error:
                placed[client_id] = None
                report.errors.append(f"{client_id}: {error}")
            finally:
                venue.emulator.set_faults(CLEAR)
            report.took(kind or "none", time.monotonic() - begun)
            report.orders += 1
    report.seconds = time.monotonic() - started
    check(report, venue, user, placed)
    return report


async def run_async(
    venue: Venue, product: str, orders: int, *, seed: int, rate: float, tasks: int = 4
) -> Report:
    """``orders`` MARKET orders from ``tasks`` concurrent tasks; faults land on whatever comes next."""
    rng = random.Random(seed)
    report = Report(product, "async")
    user = f"suite-{product}-async-{seed}"
    key = venue.user(user, spot={"USDT": "1000000", "BTC": "10"}, usdm={"USDT": "1000000"})
    cls = AsyncSpot if product == "spot" else AsyncUsdM
    placed: dict[str, int | None] = {}
    numbers = iter(range(orders))
    started = time.monotonic()
    async with venue.client(cls, key, recv_window=RECV_WINDOW_MS, timeout=TIMEOUT_S) as client:
        await client.exchange_rules()
        configure(client)

        async def worker() -> None:
            for number in numbers:
                kind = _fault(rng, rate)
                if kind is not None:
                    venue.emulator.set_faults(FAULTS[kind])
                    report.faults[kind] += 1
                client_id = f"a{seed}-{number}"
                side = "BUY" if number % 2 == 0 else "SELL"
                begun = time.monotonic()
                try:
                    order = await client.new_order(
                        symbol=SYMBOL,
                        side=side,
                        type="MARKET",
                        quantity=QUANTITY[product],
                        new_client_order_id=client_id,
                    )
                    placed[client_id] = order.order_id
                except BinanceError as error:
                    placed[client_id] = None
                    report.errors.append(f"{client_id}: {error}")
                report.took("any", time.monotonic() - begun)
                report.orders += 1

        await asyncio.gather(*(worker() for _ in range(tasks)))
    venue.emulator.set_faults(CLEAR)
    await asyncio.sleep(LATE_REFUSED_MS / 1000)  # a late order still on its way lands in the records
    report.seconds = time.monotonic() - started
    check(report, venue, user, placed)
    return report


__all__ = ["FAULTS", "Report", "maker", "run_async", "run_sync", "setup_market"]
