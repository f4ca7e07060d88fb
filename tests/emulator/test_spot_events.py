"""The events the spot exchange publishes match the websocket schemas of ``specs/streams``."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import SPECS
from tests.emulator.test_spot_support import Spot

USER = json.loads((SPECS / "streams" / "spot-user.json").read_text())
MARKET = json.loads((SPECS / "streams" / "spot-market.json").read_text())
USER_DEFS = {
    "executionReport": "ExecutionReport",
    "outboundAccountPosition": "OutboundAccountPosition",
    "balanceUpdate": "BalanceUpdate",
    "listStatus": "ListStatus",
}
MARKET_DEFS = {"trade": "Trade", "aggTrade": "AggTrade"}


def validator(schema: dict[str, Any], name: str) -> Draft202012Validator:
    return Draft202012Validator({**schema, "$ref": f"#/$defs/{name}"})


@pytest.fixture(scope="module")
def events() -> list[tuple[str, dict[str, Any]]]:
    """Every kind of event: trades, cancels, expiries, STP, amendments, order lists, transfers."""
    spot = Spot()
    spot.quiet("BTCUSDT")
    spot.trade_at("97000")
    spot.order("bob", side="SELL", quantity="0.002", price="97100")
    spot.order(side="BUY", quantity="0.001", price="97100")
    spot.order(side="BUY", timeInForce="IOC", quantity="0.005", price="97100")
    placed = spot.order(side="BUY", quantity="0.002", price="96000")
    spot.call("amend_order_keep_priority", symbol="BTCUSDT", orderId=placed["orderId"], newQty=D("0.001"))
    spot.call("cancel_order", symbol="BTCUSDT", orderId=placed["orderId"])
    spot.order(side="SELL", quantity="0.002", price="98000")
    spot.order(side="BUY", quantity="0.001", price="98000", selfTradePreventionMode="EXPIRE_TAKER")
    spot.order(
        side="SELL", type="STOP_LOSS", quantity="0.001", trailingDelta=100, strategyId=7, strategyType=1000000
    )
    spot.call(
        "new_order_list_oco",
        symbol="BTCUSDT",
        side="SELL",
        quantity=D("0.001"),
        aboveType="LIMIT_MAKER",
        abovePrice=D("99000"),
        belowType="STOP_LOSS",
        belowStopPrice=D("95000"),
    )
    spot.call("cancel_all_open_orders", symbol="BTCUSDT")
    spot.call("universal_transfer", type="MAIN_UMFUTURE", asset="USDT", amount=D("10"))
    return [(scope, event) for scope, _, event in spot.events.history]


def test_every_kind_of_event_was_published(events: list[tuple[str, dict[str, Any]]]) -> None:
    kinds = {event["e"] for _, event in events}
    assert kinds == set(USER_DEFS) | set(MARKET_DEFS)
    executions = {event["x"] for _, event in events if event["e"] == "executionReport"}
    assert executions == {"NEW", "TRADE", "CANCELED", "EXPIRED", "TRADE_PREVENTION", "REPLACED"}


def test_events_match_the_stream_schemas(events: list[tuple[str, dict[str, Any]]]) -> None:
    checked = {
        **{kind: validator(USER, name) for kind, name in USER_DEFS.items()},
        **{kind: validator(MARKET, name) for kind, name in MARKET_DEFS.items()},
    }
    problems = [
        f"{event['e']}: {error.message}"
        for _, event in events
        for error in checked[event["e"]].iter_errors(event)
    ]
    assert problems == []
