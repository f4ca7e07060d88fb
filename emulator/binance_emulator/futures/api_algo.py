"""Algo order handlers of both futures products: place, cancel, query, list, cancel all conditional orders."""

from __future__ import annotations

from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError

from .algo import AlgoService
from .api_common import code_message, in_window, limit
from .core import FuturesCore, Handler
from .views import algo_order


class AlgoOrders:
    """The algo order endpoints of a futures exchange."""

    def __init__(self, core: FuturesCore, service: AlgoService) -> None:
        self.state = core.state
        self.service = service

    def handlers(self) -> dict[str, Handler]:
        return {
            "new_algo_order": self.new_algo_order,
            "cancel_algo_order": self.cancel_algo_order,
            "query_algo_order": self.query_algo_order,
            "cancel_all_algo_orders": self.cancel_all_algo_orders,
            "open_algo_orders": self.open_algo_orders,
            "all_algo_orders": self.all_algo_orders,
        }

    def new_algo_order(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        return algo_order(self.service.new(account, call.params, call.now))

    def cancel_algo_order(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        algo = self.service.find(account, call.get("algoId"), call.get("clientAlgoId"))
        if algo is None:
            raise ExchangeError(-2011, "Unknown order sent.")
        self.service.cancel(account, algo, call.now)
        return {"algoId": algo.algo_id, "clientAlgoId": algo.client_algo_id, "code": "200", "msg": "success"}

    def query_algo_order(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        algo = self.service.find(account, call.get("algoId"), call.get("clientAlgoId"))
        if algo is None:
            raise ExchangeError(-2013, "Order does not exist.")
        return algo_order(algo)

    def cancel_all_algo_orders(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        self.service.cancel_all(account, symbol, call.now)
        return code_message("The operation of cancel all open order is done.")

    def open_algo_orders(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbol = call.get("symbol")
        if symbol is not None:
            self.state.rule(symbol)
        algo_id = call.get("algoId")
        found = [
            algo
            for algo in account.open_algo.values()
            if (symbol is None or algo.symbol == symbol) and (algo_id is None or algo.algo_id == int(algo_id))
        ]
        return [algo_order(algo) for algo in sorted(found, key=lambda a: a.algo_id)]

    def all_algo_orders(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        found = sorted(
            (a for a in account.algo_orders.values() if a.symbol == symbol), key=lambda a: a.algo_id
        )
        algo_id = call.get("algoId")
        count = limit(call, 500, 1000)
        if algo_id is not None:
            found = [a for a in found if a.algo_id >= int(algo_id)]
        chosen = in_window(
            found, lambda a: a.create_time, call.get("startTime"), call.get("endTime"), len(found) or 1
        )
        if algo_id is not None or call.get("startTime") is not None:
            chosen = chosen[:count]
        else:
            chosen = chosen[-count:]
        return [algo_order(a) for a in chosen]


__all__ = ["AlgoOrders"]
