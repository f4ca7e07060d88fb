"""Market data and the simulated market shared by the spot and futures exchanges.

* ``Instrument``: what is traded and its trading rules (tick, step, limits).
* ``Tape``: every trade of a symbol, with aggregate trades, klines and rolling statistics derived from
  it; the minutes before the exchange started are filled with a seeded, deterministic history.
* ``Simulation``: a mid price on a seeded random walk, a market maker quoting a ladder around it and a
  noise trader taking liquidity now and then, so that users' orders fill. It sends its orders through
  the exchange (``Venue``), like any account, so fills reach resting user orders the normal way.
"""

from __future__ import annotations

import math
import random
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Protocol

import msgspec

MINUTE = 60_000
INTERVALS_MS = {
    "1s": 1_000,
    "1m": MINUTE,
    "3m": 3 * MINUTE,
    "5m": 5 * MINUTE,
    "15m": 15 * MINUTE,
    "30m": 30 * MINUTE,
    "1h": 60 * MINUTE,
    "2h": 120 * MINUTE,
    "4h": 240 * MINUTE,
    "6h": 360 * MINUTE,
    "8h": 480 * MINUTE,
    "12h": 720 * MINUTE,
    "1d": 1440 * MINUTE,
    "3d": 3 * 1440 * MINUTE,
    "1w": 7 * 1440 * MINUTE,
    "1M": 30 * 1440 * MINUTE,
}
ZERO = Decimal(0)
# Where each asset trades in USD when the exchange starts: spot, USDⓈ-M and COIN-M markets of one asset
# start from the same price and, seeded by asset (``asset_seed``), move together.
REFERENCE_PRICES: dict[str, Decimal] = {
    "BTC": Decimal("65000"),
    "ETH": Decimal("3300"),
    "BNB": Decimal("650"),
    "SOL": Decimal("180"),
    "XRP": Decimal("2.3"),
}


def asset_seed(seed: int, asset: str, purpose: str) -> int:
    """A seed shared by every market of ``asset`` (so their simulated prices move together)."""
    return zlib.crc32(f"{seed}:{asset}:{purpose}".encode())


def quantize(value: Decimal, step: Decimal, rounding: str = ROUND_DOWN) -> Decimal:
    """Round ``value`` to a multiple of ``step``, keeping the step's decimals."""
    if step <= 0:
        return value
    return ((value / step).to_integral_value(rounding) * step).quantize(step.normalize())


@dataclass(frozen=True)
class Instrument:
    """A tradable symbol and its rules. Futures add a contract size and type; COIN-M is inverse."""

    symbol: str
    base: str
    quote: str
    price: Decimal
    tick: Decimal
    step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal
    volatility: float = 0.0005
    contract_type: str = ""
    contract_size: Decimal = Decimal(1)
    inverse: bool = False
    delivery_ms: int = 4133404800000
    onboard_ms: int = 1569398400000
    pair: str = ""
    margin_asset: str = ""

    @property
    def price_precision(self) -> int:
        return max(0, -self.tick.normalize().as_tuple().exponent)  # type: ignore[operator]

    @property
    def quantity_precision(self) -> int:
        return max(0, -self.step.normalize().as_tuple().exponent)  # type: ignore[operator]


class Trade(msgspec.Struct, gc=False):
    """One trade on the tape. ``taker_order`` groups the fills of one incoming order.

    Records that pile up as the exchange trades (trades, orders, fills, income) are structs that the
    garbage collector does not track (``gc=False``: they hold only numbers, strings and other such
    records, never a cycle); tracked, they made every full collection longer, a sixth of the CPU of a
    long session.
    """

    id: int
    price: Decimal
    quantity: Decimal
    time: int
    buyer_maker: bool
    taker_order: int

    @property
    def quote(self) -> Decimal:
        return self.price * self.quantity


class AggTrade(msgspec.Struct, gc=False):
    """Consecutive fills of one taker order at one price."""

    id: int
    price: Decimal
    quantity: Decimal
    first_trade: int
    last_trade: int
    time: int
    buyer_maker: bool


@dataclass(frozen=True, slots=True)
class Bar:
    """One kline."""

    open_time: int
    close_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trades: int
    taker_buy_volume: Decimal
    taker_buy_quote_volume: Decimal


@dataclass(slots=True)
class LiveBar:
    """The bar of one bucket of live trades, brought up to date by each trade recorded in it."""

    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal = ZERO
    quote_volume: Decimal = ZERO
    trades: int = 0
    taker_buy_volume: Decimal = ZERO
    taker_buy_quote_volume: Decimal = ZERO

    @classmethod
    def of(cls, open_time: int, trades: Sequence[Trade]) -> LiveBar:
        """The bar of ``trades`` (at least one, in time order)."""
        first = trades[0].price
        bar = cls(open_time, first, first, first, first)
        for trade in trades:
            bar.add(trade.price, trade.quantity, trade.price * trade.quantity, trade.buyer_maker)
        return bar

    def add(self, price: Decimal, quantity: Decimal, quote: Decimal, buyer_maker: bool) -> None:
        if price > self.high:
            self.high = price
        elif price < self.low:
            self.low = price
        self.close = price
        self.volume += quantity
        self.quote_volume += quote
        self.trades += 1
        if not buyer_maker:
            self.taker_buy_volume += quantity
            self.taker_buy_quote_volume += quote

    def bar(self, length: int) -> Bar:
        return Bar(
            self.open_time, self.open_time + length - 1, self.open, self.high, self.low, self.close,
            self.volume, self.quote_volume, self.trades, self.taker_buy_volume, self.taker_buy_quote_volume,
        )  # fmt: skip


@dataclass
class Tape:
    """The trades of one symbol, and the history before the exchange started (seeded 1m bars)."""

    instrument: Instrument
    trades: list[Trade] = field(default_factory=list)
    aggregates: list[AggTrade] = field(default_factory=list)
    history: list[Bar] = field(default_factory=list)
    # The 1m bars of the live trades, oldest first, kept as trades are recorded: klines, average prices
    # and the streams' tickers read them without walking the trades.
    live: list[LiveBar] = field(default_factory=list)

    def seed_history(self, until_ms: int, minutes: int, seed: int) -> Decimal:
        """Make ``minutes`` of 1m bars ending at ``until_ms`` from a seeded walk; returns the last close.

        The walk is scaled so that it ends at the instrument's price: whatever the history's length,
        every market of an asset starts trading at the same level.
        """
        inst = self.instrument
        walk = random.Random(seed)
        steps = [math.exp(walk.gauss(0, inst.volatility * 4)) for _ in range(minutes * 4)]
        rng = random.Random(seed ^ 0x5EED)
        price = float(inst.price) / math.prod(steps) if steps else float(inst.price)
        start = until_ms - until_ms % MINUTE - minutes * MINUTE
        bars = []
        for index in range(minutes):
            open_price = price
            path = [price := price * step for step in steps[index * 4 : index * 4 + 4]]
            high, low = max(open_price, *path), min(open_price, *path)
            volume = Decimal(str(round(rng.uniform(1, 50) * float(inst.min_qty) * 10, 8)))
            volume = quantize(volume, inst.step) or inst.step
            vwap = Decimal(str((open_price + price) / 2))
            bars.append(
                Bar(
                    open_time=start + index * MINUTE,
                    close_time=start + (index + 1) * MINUTE - 1,
                    open=quantize(Decimal(str(open_price)), inst.tick, ROUND_HALF_EVEN),
                    high=quantize(Decimal(str(high)), inst.tick, ROUND_HALF_EVEN),
                    low=quantize(Decimal(str(low)), inst.tick, ROUND_HALF_EVEN),
                    close=quantize(Decimal(str(price)), inst.tick, ROUND_HALF_EVEN),
                    volume=volume,
                    quote_volume=quantize(volume * vwap, Decimal("0.00000001")),
                    trades=rng.randint(5, 80),
                    taker_buy_volume=quantize(volume / 2, inst.step),
                    taker_buy_quote_volume=quantize(volume / 2 * vwap, Decimal("0.00000001")),
                )
            )
        if bars:
            bars[-1] = self._seed_trades(bars[-1], rng)
        self.history = bars
        return bars[-1].close if bars else inst.price

    def _seed_trades(self, bar: Bar, rng: random.Random) -> Bar:
        """The trades of the last history minute (ids from 1), and that bar rebuilt from them.

        A client asking for recent trades right after the start gets the trades the klines count,
        and the ids of live trades follow them.
        """
        inst = self.instrument
        count = max(bar.trades, 2)
        size = quantize(bar.volume / count, inst.step) or inst.step
        times = sorted(rng.randrange(bar.open_time, bar.close_time + 1) for _ in range(count))
        spread = bar.high - bar.low
        for index, time in enumerate(times):
            if index == count - 1:
                price = bar.close
            elif index == 0:
                price = bar.open
            else:
                price = quantize(bar.low + spread * Decimal(str(rng.random())), inst.tick) or bar.low
            trade = Trade(index + 1, price, size, time, rng.random() < 0.5, 0)
            self.trades.append(trade)
            self.aggregates.append(
                AggTrade(index + 1, price, size, index + 1, index + 1, time, trade.buyer_maker)
            )
        return LiveBar.of(bar.open_time, self.trades).bar(MINUTE)

    def record(
        self, price: Decimal, quantity: Decimal, time: int, buyer_maker: bool, taker_order: int
    ) -> Trade:
        """Add a trade (and extend or start its aggregate trade)."""
        trades, aggregates = self.trades, self.aggregates
        previous = trades[-1] if trades else None
        trade = Trade(len(trades) + 1, price, quantity, time, buyer_maker, taker_order)
        trades.append(trade)
        live = self.live
        if live and 0 <= time - live[-1].open_time < MINUTE:
            live[-1].add(price, quantity, price * quantity, buyer_maker)
        else:
            self._start_minute(trade)
        last = aggregates[-1] if aggregates else None
        if (
            last is not None
            and previous is not None
            and previous.taker_order == taker_order
            and last.price == price
        ):
            aggregates[-1] = AggTrade(
                last.id, price, last.quantity + quantity, last.first_trade, trade.id, last.time, buyer_maker
            )
        else:
            aggregates.append(
                AggTrade(len(aggregates) + 1, price, quantity, trade.id, trade.id, time, buyer_maker)
            )
        return trade

    @property
    def last_price(self) -> Decimal:
        if self.trades:
            return self.trades[-1].price
        return self.history[-1].close if self.history else self.instrument.price

    def recent(self, limit: int) -> list[Trade]:
        return self.trades[-limit:]

    def bars(self, interval: str, start: int | None, end: int | None, limit: int) -> list[Bar]:
        """Klines of ``interval``: the seeded history, then bars built from live trades."""
        length = INTERVALS_MS[interval]
        if length >= MINUTE:
            source = self.history + self.minute_bars()
        else:
            source = self._second_bars(start, end, limit)
        # Only the bars of the buckets that can be answered: a window, or the last `limit` buckets.
        first = -(-start // length) * length if start is not None else None
        if first is None and end is None and source:
            last_open = source[-1].open_time - source[-1].open_time % length
            first = last_open - (limit - 1) * length
        low = bisect_left(source, first, key=_open_time) if first is not None else 0
        high = (
            bisect_right(source, end - end % length + length - 1, key=_open_time) if end is not None else None
        )
        buckets: dict[int, list[Bar]] = {}
        for bar in source[low:high]:
            buckets.setdefault(bar.open_time - bar.open_time % length, []).append(bar)
        out = [self._merge(open_time, length, group) for open_time, group in sorted(buckets.items())]
        if start is not None:
            out = [bar for bar in out if bar.open_time >= start]
        if end is not None:
            out = [bar for bar in out if bar.open_time <= end]
        return out[:limit] if start is not None else out[-limit:]

    def minute_bars(self) -> list[Bar]:
        """The 1m bars of the live trades, oldest first."""
        return [minute.bar(MINUTE) for minute in self.live]

    def _start_minute(self, trade: Trade) -> None:
        """A trade outside the last live minute: it starts the next one (or, if the clock was set
        back, goes into the bar of its own minute, rebuilt from the trades)."""
        open_time = trade.time - trade.time % MINUTE
        live = self.live
        if not live or open_time > live[-1].open_time:
            live.append(LiveBar.of(open_time, [trade]))
            return
        at = bisect_left(live, open_time, key=_open_time)
        rebuilt = LiveBar.of(open_time, [t for t in self.trades if t.time - t.time % MINUTE == open_time])
        if live[at].open_time == open_time:
            live[at] = rebuilt
        else:
            live.insert(at, rebuilt)

    def _second_bars(self, start: int | None, end: int | None, limit: int) -> list[Bar]:
        """1s bars of the live trades in the window ``bars`` answers (the trades are in time order)."""
        trades = self.trades
        high = bisect_right(trades, end, key=_trade_time) if end is not None else len(trades)
        if start is not None:
            since = start - start % 1000
        elif high:  # the last `limit` seconds up to the last trade
            last = trades[high - 1].time
            since = last - last % 1000 - (limit - 1) * 1000
        else:
            return []
        low = bisect_left(trades, since, 0, high, key=_trade_time)
        buckets: dict[int, list[Trade]] = {}
        for trade in trades[low:high]:
            buckets.setdefault(trade.time - trade.time % 1000, []).append(trade)
        return [LiveBar.of(open_time, group).bar(1000) for open_time, group in sorted(buckets.items())]

    @staticmethod
    def _merge(open_time: int, length: int, group: list[Bar]) -> Bar:
        return Bar(
            open_time=open_time,
            close_time=open_time + length - 1,
            open=group[0].open,
            high=max(bar.high for bar in group),
            low=min(bar.low for bar in group),
            close=group[-1].close,
            volume=sum((bar.volume for bar in group), ZERO),
            quote_volume=sum((bar.quote_volume for bar in group), ZERO),
            trades=sum(bar.trades for bar in group),
            taker_buy_volume=sum((bar.taker_buy_volume for bar in group), ZERO),
            taker_buy_quote_volume=sum((bar.taker_buy_quote_volume for bar in group), ZERO),
        )

    def window(self, now: int, length_ms: int) -> list[Bar]:
        """1m bars (history and live) overlapping ``[now - length_ms, now]``."""
        return list(self.bars("1m", now - length_ms, now, 100_000))


class Venue(Protocol):
    """What the simulation needs from an exchange: place and cancel orders for its own accounts."""

    def system_limit(
        self, symbol: str, owner: str, side: str, price: Decimal, quantity: Decimal
    ) -> int | None:
        """Rest a limit order for a simulated account; the order id, or ``None`` if refused."""
        ...

    def system_cancel(self, symbol: str, owner: str, order_id: int) -> None: ...

    def system_market(self, symbol: str, owner: str, side: str, quantity: Decimal) -> None: ...


MAKER = "market-maker"
GRID_GAP = Decimal("0.0002")  # the deep book's gap between levels, a share of the price
TAKER = "noise-trader"


@dataclass
class Simulation:
    """A moving mid price, a market maker quoting around it and a noise trader, for one symbol."""

    instrument: Instrument
    seed: int
    mid: Decimal = ZERO
    levels: int = 10
    spread_ticks: int = 2
    level_gap_ticks: int = 1
    last_tick_ms: int = 0
    quotes: list[int] = field(default_factory=list)
    # Beyond the ladder, resting orders on a fixed price grid (a gap of about 2 basis points) down to
    # ``depth`` levels a side in all: a book as deep as Binance's. Only the grid levels the mid's moves
    # uncover or cover change, and the ``refresh`` nearest a side are placed again on every tick (a
    # taker may have filled them).
    depth: int = 250
    refresh: int = 3
    deep: dict[tuple[str, Decimal], int] = field(default_factory=dict)
    grid: Decimal = ZERO
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        if self.mid == 0:
            self.mid = self.instrument.price
        if self.grid == 0:
            tick = self.instrument.tick
            self.grid = max(quantize(self.mid * GRID_GAP, tick), tick * (self.levels + 1))

    def _step_mid(self, elapsed_ms: int) -> None:
        inst = self.instrument
        sigma = inst.volatility * math.sqrt(max(elapsed_ms, 1) / 1000)
        moved = float(self.mid) * math.exp(self.rng.gauss(0, sigma))
        self.mid = quantize(Decimal(str(moved)), inst.tick, ROUND_HALF_EVEN) or inst.tick

    def _size(self) -> Decimal:
        inst = self.instrument
        lots = self.rng.randint(5, 40)
        return quantize(max(inst.min_qty, inst.step) * lots, inst.step)

    def _grid_levels(self) -> dict[tuple[str, Decimal], None]:
        """The grid prices the deep book should rest at now, nearest the mid first on each side."""
        inst, grid = self.instrument, self.grid
        reach = inst.tick * (self.spread_ticks + self.level_gap_ticks * self.levels)
        count = max(self.depth - self.levels, 0)
        wanted: dict[tuple[str, Decimal], None] = {}
        top = ((self.mid - reach) / grid).to_integral_value(ROUND_DOWN) * grid
        for level in range(count):
            price = top - grid * level
            if price <= 0:
                break
            wanted["BUY", price] = None
        bottom = -((-(self.mid + reach) / grid).to_integral_value(ROUND_DOWN)) * grid
        for level in range(count):
            wanted["SELL", bottom + grid * level] = None
        return wanted

    def requote(self, venue: Venue) -> None:
        """Replace the market maker's ladder around the current mid, and move its deep book along."""
        inst = self.instrument
        wanted = self._grid_levels()
        nearest = {
            key for side in ("BUY", "SELL") for key in [k for k in wanted if k[0] == side][: self.refresh]
        }
        for key in [key for key in self.deep if key not in wanted or key in nearest]:
            venue.system_cancel(inst.symbol, MAKER, self.deep.pop(key))
        for order_id in self.quotes:
            venue.system_cancel(inst.symbol, MAKER, order_id)
        self.quotes = []
        half = inst.tick * self.spread_ticks
        for level in range(self.levels):
            offset = half + inst.tick * self.level_gap_ticks * level
            for side, price in (("BUY", self.mid - offset), ("SELL", self.mid + offset)):
                if price <= 0:
                    continue
                placed = venue.system_limit(inst.symbol, MAKER, side, price, self._size())
                if placed is not None:
                    self.quotes.append(placed)
        for key in wanted:
            if key not in self.deep:
                placed = venue.system_limit(inst.symbol, MAKER, key[0], key[1], self._size() * 4)
                if placed is not None:
                    self.deep[key] = placed

    def tick(self, venue: Venue, now_ms: int, *, trade_probability: float = 0.3) -> None:
        """Advance to ``now_ms``: move the mid, requote, and maybe take some liquidity."""
        elapsed = now_ms - self.last_tick_ms if self.last_tick_ms else 1000
        self.last_tick_ms = now_ms
        self._step_mid(elapsed)
        self.requote(venue)
        if self.rng.random() < trade_probability:
            side = "BUY" if self.rng.random() < 0.5 else "SELL"
            size = quantize(self._size() / 4, self.instrument.step) or self.instrument.step
            venue.system_market(self.instrument.symbol, TAKER, side, size)


def prices(levels: Iterable[tuple[Decimal, Decimal]]) -> list[list[str]]:
    """Book levels as Binance writes them: ``[["price", "quantity"], ...]``."""
    return [[format(price, "f"), format(quantity, "f")] for price, quantity in levels]


def _open_time(bar: Bar | LiveBar) -> int:
    return bar.open_time


def _trade_time(trade: Trade) -> int:
    return trade.time


__all__ = [
    "INTERVALS_MS",
    "MAKER",
    "TAKER",
    "AggTrade",
    "Bar",
    "Instrument",
    "LiveBar",
    "Simulation",
    "Tape",
    "Trade",
    "Venue",
    "prices",
    "quantize",
]
