"""The kill switch's plan, written once for the sync and the async clients (sans-I/O).

``KillPlan.run()`` is a generator: it yields ``Invoke(product, method, kwargs)`` (the driver calls that
method of the product's client and sends back its result, or throws the client's ``BinanceError`` into
the generator) and ``Pause(seconds)``; it returns the ``KillReport``.

Rounds, until a round finds nothing open or the deadline passes:

1. per futures product: read the open algo orders and the open orders of every symbol, cancel all of
   each symbol that has some (algo orders first: a triggered one would become a plain order), then read
   the positions and close each non-zero one at MARKET: reduce-only in One-way Mode, with its position
   side (``LONG``/``SHORT``, no ``reduceOnly``, as Binance requires) in Hedge Mode. The quantity is the
   position's, capped at the symbol's MARKET_LOT_SIZE maximum and rounded down to its step: a larger
   position takes one order per round, each after reading the position again.
2. spot: read the open orders, cancel all of each symbol (order lists included), then sell the free
   balance of each base asset the caller named to the quote asset, within LOT_SIZE, MARKET_LOT_SIZE and
   NOTIONAL; what cannot be sold (below the minimum quantity or notional) is dust and is reported left.

Closing orders are reduce-only (or hedge-mode closes, which Binance caps to the position): the exchange
never lets one flip or grow a position, so two kill switches running at once cannot over-close, and
every close is computed from a position read in the same round. Orders go through the clients' normal
calls (a client order id on each, a lookup after a lost answer); any fault (5XX, ``-1007``, timeouts,
429 with its ``retry_after``, ``OrderStatusUnknownError``) is noted and the next round reads the
exchange again. A rejection that repeats (``MAX_REJECTIONS``) is reported left with its error instead
of being sent again; ``-2022`` (nothing left to reduce: someone else closed it) is not a failure.

After the rounds, the report reads the final status of every order that left the open orders without
an answer saying it was cancelled, and of every closing order whose answer was lost or lacked its
average price (COIN-M answers carry none), for at most ``RESOLVE_GRACE_S`` past the deadline.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from binance_openapi._errors import (
    APIError,
    BinanceError,
    LocalValidationError,
    OrderStatusUnknownError,
    RateLimitError,
    TransportError,
)
from binance_openapi._filters import ExchangeRules, SymbolRules

from ._kill_report import CancelledOrder, ClosedPosition, KillReport, Leftover, OrderKind

ZERO = Decimal(0)
FUTURES = ("usdm", "coinm")
PRODUCT_ORDER = ("usdm", "coinm", "spot")
POSITIONS = {"usdm": "position_risk_v3", "coinm": "position_risk"}
MAX_REJECTIONS = 3  # a close refused this many times (4XX) is reported left instead of sent again
MAX_ROUNDS = 500
RESOLVE_GRACE_S = 10.0
FIRST_PAUSE_S = 0.05
LONGEST_PAUSE_S = 2.0
REDUCE_ONLY_REJECTED = -2022  # nothing left to reduce: the position is already closed
AVERAGE = Decimal("0.00000001")


@dataclass(frozen=True)
class Invoke:
    """Call ``method(**kwargs)`` on the client of ``product``."""

    product: str
    method: str
    kwargs: Mapping[str, Any]


@dataclass(frozen=True)
class Pause:
    seconds: float


Step = Invoke | Pause
Flow = Generator[Step, Any, KillReport]


@dataclass(frozen=True)
class Failure:
    """A call that raised; the kill switch goes on."""

    error: BinanceError


@dataclass
class _Seen:
    product: str
    symbol: str
    kind: OrderKind
    order_id: int
    client_order_id: str
    order_type: str


@dataclass
class _Close:
    product: str
    symbol: str
    side: Literal["LONG", "SHORT"]
    position_side: str
    client_order_id: str
    order_id: int | None = None
    executed: Decimal = ZERO
    average: Decimal | None = None
    known: bool = True  # False: the answer was lost; look the order up


@dataclass
class _Round:
    """What one round found: ``flat`` (nothing open), ``progress`` (something moved), ``waiting``
    (something is left that a later round may still flatten, as opposed to refused closes only)."""

    flat: bool = True
    progress: bool = False
    waiting: bool = False

    def busy(self) -> None:
        self.flat = False
        self.waiting = True


@dataclass
class KillPlan:
    """One run of the kill switch over ``products`` (each has a client at the driver)."""

    products: Sequence[str]
    spot_sell: Sequence[str] = ()
    quote: str = "USDT"
    deadline_s: float = 60.0
    clock: Callable[[], float] = field(default=lambda: 0.0)
    seen: dict[tuple[str, OrderKind, int], _Seen] = field(default_factory=dict)
    cancelled: dict[tuple[str, OrderKind, int], CancelledOrder] = field(default_factory=dict)
    closes: list[_Close] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rejections: dict[tuple[str, str, str], int] = field(default_factory=dict)
    refused: dict[tuple[str, str, str], str] = field(default_factory=dict)
    dust: dict[tuple[str, str], Leftover] = field(default_factory=dict)
    open_now: dict[tuple[str, str], list[Leftover]] = field(default_factory=dict)
    open_ids: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    rules: dict[str, ExchangeRules] = field(default_factory=dict)
    unread: dict[tuple[str, str], str] = field(default_factory=dict)  # never read yet: the last error

    def run(self) -> Flow:
        started_at = datetime.now(UTC)
        self._deadline = self.clock() + self.deadline_s
        self._read_once: set[tuple[str, str]] = set()
        rounds, flat, pause = 0, False, FIRST_PAUSE_S
        while rounds < MAX_ROUNDS:
            rounds += 1
            state = _Round()
            for product in sorted(self.products, key=PRODUCT_ORDER.index):
                if product == "spot":
                    yield from self._spot_round(state)
                else:
                    yield from self._futures_round(product, state)
            if state.flat:
                flat = True
                break
            if self._remaining() <= 0 or not state.waiting:
                break
            if state.progress:
                pause = FIRST_PAUSE_S
            else:  # nothing moved: faults, or an order on its way; wait a little longer each time
                yield Pause(min(pause, self._remaining()))
                pause = min(pause * 2, LONGEST_PAUSE_S)
        yield from self._resolve()
        return self._report(started_at, rounds, flat)

    # -- calls ----------------------------------------------------------------------------------------

    def _remaining(self) -> float:
        return self._deadline - self.clock()

    def _read(self, product: str, what: str, method: str, **kwargs: Any) -> Generator[Step, Any, Any]:
        """A reading of the exchange (open orders, positions, balances): as ``_call``, and remembered
        as never read, with its error, until one succeeds."""
        found = yield from self._call(product, method, **kwargs)
        if isinstance(found, Failure):
            if (product, what) not in self._read_once:
                self.unread[(product, what)] = _describe(found.error)
        else:
            self.unread.pop((product, what), None)
            self._read_once.add((product, what))
        return found

    def _call(self, product: str, method: str, **kwargs: Any) -> Generator[Step, Any, Any]:
        """The result of one client call, or a ``Failure`` (noted; after a 429, a pause first)."""
        try:
            return (yield Invoke(product, method, kwargs))
        except BinanceError as error:
            self.errors.append(f"{product} {method}: {_describe(error)}")
            if isinstance(error, RateLimitError) and self._remaining() > 0:
                yield Pause(min(error.retry_after or 1.0, self._remaining()))
            return Failure(error)

    def _symbol_rules(self, product: str, symbol: str) -> Generator[Step, Any, SymbolRules | None]:
        if product not in self.rules:
            rules = yield from self._call(product, "exchange_rules")
            if isinstance(rules, Failure):
                return None
            self.rules[product] = rules
        return self.rules[product].symbols.get(symbol)

    # -- orders ---------------------------------------------------------------------------------------

    def _see(self, product: str, kind: OrderKind, orders: list[Any]) -> None:
        left = []
        for order in orders:
            if kind == "algo":
                order_id, client_id, order_type = order.algo_id, order.client_algo_id, str(order.order_type)
            else:
                order_id, client_id, order_type = order.order_id, order.client_order_id, str(order.type_)
            self.seen.setdefault(
                (product, kind, order_id), _Seen(product, order.symbol, kind, order_id, client_id, order_type)
            )
            left.append(Leftover(product, order.symbol, kind, _open_quantity(order), "deadline"))
        self.open_now[(product, kind)] = left
        ids = {order.algo_id if kind == "algo" else order.order_id for order in orders}
        self.open_ids[(product, kind)] = ids

    def _cancel_open(
        self, product: str, kind: OrderKind, state: _Round
    ) -> Generator[Step, Any, tuple[bool, list[str]]]:
        """Read the open orders (or algo orders) of every symbol; returns (read, symbols with some)."""
        method = "open_algo_orders" if kind == "algo" else "open_orders"
        orders = yield from self._read(product, kind, method)
        if isinstance(orders, Failure):
            state.busy()
            return False, []
        self._see(product, kind, orders)
        symbols = sorted({order.symbol for order in orders})
        if symbols:
            state.busy()
        return True, symbols

    def _futures_round(self, product: str, state: _Round) -> Generator[Step, Any, None]:
        _, algo_symbols = yield from self._cancel_open(product, "algo", state)
        _, order_symbols = yield from self._cancel_open(product, "order", state)
        for symbol in algo_symbols:
            done = yield from self._call(product, "cancel_all_algo_orders", symbol=symbol)
            state.progress |= not isinstance(done, Failure)
        for symbol in order_symbols:
            done = yield from self._call(product, "cancel_all_open_orders", symbol=symbol)
            state.progress |= not isinstance(done, Failure)
        positions = yield from self._read(product, "positions", POSITIONS[product])
        if isinstance(positions, Failure):
            state.busy()
            return
        held = [p for p in positions if p.position_amt]
        self.open_now[(product, "positions")] = [
            Leftover(product, p.symbol, _position_what(p), abs(p.position_amt), "deadline") for p in held
        ]
        for position in held:
            state.flat = False
            yield from self._close_position(product, position, state)

    # -- futures positions ----------------------------------------------------------------------------

    def _close_position(self, product: str, position: Any, state: _Round) -> Generator[Step, Any, None]:
        amount: Decimal = position.position_amt
        symbol, position_side = position.symbol, str(position.position_side)
        key = (product, symbol, position_side)
        if key in self.refused:
            return  # refused too often: reported left with its error
        rules = yield from self._symbol_rules(product, symbol)
        if rules is None:
            if product in self.rules:
                self.refused[key] = f"{symbol} is not listed in exchangeInfo"
            else:
                state.waiting = True  # the rules could not be read: try again
            return
        quantity = _market_quantity(rules, abs(amount))
        if quantity is None:
            self.dust[(product, f"{symbol} {position_side}")] = Leftover(
                product, symbol, _position_what(position), abs(amount), "dust", "below the minimum quantity"
            )
            return
        state.waiting = True
        hedge = position_side in ("LONG", "SHORT")
        client_id = _client_id()
        order: dict[str, Any] = {
            "symbol": symbol,
            "side": "SELL" if amount > 0 else "BUY",
            "type": "MARKET",
            "quantity": quantity,
            "new_client_order_id": client_id,
            "new_order_resp_type": "RESULT",
        }
        if hedge:
            order["position_side"] = position_side
        else:
            order["reduce_only"] = True
        close = _Close(product, symbol, "LONG" if amount > 0 else "SHORT", position_side, client_id)
        answer = yield from self._call(product, "new_order", **order)
        self._record_close(close, answer, key, state)

    def _record_close(self, close: _Close, answer: Any, key: tuple[str, str, str], state: _Round) -> None:
        if isinstance(answer, Failure):
            error = answer.error
            if isinstance(error, OrderStatusUnknownError):
                close.known = False
                self.closes.append(close)
            elif isinstance(error, APIError) and error.code == REDUCE_ONLY_REJECTED:
                state.progress = True  # closed meanwhile (another kill switch?): read it again
            elif _is_rejection(error):
                self.rejections[key] = self.rejections.get(key, 0) + 1
                if self.rejections[key] >= MAX_REJECTIONS:
                    self.refused[key] = _describe(error)
            return
        close.order_id = answer.order_id
        close.executed = _decimal(answer.executed_qty)
        close.average = _average_of(answer)
        self.closes.append(close)
        state.progress |= close.executed > 0

    # -- spot -----------------------------------------------------------------------------------------

    def _spot_round(self, state: _Round) -> Generator[Step, Any, None]:
        _, symbols = yield from self._cancel_open("spot", "order", state)
        for symbol in symbols:
            answer = yield from self._call("spot", "cancel_all_open_orders", symbol=symbol)
            if not isinstance(answer, Failure):
                state.progress = True
                self._spot_cancelled(answer)
        if self.spot_sell:
            yield from self._spot_sell(state)

    def _spot_cancelled(self, answer: list[Any]) -> None:
        for item in answer:
            if hasattr(item, "order_reports"):  # an order list and its orders
                self.cancelled[("spot", "order_list", int(item.order_list_id))] = CancelledOrder(
                    "spot",
                    item.symbol,
                    "order_list",
                    item.order_list_id,
                    item.list_client_order_id,
                    str(item.contingency_type),
                )
                reports = item.order_reports
            else:
                reports = [item]
            for report in reports:
                if str(report.status) == "CANCELED":
                    self.cancelled[("spot", "order", report.order_id)] = CancelledOrder(
                        "spot",
                        report.symbol,
                        "order",
                        report.order_id,
                        report.orig_client_order_id,
                        str(report.type_),
                    )

    def _spot_sell(self, state: _Round) -> Generator[Step, Any, None]:
        account = yield from self._read("spot", "balances", "account", omit_zero_balances=True)
        if isinstance(account, Failure):
            state.busy()
            return
        balances = {b.asset: (b.free, b.locked) for b in account.balances}
        left = []
        for asset in self.spot_sell:
            free, locked = balances.get(asset, (ZERO, ZERO))
            symbol = f"{asset}{self.quote}"
            self.dust.pop(("spot", symbol), None)
            if free + locked <= 0:
                continue
            key = ("spot", symbol, "")
            if key in self.refused:
                state.flat = False
                left.append(Leftover("spot", symbol, f"balance {asset}", free + locked, "deadline"))
                continue
            if locked > 0:
                state.busy()  # an order still holds it: the next round sells what it frees
            yield from self._sell(asset, symbol, free, locked, state)
            if ("spot", symbol) not in self.dust:
                left.append(Leftover("spot", symbol, f"balance {asset}", free + locked, "deadline"))
        self.open_now[("spot", "balances")] = left

    def _sell(
        self, asset: str, symbol: str, free: Decimal, locked: Decimal, state: _Round
    ) -> Generator[Step, Any, None]:
        key = ("spot", symbol, "")
        rules = yield from self._symbol_rules("spot", symbol)
        if rules is None:
            if "spot" in self.rules:
                self.refused[key] = f"{symbol} is not listed"
            state.busy()
            return
        quantity = _market_quantity(rules, free)
        reference = None
        notional = rules.notional
        if quantity is not None and notional is not None and notional.min_notional:
            average = yield from self._call("spot", "average_price", symbol=symbol)
            if isinstance(average, Failure):
                state.busy()
                return
            reference = _decimal(average.price)
            if notional.apply_max_to_market and notional.max_notional and reference > 0:
                cap = rules.round_quantity(notional.max_notional / reference, "down", market=True)
                quantity = min(quantity, cap)
            if notional.apply_min_to_market and quantity * reference < notional.min_notional:
                quantity = None
        if quantity is None:
            if locked <= 0:
                why = "below the minimum quantity or notional"
                self.dust[("spot", symbol)] = Leftover("spot", symbol, f"balance {asset}", free, "dust", why)
            return
        state.busy()
        client_id = _client_id()
        close = _Close("spot", symbol, "LONG", "", client_id)
        answer = yield from self._call(
            "spot",
            "new_order",
            symbol=symbol,
            side="SELL",
            type="MARKET",
            quantity=quantity,
            new_client_order_id=client_id,
            new_order_resp_type="RESULT",
        )
        self._record_close(close, answer, key, state)

    # -- the report -----------------------------------------------------------------------------------

    def _resolve(self) -> Generator[Step, Any, None]:
        """Final statuses of the orders that left the open orders unconfirmed, and of lost closes."""
        until = self._deadline + RESOLVE_GRACE_S
        for key, item in self.seen.items():
            if key in self.cancelled or item.order_id in self.open_ids.get((item.product, item.kind), set()):
                continue
            status = "UNCONFIRMED"
            if self.clock() < until:
                found = yield from self._final_status(item)
                status = "UNCONFIRMED" if found is None else found
            if status in ("CANCELED", "UNCONFIRMED"):
                self.cancelled[key] = CancelledOrder(
                    item.product,
                    item.symbol,
                    item.kind,
                    item.order_id,
                    item.client_order_id,
                    item.order_type,
                    status,
                )
        for close in self.closes:
            if (close.known and close.average is not None) or self.clock() >= until:
                continue
            lookup: dict[str, Any]
            if close.order_id is not None:
                lookup = {"order_id": close.order_id}
            else:
                lookup = {"orig_client_order_id": close.client_order_id}
            found = yield from self._call(close.product, "query_order", symbol=close.symbol, **lookup)
            if isinstance(found, Failure):
                continue
            close.order_id = found.order_id
            close.executed = _decimal(found.executed_qty)
            close.average = _average_of(found)
            close.known = True

    def _final_status(self, item: _Seen) -> Generator[Step, Any, str | None]:
        if item.kind == "algo":
            found = yield from self._call(item.product, "query_algo_order", algo_id=item.order_id)
            return None if isinstance(found, Failure) else str(found.algo_status)
        found = yield from self._call(item.product, "query_order", symbol=item.symbol, order_id=item.order_id)
        return None if isinstance(found, Failure) else str(found.status)

    def _report(self, started_at: datetime, rounds: int, flat: bool) -> KillReport:
        left: list[Leftover] = list(self.dust.values())
        dust = {(item.product, item.symbol, item.what) for item in left}
        if not flat:
            for (product, what), error in self.unread.items():
                left.append(Leftover(product, "", f"{what} (never read)", ZERO, "error", error))
            for items in self.open_now.values():
                for item in items:
                    if (item.product, item.symbol, item.what) in dust:
                        continue
                    key = (item.product, item.symbol, _position_side_of(item.what))
                    refused = self.refused.get(key)
                    left.append(
                        item
                        if refused is None
                        else Leftover(item.product, item.symbol, item.what, item.quantity, "error", refused)
                    )
        return KillReport(
            started_at=started_at,
            finished_at=datetime.now(UTC),
            products=tuple(sorted(self.products, key=PRODUCT_ORDER.index)),
            cancelled=tuple(sorted(self.cancelled.values(), key=_cancel_order)),
            closed=_closed_positions(self.closes),
            left=tuple(left),
            errors=tuple(self.errors),
            rounds=rounds,
            flat=flat,
        )


# -- helpers ---------------------------------------------------------------------------------------


def _client_id() -> str:
    return f"x-kill{uuid.uuid4().hex[:26]}"


def _decimal(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO


def _average_of(order: Any) -> Decimal | None:
    """The average fill price an order answer gives (spot: quote over base quantity)."""
    average = getattr(order, "avg_price", None)
    if isinstance(average, Decimal) and average > 0:
        return average
    quote, executed = getattr(order, "cummulative_quote_qty", None), getattr(order, "executed_qty", None)
    if isinstance(quote, Decimal) and isinstance(executed, Decimal) and executed > 0:
        return (quote / executed).quantize(AVERAGE)
    if isinstance(executed, Decimal) and executed == 0:
        return ZERO
    return None


def _open_quantity(order: Any) -> Decimal:
    for name in ("orig_qty", "quantity"):
        value = getattr(order, name, None)
        if isinstance(value, Decimal):
            return value
    return ZERO


def _market_quantity(rules: SymbolRules, held: Decimal) -> Decimal | None:
    """What one MARKET order may close of ``held``: capped at the largest market quantity and rounded
    down to the step; ``None`` when that is below the minimum quantity (dust)."""
    lots = [lot for lot in (rules.lot_size, rules.market_lot_size) if lot is not None]
    caps = [lot.max_qty for lot in lots if lot.max_qty > 0]
    minimum = max((lot.min_qty for lot in lots), default=ZERO)
    quantity = rules.round_quantity(min([held, *caps]), "down", market=True)
    if quantity <= 0 or quantity < minimum:
        return None
    return quantity


def _position_what(position: Any) -> str:
    return f"position {position.position_side}"


def _position_side_of(what: str) -> str:
    return what.removeprefix("position ") if what.startswith("position ") else ""


def _is_rejection(error: BinanceError) -> bool:
    """A refusal that will repeat (a 4XX other than rate limits, or the client's own filter check), not
    a fault worth retrying."""
    if isinstance(error, LocalValidationError):
        return True
    return isinstance(error, APIError) and 400 <= error.status < 500 and not isinstance(error, RateLimitError)


def _describe(error: BinanceError) -> str:
    if isinstance(error, APIError):
        return f"{type(error).__name__} {error.code}: {error.message}"
    if isinstance(error, TransportError):
        return f"{type(error).__name__}: {error.reason}"
    return f"{type(error).__name__}: {str(error)[:200]}"


def _cancel_order(item: CancelledOrder) -> tuple[int, str, str, int]:
    return (PRODUCT_ORDER.index(item.product), item.symbol, item.kind, item.order_id)


def _closed_positions(closes: list[_Close]) -> tuple[ClosedPosition, ...]:
    """The closing orders summed per position (quantity, quantity-weighted average price, order ids)."""
    groups: dict[tuple[str, str, str, str], list[_Close]] = {}
    for close in closes:
        if close.known and close.executed > 0:
            key = (close.product, close.symbol, close.side, close.position_side)
            groups.setdefault(key, []).append(close)
    result = []
    for (product, symbol, side, position_side), items in groups.items():
        quantity = sum((c.executed for c in items), ZERO)
        priced = [c for c in items if c.average is not None]
        weight = sum((c.executed for c in priced), ZERO)
        total = sum((c.executed * (c.average or ZERO) for c in priced), ZERO)
        average = (total / weight).quantize(AVERAGE) if weight else ZERO
        ids = tuple(c.order_id for c in items if c.order_id is not None)
        result.append(
            ClosedPosition(product, symbol, side, position_side, quantity, average, ids)  # type: ignore[arg-type]
        )
    return tuple(result)


__all__ = ["Failure", "Flow", "Invoke", "KillPlan", "Pause", "Step"]
