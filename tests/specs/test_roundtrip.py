"""Every response example parses through the generated models and serialises back unchanged.

Decimals must survive exactly (``"0.00000010"`` stays ``"0.00000010"``), unknown fields are kept, and
positional tuples come back as the same lists. The contract suite runs the same round trip on every
answer the exchange gives (``contract.roundtrip``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from contract.roundtrip import round_trip
from generator.specs import operations
from tests.conftest import PRODUCTS

from ._load import spec


def _cases() -> Iterator[Any]:
    for key in PRODUCTS:
        for _path, _method, operation in operations(spec(key)):
            media = operation["responses"]["200"]["content"]["application/json"]
            yield pytest.param(key, operation, media["example"], id=f"{key}:{operation['operationId']}")


@pytest.mark.parametrize(("key", "operation", "example"), list(_cases()))
def test_example_round_trips_through_the_models(key: str, operation: dict[str, Any], example: Any) -> None:
    content = json.dumps(example).encode()
    assert round_trip(key, operation["operationId"], 200, content) is None
