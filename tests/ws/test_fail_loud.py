"""Streams that cannot connect say so, within a bound; streams that were up and drop log it and come back.

* a closed local port and a host name that does not resolve (under ``.invalid``; the resolver is
  replaced so that no test waits on a DNS server) end ``MarketStream``, the order book keepers and
  futures user data with ``StreamConnectError`` (URL, attempts, last cause) after ``connect_timeout``;
* a stream that was up and is dropped (the emulator's ``ws_drop``) logs a WARNING naming the host,
  reconnects, and its ``status`` shows the reconnect;
* ``wait_synced(timeout)`` raises ``StreamTimeoutError`` (a ``TimeoutError``) saying what it saw.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from binance_emulator import Emulator
from binance_openapi import AsyncSpot, AsyncUsdM, StreamConnectError, StreamTimeoutError, TransportError
from binance_openapi.ws import (
    AsyncOrderBookKeeper,
    FuturesUserData,
    MarketStream,
    OrderBookKeeper,
    PriceLevel,
    SpotUserData,
    StreamStatus,
    SyncMarketStream,
)
from binance_openapi.ws._book import LocalOrderBook

from .test_user_data_support import emulated_clock, new_user, served_emulator

BOUND = 1.0
"""The connect_timeout the tests give; the error must come within BOUND + SLACK seconds."""
SLACK = 4.0
UNRESOLVABLE = "stream.binance.invalid"


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (bound, then released): connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names under ``.invalid`` fail to resolve at once, as a resolver would say (no DNS server asked)."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.endswith(".invalid"):
            asked.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.fixture(scope="module")
def venue() -> Iterator[tuple[Emulator, str]]:
    with served_emulator(seed=23) as served:
        yield served


def assert_names(error: StreamConnectError, host: str) -> None:
    assert isinstance(error, ConnectionError)
    assert isinstance(error, TransportError)
    assert host in error.url
    assert host in str(error)
    assert error.attempts >= 1
    assert f"{error.attempts} attempt" in str(error)
    assert error.last_cause is not None
    assert type(error.last_cause).__name__ in str(error)


async def first_message(stream: MarketStream[Any]) -> None:
    async for _ in stream:
        return


# -- a host that cannot be reached -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["closed port", "unresolvable name"])
async def test_market_stream_raises_within_the_bound(
    where: str, closed_port: int, no_dns: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    host = f"127.0.0.1:{closed_port}" if where == "closed port" else f"{UNRESOLVABLE}:9443"
    caplog.set_level(logging.WARNING, logger="binance_openapi.ws")
    started = time.monotonic()
    async with MarketStream(
        "usdm", ["btcusdt@aggTrade"], base_url=f"http://{host}", connect_timeout=BOUND
    ) as s:
        with pytest.raises(StreamConnectError) as caught:
            async with asyncio.timeout(BOUND + SLACK):
                await first_message(s)
        elapsed = time.monotonic() - started
        assert BOUND * 0.9 <= elapsed < BOUND + SLACK
        assert_names(caught.value, host)
        assert not s.status.connected
        assert s.status.failed_attempts == caught.value.attempts
        with pytest.raises(StreamConnectError):  # a second reader learns it too
            await first_message(s)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings
    assert all(host in message for message in warnings)
    if where == "unresolvable name":
        assert no_dns  # resolved through the stand-in, not a DNS server


def test_sync_market_stream_raises_within_the_bound(closed_port: int) -> None:
    started = time.monotonic()
    with (
        SyncMarketStream(
            "spot", ["btcusdt@trade"], base_url=f"http://127.0.0.1:{closed_port}", connect_timeout=BOUND
        ) as stream,
        pytest.raises(StreamConnectError) as caught,
    ):
        next(iter(stream))
    assert time.monotonic() - started < BOUND + SLACK
    assert_names(caught.value, f"127.0.0.1:{closed_port}")


@pytest.mark.parametrize("where", ["closed port", "unresolvable name"])
async def test_book_keeper_raises_within_the_bound(where: str, closed_port: int, no_dns: list[str]) -> None:
    host = f"127.0.0.1:{closed_port}" if where == "closed port" else f"{UNRESOLVABLE}:9443"
    started = time.monotonic()
    async with AsyncOrderBookKeeper(
        "usdm", "BTCUSDT", base_url=f"http://{host}", connect_timeout=BOUND, backoff_max=0.5
    ) as book:
        with pytest.raises(StreamConnectError) as caught:
            await book.wait_synced(timeout=BOUND + SLACK)
        assert time.monotonic() - started < BOUND + SLACK
        assert_names(caught.value, host)
        assert book.error is caught.value


def test_blocking_book_keeper_raises_within_the_bound(closed_port: int) -> None:
    started = time.monotonic()
    with (
        OrderBookKeeper(
            "spot", "BTCUSDT", base_url=f"http://127.0.0.1:{closed_port}", connect_timeout=BOUND
        ) as book,
        pytest.raises(StreamConnectError) as caught,
    ):
        book.wait_synced(timeout=BOUND + SLACK)
    assert time.monotonic() - started < BOUND + SLACK
    assert_names(caught.value, f"127.0.0.1:{closed_port}")


@pytest.mark.parametrize("where", ["closed port", "unresolvable name"])
async def test_user_data_raises_within_the_bound(
    where: str, closed_port: int, no_dns: list[str], venue: tuple[Emulator, str]
) -> None:
    """REST (the listenKey) works; the stream's host does not: ``start`` raises, the key is not named."""
    emulator, url = venue
    host = f"127.0.0.1:{closed_port}" if where == "closed port" else f"{UNRESOLVABLE}:9443"
    user = new_user(emulator, f"unreachable-{where}")
    async with AsyncUsdM(key=user.hmac, base_url=url, clock=emulated_clock(emulator)) as client:
        stream = FuturesUserData(
            client, stream_url=f"ws://{host}", connect_timeout=BOUND, start_timeout=BOUND + SLACK
        )
        started = time.monotonic()
        with pytest.raises(StreamConnectError) as caught:
            await stream.start()
        try:
            assert time.monotonic() - started < BOUND + SLACK
            assert_names(caught.value, host)
            key = stream.keeper.current
            assert key
            assert key not in str(caught.value)
            assert key not in caught.value.url
        finally:
            await stream.aclose()


@pytest.mark.parametrize("where", ["closed port", "unresolvable name"])
async def test_spot_user_data_raises_within_the_bound(
    where: str, closed_port: int, no_dns: list[str], venue: tuple[Emulator, str]
) -> None:
    """Spot user data subscribes through the WS API: a host that cannot be reached fails ``start``."""
    emulator, url = venue
    host = f"127.0.0.1:{closed_port}" if where == "closed port" else f"{UNRESOLVABLE}:9443"
    user = new_user(emulator, f"unreachable-spot-{where}")
    async with AsyncSpot(key=user.hmac, base_url=url, clock=emulated_clock(emulator)) as client:
        stream = SpotUserData(client, url=f"ws://{host}/ws-api/v3", start_timeout=BOUND + SLACK)
        started = time.monotonic()
        try:
            with pytest.raises(StreamConnectError) as caught:
                await stream.start()
        finally:
            await stream.aclose()
    assert time.monotonic() - started < BOUND + SLACK
    assert_names(caught.value, host)
    assert not stream.status.connected


# -- waits that time out ---------------------------------------------------------------------------------


async def test_wait_synced_timeout_says_what_it_saw(venue: tuple[Emulator, str]) -> None:
    """The market does not move: no depth event comes, and the keeper waits for one before its first
    snapshot (``first_event_wait``)."""
    _, url = venue
    async with AsyncOrderBookKeeper("spot", "BTCUSDT", base_url=url, first_event_wait=60) as book:
        with pytest.raises(StreamTimeoutError) as caught:
            await book.wait_synced(timeout=0.5)
    message = str(caught.value)
    assert isinstance(caught.value, TimeoutError)
    assert re.match(r"order book BTCUSDT not synced after 0\.[5-9] s: state WAITING; ", message), message
    assert "no depth event received" in message
    assert "last snapshot: none yet" in message


def test_blocking_wait_synced_timeout_says_what_it_saw(venue: tuple[Emulator, str]) -> None:
    _, url = venue
    with OrderBookKeeper("spot", "BTCUSDT", base_url=url, first_event_wait=60) as book:
        with pytest.raises(TimeoutError) as caught:
            book.wait_synced(timeout=0.5)
        assert isinstance(caught.value, StreamTimeoutError)
        assert "no depth event received" in str(caught.value)
        assert book.status.connected
        with pytest.raises(
            StreamTimeoutError, match=r"order book BTCUSDT: no change within 0.3 s: state WAITING"
        ):
            next(book.changes(timeout=0.3))


# -- a stream that was up and drops ---------------------------------------------------------------------


async def ticking(emulator: Emulator, every: float = 0.05) -> None:
    """Move the market one simulated second at a time (each step changes the books)."""
    while True:
        await asyncio.sleep(every)
        emulator.advance(1000)


async def test_a_dropped_stream_logs_a_warning_and_reconnects(
    venue: tuple[Emulator, str], caplog: pytest.LogCaptureFixture
) -> None:
    emulator, url = venue
    host = url.removeprefix("http://").rstrip("/")
    caplog.set_level(logging.WARNING, logger="binance_openapi.ws")
    ticker = asyncio.get_running_loop().create_task(ticking(emulator))
    try:
        async with MarketStream("spot", ["btcusdt@depth@100ms"], base_url=url) as stream:
            async with asyncio.timeout(20):
                await first_message(stream)
                before = stream.status
                assert before.connected
                assert before.reconnects == 0
                assert before.connected_since is not None
                emulator.set_faults({"ws_drop": 1})
                for _ in range(10_000):
                    await first_message(stream)
                    if stream.status.reconnects and stream.status.connected:
                        break
            after = stream.status
    finally:
        ticker.cancel()
    assert after.reconnects == 1
    assert after.connected
    assert after.connected_since is not None
    assert after.connected_since > before.connected_since
    assert after.last_message_at is not None
    assert after.backoff == 0.0
    lost = [r for r in caplog.records if r.levelno == logging.WARNING and "lost" in r.getMessage()]
    assert lost
    assert host in lost[0].getMessage()


# -- price levels --------------------------------------------------------------------------------------


def test_the_book_keeper_levels_are_price_levels() -> None:
    """``.price`` and ``.quantity`` as Decimal, like REST's levels, and still a ``(price, quantity)`` pair."""
    book = LocalOrderBook("BTCUSDT", futures=True)
    book.on_snapshot(10, [["100.10", "2"], ["100.00", "1"]], [["100.20", "3"]])
    best = book.best_bid()
    assert isinstance(best, PriceLevel)
    assert (best.price, best.quantity) == (Decimal("100.10"), Decimal("2"))
    price, quantity = best
    assert (str(price), str(quantity)) == ("100.10", "2")
    bids, asks = book.depth(5)
    assert [str(level.price) for level in bids] == ["100.10", "100.00"]
    assert [str(level.quantity) for level in asks] == ["3"]
    rest_like = SimpleNamespace(price=Decimal("1.5"), quantity=Decimal("0.25"))
    assert PriceLevel.of(rest_like) == PriceLevel(Decimal("1.5"), Decimal("0.25"))


def test_stream_status_merges_routes() -> None:
    up = StreamStatus(True, 100.0, 105.0, 1, 0, 0.0, None)
    down = StreamStatus(False, None, 107.0, 2, 3, 1.5, "OSError: refused")
    merged = StreamStatus.merge([up, down])
    assert merged == StreamStatus(False, None, 107.0, 3, 3, 1.5, "OSError: refused")
    assert StreamStatus.merge([up, up]).connected_since == 100.0
