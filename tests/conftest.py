"""Shared test helpers: where the repository and its specs are. The project's own tests run the clients
in strict mode: an answer that departs from the spec raises ``ResponseShapeError`` (a test that needs
the tolerant default passes ``strict=False``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
REFERENCE = ROOT.parent / "shared" / "reference"
PRODUCTS = ("spot", "usdm", "coinm")

os.environ.setdefault("BINANCE_OPENAPI_STRICT", "1")

# Answers the emulator sends that the specs do not describe, found by strict parsing. Each is for the
# specs' owners to settle; until then the tests that meet one are expected failures (they pass again,
# silently, once the spec and the emulator agree: then delete the entry).
_COINM_POSITION_RISK = "coinm positionRisk sends notionalValue and isolatedWallet; PositionRisk lacks them"
KNOWN_DEPARTURES = {
    "tests/contract/test_contract.py::test_spot[POST /api/v3/order/cancelReplace]": "the 400 answer with "
    "-2022 carries `data` (cancelResult, newOrderResult, cancelResponse, newOrderResponse); the spec's "
    "4XX Error has no `data`",
    "tests/contract/test_contract.py::test_usdm[GET /fapi/v1/exchangeInfo]": "symbols[].maxMoveOrderLimit, "
    "symbols[].permissionSets and futuresType are not in specs/usdm.yaml",
    "tests/contract/test_contract.py::test_usdm[GET /fapi/v1/ticker/bookTicker]": "lastUpdateId is not in "
    "specs/usdm.yaml's book ticker",
    "tests/contract/test_contract.py::test_coinm[GET /dapi/v1/positionRisk]": _COINM_POSITION_RISK,
    "tests/e2e/test_async.py::test_coinm_inverse_position": _COINM_POSITION_RISK,
    "tests/e2e/test_coinm.py::test_inverse_position_open_increase_reduce_close": _COINM_POSITION_RISK,
    "tests/e2e/test_coinm.py::test_leverage_and_margin_type_rules": _COINM_POSITION_RISK,
    "tests/ws/test_user_data.py::test_coinm_user_data_reconciles_a_dropped_connection": _COINM_POSITION_RISK,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # schemathesis' items name their operation in ``name`` only: ``test_usdm[GET /fapi/v1/...]``
        reason = KNOWN_DEPARTURES.get(f"{item.nodeid.split('::')[0]}::{item.name}")
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"spec and emulator disagree: {reason}", strict=False))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
