"""Placing order lists: OCO pairs and the OTO family (OTO, OTOCO, OPO, OPOCO).

An OCO is two orders sharing one balance lock, where the first to work cancels the other. An OTO-family
list places its working order now and its pending order (or OCO pair) once the working order fills;
an OPO's pending orders are sized by what the working order filled. ``flow.OrderFlow.react`` does the
contingencies afterwards.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_emulator._errors import ExchangeError, filter_failure

from . import ledger, render
from .accounts import SpotAccount
from .flow import OrderFlow
from .orders import CONDITIONAL_TYPES, PENDING_NEW, STOP_LOSS_TYPES, Order, OrderList
from .requests import OrderSpec
from .state import SpotState, SymbolState


def check_oco(side: str, above: OrderSpec, below: OrderSpec, last: Decimal | None) -> None:
    """One leg must be a stop loss on the right side of the other; with ``last``, prices around it."""
    stop_legs = [leg for leg in (above, below) if leg.type in STOP_LOSS_TYPES]
    if not stop_legs:
        if above.type == below.type == "LIMIT_MAKER":
            raise ExchangeError(-1168, "At least one OCO order must be contingent.")
        raise ExchangeError(-1158, "Order type not supported in OCO.")
    if len(stop_legs) == 2:
        raise ExchangeError(-1158, "Order type not supported in OCO.")
    if side == "SELL" and above.type in STOP_LOSS_TYPES:
        raise ExchangeError(-1197, "A stop loss order in a sell OCO must be below.")
    if side == "BUY" and below.type in STOP_LOSS_TYPES:
        raise ExchangeError(-1196, "A stop loss order in a buy OCO must be above.")
    if last is None:
        return
    above_price = above.stop_price if above.type in CONDITIONAL_TYPES else above.price
    below_price = below.stop_price if below.type in CONDITIONAL_TYPES else below.price
    if (above_price is not None and above_price <= last) or (below_price is not None and below_price >= last):
        raise ExchangeError(-2010, "The relationship of the prices for the orders is not correct.")


def stop_first(legs: list[OrderSpec]) -> list[OrderSpec]:
    """Binance lists the stop-loss leg of a pair first."""
    return sorted(legs, key=lambda leg: leg.type not in STOP_LOSS_TYPES)


class OrderLists:
    """Creates order lists for the trading handlers."""

    def __init__(self, state: SpotState, flow: OrderFlow) -> None:
        self.state = state
        self.flow = flow

    def _check(
        self, sym: SymbolState, account: SpotAccount, list_client_id: str | None, specs: list[OrderSpec]
    ) -> None:
        """Unique list client id, MAX_NUM_ORDER_LISTS, then the checks of each order."""
        if list_client_id is not None:
            existing = account.list_client_ids.get(list_client_id)
            if existing is not None and existing.is_open:
                raise ExchangeError(-2010, "Duplicate order sent.")
        opened = sum(
            1 for order_list in account.order_lists if order_list.is_open and order_list.symbol == sym.symbol
        )
        if opened >= sym.rules.max_num_order_lists:
            raise filter_failure("MAX_NUM_ORDER_LISTS")
        self.flow.check_new(sym, account, specs)

    def _new_list(
        self, sym: SymbolState, account: SpotAccount, kind: str, list_client_id: str | None, now: int
    ) -> OrderList:
        """A new list, remembered by the exchange and the account."""
        order_list = OrderList(
            order_list_id=self.state.order_list_id(),
            list_client_order_id=list_client_id or self.state.client_id(),
            kind=kind,
            symbol=sym.symbol,
            user=account.user,
            orders=[],
            transaction_time=now,
        )
        self.state.order_lists[order_list.order_list_id] = order_list
        account.order_lists.append(order_list)
        account.list_client_ids[order_list.list_client_order_id] = order_list
        return order_list

    def _register(
        self, sym: SymbolState, account: SpotAccount, order_list: OrderList, orders: list[Order], now: int
    ) -> None:
        """Give the list's orders their ids and attach them to the list."""
        for order in orders:
            order.order_list_id = order_list.order_list_id
            self.flow.register(sym, account, order, now)
        order_list.orders = orders

    def place_oco(
        self,
        sym: SymbolState,
        account: SpotAccount,
        side: str,
        above: OrderSpec,
        below: OrderSpec,
        list_client_id: str | None,
        resp_type: str,
        now: int,
    ) -> dict[str, Any]:
        """Place an OCO pair; the answer is the ``NewOrderList``."""
        check_oco(side, above, below, sym.tape.last_price)
        specs = stop_first([above, below])
        self._check(sym, account, list_client_id, specs)
        flow = self.flow
        orders = [flow.create(sym, account, spec, now) for spec in specs]
        for order in orders:
            flow.prepare(sym, order)
        needs = [flow.lock_need(sym, order) for order in orders]
        held = ledger.lock(account, needs[0][0], max(need for _, need in needs))
        held.holders = 2
        for order in orders:
            order.lock = held
        order_list = self._new_list(sym, account, "OCO", list_client_id, now)
        self._register(sym, account, order_list, orders, now)
        order_list.pair = list(orders)
        flow.list_report(order_list, now)
        fills = {order.order_id: flow.start(sym, order, now) for order in orders}
        reports = [render.new_order(order, resp_type, now, fills[order.order_id]) for order in orders]
        return self.answer(order_list, reports)

    def place_oto(
        self,
        sym: SymbolState,
        account: SpotAccount,
        kind: str,
        working: OrderSpec,
        pending: list[OrderSpec],
        list_client_id: str | None,
        resp_type: str,
        now: int,
    ) -> dict[str, Any]:
        """Place an OTO, OTOCO, OPO or OPOCO list; the answer is the ``NewOrderList``."""
        if kind in ("OPO", "OPOCO"):
            if working.side != "BUY":
                raise ExchangeError(-1222, "Working order in an OPO list must be a bid.")
            if any(spec.side != "SELL" for spec in pending):
                raise ExchangeError(-1223, "Pending orders in an OPO list must be asks.")
        if len(pending) == 2:
            above, below = pending
            check_oco(above.side, above, below, None)
            pending = stop_first(pending)
        self._check(sym, account, list_client_id, [working, *pending])
        flow = self.flow
        first = flow.create(sym, account, working, now)
        flow.prepare(sym, first)
        later = [flow.create(sym, account, spec, now) for spec in pending]
        asset, amount = flow.lock_need(sym, first)
        first.lock = ledger.lock(account, asset, amount)
        order_list = self._new_list(sym, account, kind, list_client_id, now)
        for order in later:
            order.status = PENDING_NEW
        self._register(sym, account, order_list, [first, *later], now)
        order_list.working = first
        order_list.pending = later
        pending_reports = [render.new_order(order, resp_type, now) for order in later]
        flow.list_report(order_list, now)
        fills = flow.start(sym, first, now)
        reports = [render.new_order(first, resp_type, now, fills), *pending_reports]
        return self.answer(order_list, reports)

    @staticmethod
    def answer(order_list: OrderList, reports: list[dict[str, Any]]) -> dict[str, Any]:
        """A ``NewOrderList`` body; the list's state is the one at placement."""
        body = render.order_list(order_list)
        body["listStatusType"] = "EXEC_STARTED"
        body["listOrderStatus"] = "EXECUTING"
        body["orderReports"] = reports
        return body


__all__ = ["OrderLists", "check_oco", "stop_first"]
