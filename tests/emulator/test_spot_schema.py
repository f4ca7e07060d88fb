"""Every spot handler answers what ``specs/spot.yaml`` says: each operation is called with reasonable
parameters and its answer validated against the operation's response schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal as D
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.conftest import SPECS
from tests.emulator.test_spot_support import Spot

SPEC: dict[str, Any] = yaml.safe_load((SPECS / "spot.yaml").read_text())
OPERATIONS: dict[str, tuple[str, str]] = {
    operation["operationId"]: (path, method)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict) and "operationId" in operation
}
BTC: dict[str, Any] = {"symbol": "BTCUSDT"}
LIMIT: dict[str, Any] = {**BTC, "type": "LIMIT", "timeInForce": "GTC"}


def validator(operation: str, status: str = "200") -> Draft202012Validator:
    path, method = OPERATIONS[operation]
    pointer = f"#/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}/responses/{status}/content/application~1json/schema"
    return Draft202012Validator({**SPEC, "$ref": pointer})


@pytest.fixture(scope="module")
def spot() -> Spot:
    """A market with a known last price (97000) and liquidity on both sides of BTCUSDT."""
    market = Spot()
    for _ in range(5):
        market.tick(1000)
    market.quiet("BTCUSDT")
    market.trade_at("97000")
    market.order("bob", side="SELL", quantity="1", price="97100")
    market.order("bob", side="BUY", quantity="1", price="96900")
    return market


@pytest.fixture(autouse=True)
def tidy(spot: Spot) -> Iterator[None]:
    """Cancel what a case left open, so that the order-count filters never get in the next case's way."""
    yield
    if spot.call("open_orders", symbol="BTCUSDT"):
        spot.call("cancel_all_open_orders", **BTC)


def place(spot: Spot, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = spot.call(
        "new_order", **{**LIMIT, "side": "BUY", "quantity": D("0.001"), "price": D("96000"), **params}
    )
    return answer


def oco(spot: Spot) -> dict[str, Any]:
    return spot.call(  # type: ignore[no-any-return]
        "new_order_list_oco",
        **BTC,
        side="SELL",
        quantity=D("0.001"),
        aboveType="LIMIT_MAKER",
        abovePrice=D("98000"),
        belowType="STOP_LOSS_LIMIT",
        belowStopPrice=D("96000"),
        belowPrice=D("95900"),
        belowTimeInForce="GTC",
    )


WORKING: dict[str, Any] = {
    "workingType": "LIMIT",
    "workingSide": "BUY",
    "workingPrice": D("96000"),
    "workingQuantity": D("0.001"),
    "workingTimeInForce": "GTC",
}
PAIR: dict[str, Any] = {
    "pendingSide": "SELL",
    "pendingAboveType": "LIMIT_MAKER",
    "pendingAbovePrice": D("98000"),
    "pendingBelowType": "STOP_LOSS",
    "pendingBelowStopPrice": D("95000"),
}


def amended(spot: Spot) -> dict[str, Any]:
    order = place(spot, quantity=D("0.002"))
    return spot.call("amend_order_keep_priority", **BTC, orderId=order["orderId"], newQty=D("0.001"))  # type: ignore[no-any-return]


def prevented(spot: Spot) -> list[dict[str, Any]]:
    maker = place(spot, side="SELL", price=D("97050"))
    place(spot, price=D("97050"), selfTradePreventionMode="EXPIRE_TAKER")
    return spot.call("my_prevented_matches", **BTC, orderId=maker["orderId"])  # type: ignore[no-any-return]


def allocations(spot: Spot) -> list[dict[str, Any]]:
    spot.call("new_sor_order", **BTC, side="BUY", type="MARKET", quantity=D("0.001"))
    return spot.call("my_allocations", **BTC)  # type: ignore[no-any-return]


def amendments(spot: Spot) -> list[dict[str, Any]]:
    order = amended(spot)["amendedOrder"]
    return spot.call("order_amendments", **BTC, orderId=order["orderId"])  # type: ignore[no-any-return]


CASES: dict[str, Callable[[Spot], Any]] = {
    "ping": lambda s: s.call("ping", None),
    "server_time": lambda s: s.call("server_time", None),
    "exchange_info": lambda s: s.call("exchange_info", None),
    "execution_rules": lambda s: s.call("execution_rules", None),
    "order_book": lambda s: s.call("order_book", None, **BTC, limit=10),
    "recent_trades": lambda s: s.call("recent_trades", None, **BTC),
    "historical_trades": lambda s: s.call("historical_trades", None, **BTC, fromId=1, limit=3),
    "historical_block_trades": lambda s: s.call("historical_block_trades", None, **BTC, fromId=0),
    "aggregate_trades": lambda s: s.call("aggregate_trades", None, **BTC, limit=20),
    "klines": lambda s: s.call("klines", None, **BTC, interval="1m", limit=30),
    "ui_klines": lambda s: s.call("ui_klines", None, symbol="ETHUSDT", interval="1h", limit=3),
    "average_price": lambda s: s.call("average_price", None, **BTC),
    "ticker_24hr": lambda s: s.call("ticker_24hr", None, **BTC),
    "trading_day_ticker": lambda s: s.call(
        "trading_day_ticker", None, symbols=["BTCUSDT", "ETHBTC"], type="MINI"
    ),
    "rolling_window_ticker": lambda s: s.call("rolling_window_ticker", None, **BTC, windowSize="2h"),
    "price_ticker": lambda s: s.call("price_ticker", None),
    "book_ticker": lambda s: s.call("book_ticker", None, symbols=["BTCUSDT", "ETHUSDT"]),
    "reference_price": lambda s: s.call("reference_price", None, **BTC),
    "reference_price_calculation": lambda s: s.call("reference_price_calculation", None, **BTC),
    "new_order": lambda s: s.call("new_order", **BTC, side="BUY", type="MARKET", quantity=D("0.002")),
    "cancel_order": lambda s: s.call("cancel_order", **BTC, orderId=place(s)["orderId"]),
    "query_order": lambda s: s.call("query_order", **BTC, orderId=place(s)["orderId"]),
    "test_new_order": lambda s: s.call(
        "test_new_order",
        **LIMIT,
        side="BUY",
        quantity=D("0.001"),
        price=D("96000"),
        computeCommissionRates=True,
    ),
    "cancel_all_open_orders": lambda s: (oco(s), place(s), s.call("cancel_all_open_orders", **BTC))[-1],
    "open_orders": lambda s: (place(s), s.call("open_orders"))[-1],
    "cancel_replace_order": lambda s: s.call(
        "cancel_replace_order",
        **LIMIT,
        side="BUY",
        quantity=D("0.001"),
        price=D("95000"),
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=place(s)["orderId"],
    ),
    "amend_order_keep_priority": amended,
    "new_oco": lambda s: s.call(
        "new_oco",
        **BTC,
        side="SELL",
        quantity=D("0.001"),
        price=D("98000"),
        stopPrice=D("96000"),
    ),
    "new_order_list_oco": oco,
    "new_order_list_oto": lambda s: s.call(
        "new_order_list_oto",
        **BTC,
        **WORKING,
        pendingType="LIMIT",
        pendingSide="SELL",
        pendingPrice=D("98000"),
        pendingQuantity=D("0.001"),
        pendingTimeInForce="GTC",
        newOrderRespType="FULL",
    ),
    "new_order_list_otoco": lambda s: s.call(
        "new_order_list_otoco", **BTC, **WORKING, **PAIR, pendingQuantity=D("0.001")
    ),
    "new_order_list_opo": lambda s: s.call(
        "new_order_list_opo",
        **BTC,
        **WORKING,
        pendingType="MARKET",
        pendingSide="SELL",
        newOrderRespType="ACK",
    ),
    "new_order_list_opoco": lambda s: s.call("new_order_list_opoco", **BTC, **WORKING, **PAIR),
    "cancel_order_list": lambda s: s.call("cancel_order_list", **BTC, orderListId=oco(s)["orderListId"]),
    "query_order_list": lambda s: s.call("query_order_list", orderListId=oco(s)["orderListId"]),
    "new_sor_order": lambda s: s.call(
        "new_sor_order",
        **BTC,
        side="SELL",
        type="LIMIT",
        timeInForce="IOC",
        quantity=D("0.001"),
        price=D("96900"),
    ),
    "test_new_sor_order": lambda s: s.call(
        "test_new_sor_order",
        **BTC,
        side="BUY",
        type="MARKET",
        quantity=D("0.001"),
        computeCommissionRates=True,
    ),
    "account": lambda s: s.call("account"),
    "all_orders": lambda s: s.call("all_orders", **BTC),
    "all_order_lists": lambda s: (oco(s), s.call("all_order_lists"))[-1],
    "open_order_lists": lambda s: (oco(s), s.call("open_order_lists"))[-1],
    "my_trades": lambda s: s.call("my_trades", **BTC),
    "unfilled_order_count": lambda s: s.call("unfilled_order_count"),
    "my_prevented_matches": prevented,
    "my_allocations": allocations,
    "commission_rates": lambda s: s.call("commission_rates", **BTC),
    "order_amendments": amendments,
    "my_filters": lambda s: s.call("my_filters", **BTC),
    "universal_transfer": lambda s: s.call(
        "universal_transfer", type="MAIN_UMFUTURE", asset="USDT", amount=D("10")
    ),
    "transfer_history": lambda s: (
        s.call("universal_transfer", type="MAIN_CMFUTURE", asset="BTC", amount=D("0.1")),
        s.call("transfer_history", type="MAIN_CMFUTURE"),
    )[-1],
}


def test_every_operation_has_a_handler_and_a_case(spot: Spot) -> None:
    assert set(spot.handlers) == set(OPERATIONS)
    assert set(CASES) == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(CASES))
def test_answer_matches_the_spec(spot: Spot, operation: str) -> None:
    answer = CASES[operation](spot)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(operation).iter_errors(answer)
    ]
    assert errors == [], errors
    assert answer or operation in ("ping", "historical_block_trades")


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("ticker_24hr", {"symbols": ["BTCUSDT"], "type": "MINI"}),
        ("ticker_24hr", {}),
        ("trading_day_ticker", {"symbol": "ETHUSDT"}),
        ("rolling_window_ticker", {"symbols": ["ETHUSDT"], "type": "MINI"}),
        ("price_ticker", {"symbol": "ETHBTC"}),
        ("book_ticker", {"symbol": "ETHBTC"}),
        ("klines", {"symbol": "ETHBTC", "interval": "1s"}),
        ("exchange_info", {"symbols": ["BTCUSDT"], "showPermissionSets": False}),
    ],
)
def test_market_data_variants_match_the_spec(spot: Spot, operation: str, params: dict[str, Any]) -> None:
    answer = spot.call(operation, None, **params)
    assert list(validator(operation).iter_errors(answer)) == []


@pytest.mark.parametrize("resp_type", ["ACK", "RESULT", "FULL"])
@pytest.mark.parametrize("order_type", ["LIMIT", "MARKET", "LIMIT_MAKER", "STOP_LOSS", "TAKE_PROFIT_LIMIT"])
def test_new_order_answers_match_the_spec(spot: Spot, resp_type: str, order_type: str) -> None:
    params: dict[str, Any] = {
        **BTC,
        "side": "BUY",
        "type": order_type,
        "quantity": D("0.001"),
        "newOrderRespType": resp_type,
    }
    if order_type in ("LIMIT", "TAKE_PROFIT_LIMIT"):
        params["timeInForce"] = "GTC"
    if order_type not in ("MARKET", "STOP_LOSS"):
        params["price"] = D("96000")
    if order_type == "STOP_LOSS":
        params["stopPrice"] = D("99000")
    if order_type == "TAKE_PROFIT_LIMIT":
        params["stopPrice"] = D("95000")
    answer = spot.call("new_order", **params)
    assert list(validator("new_order").iter_errors(answer)) == []


def test_cancel_replace_partial_failure_matches_the_409_schema(spot: Spot) -> None:
    order = place(spot)
    status, body = spot.call(
        "cancel_replace_order",
        **BTC,
        side="BUY",
        type="LIMIT_MAKER",
        quantity=D("0.001"),
        price=D("97200"),
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=order["orderId"],
    )
    assert status == 409
    assert list(validator("cancel_replace_order", "409").iter_errors(body)) == []
    assert body["data"]["newOrderResponse"] == {
        "code": -2010,
        "msg": "Order would immediately match and take.",
    }
