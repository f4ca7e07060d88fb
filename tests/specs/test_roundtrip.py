"""Every response example parses through the generated models and serialises back unchanged.

Decimals must survive exactly (``"0.00000010"`` stays ``"0.00000010"``), unknown fields are kept, and
positional tuples come back as the same lists.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from generator.products import product as product_named
from generator.specs import operations
from tests.conftest import PRODUCTS

from ._load import spec


def dump(value: Any) -> Any:
    """Serialise whatever a parser returned back to plain JSON data."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "to_list"):
        return value.to_list()
    if isinstance(value, list):
        return [dump(item) for item in value]
    return value


def exact(value: Any) -> Any:
    """JSON data with every non-integer number as the Decimal of its shortest representation."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, list):
        return [exact(item) for item in value]
    if isinstance(value, dict):
        return {key: exact(item) for key, item in value.items()}
    return value


def _cases() -> Iterator[Any]:
    for key in PRODUCTS:
        for _path, _method, operation in operations(spec(key)):
            media = operation["responses"]["200"]["content"]["application/json"]
            yield pytest.param(key, operation, media["example"], id=f"{key}:{operation['operationId']}")


@pytest.mark.parametrize(("key", "operation", "example"), list(_cases()))
def test_example_round_trips_through_the_models(key: str, operation: dict[str, Any], example: Any) -> None:
    package = product_named(key).package
    module = importlib.import_module(f"{package}.api.{operation['tags'][0]}.{operation['operationId']}")
    response = httpx.Response(200, content=json.dumps(example).encode())
    parsed = module.parse_success(response)
    assert exact(dump(parsed)) == exact(example)
