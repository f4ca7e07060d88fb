"""Support for the risk guard tests: a served emulator with quiet futures (``tests/e2e/conftest.py``),
guarded clients that read every figure afresh, and what the emulator saw of a user's orders."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any, TypeVar

import pytest

from binance_openapi import RiskLimitError
from binance_openapi._client import AsyncClient, SyncClient
from binance_openapi.safety import CacheTimes, RiskRules
from tests.e2e.conftest import Venue

FRESH = CacheTimes(positions=0, price=0, open_orders=0, losses=0, contracts=0, confirm_after=0)
C = TypeVar("C", bound=SyncClient | AsyncClient)


def rules(**settings: Any) -> RiskRules:
    """Risk rules whose guard reads every figure afresh for every order."""
    return RiskRules(cache=FRESH, **settings)


def guarded(venue: Venue, cls: type[C], name: str, funds: dict[str, str], **settings: Any) -> tuple[C, C]:
    """A new user's guarded client and an unguarded one on the same account (to set positions up)."""
    key = venue.user(name, **{cls.product: funds})
    return venue.client(cls, key, risk=rules(**settings)), venue.client(cls, key)


def orders_seen(venue: Venue, product: str, client: SyncClient | AsyncClient) -> int:
    """How many orders (plain and algo) the emulator has ever received from the client's account."""
    assert client.auth.key is not None
    with venue.emulator.lock:
        user = venue.emulator.keys.get(client.auth.key.api_key)
        assert user is not None
        account = venue.emulator.exchanges[product].state.accounts[user.user]
        if product == "spot":
            return sum(len(orders) for orders in account.orders.values())
        return len(account.orders) + len(account.algo_orders)


def refused(excinfo: pytest.ExceptionInfo[RiskLimitError], rule: str, limit: str, value: str) -> None:
    """The refusal names the rule, the limit and the value, in plain digits."""
    error = excinfo.value
    assert error.rule == rule
    message = str(error)
    assert f"risk rule {rule}" in message
    assert f"is {value}, the limit is {limit}" in message, message
    assert "E+" not in message and "E-" not in message


__all__ = ["FRESH", "D", "guarded", "orders_seen", "refused", "rules"]
