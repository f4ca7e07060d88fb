"""The spot watchdog: its heartbeat datagrams, the watchdog driven in-process against the emulator, and
the ``python -m binance_openapi watchdog`` process stopped by SIGTERM. Timeouts are short (tenths of a
second) and every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal as D
from typing import Any

import pytest

from binance_openapi import HmacKey, Spot, UsdM
from binance_openapi._secret import Secret
from binance_openapi.safety import FireReport, Watchdog, WatchdogHeartbeat
from binance_openapi.safety._beacon import FRESH_NS, Verifier, encode, load_token, parse_address
from binance_openapi.safety._watchdog_cli import main as cli_main
from tests.conftest import ROOT
from tests.e2e.conftest import Venue, fresh_ledgers, serve_venue

from .waiting import eventually

SYMBOL = "BTCUSDT"
TOKEN = "watchdog-test-token-5f1c9a7e3b"
LOG = "binance_openapi.safety"


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    fresh_ledgers()
    with serve_venue() as venue:
        venue.quiet("spot", SYMBOL)
        yield venue
    fresh_ledgers()


@pytest.fixture(autouse=True)
def _no_faults_left(venue: Venue) -> Iterator[None]:
    yield
    venue.emulator.set_faults({"server_errors": 0})


_users = iter(range(10_000))


def new_key(venue: Venue) -> HmacKey:
    return venue.user(f"watchdog-{next(_users)}", spot={"USDT": "100000"})


def place(client: Spot, count: int = 2, prefix: str = "bot-") -> list[int]:
    ids = []
    for i in range(count):
        order = client.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D("0.001"),
            price=D(55000 - 100 * i),
            new_client_order_id=f"{prefix}{next(_users)}",
        )
        ids.append(order.order_id)
    return ids


def open_ids(client: Spot) -> list[int]:
    return sorted(o.order_id for o in client.open_orders(symbol=SYMBOL))


@contextlib.contextmanager
def running(watchdog: Watchdog) -> Iterator[Watchdog]:
    """The watchdog's loop in a thread, stopped (and joined) at the end."""
    stop = threading.Event()
    with watchdog:
        thread = threading.Thread(target=watchdog.run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield watchdog
        finally:
            stop.set()
            thread.join(timeout=5)
            assert not thread.is_alive()


def one_beat(address: tuple[str, int]) -> None:
    heartbeat = WatchdogHeartbeat(address, token=TOKEN)
    assert heartbeat.beat()
    heartbeat.close()


def crash(heartbeat: WatchdogHeartbeat) -> None:
    """The bot dies: its heartbeats stop without a word."""
    heartbeat.stop(stand_down=False)
    heartbeat.close()


# -- the datagrams -------------------------------------------------------------------------------------


def test_heartbeats_are_authenticated_fresh_and_never_replayed() -> None:
    token = Secret(TOKEN)
    verifier = Verifier(token)
    now = time.time_ns()
    assert verifier.check(encode(token, "beat", now), now) == ("beat", "")
    assert verifier.check(encode(token, "beat", now), now) == (None, "replayed")
    assert verifier.check(encode(Secret("another-token-of-16+bytes"), "beat", now + 1), now) == (
        None,
        "wrong token",
    )
    assert verifier.check(encode(token, "beat", now + 1 + FRESH_NS + 1), now) == (None, "stale")
    forged = encode(token, "beat", now + 5).replace(b"beat", b"stop")
    assert verifier.check(forged, now) == (None, "wrong token")
    for junk in (b"", b"hello", b"bo-wd1 beat x y", b"bo-wd1 kill 1 00", b"x" * 300):
        assert verifier.check(junk, now) == (None, "not a heartbeat")
    assert verifier.check(encode(token, "stop", now + 10), now) == ("stop", "")
    assert TOKEN.encode() not in encode(token, "beat", now + 11)


def test_tokens_and_addresses_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BINANCE_WATCHDOG_TOKEN", raising=False)
    with pytest.raises(ValueError, match="BINANCE_WATCHDOG_TOKEN"):
        load_token(None)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        load_token("short")
    monkeypatch.setenv("BINANCE_WATCHDOG_TOKEN", TOKEN)
    assert load_token(None).reveal() == TOKEN.encode()
    assert parse_address("127.0.0.1:47017") == ("127.0.0.1", 47017)
    assert parse_address("localhost:5") == ("127.0.0.1", 5)
    assert parse_address("[::1]:5") == ("::1", 5)
    for wrong in ("0.0.0.0:5", "10.0.0.1:5", "example.com:5", "127.0.0.1", "127.0.0.1:x"):
        with pytest.raises(ValueError, match=r"loopback|HOST:PORT"):
            parse_address(wrong)
    heartbeat = WatchdogHeartbeat("127.0.0.1:47017", token=TOKEN)
    assert TOKEN not in repr(heartbeat) and "hidden" in repr(heartbeat)
    heartbeat.close()
    with pytest.raises(ValueError, match="interval"):
        WatchdogHeartbeat("127.0.0.1:47017", token=TOKEN, interval=0)
    with Spot(base_url="http://127.0.0.1:9") as spot, UsdM(base_url="http://127.0.0.1:9") as usdm:
        with pytest.raises(TypeError, match="DeadMansSwitch"):
            Watchdog(usdm, symbols=[SYMBOL], timeout=1, token=TOKEN)  # type: ignore[arg-type]
        for options, words in (
            ({"symbols": []}, "at least one"),
            ({"symbols": ["btc"]}, "not a Binance symbol"),
            ({"timeout": 0.01}, "at least 0.1"),
            ({"prefix": ""}, "prefix"),
            ({"listen": "0.0.0.0:0"}, "loopback"),
        ):
            arguments: dict[str, Any] = {"symbols": [SYMBOL], "timeout": 1, "token": TOKEN, **options}
            with pytest.raises(ValueError, match=words):
                Watchdog(spot, **arguments)
        assert TOKEN not in repr(Watchdog(spot, symbols=[SYMBOL], timeout=1, token=TOKEN))


# -- the watchdog in-process ---------------------------------------------------------------------------


def test_watchdog_fires_after_missed_heartbeats_and_not_while_they_come(
    venue: Venue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOG)
    reports: list[FireReport] = []
    key = new_key(venue)
    with venue.client(Spot, key) as client:
        ids = place(client)
        watchdog = Watchdog(
            client, symbols=[SYMBOL], timeout=0.5, token=TOKEN, listen="127.0.0.1:0", on_fire=reports.append
        )
        with running(watchdog):
            time.sleep(0.6)  # no heartbeat yet: waiting, not armed
            assert (watchdog.status.state, watchdog.status.fired) == ("waiting", 0)
            heartbeat = WatchdogHeartbeat(watchdog.address, token=TOKEN, interval=0.05).start()
            time.sleep(1.1)  # more than twice the timeout, with heartbeats
            assert (watchdog.status.state, watchdog.status.fired) == ("armed", 0)
            assert watchdog.status.accepted >= 10
            assert open_ids(client) == ids
            crash(heartbeat)
            eventually(lambda: watchdog.status.fired == 1)
            assert open_ids(client) == []
            assert reports[0].cancelled == {SYMBOL: ids} and reports[0].errors == {}
            assert reports[0].silence > 0.5
            # it keeps watching: the next heartbeat arms it again, and the next silence fires again
            again = place(client, count=1)
            heartbeat = WatchdogHeartbeat(watchdog.address, token=TOKEN, interval=0.05).start()
            eventually(lambda: watchdog.status.state == "armed")
            time.sleep(0.6)
            assert open_ids(client) == again
            crash(heartbeat)
            eventually(lambda: watchdog.status.fired == 2)
            assert open_ids(client) == []
            assert reports[1].cancelled == {SYMBOL: again}
    messages = [r.getMessage() for r in caplog.records]
    assert any("first heartbeat, armed" in m for m in messages)
    assert any(m.startswith("watchdog: no heartbeat for") and SYMBOL in m for m in messages)
    assert any(f"cancelled 2 open orders on {SYMBOL}" in m for m in messages)
    assert any("heartbeat again after firing" in m for m in messages)
    assert TOKEN not in caplog.text and key.api_key not in caplog.text


def test_heartbeats_with_a_wrong_token_neither_arm_nor_keep_it_alive(venue: Venue) -> None:
    with venue.client(Spot, new_key(venue)) as client:
        ids = place(client)
        watchdog = Watchdog(client, symbols=[SYMBOL], timeout=0.3, token=TOKEN, listen="127.0.0.1:0")
        with running(watchdog):
            impostor = WatchdogHeartbeat(
                watchdog.address, token="not-the-watchdog-token", interval=0.05
            ).start()
            eventually(lambda: watchdog.status.refused >= 5)
            assert (watchdog.status.state, watchdog.status.accepted) == ("waiting", 0)
            one_beat(watchdog.address)  # the bot's one heartbeat arms it
            eventually(lambda: watchdog.status.state == "armed")
            eventually(lambda: watchdog.status.fired == 1)  # the impostor cannot keep it alive
            assert open_ids(client) == []
            assert open_ids(client) != ids
            crash(impostor)


def test_prefix_limits_the_cancels_and_a_clean_stop_stands_down(venue: Venue) -> None:
    with venue.client(Spot, new_key(venue)) as client:
        bots = place(client, prefix="bot1-")
        manual = place(client, count=1, prefix="manual-")
        watchdog = Watchdog(
            client, symbols=[SYMBOL], timeout=0.5, token=TOKEN, prefix="bot1-", listen="127.0.0.1:0"
        )
        with running(watchdog):
            with WatchdogHeartbeat(watchdog.address, token=TOKEN, interval=0.05):
                eventually(lambda: watchdog.status.state == "armed")
            eventually(lambda: watchdog.status.state == "waiting")  # the clean exit said stop
            time.sleep(0.5)
            assert watchdog.status.fired == 0
            assert open_ids(client) == sorted(bots + manual)

            def bot() -> None:
                with WatchdogHeartbeat(watchdog.address, token=TOKEN, interval=0.05):
                    eventually(lambda: watchdog.status.state == "armed")
                    raise RuntimeError("the bot crashed")

            with pytest.raises(RuntimeError, match="crashed"):
                bot()
            eventually(lambda: watchdog.status.fired == 1)
            assert open_ids(client) == manual
            assert watchdog.status.last_report is not None
            assert watchdog.status.last_report.cancelled == {SYMBOL: sorted(bots)}
        client.cancel_all_open_orders(symbol=SYMBOL)


def test_failed_cancels_are_logged_and_retried(venue: Venue, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, LOG)
    with venue.client(Spot, new_key(venue), retries=1) as client:
        ids = place(client)
        watchdog = Watchdog(
            client, symbols=[SYMBOL], timeout=0.2, token=TOKEN, listen="127.0.0.1:0", retry_every=0.2
        )
        with running(watchdog):
            one_beat(watchdog.address)
            eventually(lambda: watchdog.status.state == "armed")
            venue.emulator.set_faults({"server_errors": 1_000})
            eventually(lambda: watchdog.status.last_report is not None)
            report = watchdog.status.last_report
            assert report is not None and list(report.errors) == [SYMBOL]
            assert "ServerError" in report.errors[SYMBOL]
            venue.emulator.set_faults({"server_errors": 0})
            eventually(lambda: open_ids(client) == [])
            eventually(
                lambda: watchdog.status.last_report is not None and not watchdog.status.last_report.errors
            )
            last = watchdog.status.last_report
            assert last is not None and last.cancelled == {SYMBOL: ids}
            assert watchdog.status.fired == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all(f"cancelling on {SYMBOL} failed, retrying in 0.2 s" in e for e in errors)
    assert any("retrying the cancels on BTCUSDT" in r.getMessage() for r in caplog.records)


def test_async_heartbeats_keep_it_quiet(venue: Venue) -> None:
    with venue.client(Spot, new_key(venue)) as client:
        ids = place(client, count=1)
        watchdog = Watchdog(client, symbols=[SYMBOL], timeout=0.5, token=TOKEN, listen="127.0.0.1:0")

        async def bot() -> None:
            async with WatchdogHeartbeat(watchdog.address, token=TOKEN, interval=0.05) as heartbeat:
                await asyncio.sleep(1.1)
                assert heartbeat.sent >= 10

        with running(watchdog):
            asyncio.run(bot())
            eventually(lambda: watchdog.status.state == "waiting")  # the clean exit said stop
            time.sleep(0.6)
            assert watchdog.status.fired == 0
        assert open_ids(client) == ids
        client.cancel_all_open_orders(symbol=SYMBOL)


# -- the command ---------------------------------------------------------------------------------------


def test_command_refuses_to_start_without_a_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("BINANCE_API_KEY", "BINANCE_API_SECRET", "BINANCE_PRIVATE_KEY", "BINANCE_PRIVATE_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BINANCE_WATCHDOG_TOKEN", TOKEN)
    argv = [
        "--base-url",
        "http://127.0.0.1:9",
        "--symbols",
        SYMBOL,
        "--timeout",
        "1",
        "--listen",
        "127.0.0.1:0",
    ]
    assert cli_main(argv) == 2
    assert "set BINANCE_API_KEY" in capsys.readouterr().err
    monkeypatch.setenv("BINANCE_API_KEY", "k" * 64)
    monkeypatch.setenv("BINANCE_API_SECRET", "s" * 64)
    monkeypatch.delenv("BINANCE_WATCHDOG_TOKEN")
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert "BINANCE_WATCHDOG_TOKEN" in err and "s" * 64 not in err


def test_command_cancels_after_silence_and_stops_on_sigterm(venue: Venue) -> None:
    key = new_key(venue)
    secret = venue.emulator.keys.get(key.api_key)
    assert secret is not None and secret.secret is not None
    env = {
        **os.environ,
        "BINANCE_API_KEY": key.api_key,
        "BINANCE_API_SECRET": secret.secret.decode(),
        "BINANCE_WATCHDOG_TOKEN": TOKEN,
    }
    command = [
        sys.executable,
        "-m",
        "binance_openapi",
        "watchdog",
        "--base-url",
        venue.url,
        "--symbols",
        SYMBOL,
    ]
    command += ["--timeout", "0.5", "--listen", "127.0.0.1:0", "--retry-every", "0.2"]
    with venue.client(Spot, key) as client:
        ids = place(client)
        process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        lines: queue.Queue[str] = queue.Queue()
        assert process.stderr is not None
        reader = threading.Thread(
            target=lambda: [lines.put(line) for line in process.stderr or ()], daemon=True
        )
        reader.start()
        seen: list[str] = []

        def wait_for(pattern: str, seconds: float = 15.0) -> re.Match[str]:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                with contextlib.suppress(queue.Empty):
                    seen.append(lines.get(timeout=0.1))
                    found = re.search(pattern, seen[-1])
                    if found:
                        return found
            raise AssertionError(f"{pattern!r} not printed; printed: {seen}")

        try:
            port = int(wait_for(r"listening on 127\.0\.0\.1:(\d+)").group(1))
            heartbeat = WatchdogHeartbeat(("127.0.0.1", port), token=TOKEN, interval=0.05).start()
            wait_for("first heartbeat, armed")
            time.sleep(1.1)
            assert open_ids(client) == ids
            crash(heartbeat)
            wait_for(f"cancelled 2 open orders on {SYMBOL}")
            assert open_ids(client) == []
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
            reader.join(timeout=5)
            process.stderr.close()
        while not lines.empty():
            seen.append(lines.get())
    printed = "".join(seen)
    assert "SIGTERM received" in printed and "watchdog stopped" in printed
    assert TOKEN not in printed and secret.secret.decode() not in printed
