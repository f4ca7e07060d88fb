"""Prints what the contract suite ran: operations and cases; marks the known spec/emulator departures."""

from __future__ import annotations

import pytest

from contract import hooks


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hooks.CASES:
        terminalreporter.write_sep("-", "contract suite")
        terminalreporter.write_line(hooks.summary())


# Answers the emulator sends that the specs do not describe, found by strict parsing (the client round
# trip check). Each is for the specs' owners to settle; until then the operation's contract test is an
# expected failure (it passes again, silently, once the spec and the emulator agree).
KNOWN_DEPARTURES = {
    "test_spot[POST /api/v3/order/cancelReplace]": "the 400 answer with -2022 carries `data` "
    "(cancelResult, newOrderResult, cancelResponse, newOrderResponse); the spec's 4XX Error has no `data`",
    "test_usdm[GET /fapi/v1/exchangeInfo]": "symbols[].maxMoveOrderLimit, symbols[].permissionSets and "
    "futuresType are not in specs/usdm.yaml",
    "test_usdm[GET /fapi/v1/ticker/bookTicker]": "lastUpdateId is not in specs/usdm.yaml's book ticker",
    "test_coinm[GET /dapi/v1/positionRisk]": "notionalValue and isolatedWallet are not in specs/coinm.yaml's "
    "PositionRisk",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        reason = KNOWN_DEPARTURES.get(item.name)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"spec and emulator disagree: {reason}", strict=False))
