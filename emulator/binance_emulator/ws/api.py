"""The WebSocket API: Binance's request/response protocol (spot ``/ws-api/v3``, USDⓈ-M ``/ws-fapi/v1``,
COIN-M ``/ws-dapi/v1``), answered by the same handlers, checks and limits as REST.

A request is ``{"id", "method", "params"}``; the answer ``{"id", "status": 200, "result", "rateLimits"}``
or ``{"id", "status": 4xx/5xx, "error": {"code", "msg"}, "rateLimits"}`` with Binance's codes.

* A method that is a REST operation (``methods.py``) goes through what REST does, in REST's order:
  injected faults, the request weight (429, then 418), the key and its permissions, the signature and
  timestamp, the parameters against the operation's spec, the order count, the handler.
* Signed requests carry ``apiKey``, ``timestamp`` (``recvWindow``) and ``signature`` in ``params``; the
  signature covers every other parameter sorted by name, ``k=v`` joined by ``&``, UTF-8, not
  percent-encoded (HMAC hex, RSA and Ed25519 base64). After ``session.logon`` (Ed25519 keys only) the
  connection's key signs for every request: ``apiKey`` and ``signature`` may be left out, ``timestamp``
  may not. An explicit ``apiKey`` and ``signature`` still take precedence.
* ``rateLimits`` reports the request weight and order counts after the request, unless
  ``returnRateLimits`` is false (in the URL for the whole connection, or in a request's ``params``).
* A method the product does not serve (``methods.py``: futures ``time``, ``exchangeInfo``...) is
  answered 400, ``-1020`` "This operation is not supported.": no source gives Binance's answer to an
  unknown method, so this stays the emulator's own choice.
* Spot user data: ``userDataStream.subscribe`` (logged on), ``userDataStream.subscribe.signature``,
  ``userDataStream.unsubscribe``, ``session.subscriptions``; events arrive on this connection as
  ``{"subscriptionId": n, "event": {...}}``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from binance_emulator._auth import _recv_window, authenticate, check_timestamp
from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError, malformed, mandatory
from binance_emulator._faults import DroppedConnectionError
from binance_emulator._json import JsonRefusedError, decode
from binance_emulator._keys import ApiKey
from binance_emulator._params import read
from binance_emulator._specs import OpSpec, by_id
from binance_emulator._weights import order_count, request_weight

from .connection import Connection
from .hub import to_json
from .methods import OWN_METHOD_WEIGHT, operation_of, own_method

if TYPE_CHECKING:
    from binance_emulator.venue import Venue

    from .user_data import UserStreams

log = logging.getLogger("binance_emulator.ws")
INTERVALS = {"S": "SECOND", "M": "MINUTE", "H": "HOUR", "D": "DAY"}
# Parameters of the WebSocket API itself, signed like the others but not the operation's own.
SESSION_PARAMS = frozenset(("apiKey", "returnRateLimits"))


def _wire(value: Any) -> str:
    """A parameter as it is signed and read: JSON text for arrays and objects, ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return to_json(value)
    return str(value)


def signature_payload(values: Mapping[str, str]) -> bytes:
    """What a WS API signature covers: the parameters but ``signature``, sorted, ``k=v`` joined by ``&``."""
    return "&".join(f"{name}={values[name]}" for name in sorted(values) if name != "signature").encode()


def _own_op(product: str, name: str, security: str) -> OpSpec:
    """A stand-in spec for the connection's own methods (their checks reuse the REST ones)."""
    return OpSpec(product, name, "WS", "", security, {"ip": OWN_METHOD_WEIGHT}, {})


def _interval(name: str) -> dict[str, Any]:
    """``"10S"`` -> ``{"interval": "SECOND", "intervalNum": 10}``."""
    return {"interval": INTERVALS.get(name[-1:].upper(), "MINUTE"), "intervalNum": int(name[:-1] or 1)}


class ApiSession:
    """One WebSocket API connection: the key it is logged on with and its user data subscriptions."""

    def __init__(
        self,
        emulator: Venue,
        users: UserStreams,
        connection: Connection,
        *,
        ip: str,
        return_rate_limits: bool = True,
    ) -> None:
        self.emulator = emulator
        self.users = users
        self.connection = connection
        self.product = connection.product
        self.ip = ip
        self.return_rate_limits = return_rate_limits
        self.connected_since = emulator.clock.now_ms()
        self.key: ApiKey | None = None
        self.authorized_since: int | None = None
        self.subscriptions: dict[int, tuple[str, bool, Callable[[], None]]] = {}
        self._next_subscription = 0

    # -- the connection ---------------------------------------------------------------------------

    async def on_message(self, text: str) -> None:
        """Answer one request frame."""
        try:
            answer = await self.handle(text)
        except DroppedConnectionError:
            self.connection.abort()
            return
        self.connection.push(to_json(answer))

    def close(self) -> None:
        """Forget the subscriptions (the connection is gone)."""
        for _, _, unsubscribe in self.subscriptions.values():
            unsubscribe()
        self.subscriptions.clear()

    # -- requests ---------------------------------------------------------------------------------

    async def handle(self, text: str) -> dict[str, Any]:
        """The answer to one request frame (raises ``DroppedConnectionError`` to drop the connection)."""
        try:  # numbers are bounded and nesting limited before anything reads them (``_json``)
            request = decode(text)
        except JsonRefusedError:
            return self._error(None, malformed(), {}, True)
        if not isinstance(request, dict):
            return self._error(None, malformed(), {}, True)
        request_id = request.get("id")
        method = request.get("method")
        params = request.get("params") or {}
        if not isinstance(method, str) or not method:
            return self._error(request_id, mandatory("method"), {}, True)
        if not isinstance(params, dict):
            return self._error(request_id, mandatory("params"), {}, True)
        show = self.return_rate_limits
        if "returnRateLimits" in params:  # a parameter like any other: signed with the rest
            show = _wire(params["returnRateLimits"]).lower() != "false"
        values = {name: _wire(value) for name, value in params.items() if value is not None}
        faults = self.emulator.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        own = own_method(self.product, method)
        operation = operation_of(self.product, method)
        op = by_id(self.product).get(operation) if operation else None
        if own is None and op is None:
            return self._error(request_id, ExchangeError(-1020, "This operation is not supported."), {}, show)
        headers: dict[str, str] = {}
        try:
            if own is not None:
                result = self._own(own, values, headers)
            else:
                assert op is not None
                result = await self._operation(op, values, headers)
        except ExchangeError as error:
            return self._error(request_id, error, headers, show)
        except DroppedConnectionError:
            raise
        except Exception:
            log.exception("WS API %s %s failed", self.product, method)
            unknown = ExchangeError(-1000, "An unknown error occurred while processing the request.", 500)
            return self._error(request_id, unknown, headers, show)
        status, body = result
        if status != 200 and isinstance(body, dict) and "code" in body:
            return self._answer(request_id, status, {"error": body}, headers, show)
        return self._answer(request_id, status, {"result": body}, headers, show)

    async def _operation(
        self, op: OpSpec, values: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, Any]:
        """A method that is a REST operation, checked and run as REST runs it."""
        emulator = self.emulator
        faults = emulator.faults
        limits = emulator.limits
        now = emulator.clock.now_ms()
        if faults.ban_ms:
            limits.ban(op.product, self.ip, now + faults.ban_ms)
            faults.ban_ms = 0
        if faults.take("server_errors"):
            raise ExchangeError(
                -1001, "Internal error; unable to process your request. Please try again.", 503
            )
        if faults.take("rate_limited"):
            raise limits.too_many(op.product, self.ip, now)
        weight = request_weight(op.weight, values)
        headers.update(limits.charge_ip(op.product, self.ip, weight, now))
        key = self._authenticate(op, values, now)
        params = read(op, [(name, value) for name, value in values.items() if name not in SESSION_PARAMS])
        account = key.user if key else None
        ordering = op.places_orders
        if ordering and account is not None:
            headers.update(limits.charge_orders(op.product, account, order_count(op.weight), now))
        apply_ms, answer_ms = faults.take_delays() if ordering else (0, 0)
        if ordering and faults.take("drop_before"):
            raise DroppedConnectionError
        call = Call(op.operation_id, params, account, now)
        result = await emulator.dispatch_after(apply_ms, op, call, values)
        if answer_ms:
            await asyncio.sleep(answer_ms / 1000)
        if ordering and faults.take("drop_after"):
            raise DroppedConnectionError
        if ordering and faults.take("status_unknown"):
            raise ExchangeError(
                -1007,
                "Timeout waiting for response from backend server. "
                "Send status unknown; execution status unknown.",
                503,
            )
        status, data = (int(result[0]), result[1]) if isinstance(result, tuple) else (200, result)
        refund = op.success_refund(weight) if status == 200 else 0
        if refund:
            headers.update(limits.refund_ip(op.product, self.ip, refund, now))
        return status, data

    def _authenticate(self, op: OpSpec, values: dict[str, str], now: int) -> ApiKey | None:
        """The key of a request: its own ``apiKey`` (and signature), or the logged-on key."""
        if not op.keyed:
            return None
        api_key = values.get("apiKey")
        if api_key is None and self.key is not None:
            key = self.key
            if op.security == "TRADE" and not key.can_trade:
                raise ExchangeError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
            if op.signed:
                spot = op.product == "spot"
                recv_window = _recv_window(values.get("recvWindow"), decimals=spot)
                if not values.get("timestamp"):
                    raise mandatory("timestamp")
                check_timestamp(values["timestamp"], recv_window, now, microseconds=spot)
            return key
        if api_key is None:
            raise mandatory("apiKey")
        return authenticate(
            op,
            api_key=api_key,
            query=signature_payload(values),
            body=b"",
            values=values,
            keys=self.emulator.keys,
            now_ms=now,
        )

    # -- the connection's own methods -------------------------------------------------------------

    def _own(self, method: str, values: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        emulator = self.emulator
        now = emulator.clock.now_ms()
        headers.update(emulator.limits.charge_ip(self.product, self.ip, OWN_METHOD_WEIGHT, now))
        if method == "session.logon":
            key = self._signed_key(method, values, now)
            if key.kind != "ED25519":  # Binance cannot verify anything else at logon
                raise ExchangeError(-1022, "Signature for this request is not valid.")
            self.key, self.authorized_since = key, now
            return 200, self.status(now)
        if method == "session.status":
            return 200, self.status(now)
        if method == "session.logout":
            self.key = self.authorized_since = None
            for subscription, (_, by_logon, _) in list(self.subscriptions.items()):
                if by_logon:
                    self._unsubscribe(subscription, now)
            return 200, self.status(now)
        if method == "userDataStream.subscribe":
            if self.key is None:
                raise ExchangeError(-1002, "You are not authorized to execute this request.", 401)
            return 200, {"subscriptionId": self._subscribe(self.key.user, by_logon=True)}
        if method == "userDataStream.subscribe.signature":
            key = self._signed_key(method, values, now)
            return 200, {"subscriptionId": self._subscribe(key.user, by_logon=False)}
        if method == "userDataStream.unsubscribe":
            wanted = values.get("subscriptionId")
            for subscription in list(self.subscriptions):
                if wanted is None or str(subscription) == wanted:
                    self._unsubscribe(subscription, now)
            return 200, {}
        # session.subscriptions
        return 200, [{"subscriptionId": subscription} for subscription in self.subscriptions]

    def _signed_key(self, method: str, values: dict[str, str], now: int) -> ApiKey:
        api_key = values.get("apiKey")
        if api_key is None:
            raise mandatory("apiKey")
        key = authenticate(
            _own_op(self.product, method, "USER_DATA"),
            api_key=api_key,
            query=signature_payload(values),
            body=b"",
            values=values,
            keys=self.emulator.keys,
            now_ms=now,
        )
        assert key is not None
        return key

    def _subscribe(self, user: str, *, by_logon: bool) -> int:
        if any(account == user for account, _, _ in self.subscriptions.values()):
            raise ExchangeError(-2035, "User Data Stream subscription already active.")
        subscription = self._next_subscription
        if subscription > 65535:
            raise ExchangeError(-2042, "Maximum subscription ID reached for this connection.")
        self._next_subscription += 1
        unsubscribe = self.users.subscribe_spot(self.connection, user, subscription)
        self.subscriptions[subscription] = (user, by_logon, unsubscribe)
        return subscription

    def _unsubscribe(self, subscription: int, now: int) -> None:
        """End a subscription; its last event is ``eventStreamTerminated``."""
        found = self.subscriptions.pop(subscription, None)
        if found is not None:
            found[2]()
            event = {"e": "eventStreamTerminated", "E": now}
            self.connection.push(to_json({"subscriptionId": subscription, "event": event}))

    def status(self, now: int) -> dict[str, Any]:
        """``session.status``: the key in use, since when, and whether user data is subscribed."""
        body: dict[str, Any] = {
            "apiKey": self.key.api_key if self.key else None,
            "authorizedSince": self.authorized_since,
            "connectedSince": self.connected_since,
            "returnRateLimits": self.return_rate_limits,
            "serverTime": now,
        }
        if self.product == "spot":
            body["userDataStream"] = bool(self.subscriptions)
        return body

    # -- answers ----------------------------------------------------------------------------------

    def _rate_limits(self, headers: Mapping[str, str]) -> list[dict[str, Any]]:
        limits = self.emulator.limits
        out = []
        for name, value in headers.items():
            upper = name.upper()
            if not upper.startswith("X-MBX-ORDER-COUNT-"):
                continue
            interval = upper.removeprefix("X-MBX-ORDER-COUNT-")
            limit = next(
                (lim for window, _, lim in limits.orders[self.product] if window.upper() == interval), 0
            )
            count = int(value)
            out.append({"rateLimitType": "ORDERS", **_interval(interval), "limit": limit, "count": count})
        weight = headers.get("X-MBX-USED-WEIGHT-1M")
        if weight is not None:
            out.append(
                {
                    "rateLimitType": "REQUEST_WEIGHT",
                    "interval": "MINUTE",
                    "intervalNum": 1,
                    "limit": limits.weight_per_minute[self.product],
                    "count": int(weight),
                }
            )
        return out

    def _answer(
        self, request_id: Any, status: int, body: dict[str, Any], headers: Mapping[str, str], show: bool
    ) -> dict[str, Any]:
        answer: dict[str, Any] = {"id": request_id, "status": status, **body}
        limits = self._rate_limits(headers) if show else []
        if limits:
            answer["rateLimits"] = limits
        return answer

    def _error(
        self, request_id: Any, error: ExchangeError, headers: Mapping[str, str], show: bool
    ) -> dict[str, Any]:
        merged = {**headers, **error.headers}
        body: dict[str, Any] = {"code": error.code, "msg": error.msg}
        retry = merged.get("Retry-After")
        if retry is not None and error.status in (418, 429):
            now = self.emulator.clock.now_ms()
            body["data"] = {"serverTime": now, "retryAfter": now + int(retry) * 1000}
        return self._answer(request_id, error.status, {"error": body}, merged, show)


__all__ = ["ApiSession", "signature_payload"]
