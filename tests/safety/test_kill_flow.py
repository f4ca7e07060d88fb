"""The kill switch's plan driven by a scripted exchange (no network): what it does with answers that a
live exchange gives rarely: a close refused again and again, an order whose fate stays unknown, a
position already closed by someone else (``-2022``), a 429 with its ``retry_after``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

from binance_openapi import BinanceError, OrderRejectedError, OrderStatusUnknownError, RateLimitError
from binance_openapi._filters import ExchangeRules
from binance_openapi.safety._kill_flow import MAX_REJECTIONS, KillPlan, Pause

RULES = ExchangeRules.from_exchange_info(
    {
        "symbols": [
            {
                "symbol": "BTCUSDT",
                "status": "TRADING",
                "filters": [
                    {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
                    {
                        "filterType": "MARKET_LOT_SIZE",
                        "minQty": "0.001",
                        "maxQty": "120",
                        "stepSize": "0.001",
                    },
                ],
            }
        ]
    }
)


@dataclass
class Position:
    symbol: str
    position_side: str
    position_amt: D


@dataclass
class Answer:
    order_id: int
    executed_qty: D
    avg_price: D


def api_error(cls: type[Any], status: int, code: int, message: str, **extra: Any) -> Any:
    return cls(status=status, code=code, message=message, method="POST", path="/fapi/v1/order", **extra)


@dataclass
class FakeUsdM:
    """A USDⓈ-M account with one position; ``on_order`` decides what each close does."""

    amount: D
    on_order: Any
    calls: list[str] = field(default_factory=list)
    orders: dict[str, Answer] = field(default_factory=dict)

    def exchange_rules(self) -> ExchangeRules:
        return RULES

    def open_orders(self) -> list[Any]:
        self.calls.append("open_orders")
        return []

    def open_algo_orders(self) -> list[Any]:
        return []

    def position_risk_v3(self) -> list[Position]:
        self.calls.append("position_risk_v3")
        return [Position("BTCUSDT", "BOTH", self.amount)] if self.amount else []

    def new_order(self, **order: Any) -> Answer:
        self.calls.append("new_order")
        assert order["reduce_only"] is True and order["type"] == "MARKET"
        return self.on_order(self, order)  # type: ignore[no-any-return]

    def query_order(self, **lookup: Any) -> Answer:
        self.calls.append("query_order")
        return self.orders[lookup["orig_client_order_id"]]


def fill(account: FakeUsdM, order: dict[str, Any]) -> Answer:
    account.amount -= order["quantity"]
    answer = Answer(len(account.orders) + 1, order["quantity"], D("60000"))
    account.orders[order["new_client_order_id"]] = answer
    return answer


def run(account: FakeUsdM, deadline: float = 5.0) -> tuple[Any, list[float]]:
    """The plan driven against ``account`` as ``kill_switch`` drives it, with a clock that moves one
    second per reading and pauses recorded instead of slept; returns the report and the pauses."""
    clock = iter(range(10_000))
    flow = KillPlan(["usdm"], deadline_s=deadline, clock=lambda: float(next(clock))).run()
    pauses: list[float] = []
    try:
        step = next(flow)
        for _ in range(1000):
            if isinstance(step, Pause):
                pauses.append(step.seconds)
                step = flow.send(None)
                continue
            try:
                result = getattr(account, step.method)(**step.kwargs)
            except BinanceError as error:
                step = flow.throw(error)
            else:
                step = flow.send(result)
    except StopIteration as stop:
        return stop.value, pauses
    raise AssertionError("the plan did not end")


def test_a_close_refused_again_and_again_is_reported_with_its_error() -> None:
    def refuse(account: FakeUsdM, order: dict[str, Any]) -> Answer:
        raise api_error(OrderRejectedError, 400, -2019, "Margin is insufficient.")

    account = FakeUsdM(D("0.5"), refuse)
    report, _ = run(account, deadline=100)
    assert account.calls.count("new_order") == MAX_REJECTIONS
    assert not report.flat
    [left] = report.left
    assert (left.what, left.quantity, left.reason) == ("position BOTH", D("0.5"), "error")
    assert "-2019" in left.detail
    assert report.rounds == MAX_REJECTIONS + 1  # stopped at the first round with only refusals left


def test_an_order_whose_fate_is_unknown_is_looked_up_and_counted_once() -> None:
    def lost(account: FakeUsdM, order: dict[str, Any]) -> Answer:
        fill(account, order)  # executed, but the client could not tell
        raise OrderStatusUnknownError(
            "lookups failed",
            client_order_id=order["new_client_order_id"],
            method="POST",
            path="/fapi/v1/order",
        )

    account = FakeUsdM(D("0.3"), lost)
    report, _ = run(account)
    assert report.flat and account.calls.count("new_order") == 1
    [closed] = report.closed
    assert (closed.quantity, closed.average_price, closed.order_ids) == (D("0.3"), D("60000"), (1,))
    assert account.calls.count("query_order") == 1


def test_a_position_closed_by_someone_else_is_not_an_error() -> None:
    def gone(account: FakeUsdM, order: dict[str, Any]) -> Answer:
        account.amount = D(0)  # another kill switch was faster
        raise api_error(OrderRejectedError, 400, -2022, "ReduceOnly Order is rejected.")

    account = FakeUsdM(D("0.3"), gone)
    report, _ = run(account)
    assert report.flat and report.closed == () and report.left == ()


def test_a_429_pauses_for_its_retry_after_then_goes_on() -> None:
    state = {"limited": True}

    def limited(account: FakeUsdM, order: dict[str, Any]) -> Answer:
        if state.pop("limited", False):
            raise api_error(RateLimitError, 429, -1003, "Too many requests.", headers={"Retry-After": "3"})
        return fill(account, order)

    account = FakeUsdM(D("250"), limited)  # above the market maximum of 120: three orders
    report, pauses = run(account, deadline=100)
    assert report.flat and 3.0 in pauses
    [closed] = report.closed
    assert (closed.quantity, len(closed.order_ids)) == (D("250"), 3)
    assert [a.executed_qty for a in account.orders.values()] == [D("120"), D("120"), D("10")]


def test_a_position_below_the_minimum_quantity_is_dust_and_ends_the_run() -> None:
    def never(account: FakeUsdM, order: dict[str, Any]) -> Answer:
        raise AssertionError("no order can close less than the minimum quantity")

    report, _ = run(FakeUsdM(D("0.0005"), never), deadline=100)
    assert not report.flat and report.rounds == 1
    assert [(item.what, item.quantity, item.reason) for item in report.left] == [
        ("position BOTH", D("0.0005"), "dust")
    ]
