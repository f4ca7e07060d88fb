"""Rate limits: a ledger of what has been used in each window, that says how long to wait.

Binance counts request weight per IP and orders per account, in fixed windows aligned to its clock
(``REQUEST_WEIGHT 1m``, ``ORDERS 10s``...). The ledger starts from the product's documented limits,
learns the exact ones from ``exchangeInfo.rateLimits``, reserves each call's weight (from the spec) before
it is sent, and takes Binance's own count from the ``X-MBX-USED-WEIGHT-*`` / ``X-MBX-ORDER-COUNT-*``
headers after. It never sleeps: it returns how long to wait, and the client's sync or async shell waits.

A reservation stays *in flight* until its answer arrives (``settle``): Binance's count in the headers
does not include calls it has not seen yet, so the ledger's count is Binance's count plus what is still
in flight, and a burst of concurrent calls cannot overshoot a window.

A 429 is a lesson (``refused``): the window it names (``current limit is 100 orders per 10 SECOND``,
else the window whose header count is over its limit) is full until ``Retry-After``, and its limit is
lowered, for the rest of the session, to what Binance actually allowed (the limit its message names,
else its count before the refused call), even if ``exchangeInfo`` advertises more: the next window then
stays under it instead of earning a 418. A 418 bans the ledger until the time Binance gives, and every
call fails fast with ``IPBannedError`` until then. Ledgers are shared by every client of the same
process that talks to the same host (weights) with the same API key (orders). Thread-safe; nothing in
it awaits, so it is task-safe too.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._errors import IPBannedError

Policy = Literal["wait", "raise"]
UNIT_MS = {"S": 1_000, "M": 60_000, "H": 3_600_000, "D": 86_400_000}
INTERVAL_NAMES = {"SECOND": "S", "MINUTE": "M", "HOUR": "H", "DAY": "D"}
HEADER = re.compile(r"^x-mbx-(used-weight|order-count)-(\d+)([smhd])$", re.I)
# "current limit is 6000 request weight per 1 MINUTE", "current limit is 100 orders per 10 SECOND"
REFUSAL = re.compile(
    r"current limit is (\d+) (request weight|orders?)\b.*?per (\d+) ?(SECOND|MINUTE|HOUR|DAY|[SMHD])\b", re.I
)
# The documented limits, used until exchangeInfo says otherwise.
DEFAULT_LIMITS: dict[str, dict[tuple[str, str], int]] = {
    "spot": {("weight", "1m"): 6000, ("orders", "10s"): 100, ("orders", "1d"): 200_000},
    "usdm": {("weight", "1m"): 2400, ("orders", "10s"): 300, ("orders", "1m"): 1200},
    "coinm": {("weight", "1m"): 2400, ("orders", "1m"): 1200},
}


def interval_ms(interval: str) -> int:
    """``"10s"`` → 10000."""
    return int(interval[:-1]) * UNIT_MS[interval[-1].upper()]


@dataclass
class Window:
    """One fixed window: ``used`` of ``limit`` since ``start_ms``."""

    kind: str
    interval: str
    limit: int
    used: int = 0
    start_ms: int = 0
    in_flight: int = 0
    """Reserved by calls whose answer has not arrived (not yet in Binance's count)."""
    learned: int | None = None
    """The limit a 429 showed, kept for the session (``exchangeInfo`` cannot raise it again)."""
    full_until_ms: int = 0

    @property
    def length_ms(self) -> int:
        return interval_ms(self.interval)

    def roll(self, now_ms: int) -> None:
        # also when time went back: the first reservations may precede the first clock measurement
        if now_ms >= self.start_ms + self.length_ms or now_ms < self.start_ms:
            start = now_ms - now_ms % self.length_ms
            # calls still in flight at the end of the last window may be counted in this one (once:
            # a reservation never settled, e.g. a cancelled task, is forgotten after one window)
            self.used = self.in_flight if start == self.start_ms + self.length_ms else 0
            self.start_ms = start
            self.in_flight = 0

    def set_limit(self, limit: int) -> None:
        self.limit = limit if self.learned is None else min(limit, self.learned)


@dataclass
class Ledger:
    """The windows of one host (weights) or one account (orders), and the ban/back-off state."""

    windows: dict[tuple[str, str], Window] = field(default_factory=dict)
    blocked_until_ms: int = 0
    banned_until_ms: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set_limits(self, limits: Mapping[tuple[str, str], int]) -> None:
        with self.lock:
            for (kind, interval), limit in limits.items():
                window = self.windows.get((kind, interval))
                if window is None:
                    self.windows[(kind, interval)] = Window(kind, interval, limit)
                else:
                    window.set_limit(limit)

    def _targets(self, weight: int, orders: Mapping[str, int]) -> list[tuple[Window, int]]:
        targets = []
        for window in self.windows.values():
            if window.kind == "weight" and weight:
                targets.append((window, weight))
            elif window.kind == "orders":
                count = orders.get("unfilled", orders.get(window.interval, 0))
                if count:
                    targets.append((window, count))
        return targets

    def reserve(self, weight: int, orders: Mapping[str, int], now_ms: int) -> int:
        """Reserve capacity for one call: 0 when done, else milliseconds to wait before trying again.

        Raises ``IPBannedError`` while a ban lasts.
        """
        with self.lock:
            if now_ms < self.banned_until_ms:
                raise _banned(self.banned_until_ms)
            if now_ms < self.blocked_until_ms:
                return self.blocked_until_ms - now_ms
            targets = self._targets(weight, orders)
            wait = 0
            for window, amount in targets:
                window.roll(now_ms)
                if now_ms < window.full_until_ms:
                    wait = max(wait, window.full_until_ms - now_ms)
                elif window.used + amount > window.limit and window.used > 0:
                    wait = max(wait, window.start_ms + window.length_ms - now_ms)
            if wait:
                return wait
            for window, amount in targets:
                window.used += amount
                window.in_flight += amount
            return 0

    def release(self, weight: int, orders: Mapping[str, int]) -> None:
        """A reserved call is answered (or failed): it is no longer in flight (its count stays)."""
        with self.lock:
            for window, amount in self._targets(weight, orders):
                window.in_flight = max(0, window.in_flight - amount)

    def give_back(self, weight: int, orders: Mapping[str, int]) -> None:
        """A reserved call is not sent after all: neither in flight nor counted."""
        with self.lock:
            for window, amount in self._targets(weight, orders):
                window.in_flight = max(0, window.in_flight - amount)
                window.used = max(0, window.used - amount)

    def observe(self, headers: Mapping[str, str], now_ms: int) -> None:
        """Take Binance's count of the current windows from the response headers, plus what is in
        flight (reserved, not yet seen by Binance)."""
        with self.lock:
            for key, value in _header_counts(headers):
                window = self.windows.get(key)
                if window is not None:
                    window.roll(now_ms)
                    window.used = value + window.in_flight

    def refused(self, message: str, headers: Mapping[str, str], until_ms: int, amount: int = 0) -> bool:
        """Learn from a 429: the window it names is full until ``until_ms`` and its limit is lowered to
        what Binance allowed. ``amount`` is what the refused call asked of that window. False when the
        refusal names none of this ledger's windows (the caller then blocks the whole ledger)."""
        counts = dict(_header_counts(headers))
        named = _named_window(message)
        with self.lock:
            counted = [k for k in counts if k in self.windows]
            if named is not None:
                keys = [named[0]] if named[0] in self.windows else []
            else:  # the windows Binance counts past their limit, else the only one it counts
                keys = [k for k in counted if counts[k] > self.windows[k].limit]
                keys = keys or (counted if len(counted) == 1 else [])
            for key in keys:
                window = self.windows[key]
                allowed = named[1] if named is not None else max(1, counts[key] - amount)
                window.learned = min(allowed, window.learned or allowed)
                window.limit = min(window.limit, window.learned)
                window.full_until_ms = max(window.full_until_ms, until_ms)
            return bool(keys)

    def block(self, until_ms: int) -> None:
        """After a 429: no call before ``until_ms``."""
        with self.lock:
            self.blocked_until_ms = max(self.blocked_until_ms, until_ms)

    def ban(self, until_ms: int) -> None:
        """After a 418: every call fails until ``until_ms``."""
        with self.lock:
            self.banned_until_ms = max(self.banned_until_ms, until_ms)

    def banned(self, now_ms: int) -> bool:
        return now_ms < self.banned_until_ms

    def full_window(self, weight: int, orders: Mapping[str, int], now_ms: int) -> str | None:
        """Which window keeps this call from going now, and why (for the error that says so)."""
        with self.lock:
            if now_ms < self.blocked_until_ms:
                return "every window (a 429's Retry-After)"
            for window, amount in self._targets(weight, orders):
                name = f"{'REQUEST_WEIGHT' if window.kind == 'weight' else 'ORDERS'} {window.interval}"
                if now_ms < window.full_until_ms:
                    return f"{name} (full until a 429's Retry-After; limit {window.limit})"
                if window.used + amount > window.limit and window.used > 0:
                    return f"{name} (used {window.used} of {window.limit}, this call needs {amount})"
        return None


def _header_counts(headers: Mapping[str, str]) -> Iterable[tuple[tuple[str, str], int]]:
    for name, value in headers.items():
        match = HEADER.match(name)
        if match is not None and value.isdigit():
            kind = "weight" if match.group(1).lower() == "used-weight" else "orders"
            yield (kind, f"{match.group(2)}{match.group(3).lower()}"), int(value)


def _named_window(message: str) -> tuple[tuple[str, str], int] | None:
    """``((kind, interval), limit)`` of the window a 429 message names, if it names one."""
    match = REFUSAL.search(message)
    if match is None:
        return None
    kind = "weight" if match.group(2).lower().startswith("request") else "orders"
    unit = INTERVAL_NAMES.get(match.group(4).upper(), match.group(4).upper())
    return (kind, f"{match.group(3)}{unit.lower()}"), int(match.group(1))


def _banned(until_ms: int) -> IPBannedError:
    return IPBannedError(
        banned_until=until_ms,
        status=418,
        code=-1003,
        message=f"IP banned until {until_ms}: the client refuses calls until then",
        method="*",
        path="*",
    )


def limits_from_exchange_info(rate_limits: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """``exchangeInfo.rateLimits`` as ledger limits (``RAW_REQUESTS`` is not tracked)."""
    limits: dict[tuple[str, str], int] = {}
    for item in rate_limits:
        kind = {"REQUEST_WEIGHT": "weight", "ORDERS": "orders"}.get(str(item.get("rateLimitType")))
        unit = INTERVAL_NAMES.get(str(item.get("interval")))
        if kind and unit and item.get("intervalNum") and item.get("limit"):
            limits[(kind, f"{item['intervalNum']}{unit.lower()}")] = int(item["limit"])
    return limits


_REGISTRY: dict[tuple[str, ...], Ledger] = {}
_REGISTRY_LOCK = threading.Lock()


def shared_ledger(*key: str, defaults: Mapping[tuple[str, str], int]) -> Ledger:
    """The process-wide ledger for ``key`` (created with ``defaults`` the first time)."""
    with _REGISTRY_LOCK:
        ledger = _REGISTRY.get(key)
        if ledger is None:
            ledger = _REGISTRY[key] = Ledger()
            ledger.set_limits(defaults)
        return ledger


def account_key(api_key: str | None) -> str:
    """A stable, non-secret name for an account's ledger (API keys are public, but keep it short)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16] if api_key else "anonymous"


@dataclass
class Limits:
    """The two ledgers a client uses: weights per host, orders per account, and how to react."""

    ip: Ledger
    account: Ledger
    policy: Policy = "wait"
    max_wait_s: float = 60.0

    @classmethod
    def shared(
        cls, product: str, host: str, api_key: str | None, policy: Policy, max_wait_s: float
    ) -> Limits:
        defaults = DEFAULT_LIMITS[product]
        weights = {k: v for k, v in defaults.items() if k[0] == "weight"}
        orders = {k: v for k, v in defaults.items() if k[0] == "orders"}
        return cls(
            ip=shared_ledger("ip", product, host, defaults=weights),
            account=shared_ledger("account", product, host, account_key(api_key), defaults=orders),
            policy=policy,
            max_wait_s=max_wait_s,
        )

    def configure(self, rate_limits: Iterable[Mapping[str, Any]]) -> None:
        limits = limits_from_exchange_info(rate_limits)
        self.ip.set_limits({k: v for k, v in limits.items() if k[0] == "weight"})
        self.account.set_limits({k: v for k, v in limits.items() if k[0] == "orders"})

    def reserve(self, weight: int, orders: Mapping[str, int], now_ms: int) -> int:
        """Milliseconds to wait before this call may go (0: it is reserved, and in flight until
        ``settle``)."""
        wait = self.ip.reserve(weight, {}, now_ms)
        if wait:
            return wait
        wait = self.account.reserve(0, orders, now_ms)
        if wait:  # give the weight back: the call is not going now
            self.ip.give_back(weight, {})
        return wait

    def full_window(self, weight: int, orders: Mapping[str, int], now_ms: int) -> str:
        """The window that makes a call wait, named for ``ThrottledError``."""
        return (
            self.ip.full_window(weight, {}, now_ms)
            or self.account.full_window(0, orders, now_ms)
            or "a rate limit window"
        )

    def settle(self, weight: int, orders: Mapping[str, int], headers: Mapping[str, str], now_ms: int) -> None:
        """A reserved call is over (``headers`` of its answer, empty when there was none)."""
        self.ip.release(weight, {})
        self.account.release(0, orders)
        self.observe(headers, now_ms)

    def observe(self, headers: Mapping[str, str], now_ms: int) -> None:
        self.ip.observe(headers, now_ms)
        self.account.observe(headers, now_ms)

    def refused(
        self, message: str, headers: Mapping[str, str], until_ms: int, weight: int, orders: Mapping[str, int]
    ) -> None:
        """After a 429: the window it names is full until ``until_ms``, its limit lowered for the session
        to what Binance allowed. A 429 that names no window blocks the whole IP ledger."""
        if "order" in message.lower():  # -1015 "Too many new orders..."
            learned = self.account.refused(message, headers, until_ms, max(orders.values(), default=0))
        else:  # -1003 "Too much request weight used..."
            learned = self.ip.refused(message, headers, until_ms, weight)
        if not learned:
            self.ip.block(until_ms)


__all__ = [
    "DEFAULT_LIMITS",
    "Ledger",
    "Limits",
    "Policy",
    "Window",
    "limits_from_exchange_info",
    "shared_ledger",
]
