"""Errors are mapped from Binance's code first, the HTTP status second, and carry no secret."""

from __future__ import annotations

import httpx
import pytest

import binance_openapi as b
from binance_openapi._errors import error_from_response


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("POST", "https://api.binance.com/api/v3/order?symbol=X&signature=abcdef123")
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "code", "msg", "cls"),
    [
        (400, -1021, "Timestamp for this request is outside of the recvWindow.", b.TimestampError),
        (400, -1022, "Signature for this request is not valid.", b.SignatureError),
        (401, -2015, "Invalid API-key, IP, or permissions for action.", b.AuthenticationError),
        (400, -1013, "Filter failure: PRICE_FILTER", b.FilterRejectedError),
        (400, -2010, "Account has insufficient balance for requested action.", b.OrderRejectedError),
        (400, -2011, "Unknown order sent.", b.UnknownOrderError),
        (400, -2013, "Order does not exist.", b.UnknownOrderError),
        (400, -1102, "Mandatory parameter 'side' was not sent", b.InvalidParameterError),
        (429, -1003, "Too much request weight used", b.RateLimitError),
        (503, -1007, "Timeout waiting for response from backend server.", b.StatusUnknownError),
        (500, -1000, "An unknown error occurred", b.ServerError),
        (400, -4164, "Order's notional must be no smaller than 100", b.FilterRejectedError),
        (
            400,
            -4120,
            "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
            b.AlgoOrderRequiredError,
        ),
        (400, -9999, "Something new", b.BadRequestError),
    ],
)
def test_code_maps_to_class(status: int, code: int, msg: str, cls: type[b.APIError]) -> None:
    error = error_from_response(answer(status, {"code": code, "msg": msg}), None)
    assert type(error) is cls
    assert (error.status, error.code, error.message) == (status, code, msg)
    assert "signature" not in str(error)
    assert "abcdef123" not in str(error)
    text = f"POST /api/v3/order: HTTP {status}, code {code}: {msg}"
    assert str(error) == (f"{text} {error.hint}" if error.hint else text)
    assert bool(error.hint) is (code in (-1021, -1022, -2015))
    assert error.params == {"symbol": "X"}  # what was sent, for the hints; never the signature


def test_418_carries_the_ban_end_and_429_the_retry_after() -> None:
    banned = error_from_response(
        answer(
            418, {"code": -1003, "msg": "Way too much request weight used; IP banned until 1659146400000."}
        ),
        None,
    )
    assert isinstance(banned, b.IPBannedError)
    assert banned.banned_until == 1659146400000
    limited = error_from_response(answer(429, {"code": -1003, "msg": "Too many"}, {"Retry-After": "7"}), None)
    assert isinstance(limited, b.RateLimitError)
    assert limited.retry_after == 7.0


def test_only_useful_headers_are_kept() -> None:
    headers = {"X-MBX-USED-WEIGHT-1M": "12", "X-MBX-APIKEY": "leak", "Set-Cookie": "x", "Retry-After": "1"}
    error = error_from_response(answer(429, {"code": -1003, "msg": "x"}, headers), None)
    assert error.headers == {"x-mbx-used-weight-1m": "12", "retry-after": "1"}


def test_a_non_json_answer_still_maps_by_status() -> None:
    request = httpx.Request("GET", "https://api.binance.com/api/v3/time")
    error = error_from_response(httpx.Response(403, text="Forbidden by WAF", request=request), None)
    assert isinstance(error, b.BadRequestError)
    assert error.code is None
    assert "Forbidden by WAF" in str(error)


def test_the_tree() -> None:
    assert issubclass(b.IPBannedError, b.RateLimitError)
    assert issubclass(b.StatusUnknownError, b.ServerError)
    assert issubclass(b.FilterError, b.LocalValidationError)
    assert issubclass(b.FilterError, ValueError)
    assert issubclass(b.RequestTimeoutError, b.TransportError)
    for name in b.__all__:
        value = getattr(b, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, b.BinanceError), name
