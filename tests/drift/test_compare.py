"""The pure comparison: which differences are found, which fail, and how answers are folded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from generator.drift.compare import OverlayStreams, compare_servers, compare_streams, compare_surfaces
from generator.surface import Operation, Parameter, spec_surface


def spec(parameters: list[dict[str, Any]], schema: dict[str, Any], path: str = "/x") -> dict[str, Any]:
    return {
        "paths": {
            path: {
                "get": {
                    "operationId": "x",
                    "parameters": parameters,
                    "responses": {"200": {"content": {"application/json": {"schema": schema}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "Decimal": {"type": "string", "format": "decimal"},
                "Level": {"type": "array", "prefixItems": [{"$ref": "#/components/schemas/Decimal"}] * 2},
            }
        },
    }


def sdk_op(
    parameters: Sequence[Parameter] = (),
    response: dict[str, set[str]] | None = None,
    opaque: Iterable[str] = (),
    path: str = "/x",
) -> dict[str, Operation]:
    op = Operation(
        "GET",
        path,
        "x",
        {p.name: p for p in parameters},
        {k: frozenset(v) for k, v in (response or {}).items()},
        frozenset(opaque),
    )
    return {op.key: op}


def param(name: str, required: bool = False, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema or {"type": "string"}}


def kinds(found: list[Any]) -> list[tuple[str, str, bool]]:
    return [(d.kind, d.subject, d.fails) for d in found]


def test_operations_on_one_side_only_fail() -> None:
    ours = spec_surface(spec([], {"type": "object", "properties": {}}, path="/ours"))
    found = compare_surfaces("usdm", ours, sdk_op(path="/theirs"))
    assert [(d.operation, d.kind, d.fails) for d in found] == [
        ("GET /theirs", "operation-only-in-sdk", True),
        ("GET /ours", "operation-only-in-spec", True),
    ]


def test_required_parameters_fail_optional_ones_are_reported() -> None:
    ours = spec_surface(
        spec([param("symbol", True), param("limit"), param("page", True)], {"type": "object"})
    )
    theirs = sdk_op(
        [
            Parameter("symbol", False, frozenset({"string"})),
            Parameter("fromId", False, frozenset({"integer"})),
            Parameter("pair", True, frozenset({"string"})),
        ]
    )
    assert kinds(compare_surfaces("coinm", ours, theirs)) == [
        ("parameter-only-in-sdk", "fromId", False),
        ("parameter-only-in-sdk", "pair", True),
        ("parameter-only-in-spec", "limit", False),
        ("parameter-only-in-spec", "page", True),
        ("parameter-required", "symbol", True),
    ]


def test_enum_values_are_compared_and_booleans_sent_as_text_agree() -> None:
    ours = spec_surface(
        spec(
            [
                param("side", schema={"type": "string", "enum": ["BUY", "SELL", "BOTH"]}),
                param("reduceOnly", schema={"type": "boolean"}),
                param("limit", schema={"type": "integer", "enum": [5, 10]}),
            ],
            {"type": "object"},
        )
    )
    theirs = sdk_op(
        [
            Parameter("side", False, frozenset({"string"}), frozenset({"BUY", "SELL", "NONE"})),
            Parameter("reduceOnly", False, frozenset({"string"}), frozenset({"true", "false"})),
            Parameter("limit", False, frozenset({"integer"})),
        ]
    )
    found = compare_surfaces("usdm", ours, theirs)
    assert [(d.subject, d.detail) for d in found] == [
        ("limit", "the spec closes it to 10, 5; the SDK leaves it open"),
        ("side", "only in the spec: BOTH; only in the SDK: NONE"),
    ]
    assert not any(d.fails for d in found)


def test_fields_fold_tuples_skip_opaque_and_collapse_missing_parents() -> None:
    schema = {
        "type": "object",
        "properties": {
            "lastUpdateId": {"type": "integer", "format": "int64"},
            "bids": {"type": "array", "items": {"$ref": "#/components/schemas/Level"}},
            "rateLimits": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"limit": {"type": "integer"}, "n": {"type": "string"}},
                },
            },
            "price": {"$ref": "#/components/schemas/Decimal"},
            "free": {"type": "object", "properties": {"inside": {"type": "string"}}},
            "flag": {"type": "string"},
        },
    }
    theirs = sdk_op(
        response={
            "": {"object"},
            "lastUpdateId": {"number", "integer"},
            "bids": {"array"},
            "bids[]": {"array"},
            "bids[][]": {"string"},
            "price": {"string"},
            "free": {"object"},
            "flag": {"boolean"},
            "extra": {"integer"},
        },
        opaque={"free"},
    )
    found = compare_surfaces("spot", spec_surface(spec([], schema)), theirs)
    assert [(d.kind, d.subject, d.detail) for d in found] == [
        ("field-only-in-sdk", "extra", "the SDK reads it (integer)"),
        ("field-type", "flag", "spec: string; SDK: boolean"),
        ("field-only-in-spec", "rateLimits", "the spec describes it (array, and 3 field(s) inside it)"),
    ]


def test_streams_without_a_route_table_say_so_once() -> None:
    found = compare_streams(
        "usdm",
        {
            "streams.mainnet": "wss://fstream.binance.com",
            "ws_api.mainnet": "wss://ws-fapi.binance.com/ws-fapi/v1",
        },
        frozenset({"market", "public", "private"}),
        {"<symbol>@aggTrade": "market"},
        OverlayStreams(
            urls={
                "streams.mainnet": "wss://fstream.binance.com",
                "streams.demo": "wss://x",
                "ws_api.mainnet": "wss://y",
            }
        ),
    )
    assert [(d.kind, d.subject, d.detail) for d in found] == [
        ("ws-url", "streams.demo", "the overlay has wss://x; the SDK names none"),
        ("ws-url", "ws_api.mainnet", "overlay: wss://y; SDK: wss://ws-fapi.binance.com/ws-fapi/v1"),
        (
            "ws-route",
            "(table)",
            "the SDK connects to /market, /private, /public; the overlay has no route table",
        ),
    ]
    assert not any(d.fails for d in found)


def test_route_tables_and_stream_routes_are_compared() -> None:
    found = compare_streams(
        "usdm",
        {},
        frozenset({"market", "public", "private"}),
        {"<symbol>@aggTrade": "market", "<symbol>@depth": "public", "<listenKey>": "private"},
        OverlayStreams(
            urls={},
            routes=frozenset({"market", "public", "ws-private"}),
            stream_routes={
                "<symbol>@aggTrade": "market",
                "<symbol>@depth": "market",
                "<listenKey>": "private",
            },
        ),
    )
    assert [(d.subject, d.detail) for d in found] == [
        ("/private", "the SDK uses it; the overlay does not"),
        ("/ws-private", "the overlay uses it; the SDK does not"),
        ("<symbol>@depth", "overlay: /market; SDK: /public"),
    ]


def test_no_routes_anywhere_is_no_difference() -> None:
    assert compare_streams("spot", {}, frozenset(), {"<symbol>@trade": ""}, OverlayStreams(urls={})) == []


def test_rest_base_urls_against_the_specs_servers() -> None:
    found = compare_servers(
        "usdm",
        ["https://fapi.binance.com/", "https://demo-fapi.binance.com"],
        {"rest.mainnet": "https://fapi.binance.com", "rest.testnet": "https://testnet.binancefuture.com"},
    )
    assert [(d.operation, d.kind, d.subject, d.fails) for d in found] == [
        ("servers", "rest-url", "rest.testnet", False),
        ("servers", "rest-url", "https://demo-fapi.binance.com", False),
    ]
