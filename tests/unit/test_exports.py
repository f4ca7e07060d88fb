"""The public surface of binance_openapi is explicit, sorted and complete."""

from __future__ import annotations

import types

import binance_openapi


def test_all_is_sorted_and_names_every_public_attribute() -> None:
    public = {
        name
        for name, value in vars(binance_openapi).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)  # subpackages such as ws
    }
    assert list(binance_openapi.__all__) == sorted(binance_openapi.__all__)
    assert set(binance_openapi.__all__) == public
