"""Reading whatever websocket tables the overlay's _urls module holds, and saying what it could not read."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from generator.drift.overlay import FILE, ask_routes, example_stream, read_module, read_overlay, route_of_url


def module(**attributes: object) -> ModuleType:
    made = ModuleType("fake_urls")
    for name, value in attributes.items():
        if callable(value):
            value.__module__ = "fake_urls"  # type: ignore[attr-defined]
        setattr(made, name, value)
    return made


URLS = {
    "STREAM_URLS": {"usdm": {"mainnet": "wss://fstream.binance.com"}, "spot": {"mainnet": "wss://s"}},
    "WS_API_URLS": {"usdm": {"mainnet": "wss://ws-fapi.binance.com/ws-fapi/v1"}},
}


def test_urls_without_a_route_table() -> None:
    tables = read_module(module(**URLS))
    usdm = tables.streams["usdm"]
    assert usdm.urls == {
        "streams.mainnet": "wss://fstream.binance.com",
        "ws_api.mainnet": "wss://ws-fapi.binance.com/ws-fapi/v1",
    }
    assert usdm.routes is None
    assert tables.streams["coinm"].urls == {}
    assert any("no route table" in note for note in tables.notes)


def test_a_usdm_route_table_of_any_shape() -> None:
    tables = read_module(
        module(**URLS, USDM_ROUTES={"public": "/public", "market": "/market", "user": "/private"})
    )
    assert tables.streams["usdm"].routes == {"public", "market", "private"}
    assert tables.streams["spot"].routes is None
    assert any("USDM_ROUTES" in note for note in tables.notes)


def test_a_route_table_keyed_by_route() -> None:
    tables = read_module(module(**URLS, ROUTES={"/public": ["depth", "bookTicker"], "/market": ["aggTrade"]}))
    assert tables.streams["usdm"].routes == {"public", "market"}


def test_a_route_table_keyed_by_product() -> None:
    tables = read_module(module(**URLS, STREAM_ROUTES={"usdm": ["/market", "/public"], "coinm": []}))
    assert tables.streams["usdm"].routes == {"market", "public"}
    assert tables.streams["coinm"].routes == frozenset()


def test_missing_url_tables_are_notes() -> None:
    tables = read_module(module())
    assert sum("not found" in note for note in tables.notes) == 2


def test_an_import_that_fails_reads_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "_urls.py"
    path.write_text('STREAM_URLS = {"coinm": {"mainnet": "wss://dstream.binance.com"}}\n', encoding="utf-8")
    tables = read_overlay("generator.drift.no_such_module", path)
    assert tables.streams["coinm"].urls == {"streams.mainnet": "wss://dstream.binance.com"}
    assert "read " in tables.notes[0]
    assert str(path) in tables.notes[0]


def test_nothing_to_read_is_a_note(tmp_path: Path) -> None:
    tables = read_overlay("generator.drift.no_such_module", tmp_path / "absent.py")
    assert tables.streams["usdm"].urls == {}
    assert "cannot import" in tables.notes[0]
    assert "URLs and routes not compared" in tables.notes[0]


def test_the_overlays_own_module_is_found() -> None:
    assert FILE.is_file()
    assert read_overlay().streams["usdm"].urls.get("streams.mainnet", "").startswith("wss://")


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("/public", "public"),
        ("market", "market"),
        ("wss://fstream.binance.com/private/ws/abc", "private"),
        ("wss://fstream.binance.com/ws/btcusdt@aggTrade", ""),
        ("/stream?streams=a/b", ""),
        ("", ""),
    ],
)
def test_route_of_url(text: str, route: str) -> None:
    assert route_of_url(text) == route


def test_example_streams_fill_the_placeholders() -> None:
    assert example_stream("<symbol>@depth<levels>@<updateSpeed>") == "btcusdt@depth5@100ms"
    assert example_stream("!markPrice@arr") == "!markPrice@arr"


def test_route_functions_are_asked_with_example_streams() -> None:
    def stream_route(stream: str) -> str:
        return "/public" if "depth" in stream else "/market"

    def broken_route(product: str, stream: str) -> str:
        raise ValueError(product + stream)

    tables = read_module(module(**URLS, stream_route=stream_route, broken_route=broken_route))
    assert len(tables.route_functions) == 2
    answers, notes = ask_routes(tables.route_functions, "usdm", ["<symbol>@aggTrade", "<symbol>@depth"])
    assert answers == {"<symbol>@aggTrade": "market", "<symbol>@depth": "public"}
    assert any("broken_route() could not be asked" in n for n in notes)


def test_user_data_streams_are_asked_of_the_user_data_route_function() -> None:
    def route_of(product: str, stream: str) -> str:
        return "public" if "depth" in stream else "market"

    def user_data_route(product: str) -> str | None:
        return {"usdm": "private"}.get(product)

    tables = read_module(module(**URLS, route_of=route_of, user_data_route=user_data_route))
    templates = ["<symbol>@depth", "<listenKey>"]
    answers, notes = ask_routes(tables.route_functions, "usdm", templates)
    assert answers == {"<symbol>@depth": "public", "<listenKey>": "private"}
    assert "user data routes asked of user_data_route()" in notes
    answers, _ = ask_routes(tables.route_functions, "coinm", templates)
    assert answers == {"<symbol>@depth": "public", "<listenKey>": ""}


def test_without_a_user_data_function_the_stream_function_answers_for_listen_keys() -> None:
    def route_of(product: str, stream: str) -> str:
        return "market"

    tables = read_module(module(**URLS, route_of=route_of))
    answers, _ = ask_routes(tables.route_functions, "usdm", ["<listenKey>"])
    assert answers == {"<listenKey>": "market"}
