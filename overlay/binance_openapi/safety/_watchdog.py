"""The spot watchdog: cancels a bot's spot orders when the bot stops sending heartbeats.

Binance Spot has no ``countdownCancelAll`` (the futures APIs' dead man's switch), so the same safety
runs in a separate process: ``python -m binance_openapi watchdog`` (``_watchdog_cli``) drives a
``Watchdog``, and the bot sends it heartbeats with ``WatchdogHeartbeat`` (loopback UDP datagrams signed
with a shared token, ``_beacon``).

The watchdog waits for the first valid heartbeat, then is armed: when no heartbeat comes for longer than
``timeout`` it fires. Firing lists the open orders of each watched symbol (``GET /api/v3/openOrders``)
and cancels them (``DELETE /api/v3/openOrders``, or one ``DELETE /api/v3/order`` per order whose client
order id starts with ``prefix``), through the normal client (signing, limits, retries). A symbol whose
cancels failed is retried every ``retry_every`` seconds until it is clean or a heartbeat comes back. After
firing the watchdog keeps watching: the next heartbeat arms it again. A ``stop`` datagram (the bot's
clean exit) disarms it until the next heartbeat. Every decision is logged (``binance_openapi.safety``);
datagrams with a wrong token, replayed or stale ones are refused and counted, and never arm it.

Tests drive ``poll()`` in-process; ``run(stop)`` loops until ``stop`` is set.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self

from binance_openapi._errors import UnknownOrderError
from binance_openapi._secret import Secret

from ._beacon import DEFAULT_PORT, ENV_TOKEN, Verifier, load_token, parse_address
from ._heartbeat import SYMBOL, describe_error

if TYPE_CHECKING:
    from binance_openapi._products import Spot

log = logging.getLogger("binance_openapi.safety")

MIN_TIMEOUT = 0.1
POLL = 0.2  # the longest wait on the socket: how soon ``run`` sees its stop event

State = Literal["waiting", "armed", "fired"]


@dataclass(frozen=True)
class FireReport:
    """What one firing did: order ids cancelled per symbol, and the symbols that failed (with why)."""

    at: datetime
    silence: float
    cancelled: dict[str, list[int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WatchdogStatus:
    """``state`` (``waiting`` for the first heartbeat, ``armed``, ``fired``), the last heartbeat's time,
    counts of accepted and refused datagrams, how often it fired and the last ``FireReport``."""

    state: State
    last_heartbeat_at: datetime | None
    accepted: int
    refused: int
    fired: int
    last_report: FireReport | None


class Watchdog:
    """Watch for a bot's heartbeats; cancel its spot orders on ``symbols`` after ``timeout`` of silence.

    **Parameters:**

    * **client** - a ``Spot`` client whose key may trade (the bot's account).
    * **symbols** - the symbols whose open orders are cancelled.
    * **timeout** - seconds (or a ``timedelta``) without a valid heartbeat before firing; at least 0.1.
    * **token** - the shared token; default: the environment variable ``BINANCE_WATCHDOG_TOKEN``.
    * **prefix** - cancel only orders whose client order id starts with it (default: every open order).
    * **listen** - the loopback address to receive heartbeats on (port 0: any free port, see ``address``).
    * **retry_every** - seconds between attempts on symbols whose cancels failed.
    * **on_fire** - called with each ``FireReport``; its errors are logged.
    """

    def __init__(
        self,
        client: Spot,
        *,
        symbols: Iterable[str],
        timeout: float | timedelta,
        token: str | bytes | Secret | None = None,
        prefix: str | None = None,
        listen: str | tuple[str, int] = f"127.0.0.1:{DEFAULT_PORT}",
        retry_every: float = 1.0,
        on_fire: Callable[[FireReport], object] | None = None,
        token_env: str = ENV_TOKEN,
    ) -> None:
        if getattr(client, "product", None) != "spot" or not hasattr(client, "cancel_all_open_orders"):
            raise TypeError(
                f"the watchdog cancels spot orders with a Spot client, not {type(client).__name__} "
                "(futures have Binance's own countdown: use DeadMansSwitch)"
            )
        if isinstance(symbols, str):
            raise TypeError(f"symbols is a list, not the string {symbols!r}: symbols=[{symbols!r}]")
        names = list(dict.fromkeys(symbols))
        if not names:
            raise ValueError("symbols must name at least one symbol")
        for name in names:
            if not isinstance(name, str) or not SYMBOL.fullmatch(name):
                raise ValueError(f"symbol {name!r} is not a Binance symbol (upper case, like 'BTCUSDT')")
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= MIN_TIMEOUT:
            raise ValueError(f"timeout is a number of seconds, at least {MIN_TIMEOUT}, not {timeout!r}")
        if not isinstance(retry_every, int | float) or not retry_every > 0:
            raise ValueError(f"retry_every is a positive number of seconds, not {retry_every!r}")
        if prefix is not None and (not isinstance(prefix, str) or not prefix):
            raise ValueError("prefix is a non-empty client order id prefix, or None for every order")
        self.client = client
        self.symbols = tuple(names)
        self.timeout = float(seconds)
        self.prefix = prefix
        self.retry_every = float(retry_every)
        self.on_fire = on_fire
        self._listen = parse_address(listen)
        self._verifier = Verifier(load_token(token, token_env))
        self._socket: socket.socket | None = None
        self._state: State = "waiting"
        self._last_beat: float | None = None  # monotonic
        self._last_beat_wall: float | None = None
        self._pending: tuple[str, ...] = ()  # symbols still to clean after a firing
        self._next_retry = 0.0
        self._accepted = 0
        self._refused = 0
        self._fired = 0
        self._report: FireReport | None = None
        self._refusals_logged_at = -1e9

    def __repr__(self) -> str:
        return (
            f"Watchdog(symbols={list(self.symbols)}, timeout={self.timeout}, prefix={self.prefix!r}, "
            f"state={self._state!r}, token=<hidden>)"
        )

    # -- socket ---------------------------------------------------------------------------------------

    def open(self) -> Self:
        """Bind the heartbeat socket."""
        if self._socket is None:
            host = self._listen[0]
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind(self._listen)
            except OSError as error:
                sock.close()
                raise OSError(
                    error.errno, f"cannot listen on {host}:{self._listen[1]}: {error.strerror}"
                ) from None
            self._socket = sock
            log.info(
                "watchdog listening on %s:%d; waiting for the first heartbeat (symbols %s, timeout %.3g s%s)",
                *self.address, ", ".join(self.symbols), self.timeout,
                f", client order ids starting with {self.prefix!r}" if self.prefix else "",
            )  # fmt: skip
        return self

    @property
    def address(self) -> tuple[str, int]:
        """Where heartbeats go (the bound port when ``listen`` asked for port 0)."""
        if self._socket is None:
            return self._listen
        host, port = self._socket.getsockname()[:2]
        return str(host), int(port)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def status(self) -> WatchdogStatus:
        wall = self._last_beat_wall
        return WatchdogStatus(
            state=self._state,
            last_heartbeat_at=None if wall is None else datetime.fromtimestamp(wall, UTC),
            accepted=self._accepted,
            refused=self._refused,
            fired=self._fired,
            last_report=self._report,
        )

    # -- the loop -------------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Watch until ``stop`` is set."""
        self.open()
        while not stop.is_set():
            self.poll(POLL)
        log.info("watchdog stopped (state %s, fired %d times)", self._state, self._fired)

    def poll(self, wait: float) -> None:
        """One step: receive heartbeats for at most ``wait`` seconds (less when a deadline comes first),
        then fire or retry if it is time."""
        self.open()
        assert self._socket is not None
        self._socket.settimeout(max(0.001, min(wait, self._until_due(time.monotonic()))))
        try:
            data, _ = self._socket.recvfrom(1024)
        except TimeoutError:
            pass
        else:
            self._receive(data)
            self._socket.setblocking(False)
            for _ in range(100):  # drain what queued meanwhile, bounded
                try:
                    data, _ = self._socket.recvfrom(1024)
                except (BlockingIOError, InterruptedError):
                    break
                self._receive(data)
        self._check(time.monotonic())

    def _until_due(self, now: float) -> float:
        if self._state == "armed" and self._last_beat is not None:
            return self._last_beat + self.timeout - now
        if self._state == "fired" and self._pending:
            return self._next_retry - now
        return POLL

    def _receive(self, data: bytes) -> None:
        kind, why = self._verifier.check(data)
        now = time.monotonic()
        if kind is None:
            self._refused += 1
            if now - self._refusals_logged_at >= 5.0:  # at most one line per 5 s
                self._refusals_logged_at = now
                log.warning("watchdog refused a datagram (%s); %d refused so far", why, self._refused)
            return
        self._accepted += 1
        if kind == "stop":
            if self._state != "waiting":
                log.info("watchdog: the bot stopped cleanly; standing down until its next heartbeat")
            self._state, self._last_beat, self._pending = "waiting", None, ()
            return
        previous = self._state
        self._state, self._last_beat, self._last_beat_wall = "armed", now, time.time()
        if previous == "waiting":
            log.info("watchdog: first heartbeat, armed (fires after %.3g s of silence)", self.timeout)
        elif previous == "fired":
            self._pending = ()
            log.info("watchdog: heartbeat again after firing, armed again")

    def _check(self, now: float) -> None:
        if self._state == "armed" and self._last_beat is not None and now - self._last_beat > self.timeout:
            self._state = "fired"
            silence = now - self._last_beat
            log.warning(
                "watchdog: no heartbeat for %.3g s (timeout %.3g s): cancelling the open spot orders on %s%s",
                silence, self.timeout, ", ".join(self.symbols),
                f" whose client order id starts with {self.prefix!r}" if self.prefix else "",
            )  # fmt: skip
            self._fire(self.symbols, silence)
            self._fired += 1  # counted once the first attempt is over (its report is in status)
        elif self._state == "fired" and self._pending and now >= self._next_retry:
            log.warning("watchdog: retrying the cancels on %s", ", ".join(self._pending))
            self._fire(self._pending, now - (self._last_beat or now))

    def _fire(self, symbols: tuple[str, ...], silence: float) -> None:
        report = FireReport(at=datetime.now(UTC), silence=silence)
        for symbol in symbols:
            try:
                report.cancelled[symbol] = self._cancel(symbol)
            except Exception as error:
                report.errors[symbol] = describe_error(error)
                log.error(
                    "watchdog: cancelling on %s failed, retrying in %.3g s: %s",
                    symbol, self.retry_every, report.errors[symbol],
                )  # fmt: skip
        self._pending = tuple(report.errors)
        self._next_retry = time.monotonic() + self.retry_every
        self._report = report
        if self.on_fire is not None:
            try:
                self.on_fire(report)
            except Exception:
                log.exception("watchdog: on_fire raised")

    def _cancel(self, symbol: str) -> list[int]:
        """Cancel the chosen open orders of ``symbol``; their ids."""
        orders = self.client.open_orders(symbol=symbol)
        chosen = [o for o in orders if self.prefix is None or str(o.client_order_id).startswith(self.prefix)]
        if not chosen:
            log.info("watchdog: no open orders to cancel on %s", symbol)
            return []
        if self.prefix is None:
            with contextlib.suppress(UnknownOrderError):  # none left: filled or cancelled meanwhile
                self.client.cancel_all_open_orders(symbol=symbol)
        else:
            for order in chosen:
                with contextlib.suppress(UnknownOrderError):  # gone, or cancelled with its order list
                    self.client.cancel_order(symbol=symbol, order_id=order.order_id)
        ids = [int(o.order_id) for o in chosen]
        log.warning("watchdog: cancelled %d open orders on %s: %s", len(ids), symbol, ids)
        return ids


__all__ = ["FireReport", "Watchdog", "WatchdogStatus"]
