"""One exchange the suite runs against, for one product: where, with which key, what it lists.

A ``Target`` owns the HTTP session for its own calls (the clock, ``exchangeInfo``, cancel-after), the
signer schemathesis' requests go through, the ``Market`` and the ``Repair`` of positive cases. Orders the
suite places never outlive their test: after an answer that opened orders, the symbol's open orders are
cancelled; in the stateful phase (where later steps query and cancel the order) that happens when the run
ends.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from binance_openapi import Key

from .budget import Budget, BudgetAdapter
from .market import Market
from .products import PACKAGES
from .repair import Repair
from .signing import Signer, measure_clock, weight_of
from .testnet import cancel_run_orders

# The operations that cancel every open order of a symbol, per product (algo orders are separate).
CANCEL_ALL = {
    "spot": ("cancel_all_open_orders",),
    "usdm": ("cancel_all_open_orders", "cancel_all_algo_orders"),
    "coinm": ("cancel_all_open_orders",),
}


# Account modes the suite switches back right after switching them, so that later cases (orders with
# reduceOnly, which Hedge Mode refuses) meet the account as it was: operation -> (parameter, off value).
RESTORE = {
    "change_position_mode": ("dualSidePosition", "false"),
    "change_multi_assets_mode": ("multiAssetsMargin", "false"),
}


@dataclass
class Target:
    """An exchange for one product: ``network`` is ``"emulator"`` or ``"testnet"``."""

    product: str
    base_url: str
    session: requests.Session
    signer: Signer
    market: Market
    repair: Repair
    network: str
    orders: bool
    budget: Budget | None = None
    client_prefix: str | None = None
    touched: set[str] = field(default_factory=set)
    placed: int = 0

    @classmethod
    def connect(
        cls,
        product: str,
        base_url: str,
        *,
        key: Key | None,
        network: str,
        orders: bool,
        session: requests.Session | None = None,
        budget: Budget | None = None,
        client_prefix: str | None = None,
    ) -> Target:
        """Measure the exchange's clock and read its market; raises ``LookupError`` when it cannot.

        With a ``budget``, every call of the target's own session is charged to it first; with a
        ``client_prefix`` (the testnet profile) only the orders whose client id carries it are cancelled.
        """
        session = session or requests.Session()
        if budget is not None:
            adapter = BudgetAdapter(budget, lambda request: weight_of(product, request))
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        base_url = base_url.rstrip("/")
        try:
            clock = measure_clock(session, base_url, product)
            market = Market.fetch(session, base_url, product)
        except (requests.RequestException, KeyError, ValueError) as exc:
            raise LookupError(f"{product}: cannot reach {base_url}: {exc}") from exc
        return cls(
            product=product,
            base_url=base_url,
            session=session,
            signer=Signer(product, key, clock),
            market=market,
            repair=Repair(market, resting_only=network != "emulator"),
            network=network,
            orders=orders,
            budget=budget,
            client_prefix=client_prefix,
        )

    def next_client_id(self) -> str:
        """A client order id of this run (the testnet profile)."""
        self.placed += 1
        return f"{self.client_prefix}{self.placed}"

    # -- cancel-after -------------------------------------------------------------------------------

    def opened_orders(self, operation: Mapping[str, Any], status: int, content: bytes, query: Any) -> bool:
        """Whether an answer may have left orders open (an order-placing call that succeeded)."""
        weight = operation.get("x-binance-weight") or {}
        if status != 200 or not weight.get("orders"):
            return False
        symbols = set(_symbols_in(content))
        if isinstance(query, Mapping) and query.get("symbol"):
            symbols.add(str(query["symbol"]))
        self.touched |= {symbol for symbol in symbols if symbol in self.market.info}
        return bool(symbols)

    def cancel_open_orders(self) -> None:
        """Cancel every open order on the symbols the suite placed orders on (with a client prefix:
        only the orders of this run)."""
        if self.client_prefix is not None:
            if self.touched:
                cancel_run_orders(
                    self.session, self.base_url, self.signer, self.client_prefix, sorted(self.touched)
                )
            self.touched.clear()
            return
        api = importlib.import_module(f"{PACKAGES[self.product]}.api")
        for symbol in sorted(self.touched):
            for operation_id in CANCEL_ALL[self.product]:
                operation = api.operation(operation_id)
                self.session.request(
                    operation.method,
                    self.base_url + operation.path,
                    params={"symbol": symbol},
                    auth=self.signer,
                    timeout=30,
                )
        self.touched.clear()

    def restore_after(self, operation_id: str, status: int, query: Any) -> None:
        """Switch an account mode back off after a case switched it on."""
        restore = RESTORE.get(operation_id)
        if restore is None or status != 200 or not isinstance(query, Mapping):
            return
        name, off = restore
        if str(query.get(name, off)).lower() == off:
            return
        api = importlib.import_module(f"{PACKAGES[self.product]}.api")
        operation = api.operation(operation_id)
        self.session.request(
            operation.method,
            self.base_url + operation.path,
            params={name: off},
            auth=self.signer,
            timeout=30,
        )

    def close(self) -> None:
        self.cancel_open_orders()
        self.session.close()


def _symbols_in(content: bytes) -> list[str]:
    try:
        data = json.loads(content)
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    found: list[str] = []
    for item in items:
        if isinstance(item, dict):
            if isinstance(item.get("symbol"), str):
                found.append(item["symbol"])
            for nested in ("orders", "orderReports", "newOrderResponse"):
                value = item.get(nested)
                for inner in value if isinstance(value, list) else [value]:
                    if isinstance(inner, dict) and isinstance(inner.get("symbol"), str):
                        found.append(inner["symbol"])
    return found


__all__ = ["Target"]
