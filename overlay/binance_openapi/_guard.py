"""Where a risk guard plugs into the clients: the protocols the clients call, nothing more.

The guard itself lives above the clients (``binance_openapi.safety``); the clients know only these
hooks, so that imports point one way:

* REST: ``_Core._validate`` runs ``guard.check_request(request, operation)`` inside the call's policy
  flow (sync and async alike: the state it needs is fetched with ``_policy.fetch`` through the same
  client), and the flow tells ``guard.failed(operation.id, error)`` about every call that failed.
* WebSocket API: ``WsApi._place`` (the one method every WS API order goes through) is wrapped by
  ``guarded``: ``await guard.check_ws(operation_id, params)`` before (``operation_id``: the REST
  operation the method mirrors in the WebSocket API catalogue, so that a modification is checked as over
  REST), ``guard.failed(operation_id, error)`` when the order failed (the method's name when it mirrors
  no operation).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import httpx

from ._errors import BinanceError
from ._operation import OperationLike
from ._policy import Action

S = TypeVar("S", bound="WsOrders")
W = TypeVar("W", bound="WsOrders")
P = ParamSpec("P")
T = TypeVar("T")


class RiskHook(Protocol):
    """What the clients call on the risk guard they were given (and what a caller reaches through
    ``client.risk``)."""

    def reset(self) -> None:
        """Re-open the circuit breaker."""
        ...

    def attach(self, api: W) -> W:
        """Check every order the WS API client ``api`` places; returns ``api``."""
        ...

    def check_request(self, request: httpx.Request, operation: OperationLike) -> Generator[Action, Any, None]:
        """Raise ``RiskLimitError`` when the REST request breaks a rule (a policy flow step)."""
        ...

    async def check_ws(self, operation_id: str | None, params: Mapping[str, Any]) -> None:
        """Raise ``RiskLimitError`` when the WS API order breaks a rule; ``operation_id`` is the REST
        operation its method mirrors (``None``: a method that places no order the guard knows)."""
        ...

    def failed(self, name: str, error: BaseException) -> None:
        """The call ``name`` (an operation id, also for the WS API method that mirrors it) failed."""
        ...


class WsOrders(Protocol):
    """A WS API client (``WsApi``) as the guard sees it."""

    product: str
    risk: RiskHook | None

    def method_info(self, method: str) -> Any:
        """The catalogue entry of ``method`` (with its ``operation_id``), or ``None``."""
        ...


class RiskConfig(Protocol):
    """Rules a client accepts as ``risk=``: they make the client's guard."""

    def guard_for(self, client: Any) -> RiskHook: ...


def guarded(
    place: Callable[Concatenate[S, str, dict[str, Any], P], Awaitable[T]],
) -> Callable[Concatenate[S, str, dict[str, Any], P], Awaitable[T]]:
    """Wrap the method every WS API order goes through: check the order with ``self.risk`` first, tell
    it when the order failed."""

    @functools.wraps(place)
    async def checked(
        self: S, method: str, params: dict[str, Any], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        guard = self.risk
        if guard is None:
            return await place(self, method, params, *args, **kwargs)
        operation_id = getattr(self.method_info(method), "operation_id", None)
        await guard.check_ws(operation_id, params)
        try:
            return await place(self, method, params, *args, **kwargs)
        except BinanceError as error:
            guard.failed(operation_id or method, error)
            raise

    return checked


__all__ = ["RiskConfig", "RiskHook", "WsOrders", "guarded"]
