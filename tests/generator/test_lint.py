"""The spec linter rejects each departure from the conventions, naming the file and the JSON pointer."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from generator.lint import lint, looks_like_money
from tests.conftest import PRODUCTS, SPECS

OP = "/paths/~1api~1v3~1order/post"


def valid_spec() -> dict[str, Any]:
    """A tiny spec that follows every convention."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "tags": [{"name": "trade"}],
        "paths": {
            "/api/v3/order": {
                "post": {
                    "operationId": "new_order",
                    "tags": ["trade"],
                    "summary": "New order.",
                    "externalDocs": {"url": "https://developers.binance.com/docs/x"},
                    "x-binance-security": "TRADE",
                    "x-binance-weight": {"ip": 1, "orders": {"unfilled": 1}},
                    "parameters": [
                        {"name": "symbol", "in": "query", "required": True, "schema": {"type": "string"}},
                        {
                            "name": "side",
                            "in": "query",
                            "required": True,
                            "schema": {"$ref": "#/components/schemas/Side"},
                        },
                        {
                            "name": "quantity",
                            "in": "query",
                            "schema": {"$ref": "#/components/schemas/Decimal"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Order"},
                                    "example": {"orderId": 1, "price": "1.5"},
                                }
                            },
                        },
                        "4XX": {"$ref": "#/components/responses/Error"},
                    },
                }
            }
        },
        "components": {
            "responses": {
                "Error": {
                    "description": "error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"code": {"type": "integer"}, "msg": {"type": "string"}},
                },
                "Decimal": {"type": "string", "format": "decimal"},
                "Side": {"type": "string", "enum": ["BUY", "SELL"]},
                "Order": {
                    "type": "object",
                    "properties": {
                        "orderId": {"type": "integer"},
                        "price": {"$ref": "#/components/schemas/Decimal"},
                        "fills": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
        },
    }


def operation(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = spec["paths"]["/api/v3/order"]["post"]
    return result


def findings_after(change: Callable[[dict[str, Any]], None]) -> list[str]:
    spec = valid_spec()
    change(spec)
    return [str(finding) for finding in lint(spec, "specs/test.yaml")]


def test_the_valid_spec_has_no_finding() -> None:
    assert lint(valid_spec(), "specs/test.yaml") == []


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_project_specs_lint_clean(product: str) -> None:
    from generator.lint import lint_file

    assert [str(f) for f in lint_file(SPECS / f"{product}.yaml", product)] == []


def set_param(index: int, **values: Any) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        operation(spec)["parameters"][index].update(values)

    return change


def add_param(param: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        operation(spec)["parameters"].append(param)

    return change


def drop(key: str) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        del operation(spec)[key]

    return change


def set_schema(name: str, schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"][name] = schema

    return change


def order_property(name: str, schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["Order"]["properties"][name] = schema

    return change


def drop_example(spec: dict[str, Any]) -> None:
    del operation(spec)["responses"]["200"]["content"]["application/json"]["example"]


def drop_4xx(spec: dict[str, Any]) -> None:
    del operation(spec)["responses"]["4XX"]


def link_to(target: str, **parameters: str) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        link = {"operationId": target, "parameters": parameters}
        operation(spec)["responses"]["200"]["links"] = {"Next": link}

    return change


RULES = [
    ("missing operationId", drop("operationId"), f"specs/test.yaml:{OP}: missing operationId"),
    ("missing security", drop("x-binance-security"), f"specs/test.yaml:{OP}: missing x-binance-security"),
    ("missing weight", drop("x-binance-weight"), f"specs/test.yaml:{OP}: missing x-binance-weight"),
    (
        "timestamp parameter",
        add_param({"name": "timestamp", "in": "query", "schema": {"type": "integer"}}),
        f"specs/test.yaml:{OP}/parameters/3: declares timestamp",
    ),
    (
        "signature parameter",
        add_param({"name": "signature", "in": "query", "schema": {"type": "string"}}),
        f"specs/test.yaml:{OP}/parameters/3: declares signature",
    ),
    (
        "recvWindow parameter",
        add_param({"name": "recvWindow", "in": "query", "schema": {"type": "integer"}}),
        f"specs/test.yaml:{OP}/parameters/3: declares recvWindow",
    ),
    (
        "default on a parameter",
        add_param({"name": "limit", "in": "query", "schema": {"type": "integer", "default": 500}}),
        f"specs/test.yaml:{OP}/parameters/3/schema: a request parameter has a `default`",
    ),
    (
        "array without items",
        order_property("fills", {"type": "array"}),
        "specs/test.yaml:/components/schemas/Order/properties/fills: an array without items",
    ),
    (
        "price not decimal",
        order_property("stopPrice", {"type": "string"}),
        "specs/test.yaml:/components/schemas/Order/properties/stopPrice: 'stopPrice' looks like a price",
    ),
    (
        "quantity parameter not decimal",
        set_param(2, schema={"type": "string"}),
        f"specs/test.yaml:{OP}/parameters/2/schema: 'quantity' looks like a price",
    ),
    (
        "response without example",
        drop_example,
        f"specs/test.yaml:{OP}/responses/200/content/application~1json: response without example",
    ),
    ("operation without 4XX", drop_4xx, f"specs/test.yaml:{OP}/responses: missing the 4XX response"),
    (
        "float number",
        order_property("maintMarginRatio", {"type": "number"}),
        "specs/test.yaml:/components/schemas/Order/properties/maintMarginRatio: a JSON number must be",
    ),
    (
        "short wire name",
        order_property("E", {"type": "integer"}),
        "specs/test.yaml:/components/schemas/Order/properties/E: short wire name 'E'",
    ),
    (
        "enum without readable names",
        set_schema("Interval", {"type": "string", "enum": ["1m", "1h"]}),
        "specs/test.yaml:/components/schemas/Interval: values are not readable member names",
    ),
    (
        "inline string enum",
        set_param(1, schema={"type": "string", "enum": ["BUY", "SELL"]}),
        f"specs/test.yaml:{OP}/parameters/1/schema: declare string enums once in components",
    ),
    (
        "bad weight",
        lambda spec: operation(spec).update({"x-binance-weight": {"ip": {"cases": []}}}),
        f"specs/test.yaml:{OP}/x-binance-weight/ip/otherwise: a rule with cases needs `otherwise`",
    ),
    (
        "link to an unknown operation",
        link_to("query_order", orderId="$response.body#/orderId"),
        f"specs/test.yaml:{OP}/responses/200/links/Next: a link needs the operationId",
    ),
    (
        "dangling reference",
        set_param(1, schema={"$ref": "#/components/schemas/Nope"}),
        f"specs/test.yaml:{OP}/parameters/1/schema/$ref: reference '#/components/schemas/Nope'",
    ),
    (
        "requires names an unknown parameter",
        lambda spec: operation(spec).update({"x-binance-requires": [{"oneOf": ["orderId", "symbol"]}]}),
        f"specs/test.yaml:{OP}/x-binance-requires/0: names parameters the operation does not have: orderId",
    ),
    (
        "idempotency lookup missing",
        lambda spec: operation(spec).update(
            {
                "x-binance-idempotency": {
                    "clientIdParam": "symbol",
                    "lookup": "query_order",
                    "lookupParam": "x",
                }
            }
        ),
        f"specs/test.yaml:{OP}/x-binance-idempotency/lookup: no operation 'query_order'",
    ),
]


@pytest.mark.parametrize(("change", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_rule_rejects_a_bad_spec(change: Callable[[dict[str, Any]], None], expected: str) -> None:
    findings = findings_after(change)
    assert any(finding.startswith(expected) for finding in findings), findings


def test_lint_does_not_modify_the_spec() -> None:
    spec = valid_spec()
    before = copy.deepcopy(spec)
    lint(spec, "x")
    assert spec == before


@pytest.mark.parametrize(
    ("name", "money"),
    [
        ("price", True),
        ("markPrice", True),
        ("executedQty", True),
        ("cumQuote", True),
        ("lastFundingRate", True),
        ("priceChangePercent", True),
        ("taker_buy_quote_volume", True),
        ("commissionAsset", False),
        ("priceMatch", False),
        ("rateLimitType", False),
        ("symbol", False),
    ],
)
def test_money_names(name: str, money: bool) -> None:
    assert looks_like_money(name) is money
