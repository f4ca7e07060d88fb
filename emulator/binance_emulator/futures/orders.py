"""The order engine: placing, matching, filling, canceling and modifying futures orders.

An order is checked against the account (open-order limit, position side, reduce-only, margin), then
matched on the symbol's book (``engine.OrderBook``). Each fill moves both accounts' positions
(realizing PnL), charges commission in the margin asset, records trades and income, and goes on the
tape and the market streams. User data events are collected during an operation and published at its
end (``flush``): the order changes as they happened, then one ``ACCOUNT_UPDATE`` per account whose
balance or positions moved.

Conditional orders (STOP, TAKE_PROFIT, TRAILING_STOP_MARKET...) of both products live in the algo
service and come here once triggered (COIN-M since its 2026-06-30 move onto the USDⓈ-M engine; before,
they waited here in ``waiting``, a path no endpoint takes any more). The simulated market accounts
trade through ``system_*`` without margin, fees, records or events.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from binance_emulator._errors import ExchangeError
from binance_emulator.engine import MatchResult, RestingOrder, Taker
from binance_emulator.engine.book import Side

from ._num import Q8, ZERO
from .accounts import Account
from .margin import Margin
from .models import Amendment, FuturesOrder, UserTrade
from .outbox import Outbox
from .positions import Position
from .state import FuturesState
from .user_events import agg_trade_event, order_update, trade_event, trade_lite
from .validation import (
    check_percent_price,
    check_price,
    check_quantity,
    margin_insufficient,
    reduce_only_rejected,
)

Hook = Callable[[FuturesOrder, int], None]


class OrderEngine:
    """Places and executes the orders of one futures exchange."""

    def __init__(self, state: FuturesState, margin: Margin) -> None:
        self.state = state
        self.margin = margin
        self.waiting: dict[str, dict[int, FuturesOrder]] = {symbol: {} for symbol in state.rules}
        self.good_till: dict[int, FuturesOrder] = {}
        self.on_done: list[Hook] = []
        self.after_trades: list[Callable[[str, int], None]] = []
        self.pending: list[dict[str, dict[int, Any]]] = [self.waiting]  # waiting triggers by symbol
        self.outbox = Outbox(state, margin)
        self._to_trim: dict[str, Account] = {}
        self._traded: set[str] = set()
        self._triggering = False

    # -- placing ----------------------------------------------------------------------------------

    def place(self, account: Account, order: FuturesOrder, now: int) -> FuturesOrder:
        """Check ``order`` against the account and send it to the book (or let it wait for its trigger)."""
        state = self.state
        rule = state.rules[order.symbol]
        if order.symbol in state.delivered:
            raise ExchangeError(-4141, "Symbol is closed.")
        if account.open_counts.get(order.symbol, 0) >= rule.max_num_orders:
            raise ExchangeError(-2025, "Reach max open order limit.")
        if order.trigger is None:
            self.check_reduce(account, order)
            self.check_margin(account, order)
        if order.order_id == 0:
            order.order_id = state.next_order_id()
        if order.trigger is not None:
            account.remember(order)
            self.waiting[order.symbol][order.order_id] = order
            if self.outbox.wants(account):
                self.outbox.add(account, order_update(state, order, "NEW", now))
            return order
        if order.time_in_force == "GTX" and state.books[order.symbol].would_take(
            side_literal(order.side), order.price
        ):
            raise ExchangeError(
                -5022,
                "Due to the order could not be executed as maker, the Post Only order will be rejected.",
            )
        self.execute(account, order, now, new=True)
        return order

    def check_reduce(self, account: Account, order: FuturesOrder) -> None:
        """Reduce-only (and Hedge Mode closing) orders must reduce a position; they are capped to it."""
        if not order.closing:
            return
        room = self.reducible(account, order.symbol, order.position_side, order.side)
        if room <= 0:
            raise reduce_only_rejected()
        if order.close_position or order.orig_qty > room:
            order.orig_qty = room

    def check_margin(self, account: Account, order: FuturesOrder) -> None:
        """-2019 when the initial margin the order adds exceeds the available balance; -2027 past the cap."""
        if account.system or order.closing:
            return
        rule = self.state.rules[order.symbol]
        price = order.price or self.market_price(order.symbol, order.side)
        setting = account.setting(order.symbol)
        remaining = order.remaining
        value = rule.contract.notional(remaining, price)
        required = self.margin.added_initial(account, order, remaining, value, setting.leverage)
        if required <= 0:
            return
        position = account.positions.get((order.symbol, order.position_side))
        held = rule.contract.notional(position.amount, price) if position is not None else ZERO
        if held + required * setting.leverage > rule.brackets.max_notional(setting.leverage):
            raise ExchangeError(-2027, "Exceeded the maximum allowable position at current leverage.")
        if required > self.margin.available(account, rule.margin_asset):
            raise margin_insufficient()

    def market_price(self, symbol: str, side: str) -> Decimal:
        """The price a market order would start trading at (the mark price on an empty book)."""
        book = self.state.books[symbol]
        best = book.best_ask() if side == "BUY" else book.best_bid()
        return best if best is not None else self.state.mark(symbol)

    def reducible(self, account: Account, symbol: str, position_side: str, side: str) -> Decimal:
        """How much an order on ``side`` can reduce the position without increasing it."""
        position = account.positions.get((symbol, position_side))
        amount = position.amount if position is not None else ZERO
        if position_side == "LONG":
            return max(amount, ZERO) if side == "SELL" else ZERO
        if position_side == "SHORT":
            return max(-amount, ZERO) if side == "BUY" else ZERO
        return max(-amount, ZERO) if side == "BUY" else max(amount, ZERO)

    # -- matching ---------------------------------------------------------------------------------

    def execute(self, account: Account, order: FuturesOrder, now: int, *, new: bool) -> None:
        """Match ``order`` on its book, settle the fills and decide its status."""
        state = self.state
        market = order.type.endswith("MARKET")
        taker = Taker(
            order.order_id,
            account.user,
            side_literal(order.side),
            order.orig_qty - order.executed_qty,
            None if market else order.price,
            "IOC" if market else order.time_in_force,  # type: ignore[arg-type]
            stp=order.stp,  # type: ignore[arg-type]
            ref=order,
        )
        result = state.books[order.symbol].match(taker)
        if new:
            if order.time_in_force == "FOK" and not result.fills and result.expired:
                raise ExchangeError(
                    -5021,
                    "Due to the order could not be filled immediately, the FOK order has been rejected.",
                )
            account.remember(order)
            if self.outbox.wants(account):
                self.outbox.add(account, order_update(state, order, "NEW", now))
        if order.closing:
            account.closing[order.order_id] = order
        if order.good_till_date:
            self.good_till[order.order_id] = order
        self._settle(order.symbol, account.user, order.side, order, order.order_id, result, now)
        if result.rested is not None:
            self._expose(account, order, order.remaining, +1)
        elif result.expired_by_stp:
            self.finish(account, order, "EXPIRED_IN_MATCH", now)
        elif order.remaining > 0:
            self.finish(account, order, "EXPIRED", now)
        else:
            self.finish(account, order, "FILLED", now, announce=False)
        if self._to_trim:
            self._trim_all(now)
        if self._traded:
            self._after_match(order.symbol, now)

    def _settle(
        self,
        symbol: str,
        taker_owner: str,
        taker_side: str,
        taker: FuturesOrder | None,
        taker_id: int,
        result: MatchResult,
        now: int,
    ) -> None:
        """Settle a match: makers expired by self-trade prevention, then every fill on both sides."""
        state = self.state
        for maker in result.expired_makers:
            record = maker.ref
            if isinstance(record, FuturesOrder):
                owner = state.accounts[record.owner]
                self._expose(owner, record, record.remaining, -1)
                self.finish(owner, record, "EXPIRED_IN_MATCH", now)
        if not result.fills:
            return
        self._traded.add(symbol)
        tape = state.tapes[symbol]
        bus = state.events
        buyer_maker = taker_side == "SELL"
        publish = state.wants_market(symbol)
        taker_account = state.accounts.get(taker_owner) if taker is not None else None
        for fill in result.fills:
            trade = tape.record(fill.price, fill.quantity, now, buyer_maker, taker_id)
            if publish:
                bus.market(symbol, trade_event(symbol, trade, now))
                bus.market(symbol, agg_trade_event(symbol, tape.aggregates[-1], now, usdm=not state.inverse))
            resting = fill.maker.ref
            if isinstance(resting, FuturesOrder):
                owner = state.accounts[resting.owner]
                self._expose(owner, resting, fill.quantity, -1)
                self.fill(owner, resting, fill.quantity, fill.price, trade.id, now, maker=True)
                if resting.status == "FILLED":
                    self.finish(owner, resting, "FILLED", now, announce=False)
            else:
                self._system_fill(fill.maker.owner, symbol, fill.maker.side, fill.quantity)
            if taker is not None and taker_account is not None:
                self.fill(taker_account, taker, fill.quantity, fill.price, trade.id, now, maker=False)
            else:
                self._system_fill(taker_owner, symbol, taker_side, fill.quantity)

    def fill(
        self,
        account: Account,
        order: FuturesOrder,
        quantity: Decimal,
        price: Decimal,
        trade_id: int,
        now: int,
        *,
        maker: bool,
        fee_rate: Decimal | None = None,
        pnl_income: str = "REALIZED_PNL",
    ) -> Decimal:
        """Book one fill of a user order: position, realized PnL, commission, records, events."""
        state = self.state
        rule = state.rules[order.symbol]
        contract = rule.contract
        position = account.position(order.symbol, order.position_side)
        before = position.amount
        realized, closed = position.apply(contract, quantity if order.side == "BUY" else -quantity, price)
        traded = quantity * price
        value = contract.notional(quantity, price) if contract.inverse else traded
        if fee_rate is None:
            fee_rate = account.maker_rate if maker else account.taker_rate
        fee = (value * fee_rate).quantize(Q8, ROUND_HALF_EVEN)
        asset = rule.margin_asset
        if realized or fee:
            state.change_balance(account.user, asset, realized - fee)
        if position.amount:
            position.fees += fee
        setting = account.settings.get(order.symbol)
        if setting is not None and setting.margin_type == "ISOLATED":
            if closed and before:
                position.isolated_wallet -= position.isolated_wallet * closed / abs(before)
            opened = quantity - closed
            if opened:
                position.isolated_wallet += contract.notional(opened, price) / setting.leverage
            if not position.amount:
                position.isolated_wallet = ZERO
        position.update_time = now
        order.executed_qty += quantity
        order.cum_quote += traded
        if state.inverse:
            order.cum_base += value
        order.realized_pnl += realized
        order.status = "FILLED" if order.executed_qty >= order.orig_qty else "PARTIALLY_FILLED"
        order.update_time = now
        if realized or fee:
            trade_text = str(trade_id)
            if realized:
                state.record_income(account, order.symbol, pnl_income, realized, asset, now, trade_text)
            if fee:
                state.record_income(account, order.symbol, "COMMISSION", -fee, asset, now, trade_text)
        trade = UserTrade(
            trade_id, order.symbol, order.order_id, order.side, order.position_side, price, quantity, value,
            realized, fee, asset, now, maker,
        )  # fmt: skip
        account.add_trade(trade)
        if account.closing:
            self._to_trim[account.user] = account
        if self.outbox.wants(account):
            self.outbox.add(
                account,
                order_update(
                    state, order, "TRADE", now, last_qty=quantity, last_price=price, commission=fee,
                    trade_id=trade_id, maker=maker, realized=realized,
                ),
            )  # fmt: skip
            if not state.inverse:
                self.outbox.add(account, trade_lite(order, now, quantity, price, trade_id, maker))
            self.outbox.touch(account, position)
        return realized

    def _system_fill(self, owner: str, symbol: str, side: str, quantity: Decimal) -> None:
        key = (owner, symbol)
        delta = quantity if side == "BUY" else -quantity
        self.state.system_positions[key] = self.state.system_positions.get(key, ZERO) + delta

    # -- canceling, modifying, expiring -----------------------------------------------------------

    def cancel(
        self, account: Account, order: FuturesOrder, now: int, status: str = "CANCELED"
    ) -> FuturesOrder:
        """Cancel an open order (-2011 when it is not open)."""
        if not order.is_open or order.order_id not in account.open_orders:
            raise ExchangeError(-2011, "Unknown order sent.")
        if self.waiting[order.symbol].pop(order.order_id, None) is None:
            self.state.books[order.symbol].remove(order.order_id)
            self._expose(account, order, order.remaining, -1)
        self.finish(account, order, status, now)
        return order

    def cancel_all(self, account: Account, symbol: str, now: int) -> int:
        """Cancel every open order of ``symbol``; returns how many."""
        orders = [order for order in account.open_orders.values() if order.symbol == symbol]
        for order in orders:
            self.cancel(account, order, now)
        return len(orders)

    def modify(
        self,
        account: Account,
        order: FuturesOrder,
        side: str,
        quantity: Decimal | None,
        price: Decimal | None,
        now: int,
        *,
        modify_id: int | None = None,
    ) -> FuturesOrder:
        """Change the price and/or quantity of an open LIMIT order; it loses its queue priority.

        ``modify_id`` is the caller's id of the modification, kept in the amendment history and
        sent as ``M`` in the ``AMENDMENT`` order update.
        """
        state = self.state
        rule = state.rules[order.symbol]
        if not order.is_open or order.order_id not in account.open_orders:
            raise ExchangeError(-2013, "Order does not exist.")
        if order.type != "LIMIT" or order.trigger is not None:
            raise ExchangeError(-5025, "Only limit order is supported.")
        if side != order.side:
            raise ExchangeError(-1130, "Data sent for parameter 'side' is not valid.")
        new_price = price if price is not None else order.price
        new_qty = quantity if quantity is not None else order.orig_qty
        check_price(rule, new_price)
        check_quantity(rule, new_qty, market=False)
        new_qty = new_qty.quantize(rule.step)
        check_percent_price(rule, order.side, new_price, state.mark(order.symbol))
        if new_price == order.price and new_qty == order.orig_qty:
            raise ExchangeError(-5027, "No need to modify the order.")
        if new_qty <= order.executed_qty:
            return self.cancel(account, order, now)
        if order.time_in_force == "GTX" and state.books[order.symbol].would_take(
            side_literal(order.side), new_price
        ):
            return self.cancel(account, order, now)
        state.books[order.symbol].remove(order.order_id)
        self._expose(account, order, order.remaining, -1)
        old_price, old_qty = order.price, order.orig_qty
        order.price, order.orig_qty = new_price, new_qty
        try:
            self.check_margin(account, order)
        except ExchangeError:
            order.price, order.orig_qty = old_price, old_qty
            self._restore(account, order)
            raise
        order.amendments += 1
        order.update_time = now
        account.amendments.append(
            Amendment(
                state.next_amendment_id(), order.symbol, order.order_id, order.client_order_id, now,
                old_price, new_price, old_qty, new_qty, order.amendments, modify_id,
            )
        )  # fmt: skip
        if self.outbox.wants(account):
            update = order_update(state, order, "AMENDMENT", now)
            if modify_id is not None:
                update["o"]["M"] = str(modify_id)  # a string in the event, a number in REST answers
            self.outbox.add(account, update)
        self.execute(account, order, now, new=False)
        return order

    def _restore(self, account: Account, order: FuturesOrder) -> None:
        """Put an order back on the book unchanged (a rejected modification)."""
        side = side_literal(order.side)
        resting = RestingOrder(order.order_id, account.user, side, order.price, order.remaining, ref=order)
        self.state.books[order.symbol].add(resting)
        self._expose(account, order, order.remaining, +1)

    def expire_due(self, now: int) -> None:
        """Expire GTD orders whose time has come."""
        for order_id, order in list(self.good_till.items()):
            if not order.is_open:
                del self.good_till[order_id]
            elif order.good_till_date <= now:
                del self.good_till[order_id]
                self.cancel(self.state.accounts[order.owner], order, now, status="EXPIRED")

    def run_countdowns(self, now: int) -> None:
        """Cancel the open orders of symbols whose countdown ran out (countdown cancel all)."""
        for account in self.state.accounts.values():
            if not account.countdowns:
                continue
            for symbol, deadline in list(account.countdowns.items()):
                if now >= deadline:
                    del account.countdowns[symbol]
                    self.cancel_all(account, symbol, now)

    # -- liquidation ------------------------------------------------------------------------------

    def force_close(
        self, account: Account, position: Position, price: Decimal, now: int, *, reason: str = "LIQUIDATION"
    ) -> FuturesOrder:
        """Close ``position`` at ``price`` off the book: a liquidation (against the insurance fund, listed
        by force orders) or, with ``reason="DELIVERY"``, the settlement of a delivered contract."""
        state = self.state
        quantity = abs(position.amount)
        liquidation = reason == "LIQUIDATION"
        prefix = "autoclose" if liquidation else "delivery"
        order = FuturesOrder(
            order_id=state.next_order_id(),
            symbol=position.symbol,
            owner=account.user,
            client_order_id=f"{prefix}-{now}{state.next_off_book_trade_id() % 1_000_000:06d}",
            side="SELL" if position.amount > 0 else "BUY",
            position_side=position.side,
            type="LIMIT",
            orig_type="LIMIT",
            time_in_force="IOC",
            price=price,
            orig_qty=quantity,
            stp="NONE",
            time=now,
            update_time=now,
            auto_close="LIQUIDATION" if liquidation else None,
        )
        account.remember(order)
        pnl = "REALIZED_PNL" if liquidation else "DELIVERED_SETTELMENT"
        trade_id = state.next_off_book_trade_id()
        self.fill(account, order, quantity, price, trade_id, now, maker=False, fee_rate=ZERO, pnl_income=pnl)
        self.finish(account, order, "FILLED", now, announce=False)
        if liquidation:
            account.force_orders.append(order)
        return order

    # -- the simulated market (Venue) -------------------------------------------------------------

    def system_limit(
        self, symbol: str, owner: str, side: str, price: Decimal, quantity: Decimal
    ) -> int | None:
        """Rest (or trade) a limit order of a simulated account; its id when it rests."""
        order_id = self.state.next_order_id()
        taker = Taker(order_id, owner, side_literal(side), quantity, price, "GTC")
        result = self.state.books[symbol].match(taker)
        self._settle(symbol, owner, side, None, order_id, result, self.state.now)
        self._trim_all(self.state.now)
        self._after_match(symbol, self.state.now)
        return order_id if result.rested is not None else None

    def system_cancel(self, symbol: str, owner: str, order_id: int) -> None:
        book = self.state.books[symbol]
        resting = book.orders.get(order_id)
        if resting is not None and resting.owner == owner:
            book.remove(order_id)

    def system_market(self, symbol: str, owner: str, side: str, quantity: Decimal) -> None:
        order_id = self.state.next_order_id()
        taker = Taker(order_id, owner, side_literal(side), quantity, None, "IOC")
        result = self.state.books[symbol].match(taker)
        self._settle(symbol, owner, side, None, order_id, result, self.state.now)
        self._trim_all(self.state.now)
        self._after_match(symbol, self.state.now)

    # -- events -----------------------------------------------------------------------------------

    def announce(self, account: Account, event: dict[str, Any]) -> None:
        """Queue a user data event to go out with this operation's others."""
        self.outbox.add(account, event)

    def touch(self, account: Account, position: Position) -> None:
        """Mark a position as changed: the next flush sends it in an ``ACCOUNT_UPDATE``."""
        self.outbox.touch(account, position)

    def flush(self, now: int, reason: str = "ORDER") -> None:
        """Publish the events collected during the operation."""
        self.outbox.flush(now, reason)

    # -- bookkeeping ------------------------------------------------------------------------------

    @staticmethod
    def _shift(exposure: Any, side: str, quantity: Decimal, value: Decimal) -> None:
        if side == "BUY":
            exposure.buy_qty += quantity
            exposure.buy_value += value
        else:
            exposure.sell_qty += quantity
            exposure.sell_value += value

    def _expose(self, account: Account, order: FuturesOrder, quantity: Decimal, sign: int) -> None:
        """Add (``sign`` +1) or remove (-1) resting quantity of ``order`` to its open-order exposure."""
        if account.system or order.closing or quantity <= 0:
            return
        exposure = account.exposure(order.symbol, order.position_side)
        value = self.state.rules[order.symbol].contract.notional(quantity, order.price)
        self._shift(exposure, order.side, quantity * sign, value * sign)
        if exposure.buy_qty <= 0:
            exposure.buy_qty = exposure.buy_value = ZERO
        if exposure.sell_qty <= 0:
            exposure.sell_qty = exposure.sell_value = ZERO

    def finish(
        self, account: Account, order: FuturesOrder, status: str, now: int, *, announce: bool = True
    ) -> None:
        """Close an order with a final status; ``announce`` publishes the order update."""
        order.status = status
        order.update_time = now
        account.forget_open(order)
        self.good_till.pop(order.order_id, None)
        if announce and self.outbox.wants(account):
            execution = "CANCELED" if status == "CANCELED" else "EXPIRED"
            self.outbox.add(account, order_update(self.state, order, execution, now))
        for hook in self.on_done:
            hook(order, now)

    def _trim_all(self, now: int) -> None:
        """Expire reduce-only orders that the positions they reduce can no longer absorb."""
        while self._to_trim:
            _, account = self._to_trim.popitem()
            if account.closing:
                self._trim(account, now)

    def _trim(self, account: Account, now: int) -> None:
        room: dict[tuple[str, str, str], Decimal] = {}
        for order in sorted(account.closing.values(), key=lambda o: o.order_id):
            if order.trigger is not None or not order.is_open:
                continue
            key = (order.symbol, order.position_side, order.side)
            left = room.get(key)
            if left is None:
                left = self.reducible(account, order.symbol, order.position_side, order.side)
            if order.remaining <= left:
                room[key] = left - order.remaining
                continue
            room[key] = left
            self.cancel(account, order, now, status="EXPIRED")

    def _after_match(self, symbol: str, now: int) -> None:
        """Let triggers that follow the contract price look at the new trades (no recursion)."""
        if symbol not in self._traded or self._triggering:
            return
        for table in self.pending:
            if table[symbol]:
                break
        else:  # nothing waits for a trigger on this symbol
            self._traded.discard(symbol)
            return
        self._triggering = True
        try:
            for _ in range(100):
                self._traded.discard(symbol)
                for hook in self.after_trades:
                    hook(symbol, now)
                if symbol not in self._traded:
                    break
        finally:
            self._triggering = False
            self._traded.discard(symbol)


def side_literal(side: str) -> Side:
    """An order side as the matching engine types it."""
    return "BUY" if side == "BUY" else "SELL"


def protected(mark: Decimal, last: Decimal, limit: Decimal) -> bool:
    """Trigger protection: mark and contract prices within ``limit`` of each other."""
    if mark <= 0:
        return False
    return abs(mark - last) / mark <= limit


__all__ = ["OrderEngine", "protected", "side_literal"]
