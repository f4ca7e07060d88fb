"""What the risk guard reads from the account and the market, and how long it keeps it.

Sans-I/O: the guard's checks yield a ``Need`` (an operation of the client's product and its
parameters) and get the parsed JSON answer back; the REST and WS API drivers (``_risk.py``) do the
fetching through the client. ``StateCache`` keeps each answer for its ``CacheTimes`` entry and counts
the orders the guard let through since the positions and open orders were read, so that a cached figure
never understates exposure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ._risk_orders import number, text

DAY_MS = 86_400_000
PAGE = 1000
MAX_PAGES = 10


@dataclass(frozen=True)
class CacheTimes:
    """How long (seconds) the guard reuses each figure it reads through the client.

    * **positions** - futures position rows (``positionRisk``: amount, mark price, leverage, margin
      type), one request for every symbol; orders the guard let through since are counted as if filled.
    * **price** - spot last price (``ticker/price``), per symbol.
    * **open_orders** - the account's open orders (every symbol); orders the guard let through since
      are added to the count.
    * **losses** - the day's income (futures) or trades (spot) for the daily loss cap.
    * **contracts** - COIN-M contract sizes (``exchangeInfo``).
    * **confirm_after** - a refusal that rests on a figure older than this is checked again on fresh
      figures first, so that a stale cache never refuses a compliant order.

    ``CacheTimes(0, 0, 0, 0, 0, 0)`` reads everything afresh for every order (tests).
    """

    positions: float = 2.0
    price: float = 2.0
    open_orders: float = 10.0
    losses: float = 10.0
    contracts: float = 3600.0
    confirm_after: float = 1.0


@dataclass(frozen=True)
class Need:
    """One read: ``kind`` (the cache entry it fills), the operation id and its parameters."""

    kind: str
    operation_id: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class Reading:
    """The cache entries one check used, and the oldest one's age (seconds)."""

    used: set[Need] = field(default_factory=set)
    oldest: float = 0.0


@dataclass
class _Entry:
    at: float
    data: Any


class StateCache:
    """Answers kept for their ``CacheTimes`` entry, and what the guard let through since."""

    def __init__(self, times: CacheTimes, now: Callable[[], float] = time.monotonic) -> None:
        self.times = times
        self.now = now
        self._entries: dict[Need, _Entry] = {}
        self.pending: dict[tuple[str, str], Decimal] = {}
        """(symbol, position side) -> signed quantity let through since the positions were read."""
        self.placed = 0
        """Orders let through since the open orders were read."""

    def ttl(self, kind: str) -> float:
        value: float = getattr(self.times, kind, 0.0)
        return value

    def read(self, need: Need, reading: Reading) -> Generator[Need, Any, Any]:
        """The answer to ``need``: from the cache while fresh, else fetched (``yield need``)."""
        entry = self._entries.get(need)
        now = self.now()
        if entry is None or now - entry.at >= self.ttl(need.kind):
            data = yield need
            entry = _Entry(self.now(), data)
            self._entries[need] = entry
            if need.kind == "positions":
                self.pending.clear()
            elif need.kind == "open_orders":
                self.placed = 0
        reading.used.add(need)
        reading.oldest = max(reading.oldest, now - entry.at)
        return entry.data

    def forget(self, needs: set[Need] | None = None) -> None:
        """Drop these entries (all of them when ``None``): the next read fetches afresh."""
        for need in list(self._entries) if needs is None else needs:
            self._entries.pop(need, None)


def midnight_utc(now_ms: int) -> int:
    return now_ms - now_ms % DAY_MS


# -- futures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    symbol: str
    side: str
    amount: Decimal
    mark: Decimal | None
    leverage: int | None
    margin_type: str


def positions_need(product: str) -> Need:
    return Need("positions", "position_risk_v2" if product == "usdm" else "position_risk")


def parse_positions(data: Any) -> dict[tuple[str, str], Position]:
    found: dict[tuple[str, str], Position] = {}
    for row in data if isinstance(data, list) else ():
        if not isinstance(row, Mapping):
            continue
        symbol, side = text(row.get("symbol")), text(row.get("positionSide") or "BOTH").upper()
        leverage = number(row.get("leverage"))
        found[(symbol, side)] = Position(
            symbol=symbol,
            side=side,
            amount=number(row.get("positionAmt")) or Decimal(0),
            mark=number(row.get("markPrice")),
            leverage=int(leverage) if leverage is not None else None,
            margin_type="ISOLATED" if text(row.get("marginType")).lower() == "isolated" else "CROSSED",
        )
    return found


def mark_need(symbol: str) -> Need:
    return Need("price", "premium_index", (("symbol", symbol),))


def parse_mark(data: Any, symbol: str) -> Decimal | None:
    rows = data if isinstance(data, list) else [data]
    for row in rows:
        if isinstance(row, Mapping) and text(row.get("symbol")) == symbol:
            return number(row.get("markPrice"))
    return None


def contracts_need() -> Need:
    return Need("contracts", "exchange_info")


def parse_contracts(data: Any) -> dict[str, Decimal]:
    symbols = data.get("symbols") if isinstance(data, Mapping) else None
    return {
        text(item.get("symbol")): number(item.get("contractSize")) or Decimal(1)
        for item in symbols or ()
        if isinstance(item, Mapping)
    }


def income_need(since_ms: int) -> Need:
    return Need("losses", "income_history", (("startTime", str(since_ms)), ("limit", str(PAGE))))


LOSS_INCOME = frozenset(("REALIZED_PNL", "COMMISSION", "FUNDING_FEE"))


def income_losses(
    since_ms: int, cache: StateCache, reading: Reading
) -> Generator[Need, Any, dict[str, Decimal]]:
    """The realised loss per asset since ``since_ms`` (positive: a loss) from the income history."""
    totals: dict[str, Decimal] = {}
    start = since_ms
    for _ in range(MAX_PAGES):
        page = yield from cache.read(income_need(start), reading)
        rows = [row for row in page if isinstance(row, Mapping)] if isinstance(page, list) else []
        for row in rows:
            if text(row.get("incomeType")) in LOSS_INCOME:
                asset = text(row.get("asset"))
                totals[asset] = totals.get(asset, Decimal(0)) - (number(row.get("income")) or Decimal(0))
        if len(rows) < PAGE:
            break
        start = int(number(rows[-1].get("time")) or start) + 1
    return totals


# -- spot -----------------------------------------------------------------------------------------


def last_price_need(symbol: str) -> Need:
    return Need("price", "price_ticker", (("symbol", symbol),))


def open_orders_need() -> Need:
    return Need("open_orders", "open_orders")


def trades_need(symbol: str, since_ms: int) -> Need:
    return Need(
        "losses", "my_trades", (("symbol", symbol), ("startTime", str(since_ms)), ("limit", str(PAGE)))
    )


def trade_losses(
    symbol: str, since_ms: int, cache: StateCache, reading: Reading
) -> Generator[Need, Any, dict[str, Decimal]]:
    """The realised loss (positive) of the day's spot trades on ``symbol``, per quote asset: sells are
    set against the average cost of the day's buys (a sale of what was bought before the day realises
    nothing here), and commissions paid in the base or quote asset count as losses."""
    trades: list[Mapping[str, Any]] = []
    start = since_ms
    for _ in range(MAX_PAGES):
        page = yield from cache.read(trades_need(symbol, start), reading)
        rows = [row for row in page if isinstance(row, Mapping)] if isinstance(page, list) else []
        trades.extend(rows)
        if len(rows) < PAGE:
            break
        start = int(number(rows[-1].get("time")) or start) + 1
    held = cost = pnl = Decimal(0)
    quote = ""
    for trade in sorted(
        trades, key=lambda t: (int(number(t.get("time")) or 0), int(number(t.get("id")) or 0))
    ):
        qty, price = number(trade.get("qty")) or Decimal(0), number(trade.get("price")) or Decimal(0)
        if trade.get("isBuyer") is True:
            held += qty
            cost += qty * price
        elif held > 0:
            matched = min(qty, held)
            average = cost / held
            pnl += matched * (price - average)
            cost -= matched * average
            held -= matched
        commission, asset = number(trade.get("commission")) or Decimal(0), text(trade.get("commissionAsset"))
        if asset and symbol.endswith(asset):
            quote = asset
            pnl -= commission
        elif asset and symbol.startswith(asset):
            pnl -= commission * price
    return {quote or symbol: -pnl} if trades else {}


__all__ = [
    "CacheTimes",
    "Need",
    "Position",
    "Reading",
    "StateCache",
    "contracts_need",
    "income_losses",
    "last_price_need",
    "mark_need",
    "midnight_utc",
    "open_orders_need",
    "parse_contracts",
    "parse_mark",
    "parse_positions",
    "positions_need",
    "trade_losses",
]
