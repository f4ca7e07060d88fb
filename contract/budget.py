"""A request budget per minute for runs against a real exchange: requests and the spec's weights.

Binance's testnets limit each IP's request weight per minute (``exchangeInfo``'s ``REQUEST_WEIGHT``:
6,000 on spot, 2,400 on the futures testnet) and ban an IP that keeps going past it. A testnet run of the
suite charges every request it sends (schemathesis' cases and its own calls: the clock, exchangeInfo,
cancels) to a ``Budget`` before sending it, at the weight the spec's ``x-binance-weight`` gives for the
parameters sent, and waits when the last minute's total would go past the budget. The defaults stay far
inside the testnets' limits.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import requests.adapters

from binance_openapi._weights import request_weight

WINDOW_S = 60.0
DEFAULT_WEIGHT_PER_MINUTE = 600
DEFAULT_REQUESTS_PER_MINUTE = 300


@dataclass
class Budget:
    """At most ``weight_per_minute`` of request weight and ``requests_per_minute`` requests in any
    60 s; ``charge`` waits (``sleep``) until a request fits. Totals are kept for the run's report."""

    weight_per_minute: int = DEFAULT_WEIGHT_PER_MINUTE
    requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    weight: int = 0
    waited: float = 0.0
    _sent: deque[tuple[float, int]] = field(default_factory=deque)

    def __post_init__(self) -> None:
        if self.weight_per_minute < 1 or self.requests_per_minute < 1:
            raise ValueError("a budget needs at least 1 request and 1 weight per minute")

    def charge(self, weight: int) -> None:
        """Account for one request of ``weight``, first waiting until the last minute leaves room.

        A request heavier than the whole budget is sent alone, once the window is empty."""
        weight = max(0, weight)
        for _ in range(self.requests_per_minute + 2):  # each pass drops at least one old request
            now = self.clock()
            while self._sent and now - self._sent[0][0] >= WINDOW_S:
                self._sent.popleft()
            used = sum(charged for _, charged in self._sent)
            fits = len(self._sent) < self.requests_per_minute and (
                used + weight <= self.weight_per_minute or not self._sent
            )
            if fits:
                break
            pause = WINDOW_S - (now - self._sent[0][0])
            self.waited += pause
            self.sleep(pause)
        self._sent.append((self.clock(), weight))
        self.requests += 1
        self.weight += weight

    def charge_operation(self, rule: Mapping[str, Any] | None, params: Mapping[str, Any] | None) -> int:
        """Charge one call of an operation whose ``x-binance-weight`` is ``rule``; returns its weight."""
        weight = request_weight(rule or {}, dict(params or {})) if rule else 1
        self.charge(weight)
        return weight

    def line(self, product: str) -> str:
        """The run's totals, one line the runner reads back (``contract-budget spot requests=...``)."""
        return (
            f"contract-budget {product} requests={self.requests} weight={self.weight} "
            f"waited={self.waited:.1f}s limit={self.weight_per_minute}/min,{self.requests_per_minute}req/min"
        )


class BudgetAdapter(requests.adapters.HTTPAdapter):
    """A ``requests`` transport that charges every request it sends to a ``Budget`` first."""

    def __init__(self, budget: Budget, weigh: Callable[[requests.PreparedRequest], int]) -> None:
        super().__init__()
        self.budget = budget
        self.weigh = weigh

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.budget.charge(self.weigh(request))
        return super().send(request, *args, **kwargs)


__all__ = ["DEFAULT_REQUESTS_PER_MINUTE", "DEFAULT_WEIGHT_PER_MINUTE", "Budget", "BudgetAdapter"]
