"""Algo orders: conditional orders kept in the Algo Service until their trigger fires.

Since December 2025 Binance places STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET and
TRAILING_STOP_MARKET orders through ``/fapi/v1/algoOrder``, and COIN-M ones through
``/dapi/v1/algoOrder`` since its move onto the USDⓈ-M engine on 2026-06-30 (quantities in contracts).
They take no margin while they wait; when the mark or contract price reaches the trigger, the algo
order becomes TRIGGERING, sends a normal MARKET or LIMIT order to the matching engine (TRIGGERED, or
REJECTED when that order is refused) and is FINISHED once that order is filled or canceled. On USDⓈ-M
every change is an ``ALGO_UPDATE`` event; Binance's COIN-M user data stream does not list that event,
so COIN-M accounts see only the ``ORDER_TRADE_UPDATE`` events of the triggered order.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from binance_emulator._errors import ExchangeError

from ._num import ZERO, flag, integer
from .accounts import Account
from .models import AlgoOrder, FuturesOrder
from .order_params import (
    make_trigger,
    optional_decimal,
    read_flags,
    read_quantity,
    read_side,
    read_time_in_force,
)
from .orders import OrderEngine, protected
from .state import FuturesState
from .triggers import TRAILING
from .user_events import algo_update
from .validation import check_notional, check_price, check_quantity, matched_price, require
from .views import average_price

ALGO_TYPES = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", TRAILING)
ALGO_OPEN_LIMIT = 200  # open conditional orders of an account, all symbols together (since 2025-12-29)
ALGO_MAX_CALLBACK = Decimal(20)  # callbackRate of algo trailing stops: 0.1 to 20 since 2026-10-23


class AlgoService:
    """The algo orders of every account of a futures exchange."""

    def __init__(self, state: FuturesState, engine: OrderEngine) -> None:
        self.state = state
        self.engine = engine
        self.waiting: dict[str, dict[int, AlgoOrder]] = {symbol: {} for symbol in state.rules}
        self.by_order: dict[int, AlgoOrder] = {}
        engine.after_trades.append(self.check)
        engine.pending.append(self.waiting)
        engine.on_done.append(self._order_done)

    def _announce(self, account: Account, event: dict[str, Any]) -> None:
        """An ``ALGO_UPDATE`` to the account's user data stream: USDⓈ-M only, since Binance's COIN-M user
        data stream does not list that event (the triggered order's ORDER_TRADE_UPDATE is sent)."""
        if not self.state.inverse:
            self.engine.announce(account, event)

    # -- placing and canceling --------------------------------------------------------------------

    def new(self, account: Account, params: Mapping[str, Any], now: int) -> AlgoOrder:
        """Place a conditional order (``algoType=CONDITIONAL``)."""
        state = self.state
        if str(params.get("algoType") or "CONDITIONAL") != "CONDITIONAL":
            raise ExchangeError(-1116, "Invalid algoType.")
        symbol = str(params.get("symbol") or "")
        rule = state.rule(symbol)
        order_type = str(params.get("type") or "")
        if order_type not in ALGO_TYPES:
            raise ExchangeError(-1116, "Invalid orderType.")
        side, position_side = read_side(account, params)
        reduce_only, close_position = read_flags(account, params, order_type, side, position_side)
        quantity = read_quantity(rule, params, order_type, close_position)
        price, price_match = self._price(params, symbol, order_type)
        working_type = str(params.get("workingType") or "CONTRACT_PRICE")
        trailing = order_type == TRAILING
        trigger_price = ZERO if trailing else optional_decimal(params, "triggerPrice") or ZERO
        callback = optional_decimal(params, "callbackRate")
        activation = optional_decimal(params, "activatePrice")
        trigger = make_trigger(
            state, symbol, order_type, side, working_type, trigger_price, activation, callback,
            max_callback=ALGO_MAX_CALLBACK,
        )  # fmt: skip
        if not close_position:
            reference = price or trigger_price or state.trigger_price(symbol, working_type)
            check_notional(rule, quantity, reference, reduce_only=reduce_only, inverse=state.inverse)
        time_in_force, good_till = read_time_in_force(params, order_type, now)
        if len(account.open_algo) >= ALGO_OPEN_LIMIT:
            raise ExchangeError(-4045, "Reach max stop order limit.")
        algo = AlgoOrder(
            algo_id=state.next_algo_id(),
            client_algo_id=self._client_id(account, params.get("clientAlgoId")),
            owner=account.user,
            symbol=symbol,
            side=side,
            position_side=position_side,
            order_type=order_type,
            time_in_force=time_in_force,
            quantity=quantity,
            price=price,
            trigger=trigger,
            trigger_price=trigger_price,
            working_type=working_type,
            price_match=price_match,
            close_position=close_position,
            price_protect=flag(params.get("priceProtect", False)),
            reduce_only=reduce_only,
            activate_price=trigger.activation_price if trailing else None,
            callback_rate=callback if trailing else None,
            stp=str(params.get("selfTradePreventionMode") or "EXPIRE_MAKER"),
            good_till_date=good_till,
            create_time=now,
            update_time=now,
        )
        account.algo_orders[algo.algo_id] = algo
        account.open_algo[algo.algo_id] = algo
        self.waiting[symbol][algo.algo_id] = algo
        self._announce(account, algo_update(algo, now))
        return algo

    def _price(self, params: Mapping[str, Any], symbol: str, order_type: str) -> tuple[Decimal, str]:
        """The limit price of STOP and TAKE_PROFIT (priceMatch picks it when the order fires)."""
        if order_type not in ("STOP", "TAKE_PROFIT"):
            return ZERO, "NONE"
        price = optional_decimal(params, "price")
        price_match = str(params.get("priceMatch") or "NONE")
        if price_match != "NONE":
            if price is not None:
                raise ExchangeError(-1128, "Combination of optional parameters invalid.")
            return ZERO, price_match
        if price is None:
            raise require("price")
        check_price(self.state.rules[symbol], price)
        return price, price_match

    def _client_id(self, account: Account, given: Any) -> str:
        if given is None or given == "":
            return self.state.random_id()
        value = str(given)
        if any(algo.client_algo_id == value for algo in account.open_algo.values()):
            raise ExchangeError(-4116, "ClientOrderId is duplicated.")
        return value

    def find(self, account: Account, algo_id: Any, client_algo_id: Any) -> AlgoOrder | None:
        """An algo order of the account by id (preferred) or client id."""
        if algo_id is not None:
            return account.algo_orders.get(integer(algo_id, "algoId"))
        if client_algo_id is not None:
            matches = [
                algo for algo in account.algo_orders.values() if algo.client_algo_id == str(client_algo_id)
            ]
            return matches[-1] if matches else None
        raise require("algoId")

    def cancel(self, account: Account, algo: AlgoOrder, now: int, status: str = "CANCELED") -> AlgoOrder:
        """Cancel a waiting algo order (-2011 when it is no longer waiting)."""
        if not algo.is_open:
            raise ExchangeError(-2011, "Unknown order sent.")
        self._close(account, algo, status, now)
        return algo

    def cancel_all(self, account: Account, symbol: str, now: int) -> None:
        for algo in [algo for algo in account.open_algo.values() if algo.symbol == symbol]:
            self._close(account, algo, "CANCELED", now)

    def expire_due(self, now: int) -> None:
        """Expire waiting GTD algo orders whose time has come."""
        for account in self.state.accounts.values():
            for algo in [
                a for a in account.open_algo.values() if a.good_till_date and a.good_till_date <= now
            ]:
                self._close(account, algo, "EXPIRED", now)

    def _close(self, account: Account, algo: AlgoOrder, status: str, now: int) -> None:
        algo.status = status
        algo.update_time = now
        account.open_algo.pop(algo.algo_id, None)
        self.waiting[algo.symbol].pop(algo.algo_id, None)
        self._announce(account, algo_update(algo, now))

    # -- triggering -------------------------------------------------------------------------------

    def check(self, symbol: str, now: int) -> None:
        """Fire the waiting algo orders of ``symbol`` whose trigger price was reached."""
        waiting = self.waiting[symbol]
        if not waiting:
            return
        state = self.state
        rule = state.rules[symbol]
        for algo in list(waiting.values()):
            if algo.algo_id not in waiting:
                continue
            if algo.price_protect and not protected(
                state.mark(symbol), state.last_price(symbol), rule.trigger_protect
            ):
                continue
            activated = algo.trigger.activated
            if algo.trigger.fires(state.trigger_price(symbol, algo.working_type)):
                self.fire(algo, now)
            elif algo.trigger.activated and not activated:  # a trailing stop reached its activation price
                algo.update_time = now
                self.engine.announce(self.state.accounts[algo.owner], algo_update(algo, now))

    def fire(self, algo: AlgoOrder, now: int) -> None:
        """Send the order of a triggered algo order to the matching engine."""
        state = self.state
        account = state.accounts[algo.owner]
        self.waiting[algo.symbol].pop(algo.algo_id, None)
        algo.status = "TRIGGERING"
        algo.trigger_time = algo.update_time = now
        self._announce(account, algo_update(algo, now))
        market = algo.order_type.endswith("MARKET")
        try:
            price = algo.price
            if not market and algo.price_match != "NONE":
                price = matched_price(state.books[algo.symbol], algo.side, algo.price_match)
            client_id = algo.client_algo_id
            if (algo.symbol, client_id) in account.open_client_ids:
                client_id = state.random_id()
            order = FuturesOrder(
                order_id=0,
                symbol=algo.symbol,
                owner=account.user,
                client_order_id=client_id,
                side=algo.side,
                position_side=algo.position_side,
                type="MARKET" if market else "LIMIT",
                orig_type=algo.order_type,
                time_in_force="GTC" if market else algo.time_in_force,
                price=ZERO if market else price,
                orig_qty=algo.quantity,
                reduce_only=algo.reduce_only,
                close_position=algo.close_position,
                stop_price=algo.trigger_price,
                working_type=algo.working_type,
                price_protect=algo.price_protect,
                activate_price=algo.activate_price if algo.order_type == TRAILING else None,
                price_rate=algo.callback_rate if algo.order_type == TRAILING else None,
                price_match=algo.price_match,
                stp=algo.stp,
                good_till_date=algo.good_till_date,
                time=now,
                update_time=now,
                algo_id=algo.algo_id,
            )
            if market and not algo.close_position and not algo.reduce_only:
                check_quantity(state.rules[algo.symbol], order.orig_qty, market=True)
            self.engine.place(account, order, now)
        except ExchangeError as error:
            algo.reject_reason = error.msg
            self._finish(account, algo, "REJECTED", now)
            return
        algo.actual_order_id = order.order_id
        if order.is_open:
            self.by_order[order.order_id] = algo
            algo.status = "TRIGGERED"
            algo.update_time = now
            self._announce(account, algo_update(algo, now, actual_type=order.type))
        else:
            algo.status = "TRIGGERED"
            self._announce(account, algo_update(algo, now, actual_type=order.type))
            self._finish(account, algo, "FINISHED", now, order)

    def _order_done(self, order: FuturesOrder, now: int) -> None:
        """When the order of a triggered algo order ends, the algo order is FINISHED."""
        algo = self.by_order.pop(order.order_id, None)
        if algo is None:
            return
        self._finish(self.state.accounts[algo.owner], algo, "FINISHED", now, order)

    def _finish(
        self, account: Account, algo: AlgoOrder, status: str, now: int, order: FuturesOrder | None = None
    ) -> None:
        algo.status = status
        algo.update_time = now
        account.open_algo.pop(algo.algo_id, None)
        executed = order.executed_qty if order is not None else ZERO
        algo.executed_qty = executed
        average = average_price(self.state, order) if order is not None else ZERO
        actual = order.type if order is not None else ""
        self._announce(
            account, algo_update(algo, now, executed=executed, average=average, actual_type=actual)
        )


__all__ = ["ALGO_TYPES", "AlgoService"]
