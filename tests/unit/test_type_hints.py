"""``typing.get_type_hints`` works on every public method and property of every public class: the
clients (with the facade methods they inherit), the websocket classes, the generated models and
facades, and the stream events. Tools that read annotations at runtime (pydantic, FastAPI, docs,
dependency injection) need it; a name imported only for the type checker breaks it with ``NameError``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import binance_openapi
import binance_openapi.ws

PACKAGES = ("binance_streams", "binance_spot.models", "binance_usdm.models", "binance_coinm.models")
FACADES = ("binance_spot.facade", "binance_usdm.facade", "binance_coinm.facade")


def public_classes() -> Iterator[tuple[str, type[Any]]]:
    for module in (binance_openapi, binance_openapi.ws):
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value):
                yield f"{module.__name__}.{name}", value
    modules: list[ModuleType] = [importlib.import_module(name) for name in FACADES]
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                modules.append(importlib.import_module(f"{package_name}.{info.name}"))
    for module in modules:
        for name, value in vars(module).items():
            if not name.startswith("_") and inspect.isclass(value) and value.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", value


def public_functions(cls: type[Any]) -> Iterator[tuple[str, Any]]:
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") and name != "__init__":
            continue
        function = member.fget if isinstance(member, property) else member
        if inspect.isfunction(function) or inspect.ismethod(function):
            yield name, function


def test_every_public_method_has_resolvable_hints() -> None:
    failures = []
    checked = 0
    for where, cls in public_classes():
        for name, function in public_functions(cls):
            checked += 1
            try:
                typing.get_type_hints(function)
            except Exception as exc:
                failures.append(f"{where}.{name}: {exc!r}")
        try:
            typing.get_type_hints(cls)
        except Exception as exc:
            failures.append(f"{where}: {exc!r}")
    assert checked > 1500
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("client", [binance_openapi.UsdM, binance_openapi.AsyncSpot, binance_openapi.CoinM])
def test_facade_hints_name_the_models(client: type[Any]) -> None:
    hints = typing.get_type_hints(client.order_book)
    assert hints["return"].__name__ == "OrderBook"
    assert hints["symbol"] is str


def test_one_or_many_overloads() -> None:
    overloads = typing.get_overloads(binance_openapi.UsdM.price_ticker)
    returns = [typing.get_type_hints(o)["return"] for o in overloads]
    assert [typing.get_origin(r) for r in returns] == [None, list]
    assert returns[0].__name__ == "PriceTicker"
    assert typing.get_overloads(binance_openapi.UsdM.order_book) == []
