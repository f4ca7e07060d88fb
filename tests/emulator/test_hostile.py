"""The emulator against hostile and broken clients: every answer is Binance's, and the emulator stays quick.

A hand-written list of hostile requests (REST of each product, the admin API, the WebSocket API) with
Binance's exact answers; a fuzz of the in-process application (hypothesis) asserting that nothing
answers 5XX or a traceback and that every error is ``{"code", "msg"}``; and after each hostile request, a
normal request still answered within ``QUICK_MS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from binance_emulator import Emulator, RateLimits
from binance_emulator._json import MAX_CHARS, MAX_CONTAINERS, MAX_DEPTH, JsonRefusedError, decode
from binance_emulator._specs import index

QUICK_MS = 50.0
"""A normal request right after a hostile one is answered within this (in-process, a warm emulator)."""
HOSTILE_MS = 250.0
"""A hostile request is answered within this: nothing a client sends makes the emulator work for long."""

Call = Callable[..., httpx.Response]


@pytest.fixture(scope="module")
def app() -> Iterator[tuple[Emulator, Call]]:
    """An emulator with the limits scaled up (the fuzz sends more than a bot) and a caller in-process."""
    emulator = Emulator(seed=11, frozen=True, limits=RateLimits.scaled(1000))
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app), base_url="http://emulator")

    def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
        return loop.run_until_complete(client.request(method, url, **kwargs))

    yield emulator, call
    loop.run_until_complete(client.aclose())
    loop.close()


def sign(emulator: Emulator, query: str, *, timestamp: str | None = None) -> str:
    """``query`` with a timestamp and the HMAC signature of the test key (the query is sent as is)."""
    key = emulator.key("HMAC")
    query = f"{query}&timestamp={timestamp or emulator.clock.now_ms()}".lstrip("&")
    return query + "&signature=" + hmac.new(key.secret, query.encode(), hashlib.sha256).hexdigest()


def api_key(emulator: Emulator) -> dict[str, str]:
    """The test key's header, and a form's content type (a body is parameters, as Binance reads it)."""
    return {"X-MBX-APIKEY": emulator.key("HMAC").api_key, "Content-Type": "application/x-www-form-urlencoded"}


def assert_binance_error(response: httpx.Response, status: int, code: int, msg: str | None = None) -> None:
    body = response.json()
    assert set(body) == {"code", "msg"}, body
    assert isinstance(body["msg"], str)
    assert (response.status_code, body["code"]) == (status, code), body
    if msg is not None:
        assert body["msg"] == msg


def assert_quick(call: Call, path: str = "/api/v3/time") -> float:
    """A normal request is served quickly (best of three: a busy machine may pause any single one)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        response = call("GET", path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    assert min(times) < QUICK_MS, times
    return min(times)


def best_of_three(send: Callable[[], Any]) -> tuple[Any, float]:
    """An answer and the shortest of three tries' times in ms (a loaded machine may pause any one try;
    work a request makes the emulator do shows in every try)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        answer = send()
        times.append((time.perf_counter() - started) * 1000)
    return answer, min(times)


def illegal(name: str, legal: str = "^[0-9]{1,20}$") -> str:
    return f"Illegal characters found in parameter '{name}'; legal range is '{legal}'."


DEEP = "[" * 5000 + "]" * 5000
HUGE = "1e300000000"
MALFORMED = "Field value was empty or malformed."
UNSUPPORTED = "This operation is not supported."
BAD_SIGNATURE = "Signature for this request is not valid."
DECIMAL_RANGE = "^([0-9]{1,20})(\\.[0-9]{1,20})?$"
JSON_VALUE = "a JSON value"
NOT_READ = "Not all sent parameters were read; read '{}' parameter(s) but was sent '{}'."


def hostile_rest(emulator: Emulator) -> list[tuple[str, str, bytes | None, int, int, str | None]]:
    """(method, path and query, body, status, code, msg) of hostile REST calls, for each product."""
    order = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&price=100"
    cases: list[tuple[str, str, bytes | None, int, int, str | None]] = []
    for account in ("/api/v3/account", "/fapi/v2/account", "/dapi/v1/account"):
        for window in ("NaN", "sNaN", "Infinity", "-1", "1e3", "%C2%B2", "0x10", "9" * 5000):
            cases.append(
                ("GET", f"{account}?{sign(emulator, 'recvWindow=' + window)}", None, 400, -1100,
                 illegal("recvWindow"))
            )  # fmt: skip
        cases += [
            ("GET", f"{account}?timestamp=1&signature=%ff", None, 400, -1022, BAD_SIGNATURE),
            ("GET", f"{account}?timestamp=1&signature={'%ff' * 3000}", None, 400, -1022, BAD_SIGNATURE),
            ("GET", f"{account}?{sign(emulator, 'recvWindow=5000', timestamp='%C2%B2')}", None, 400, -1100,
             illegal("timestamp")),
            ("GET", f"{account}?{sign(emulator, '', timestamp='NaN')}", None, 400, -1100, illegal("timestamp")),
            ("GET", f"{account}?{sign(emulator, '', timestamp='9' * 5000)}", None, 400, -1100,
             illegal("timestamp")),
            ("GET", f"{account}?{sign(emulator, 'recvWindow=60001')}", None, 400, -1131,
             "recvWindow must be less than 60000"),
            ("GET", f"{account}?{sign(emulator, 'nonsense=1')}", None, 400, -1104, NOT_READ.format(2, 3)),
        ]  # fmt: skip
    for ticker in ("/api/v3/ticker/price", "/api/v3/exchangeInfo", "/api/v3/ticker/24hr"):
        for symbols in (DEEP, "[" * 20000, f"[{HUGE}]", "[NaN]", "[Infinity]", f"[{'9' * 5000}]"):
            cases.append(("GET", f"{ticker}?symbols={quote(symbols)}", None, 400, -1100,
                          illegal("symbols", JSON_VALUE)))  # fmt: skip
    for depth in ("/api/v3/depth", "/fapi/v1/depth", "/dapi/v1/depth"):
        symbol = "BTCUSD_PERP" if depth.startswith("/dapi") else "BTCUSDT"
        for limit in (HUGE, "1e1000000000", "NaN", "%C2%B2", "9" * 5000, "5%0A"):
            cases.append(
                ("GET", f"{depth}?symbol={symbol}&limit={limit}", None, 400, -1100, illegal("limit"))
            )
        cases.append(
            ("GET", depth, None, 400, -1102,
             "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
        )  # fmt: skip
    for quantity in (HUGE, "NaN", "Infinity", "9" * 21, "1." + "1" * 21, "%C2%B2"):
        cases.append(("POST", f"/api/v3/order?{sign(emulator, f'{order}&quantity={quantity}')}", None, 400,
                      -1100, illegal("quantity", DECIMAL_RANGE)))  # fmt: skip
    for batch in ("/fapi/v1/batchOrders", "/dapi/v1/batchOrders"):
        for value in (DEEP, f'[{{"symbol":"BTCUSDT","price":{HUGE}}}]', '[{"price":NaN}]'):
            cases.append(("POST", f"{batch}?{sign(emulator, 'batchOrders=' + quote(value))}", None, 400,
                          -1100, illegal("batchOrders", JSON_VALUE)))  # fmt: skip
        symbol = "BTCUSD_PERP" if batch.startswith("/dapi") else "BTCUSDT"
        for value in (DEEP, f"[{HUGE}]", f"[{'9' * 5000}]"):
            query = sign(emulator, f"symbol={symbol}&orderIdList={quote(value)}")
            cases.append(("DELETE", f"{batch}?{query}", None, 400, -1100, illegal("orderIdList", JSON_VALUE)))
    form = sign(emulator, f"{order}&quantity={HUGE}").encode()
    cases += [
        ("POST", "/api/v3/order", form, 400, -1100, illegal("quantity", DECIMAL_RANGE)),
        ("POST", "/api/v3/order", b"a=" + b"x" * (1 << 21), 400, -1101, "Too many parameters sent for this endpoint."),
        ("GET", "/nothing/here", None, 404, -1020, UNSUPPORTED),
        ("GET", "/api/v3/nothing", None, 404, -1020, UNSUPPORTED),
        ("PATCH", "/api/v3/order", None, 405, -1020, UNSUPPORTED),
        ("TRACE", "/coinm/dapi/v1/time", None, 405, -1020, UNSUPPORTED),
        ("GET", "/%ff%fe", None, 404, -1020, UNSUPPORTED),
    ]  # fmt: skip
    return cases


HOSTILE_ADMIN: list[tuple[str, str, bytes, int, int, str | None]] = [
    ("POST", "/emulator/faults", b"not json", 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b"\xff\xfe", 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b"null", 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b"[1, 2]", 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b'"latency_ms"', 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b'{"latency_ms": ' + b"9" * 5000 + b"}", 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b'{"latency_ms": 1e1000000000}', 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b'{"latency_ms": NaN}', 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b'{"latency_ms": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b'{"latency_ms": ' + b"[" * 40 + b"]" * 40 + b"}", 400, -1102, MALFORMED),
    ("POST", "/emulator/faults", b'{"latency_ms": {"a": [1]}}', 400, -1100,
     illegal("latency_ms", "^-?[0-9]{1,20}$")),
    ("POST", "/emulator/faults", b'{"latency_ms": 1.5}', 400, -1100, illegal("latency_ms", "^-?[0-9]{1,20}$")),
    ("POST", "/emulator/faults", b'{"latency_ms": true}', 400, -1100, illegal("latency_ms", "^-?[0-9]{1,20}$")),
    ("POST", "/emulator/faults", b'{"latency_ms": 4294967296}', 400, -1130,
     "Data sent for parameter 'latency_ms' is not valid."),
    ("POST", "/emulator/faults", b'{"nonsense": 1, "latency_ms": 0}', 400, -1104, NOT_READ.format(1, 2)),
    ("POST", "/emulator/time", b'{"advance_ms": "x"}', 400, -1100, illegal("advance_ms", "^-?[0-9]{1,20}$")),
    ("POST", "/emulator/time", b'{"advance_ms": 1e300}', 400, -1100, illegal("advance_ms", "^-?[0-9]{1,20}$")),
    ("POST", "/emulator/time", b'{"advance_ms": 1e401}', 400, -1102, MALFORMED),
    ("POST", "/emulator/time", b'{"advance_ms": -5}', 400, -1130, "Data sent for parameter 'advance_ms' is not valid."),
    ("POST", "/emulator/time", b'{"advance_ms": 99999999999999999}', 400, -1130,
     "Data sent for parameter 'advance_ms' is not valid."),
    ("POST", "/emulator/time", b"[" * 100000, 400, -1102, MALFORMED),
    ("GET", "/emulator/nothing", b"", 404, -1020, UNSUPPORTED),
    ("DELETE", "/emulator/faults", b"", 405, -1020, UNSUPPORTED),
]  # fmt: skip


def test_hostile_rest_calls_get_binance_answers_and_the_emulator_stays_quick(
    app: tuple[Emulator, Call],
) -> None:
    emulator, call = app
    cases = hostile_rest(emulator)
    for method, url, body, *_ in cases:  # warm up: the first call of an operation compiles its checks
        call(method, url, content=body, headers=api_key(emulator))
    for method, url, body, status, code, msg in cases:
        response, elapsed = best_of_three(partial(call, method, url, content=body, headers=api_key(emulator)))
        assert_binance_error(response, status, code, msg)
        assert elapsed < HOSTILE_MS, (url[:80], elapsed)
        assert_quick(call)
    assert call("PATCH", "/api/v3/order").headers["Allow"] == "DELETE, GET, POST"


def test_hostile_admin_calls_get_binance_answers(app: tuple[Emulator, Call]) -> None:
    emulator, call = app
    before = emulator.faults.as_dict()
    now = emulator.clock.now_ms()
    for method, path, body, status, code, msg in HOSTILE_ADMIN:
        response, elapsed = best_of_three(partial(call, method, path, content=body))
        assert elapsed < HOSTILE_MS, (path, body[:40], elapsed)
        assert_binance_error(response, status, code, msg)
        assert_quick(call)
    assert emulator.faults.as_dict() == before
    assert emulator.clock.now_ms() == now
    # what is well formed still works, numbers given as JSON integers or as their text
    assert call("POST", "/emulator/faults", json={"latency_ms": "0", "skew_ms": 0}).json()["latency_ms"] == 0
    assert call("POST", "/emulator/time", json={"advance_ms": 1000}).json() == {"serverTime": now + 1000}


def test_the_admin_api_refuses_a_remote_peer_in_binance_shape(app: tuple[Emulator, Call]) -> None:
    emulator, _ = app
    transport = httpx.ASGITransport(app=emulator.app, client=("192.0.2.1", 4000))

    async def remote() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
            return await client.post("/emulator/faults", json={"latency_ms": 5000})

    assert_binance_error(asyncio.run(remote()), 403, -2015, "Invalid API-key, IP, or permissions for action.")
    assert emulator.faults.latency_ms == 0


def test_a_client_gone_while_its_body_is_read_gets_nothing_and_breaks_nothing(
    app: tuple[Emulator, Call],
) -> None:
    emulator, call = app
    sent: list[dict[str, Any]] = []
    parts = [{"type": "http.request", "body": b"symbol=BTC", "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> dict[str, Any]:
        return parts.pop(0) if parts else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for path in ("/api/v3/order", "/emulator/faults"):
        parts[:] = [
            {"type": "http.request", "body": b"symbol=BTC", "more_body": True},
            {"type": "http.disconnect"},
        ]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"100")],
            "client": ("127.0.0.1", 5000), "server": ("emulator", 80),
        }  # fmt: skip
        asyncio.run(emulator.app(scope, receive, send))
    assert sent == []
    assert_quick(call)


def test_a_bug_answers_minus_1000_and_is_logged(
    app: tuple[Emulator, Call], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    emulator, call = app

    def broken(_call: Any) -> Any:
        raise RuntimeError("a bug in a handler")

    monkeypatch.setitem(emulator._handlers["spot"], "server_time", broken)
    with caplog.at_level(logging.ERROR, logger="binance_emulator"):
        # the handler may have acted: 5XX, execution status unknown, as Binance answers it
        assert_binance_error(
            call("GET", "/api/v3/time"), 500, -1000, "An unknown error occurred while processing the request."
        )
        assert "a bug in a handler" in caplog.text
        monkeypatch.undo()

        def broken_read(*_args: Any) -> Any:
            raise RuntimeError("a bug before the handler")

        monkeypatch.setattr("binance_emulator._app.read", broken_read)
        # nothing reached the exchange: a 4XX
        assert_binance_error(
            call("GET", "/api/v3/time"), 400, -1000, "An unknown error occurred while processing the request."
        )
        assert "a bug before the handler" in caplog.text
    monkeypatch.undo()
    assert call("GET", "/api/v3/time").status_code == 200


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2.3980645706736713e+269", Decimal("2.3980645706736713e+269")),  # any double is read
        ("-5e-324", Decimal("-5e-324")),
        ("0.00000001", Decimal("0.00000001")),
        ("9" * 64, int("9" * 64)),
        ('{"a": [1.5, "x", null, true]}', {"a": [Decimal("1.5"), "x", None, True]}),
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, nested(MAX_DEPTH)),
        ("[" + "{}," * (MAX_CONTAINERS - 2) + "{}]", [{}] * (MAX_CONTAINERS - 1)),
        ('"' + "[" * 100 + '"', "[" * 100),
    ],
)
def test_json_within_bounds_is_read_exactly(text: str, value: Any) -> None:
    assert decode(text) == value


@pytest.mark.parametrize(
    "text",
    ["1e401", "1e-401", HUGE, "9" * 65, "NaN", "-Infinity", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
     "[" * 100000, "1" + "0" * 64 + ".5", '{"a": }', b"\xff", "[" + "{}," * MAX_CONTAINERS + "{}]",
     "[" + ",".join(["{}"] * 150000) + "]", "[" + "1," * 300000 + "1]", " " * MAX_CHARS + "1"],
)  # fmt: skip
def test_json_out_of_bounds_is_refused_quickly(text: str | bytes) -> None:
    def refused() -> None:
        with pytest.raises(JsonRefusedError):
            decode(text)

    assert best_of_three(refused)[1] < QUICK_MS


# -- the fuzz -------------------------------------------------------------------------------------

OPERATIONS = sorted(
    (method, f"/{product}{path}" if product == "coinm" else path, tuple(op.params))
    for product in ("spot", "usdm", "coinm")
    for (method, path), op in index(product).items()
)
ODD = [
    ("GET", "/emulator/faults", ()),
    ("GET", "/emulator/keys", ()),
    ("GET", "/x", ()),
    ("PATCH", "/api/v3", ()),
]
NAMES = [
    "symbol", "symbols", "limit", "quantity", "price", "side", "type", "timeInForce", "orderId", "recvWindow",
    "timestamp", "signature", "batchOrders", "orderIdList", "origClientOrderIdList", "startTime", "interval",
    "newClientOrderId", "stopPrice", "fromId", "permissions", "windowSize", "listenKey",
]  # fmt: skip
NASTY = [
    "NaN", "sNaN", "-Infinity", "Infinity", "²", "1e300000000", "1e1000000000", "-0", "0x1F", "1_000", " 1",
    "1\n", "٣", "%ff", "\x00", "[", "{", "null", "true", "[]", "{}", '[""]', '["BTCUSDT"]', "[1e400]",
    "[NaN]", "[" * 1500 + "]" * 1500, "9" * 2000, "1." + "0" * 2000, "BTCUSDT", "BTCUSD_PERP", "BUY", "LIMIT", "GTC", "1m",
    '[{"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quantity":"0.001"}]', "[1,2,3]",
]  # fmt: skip
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NAMES), inner, max_size=3),
    max_leaves=8,
)
values = st.sampled_from(NASTY) | st.text(max_size=20) | st.integers().map(str) | json_values.map(json.dumps)
FUZZ = settings(
    max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@FUZZ
@given(data=st.data())
def test_fuzz_rest_never_answers_5xx(app: tuple[Emulator, Call], data: st.DataObject) -> None:
    """Mostly real operations with their own parameter names, given nasty values; signed three times in four."""
    emulator, call = app
    method, path, own = data.draw(
        st.sampled_from(OPERATIONS) | st.sampled_from(OPERATIONS) | st.sampled_from(ODD)
    )
    names = (
        st.sampled_from(own or NAMES)
        | st.sampled_from(own or NAMES)
        | st.sampled_from(NAMES)
        | st.text(max_size=8)
    )
    query = data.draw(st.lists(st.tuples(names, values), max_size=6, unique_by=lambda item: item[0]))
    text = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in query)
    if data.draw(st.sampled_from([True, True, True, False])):
        text = sign(emulator, text)
    body = data.draw(
        st.none() | st.binary(max_size=64) | json_values.map(lambda value: json.dumps(value).encode())
    )
    response = call(method, f"{path}?{text}", content=body, headers=api_key(emulator))
    assert response.status_code < 500, (response.status_code, response.text[:200])
    payload = response.json()
    if response.status_code >= 400:
        assert set(payload) == {"code", "msg"} and isinstance(payload["code"], int), payload
    event(f"HTTP {response.status_code} {payload['code'] if response.status_code >= 400 else ''}")


# -- the WebSocket API, served ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(seed=12, frozen=True, limits=RateLimits.scaled(1000))
    with emulator.serve() as url:
        yield emulator, url


def ws_signed(emulator: Emulator, params: dict[str, Any]) -> dict[str, Any]:
    """WS API params with apiKey, timestamp and signature (the payload sorted, not percent-encoded)."""
    key = emulator.key("HMAC")
    params = {"apiKey": key.api_key, "timestamp": emulator.clock.now_ms(), **params}
    text = "&".join(f"{name}={params[name]}" for name in sorted(params))
    return {**params, "signature": hmac.new(key.secret, text.encode(), hashlib.sha256).hexdigest()}


def hostile_frames(emulator: Emulator) -> list[tuple[str, int, int, str | None]]:
    """(frame, status, code, msg): frames a WS API connection may get, with Binance's answers."""
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "price": "100"}
    frames: list[tuple[str, int, int, str | None]] = [
        (f'{{"id":{HUGE},"method":"ping"}}', 400, -1102, MALFORMED),  # 55 bytes that once froze it for 1 s
        ('{"id":1e1000000000,"method":"ping"}', 400, -1102, MALFORMED),
        (f'{{"id":1,"method":"depth","params":{{"symbol":"BTCUSDT","limit":{HUGE}}}}}', 400, -1102, MALFORMED),
        (f'{{"id":1,"method":"ticker.price","params":{{"symbols":[{HUGE}]}}}}', 400, -1102, MALFORMED),
        ('{"id":NaN,"method":"ping"}', 400, -1102, MALFORMED),
        ('{"id":1,"method":"ping","params":{"x":-Infinity}}', 400, -1102, MALFORMED),
        ('{"id":' + "9" * 5000 + ',"method":"ping"}', 400, -1102, MALFORMED),
        ("[" * 100000, 400, -1102, MALFORMED),
        ('{"id":1,"method":"ping","params":' + "[" * 5000 + "]" * 5000 + "}", 400, -1102, MALFORMED),
        ("null", 400, -1102, MALFORMED),
        ("\x00", 400, -1102, MALFORMED),
        ('{"id":1,"method":"depth","params":{"symbol":"BTCUSDT","limit":"NaN"}}', 400, -1100, illegal("limit")),
        ('{"id":1,"method":"depth","params":{"symbol":"BTCUSDT","limit":"1e300000000"}}', 400, -1100,
         illegal("limit")),
        ('{"id":1,"method":"ticker.price","params":{"symbols":"' + "[" * 1000 + '"}}', 400, -1100,
         illegal("symbols", JSON_VALUE)),
        ('{"id":1,"method":"ticker.price","params":{"symbols":"' + "[" * 5000 + '"}}', 400, -1102, MALFORMED),
        ('{"id":1,"method":"ping","params":{"x":"' + "a" * 70000 + '"}}', 400, -1102, MALFORMED),
        ('{"id":1,"method":"nothing"}', 400, -1020, UNSUPPORTED),
    ]  # fmt: skip
    for window in ("NaN", "sNaN", "²", "1e3"):
        params = ws_signed(emulator, {**order, "quantity": "1", "recvWindow": window})
        frames.append((json.dumps({"id": 2, "method": "order.place", "params": params}), 400, -1100,
                       illegal("recvWindow")))  # fmt: skip
    params = ws_signed(emulator, {**order, "quantity": "1", "timestamp": "²"})
    frames.append(
        (json.dumps({"id": 3, "method": "order.place", "params": params}), 400, -1100, illegal("timestamp"))
    )
    params = {**ws_signed(emulator, {**order, "quantity": "1"}), "signature": "\u00ff" * 64}
    frames.append(
        (json.dumps({"id": 4, "method": "order.place", "params": params}), 400, -1022, BAD_SIGNATURE)
    )
    params = ws_signed(emulator, {**order, "quantity": HUGE})
    frames.append((json.dumps({"id": 5, "method": "order.place", "params": params}), 400, -1100,
                   illegal("quantity", DECIMAL_RANGE)))  # fmt: skip
    return frames


def test_hostile_ws_api_frames_get_binance_answers_and_the_emulator_stays_quick(
    served: tuple[Emulator, str],
) -> None:
    emulator, url = served
    frames = hostile_frames(emulator)
    with httpx.Client(base_url=url) as http, connect(url.replace("http", "ws") + "/ws-api/v3") as ws:
        for frame, *_ in frames:  # warm up
            ws.send(frame)
            ws.recv(timeout=5)
        for frame, status, code, msg in frames:

            def exchange(frame: str = frame) -> Any:
                ws.send(frame)
                return json.loads(ws.recv(timeout=5))

            answer, elapsed = best_of_three(exchange)
            assert elapsed < HOSTILE_MS, (frame[:60], elapsed)
            assert answer["status"] == status, (frame[:60], answer)
            assert set(answer["error"]) == {"code", "msg"}, answer
            assert answer["error"]["code"] == code, (frame[:60], answer)
            if msg is not None:
                assert answer["error"]["msg"] == msg
            assert_quick(http.request)

        def after() -> Any:
            ws.send('{"id":"after","method":"time"}')
            return json.loads(ws.recv(timeout=5))

        answer, elapsed = best_of_three(after)
        assert answer["status"] == 200
        assert elapsed < QUICK_MS


@pytest.fixture(scope="module")
def ws_api(served: tuple[Emulator, str]) -> Iterator[ClientConnection]:
    with connect(served[1].replace("http", "ws") + "/ws-api/v3") as ws:
        yield ws


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
@given(
    request=st.fixed_dictionaries(
        {},
        optional={
            "id": json_values,
            "method": st.sampled_from(["ping", "time", "depth", "order.place", "ticker.price", "session.logon",
                                       "userDataStream.unsubscribe", "x"]) | st.text(max_size=8),
            "params": st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6),
                                      json_values | st.sampled_from(NASTY), max_size=5) | json_values,
        },
    ),
    raw=st.none() | st.sampled_from(NASTY) | st.text(max_size=30),
)  # fmt: skip
def test_fuzz_ws_api_never_answers_5xx(
    ws_api: ClientConnection, request: dict[str, Any], raw: str | None
) -> None:
    ws_api.send(raw if raw is not None else json.dumps(request, default=str))
    answer = json.loads(ws_api.recv(timeout=5))
    assert answer["status"] < 500, answer
    if answer["status"] >= 400:
        assert set(answer["error"]) >= {"code", "msg"}, answer


def test_a_client_gone_mid_body_over_a_socket_leaves_the_server_quick(served: tuple[Emulator, str]) -> None:
    _, url = served
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(
            b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100000\r\n\r\nsymbol=BTCUSDT&"
        )
    with httpx.Client(base_url=url) as http:
        assert_quick(http.request)
