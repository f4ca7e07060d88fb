"""What happens around one call: rate limits, retries, lost order answers, and errors. Sans-I/O.

``call_flow`` is a generator. It yields ``Send(request)`` (the shell sends it through httpx, signing
included, and sends back the ``httpx.Response`` or the ``httpx.TransportError``) and ``Sleep(seconds)``;
it returns the final response or raises the overlay's error. The sync and async clients drive the same
flow (``_http.py``), so the behaviour is written once.

* Before sending, the call's weight (from the spec) is reserved in the rate-limit ledgers; when a window
  is full the flow sleeps until it resets (or raises ``ThrottledError`` when the client says so).
* A 429 blocks the ledger for ``Retry-After`` and the call is tried again after it; a 418 bans the IP
  until the time Binance gives, and every call fails fast until then.
* ``GET`` calls are retried with exponential backoff after a transport error or a 5XX.
* Orders are never sent twice. Every order carries a client order id (one is generated when the caller
  gives none). When the answer is lost (timeout, dropped connection, 5XX, ``-1006``/``-1007``), the flow
  looks the order up by that id, with backoff: found, it returns the order as if the answer had arrived;
  positively absent, it sends the order again with the same id (signed afresh); otherwise it raises
  ``OrderStatusUnknownError`` naming the id. A batch is reconciled item by item and only the absent
  items are sent again.

  "Not found" (``-2013``) is proof of absence only once Binance can no longer accept the order: a
  request held on its way (a slow proxy, a queue in front of the matching engine) may still arrive
  after the client gave up on it, and Binance refuses a reused client order id only while the first
  order is *open*, so a MARKET order sent again would execute twice. Binance checks ``timestamp +
  recvWindow`` when the request arrives and again before the matching engine, so a lookup made when the
  exchange's clock (the client's estimate of it) has passed the last signed attempt's ``timestamp +
  recvWindow`` plus ``absence_margin_ms`` (the engine's queue, the estimate's error) proves absence.
  Before that, "not found" means "not yet": the flow keeps looking, with backoff capped at
  ``lookup_backoff_max_s``, and returns the order as soon as it appears. That costs at most
  ``recvWindow + absence_margin_ms`` of extra wait, only when the order really is absent; a short
  ``recv_window`` shortens it. Lookups that fail (transport errors, 5XX) count against ``lookups``.
* An order whose successful answer is not JSON (cut short, a proxy's page) went through but cannot be
  read: the flow looks it up by its client order id and returns what it finds, so the caller still gets
  the order; a strict client (or one that cannot find it) raises ``ResponseShapeError`` carrying the
  client order ids and the raw body instead. It is never sent again.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec

from ._auth import DEFAULT_RECV_WINDOW_MS, SIGNED_EXTENSION, has_param
from ._clock import ServerClock
from ._drift import LOGGER as DRIFT_LOGGER
from ._drift import RECONCILED, NotJson, sent_ids, shape_error
from ._errors import (
    APIError,
    BinanceError,
    IPBannedError,
    LocalValidationError,
    OrderStatusUnknownError,
    RequestTimeoutError,
    StatusUnknownError,
    TransportError,
    UnknownOrderError,
    error_from_response,
)
from ._limits import Limits
from ._operation import EXTENSION, OperationLike, operation_of
from ._weights import order_counts, request_weight

log = logging.getLogger("binance_openapi")
drift_log = logging.getLogger(DRIFT_LOGGER)
IDEMPOTENCY = "x-binance-idempotency"


@dataclass(frozen=True)
class Send:
    request: httpx.Request


@dataclass(frozen=True)
class Sleep:
    seconds: float


Action = Send | Sleep
Flow = Generator[Action, Any, httpx.Response]
Validator = Callable[[httpx.Request, OperationLike], Generator[Action, Any, None]]


class ThrottledError(LocalValidationError):
    """The call would exceed a rate limit and the client does not wait for it.

    ``limit`` names the window (``"REQUEST_WEIGHT 1m (used 98 of 100, this call needs 5)"``...),
    ``wait_s`` how long the call would have waited, ``reason`` why it did not: the client is set to
    raise (``rate_limit="raise"``), or the wait is longer than ``max_wait``.
    """

    def __init__(
        self, wait_ms: int, operation: OperationLike, limit: str = "", max_wait_s: float | None = None
    ) -> None:
        self.wait_s = wait_ms / 1000
        self.limit = limit or "a rate limit window"
        if max_wait_s is None:
            self.reason = "the client is set to raise instead of waiting (rate_limit='raise')"
        else:
            self.reason = f"the wait is longer than max_wait={max_wait_s:g} s"
        super().__init__(
            f"{operation.method} {operation.path}: {self.limit} is full; "
            f"it resets in {self.wait_s:.1f} s and {self.reason}"
        )


@dataclass
class Policy:
    """Settings and shared state of one client."""

    limits: Limits
    clock: ServerClock
    retries: int = 3
    backoff_s: float = 0.2
    """First back-off between retries and between order lookups (doubling)."""
    lookups: int = 5
    """Rounds of lookups that may fail (transport error, 5XX) before the order's fate is unknown; "not
    found yet" rounds do not count (they end at the absence deadline)."""
    lookup_backoff_max_s: float = 1.0
    """The longest wait between two rounds of lookups."""
    absence_margin_ms: int = 500
    """How long after ``timestamp + recvWindow`` "not found" proves an order absent (module docstring)."""
    client_id_prefix: str = "x-"
    validate: Validator | None = None
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
    sleep: Callable[[float], Any] | None = None
    """Replaces ``time.sleep`` / ``asyncio.sleep`` (tests run on a fake clock)."""
    strict: bool = False
    """Raise ``ResponseShapeError`` for an order answer that is not JSON instead of looking it up."""
    failed: Callable[[OperationLike, BinanceError], None] | None = None
    """Told about every call that failed after validation (the risk guard's circuit breaker)."""


@dataclass(frozen=True)
class LookupOperation:
    """The operation that finds an order by its client id, as the generated spec describes it."""

    id: str
    method: str
    path: str
    security: str
    weight: Mapping[str, Any]
    docs: str = ""
    extensions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def signed(self) -> bool:
        return self.security in ("TRADE", "USER_DATA")

    @property
    def needs_api_key(self) -> bool:
        return self.security != "NONE"


def call_flow(request: httpx.Request, policy: Policy) -> Flow:
    """The whole life of one call (see the module docstring)."""
    operation = operation_of(request)
    if operation is None:
        response = yield from _send_once(request, policy, None)
        return response
    idempotency = operation.extensions.get(IDEMPOTENCY)
    if idempotency:
        request = with_client_ids(request, idempotency, policy)
    if policy.validate is not None:
        yield from policy.validate(request, operation)
    try:
        response = yield from _send_with_retries(request, operation, policy, idempotency)
    except BinanceError as error:
        if policy.failed is not None:
            policy.failed(operation, error)
        raise
    return response


@dataclass(frozen=True)
class Reservation:
    """What a call reserved in the ledgers (given back to ``Limits.settle`` when it is over)."""

    weight: int
    orders: Mapping[str, int]


def _reserve(
    request: httpx.Request, operation: OperationLike, policy: Policy
) -> Generator[Action, Any, Reservation]:
    params = dict(request.url.params)
    weight = request_weight(operation.weight, params)
    orders = order_counts(operation.weight)
    while True:
        wait_ms = policy.limits.reserve(weight, orders, policy.clock.now_ms())
        if not wait_ms:
            return Reservation(weight, orders)
        if policy.limits.policy == "raise" or wait_ms > policy.limits.max_wait_s * 1000:
            limit = policy.limits.full_window(weight, orders, policy.clock.now_ms())
            max_wait = None if policy.limits.policy == "raise" else policy.limits.max_wait_s
            raise ThrottledError(wait_ms, operation, limit, max_wait)
        log.info(
            "%s %s waits %.3f s for a rate-limit window", operation.method, operation.path, wait_ms / 1000
        )
        yield Sleep(wait_ms / 1000)


def _settle(policy: Policy, reservation: Reservation | None, result: object) -> None:
    headers = result.headers if isinstance(result, httpx.Response) else {}
    if reservation is None:
        policy.limits.observe(headers, policy.clock.now_ms())
    else:
        policy.limits.settle(reservation.weight, reservation.orders, headers, policy.clock.now_ms())


def _sent(
    request: httpx.Request, policy: Policy, reservation: Reservation | None
) -> Generator[Action, Any, Any]:
    """Send once and settle the reservation, also when the caller abandons the call (a cancelled task
    closes the flow): a reservation left in flight would count against the window."""
    try:
        result = yield Send(request)
    except GeneratorExit:
        _settle(policy, reservation, None)
        raise
    _settle(policy, reservation, result)
    return result


def _send_once(
    request: httpx.Request,
    policy: Policy,
    operation: OperationLike | None,
    reservation: Reservation | None = None,
) -> Flow:
    result = yield from _sent(request, policy, reservation)
    if isinstance(result, httpx.TransportError):
        raise _transport_error(result, request, operation) from result
    response: httpx.Response = result
    if not response.is_success:
        raise _api_error(response, operation, policy, reservation)
    return response


def fetch(request: httpx.Request, policy: Policy) -> Flow:
    """One call with rate limiting and error mapping but no retry (for the client's own reads)."""
    operation = operation_of(request)
    reservation = None
    if operation is not None:
        reservation = yield from _reserve(request, operation, policy)
    response = yield from _send_once(request, policy, operation, reservation)
    return response


def _send_with_retries(
    request: httpx.Request, operation: OperationLike, policy: Policy, idempotency: Mapping[str, Any] | None
) -> Flow:
    attempt = 0
    unsigned = request.url  # signing rewrites the URL in place: later attempts are fresh copies of this
    while True:
        reservation = yield from _reserve(request, operation, policy)
        sending = request if attempt == 0 else _unsigned_copy(request, unsigned)
        result = yield from _sent(sending, policy, reservation)
        if isinstance(result, httpx.Response):
            if result.is_success:
                unreadable = _json_error(result.content) if idempotency else None
                if idempotency and unreadable is not None:
                    result = yield from _unreadable_order(
                        sending, unsigned, operation, policy, idempotency, result, unreadable
                    )
                return result
            error = _api_error(result, operation, policy, reservation)
            if isinstance(error, IPBannedError):
                log.error("%s %s: IP banned until %s", operation.method, operation.path, error.banned_until)
                raise error
            if result.status_code == 429 and policy.limits.policy == "wait" and attempt < policy.retries:
                attempt += 1
                continue  # the ledger is blocked for Retry-After: _reserve waits for it
            if not _maybe_executed(error):
                raise error
            cause: BaseException = error
        elif _never_sent(result):
            if attempt >= policy.retries:
                raise _transport_error(result, request, operation) from result
            log.info(
                "%s %s not sent (%s); trying again", operation.method, operation.path, type(result).__name__
            )
            attempt += 1
            yield Sleep(policy.backoff_s * 2 ** (attempt - 1))
            continue
        else:
            cause = _transport_error(result, request, operation)
        # The request may have been executed: retry what is safe to repeat, reconcile orders.
        if idempotency:
            log.warning(
                "%s %s: the answer was lost (%s); looking the order up",
                operation.method,
                operation.path,
                cause,
            )
            found = yield from _reconcile(sending, unsigned, operation, policy, idempotency, cause)
            if found is not None:
                return found
            if attempt >= policy.retries:
                raise cause
            attempt += 1
            continue  # positively absent: send it again, with the same client order id
        if request.method == "GET" and attempt < policy.retries:
            log.info("%s %s failed (%s); retrying", operation.method, operation.path, cause)
            attempt += 1
            yield Sleep(policy.backoff_s * 2 ** (attempt - 1))
            continue
        raise cause


def _json_error(content: bytes) -> msgspec.DecodeError | None:
    """Why an order's answer cannot be read at all, or ``None`` (msgspec: a third of ``json.loads``'s cost,
    paid on every order answer)."""
    try:
        msgspec.json.decode(content)
    except msgspec.DecodeError as exc:
        return exc
    return None


def _unreadable_order(
    request: httpx.Request,
    unsigned: httpx.URL,
    operation: OperationLike,
    policy: Policy,
    idempotency: Mapping[str, Any],
    response: httpx.Response,
    unreadable: msgspec.DecodeError,
) -> Generator[Action, Any, httpx.Response]:
    """The order went through but its answer is not JSON: look it up, never send it again."""
    error = shape_error(operation, response, [NotJson(unreadable)])
    error.order_ids = sent_ids(request, operation)
    drift_log.warning("%s", error)
    if policy.strict:
        raise error
    found = yield from _reconcile(request, unsigned, operation, policy, idempotency, error)
    if found is None:
        raise error  # accepted, yet not found: sending it again could place it twice
    return found


def _maybe_executed(error: APIError) -> bool:
    return isinstance(error, StatusUnknownError) or error.status >= 500


def _never_sent(exc: BaseException) -> bool:
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _transport_error(
    exc: BaseException, request: httpx.Request, operation: OperationLike | None
) -> TransportError:
    method = operation.method if operation else request.method
    path = operation.path if operation else request.url.path
    cls = RequestTimeoutError if isinstance(exc, httpx.TimeoutException) else TransportError
    return cls(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, method=method, path=path)


def _api_error(
    response: httpx.Response,
    operation: OperationLike | None,
    policy: Policy,
    reservation: Reservation | None = None,
) -> APIError:
    error = error_from_response(response, operation)
    now = policy.clock.now_ms()
    if isinstance(error, IPBannedError):
        until = error.banned_until or now + int((_retry_after(response) or 120) * 1000)
        error.banned_until = until
        policy.limits.ip.ban(until)
    elif response.status_code == 429:
        until = now + int((_retry_after(response) or 1) * 1000)
        weight, orders = (reservation.weight, reservation.orders) if reservation else (0, {})
        policy.limits.refused(error.message, response.headers, until, weight, orders)
    return error


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None


# -- client order ids -----------------------------------------------------------------------------


def with_client_ids(request: httpx.Request, idempotency: Mapping[str, Any], policy: Policy) -> httpx.Request:
    """Give the order (or every order of a batch) a client id when the caller gave none."""
    name = str(idempotency["clientIdParam"])
    batch = idempotency.get("batchParam")
    if not batch and has_param(request.url.query, name.encode()):
        return request
    params = request.url.params
    if batch:
        items = json.loads(params.get(str(batch), "[]"))
        changed = False
        for item in items:
            if isinstance(item, dict) and not item.get(name):
                item[name] = policy.client_id_prefix + policy.new_id()
                changed = True
        if not changed:
            return request
        params = params.set(str(batch), json.dumps(items, separators=(",", ":")))
    elif params.get(name):
        return request
    else:
        params = params.add(name, policy.client_id_prefix + policy.new_id())
    request.url = request.url.copy_with(params=params)
    return request


def client_ids(request: httpx.Request, idempotency: Mapping[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """``(client id, the order's own parameters)`` for the order or every item of a batch."""
    params = dict(request.url.params)
    name = str(idempotency["clientIdParam"])
    batch = idempotency.get("batchParam")
    if not batch:
        return [(params[name], params)]
    items = json.loads(params.get(str(batch), "[]"))
    return [(str(item[name]), {k: str(v) for k, v in item.items()}) for item in items]


# -- reconciliation -------------------------------------------------------------------------------


def _lookup_request(
    request: httpx.Request, idempotency: Mapping[str, Any], client_id: str, order: Mapping[str, str]
) -> httpx.Request:
    lookup = LookupOperation(
        id=str(idempotency["lookup"]),
        method=str(idempotency["lookupMethod"]),
        path=str(idempotency["lookupPath"]),
        security=str(idempotency["lookupSecurity"]),
        weight=idempotency.get("lookupWeight") or {"ip": 1},
    )
    params = {}
    for name in idempotency.get("lookupParams") or ():
        if name == idempotency["lookupParam"]:
            params[name] = client_id
        elif name in order:
            params[name] = order[name]
    url = request.url.copy_with(path=lookup.path, params=params)
    return httpx.Request(lookup.method, url, extensions={EXTENSION: lookup})


def _is_absent(response: httpx.Response, lookup: OperationLike) -> bool:
    return not response.is_success and isinstance(error_from_response(response, lookup), UnknownOrderError)


def _absence_deadline(request: httpx.Request, policy: Policy) -> int:
    """Binance's time after which a lookup's "not found" proves the order absent: the last signed
    attempt's ``timestamp + recvWindow`` plus the margin."""
    signed = request.extensions.get(SIGNED_EXTENSION)
    if signed is not None:
        timestamp_ms, recv_window_ms = signed
    else:  # not signed by this client's flow: the latest it can have been signed is now
        timestamp_ms, recv_window_ms = policy.clock.now_ms(), DEFAULT_RECV_WINDOW_MS
    return int(timestamp_ms + recv_window_ms) + policy.absence_margin_ms


def _unsigned_copy(request: httpx.Request, url: httpx.URL) -> httpx.Request:
    return httpx.Request(
        request.method, url, headers=request.headers, content=request.content, extensions=request.extensions
    )


def _reconcile(
    sent: httpx.Request,
    unsigned: httpx.URL,
    operation: OperationLike,
    policy: Policy,
    idempotency: Mapping[str, Any],
    cause: BaseException,
) -> Generator[Action, Any, httpx.Response | None]:
    """Find out what happened to the order(s). Returns the response to give the caller, or ``None`` when
    every order is positively absent (the caller sends again). Raises when it cannot tell. ``sent`` is the
    last attempt as it was signed, ``unsigned`` its URL before signing."""
    deadline = _absence_deadline(sent, policy)
    request = _unsigned_copy(sent, unsigned)
    orders = client_ids(request, idempotency)
    found: dict[str, Any] = {}
    absent: set[str] = set()
    failures = 0
    round_ = 0
    # bounded even on a clock that stands still: the ramp, then one round per capped backoff until the
    # deadline, and the lookups that may fail
    waiting_s = max(0, deadline - policy.clock.now_ms()) / 1000
    max_rounds = policy.lookups + 16 + int(waiting_s / max(policy.lookup_backoff_max_s, 0.001))
    while round_ < max_rounds:
        delay = min(policy.backoff_s * 2**round_, policy.lookup_backoff_max_s)
        to_deadline = (deadline - policy.clock.now_ms()) / 1000
        if 0 < to_deadline < delay:
            delay = to_deadline + 0.001  # the next lookup is the first that can prove absence
        yield Sleep(delay)
        round_ += 1
        failed = False
        for client_id, order in orders:
            if client_id in found or client_id in absent:
                continue
            lookup = _lookup_request(request, idempotency, client_id, order)
            # read before sending: the lookup is answered after Binance's clock passed this time
            asked_at = policy.clock.now_ms() if policy.clock.offset_ms is not None else None
            result = yield Send(lookup)
            if not isinstance(result, httpx.Response):
                failed = True
                continue
            policy.limits.observe(result.headers, policy.clock.now_ms())
            if result.is_success:
                found[client_id] = json.loads(result.content)
            elif not _is_absent(result, operation_of(lookup) or operation):
                failed = True
            elif asked_at is not None and asked_at >= deadline:
                absent.add(client_id)
            # else: not found yet, but the order can still arrive
        if len(found) + len(absent) == len(orders):
            break
        failures += failed
        if failures >= policy.lookups:
            break
    unknown = [cid for cid, _ in orders if cid not in found and cid not in absent]
    if unknown:
        raise OrderStatusUnknownError(
            f"the answer was lost ({cause}) and the order could not be found or ruled out",
            client_order_id=", ".join(unknown),
            method=operation.method,
            path=operation.path,
        ) from cause
    if not found:
        return None
    if not idempotency.get("batchParam"):
        return _reconciled(request, _as_placed(found[orders[0][0]], operation))
    if absent:
        replies = yield from _resend_absent(request, operation, policy, idempotency, orders, absent)
    else:
        replies = {}
    body = [replies.get(cid) or _as_placed(found[cid], operation) for cid, _ in orders]
    return _reconciled(request, body)


def _resend_absent(
    request: httpx.Request,
    operation: OperationLike,
    policy: Policy,
    idempotency: Mapping[str, Any],
    orders: list[tuple[str, dict[str, str]]],
    absent: set[str],
) -> Generator[Action, Any, dict[str, Any]]:
    """Send again only the batch items Binance positively does not have."""
    batch = str(idempotency["batchParam"])
    items = [
        item
        for item in json.loads(request.url.params[batch])
        if str(item[idempotency["clientIdParam"]]) in absent
    ]
    retry = httpx.Request(
        request.method,
        request.url.copy_with(params=request.url.params.set(batch, json.dumps(items, separators=(",", ":")))),
        extensions=request.extensions,
    )
    response = yield from _send_with_retries(retry, operation, policy, idempotency)
    replies = json.loads(response.content)
    return {
        cid: reply for (cid, _), reply in zip([o for o in orders if o[0] in absent], replies, strict=False)
    }


def _as_placed(order: dict[str, Any], operation: OperationLike) -> dict[str, Any]:
    """A looked-up order in the shape of a placement answer (spot's answer names its time transactTime)."""
    if operation.path.startswith("/api/") and "transactTime" not in order and "time" in order:
        return {**order, "transactTime": order["time"]}
    return order


def _reconciled(request: httpx.Request, body: Any) -> httpx.Response:
    return httpx.Response(
        200,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        request=request,
        extensions={RECONCILED: True},
    )


__all__ = [
    "RECONCILED",
    "Policy",
    "Reservation",
    "Send",
    "Sleep",
    "ThrottledError",
    "call_flow",
    "fetch",
    "with_client_ids",
]
