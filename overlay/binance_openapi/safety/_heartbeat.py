"""Dead man's switch: Binance's ``countdownCancelAll`` kept armed by a heartbeat, USDⓈ-M and COIN-M.

``POST /fapi/v1/countdownCancelAll`` (USDⓈ-M) and ``POST /dapi/v1/countdownCancelAll`` (COIN-M), security
``TRADE``, weight 10: each call replaces the running countdown of one symbol; when a countdown runs out,
Binance cancels every open order of that symbol; ``countdownTime=0`` stops the countdown. Binance checks
countdowns about every 10 ms and advises against countdowns that are too small or too precise (its example:
a call every 30 s with 120000 ms). Docs:
https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Auto-Cancel-All-Open-Orders

Usage::

    with DeadMansSwitch(client, symbols=["BTCUSDT"], countdown=timedelta(seconds=60)):
        ...  # trade; if this process dies or loses its network, Binance cancels the orders within 60 s

    async with DeadMansSwitch(async_client, symbols=["BTCUSD_PERP"], countdown=60_000):
        ...

Entering arms every symbol at once (and raises when that fails: a wrong key or symbol shows at start);
a thread (sync clients) or a task (async clients) then re-arms every ``rearm_every`` (by default a third
of the countdown). A failed re-arm is retried with a short backoff while time is left; each failure logs a
WARNING, and when the time left falls under ``rearm_every`` the switch logs an ERROR naming the symbols
and the time left and calls ``on_failure(status)``; it does so again when the countdown has run out
(Binance has then cancelled the orders). A clean exit disarms (``countdownTime=0``); an exit through an
exception leaves the countdowns armed, so that Binance cancels the orders of a bot that crashed.

The heartbeat proves that the process and its network are alive, not that the bot's own loop is: a bot
whose loop can hang while its threads run should stop the switch (``stop(disarm=False)``) when it notices.

Spot has no ``countdownCancelAll``: the spot watchdog (``python -m binance_openapi watchdog`` and
``WatchdogHeartbeat``, in ``_watchdog``) plays that part from a separate process.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from binance_openapi._products import AsyncCoinM, AsyncUsdM, CoinM, UsdM

    FuturesClient = UsdM | CoinM | AsyncUsdM | AsyncCoinM

log = logging.getLogger("binance_openapi.safety")

MIN_COUNTDOWN_MS = 1_000
"""Binance checks countdowns about every 10 ms and advises against small ones: one second at least."""
MAX_COUNTDOWN_MS = 2**63 - 1
"""``countdownTime`` is a LONG."""
MIN_REARM_MS = 100
"""Each re-arm costs 10 weight per symbol: no more often than ten times a second."""
SYMBOL = re.compile(r"[A-Z0-9_]{1,32}")
_SENSITIVE = re.compile(r"((?:signature|listenKey|timestamp)=)[^&\s\"']+")

OnFailure = Callable[["DeadMansSwitchStatus"], object]


def _milliseconds(value: timedelta | int, name: str) -> int:
    if isinstance(value, timedelta):
        ms = value / timedelta(milliseconds=1)
        if ms != math.floor(ms):
            raise ValueError(f"{name} must be a whole number of milliseconds, not {value}")
        return int(ms)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} is a timedelta or an int of milliseconds, not {type(value).__name__}")
    return value


def describe_error(error: BaseException) -> str:
    """``ClassName: message`` of an error, short and without signatures (never a secret)."""
    text = _SENSITIVE.sub(r"\1<redacted>", f"{type(error).__name__}: {error}")
    return text if len(text) <= 300 else text[:297] + "..."


@dataclass(frozen=True)
class SymbolStatus:
    """Where one symbol's countdown stands.

    * **armed_at** - when the last successful re-arm was sent (UTC), ``None`` before the first.
    * **expires_at** - when that countdown runs out at the latest (``armed_at + countdown``).
    * **failures** - failed re-arms since the last success; **total_failures** - since the start.
    * **last_error** - the last failure, ``ClassName: message``.
    * **late** - re-arming has failed for so long that less than ``rearm_every`` is left.
    * **expired** - the countdown has run out: Binance has cancelled the symbol's open orders.
    """

    symbol: str
    armed_at: datetime | None
    expires_at: datetime | None
    failures: int
    total_failures: int
    last_error: str | None
    late: bool
    expired: bool

    def time_left(self, now: datetime | None = None) -> timedelta | None:
        """How long the countdown still runs (negative once it has run out), ``None`` before arming."""
        if self.expires_at is None:
            return None
        return self.expires_at - (now or datetime.now(UTC))


@dataclass(frozen=True)
class DeadMansSwitchStatus:
    """A snapshot of a dead man's switch: ``running``, its settings and each symbol's ``SymbolStatus``."""

    running: bool
    countdown: timedelta
    rearm_every: timedelta
    symbols: dict[str, SymbolStatus]

    @property
    def late(self) -> list[str]:
        """Symbols whose countdown may run out (or has): re-arming has been failing."""
        return [s.symbol for s in self.symbols.values() if s.late or s.expired]

    @property
    def expired(self) -> list[str]:
        """Symbols whose countdown has run out."""
        return [s.symbol for s in self.symbols.values() if s.expired]

    @property
    def healthy(self) -> bool:
        """Every symbol armed, none late."""
        return all(s.armed_at is not None and not (s.late or s.expired) for s in self.symbols.values())


@dataclass
class _Symbol:
    name: str
    armed_mono: float | None = None  # monotonic time the last successful re-arm was sent
    armed_wall: float | None = None  # the same instant on the wall clock
    next_attempt: float = 0.0
    failures: int = 0
    total_failures: int = 0
    last_error: str | None = None
    late: bool = False
    expired: bool = False


@dataclass
class _Plan:
    """The switch's decisions without I/O: when to re-arm each symbol, when to retry, what to report.

    Times are ``time.monotonic()`` seconds; the wall clock only labels the status."""

    countdown: float
    rearm: float
    symbols: dict[str, _Symbol] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[str], countdown_ms: int, rearm_ms: int) -> _Plan:
        return cls(countdown_ms / 1000, rearm_ms / 1000, {name: _Symbol(name) for name in names})

    def due(self, now: float) -> list[str]:
        return [s.name for s in self.symbols.values() if s.next_attempt <= now]

    def wait(self, now: float) -> float:
        """Seconds until the next attempt or the next deadline to report."""
        times = [s.next_attempt for s in self.symbols.values()]
        times += [s.armed_mono + self.countdown for s in self.symbols.values() if s.armed_mono is not None]
        times += [
            s.armed_mono + self.countdown - self.rearm
            for s in self.symbols.values()
            if s.failures and s.armed_mono is not None
        ]
        upcoming = [t - now for t in times if t > now]
        return max(0.0, min(upcoming, default=self.rearm))

    def left(self, symbol: _Symbol, now: float) -> float | None:
        return None if symbol.armed_mono is None else symbol.armed_mono + self.countdown - now

    def armed(self, name: str, sent_mono: float, sent_wall: float) -> int:
        """A re-arm sent at ``sent_mono`` succeeded; returns the failures it ends."""
        symbol = self.symbols[name]
        ended = symbol.failures
        symbol.armed_mono, symbol.armed_wall = sent_mono, sent_wall
        symbol.next_attempt = sent_mono + self.rearm
        symbol.failures, symbol.late, symbol.expired = 0, False, False
        return ended

    def failed(self, name: str, now: float, error: str) -> None:
        """A re-arm failed at ``now``: schedule the retry (doubling from a tenth of the re-arm interval,
        at most a quarter of the time left, never more than the re-arm interval)."""
        symbol = self.symbols[name]
        symbol.failures += 1
        symbol.total_failures += 1
        symbol.last_error = error
        base = min(1.0, max(0.05, self.rearm / 10))
        delay = min(base * 2 ** (symbol.failures - 1), self.rearm)
        left = self.left(symbol, now)
        if left is not None and left > 0:
            delay = min(delay, max(base, left / 4))
        symbol.next_attempt = now + delay

    def alarms(self, now: float) -> list[tuple[str, str, float]]:
        """``(symbol, "late" | "expired", time left)`` for each symbol that newly crossed a line."""
        found: list[tuple[str, str, float]] = []
        for symbol in self.symbols.values():
            left = self.left(symbol, now)
            if left is None or (not symbol.failures and left > 0):
                continue
            if left <= 0 and not symbol.expired:
                symbol.expired = symbol.late = True
                found.append((symbol.name, "expired", left))
            elif 0 < left < self.rearm and not symbol.late:
                symbol.late = True
                found.append((symbol.name, "late", left))
        return found

    def status(self, running: bool) -> DeadMansSwitchStatus:
        def wall(seconds: float | None, plus: float = 0.0) -> datetime | None:
            return None if seconds is None else datetime.fromtimestamp(seconds + plus, UTC)

        return DeadMansSwitchStatus(
            running=running,
            countdown=timedelta(seconds=self.countdown),
            rearm_every=timedelta(seconds=self.rearm),
            symbols={
                s.name: SymbolStatus(
                    symbol=s.name,
                    armed_at=wall(s.armed_wall),
                    expires_at=wall(s.armed_wall, self.countdown),
                    failures=s.failures,
                    total_failures=s.total_failures,
                    last_error=s.last_error,
                    late=s.late,
                    expired=s.expired,
                )
                for s in self.symbols.values()
            },
        )


class DeadMansSwitch:
    """Keep Binance's ``countdownCancelAll`` armed for ``symbols`` while the block runs.

    ``with`` for ``UsdM``/``CoinM`` (a daemon thread re-arms), ``async with`` for ``AsyncUsdM``/
    ``AsyncCoinM`` (a task re-arms). See the module docstring for the whole behaviour.

    **Parameters:**

    * **client** - a futures client with a key that may trade.
    * **symbols** - the contracts to protect (``"BTCUSDT"``, ``"BTCUSD_PERP"``); at least one.
    * **countdown** - how long Binance waits after the last re-arm before it cancels: a ``timedelta`` or
      milliseconds, a whole number of milliseconds, at least one second (Binance: "checked approximately
      every 10 milliseconds ... we do not recommend setting the countdown time to be too small").
    * **rearm_every** - the re-arm interval (``timedelta`` or milliseconds), at most half the countdown so
      that a failed re-arm can be retried; default a third of it. Keep the client's ``timeout`` shorter.
    * **on_failure** - called with the ``DeadMansSwitchStatus`` when a symbol's countdown is about to run
      out because re-arming failed, and when it has run out (from the heartbeat thread, or awaited in the
      task when it returns an awaitable; keep it short, re-arming waits for it). Its errors are logged,
      never raised.
    """

    def __init__(
        self,
        client: FuturesClient,
        *,
        symbols: Iterable[str],
        countdown: timedelta | int = timedelta(seconds=120),
        rearm_every: timedelta | int | None = None,
        on_failure: OnFailure | None = None,
    ) -> None:
        product = getattr(client, "product", None)
        if product == "spot":
            raise TypeError(
                "spot has no countdownCancelAll: run the spot watchdog (python -m binance_openapi watchdog) "
                "and send it heartbeats with WatchdogHeartbeat"
            )
        if product not in ("usdm", "coinm") or not hasattr(client, "countdown_cancel_all"):
            raise TypeError(
                "DeadMansSwitch needs a UsdM, CoinM, AsyncUsdM or AsyncCoinM client, "
                f"not {type(client).__name__}"
            )
        if isinstance(symbols, str):
            raise TypeError(f"symbols is a list, not the string {symbols!r}: symbols=[{symbols!r}]")
        names = list(symbols)
        if not names:
            raise ValueError("symbols must name at least one contract")
        for name in names:
            if not isinstance(name, str) or not SYMBOL.fullmatch(name):
                raise ValueError(f"symbol {name!r} is not a Binance symbol (upper case, like 'BTCUSDT')")
        if len(set(names)) != len(names):
            raise ValueError(f"symbols are listed twice: {sorted({n for n in names if names.count(n) > 1})}")
        countdown_ms = _milliseconds(countdown, "countdown")
        if not MIN_COUNTDOWN_MS <= countdown_ms <= MAX_COUNTDOWN_MS:
            raise ValueError(
                f"countdown must be at least {MIN_COUNTDOWN_MS} ms (Binance checks countdowns about every "
                f"10 ms and advises against small ones; its example is 120000), not {countdown_ms} ms"
            )
        rearm_ms = countdown_ms // 3 if rearm_every is None else _milliseconds(rearm_every, "rearm_every")
        if not MIN_REARM_MS <= rearm_ms <= countdown_ms // 2:
            raise ValueError(
                f"rearm_every must be between {MIN_REARM_MS} ms and half the countdown "
                f"({countdown_ms // 2} ms), so that a failed re-arm can be retried before Binance cancels; "
                f"not {rearm_ms} ms"
            )
        if on_failure is not None and not callable(on_failure):
            raise TypeError("on_failure must be a callable taking the DeadMansSwitchStatus")
        self.client = client
        self.symbols = tuple(names)
        self.countdown_ms = countdown_ms
        self.rearm_ms = rearm_ms
        self.on_failure = on_failure
        self._is_async = inspect.iscoroutinefunction(client.countdown_cancel_all)
        self._plan = _Plan.of(names, countdown_ms, rearm_ms)
        self._lock = threading.Lock()
        self._running = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._astop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return (
            f"DeadMansSwitch({type(self.client).__name__}, symbols={list(self.symbols)}, "
            f"countdown={self.countdown_ms} ms, rearm_every={self.rearm_ms} ms, running={self._running})"
        )

    @property
    def status(self) -> DeadMansSwitchStatus:
        """A snapshot: last armed time, expiry, failures of each symbol."""
        with self._lock:
            return self._plan.status(self._running)

    # -- shared steps ---------------------------------------------------------------------------------

    def _need(self, is_async: bool) -> None:
        if self._is_async != is_async:
            kind = "an async client: use `async with` / astart()" if self._is_async else "a sync client"
            raise TypeError(f"this DeadMansSwitch has {kind}")
        if self._running:
            raise RuntimeError("this DeadMansSwitch is already running")

    def _sent(self, symbol: str, sent: tuple[float, float]) -> None:
        with self._lock:
            ended = self._plan.armed(symbol, *sent)
        if ended:
            log.warning("dead man's switch re-armed %s after %d failed attempts", symbol, ended)

    def _failed(self, symbol: str, error: BaseException) -> None:
        now = time.monotonic()
        text = describe_error(error)
        with self._lock:
            self._plan.failed(symbol, now, text)
            state = self._plan.symbols[symbol]
            left = self._plan.left(state, now)
            retry = state.next_attempt - now
        shown = "unknown" if left is None else f"{left:.1f} s"
        log.warning(
            "dead man's switch could not re-arm %s (attempt %d, %s of the %.1f s countdown left), "
            "retrying in %.2f s: %s",
            symbol, state.failures, shown, self._plan.countdown, retry, text,
        )  # fmt: skip

    def _alarms(self) -> bool:
        """Log the symbols that newly crossed the late or expired line; whether to call ``on_failure``."""
        with self._lock:
            found = self._plan.alarms(time.monotonic())
        late = [f"{symbol} ({left:.1f} s left)" for symbol, kind, left in found if kind == "late"]
        expired = [symbol for symbol, kind, _ in found if kind == "expired"]
        if late:
            log.error(
                "dead man's switch could not re-arm in time: Binance will cancel the open orders of %s "
                "unless a retry succeeds (still retrying)",
                ", ".join(late),
            )
        if expired:
            log.error(
                "dead man's switch countdown ran out for %s: Binance cancels (or has cancelled) their open "
                "orders (still retrying to re-arm)",
                ", ".join(expired),
            )
        return bool(found) and self.on_failure is not None

    def _sleep_for(self) -> float:
        with self._lock:
            return self._plan.wait(time.monotonic())

    def _due(self) -> list[str]:
        with self._lock:
            return self._plan.due(time.monotonic())

    def _start_failed(self, symbol: str, error: Exception, undone: list[str]) -> RuntimeError:
        text = f"dead man's switch could not arm {symbol} at start: {describe_error(error)}"
        if undone:
            text += f" (could not disarm {', '.join(undone)}: their countdowns run)"
        self._plan = _Plan.of(self.symbols, self.countdown_ms, self.rearm_ms)
        return RuntimeError(text)

    def _left_armed(self) -> None:
        status = self.status
        left = [
            f"{s.symbol} (expires {s.expires_at:%H:%M:%S} UTC)"
            for s in status.symbols.values()
            if s.expires_at is not None
        ]
        if left:
            log.warning(
                "dead man's switch stopped without disarming: Binance will cancel the open orders of %s",
                ", ".join(left),
            )

    def _disarm_failed(self, symbol: str, error: BaseException) -> None:
        log.error(
            "dead man's switch could not disarm %s: its countdown still runs and Binance will cancel its "
            "open orders when it ends: %s",
            symbol, describe_error(error),
        )  # fmt: skip

    # -- sync -----------------------------------------------------------------------------------------

    def _arm(self, symbol: str, countdown_ms: int) -> tuple[float, float]:
        sent = (time.monotonic(), time.time())
        answer: Any = self.client.countdown_cancel_all(symbol=symbol, countdown_time=countdown_ms)
        del answer  # the sync clients answer the Countdown; a failure raises
        return sent

    def start(self) -> Self:
        """Arm every symbol now (raising ``RuntimeError`` if one fails) and start the re-arming thread."""
        self._need(is_async=False)
        for index, symbol in enumerate(self.symbols):
            try:
                self._sent(symbol, self._arm(symbol, self.countdown_ms))
            except Exception as error:
                undone = []
                for armed in self.symbols[:index]:  # those armed already are disarmed again
                    try:
                        self._arm(armed, 0)
                    except Exception as failure:
                        self._disarm_failed(armed, failure)
                        undone.append(armed)
                raise self._start_failed(symbol, error, undone) from error
        self._stop.clear()
        self._running = True
        self._thread = threading.Thread(target=self._run, name="dead-mans-switch", daemon=True)
        self._thread.start()
        log.info(
            "dead man's switch armed for %s: countdown %d ms, re-armed every %d ms",
            ", ".join(self.symbols), self.countdown_ms, self.rearm_ms,
        )  # fmt: skip
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            for symbol in self._due():
                if self._stop.is_set():
                    return
                try:
                    self._sent(symbol, self._arm(symbol, self.countdown_ms))
                except Exception as error:
                    self._failed(symbol, error)
            if self._alarms():
                self._call_back()
            self._stop.wait(self._sleep_for())

    def _call_back(self) -> None:
        assert self.on_failure is not None
        try:
            self.on_failure(self.status)
        except Exception:
            log.exception("dead man's switch: on_failure raised")

    def stop(self, *, disarm: bool = True) -> list[str]:
        """Stop re-arming; with ``disarm`` also stop the countdowns (``countdownTime=0``). Returns the
        symbols that could not be disarmed (their countdowns still run)."""
        if self._is_async:
            raise TypeError("this DeadMansSwitch has an async client: use `await astop()`")
        if not self._running:
            return []
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._running = False
        if not disarm:
            self._left_armed()
            return []
        failed: list[str] = []
        for symbol in self.symbols:
            try:
                self._arm(symbol, 0)
            except Exception as error:
                self._disarm_failed(symbol, error)
                failed.append(symbol)
        if not failed:
            log.info("dead man's switch disarmed %s", ", ".join(self.symbols))
        return failed

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop(disarm=exc_type is None)

    # -- async ----------------------------------------------------------------------------------------

    async def _aarm(self, symbol: str, countdown_ms: int) -> tuple[float, float]:
        sent = (time.monotonic(), time.time())
        answer: Any = self.client.countdown_cancel_all(symbol=symbol, countdown_time=countdown_ms)
        await answer
        return sent

    async def astart(self) -> Self:
        """Arm every symbol now (raising ``RuntimeError`` if one fails) and start the re-arming task."""
        self._need(is_async=True)
        for index, symbol in enumerate(self.symbols):
            try:
                self._sent(symbol, await self._aarm(symbol, self.countdown_ms))
            except Exception as error:
                undone = []
                for armed in self.symbols[:index]:  # those armed already are disarmed again
                    try:
                        await self._aarm(armed, 0)
                    except Exception as failure:
                        self._disarm_failed(armed, failure)
                        undone.append(armed)
                raise self._start_failed(symbol, error, undone) from error
        self._astop = asyncio.Event()
        self._running = True
        self._task = asyncio.create_task(self._arun(self._astop), name="dead-mans-switch")
        log.info(
            "dead man's switch armed for %s: countdown %d ms, re-armed every %d ms",
            ", ".join(self.symbols), self.countdown_ms, self.rearm_ms,
        )  # fmt: skip
        return self

    async def _arun(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for symbol in self._due():
                if stop.is_set():
                    return
                try:
                    self._sent(symbol, await self._aarm(symbol, self.countdown_ms))
                except Exception as error:
                    self._failed(symbol, error)
            if self._alarms():
                await self._acall_back()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._sleep_for())

    async def _acall_back(self) -> None:
        assert self.on_failure is not None
        try:
            result = self.on_failure(self.status)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("dead man's switch: on_failure raised")

    async def astop(self, *, disarm: bool = True) -> list[str]:
        """``stop`` for an async client."""
        if not self._is_async:
            raise TypeError("this DeadMansSwitch has a sync client: use stop()")
        if not self._running:
            return []
        assert self._astop is not None
        assert self._task is not None
        self._astop.set()
        await self._task
        self._running = False
        if not disarm:
            self._left_armed()
            return []
        failed: list[str] = []
        for symbol in self.symbols:
            try:
                await self._aarm(symbol, 0)
            except Exception as error:
                self._disarm_failed(symbol, error)
                failed.append(symbol)
        if not failed:
            log.info("dead man's switch disarmed %s", ", ".join(self.symbols))
        return failed

    async def __aenter__(self) -> Self:
        return await self.astart()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.astop(disarm=exc_type is None)


__all__ = ["DeadMansSwitch", "DeadMansSwitchStatus", "SymbolStatus", "describe_error"]
