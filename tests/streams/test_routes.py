"""The stream route table: annotations linted, compiled into ``binance_streams.routes``, as Binance routes."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from binance_streams import routes
from generator.stream_routes import lint_routes, pattern_regex, render, table
from tests.streams._schemas import STREAMS_DIR, documents


def routed_file() -> dict[str, Any]:
    return {
        "x-binance-routes": {"default": "market", "unrouted": "public"},
        "$defs": {
            "Depth": {"x-binance-streams": ["<symbol>@depth"], "x-binance-route": "public"},
            "Trade": {"x-binance-streams": ["<symbol>@aggTrade"], "x-binance-route": "market"},
            "Level": {"type": "array"},
        },
    }


def test_a_routed_file_lints_clean() -> None:
    assert lint_routes(routed_file(), "f") == []


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d["$defs"]["Trade"].pop("x-binance-route"), "give `x-binance-route`"),
        (lambda d: d["$defs"]["Trade"].update({"x-binance-route": "fast"}), "'fast' is not one of"),
        (lambda d: d["$defs"]["Level"].update({"x-binance-route": "public"}), "none listed"),
        (lambda d: d["x-binance-routes"].pop("unrouted"), "exactly ['default', 'unrouted']"),
        (lambda d: d["x-binance-routes"].update({"default": "elsewhere"}), "'elsewhere' is not one of"),
        (lambda d: d.update({"x-binance-route": "side"}), "'side' is not one of"),
    ],
)
def test_route_annotations_are_checked(change: Any, complaint: str) -> None:
    document = copy.deepcopy(routed_file())
    change(document)
    findings = lint_routes(document, "f")
    assert any(complaint in finding for finding in findings), findings


def test_every_usdm_payload_with_streams_has_a_route() -> None:
    market = documents()["usdm-market.json"]
    listed = {name for name, schema in market["$defs"].items() if schema.get("x-binance-streams")}
    routed = {name for name, schema in market["$defs"].items() if schema.get("x-binance-route")}
    assert listed == routed and listed


def test_the_generated_module_is_the_table_of_the_specs() -> None:
    docs = {STREAMS_DIR / name: doc for name, doc in documents().items()}
    data = table(docs)
    assert set(data) == {"usdm"}, "only USDⓈ-M has routes (COIN-M's dstream was not split)"
    assert tuple(data["usdm"]["streams"]) == routes.PATTERNS["usdm"]
    assert (routes.DEFAULT, routes.UNROUTED, routes.USER_DATA) == (
        {"usdm": "market"},
        {"usdm": "public"},
        {"usdm": "private"},
    )
    compile(render(docs), "routes.py", "exec")  # the source the generator writes (then formats) is Python


@pytest.mark.parametrize(
    ("stream", "route"),
    [
        ("btcusdt@depth", "public"),
        ("btcusdt@depth@100ms", "public"),
        ("btcusdt@depth@250ms", "public"),
        ("btcusdt@depth20@500ms", "public"),
        ("btcusdt@depth5", "public"),
        ("btcusdt@rpiDepth@500ms", "public"),
        ("btcusdt@bookTicker", "public"),
        ("!bookTicker", "public"),
        ("btcusdt@aggTrade", "market"),
        ("btcusdt@markPrice", "market"),
        ("btcusdt@markPrice@1s", "market"),
        ("!markPrice@arr@1s", "market"),
        ("btcusdt@kline_1m", "market"),
        ("btcusdt_perpetual@continuousKline_5m", "market"),
        ("btcusdt@miniTicker", "market"),
        ("!ticker@arr", "market"),
        ("btcusdt@forceOrder", "market"),
        ("!forceOrder@arr", "market"),
        ("!contractInfo", "market"),
        ("btcusdt@compositeIndex", "market"),
        ("!assetIndex@arr", "market"),
        ("tradingSession", "market"),
        ("btcusdt@someStreamAddedLater", "market"),  # not book data: the default route
    ],
)
def test_usdm_streams_route_as_binance_routes_them(stream: str, route: str) -> None:
    assert routes.route_of("usdm", stream) == route


def test_products_without_routes() -> None:
    assert routes.route_of("coinm", "btcusd_perp@depth") is None
    assert routes.route_of("spot", "btcusdt@trade") is None
    assert routes.routed("usdm") and not routes.routed("coinm") and not routes.routed("spot")


def test_placeholders_do_not_cross_separators() -> None:
    depth = re.compile(pattern_regex("<symbol>@depth<levels>"))
    assert depth.match("btcusdt@depth10") and depth.match("btcusdt@depth10@100ms")
    assert not depth.match("btcusdt@depth") and not depth.match("a/b@depth10")
