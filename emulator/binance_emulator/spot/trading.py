"""Trading handlers: orders, tests of orders, cancels, cancel-replace, amendments, order lists and SOR."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError, cancel_unknown, mandatory

from . import render
from .accounts import Allocation, SpotAccount
from .filters import check_precision
from .flow import OrderFlow
from .order_lists import OrderLists
from .orders import NEW, PARTIALLY_FILLED, Order, OrderList
from .requests import OrderSpec, build_spec, leg_params
from .state import SpotState, SymbolState
from .text import ZERO_TEXT, fmt

RESTRICTIONS = {"ONLY_NEW": NEW, "ONLY_PARTIALLY_FILLED": PARTIALLY_FILLED}
LIST_RESP_TYPE = "RESULT"


def error_body(error: ExchangeError) -> dict[str, Any]:
    """An error as the cancel-replace answer embeds it."""
    return {"code": error.code, "msg": error.msg}


def find_order(
    sym: SymbolState,
    account: SpotAccount,
    order_id: int | None,
    client_id: str | None,
    missing: ExchangeError,
    mismatch: ExchangeError | None = None,
) -> Order:
    """An order of ``account`` by id or client id (with both, they must name the same order: when the
    id finds an order whose client id differs, ``mismatch`` is raised, or ``missing`` without it)."""
    if order_id is None and client_id is None:
        raise ExchangeError(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )
    if order_id is not None:
        order = sym.orders.get(order_id)
        if order is None or order.user != account.user:
            raise missing
        if client_id is not None and order.client_order_id != client_id:
            raise mismatch or missing
        return order
    assert client_id is not None
    found = account.find_order(sym.symbol, client_id)
    if found is None:
        raise missing
    return found


def commissions(account: SpotAccount, *, sor: bool = False) -> dict[str, Any]:
    """The commission rates an order would pay (``computeCommissionRates=true``)."""
    out: dict[str, Any] = {
        "standardCommissionForOrder": {"maker": fmt(account.maker_rate), "taker": fmt(account.taker_rate)},
        "taxCommissionForOrder": {"maker": ZERO_TEXT, "taker": ZERO_TEXT},
        "discount": {
            "enabledForAccount": False,
            "enabledForSymbol": True,
            "discountAsset": "BNB",
            "discount": "0.25000000",
        },
    }
    if not sor:
        out["specialCommissionForOrder"] = {"maker": ZERO_TEXT, "taker": ZERO_TEXT}
    return out


def _present(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters that have a value."""
    return {name: value for name, value in params.items() if value is not None}


class Trading:
    """The ``trade`` tag of the spot API."""

    def __init__(self, state: SpotState, flow: OrderFlow, lists: OrderLists) -> None:
        self.state = state
        self.flow = flow
        self.lists = lists

    def handlers(self) -> dict[str, Callable[[Call], Any]]:
        """operationId -> handler, for the trading operations."""
        return {
            "new_order": self.new_order,
            "test_new_order": self.test_new_order,
            "cancel_order": self.cancel_order,
            "cancel_all_open_orders": self.cancel_open_orders,
            "cancel_replace_order": self.cancel_replace_order,
            "amend_order_keep_priority": self.amend_order_keep_priority,
            "new_oco": self.new_oco,
            "new_order_list_oco": self.new_order_list_oco,
            "new_order_list_oto": self.new_order_list_oto,
            "new_order_list_otoco": self.new_order_list_otoco,
            "new_order_list_opo": self.new_order_list_opo,
            "new_order_list_opoco": self.new_order_list_opoco,
            "cancel_order_list": self.cancel_order_list,
            "new_sor_order": self.new_sor_order,
            "test_new_sor_order": self.test_new_sor_order,
        }

    def _context(self, call: Call) -> tuple[SymbolState, SpotAccount]:
        """The call's symbol and account."""
        return self.state.symbol(call.require("symbol")), self.state.account(call.account)

    def _spec(
        self, sym: SymbolState, params: Mapping[str, Any], now: int, *, sized_later: bool = False
    ) -> OrderSpec:
        """Check an order's parameters against the symbol's filters."""
        return build_spec(sym.rules, params, sym.filter_price(now), sized_later=sized_later)

    # -- single orders -----------------------------------------------------------------------------

    def new_order(self, call: Call) -> dict[str, Any]:
        """``POST /api/v3/order``: place an order; ACK, RESULT or FULL answer."""
        sym, account = self._context(call)
        spec = self._spec(sym, call.params, call.now)
        order, fills = self.flow.place(sym, account, spec, call.now)
        return render.new_order(order, spec.resp_type, call.now, fills)

    def test_new_order(self, call: Call) -> dict[str, Any]:
        """``POST /api/v3/order/test``: check an order without placing it."""
        sym, account = self._context(call)
        self._spec(sym, call.params, call.now)
        return commissions(account) if call.get("computeCommissionRates") else {}

    def new_sor_order(self, call: Call) -> dict[str, Any]:
        """Smart order routing has one venue here: the symbol's own book. Fills are also allocations."""
        sym, account = self._context(call)
        spec = self._spec(sym, call.params, call.now)
        if call.get("newOrderRespType") is None:
            spec.resp_type = "FULL"
        order, fills = self.flow.place(sym, account, spec, call.now, sor=True)
        allocations = account.allocations.setdefault(sym.symbol, [])
        for price, qty, commission, asset, trade_id in fills:
            allocations.append(
                Allocation(
                    trade_id,
                    order.order_id,
                    -1,
                    price,
                    qty,
                    price * qty,
                    commission,
                    asset,
                    call.now,
                    order.side == "BUY",
                )
            )
        return render.new_order(order, spec.resp_type, call.now, fills)

    def test_new_sor_order(self, call: Call) -> dict[str, Any]:
        """``POST /api/v3/sor/order/test``: check a smart order routing order without placing it."""
        sym, account = self._context(call)
        self._spec(sym, call.params, call.now)
        return commissions(account, sor=True) if call.get("computeCommissionRates") else {}

    # -- cancels -----------------------------------------------------------------------------------

    def _cancel(
        self, sym: SymbolState, order: Order, cancel_id: str, restriction: str | None, now: int
    ) -> dict[str, Any]:
        """Cancel an open order (with its whole order list); the canceled order's report."""
        if not order.is_open:
            raise cancel_unknown()
        if restriction is not None and order.status != RESTRICTIONS[restriction]:
            raise ExchangeError(-2011, "Order was not canceled due to cancel restrictions.")
        if order.order_list_id != -1:
            self.flow.cancel_list(sym, self.state.order_lists[order.order_list_id], now, cancel_id)
        else:
            self.flow.cancel(sym, order, now, cancel_id)
        return render.canceled_order(order, cancel_id, now)

    def cancel_order(self, call: Call) -> dict[str, Any]:
        """``DELETE /api/v3/order``: cancel an open order (and its order list)."""
        sym, account = self._context(call)
        order = find_order(sym, account, call.get("orderId"), call.get("origClientOrderId"), cancel_unknown())
        cancel_id = call.get("newClientOrderId") or self.state.client_id()
        return self._cancel(sym, order, cancel_id, call.get("cancelRestrictions"), call.now)

    def cancel_open_orders(self, call: Call) -> list[dict[str, Any]]:
        """``DELETE /api/v3/openOrders``: cancel every open order and order list of a symbol."""
        sym, account = self._context(call)
        opened = sorted(account.open_on(sym.symbol).values(), key=lambda order: order.order_id)
        if not opened:
            raise cancel_unknown()
        out: list[dict[str, Any]] = []
        for order in opened:
            if not order.is_open:
                continue
            cancel_id = self.state.client_id()
            if order.order_list_id == -1:
                self.flow.cancel(sym, order, call.now, cancel_id)
                out.append(render.canceled_order(order, cancel_id, call.now))
                continue
            order_list = self.state.order_lists[order.order_list_id]
            canceled = self.flow.cancel_list(sym, order_list, call.now, cancel_id)
            out.append(self._list_answer(order_list, canceled, cancel_id, call.now))
        return out

    def _list_answer(
        self, order_list: OrderList, canceled: list[Order], cancel_id: str, now: int
    ) -> dict[str, Any]:
        """A ``CanceledOrderList``: the list with a report per order canceled."""
        body = render.order_list(order_list)
        body["orderReports"] = [render.canceled_order(order, cancel_id, now) for order in canceled]
        return body

    def cancel_order_list(self, call: Call) -> dict[str, Any]:
        """``DELETE /api/v3/orderList``: cancel an order list."""
        sym, account = self._context(call)
        order_list_id, client_id = call.get("orderListId"), call.get("listClientOrderId")
        missing = ExchangeError(-2011, "Order list does not exist.")
        found: OrderList | None
        if order_list_id is not None:
            found = self.state.order_lists.get(order_list_id)
            if found is not None and client_id is not None and found.list_client_order_id != client_id:
                found = None
        elif client_id is not None:
            found = account.list_client_ids.get(client_id)
        else:
            raise ExchangeError(
                -1102, "Param 'listClientOrderId' or 'orderListId' must be sent, but both were empty/null!"
            )
        if found is None or found.user != account.user or found.symbol != sym.symbol or not found.is_open:
            raise missing
        cancel_id = call.get("newClientOrderId") or self.state.client_id()
        canceled = self.flow.cancel_list(sym, found, call.now, cancel_id)
        return self._list_answer(found, canceled, cancel_id, call.now)

    def cancel_replace_order(self, call: Call) -> Any:
        """Cancel then place; ``(409, body)`` when one step failed, ``(400, body)`` when both did."""
        sym, account = self._context(call)
        now = call.now
        spec = self._spec(sym, call.params, now)
        cancel_id = call.get("cancelNewClientOrderId") or self.state.client_id()
        cancel_response: dict[str, Any]
        try:
            order = find_order(
                sym, account, call.get("cancelOrderId"), call.get("cancelOrigClientOrderId"), cancel_unknown()
            )
            cancel_response = self._cancel(sym, order, cancel_id, call.get("cancelRestrictions"), now)
            canceled = True
        except ExchangeError as error:
            cancel_response, canceled = error_body(error), False
        if not canceled and call.require("cancelReplaceMode") == "STOP_ON_FAILURE":
            account.counter.add(now)
            return 400, self._replace_failure(-2022, "FAILURE", "NOT_ATTEMPTED", cancel_response, None)
        try:
            placed, fills = self.flow.place(sym, account, spec, now)
            new_response, created = render.new_order(placed, spec.resp_type, now, fills), True
        except ExchangeError as error:
            new_response, created = error_body(error), False
        if canceled and created:
            return {
                "cancelResult": "SUCCESS",
                "newOrderResult": "SUCCESS",
                "cancelResponse": cancel_response,
                "newOrderResponse": new_response,
            }
        results = ("SUCCESS" if canceled else "FAILURE", "SUCCESS" if created else "FAILURE")
        if canceled or created:
            return 409, self._replace_failure(-2021, *results, cancel_response, new_response)
        return 400, self._replace_failure(-2022, *results, cancel_response, new_response)

    @staticmethod
    def _replace_failure(
        code: int,
        cancel_result: str,
        new_result: str,
        cancel_response: dict[str, Any],
        new_response: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """The body of a cancel-replace that did not fully succeed."""
        message = (
            "Order cancel-replace partially failed." if code == -2021 else "Order cancel-replace failed."
        )
        return {
            "code": code,
            "msg": message,
            "data": {
                "cancelResult": cancel_result,
                "newOrderResult": new_result,
                "cancelResponse": cancel_response,
                "newOrderResponse": new_response,
            },
        }

    def amend_order_keep_priority(self, call: Call) -> dict[str, Any]:
        """``PUT /api/v3/order/amend/keepPriority``: reduce an open order's quantity."""
        sym, account = self._context(call)
        unknown = ExchangeError(-2038, "Unknown order sent.")
        order = find_order(sym, account, call.get("orderId"), call.get("origClientOrderId"), unknown)
        if not order.is_open:
            raise unknown
        new_qty = call.require("newQty")
        check_precision("newQty", new_qty, sym.rules.base_precision)
        if new_qty <= 0:
            raise mandatory("newQty")
        client_id = call.get("newClientOrderId") or self.state.client_id()
        existing = account.find_order(sym.symbol, client_id)
        if existing is not None and existing is not order and existing.is_open:
            raise ExchangeError(-2038, "Duplicate order sent.")
        entry = self.flow.amend(sym, account, order, new_qty, client_id, call.now)
        body: dict[str, Any] = {
            "transactTime": call.now,
            "executionId": entry.execution_id,
            "amendedOrder": render.amended_order(order, entry.orig_client_order_id),
        }
        if order.order_list_id != -1:
            body["listStatus"] = render.amended_list(self.state.order_lists[order.order_list_id])
        return body

    # -- order lists -------------------------------------------------------------------------------

    def new_oco(self, call: Call) -> dict[str, Any]:
        """The deprecated OCO: a LIMIT_MAKER leg at ``price`` and a stop leg at ``stopPrice``."""
        sym, account = self._context(call)
        side = call.require("side")
        quantity = call.require("quantity")
        stp = call.get("selfTradePreventionMode")
        limit = {
            "type": "LIMIT_MAKER",
            "side": side,
            "quantity": quantity,
            "price": call.require("price"),
            "newClientOrderId": call.get("limitClientOrderId"),
            "icebergQty": call.get("limitIcebergQty"),
            "strategyId": call.get("limitStrategyId"),
            "strategyType": call.get("limitStrategyType"),
            "selfTradePreventionMode": stp,
        }
        stop_limit_price = call.get("stopLimitPrice")
        if stop_limit_price is not None and call.get("stopLimitTimeInForce") is None:
            raise mandatory("stopLimitTimeInForce")
        stop = {
            "type": "STOP_LOSS_LIMIT" if stop_limit_price is not None else "STOP_LOSS",
            "side": side,
            "quantity": quantity,
            "price": stop_limit_price,
            "stopPrice": call.require("stopPrice"),
            "trailingDelta": call.get("trailingDelta"),
            "timeInForce": call.get("stopLimitTimeInForce"),
            "newClientOrderId": call.get("stopClientOrderId"),
            "icebergQty": call.get("stopIcebergQty"),
            "strategyId": call.get("stopStrategyId"),
            "strategyType": call.get("stopStrategyType"),
            "selfTradePreventionMode": stp,
        }
        limit_spec = self._spec(sym, _present(limit), call.now)
        stop_spec = self._spec(sym, _present(stop), call.now)
        above, below = (limit_spec, stop_spec) if side == "SELL" else (stop_spec, limit_spec)
        resp_type = call.get("newOrderRespType") or LIST_RESP_TYPE
        return self.lists.place_oco(
            sym, account, side, above, below, call.get("listClientOrderId"), resp_type, call.now
        )

    def new_order_list_oco(self, call: Call) -> dict[str, Any]:
        """``POST /api/v3/orderList/oco``: an above and a below order, one cancels the other."""
        sym, account = self._context(call)
        side = call.require("side")
        shared = {
            "side": side,
            "quantity": call.require("quantity"),
            "selfTradePreventionMode": call.get("selfTradePreventionMode"),
        }
        above = self._spec(sym, _present({**leg_params(call.params, "above"), **shared}), call.now)
        below = self._spec(sym, _present({**leg_params(call.params, "below"), **shared}), call.now)
        resp_type = call.get("newOrderRespType") or LIST_RESP_TYPE
        return self.lists.place_oco(
            sym, account, side, above, below, call.get("listClientOrderId"), resp_type, call.now
        )

    def _oto_family(self, call: Call, kind: str) -> dict[str, Any]:
        """Place an OTO, OTOCO, OPO or OPOCO list from its working and pending parameters."""
        sym, account = self._context(call)
        params = call.params
        stp = {"selfTradePreventionMode": params.get("selfTradePreventionMode")}
        working = self._spec(sym, _present({**leg_params(params, "working"), **stp}), call.now)
        sized_later = kind in ("OPO", "OPOCO")
        shared = {**stp, "side": params.get("pendingSide"), "quantity": params.get("pendingQuantity")}
        prefixes = ["pending"] if kind in ("OTO", "OPO") else ["pendingAbove", "pendingBelow"]
        pending = [
            self._spec(
                sym, _present({**leg_params(params, prefix), **shared}), call.now, sized_later=sized_later
            )
            for prefix in prefixes
        ]
        resp_type = call.get("newOrderRespType") or LIST_RESP_TYPE
        return self.lists.place_oto(
            sym, account, kind, working, pending, call.get("listClientOrderId"), resp_type, call.now
        )

    def new_order_list_oto(self, call: Call) -> dict[str, Any]:
        """``POST /api/v3/orderList/oto``: a working order and a pending order."""
        return self._oto_family(call, "OTO")

    def new_order_list_otoco(self, call: Call) -> dict[str, Any]:
        """``POST /api/v3/orderList/otoco``: a working order and a pending OCO pair."""
        return self._oto_family(call, "OTOCO")

    def new_order_list_opo(self, call: Call) -> dict[str, Any]:
        """``POST /api/v3/orderList/opo``: a working buy and a pending sell sized by its fill."""
        return self._oto_family(call, "OPO")

    def new_order_list_opoco(self, call: Call) -> dict[str, Any]:
        """``POST /api/v3/orderList/opoco``: a working buy and a pending OCO pair sized by its fill."""
        return self._oto_family(call, "OPOCO")


__all__ = ["Trading", "commissions", "error_body", "find_order"]
