"""Rate limits as Binance applies them: request weight per IP, orders per account, 429 then 418.

Weights come from the spec (the same ``x-binance-weight`` rules the clients use). Every answer carries
``X-MBX-USED-WEIGHT-1M`` and, for order calls, ``X-MBX-ORDER-COUNT-*``. Past a limit the answer is 429
with ``Retry-After`` (seconds to the window's end); an IP that keeps calling while told to wait is banned
(418 with "IP banned until <ms>") for ``ban_ms``, doubling on repeat offences.

Limits are kept per address, the connection's peer as the server sees it (never a header a client
writes). What the exchange says of its limits (``exchangeInfo``'s ``rateLimits``, the order rate limit
queries) is rewritten by ``report`` to the limits in force, so that a scaled emulator tells the truth.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ._errors import ExchangeError

MINUTE = 60_000
ORDER_WINDOWS = {
    "spot": (("10S", 10_000, 100), ("1D", 86_400_000, 200_000)),
    "usdm": (("10S", 10_000, 300), ("1M", MINUTE, 1200)),
    "coinm": (("10S", 10_000, 300), ("1M", MINUTE, 1200)),
}
WEIGHT_PER_MINUTE = {"spot": 6000, "usdm": 2400, "coinm": 2400}
RAW_REQUESTS = {"spot": (300_000, 61_000)}
"""Spot's documented raw request limit per 5 minutes (reported, not enforced)."""
INTERVAL_MS = {"SECOND": 1000, "MINUTE": MINUTE, "HOUR": 3_600_000, "DAY": 86_400_000}
LIMIT_REPORTS = frozenset(("exchange_info", "order_rate_limits", "unfilled_order_count"))


@dataclass
class _Window:
    length: int
    limit: int
    start: int = 0
    used: int = 0

    def roll(self, now: int) -> None:
        if now >= self.start + self.length:
            self.start, self.used = now - now % self.length, 0

    def seconds_left(self, now: int) -> int:
        return max(1, -(-(self.start + self.length - now) // 1000))


@dataclass
class _IpState:
    weight: _Window
    told_to_wait_until: int = 0
    strikes: int = 0
    banned_until: int = 0
    bans: int = 0


@dataclass
class RateLimits:
    """Request weight per (product, IP) and order counts per (product, account).

    ``weight_per_minute`` and ``orders`` override the documented limits (small limits make tests fast);
    ``strikes_before_ban`` is how many calls made while told to wait earn a ban.
    """

    weight_per_minute: dict[str, int] = field(default_factory=lambda: dict(WEIGHT_PER_MINUTE))
    orders: dict[str, tuple[tuple[str, int, int], ...]] = field(default_factory=lambda: dict(ORDER_WINDOWS))
    raw_requests: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(RAW_REQUESTS))
    strikes_before_ban: int = 3
    ban_ms: int = 120_000
    _ips: dict[tuple[str, str], _IpState] = field(default_factory=dict)
    _accounts: dict[tuple[str, str], dict[str, _Window]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def scaled(cls, factor: int) -> RateLimits:
        """Binance's limits times ``factor`` (a fuzzer or a contract suite sends far more than a bot)."""
        if factor < 1:
            raise ValueError("the limits scale must be at least 1")
        return cls(
            weight_per_minute={product: limit * factor for product, limit in WEIGHT_PER_MINUTE.items()},
            orders={
                product: tuple((name, ms, limit * factor) for name, ms, limit in windows)
                for product, windows in ORDER_WINDOWS.items()
            },
            raw_requests={product: (ms, limit * factor) for product, (ms, limit) in RAW_REQUESTS.items()},
        )

    def limit_of(self, product: str, kind: Any, interval: Any, interval_num: Any) -> int | None:
        """The limit in force for a ``rateLimits`` row (``REQUEST_WEIGHT``, ``ORDERS``, ``RAW_REQUESTS``)."""
        if interval not in INTERVAL_MS or not isinstance(interval_num, int):
            return None
        length = INTERVAL_MS[interval] * interval_num
        if kind == "REQUEST_WEIGHT" and length == MINUTE:
            return self.weight_per_minute.get(product)
        if kind == "ORDERS":
            return next((limit for _, ms, limit in self.orders.get(product, ()) if ms == length), None)
        if kind == "RAW_REQUESTS":
            ms, limit = self.raw_requests.get(product, (0, 0))
            return limit if ms == length else None
        return None

    def report(self, product: str, operation: str, result: Any) -> Any:
        """An answer that tells the exchange's limits, with the limits in force (others as they are)."""
        if operation not in LIMIT_REPORTS:
            return result
        if isinstance(result, dict) and isinstance(result.get("rateLimits"), list):
            return {**result, "rateLimits": [self._row(product, row) for row in result["rateLimits"]]}
        if isinstance(result, list):
            return [self._row(product, row) for row in result]
        return result

    def _row(self, product: str, row: Any) -> Any:
        if not isinstance(row, dict):
            return row
        limit = self.limit_of(product, row.get("rateLimitType"), row.get("interval"), row.get("intervalNum"))
        return row if limit is None else {**row, "limit": limit}

    def _ip(self, product: str, ip: str) -> _IpState:
        key = (product, ip)
        state = self._ips.get(key)
        if state is None:
            state = self._ips[key] = _IpState(_Window(MINUTE, self.weight_per_minute[product]))
        return state

    def _ban(self, state: _IpState, now: int) -> ExchangeError:
        state.bans += 1
        state.banned_until = now + self.ban_ms * 2 ** (state.bans - 1)
        return self.banned(state, now)

    @staticmethod
    def banned(state: _IpState, now: int) -> ExchangeError:
        seconds = max(1, -(-(state.banned_until - now) // 1000))
        return ExchangeError(
            -1003,
            f"Way too much request weight used; IP banned until {state.banned_until}. "
            "Please use WebSocket Streams for live updates to avoid bans.",
            418,
            {"Retry-After": str(seconds)},
        )

    def ban(self, product: str, ip: str, until: int) -> None:
        """Ban an IP until ``until`` (fault injection)."""
        with self._lock:
            state = self._ip(product, ip)
            state.banned_until = until

    def charge_ip(self, product: str, ip: str, weight: int, now: int) -> dict[str, str]:
        """Count a request's weight; the headers to send, or raises 429/418."""
        with self._lock:
            state = self._ip(product, ip)
            if now < state.banned_until:
                raise self.banned(state, now)
            if now < state.told_to_wait_until:
                state.strikes += 1
                if state.strikes >= self.strikes_before_ban:
                    raise self._ban(state, now)
            window = state.weight
            window.roll(now)
            window.used += weight
            headers = {"X-MBX-USED-WEIGHT-1M": str(window.used)}
            if window.used > window.limit:
                seconds = window.seconds_left(now)
                state.told_to_wait_until = max(state.told_to_wait_until, now + seconds * 1000)
                raise ExchangeError(
                    -1003,
                    f"Too much request weight used; current limit is {window.limit} request weight "
                    "per 1 MINUTE. "
                    "Please use WebSocket Streams for live updates to avoid polling the API.",
                    429,
                    {**headers, "Retry-After": str(seconds)},
                )
            state.strikes = 0
            return headers

    def refund_ip(self, product: str, ip: str, weight: int, now: int) -> dict[str, str]:
        """Give back weight charged in the current window (a request whose success costs less)."""
        with self._lock:
            window = self._ip(product, ip).weight
            window.roll(now)
            window.used = max(0, window.used - weight)
            return {"X-MBX-USED-WEIGHT-1M": str(window.used)}

    def too_many(self, product: str, ip: str, now: int, retry_after: int = 1) -> ExchangeError:
        """A forced 429 (fault injection) that still starts the wait-or-be-banned clock."""
        with self._lock:
            state = self._ip(product, ip)
            state.told_to_wait_until = max(state.told_to_wait_until, now + retry_after * 1000)
        return ExchangeError(
            -1003, "Too many requests; please slow down.", 429, {"Retry-After": str(retry_after)}
        )

    def charge_orders(self, product: str, account: str, count: int, now: int) -> dict[str, str]:
        """Count new orders of an account; the headers to send, or raises 429 -1015."""
        with self._lock:
            windows = self._accounts.setdefault(
                (product, account),
                {name: _Window(length, limit) for name, length, limit in self.orders[product]},
            )
            headers = {}
            for name, window in windows.items():
                window.roll(now)
                window.used += count
                headers[f"X-MBX-ORDER-COUNT-{name}"] = str(window.used)
            for name, window in windows.items():
                if window.used > window.limit:
                    raise ExchangeError(
                        -1015,
                        f"Too many new orders; current limit is {window.limit} orders per {name}.",
                        429,
                        {**headers, "Retry-After": str(window.seconds_left(now))},
                    )
            return headers


__all__ = ["ORDER_WINDOWS", "WEIGHT_PER_MINUTE", "RateLimits"]
