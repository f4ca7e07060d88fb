"""The life of spot orders: placement, stop triggers, cancels, expiries, amendments and the reactions
of order lists (one leg of an OCO working cancels the other; an OTO's pending orders are placed once
its working order fills).

Every entry point leaves the symbol quiet: after an execution, the order lists it touched react and
the conditional orders whose condition the last trade price met are triggered, until nothing moves.
"""

from __future__ import annotations

from decimal import Decimal

from binance_emulator._errors import ExchangeError, filter_failure
from binance_emulator.engine import Taker
from binance_emulator.engine.book import Side, StpMode, TimeInForce

from . import ledger
from .accounts import Amendment, SpotAccount
from .costs import buy_cost, sell_quantity
from .filters import check_notional
from .matching import ENGINE_STP, Matcher, Outcome
from .orders import (
    CANCELED,
    CONDITIONAL_TYPES,
    EXPIRED,
    FILLED,
    NEW,
    PENDING_NEW,
    PRICED_TYPES,
    Order,
    OrderList,
)
from .render import FillInfo
from .reports import account_position, execution_report, list_status
from .requests import OrderSpec
from .state import SpotState, SymbolState
from .triggers import stop_reached, triggered

ZERO = Decimal(0)
SIDES: dict[str, Side] = {"BUY": "BUY", "SELL": "SELL"}
TIFS: dict[str, TimeInForce] = {"GTC": "GTC", "IOC": "IOC", "FOK": "FOK", "GTX": "GTX"}
STPS: dict[str, StpMode] = {
    "NONE": "NONE",
    "EXPIRE_TAKER": "EXPIRE_TAKER",
    "EXPIRE_MAKER": "EXPIRE_MAKER",
    "EXPIRE_BOTH": "EXPIRE_BOTH",
    "DECREMENT": "DECREMENT",
}


def would_take() -> ExchangeError:
    """Binance's answer to a post-only order that would trade at once."""
    return ExchangeError(-2010, "Order would immediately match and take.")


def market_closed(code: int) -> ExchangeError:
    """Binance's answer to an order or an amendment on a symbol that is not ``TRADING`` (a
    ``CANCEL_ONLY``, ``HALT`` or ``BREAK`` symbol); cancels are still accepted."""
    return ExchangeError(code, "Market is closed.")


class OrderFlow:
    """Everything that changes orders after their parameters were checked."""

    def __init__(self, state: SpotState, matcher: Matcher) -> None:
        self.state = state
        self.matcher = matcher
        self._dirty_lists: dict[int, None] = {}
        self._settling = False

    # -- placement ---------------------------------------------------------------------------------

    def check_new(self, sym: SymbolState, account: SpotAccount, specs: list[OrderSpec]) -> None:
        """What the symbol's status and an account's open orders allow: a trading symbol, unique client
        ids, MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS."""
        rules = sym.rules
        if rules.status != "TRADING":
            raise market_closed(-2010)
        symbol = sym.symbol
        opened = account.open_on(symbol)
        if len(opened) + len(specs) > rules.max_num_orders:
            raise filter_failure("MAX_NUM_ORDERS")
        seen: set[str] = set()
        algo = 0
        for spec in specs:
            client_id = spec.client_order_id
            if client_id is not None:
                existing = account.client_ids.get((symbol, client_id))
                if (existing is not None and existing.is_open) or client_id in seen:
                    raise ExchangeError(-2010, "Duplicate order sent.")
                seen.add(client_id)
            if spec.type in CONDITIONAL_TYPES:
                algo += 1
        if algo and algo + sum(1 for o in opened.values() if o.is_conditional and o.working_time == -1) > (
            rules.max_num_algo_orders
        ):
            raise filter_failure("MAX_NUM_ALGO_ORDERS")

    def create(
        self, sym: SymbolState, account: SpotAccount, spec: OrderSpec, now: int, *, order_list_id: int = -1
    ) -> Order:
        """An order record for a checked request (no id yet, nothing locked or recorded)."""
        quantity = spec.quantity
        quote = spec.quote_order_qty
        quote_order = quantity is None and quote is not None
        # positional: this is the hot path, and keyword arguments cost a third of the construction
        order = Order(
            sym.symbol,
            0,
            spec.client_order_id or self.state.client_id(),
            account.user,
            spec.side,
            spec.type,
            spec.time_in_force,
            ZERO if quantity is None else quantity,
            ZERO if spec.price is None else spec.price,
            now,
            quote if quote_order and quote is not None else ZERO,
            spec.stop_price,
            spec.trailing_delta,
            spec.iceberg_qty,
            spec.strategy_id,
            spec.strategy_type,
            spec.stp,
            spec.peg_price_type,
            spec.peg_offset_type,
            spec.peg_offset_value,
        )
        order.update_time = now
        order.order_list_id = order_list_id
        return order

    def register(self, sym: SymbolState, account: SpotAccount, order: Order, now: int) -> None:
        """Give the order its id and remember it everywhere it is looked up."""
        order.order_id = sym.order_id()
        sym.orders[order.order_id] = order
        account.record(order)
        account.counter.add(now)

    def place(
        self, sym: SymbolState, account: SpotAccount, spec: OrderSpec, now: int, *, sor: bool = False
    ) -> tuple[Order, list[FillInfo]]:
        """Place a single order: check, lock its balance, then work it (or park it until triggered)."""
        if sym.rules.status != "TRADING":
            raise market_closed(-2010)
        if spec.client_order_id is not None or spec.type in CONDITIONAL_TYPES:
            self.check_new(sym, account, [spec])
        elif len(account.open_on(sym.symbol)) >= sym.rules.max_num_orders:
            raise filter_failure("MAX_NUM_ORDERS")
        order = self.create(sym, account, spec, now)
        order.sor = sor
        self.prepare(sym, order)
        asset, amount = self.lock_need(sym, order)
        order.lock = ledger.lock(account, asset, amount)
        self.register(sym, account, order, now)
        return order, self.start(sym, order, now)

    def prepare(self, sym: SymbolState, order: Order) -> None:
        """The checks that need the book: peg prices, post-only, stop prices already reached."""
        if order.peg_price_type is not None:
            order.price = self.peg_price(sym, order)
            check_notional(sym.rules, order.price * order.quantity, market=False)
        if order.type == "LIMIT_MAKER" and sym.book.would_take(SIDES[order.side], order.price):
            raise would_take()
        immediate = order.is_conditional and order.stop_price is not None and order.trailing_delta is None
        if immediate and stop_reached(order, sym.tape.last_price):
            raise ExchangeError(-2010, "Order would trigger immediately.")

    def peg_price(self, sym: SymbolState, order: Order) -> Decimal:
        """The price a pegged order takes: the best price of its own side (primary) or the other one."""
        own = sym.book.bids if order.side == "BUY" else sym.book.asks
        other = sym.book.asks if order.side == "BUY" else sym.book.bids
        side = own if order.peg_price_type == "PRIMARY_PEG" else other
        offset = order.peg_offset_value or 0
        for index, price in enumerate(side.prices()):
            if index == offset:
                return price
        raise ExchangeError(-2010, "Order book liquidity is too low for this pegged order.")

    def lock_need(self, sym: SymbolState, order: Order) -> tuple[str, Decimal]:
        """The asset and amount an order holds while open."""
        rules = sym.rules
        if order.side == "SELL":
            if order.quote_order_qty > 0 and order.quantity == 0:
                return rules.base, sell_quantity(sym.book, order.quote_order_qty, rules.step)
            return rules.base, order.quantity
        if order.type in PRICED_TYPES:
            return rules.quote, order.price * order.quantity
        if order.quote_order_qty > 0 and order.quantity == 0:
            return rules.quote, order.quote_order_qty
        if order.is_conditional and order.working_time == -1:
            return rules.quote, (order.stop_price or sym.tape.last_price) * order.quantity
        return rules.quote, buy_cost(sym.book, order.quantity)

    def start(self, sym: SymbolState, order: Order, now: int) -> list[FillInfo]:
        """Work a placed order: park a conditional order, match the others against the book."""
        account = self.state.accounts[order.user]
        if order.working_time == -1 and order.type in CONDITIONAL_TYPES:
            sym.conditional.append(order)
            self.report(sym, order, now, "NEW")
            self.position(account, sym, now)
            self.settle(sym, now)
            return []
        order.working_time = now
        return self._execute(sym, order, now, "NEW")

    def _execute(self, sym: SymbolState, order: Order, now: int, report: str) -> list[FillInfo]:
        """Report the order as working, match it and react to what it did."""
        self.report(
            sym, order, now, report, on_book=order.type in PRICED_TYPES and order.time_in_force == "GTC"
        )
        outcome = self.matcher.execute(sym, self.taker(sym, order), order, now)
        if order.order_list_id != -1:
            outcome.lists[order.order_list_id] = None
        self.after(sym, outcome, now)
        return outcome.fills

    def taker(self, sym: SymbolState, order: Order) -> Taker:
        """The order as the matching engine sees it. Market buys are capped by the quote they hold."""
        stp = STPS[ENGINE_STP[order.stp]]
        side = SIDES[order.side]
        step = sym.rules.step
        leaves = order.quantity - order.executed - order.prevented
        if order.type in PRICED_TYPES:
            tif = TIFS["GTX" if order.type == "LIMIT_MAKER" else order.time_in_force]
            return Taker(order.order_id, order.user, side, leaves, order.price, tif, None, stp, step, order)
        held = order.lock.amount if order.lock is not None else ZERO
        if order.quote_order_qty > 0 and order.quantity == 0:
            if side == "BUY":
                quote = min(order.quote_order_qty, held)
                return Taker(order.order_id, order.user, side, None, None, "IOC", quote, stp, step, order)
            return Taker(
                order.order_id, order.user, side, held, None, "IOC", order.quote_order_qty, stp, step, order
            )
        if side == "BUY":
            return Taker(order.order_id, order.user, side, leaves, None, "IOC", held, stp, step, order)
        return Taker(order.order_id, order.user, side, leaves, None, "IOC", None, stp, step, order)

    def after(self, sym: SymbolState, outcome: Outcome, now: int) -> None:
        """After an execution: account positions, then order lists and triggers until quiet."""
        state = self.state
        if outcome.listening:
            for user in outcome.users:
                if state.wants_account(user):
                    self.position(state.accounts[user], sym, now)
        for order_list_id in outcome.lists:
            self._dirty_lists[order_list_id] = None
        if self._dirty_lists or (sym.conditional and outcome.result.fills):
            self.settle(sym, now)

    # -- reports -----------------------------------------------------------------------------------

    def report(
        self,
        sym: SymbolState,
        order: Order,
        now: int,
        kind: str,
        *,
        on_book: bool = False,
        client_order_id: str | None = None,
        orig_client_order_id: str = "",
    ) -> None:
        """Publish an ``executionReport`` of ``order`` when its account is listened to."""
        if self.state.wants_account(order.user):
            event = execution_report(
                order,
                now,
                kind,
                sym.execution_id(),
                on_book=on_book,
                client_order_id=client_order_id,
                orig_client_order_id=orig_client_order_id,
            )
            self.state.events.account(order.user, event)

    def position(self, account: SpotAccount, sym: SymbolState, now: int) -> None:
        """Publish the account's balances of the symbol's two assets."""
        if self.state.wants_account(account.user):
            event = account_position(account, [sym.rules.base, sym.rules.quote], now)
            self.state.events.account(account.user, event)

    def list_report(self, order_list: OrderList, now: int) -> None:
        """Publish a ``listStatus`` event when the list's account is listened to."""
        if self.state.wants_account(order_list.user):
            self.state.events.account(order_list.user, list_status(order_list, now))

    # -- triggers and reactions --------------------------------------------------------------------

    def settle(self, sym: SymbolState, now: int) -> None:
        """React to what happened on ``sym`` until nothing more does (lists, then triggers)."""
        if self._settling:
            return
        self._settling = True
        try:
            while True:
                if self._dirty_lists:
                    order_list_id = next(iter(self._dirty_lists))
                    del self._dirty_lists[order_list_id]
                    self.react(self.state.order_lists[order_list_id], now)
                    continue
                due = self._due(sym, now)
                if due is None:
                    return
                self.activate(sym, due, now)
        finally:
            self._settling = False

    def _due(self, sym: SymbolState, now: int) -> Order | None:
        """The first conditional order of ``sym`` whose condition the last price meets."""
        if not sym.conditional:
            return None
        last = sym.tape.last_price
        for order in sym.conditional:
            if triggered(order, last, now):
                return order
        return None

    def activate(self, sym: SymbolState, order: Order, now: int) -> None:
        """A conditional order's condition is met: it starts working (as a market or limit order)."""
        sym.conditional.remove(order)
        order.working_time = now
        order.update_time = now
        order_list = self.state.order_lists.get(order.order_list_id)
        if order_list is not None and order in order_list.pair:
            for other in order_list.pair:
                if other is not order and other.is_open:
                    self.expire(sym, other, now, "OCO_TRIGGER")
        account = self.state.accounts[order.user]
        held = order.lock
        if order.side == "BUY" and order.type not in PRICED_TYPES and held is not None:
            need = buy_cost(sym.book, order.leaves)
            if need > held.amount:
                ledger.top_up(account, held, need - held.amount)
        self._execute(sym, order, now, "NEW")

    def react(self, order_list: OrderList, now: int) -> None:
        """An order of the list changed: OCO legs cancel each other, OTO pending orders get placed."""
        if not order_list.is_open:
            return
        sym = self.state.symbols[order_list.symbol]
        pair = order_list.pair
        if len(pair) == 2:
            for leg, other in ((pair[0], pair[1]), (pair[1], pair[0])):
                fired = (
                    leg.executed > 0
                    or (leg.is_conditional and leg.is_working)
                    or (not leg.is_open and leg.expiry_reason != "OCO_TRIGGER")
                )
                if fired and other.is_open and other.status != PENDING_NEW:
                    self.expire(sym, other, now, "OCO_TRIGGER")
        working = order_list.working
        if working is not None and not order_list.pending_placed and not working.is_open:
            if working.status == FILLED or (order_list.kind in ("OPO", "OPOCO") and working.executed > 0):
                self.place_pending(sym, order_list, now)
            else:
                order_list.pending_placed = True
                for pending in order_list.pending:
                    if pending.is_open:
                        self.expire(sym, pending, now, "OTO_PHASE_ONE_EXPIRED")
        if all(not order.is_open for order in order_list.orders):
            order_list.list_status_type = "ALL_DONE"
            order_list.list_order_status = "ALL_DONE"
            order_list.transaction_time = now
            self.list_report(order_list, now)

    def place_pending(self, sym: SymbolState, order_list: OrderList, now: int) -> None:
        """Place the pending order(s) of an OTO-family list once its working order filled."""
        order_list.pending_placed = True
        account = self.state.accounts[order_list.user]
        pending = order_list.pending
        working = order_list.working
        if order_list.kind in ("OPO", "OPOCO") and working is not None:
            for order in pending:
                order.quantity = working.executed
        try:
            for order in pending:
                if order.type == "LIMIT_MAKER" and sym.book.would_take(SIDES[order.side], order.price):
                    raise would_take()
            needs = [self.lock_need(sym, order) for order in pending]
            amount = max(need for _, need in needs)
            held = ledger.lock(account, needs[0][0], amount)
        except ExchangeError:
            for order in pending:
                self._close(sym, order, now, EXPIRED, "REJECTED")
            return
        held.holders = len(pending)
        if len(pending) == 2:
            order_list.pair = list(pending)
        for order in pending:
            order.lock = held
            order.status = NEW
            order.update_time = now
            account.open_on(sym.symbol)[order.order_id] = order
        for order in pending:
            if order.is_open:
                self.start(sym, order, now)

    # -- ending orders -----------------------------------------------------------------------------

    def _take_off(self, sym: SymbolState, order: Order) -> None:
        """Remove an order from the book, or from the conditional orders waiting for a trigger."""
        if order.order_id in sym.book.orders:
            sym.book.remove(order.order_id)
        elif order in sym.conditional:
            sym.conditional.remove(order)

    def _close(
        self,
        sym: SymbolState,
        order: Order,
        now: int,
        status: str,
        reason: str | None,
        cancel_id: str | None = None,
    ) -> None:
        """End an open order (canceled or expired): off the book, balance released, reported."""
        self._take_off(sym, order)
        order.status = status
        order.expiry_reason = reason
        order.update_time = now
        account = self.state.accounts[order.user]
        account.close(order)
        ledger.release(account, order)
        if cancel_id is not None:
            self.report(
                sym,
                order,
                now,
                "CANCELED",
                client_order_id=cancel_id,
                orig_client_order_id=order.client_order_id,
            )
        else:
            self.report(sym, order, now, "EXPIRED")
        self.position(account, sym, now)
        if order.order_list_id != -1:
            self._dirty_lists[order.order_list_id] = None

    def expire(self, sym: SymbolState, order: Order, now: int, reason: str) -> None:
        """End an open order as ``EXPIRED`` (OCO trigger, OTO working order gone, rejected pending)."""
        self._close(sym, order, now, EXPIRED, reason)

    def cancel(self, sym: SymbolState, order: Order, now: int, cancel_id: str) -> None:
        """Cancel an open order (the caller handles the rest of its order list)."""
        self._close(sym, order, now, CANCELED, None, cancel_id)

    def cancel_list(self, sym: SymbolState, order_list: OrderList, now: int, cancel_id: str) -> list[Order]:
        """Cancel every open order of a list; the list is then done. Returns the orders canceled."""
        canceled = [order for order in order_list.orders if order.is_open]
        for order in canceled:
            self.cancel(sym, order, now, cancel_id)
        order_list.pending_placed = True
        self._dirty_lists.pop(order_list.order_list_id, None)
        if order_list.is_open:
            order_list.list_status_type = "ALL_DONE"
            order_list.list_order_status = "ALL_DONE"
            order_list.transaction_time = now
            self.list_report(order_list, now)
        return canceled

    # -- amending ----------------------------------------------------------------------------------

    def amend(
        self, sym: SymbolState, account: SpotAccount, order: Order, new_qty: Decimal, client_id: str, now: int
    ) -> Amendment:
        """Reduce an open order's quantity keeping its place in the queue (amend keep-priority)."""
        if sym.rules.status != "TRADING":
            raise market_closed(-2038)
        if new_qty == order.quantity:
            raise ExchangeError(-2038, "The requested action would change no state; rejecting")
        if new_qty > order.quantity:
            raise ExchangeError(-2038, "Order amend (quantity increase) is not supported.")
        if order.amends >= sym.rules.max_num_order_amends:
            raise ExchangeError(-2038, "Filter failure: MAX_NUM_ORDER_AMENDS")
        order_list = self.state.order_lists.get(order.order_list_id)
        if order.status == PENDING_NEW and order_list is not None and order_list.kind in ("OPO", "OPOCO"):
            raise ExchangeError(-2038, "Order amend (pending OPO order) is not supported.")
        reduced = order.quantity - new_qty
        held = order.lock
        if held is not None and held.holders == 1:
            if order.side == "SELL":
                ledger.reduce(account, order, reduced)
            elif order.type in PRICED_TYPES:
                ledger.reduce(account, order, order.price * reduced)
            else:
                ledger.reduce(account, order, (order.stop_price or sym.tape.last_price) * reduced)
        orig_client_id = order.client_order_id
        order.quantity = new_qty
        order.amends += 1
        order.update_time = now
        if account.client_ids.get((sym.symbol, orig_client_id)) is order:
            del account.client_ids[(sym.symbol, orig_client_id)]
        order.client_order_id = client_id
        account.client_ids[(sym.symbol, client_id)] = order
        if order.leaves <= 0:
            self._take_off(sym, order)
            order.status = FILLED
            account.close(order)
            ledger.release(account, order)
        elif order.order_id in sym.book.orders:
            sym.book.reduce(order.order_id, order.leaves)
        execution_id = sym.execution_id()
        entry = Amendment(
            sym.symbol,
            order.order_id,
            execution_id,
            orig_client_id,
            client_id,
            order.quantity + reduced,
            new_qty,
            now,
        )
        account.amendments.setdefault((sym.symbol, order.order_id), []).append(entry)
        self.report(
            sym,
            order,
            now,
            "REPLACED",
            on_book=order.order_id in sym.book.orders,
            orig_client_order_id=orig_client_id,
        )
        self.position(account, sym, now)
        if order.order_list_id != -1:
            self._dirty_lists[order.order_list_id] = None
            self.settle(sym, now)
        return entry


__all__ = ["OrderFlow", "market_closed", "would_take"]
