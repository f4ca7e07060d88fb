"""Errors raised by the Binance clients, mapped from Binance's ``code`` first and the HTTP status second.

::

    BinanceError
    ├── ConfigurationError           a client argument is wrong (ValueError)
    │   ├── KeyLoadError             a key cannot be loaded (file, PEM, passphrase, environment)
    │   └── MissingKeyError          a signed or keyed call on a client without a key
    ├── LocalValidationError         refused before sending (ValueError); a key given a wrong type
    │   ├── FilterError              an exchange filter would reject the order: filter, value, bound
    │   └── RiskLimitError           one of the client's risk rules refuses the order: rule, limit, value
    ├── TransportError               no answer: connection refused or dropped, DNS, TLS
    │   └── RequestTimeoutError      no answer in time
    ├── APIError                     Binance answered an error: status, code, message, method, path
    │   ├── BadRequestError          any other 4XX
    │   │   ├── InvalidParameterError    -1100 ... -1199: a parameter is missing, malformed or unknown
    │   │   ├── TimestampError           -1021: timestamp outside recvWindow
    │   │   ├── SignatureError           -1022: the signature does not match
    │   │   ├── AuthenticationError      401, -1002, -2014, -2015: API key, IP or permission
    │   │   ├── FilterRejectedError      -1013 and the futures filter codes: price/quantity/notional rules
    │   │   ├── OrderRejectedError       -2010, -2018, -2019, -2021, -2022...: the order was refused
    │   │   │   └── AlgoOrderRequiredError   -4120: a conditional type sent to the order endpoint
    │   │   └── UnknownOrderError        -2011 (unknown order), -2013: no such order
    │   ├── RateLimitError           429, -1003, -1015: ``retry_after`` seconds
    │   │   └── IPBannedError        418: every call fails fast until ``banned_until`` (ms)
    │   └── ServerError              5XX, -1000, -1001, -1008, -1016
    │       └── StatusUnknownError   -1006, -1007: sent, but Binance does not know if it was executed
    ├── OrderStatusUnknownError      the client could not find out whether an order was placed;
    │                                ``client_order_id`` names it for reconciliation
    └── ResponseShapeError           strict mode: a successful answer departs from the spec (operation,
                                     JSON path, expected type, raw body; an order's ids)

Every error names the request by method and path only: no query string, no signature, no key. The
clients add what a person needs to act on it: ``called`` (the method the caller used, ``UsdM.new_order``),
for a transport error the host, the URL and, when the failing request was one the client made on the
caller's behalf, what it was for (``purpose``); for an answer from Binance the likely cause and the fix
(``hint``, from ``_hints.py``). Numbers in messages are plain digits (``_decimal.plain``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Self

import httpx

from ._decimal import plain
from ._hints import api_hint, failure_hint, sent_params
from ._operation import OperationLike

# Headers worth keeping on an error: rate-limit state and timing. Never the API key.
KEPT_HEADERS = re.compile(r"^(retry-after|x-mbx-used-weight.*|x-mbx-order-count.*|x-mbx-uuid|date)$", re.I)
BANNED_UNTIL = re.compile(r"banned until (\d{10,})")


class BinanceError(Exception):
    """Base class of every error the clients raise."""


class ConfigurationError(BinanceError, ValueError):
    """A client argument is wrong; the message says what to change."""


class KeyLoadError(ConfigurationError):
    """A key cannot be loaded. The message never contains the secret."""


class MissingKeyError(ConfigurationError):
    """A call needs an API key and the client has none."""


class LocalValidationError(BinanceError, ValueError):
    """A request was refused before it was sent (nothing reached Binance), or a key was given an argument
    of the wrong type (``HmacKey(api_key, 64)``); the message says what to pass."""


class FilterError(LocalValidationError):
    """An order breaks one of the symbol's exchange filters.

    ``filter`` is the filter type (``PRICE_FILTER``...), ``field`` the parameter, ``value`` what was
    given and ``bound`` the limit it broke.
    """

    def __init__(self, symbol: str, filter_type: str, field: str, value: object, bound: str) -> None:
        self.symbol = symbol
        self.filter = filter_type
        self.field = field
        self.value = value
        self.bound = bound
        shown = plain(value) if isinstance(value, Decimal | int | str) else value
        super().__init__(f"{symbol} {filter_type}: {field}={shown} {bound}")


class RiskLimitError(LocalValidationError):
    """An order, or a leverage or margin type change, breaks one of the client's risk rules
    (``binance_openapi.safety.RiskRules``); nothing was sent.

    ``rule`` names the rule (``max_order_notional``...), ``limit`` is its setting and ``value`` what the
    request would have made of it (both in plain digits in the message), ``symbol`` the symbol.
    """

    def __init__(
        self, rule: str, *, limit: object, value: object, symbol: str = "", subject: str = ""
    ) -> None:
        self.rule = rule
        self.limit = limit
        self.value = value
        self.symbol = symbol
        on = f" on {symbol}" if symbol else ""
        shown_value = plain(value) if isinstance(value, Decimal | int) else str(value)
        shown_limit = plain(limit) if isinstance(limit, Decimal | int) else str(limit)
        super().__init__(
            f"risk rule {rule} refused the request{on}: {subject or 'the value'} is {shown_value}, "
            f"the limit is {shown_limit}"
        )


class TransportError(BinanceError):
    """No answer from Binance (connection refused or dropped, DNS, TLS...).

    ``reason`` is what the network layer said; once the client has named the call (``with_context``),
    ``called`` is the method the caller used (``UsdM.new_order``), ``url`` the address that failed (no
    query string), ``host`` its host (and port), and ``purpose`` why the client sent that request when it
    is not the call itself (``"fetched to check the order's filters"``).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        url: str = "",
        called: str = "",
        purpose: str = "",
    ) -> None:
        self.reason = message
        self.method = method
        self.path = path
        self.url = url
        self.called = called
        self.purpose = purpose
        super().__init__(self._describe())

    @property
    def host(self) -> str:
        """The host (with the port when it is not the scheme's) that could not be reached."""
        return httpx.URL(self.url).netloc.decode("ascii") if self.url else ""

    def with_context(self, *, called: str = "", url: str = "", purpose: str = "") -> Self:
        """Name the call the caller made and the request that failed; rewrite the message. Returns self.

        ``url`` defaults to the URL of the httpx request that failed (``__cause__``), without its query.
        """
        self.called = self.called or called
        self.purpose = self.purpose or purpose
        cause = self.__cause__
        if not (url or self.url) and isinstance(cause, httpx.TransportError):
            try:
                url = str(cause.request.url.copy_with(query=None, fragment=None))
            except RuntimeError:  # an httpx error raised without its request
                url = ""
        self.url = self.url or url
        self.args = (self._describe(),)
        return self

    def _describe(self) -> str:
        if not self.url:
            return f"{self.method} {self.path}: {self.reason}" if self.method else self.reason
        where = f"{self.url}, {self.purpose}" if self.purpose else self.url
        lead = f"{self.called}: " if self.called else (f"{self.method} {self.path}: " if self.method else "")
        text = f"{lead}{self._verb()} {self.host} ({where}): {self.reason}"
        hint = failure_hint(self.__cause__ or self.reason, self.host)
        return f"{text}; {hint}" if hint else text

    def _verb(self) -> str:
        cause = self.__cause__
        if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout) or cause is None:
            return "could not reach"
        if isinstance(cause, httpx.TimeoutException):
            return "no answer in time from"
        return "lost the connection to"


class RequestTimeoutError(TransportError):
    """Binance did not answer in time."""


class APIError(BinanceError):
    """Binance answered an error.

    ``status`` is the HTTP status, ``code`` and ``message`` Binance's own (``code`` may be ``None`` when
    the body is not Binance's JSON, e.g. a WAF page), ``headers`` the rate-limit and timing headers.
    """

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        message: str,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        hint: str = "",
        called: str = "",
        params: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.method = method
        self.path = path
        self.headers = {k.lower(): v for k, v in (headers or {}).items() if KEPT_HEADERS.match(k)}
        self.hint = hint
        """The likely cause and what to change, for the common codes (empty when there is nothing to add)."""
        self.called = called
        """The method the caller used (``UsdM.new_order``), once the client has named it."""
        self.params = dict(params or {})
        """The parameters that were sent (never ``signature`` or a ``listenKey``), for the hints."""
        super().__init__(self._describe())

    def with_context(self, *, called: str = "", hint: str | None = None) -> Self:
        """Name the call the caller made and replace the hint (``None`` keeps it). Returns self."""
        self.called = self.called or called
        if hint is not None:
            self.hint = hint
        self.args = (self._describe(),)
        return self

    def explained(
        self,
        *,
        called: str,
        operation: OperationLike | None,
        symbols: Sequence[str] = (),
        key_kind: str = "",
        where: str = "",
    ) -> Self:
        """Name the call the caller made (``UsdM.new_order``) and add the likely cause and fix for this
        answer (``api_hint``) with what the client knows: the operation (its Python keywords), the
        exchange's symbols, the kind of key, where it sends. REST and the WebSocket API alike. Returns self.
        """
        hint = api_hint(
            self.code,
            self.message,
            status=self.status,
            operation=operation,
            params=self.params,
            called=called,
            symbols=symbols,
            key_kind=key_kind,
            where=where,
        )
        return self.with_context(called=called, hint=hint)

    def _describe(self) -> str:
        lead = f"{self.called}: " if self.called else ""
        text = f"{lead}{self.method} {self.path}: HTTP {self.status}"
        code = f", code {self.code}" if self.code is not None else ""
        text = f"{text}{code}: {self.message}"
        if not self.hint:
            return text
        return f"{text}{'' if text.endswith(('.', '!', '?')) else '.'} {self.hint}"


class BadRequestError(APIError):
    """A 4XX answer not covered by a more precise class."""


class InvalidParameterError(BadRequestError):
    """-1100 ... -1199: a parameter is missing, malformed, out of range or not allowed together."""


class TimestampError(BadRequestError):
    """-1021: the timestamp is outside the recvWindow (the client resynchronises once on its own)."""


class SignatureError(BadRequestError):
    """-1022: the signature does not match the request (wrong secret or altered parameters)."""


class AuthenticationError(BadRequestError):
    """401, -1002, -2014, -2015: the API key is invalid, not allowed from this IP, or lacks a permission."""


class FilterRejectedError(BadRequestError):
    """Binance refused an order under an exchange filter (price, quantity or notional rules)."""


class OrderRejectedError(BadRequestError):
    """Binance refused an order (balance, margin, would trigger immediately, reduce-only...)."""


class AlgoOrderRequiredError(OrderRejectedError):
    """-4120: futures conditional orders (``STOP``, ``TAKE_PROFIT``, their ``_MARKET`` forms and
    ``TRAILING_STOP_MARKET``) are not accepted by the order endpoints: place them with
    ``new_algo_order`` (USDⓈ-M since 2025-12, COIN-M since 2026-06-30)."""


class UnknownOrderError(BadRequestError):
    """-2011 (unknown order) or -2013: the order does not exist."""


class RateLimitError(APIError):
    """429, -1003, -1015: a rate limit was hit; ``retry_after`` says how many seconds to wait."""

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class IPBannedError(RateLimitError):
    """418: the IP is banned until ``banned_until`` (epoch milliseconds); calls fail fast until then."""

    def __init__(self, *, banned_until: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.banned_until = banned_until


class ServerError(APIError):
    """5XX, or a Binance code saying the server could not process the request."""


class StatusUnknownError(ServerError):
    """-1006, -1007: the request reached Binance, which does not know whether it was executed."""


class OrderStatusUnknownError(BinanceError):
    """The client could not find out whether an order was placed.

    The order may or may not exist: look it up by ``client_order_id`` (or wait for the user data
    stream) before placing it again.
    """

    def __init__(self, message: str, *, client_order_id: str, method: str, path: str) -> None:
        self.client_order_id = client_order_id
        self.method = method
        self.path = path
        super().__init__(f"{method} {path}: {message}; client order id {client_order_id!r}")


class ResponseShapeError(BinanceError):
    """A successful answer departs from the spec (a field missing, of another type, a new enum value...)
    and the client is strict (``strict=True``), or the answer is not JSON at all.

    ``operation`` is ``"METHOD /path operation_id"``; ``json_path``, ``expected`` and ``seen`` describe
    the first departure, ``surprises`` all of them (``str()`` of each reads ``$.path: expected X, got
    Y``); ``body`` is the raw answer and ``parsed`` what tolerant parsing made of it (``None`` when it
    could not be parsed). For an order, ``order_ids`` holds the ids of each order the answer names
    (``orderId``, ``clientOrderId``...) or, when it names none, the client order ids that were sent: the
    order went through, so look it up by them rather than placing it again.
    """

    def __init__(
        self,
        *,
        method: str,
        path: str,
        operation: str,
        json_path: str,
        expected: str,
        seen: str,
        body: bytes,
        surprises: Sequence[object] = (),
        parsed: object = None,
        order_ids: Sequence[Mapping[str, object]] = (),
    ) -> None:
        self.method = method
        self.path = path
        self.operation = f"{method} {path} {operation}"
        self.json_path = json_path
        self.expected = expected
        self.seen = seen
        self.body = body
        self.surprises = list(surprises)
        self.parsed = parsed
        self.order_ids = [dict(ids) for ids in order_ids]
        message = (
            f"{self.operation}: the answer departs from the spec at {json_path}: "
            f"expected {expected}, got {seen}"
        )
        if len(self.surprises) > 1:
            message += f" (and {len(self.surprises) - 1} more)"
        if self.order_ids:
            shown = "; ".join(", ".join(f"{k} {v!r}" for k, v in ids.items()) for ids in self.order_ids)
            message += f"; the order went through: {shown}"
        super().__init__(message)


class StreamConnectError(TransportError, ConnectionError):
    """A websocket stream could not make its first connection within its ``connect_timeout``.

    ``url`` is where it tried (without a listenKey), ``attempts`` how many times, ``last_cause`` the last
    failure. Once a stream has been up, losing it is retried for ever instead.
    """

    def __init__(self, url: str, attempts: int, last_cause: BaseException | None, waited: float) -> None:
        self.attempts = attempts
        self.last_cause = last_cause
        cause = f"{type(last_cause).__name__}: {last_cause}" if last_cause is not None else "no answer"
        super().__init__(
            f"cannot connect to {url}: {attempts} attempt{'s' if attempts != 1 else ''} in {waited:.1f} s, "
            f"last: {cause}"
        )
        self.url = url  # after TransportError's own fields: the message names it already


class StreamTimeoutError(BinanceError, TimeoutError):
    """A wait on a stream (``wait_synced``...) timed out; the message says what was awaited and seen."""


_BY_CODE: dict[int, type[APIError]] = {
    -1000: ServerError,
    -1001: ServerError,
    -1002: AuthenticationError,
    -1003: RateLimitError,
    -1006: StatusUnknownError,
    -1007: StatusUnknownError,
    -1008: ServerError,
    -1013: FilterRejectedError,
    -1015: RateLimitError,
    -1016: ServerError,
    -1021: TimestampError,
    -1022: SignatureError,
    -1099: AuthenticationError,
    -2010: OrderRejectedError,
    -2011: OrderRejectedError,
    -2013: UnknownOrderError,
    -2014: AuthenticationError,
    -2015: AuthenticationError,
    -2018: OrderRejectedError,
    -2019: OrderRejectedError,
    -2020: OrderRejectedError,
    -2021: OrderRejectedError,
    -2022: OrderRejectedError,
    -2024: OrderRejectedError,
    -2025: OrderRejectedError,
    -2027: OrderRejectedError,
    -2028: OrderRejectedError,
    # Futures filter failures: price/quantity/notional outside the symbol's rules.
    -4001: FilterRejectedError,
    -4002: FilterRejectedError,
    -4003: FilterRejectedError,
    -4004: FilterRejectedError,
    -4005: FilterRejectedError,
    -4006: FilterRejectedError,
    -4007: FilterRejectedError,
    -4013: FilterRejectedError,
    -4014: FilterRejectedError,
    -4015: InvalidParameterError,  # the client order id is not 1-36 of the allowed characters
    -4016: FilterRejectedError,
    -4023: FilterRejectedError,
    -4024: FilterRejectedError,
    -4029: FilterRejectedError,
    -4030: FilterRejectedError,
    -4120: AlgoOrderRequiredError,  # conditional types go through new_algo_order
    -4164: FilterRejectedError,
}


def error_class(status: int, code: int | None, message: str) -> type[APIError]:
    """The most precise class for an error answer."""
    if status == 418:
        return IPBannedError
    if code == -2011 and "unknown order" in message.lower():
        return UnknownOrderError
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    if code is not None and -1199 <= code <= -1100:
        return InvalidParameterError
    if status == 429:
        return RateLimitError
    if status == 401:
        return AuthenticationError
    if status >= 500:
        return ServerError
    return BadRequestError


def error_from_response(response: httpx.Response, operation: OperationLike | None) -> APIError:
    """Build the error for a non-2XX response (the body must have been read)."""
    code: int | None = None
    message = response.reason_phrase or "error"
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw_code = body.get("code")
        code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
        message = str(body.get("msg", message))
    elif response.text and len(response.text) < 200:
        message = response.text.strip() or message
    method = operation.method if operation is not None else response.request.method
    path = operation.path if operation is not None else response.request.url.path
    cls = error_class(response.status_code, code, message)
    params = sent_params(response)
    kwargs: dict[str, Any] = {
        "status": response.status_code,
        "code": code,
        "message": message,
        "method": method,
        "path": path,
        "headers": response.headers,
        "params": params,
        "hint": api_hint(code, message, status=response.status_code, operation=operation, params=params),
    }
    if cls is IPBannedError:
        match = BANNED_UNTIL.search(message)
        kwargs["banned_until"] = int(match.group(1)) if match else None
    return cls(**kwargs)


__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BinanceError",
    "ConfigurationError",
    "FilterError",
    "FilterRejectedError",
    "IPBannedError",
    "InvalidParameterError",
    "KeyLoadError",
    "LocalValidationError",
    "MissingKeyError",
    "OrderRejectedError",
    "OrderStatusUnknownError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseShapeError",
    "RiskLimitError",
    "ServerError",
    "SignatureError",
    "StatusUnknownError",
    "StreamConnectError",
    "StreamTimeoutError",
    "TimestampError",
    "TransportError",
    "UnknownOrderError",
    "error_class",
    "error_from_response",
]
