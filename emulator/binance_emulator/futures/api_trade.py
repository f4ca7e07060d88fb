"""Order handlers of both futures products: place, modify, cancel, query, batches, history.

``newOrderRespType=ACK`` (the default) answers the order as accepted; ``RESULT`` answers it after
matching. Both products refuse conditional types here (-4120: they go through the algo endpoints;
COIN-M since its move onto the USDⓈ-M engine on 2026-06-30, whose place/modify/cancel answers also
leave out ``avgPrice`` and ``cumBase``). A batch answers, in request order, each order or the error of
that item.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError

from ._num import decimal, flag, integer
from .accounts import Account
from .api_common import code_message, in_window, limit
from .core import FuturesCore, Handler
from .models import FuturesOrder
from .order_params import build_order, optional_decimal
from .validation import matched_price, require
from .views import order as order_view
from .views import order_result, user_trade


class Trading:
    """Order endpoints of one futures exchange."""

    def __init__(self, core: FuturesCore) -> None:
        self.core = core
        self.state = core.state
        self.engine = core.engine

    def handlers(self) -> dict[str, Handler]:
        found: dict[str, Handler] = {
            "new_order": self.new_order,
            "modify_order": self.modify_order,
            "cancel_order": self.cancel_order,
            "query_order": self.query_order,
            "new_batch_orders": self.new_batch_orders,
            "modify_batch_orders": self.modify_batch_orders,
            "cancel_batch_orders": self.cancel_batch_orders,
            "cancel_all_open_orders": self.cancel_all_open_orders,
            "countdown_cancel_all": self.countdown_cancel_all,
            "all_orders": self.all_orders,
            "open_orders": self.open_orders,
            "query_open_order": self.query_open_order,
            "force_orders": self.force_orders,
            "user_trades": self.user_trades,
        }
        found["order_amendments"] = self.order_amendments
        if self.core.usdm:
            found["test_new_order"] = self.test_new_order
        return found

    # -- placing ----------------------------------------------------------------------------------

    def _place(self, account: Account, params: Mapping[str, Any], now: int) -> dict[str, Any]:
        state = self.state
        order = build_order(state, account, params, now, allow_conditional=False)
        self.engine.place(account, order, now)
        respond = str(params.get("newOrderRespType") or "ACK")
        return order_result(state, order, executed=respond == "RESULT")

    def new_order(self, call: Call) -> dict[str, Any]:
        return self._place(self.state.account(call.account), call.params, call.now)

    def test_new_order(self, call: Call) -> dict[str, Any]:
        """Check an order as new_order would, without placing it."""
        account = self.state.account(call.account)
        order = build_order(self.state, account, call.params, call.now, allow_conditional=True)
        if order.trigger is None:
            self.engine.check_reduce(account, order)
            self.engine.check_margin(account, order)
        return order_view(self.state, order, executed=False)

    def new_batch_orders(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        items = _items(call.require("batchOrders"), 5)
        results: list[dict[str, Any]] = []
        for item in items:
            try:
                results.append(self._place(account, item, call.now))
            except ExchangeError as error:
                results.append({"code": error.code, "msg": error.msg})
        return results

    # -- modifying --------------------------------------------------------------------------------

    def _modify(self, account: Account, params: Mapping[str, Any], now: int) -> dict[str, Any]:
        symbol = str(params.get("symbol") or "")
        self.state.rule(symbol)
        order = self._find(account, symbol, params.get("orderId"), params.get("origClientOrderId"))
        if order is None:
            raise ExchangeError(-2013, "Order does not exist.")
        quantity = optional_decimal(params, "quantity")
        price = optional_decimal(params, "price")
        price_match = str(params.get("priceMatch") or "NONE")
        if price_match != "NONE":
            price = matched_price(self.state.books[symbol], order.side, price_match)
        if quantity is None and price is None:
            raise require("quantity")
        modify_id = None
        if params.get("modifyId") not in (None, ""):
            modify_id = integer(params["modifyId"], "modifyId")  # both products (2026-07-28)
        # USDⓈ-M: reduceOnly on a modification only validates (2026-10)
        if self.core.usdm and flag(params.get("reduceOnly", False)) and not order.reduce_only:
            raise ExchangeError(-5047, "The original order is not a reduce-only order")
        side = str(params.get("side") or "")
        self.engine.modify(account, order, side, quantity, price, now, modify_id=modify_id)
        if self.state.inverse:
            body = order_result(self.state, order)
        else:
            body = order_view(self.state, order)
            body["pair"] = self.state.rules[symbol].pair
            body["cumBase"] = body.get("cumBase", "0")
        if modify_id is not None:
            body["modifyId"] = modify_id
        return body

    def modify_order(self, call: Call) -> dict[str, Any]:
        return self._modify(self.state.account(call.account), call.params, call.now)

    def modify_batch_orders(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        results: list[dict[str, Any]] = []
        for item in _items(call.require("batchOrders"), 5):
            try:
                results.append(self._modify(account, item, call.now))
            except ExchangeError as error:
                results.append({"code": error.code, "msg": error.msg})
        return results

    def order_amendments(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        rule = self.state.rule(symbol)
        order = self._find(account, symbol, call.get("orderId"), call.get("origClientOrderId"))
        if order is None:
            raise ExchangeError(-2013, "Order does not exist.")
        found = [a for a in account.amendments if a.order_id == order.order_id]
        chosen = in_window(
            found, lambda a: a.time, call.get("startTime"), call.get("endTime"), limit(call, 50, 100)
        )
        return [
            {
                "amendmentId": a.amendment_id,
                "symbol": a.symbol,
                "pair": rule.pair,
                "orderId": a.order_id,
                "clientOrderId": a.client_order_id,
                "time": a.time,
                "amendment": {
                    "price": {"before": _text(a.price_before), "after": _text(a.price_after)},
                    "origQty": {"before": _text(a.qty_before), "after": _text(a.qty_after)},
                    "count": a.count,
                    **({"modifyId": a.modify_id} if a.modify_id is not None else {}),
                },
            }
            for a in reversed(chosen)
        ]

    # -- canceling --------------------------------------------------------------------------------

    def cancel_order(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        order = self._find(account, symbol, call.get("orderId"), call.get("origClientOrderId"))
        if order is None:
            raise ExchangeError(-2011, "Unknown order sent.")
        self.engine.cancel(account, order, call.now)
        return order_result(self.state, order)

    def cancel_batch_orders(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        ids = call.get("orderIdList")
        names = call.get("origClientOrderIdList")
        wanted: list[tuple[Any, Any]] = (
            [(i, None) for i in _items(ids, 10, "orderIdList")] if ids is not None else []
        )
        if names is not None:
            wanted += [(None, name) for name in _items(names, 10, "origClientOrderIdList")]
        if not wanted:
            raise require("orderIdList")
        results: list[dict[str, Any]] = []
        for order_id, name in wanted:
            try:
                order = self._find(account, symbol, order_id, name)
                if order is None:
                    raise ExchangeError(-2011, "Unknown order sent.")
                self.engine.cancel(account, order, call.now)
                results.append(order_result(self.state, order))
            except ExchangeError as error:
                results.append({"code": error.code, "msg": error.msg})
        return results

    def cancel_all_open_orders(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        self.engine.cancel_all(account, symbol, call.now)
        return code_message("The operation of cancel all open order is done.")

    def countdown_cancel_all(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        countdown = int(call.require("countdownTime"))
        deadline = account.countdowns.pop(symbol, None)
        if deadline is not None and deadline <= call.now:
            # Binance checks countdowns about every 10 ms: one that ran out before this call has already
            # cancelled the orders, whether or not a simulation step came in between here.
            self.engine.cancel_all(account, symbol, call.now)
        if countdown > 0:
            account.countdowns[symbol] = call.now + countdown
        return {"symbol": symbol, "countdownTime": str(max(countdown, 0))}

    # -- querying ---------------------------------------------------------------------------------

    def _find(
        self, account: Account, symbol: str, order_id: Any, client_order_id: Any
    ) -> FuturesOrder | None:
        """An order of the account on ``symbol`` by id (preferred) or client id."""
        if order_id is not None:
            found = account.orders.get(integer(order_id, "orderId"))
            return found if found is not None and found.symbol == symbol else None
        if client_order_id is not None and client_order_id != "":
            return account.client_ids.get((symbol, str(client_order_id)))
        raise require("orderId")

    def query_order(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        order = self._find(account, symbol, call.get("orderId"), call.get("origClientOrderId"))
        if order is None:
            raise ExchangeError(-2013, "Order does not exist.")
        return order_view(self.state, order)

    def query_open_order(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        order = self._find(account, symbol, call.get("orderId"), call.get("origClientOrderId"))
        if order is None or not order.is_open:
            raise ExchangeError(-2013, "Order does not exist.")
        return order_view(self.state, order)

    def _symbols(self, call: Call, *, required: bool) -> list[str]:
        symbol = call.get("symbol")
        if symbol is not None:
            self.state.rule(symbol)
            return [symbol]
        pair = call.get("pair")
        if pair is not None:
            return self.state.pair_symbols(pair)
        if required:
            raise require("symbol")
        return list(self.state.rules)

    def all_orders(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbols = self._symbols(call, required=not self.core.usdm)  # USDⓈ-M: symbol optional since 2026-08-25
        orders = sorted(
            (o for s in symbols for o in account.orders_by_symbol.get(s, [])), key=lambda o: o.order_id
        )
        count = limit(call, 500, 1000) if self.core.usdm else limit(call, 50, 100)
        order_id = call.get("orderId")
        if order_id is not None:
            orders = [o for o in orders if o.order_id >= int(order_id)]
            chosen = in_window(
                orders, lambda o: o.time, call.get("startTime"), call.get("endTime"), len(orders)
            )[:count]
        else:
            chosen = in_window(orders, lambda o: o.time, call.get("startTime"), call.get("endTime"), count)
        return [order_view(self.state, o) for o in chosen]

    def open_orders(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbols = set(self._symbols(call, required=False))
        orders = sorted(
            (o for o in account.open_orders.values() if o.symbol in symbols), key=lambda o: o.order_id
        )
        return [order_view(self.state, o) for o in orders]

    def force_orders(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbol = call.get("symbol")
        if symbol is not None:
            self.state.rule(symbol)
        kind = call.get("autoCloseType")
        orders = [
            o
            for o in account.force_orders
            if (symbol is None or o.symbol == symbol) and (kind is None or o.auto_close == kind)
        ]
        chosen = in_window(
            orders, lambda o: o.time, call.get("startTime"), call.get("endTime"), limit(call, 50, 100)
        )
        return [order_view(self.state, o) for o in chosen]

    def user_trades(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbols = self._symbols(call, required=True)
        trades = sorted((t for s in symbols for t in account.trades.get(s, [])), key=lambda t: (t.time, t.id))
        order_id = call.get("orderId")
        if order_id is not None:
            trades = [t for t in trades if t.order_id == int(order_id)]
        count = limit(call, 500 if self.core.usdm else 50, 1000)
        from_id = call.get("fromId")
        if from_id is not None:
            chosen = [t for t in trades if t.id >= int(from_id)][:count]
        else:
            chosen = in_window(trades, lambda t: t.time, call.get("startTime"), call.get("endTime"), count)
        return [user_trade(self.state, t) for t in chosen]


def _items(value: Any, maximum: int, name: str = "batchOrders") -> list[Any]:
    """The items of a JSON list parameter (already parsed, or a JSON string)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ExchangeError(-1130, f"Data sent for parameter '{name}' is not valid.") from None
    if not isinstance(value, list) or not value:
        raise ExchangeError(-1130, f"Data sent for parameter '{name}' is not valid.")
    if len(value) > maximum:
        raise ExchangeError(-4082, "Invalid number of batch place orders.")
    return value


def _text(value: Decimal) -> str:
    return format(decimal(value, "value"), "f")


__all__ = ["Trading"]
