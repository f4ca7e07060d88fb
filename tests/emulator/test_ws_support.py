"""Helpers of the websocket tests: URLs, reading frames, signing WS API requests, and a local order book
kept by Binance's sequencing rules. (No tests here.)"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection

from binance_emulator import Emulator
from tests.conftest import ed25519_key


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://")


def decode(data: Any, kind: Any) -> Any:
    """Decode a parsed frame (or part of one) as the JSON it came as, with a generated Struct."""
    return msgspec.json.decode(json.dumps(data).encode(), type=kind)


async def recv(ws: ClientConnection, timeout: float = 3.0) -> Any:
    """The next frame, parsed."""
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def drain(ws: ClientConnection, quiet: float = 0.25) -> list[Any]:
    """Every frame until none arrives for ``quiet`` seconds."""
    out = []
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), quiet)
        except TimeoutError:
            return out
        out.append(json.loads(raw))


async def collect(ws: ClientConnection, seconds: float) -> list[Any]:
    """Every frame that arrives within ``seconds`` (for connections that never go quiet)."""
    out = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                out.append(json.loads(await ws.recv()))
    except TimeoutError:
        return out


async def until(ws: ClientConnection, predicate: Callable[[Any], bool], timeout: float = 5.0) -> list[Any]:
    """Frames up to and including the first one ``predicate`` accepts."""
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            seen.append(message)
            if predicate(message):
                return seen


async def request(
    ws: ClientConnection, method: str, params: dict[str, Any] | None = None, rid: Any = 1
) -> Any:
    """Send a WS API request; its answer (events that arrive first are skipped)."""
    frame: dict[str, Any] = {"id": rid, "method": method}
    if params is not None:
        frame["params"] = params
    await ws.send(json.dumps(frame))
    found = await until(ws, lambda message: isinstance(message, dict) and message.get("id") == rid)
    return found[-1]


def payload(params: dict[str, Any]) -> bytes:
    return "&".join(f"{name}={params[name]}" for name in sorted(params)).encode()


def hmac_signed(
    emu: Emulator, params: dict[str, Any], *, can_trade: bool = True, timestamp: int | None = None
) -> dict[str, Any]:
    """``params`` with ``apiKey``, ``timestamp`` and an HMAC ``signature`` of the test key."""
    key = emu.key("HMAC", can_trade=can_trade)
    out = {
        **params,
        "apiKey": key.api_key,
        "timestamp": emu.clock.now_ms() if timestamp is None else timestamp,
    }
    out["signature"] = hmac.new(key.secret, payload(out), hashlib.sha256).hexdigest()
    return out


def ed25519_signed(emu: Emulator, params: dict[str, Any]) -> dict[str, Any]:
    key = ed25519_key(emu)
    out = {**params, "apiKey": key.api_key, "timestamp": emu.clock.now_ms()}
    out["signature"] = key.sign(payload(out))
    return out


def rest_signed(emu: Emulator, params: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A REST query string signed with the test HMAC key, and its headers."""
    key = emu.key("HMAC")
    query = "&".join(f"{name}={value}" for name, value in {**params, "timestamp": emu.clock.now_ms()}.items())
    signature = hmac.new(key.secret, query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}", {"X-MBX-APIKEY": key.api_key}


class LocalBook:
    """A book rebuilt the way Binance tells clients to: a REST snapshot, then diffs in sequence.

    ``futures`` selects the futures rules (``pu`` chaining) instead of spot's (``U`` = previous ``u`` + 1).
    """

    def __init__(self, snapshot: dict[str, Any], *, futures: bool) -> None:
        self.futures = futures
        self.update_id: int = snapshot["lastUpdateId"]
        self.bids = {Decimal(p): Decimal(q) for p, q in snapshot["bids"]}
        self.asks = {Decimal(p): Decimal(q) for p, q in snapshot["asks"]}
        self.started = False
        self.previous_final: int | None = None

    def apply(self, event: Any) -> None:
        """Apply one decoded diff (``first_update_id``, ``final_update_id``, ``bids``, ``asks``)."""
        first, final = event.first_update_id, event.final_update_id
        if self.futures:
            if final < self.update_id:
                return
            if not self.started:
                assert first <= self.update_id <= final, (first, self.update_id, final)
            else:
                assert event.previous_final_update_id == self.previous_final, "pu does not chain"
            self.previous_final = final
        else:
            if final <= self.update_id:
                return
            if not self.started:
                assert first <= self.update_id + 1 <= final, (first, self.update_id, final)
            else:
                assert first == self.update_id + 1, "gap in update ids"
        self.started = True
        for side, levels in ((self.bids, event.bids), (self.asks, event.asks)):
            for level in levels:
                if level.quantity == 0:
                    side.pop(level.price, None)
                else:
                    side[level.price] = level.quantity
        self.update_id = final

    def levels(self) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        return sorted(self.bids.items(), reverse=True), sorted(self.asks.items())
