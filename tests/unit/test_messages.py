"""The messages a person reads after a mistake: each names the call they made and says what to change.

Every mistake here is one a new user makes: no network (a closed loopback port; a name that does not
resolve, with the resolver mocked so no DNS is asked), a clock out of sync (-1021), a wrong secret
(-1022), a lower-case symbol (-1121), a malformed key (-2014), a key without permission (-2015), a missing
or superfluous parameter (-1102, -1106, -1104), and filter errors on tiny decimals (never ``1E-7``).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import binance_openapi as b
from binance_openapi._decimal import plain

API_KEY = "k" * 64
SECRET = "not-the-real-secret-" + "s" * 44
ORDER: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "time_in_force": "GTC",
    "quantity": Decimal("0.010"),
    "price": Decimal("60000.1"),
}


def info(*filters: dict[str, str]) -> dict[str, Any]:
    """An exchangeInfo answer: BTCUSDT with ``filters`` (a plain tick and lot by default), ETHUSDT."""
    default = (
        {"filterType": "PRICE_FILTER", "minPrice": "0.1", "maxPrice": "1000000", "tickSize": "0.1"},
        {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
    )
    return {
        "timezone": "UTC",
        "serverTime": 0,
        "rateLimits": [],
        "exchangeFilters": [],
        "symbols": [
            {"symbol": "BTCUSDT", "status": "TRADING", "filters": list(filters or default)},
            {"symbol": "ETHUSDT", "status": "TRADING", "filters": list(default)},
        ],
    }


class Binance:
    """A MockTransport handler: exchangeInfo and time answer; every other call answers ``error``."""

    def __init__(self, status: int, code: int, msg: str, exchange: dict[str, Any] | None = None) -> None:
        self.status, self.code, self.msg = status, code, msg
        self.exchange = exchange or info()
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path.endswith("/exchangeInfo"):
            return httpx.Response(200, json=self.exchange)
        if request.url.path.endswith("/time"):
            return httpx.Response(200, json={"serverTime": 1_796_000_000_000})
        return httpx.Response(self.status, json={"code": self.code, "msg": self.msg})


def usdm(handler: Callable[[httpx.Request], httpx.Response], key: b.Key | None = None, **kw: Any) -> b.UsdM:
    client = b.UsdM(
        key=key or b.HmacKey(API_KEY, SECRET),
        base_url="https://fapi.example.test",
        transport=httpx.MockTransport(handler),
        **kw,
    )
    client.policy.sleep = lambda _: None
    return client


def refused(call: Callable[[], object], cls: type[BaseException] = b.BinanceError) -> str:
    with pytest.raises(cls) as failed:
        call()
    text = str(failed.value)
    assert SECRET not in text
    assert "signature=" not in text
    return text


# -- no answer ------------------------------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    """A loopback port where nothing listens (bound to find it, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names under ``.invalid`` fail to resolve at once, as without a network; no resolver is asked."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str | bytes) and (host.decode() if isinstance(host, bytes) else host).endswith(
            ".invalid"
        ):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_an_order_with_nothing_listening_names_the_call_the_host_and_the_filter_check(
    closed_port: int,
) -> None:
    host = f"127.0.0.1:{closed_port}"
    client = b.UsdM(key=b.HmacKey(API_KEY, SECRET), base_url=f"http://{host}")
    with client, pytest.raises(b.TransportError) as failed:
        client.new_order(**ORDER)
    error = failed.value
    url = f"http://{host}/fapi/v1/exchangeInfo"
    assert str(error) == (
        f"UsdM.new_order: could not reach {host} ({url}, fetched to check the order's filters): "
        f"ConnectError: [Errno 111] Connection refused; nothing accepts connections at {host}: "
        "is the server running, and is base_url= right?"
    )
    assert (error.called, error.host, error.url) == ("UsdM.new_order", host, url)
    assert error.purpose == "fetched to check the order's filters"
    assert (error.method, error.path) == ("GET", "/fapi/v1/exchangeInfo")
    assert isinstance(error.__cause__, httpx.ConnectError)


def test_a_signed_call_names_the_clock_request_it_could_not_make(closed_port: int) -> None:
    host = f"127.0.0.1:{closed_port}"
    client = b.UsdM(key=b.HmacKey(API_KEY, SECRET), base_url=f"http://{host}", validate_orders=False)
    client.policy.sleep = lambda _: None
    with client, pytest.raises(b.TransportError) as failed:
        client.new_order(**ORDER)
    assert str(failed.value).startswith(
        f"UsdM.new_order: could not reach {host} (http://{host}/fapi/v1/time, "
        "fetched to measure the server clock before signing): ConnectError: "
    )
    assert failed.value.purpose == "fetched to measure the server clock before signing"


@pytest.mark.usefixtures("no_dns")
def test_a_name_that_does_not_resolve_says_so() -> None:
    with b.UsdM(key=b.HmacKey(API_KEY, SECRET), base_url="https://fapi.binance.invalid") as client:
        text = refused(lambda: client.new_order(**ORDER), b.TransportError)
        assert text == (
            "UsdM.new_order: could not reach fapi.binance.invalid "
            "(https://fapi.binance.invalid/fapi/v1/exchangeInfo, fetched to check the order's filters): "
            "ConnectError: [Errno -2] Name or service not known; the name fapi.binance.invalid does not "
            "resolve: check this machine's network connection and DNS, and the client's network= or base_url="
        )
        public = refused(lambda: client.price_ticker(symbol="BTCUSDT"), b.TransportError)
        assert public.startswith(
            "UsdM.price_ticker: could not reach fapi.binance.invalid "
            "(https://fapi.binance.invalid/fapi/v1/ticker/price): ConnectError: "
        )


@pytest.mark.usefixtures("no_dns")
async def test_the_async_client_says_the_same() -> None:
    async with b.AsyncUsdM(key=b.HmacKey(API_KEY, SECRET), base_url="https://fapi.binance.invalid") as client:
        with pytest.raises(b.TransportError) as failed:
            await client.new_order(**ORDER)
    assert str(failed.value).startswith(
        "AsyncUsdM.new_order: could not reach fapi.binance.invalid "
        "(https://fapi.binance.invalid/fapi/v1/exchangeInfo, fetched to check the order's filters): "
    )
    assert "does not resolve" in str(failed.value)


# -- Binance's answers ----------------------------------------------------------------------------


def test_minus_1021_after_the_client_resynchronised_points_at_the_machines_clock() -> None:
    fake = Binance(400, -1021, "Timestamp for this request is outside of the recvWindow.")
    text = refused(lambda: usdm(fake).new_order(**ORDER), b.TimestampError)
    assert text == (
        "UsdM.new_order: POST /fapi/v1/order: HTTP 400, code -1021: Timestamp for this request is outside "
        "of the recvWindow. The client measured Binance's clock again and signed the request afresh, and it "
        "was still outside recvWindow: check that this machine's clock is synchronised (NTP; "
        "`timedatectl status` on Linux) and does not jump, or allow more time with recv_window= on the "
        "client or client.with_options(recv_window=10000) for one call (at most 60000 ms)."
    )
    assert fake.paths.count("/fapi/v1/order") == 2  # signed afresh and sent once more before giving up


def test_minus_1022_says_which_secret_to_check_for_each_kind_of_key() -> None:
    fake = Binance(400, -1022, "Signature for this request is not valid.")
    hmac = refused(lambda: usdm(fake).new_order(**ORDER), b.SignatureError)
    assert hmac == (
        "UsdM.new_order: POST /fapi/v1/order: HTTP 400, code -1022: Signature for this request is not "
        "valid. The signature was made with a secret that does not belong to this API key: check the secret "
        "given to HmacKey (copied whole; a regenerated key has a new secret), or something between here and "
        "Binance (a proxy) changed the request's bytes after signing."
    )
    ed25519 = b.Ed25519Key(API_KEY, Ed25519PrivateKey.generate())
    text = refused(lambda: usdm(fake, key=ed25519).new_order(**ORDER), b.SignatureError)
    assert "The public key registered on Binance for this API key is not the pair of the private key " in text
    assert "given to Ed25519Key" in text


def test_minus_1121_suggests_the_listed_symbol() -> None:
    fake = Binance(400, -1121, "Invalid symbol.")
    client = usdm(fake)
    text = refused(lambda: client.new_order(**{**ORDER, "symbol": "btcusdt"}), b.InvalidParameterError)
    assert text == (
        "UsdM.new_order: POST /fapi/v1/order: HTTP 400, code -1121: Invalid symbol. 'btcusdt' is not a "
        "symbol of this exchange (symbols are upper case, without a separator): did you mean 'BTCUSDT'?"
    )
    typo = refused(lambda: client.new_order(**{**ORDER, "symbol": "ETHUSTD"}), b.InvalidParameterError)
    assert typo.endswith(
        "Invalid symbol. 'ETHUSTD' is not a symbol of this exchange: did you mean 'ETHUSDT'?"
    )
    unknown = refused(lambda: client.new_order(**{**ORDER, "symbol": "ZZZQQQ"}), b.InvalidParameterError)
    assert unknown.endswith(
        "'ZZZQQQ' is not listed: exchange_info() lists every symbol this exchange trades."
    )


def test_minus_1121_on_a_public_call_suggests_upper_case_before_the_rules_are_fetched() -> None:
    fake = Binance(400, -1121, "Invalid symbol.")
    text = refused(lambda: usdm(fake).price_ticker(symbol="btcusdt"), b.InvalidParameterError)
    assert text.startswith(
        "UsdM.price_ticker: GET /fapi/v1/ticker/price: HTTP 400, code -1121: Invalid symbol."
    )
    assert text.endswith("did you mean 'BTCUSDT'?")
    assert "/fapi/v1/exchangeInfo" not in fake.paths


def test_minus_2014_says_which_argument_is_the_key() -> None:
    fake = Binance(400, -2014, "API-key format invalid.")
    text = refused(lambda: usdm(fake).new_order(**ORDER), b.AuthenticationError)
    assert text == (
        "UsdM.new_order: POST /fapi/v1/order: HTTP 400, code -2014: API-key format invalid. The API key sent "
        "is not in Binance's format: give the API key first and the secret second (HmacKey(api_key, secret)), "
        "each copied whole, without spaces, quotes or a line break."
    )


def test_minus_2015_lists_its_usual_causes() -> None:
    fake = Binance(401, -2015, "Invalid API-key, IP, or permissions for action.")
    client = b.UsdM(key=b.HmacKey(API_KEY, SECRET), network="testnet", transport=httpx.MockTransport(fake))
    text = refused(lambda: client.new_order(**ORDER), b.AuthenticationError)
    assert text == (
        "UsdM.new_order: POST /fapi/v1/order: HTTP 401, code -2015: Invalid API-key, IP, or permissions for "
        "action. Usual causes: the key lacks this product's permission (API Management: Enable Futures); the "
        "key is restricted to trusted IPs and this machine's public IP is not among them; the futures account "
        "is not opened yet (open it once on the website or app); a testnet key used on mainnet, or the reverse "
        "(this client sends to testnet, https://testnet.binancefuture.com)."
    )
    spot = b.Spot(key=b.HmacKey(API_KEY, SECRET), transport=httpx.MockTransport(fake))
    spot_text = refused(spot.account, b.AuthenticationError)
    assert "API Management: Enable Spot & Margin Trading (or Enable Reading)" in spot_text
    assert "futures account" not in spot_text
    assert "(this client sends to mainnet, https://api.binance.com)" in spot_text


def test_parameter_errors_name_the_python_keyword_next_to_the_wire_name() -> None:
    missing = Binance(
        400, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."
    )
    order = {k: v for k, v in ORDER.items() if k != "time_in_force"}
    text = refused(lambda: usdm(missing).new_order(**order), b.InvalidParameterError)
    assert text == (
        "UsdM.new_order: POST /fapi/v1/order: HTTP 400, code -1102: Mandatory parameter 'timeInForce' was not "
        "sent, was empty/null, or malformed. Give time_in_force= (timeInForce on the wire) to UsdM.new_order: "
        "this request needs it, with a value of the documented form."
    )
    extra = Binance(400, -1106, "Parameter 'timeInForce' sent when not required.")
    market = {**ORDER, "type": "MARKET"}
    del market["price"]
    assert refused(lambda: usdm(extra).new_order(**market)).endswith(
        "Parameter 'timeInForce' sent when not required. Leave out time_in_force= (timeInForce on the wire): "
        "it does not apply to this request."
    )
    unread = Binance(400, -1104, "Not all sent parameters were read; read '7' parameter(s) but was sent '8'.")
    text = refused(lambda: usdm(unread).new_order(**ORDER))
    assert (
        "Sent: symbol, side, type, time_in_force (timeInForce), quantity, price, new_client_order_id" in text
    )
    assert "timestamp" not in text
    same = Binance(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
    assert refused(lambda: usdm(same).new_order(**ORDER)).endswith(
        "Give symbol= to UsdM.new_order: this request needs it, with a value of the documented form."
    )


def test_other_parameter_codes_name_the_keyword_only_when_it_differs() -> None:
    bad = Binance(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is 'x'.")
    assert refused(lambda: usdm(bad).new_order(**ORDER)).endswith(
        "legal range is 'x'. In Python that is new_client_order_id= (newClientOrderId on the wire) "
        "of UsdM.new_order."
    )
    same = Binance(400, -1100, "Illegal characters found in parameter 'symbol'; legal range is 'x'.")
    assert refused(lambda: usdm(same).new_order(**ORDER)).endswith("legal range is 'x'.")


def test_an_error_without_a_hint_still_names_the_call() -> None:
    fake = Binance(400, -2019, "Margin is insufficient.")
    text = refused(lambda: usdm(fake).new_order(**ORDER), b.OrderRejectedError)
    assert text == "UsdM.new_order: POST /fapi/v1/order: HTTP 400, code -2019: Margin is insufficient."


# -- decimals in messages -------------------------------------------------------------------------


def test_filter_errors_write_tiny_decimals_in_plain_digits() -> None:
    tiny = info(
        {"filterType": "PRICE_FILTER", "minPrice": "1E-7", "maxPrice": "1000", "tickSize": "1E-7"},
        {"filterType": "LOT_SIZE", "minQty": "0", "maxQty": "1000", "stepSize": "0.00000001"},
    )
    client = usdm(Binance(200, 0, "", exchange=tiny))
    below = refused(lambda: client.new_order(**{**ORDER, "price": Decimal("1E-8")}), b.FilterError)
    assert below == "BTCUSDT PRICE_FILTER: price=0.00000001 is below minPrice 0.0000001"
    off_tick = refused(lambda: client.new_order(**{**ORDER, "price": Decimal("1.5E-7")}), b.FilterError)
    assert off_tick == (
        "BTCUSDT PRICE_FILTER: price=0.00000015 is not a multiple of tickSize 0.0000001 "
        "(nearest: 0.0000001 or 0.0000002)"
    )
    tiny_lot = {**ORDER, "price": Decimal("1E-7"), "quantity": Decimal("1E-9")}
    lot = refused(lambda: client.new_order(**tiny_lot), b.FilterError)
    assert lot == (
        "BTCUSDT LOT_SIZE: quantity=0.000000001 is not a multiple of stepSize 0.00000001 "
        "(nearest: 0 or 0.00000001)"
    )
    for text in (below, off_tick, lot):
        assert "E-" not in text
        assert "E+" not in text


def test_an_unlisted_symbol_in_the_rules_suggests_the_listed_one() -> None:
    client = usdm(Binance(200, 0, ""))
    with pytest.raises(KeyError, match="'btcusdt' is not listed in exchangeInfo: did you mean 'BTCUSDT'"):
        client.symbol_rules("btcusdt")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("0E-8"), "0"),
        (Decimal("-0"), "0"),
        (Decimal("-0E-8"), "0"),
        (Decimal("60000.10000000"), "60000.1"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-1.50"), "-1.5"),
        (Decimal("12345678901234567890.12345678901234567890"), "12345678901234567890.1234567890123456789"),
        (7, "7"),
        ("0.00100", "0.001"),
        ("not a number", "not a number"),
    ],
)
def test_plain_never_writes_an_exponent_or_a_negative_zero(value: Decimal | int | str, text: str) -> None:
    assert plain(value) == text


def test_recv_window_errors_echo_the_number_in_plain_digits() -> None:
    with pytest.raises(b.ConfigurationError, match=r"^recv_window=100000 must be more than 0"):
        b.UsdM(recv_window=Decimal("1E+5"))


@pytest.mark.usefixtures("no_dns")
def test_a_generated_function_through_client_raw_names_the_host_and_url() -> None:
    from binance_usdm.api.market import price_ticker

    with b.UsdM(base_url="https://fapi.binance.invalid") as client, pytest.raises(b.TransportError) as failed:
        price_ticker.sync(client=client.raw, symbol="BTCUSDT")
    assert str(failed.value).startswith(
        "GET /fapi/v1/ticker/price: could not reach fapi.binance.invalid "
        "(https://fapi.binance.invalid/fapi/v1/ticker/price): ConnectError: "
    )
    assert failed.value.called == ""
