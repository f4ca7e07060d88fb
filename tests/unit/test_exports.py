"""The public surface of binance_openapi is explicit, sorted and complete."""

from __future__ import annotations

import binance_openapi


def test_all_is_sorted_and_names_every_public_attribute() -> None:
    public = {name for name in vars(binance_openapi) if not name.startswith("_")}
    assert list(binance_openapi.__all__) == sorted(binance_openapi.__all__)
    assert set(binance_openapi.__all__) == public
