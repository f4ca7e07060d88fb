"""Helpers of the order book keeper tests: one symbol of a served emulator, moved one diff depth event at a
time, and a wait until a keeper has caught up with it. (No tests here.)

The emulator is frozen (no background simulation): the market moves only when ``Market.step`` runs the
symbol's own simulation (the market maker requotes its ten levels a side, the noise trader sometimes
takes liquidity) and publishes the book's changes, which is one diff event on the symbol's depth streams.
``deepen`` adds resting orders away from the market maker's ladder, which ``step`` then cancels and
replaces now and then, so that the book also has levels the ladder never touches.
"""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from typing import Any

from binance_emulator import Emulator
from binance_emulator.market import MAKER
from binance_openapi.ws._keeper import AsyncOrderBookKeeper

Levels = list[tuple[Decimal, Decimal]]
STEP_MS = 100
NUDGE_S = 0.05
"""How long ``caught_up`` lets the keeper work before moving the market again (a missed event shows as a
gap only when the next one arrives)."""


class Market:
    """One symbol of an emulator: its simulation, its book, and extra resting orders deep in the book."""

    def __init__(self, emulator: Emulator, product: str, symbol: str, seed: int = 1) -> None:
        self.emulator = emulator
        self.product = product
        self.symbol = symbol
        exchange = emulator.exchanges[product]
        self.exchange = exchange
        if product == "spot":
            self.simulation = exchange.state.symbols[symbol].simulation
            self.venue: Any = exchange
        else:
            self.simulation = exchange.state.sims[symbol]
            self.venue = exchange.engine
        self.book = exchange.books[symbol]
        self.rng = random.Random(seed)
        self.deep: list[int] = []
        self.depth_target = 0
        self.steps = 0
        self.events = 0  # diff events published (steps that changed the book)

    def _quantity(self) -> Decimal:
        instrument = self.simulation.instrument
        lot: Decimal = max(instrument.min_qty, instrument.step)
        return lot * self.rng.randint(1, 30)

    def _place_deep(self) -> None:
        instrument = self.simulation.instrument
        side = self.rng.choice(("BUY", "SELL"))
        ticks = self.rng.randint(15, 60) * (-1 if side == "BUY" else 1)
        price = self.simulation.mid + instrument.tick * ticks
        order_id = self.venue.system_limit(self.symbol, MAKER, side, price, self._quantity())
        if order_id is not None:
            self.deep.append(order_id)

    def deepen(self, orders: int = 40) -> None:
        """Rest ``orders`` orders 15 to 60 ticks away from the mid (published as one diff event)."""
        with self.emulator.lock:
            before = self.book.update_id
            self.depth_target = orders
            for _ in range(orders):
                self._place_deep()
            self._publish(before)

    def step(self) -> None:
        """One simulation step of the symbol (and sometimes a deep order replaced), published."""
        with self.emulator.lock:
            before = self.book.update_id
            clock = self.emulator.clock
            clock.advance(STEP_MS)
            now = clock.now_ms()
            if self.product != "spot":
                self.exchange.state.now = now
            self.simulation.tick(self.venue, now)
            if self.deep and self.rng.random() < 0.2:
                gone = self.deep.pop(self.rng.randrange(len(self.deep)))
                self.venue.system_cancel(self.symbol, MAKER, gone)
                self._place_deep()
            # Deep orders the market took (a requote, a sweep) or the exchange refused: top up.
            self.deep = [order_id for order_id in self.deep if order_id in self.book.orders]
            if len(self.deep) < self.depth_target:
                self._place_deep()
            if self.product != "spot":
                self.venue.flush(now)
            self._publish(before)

    def _publish(self, before: int) -> None:
        """Publish the book's changes since ``before``: one diff event (unless a fault skips it)."""
        self.emulator.ws.after_change()
        self.steps += 1
        self.events += self.book.update_id != before

    def fault(self, name: str, value: int = 1) -> None:
        with self.emulator.lock:
            self.emulator.set_faults({name: value})

    def levels(self) -> tuple[Levels, Levels, int]:
        """Every level of the exchange's book, best first, and its update id."""
        with self.emulator.lock:
            bids, asks = self.book.depth(1_000_000)
            return bids, asks, self.book.update_id

    def update_id(self) -> int:
        with self.emulator.lock:
            update_id: int = self.book.update_id
            return update_id

    async def caught_up(self, keeper: AsyncOrderBookKeeper, rounds: int = 1000) -> None:
        """Wait until ``keeper`` is in sync at the exchange's update id, moving the market whenever the
        keeper has had nothing to do for a moment (events it missed show only when the next one comes)."""
        for _ in range(rounds):
            if keeper.synced and keeper.update_id == self.update_id():
                return
            changes = keeper.changes()
            try:
                await asyncio.wait_for(anext(changes), NUDGE_S)
            except TimeoutError:
                self.step()
            finally:
                await changes.aclose()  # type: ignore[attr-defined]
        raise AssertionError(f"the keeper did not catch up: {keeper!r} {keeper.stats}")
