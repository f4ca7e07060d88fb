"""The WebSocket API method catalogue (``specs/streams/ws-api-methods.json``): it lints, it names only
operations that exist, it covers every method the emulator serves (with the same operation), and the
generated ``ws_facade`` modules say what it says."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from binance_emulator.ws import methods as emulator_methods
from generator.ws_methods import CATALOGUE, lint_catalogue, methods

PRODUCTS = ("spot", "usdm", "coinm")


def test_the_catalogue_lints_clean() -> None:
    assert lint_catalogue() == []


def test_the_linter_finds_a_missing_operation_and_a_twice_given_name(tmp_path: Path) -> None:
    document: dict[str, Any] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    usdm = document["products"]["usdm"]["methods"]
    usdm["order.place"]["operationId"] = "place_an_order"
    usdm["order.status"]["python"] = "cancel_order"
    usdm["depth"]["security"] = "PUBLIC"
    broken = tmp_path / "ws-api-methods.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    findings = "\n".join(lint_catalogue(path=broken))
    assert "usdm/methods/order.place/operationId: 'place_an_order' is not an operation of usdm" in findings
    assert "usdm/methods/depth/security: must be one of" in findings
    assert "'cancel_order' is also the name of" in findings


@pytest.mark.parametrize("product", PRODUCTS)
def test_every_method_the_emulator_serves_is_catalogued_with_its_operation(product: str) -> None:
    catalogued = {method.name: method for method in methods(product)}
    served = dict(emulator_methods.OPERATIONS[product])
    missing = sorted(set(served) - set(catalogued))
    assert missing == []
    assert {name: catalogued[name].operation_id for name in served} == served
    own = set(emulator_methods.SESSION_METHODS)
    if product == "spot":
        own |= emulator_methods.SPOT_SUBSCRIPTION_METHODS
    assert {name for name in own if catalogued.get(name) is None} == set()
    assert all(catalogued[name].operation_id is None for name in own)


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_generated_table_is_the_catalogue(product: str) -> None:
    generated = importlib.import_module(f"binance_{product}.ws_facade")
    expected = {m.name: (m.security, m.signed, m.operation_id, m.python) for m in methods(product)}
    assert {name: tuple(entry) for name, entry in generated.METHODS.items()} == expected
    facade = next(getattr(generated, n) for n in generated.__all__ if n.endswith("WsApiFacade"))
    for method in methods(product):
        if method.operation_id is not None:
            assert callable(getattr(facade, str(method.python)))
    assert generated.METHODS["order.place"].security == "TRADE"
    assert generated.METHODS["order.place"].python_name == "place_order"


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_futures_order_methods_have_the_rest_names(product: str) -> None:
    generated = importlib.import_module(f"binance_{product}.ws_facade")
    names = {entry.python_name for entry in generated.METHODS.values()}
    assert {"place_order", "modify_order", "cancel_order", "query_order"} <= names


# What Binance's futures WebSocket APIs do not serve (the official SDKs' WebSocket API modules and the
# USDⓈ-M / COIN-M "Websocket API" pages list none of them; see specs/CHANGELOG.md): neither the catalogue
# nor the emulator has them. Spot serves every one.
NOT_SERVED = {
    "usdm": {"ping", "time", "exchangeInfo", "openOrders.status"},
    "coinm": {"ping", "time", "exchangeInfo", "openOrders.status", "depth", "ticker.price", "ticker.book"},
}


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_futures_list_only_the_methods_binance_serves(product: str) -> None:
    catalogued = {method.name for method in methods(product)}
    assert catalogued & NOT_SERVED[product] == set()
    assert set(emulator_methods.OPERATIONS[product]) & NOT_SERVED[product] == set()
    assert NOT_SERVED[product] <= {method.name for method in methods("spot")}
