"""The messages of common mistakes, end to end: the loopback emulator answers as Binance does, and the
client's message names the call and says what to change (``tests/unit/test_messages.py`` has every case)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from binance_openapi import (
    AuthenticationError,
    HmacKey,
    InvalidParameterError,
    SignatureError,
    Spot,
    UsdM,
)
from tests.e2e.conftest import Venue, serve_venue


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.set_price("usdm", "BTCUSDT", "60000")
        yield venue


def test_a_wrong_secret_says_to_check_the_secret(venue: Venue) -> None:
    key = venue.emulator.key("HMAC")
    with (
        venue.client(UsdM, key=HmacKey(key.api_key, "not-the-secret")) as wrong,
        pytest.raises(SignatureError) as failed,
    ):
        wrong.commission_rate(symbol="BTCUSDT")
    text = str(failed.value)
    assert text.startswith("UsdM.commission_rate: GET /fapi/v1/commissionRate: HTTP 400, code -1022: ")
    assert "check the secret given to HmacKey" in text
    assert "not-the-secret" not in text


def test_a_lower_case_symbol_gets_the_listed_one(venue: Venue) -> None:
    key = venue.user("lower-case", spot={"USDT": "1000"})
    with venue.client(Spot, key=key) as spot, pytest.raises(InvalidParameterError) as failed:
        spot.new_order(
            symbol="btcusdt",
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("0.001"),
            price=Decimal("1000"),
        )
    assert failed.value.code == -1121
    assert str(failed.value).startswith("Spot.new_order: POST /api/v3/order: HTTP 400, code -1121: ")
    assert str(failed.value).endswith("did you mean 'BTCUSDT'?")


def test_a_key_without_trading_permission_gets_the_usual_causes(venue: Venue) -> None:
    reader = venue.emulator.key("HMAC", can_trade=False)
    assert reader.secret is not None
    key = HmacKey(reader.api_key, reader.secret)
    with venue.client(UsdM, key=key) as usdm, pytest.raises(AuthenticationError) as failed:
        usdm.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.001"))
    text = str(failed.value)
    assert text.startswith("UsdM.new_order: POST /fapi/v1/order: HTTP 401, code -2015: ")
    assert "Usual causes: the key lacks this product's permission (API Management: Enable Futures)" in text
    assert f"(this client sends to {venue.url})" in text


def test_a_missing_parameter_names_the_python_keyword(venue: Venue) -> None:
    key = venue.user("no-tif", spot={"USDT": "100"})
    with venue.client(Spot, key=key) as spot, pytest.raises(InvalidParameterError) as failed:
        spot.new_order(
            symbol="BTCUSDT", side="BUY", type="LIMIT", quantity=Decimal("0.01"), price=Decimal("1000")
        )
    assert failed.value.code == -1102
    assert "Give time_in_force= (timeInForce on the wire) to Spot.new_order" in str(failed.value)
