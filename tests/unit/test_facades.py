"""Each product's facade has exactly one method per operation of its spec, in sync and async twins."""

from __future__ import annotations

import inspect

import pytest

from binance_openapi import AsyncCoinM, AsyncSpot, AsyncUsdM, CoinM, Spot, UsdM
from generator.specs import load, operations
from tests.conftest import SPECS

CLIENTS = {"spot": (Spot, AsyncSpot), "usdm": (UsdM, AsyncUsdM), "coinm": (CoinM, AsyncCoinM)}


def facade_methods(cls: type) -> set[str]:
    facade = next(base for base in cls.__mro__ if base.__name__.endswith("Facade"))
    return {name for name, value in vars(facade).items() if callable(value) and not name.startswith("_")}


@pytest.mark.parametrize("product", list(CLIENTS))
def test_one_method_per_operation(product: str) -> None:
    operation_ids = {op["operationId"] for _, _, op in operations(load(SPECS / f"{product}.yaml"))}
    sync, asynchronous = CLIENTS[product]
    assert facade_methods(sync) == operation_ids
    assert facade_methods(asynchronous) == operation_ids


@pytest.mark.parametrize("product", list(CLIENTS))
def test_sync_and_async_twins_have_the_same_signatures(product: str) -> None:
    sync, asynchronous = CLIENTS[product]
    for name in facade_methods(sync):
        sync_method, async_method = getattr(sync, name), getattr(asynchronous, name)
        assert inspect.iscoroutinefunction(async_method), name
        assert not inspect.iscoroutinefunction(sync_method), name
        assert inspect.signature(sync_method) == inspect.signature(async_method), name
