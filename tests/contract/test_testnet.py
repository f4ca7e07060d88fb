"""The testnet profile (``python -m contract testnet``) against the emulator on a loopback port.

The profile is what runs against a user's Binance testnet account; here the emulator stands in for the
testnets (``--base-url``) with its test key in ``BINANCE_TESTNET_*``. The emulator's server records every
request it answers, and its own order records (``allOrders``) say what the run left behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import requests
import yaml

from binance_emulator import Emulator
from binance_emulator._limits import RateLimits
from contract.__main__ import main
from contract.budget import Budget
from contract.market import Market
from contract.products import EMULATOR_PREFIX, PRODUCTS, SPECS
from contract.repair import Repair
from contract.signing import Signer, measure_clock, operation_at, operations
from contract.testnet import KEY_PREFIX, ORDER_OPERATIONS, cancel_run_orders, read_only, unsafe_order
from tests.conftest import hmac_key

OPEN_STATUSES = {"NEW", "PARTIALLY_FILLED", "PENDING_NEW"}
PATHS = {"spot": "/api/v3", "usdm": "/fapi/v1", "coinm": "/dapi/v1"}
Send = Any


@dataclass
class Recorder:
    """An ASGI wrapper around the emulator's app: every HTTP request it answered, with its status."""

    app: Any
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def drop_mode(self) -> str:
        return str(self.app.drop_mode)

    @drop_mode.setter
    def drop_mode(self, value: str) -> None:
        self.app.drop_mode = value

    async def __call__(self, scope: Any, receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.calls.append((scope["method"], scope["path"], int(message["status"])))
            await send(message)

        await self.app(scope, receive, record)


@dataclass
class Exchange:
    emulator: Emulator
    recorder: Recorder
    base: str

    def base_urls(self) -> list[str]:
        return [
            argument
            for product in PRODUCTS
            for argument in ("--base-url", f"{product}={self.base}{EMULATOR_PREFIX[product]}")
        ]

    def operations_called(self) -> set[tuple[str, str]]:
        """``(product, operation id)`` of every request the emulator answered."""
        found = set()
        for method, path, _ in self.recorder.calls:
            if "/schemathesis-probe" in path:  # schemathesis' own probes of the server: a 404
                continue
            product = "spot"
            if path.startswith("/coinm/"):
                product = "coinm"
            elif path.startswith(("/fapi/", "/futures/")):
                product = "usdm"
            operation = operation_at(product, method, path)
            assert operation is not None, f"{method} {path} is no operation of {product}"
            found.add((product, operation.id))
        return found

    def orders(self) -> list[dict[str, Any]]:
        """Every order of the test key's account, from the emulator's ``allOrders``, on every symbol."""
        key = hmac_key(self.emulator)
        found: list[dict[str, Any]] = []
        with requests.Session() as session:
            for product in PRODUCTS:
                base = self.base + EMULATOR_PREFIX[product]
                signer = Signer(product, key, measure_clock(session, base, product, samples=1))
                info = session.get(base + PATHS[product] + "/exchangeInfo", timeout=10).json()
                for entry in info["symbols"]:
                    answer = session.get(
                        base + PATHS[product] + "/allOrders",
                        params={"symbol": entry["symbol"]},
                        auth=signer,
                        timeout=10,
                    )
                    assert answer.status_code == 200, answer.text
                    found += [{**order, "product": product} for order in answer.json()]
        return found


@pytest.fixture(scope="module")
def exchange() -> Iterator[Exchange]:
    emulator = Emulator(seed=23, limits=RateLimits.scaled(1000))
    recorder = Recorder(emulator.app)
    emulator.app = recorder  # type: ignore[assignment]
    with emulator.serve() as base:
        yield Exchange(emulator, recorder, base)


@pytest.fixture
def keys(exchange: Exchange, monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator's test key as both testnets' keys."""
    key = exchange.emulator.key("HMAC")
    for prefix in set(KEY_PREFIX.values()):
        monkeypatch.setenv(f"{prefix}_API_KEY", key.api_key)
        monkeypatch.setenv(f"{prefix}_API_SECRET", key.secret.decode())
        monkeypatch.delenv(f"{prefix}_PRIVATE_KEY_PATH", raising=False)


BUDGET = ["--weight-per-minute", "1000000", "--requests-per-minute", "100000"]


def run(exchange: Exchange, capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    exchange.recorder.calls.clear()
    status = main(["testnet", *exchange.base_urls(), "--max-examples", "1", *BUDGET, *arguments])
    return status, capsys.readouterr().out


@pytest.mark.usefixtures("keys")
def test_read_only_run_passes_and_calls_only_reads(
    exchange: Exchange, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(exchange, capsys)
    assert status == 0, out[-3000:]
    called = exchange.operations_called()
    assert len(called) > 100  # all three products ran their reads
    reads = _reads()
    assert called <= reads, sorted(called - reads)
    assert not [call for call in exchange.recorder.calls if call[2] == 429]
    for product in PRODUCTS:
        assert re.search(rf"  {product} +\d+ operations, [\d,]+ cases: passed", out)
        assert re.search(r"budget: requests=\d+ weight=[1-9]\d* ", out)
    assert "orders:" not in out
    assert not exchange.orders()


@pytest.mark.usefixtures("keys")
def test_orders_run_places_only_resting_limits_and_cancels_every_one(
    exchange: Exchange, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(exchange, capsys, "--orders", "--max-examples", "2")
    assert status == 0, out[-3000:]
    called = exchange.operations_called()
    writes = {operation for _, operation in called - _reads()}
    assert writes <= ORDER_OPERATIONS, writes
    assert ("spot", "new_order") in called and ("usdm", "new_order") in called
    orders = exchange.orders()
    assert orders, "the run placed no order"
    assert {order["type"] for order in orders} <= {"LIMIT"}
    assert [o for o in orders if o["status"] in OPEN_STATUSES] == []
    # Cancelled, or expired at once (IOC, FOK): none traded.
    assert {order["status"] for order in orders} <= {"CANCELED", "EXPIRED"}, [
        o for o in orders if o["status"] not in ("CANCELED", "EXPIRED")
    ]
    assert not [o for o in orders if Decimal(o["executedQty"]) != 0]
    prefixes = {re.sub(r"\d+$", "", order["clientOrderId"]) for order in orders}
    assert len(prefixes) == 1 and prefixes.pop().startswith("ct")
    assert re.search(r"orders: [1-9]\d* requested", out)


def test_without_keys_the_runner_names_the_missing_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for prefix in set(KEY_PREFIX.values()):
        for suffix in ("API_KEY", "API_SECRET", "PRIVATE_KEY_PATH"):
            monkeypatch.delenv(f"{prefix}_{suffix}", raising=False)
    assert main(["testnet"]) == 2
    err = capsys.readouterr().err
    for name in (
        "BINANCE_TESTNET_SPOT_API_KEY",
        "BINANCE_TESTNET_SPOT_API_SECRET (or BINANCE_TESTNET_SPOT_PRIVATE_KEY_PATH)",
        "BINANCE_TESTNET_FUTURES_API_KEY",
        "BINANCE_TESTNET_FUTURES_API_SECRET (or BINANCE_TESTNET_FUTURES_PRIVATE_KEY_PATH)",
    ):
        assert name in err
    # Asked for one product explicitly: its missing variable is an error even if the other has keys.
    monkeypatch.setenv("BINANCE_TESTNET_FUTURES_API_KEY", "futures-key")
    monkeypatch.setenv("BINANCE_TESTNET_FUTURES_API_SECRET", "futures-secret")
    assert main(["testnet", "--products", "spot"]) == 2
    err = capsys.readouterr().err
    assert "BINANCE_TESTNET_SPOT_API_KEY" in err and "FUTURES" not in err


def test_products_without_keys_are_skipped_when_others_have_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for suffix in ("API_KEY", "API_SECRET", "PRIVATE_KEY_PATH"):
        monkeypatch.delenv(f"BINANCE_TESTNET_FUTURES_{suffix}", raising=False)
    monkeypatch.setenv("BINANCE_TESTNET_SPOT_API_KEY", "spot-key")
    monkeypatch.setenv("BINANCE_TESTNET_SPOT_API_SECRET", "spot-secret")
    closed = "http://127.0.0.1:9"  # discard: nothing answers
    status = main(["testnet", "--base-url", f"spot={closed}", "--base-url", f"usdm={closed}"])
    out = capsys.readouterr().out
    assert status == 1  # spot was asked for and could not be reached
    assert "usdm: set BINANCE_TESTNET_FUTURES_API_KEY" in out
    assert "usdm   skipped: set BINANCE_TESTNET_FUTURES_API_KEY" in out
    assert f"spot   FAILED: {closed} cannot be reached" in out
    assert "spot-secret" not in out


def test_base_urls_must_name_a_product_and_a_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["testnet", "--base-url", "margin=http://127.0.0.1:1"]) == 2
    assert "expected PRODUCT=URL" in capsys.readouterr().err
    assert main(["testnet", "--base-url", "spot=127.0.0.1:1"]) == 2
    with pytest.raises(SystemExit):
        main(["emulator", "--base-url", "spot=http://127.0.0.1:1"])
    with pytest.raises(SystemExit):
        main(["testnet", "--weight-per-minute", "0"])


def _reads() -> set[tuple[str, str]]:
    """``(product, operation id)`` of every read-only operation."""
    return {(product, op.id) for product in PRODUCTS for op in operations(product).values() if read_only(op)}


def test_budget_waits_when_the_last_minute_is_spent() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    budget = Budget(weight_per_minute=100, requests_per_minute=3, clock=lambda: now[0], sleep=sleep)
    budget.charge(60)
    now[0] = 10.0
    budget.charge(40)  # 100: exactly the budget
    assert slept == []
    now[0] = 20.0
    budget.charge(1)  # would be 101: waits until the first request leaves the window (t=60)
    assert slept == [40.0] and now[0] == 60.0
    budget.charge(0)
    budget.charge(0)  # the 4th request in [10, 70): waits for the one at t=10 to leave
    assert slept == [40.0, 10.0]
    budget.charge(500)  # heavier than the budget: sent alone once the window is empty
    assert now[0] >= 120.0
    assert (budget.requests, budget.weight) == (6, 601)
    assert "requests=6 weight=601" in budget.line("spot")
    with pytest.raises(ValueError, match="at least 1"):
        Budget(weight_per_minute=0)


def test_budget_charges_the_spec_weight_of_the_parameters_sent() -> None:
    budget = Budget(weight_per_minute=10_000)
    rule = {
        "ip": {
            "defaults": {"limit": 100},
            "cases": [{"param": "limit", "max": 100, "weight": 5}],
            "otherwise": 250,
        }
    }
    assert budget.charge_operation(rule, {"symbol": "BTCUSDT"}) == 5
    assert budget.charge_operation(rule, {"limit": 5000}) == 250
    assert budget.charge_operation(None, {}) == 1
    assert budget.weight == 256


PRICES = {"BTCUSDT": Decimal("65000")}
NEW_ORDER = {"operationId": "new_order", "x-binance-weight": {"ip": 1, "orders": {"unfilled": 1}}}


@pytest.mark.parametrize(
    ("query", "positive", "problem"),
    [
        ({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": "52000"}, True, None),
        ({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "price": "78000"}, True, None),
        ({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": "52000"}, False, "spec forbids"),
        ({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"}, True, "only resting LIMIT"),
        ({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": "64000"}, True, "could trade"),
        ({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "price": "66000"}, True, "could trade"),
        ({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "priceMatch": "OPPONENT"}, True, "priceMatch"),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "price": "1"}, True, "listed symbol"),
        (
            {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": "5", "pegPriceType": "MARKET_PEG"},
            True,
            "pegPriceType",
        ),
    ],
)
def test_only_positive_resting_limit_orders_away_from_the_market_are_sent(
    query: dict[str, str], positive: bool, problem: str | None
) -> None:
    found = unsafe_order(NEW_ORDER, query, positive=positive, market=PRICES)
    assert (found is None) if problem is None else (found is not None and problem in found)
    assert unsafe_order({"operationId": "account"}, query, positive=False, market=PRICES) is None


def test_the_final_sweep_cancels_the_runs_orders_and_no_other() -> None:
    """What the runner does after each product, also after a failed run: only the prefix is touched."""
    raw = yaml.safe_load(SPECS["spot"].read_text(encoding="utf-8"))
    new_order = raw["paths"]["/api/v3/order"]["post"]
    emulator = Emulator(seed=5, frozen=True)
    with emulator.serve() as base, requests.Session() as session:
        signer = Signer("spot", hmac_key(emulator), measure_clock(session, base, "spot", samples=1))
        repair = Repair(Market.fetch(session, base, "spot"), resting_only=True)
        placed = []
        for client_id in ("ctfeedbeef-1", "ctfeedbeef-2", "mine-1"):
            query: dict[str, Any] = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": "0"}
            repair(raw, new_order, query)
            query["newClientOrderId"] = client_id
            answer = session.post(base + "/api/v3/order", params=query, auth=signer, timeout=10)
            assert answer.status_code == 200, answer.text
            placed.append(answer.json())
        symbol = placed[2]["symbol"]  # repair picked a listed symbol
        found = cancel_run_orders(session, base, signer, "ctfeedbeef-")
        assert sorted(order["clientOrderId"] for order in found) == ["ctfeedbeef-1", "ctfeedbeef-2"]
        still = session.get(base + "/api/v3/openOrders", params={"symbol": symbol}, auth=signer, timeout=10)
        assert [order["clientOrderId"] for order in still.json()] == ["mine-1"]
        session.delete(
            base + "/api/v3/order",
            params={"symbol": symbol, "orderId": placed[2]["orderId"]},
            auth=signer,
            timeout=10,
        )
