"""Running an incoming order through a symbol's book and settling what happened.

``Matcher.execute`` matches a ``Taker`` (a user's order, or one of the simulated market's), records each
trade on the tape, settles both sides' balances, applies self-trade prevention to the orders involved
and decides the incoming order's status. It publishes ``executionReport``s and the ``trade``/``aggTrade``
market events as it goes; the order flow does the rest (account positions, order lists, stop triggers).
"""

from __future__ import annotations

from decimal import Decimal

from binance_emulator.engine import MatchResult, RestingOrder, Taker

from . import ledger
from .orders import EXPIRED, EXPIRED_IN_MATCH, FILLED, NEW, PARTIALLY_FILLED, Order, PreventedMatch
from .render import FillInfo
from .reports import agg_trade_event, execution_report, trade_event
from .state import SpotState, SymbolState

ZERO = Decimal(0)
ENGINE_STP = {
    "NONE": "NONE",
    "EXPIRE_TAKER": "EXPIRE_TAKER",
    "EXPIRE_MAKER": "EXPIRE_MAKER",
    "EXPIRE_BOTH": "EXPIRE_BOTH",
    "DECREMENT": "DECREMENT",
    "TRANSFER": "DECREMENT",  # TRANSFER between orders of one account behaves as DECREMENT
}
EXPIRY_REASONS = {"IOC": "UNFILLED_IOC_QUANTITY_EXPIRED", "FOK": "UNFILLED_FOK_ORDER_EXPIRED"}


class Outcome:
    """What one execution changed: the user taker's fills, the users and order lists involved."""

    __slots__ = ("fills", "listening", "lists", "result", "users")

    def __init__(self, result: MatchResult, listening: bool) -> None:
        self.result = result
        self.listening = listening
        self.fills: list[FillInfo] = []
        self.users: dict[str, None] = {}
        self.lists: dict[int, None] = {}


class Matcher:
    """Matching and settlement for every symbol of the spot exchange."""

    def __init__(self, state: SpotState) -> None:
        self.state = state

    def execute(self, sym: SymbolState, taker: Taker, order: Order | None, now: int) -> Outcome:
        """Match ``taker`` (``order`` is the user's order behind it, ``None`` for the simulated market)."""
        state = self.state
        tape = sym.tape
        aggregates_before = len(tape.aggregates)
        result = sym.book.match(taker)
        events = state.events
        outcome = Outcome(result, events.keep_history or bool(events._accounts))
        fills = result.fills
        if order is None:
            if fills:
                self._settle_makers(sym, taker, result, now, outcome)
                if state.wants_market(sym.symbol):
                    self._market_events(sym, aggregates_before, len(fills), now)
            return outcome
        leaves_before = order.leaves
        executed = ZERO
        for fill in fills:
            executed += fill.quantity
        final = self._final_status(sym, order, taker, result, leaves_before, executed)
        if fills:
            self._settle_makers(sym, taker, result, now, outcome)
            account = state.accounts[order.user]
            reports = outcome.listening and state.wants_account(order.user)
            rules = sym.rules
            trade_id = len(tape.trades) - len(fills)
            last = len(fills) - 1
            taker_fills = outcome.fills
            for index, fill in enumerate(fills):
                price = fill.price
                qty = fill.quantity
                trade_id += 1
                commission, asset = ledger.fill(account, rules, order, price, qty, False, trade_id, now)
                taker_fills.append((price, qty, commission, asset, trade_id))
                if reports:
                    order.status = final if index == last and final == FILLED else PARTIALLY_FILLED
                    report = execution_report(
                        order,
                        now,
                        "TRADE",
                        sym.execution_id(),
                        on_book=index == last and result.rested is not None,
                        last_qty=qty,
                        last_price=price,
                        commission=commission,
                        commission_asset=asset,
                        trade_id=trade_id,
                    )
                    state.events.account(order.user, report)
        if fills and state.wants_market(sym.symbol):
            self._market_events(sym, aggregates_before, len(fills), now)
        outcome.users[order.user] = None
        if result.expired_makers or order.stp != "NONE":
            self._prevent(sym, order, result, now, outcome)
        self._finish(sym, order, result, final, leaves_before, executed, now)
        return outcome

    def _settle_makers(
        self, sym: SymbolState, taker: Taker, result: MatchResult, now: int, outcome: Outcome
    ) -> None:
        """Record each fill on the tape and settle the resting users' orders it traded with."""
        record = sym.tape.record
        buyer_maker = taker.side == "SELL"
        taker_id = taker.order_id
        for fill in result.fills:
            trade = record(fill.price, fill.quantity, now, buyer_maker, taker_id)
            resting = fill.maker
            if resting.ref is not None:
                self._maker_fill(sym, resting, resting.ref, fill.price, fill.quantity, trade.id, now, outcome)

    def _market_events(self, sym: SymbolState, aggregates_before: int, count: int, now: int) -> None:
        """``trade`` events for the last ``count`` trades and ``aggTrade`` events for the new aggregates."""
        symbol = sym.symbol
        events = self.state.events
        tape = sym.tape
        for trade in tape.trades[-count:]:
            events.market(symbol, trade_event(symbol, trade, now))
        for aggregate in tape.aggregates[aggregates_before:]:
            events.market(symbol, agg_trade_event(symbol, aggregate, now))

    # -- the incoming order ------------------------------------------------------------------------

    def _final_status(
        self,
        sym: SymbolState,
        order: Order,
        taker: Taker,
        result: MatchResult,
        leaves_before: Decimal,
        executed: Decimal,
    ) -> str:
        """The status the incoming order ends this execution with (known once the book has matched)."""
        if result.expired_by_stp:
            return EXPIRED_IN_MATCH
        remaining = result.remaining
        if taker.quantity is None or (order.quote_order_qty and not order.quantity):
            return self._quote_status(sym, order, result)
        if not remaining:
            return FILLED if leaves_before == executed else EXPIRED_IN_MATCH
        if result.rested is not None:
            return PARTIALLY_FILLED if order.executed or executed else NEW
        return EXPIRED

    def _quote_status(self, sym: SymbolState, order: Order, result: MatchResult) -> str:
        """A market order by quote quantity is filled unless the book ran out before it was spent."""
        if not result.fills:
            return EXPIRED
        opposite = sym.book.asks if order.side == "BUY" else sym.book.bids
        best = opposite.best()
        spent = result.quote
        left = order.quote_order_qty - spent
        last_price = result.fills[-1].price
        if best is None and left >= last_price * sym.rules.step:
            return EXPIRED
        return FILLED

    def _finish(
        self,
        sym: SymbolState,
        order: Order,
        result: MatchResult,
        final: str,
        leaves_before: Decimal,
        executed: Decimal,
        now: int,
    ) -> None:
        """Set the incoming order's final status, prevented quantity and balances; report an expiry."""
        state = self.state
        account = state.accounts[order.user]
        prevented = ZERO
        if order.quote_order_qty and not order.quantity:
            order.quantity = order.executed
        elif result.expired_by_stp:
            prevented = result.remaining
        elif leaves_before != executed + result.remaining:
            prevented = leaves_before - executed - result.remaining
        if prevented:
            order.prevented += prevented
        order.status = final
        order.update_time = now
        if final == EXPIRED:
            order.expiry_reason = EXPIRY_REASONS.get(order.time_in_force, "INSUFFICIENT_LIQUIDITY")
        if final in (NEW, PARTIALLY_FILLED):
            return
        account.close(order)
        ledger.release(account, order)
        if final in (EXPIRED, EXPIRED_IN_MATCH) and state.wants_account(order.user):
            prevention = None
            if final == EXPIRED_IN_MATCH and order.prevented_match_id is not None:
                prevention = (sym.prevented[order.prevented_match_id - 1], prevented, sym.symbol)
            kind = "TRADE_PREVENTION" if final == EXPIRED_IN_MATCH else "EXPIRED"
            report = execution_report(
                order, now, kind, sym.execution_id(), on_book=False, prevention=prevention
            )
            state.events.account(order.user, report)

    # -- resting orders ----------------------------------------------------------------------------

    def _maker_fill(
        self,
        sym: SymbolState,
        resting: RestingOrder,
        order: Order,
        price: Decimal,
        qty: Decimal,
        trade_id: int,
        now: int,
        outcome: Outcome,
    ) -> None:
        """Settle a fill of a resting user order and report it."""
        state = self.state
        user = order.user
        account = state.accounts[user]
        commission, asset = ledger.fill(account, sym.rules, order, price, qty, True, trade_id, now)
        outcome.users[user] = None
        done = resting.remaining <= 0
        if done:
            order.status = FILLED
            account.close(order)
            ledger.release(account, order)
        else:
            order.status = PARTIALLY_FILLED
        if order.order_list_id != -1:
            outcome.lists[order.order_list_id] = None
        if outcome.listening and state.wants_account(user):
            report = execution_report(
                order,
                now,
                "TRADE",
                sym.execution_id(),
                on_book=not done,
                last_qty=qty,
                last_price=price,
                commission=commission,
                commission_asset=asset,
                trade_id=trade_id,
                maker=True,
            )
            state.events.account(user, report)

    # -- self-trade prevention ---------------------------------------------------------------------

    def _prevent(
        self, sym: SymbolState, order: Order, result: MatchResult, now: int, outcome: Outcome
    ) -> None:
        """Record prevented matches; expire or decrement the resting orders STP stopped."""
        last: PreventedMatch | None = None
        for resting in result.expired_makers:
            maker = resting.ref
            if maker is None:
                continue
            amount = maker.leaves
            taker_amount = amount if order.stp in ("DECREMENT", "TRANSFER") else ZERO
            if result.expired_by_stp:
                taker_amount = result.remaining
            last = self._record(sym, order, maker, resting.price, amount, taker_amount, now)
            maker.prevented += amount
            maker.prevented_match_id = last.prevented_match_id
            maker.status = EXPIRED_IN_MATCH
            maker.update_time = now
            account = self.state.accounts[maker.user]
            account.close(maker)
            ledger.release(account, maker)
            if maker.order_list_id != -1:
                outcome.lists[maker.order_list_id] = None
            self._report_prevention(sym, maker, last, amount, now)
        front = self._front(sym, order.side)
        if front is not None and front.ref is not None and front.ref.user == order.user:
            maker = front.ref
            decremented = maker.leaves - front.remaining
            if decremented > 0:
                last = self._record(sym, order, maker, front.price, decremented, decremented, now)
                maker.prevented += decremented
                maker.prevented_match_id = last.prevented_match_id
                maker.update_time = now
                self._report_prevention(sym, maker, last, decremented, now)
            elif result.expired_by_stp and last is None:
                last = self._record(sym, order, maker, front.price, ZERO, result.remaining, now)
        if last is not None:
            order.prevented_match_id = last.prevented_match_id

    def _front(self, sym: SymbolState, side: str) -> RestingOrder | None:
        """The first resting order an incoming order of ``side`` would meet next."""
        opposite = sym.book.asks if side == "BUY" else sym.book.bids
        best = opposite.best()
        if best is None:
            return None
        return opposite.levels[best][0]

    def _record(
        self,
        sym: SymbolState,
        taker: Order,
        maker: Order,
        price: Decimal,
        amount: Decimal,
        taker_amount: Decimal,
        now: int,
    ) -> PreventedMatch:
        """Record a prevented match of the symbol."""
        match = PreventedMatch(
            symbol=sym.symbol,
            prevented_match_id=len(sym.prevented) + 1,
            taker_order_id=taker.order_id,
            taker_user=taker.user,
            maker_order_id=maker.order_id,
            maker_user=maker.user,
            mode=taker.stp,
            price=price,
            maker_prevented=amount,
            taker_prevented=taker_amount,
            time=now,
        )
        sym.prevented.append(match)
        return match

    def _report_prevention(
        self, sym: SymbolState, order: Order, match: PreventedMatch, amount: Decimal, now: int
    ) -> None:
        """Report an order's quantity prevented by self-trade prevention."""
        if self.state.wants_account(order.user):
            report = execution_report(
                order,
                now,
                "TRADE_PREVENTION",
                sym.execution_id(),
                on_book=order.is_open,
                prevention=(match, amount, sym.symbol),
            )
            self.state.events.account(order.user, report)


__all__ = ["ENGINE_STP", "Matcher", "Outcome"]
