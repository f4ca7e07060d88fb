"""The testnet profile against Binance's real testnets: opt-in (``pytest -m network``), with keys only.

It runs only when chosen (``-m network``), never in a plain ``pytest`` run even with keys set. Without
the ``BINANCE_TESTNET_*`` variables (``contract.testnet.missing_keys``) it is skipped with their
names; CI has none. ``make contract-testnet`` is the same run with its full output.
"""

from __future__ import annotations

import pytest

from contract.__main__ import main
from contract.products import PRODUCTS
from contract.testnet import missing_keys

pytestmark = pytest.mark.network


def test_read_only_profile_passes_on_binance_testnets(request: pytest.FixtureRequest) -> None:
    chosen = str(request.config.getoption("markexpr") or "")
    if "network" not in chosen or "not network" in chosen:
        pytest.skip("opt-in: pytest -m network")
    ready = [product for product in PRODUCTS if not missing_keys(product)]
    if not ready:
        names = sorted({name for product in PRODUCTS for name in missing_keys(product)})
        pytest.skip(f"no Binance testnet keys: set {', '.join(names)}")
    assert main(["testnet", "--products", ",".join(ready), "--max-examples", "2"]) == 0
