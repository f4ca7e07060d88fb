"""The late-order faults: ``delay_apply_ms`` holds an order before the engine applies it (applied even
when the client has gone, refused with -1021 once its recvWindow has passed), ``delay_answer_ms``
applies it at once and answers late; ``delayed_orders`` limits both to the next N orders."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from binance_emulator import Emulator, Faults

from .test_ws_support import rest_signed


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=11)  # real-speed clock: recvWindow passes while an order is held
    with emu.serve() as url:
        yield emu, url


def place(emu: Emulator, url: str, client_id: str, timeout: float, **extra: str) -> httpx.Response | None:
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}
    query, headers = rest_signed(emu, {**params, **extra, "newClientOrderId": client_id})
    try:
        return httpx.post(f"{url}/api/v3/order?{query}", headers=headers, timeout=timeout)
    except httpx.ReadTimeout:
        return None  # the client gives up and goes away


def lookup(emu: Emulator, url: str, client_id: str) -> int:
    query, headers = rest_signed(emu, {"symbol": "BTCUSDT", "origClientOrderId": client_id})
    response = httpx.get(f"{url}/api/v3/order?{query}", headers=headers, timeout=5)
    return response.status_code if response.is_success else int(response.json()["code"])


def test_delays_count_down_when_limited_to_the_next_orders() -> None:
    faults = Faults()
    assert faults.take_delays() == (0, 0)
    faults.update({"delay_apply_ms": 300, "delay_answer_ms": 100, "delayed_orders": 2})
    assert [faults.take_delays() for _ in range(3)] == [(300, 100), (300, 100), (0, 0)]
    assert (faults.delay_apply_ms, faults.delay_answer_ms, faults.delayed_orders) == (0, 0, 0)
    faults.update({"delay_answer_ms": 50})  # no count: every order while set
    assert [faults.take_delays() for _ in range(3)] == [(0, 50)] * 3


def test_a_held_order_is_applied_after_the_client_gave_up(served: tuple[Emulator, str]) -> None:
    emu, url = served
    emu.set_faults({"delay_apply_ms": 400, "delayed_orders": 1})
    assert place(emu, url, "held-1", timeout=0.1) is None
    assert lookup(emu, url, "held-1") == -2013  # not arrived yet
    deadline = time.monotonic() + 5
    while lookup(emu, url, "held-1") != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lookup(emu, url, "held-1") == 200
    assert emu.faults.delay_apply_ms == 0  # the fault was used up


def test_a_held_order_past_its_recv_window_is_refused_by_the_engine(served: tuple[Emulator, str]) -> None:
    emu, url = served
    emu.set_faults({"delay_apply_ms": 500, "delayed_orders": 1})
    answer = place(emu, url, "too-late-1", timeout=2, recvWindow="200")
    assert answer is not None and answer.status_code == 400
    assert answer.json()["code"] == -1021
    assert lookup(emu, url, "too-late-1") == -2013


def test_a_late_answer_comes_after_the_order_is_applied(served: tuple[Emulator, str]) -> None:
    emu, url = served
    emu.set_faults({"delay_answer_ms": 500, "delayed_orders": 1})
    assert place(emu, url, "late-answer-1", timeout=0.1) is None
    assert lookup(emu, url, "late-answer-1") == 200  # already applied
    answer = place(emu, url, "late-answer-2", timeout=2)  # the next order is not delayed
    assert answer is not None and answer.status_code == 200
