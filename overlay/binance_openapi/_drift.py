"""Answers that depart from the spec: logged once, or raised in strict mode. Sans-I/O.

The generated models parse every JSON answer tolerantly and record each departure from the spec (a
missing field, a value of another type, a new enum value, ``""`` for a decimal, a new field) into the
collection ``binance_<product>._shape.collecting()`` opens. ``parse_answer`` opens it around a call's
parsing and then reads it: each departure is logged once per operation and JSON path to the
``binance_openapi.drift`` logger at WARNING, and a strict client raises ``ResponseShapeError`` (naming the
operation, the path and what was expected, with the raw body, the tolerant parse and, for an order, its
ids). An answer that is not JSON at all raises ``ResponseShapeError`` in every mode (the order calls never
get here with one: the policy looks their order up instead, see ``_policy.py``).

Strict mode is a client argument (``strict=True``); ``BINANCE_OPENAPI_STRICT=1`` in the environment makes
it the default (the project's own tests run that way).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, TypeVar

import httpx

from ._errors import ResponseShapeError
from ._operation import OperationLike

T = TypeVar("T")
LOGGER = "binance_openapi.drift"
STRICT_ENV = "BINANCE_OPENAPI_STRICT"
IDEMPOTENCY = "x-binance-idempotency"
RECONCILED = "binance_reconciled"  # the extension _policy puts on a looked-up order's stand-in answer
ORDER_ID_FIELDS = ("orderId", "clientOrderId", "orderListId", "listClientOrderId", "algoId", "clientAlgoId")

log = logging.getLogger(LOGGER)


def strict_default(strict: bool | None) -> bool:
    """``strict`` as given, else whether ``BINANCE_OPENAPI_STRICT`` is set to a true value."""
    if strict is not None:
        return strict
    return os.environ.get(STRICT_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def order_ids(body: Any) -> list[dict[str, Any]]:
    """The ids (``orderId``, ``clientOrderId``...) of each order an answer names (a batch: each item)."""
    items = body if isinstance(body, list) else [body]
    found = []
    for item in items:
        if isinstance(item, Mapping):
            ids = {name: item[name] for name in ORDER_ID_FIELDS if name in item}
            if ids:
                found.append(ids)
    return found


def sent_ids(request: httpx.Request | None, operation: OperationLike) -> list[dict[str, Any]]:
    """The client order ids an order request carried (one per order of a batch)."""
    idempotency = operation.extensions.get(IDEMPOTENCY)
    if not idempotency or request is None:
        return []
    name = str(idempotency["clientIdParam"])
    batch = idempotency.get("batchParam")
    params = request.url.params
    if not batch:
        return [{name: params[name]}] if params.get(name) else []
    try:
        items = json.loads(params.get(str(batch), "[]"))
    except ValueError:
        return []
    return [{name: item[name]} for item in items if isinstance(item, dict) and item.get(name)]


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:
        return None


def shape_error(
    operation: OperationLike,
    response: httpx.Response,
    surprises: Sequence[Any],
    *,
    parsed: Any = None,
    body: Any = None,
) -> ResponseShapeError:
    """The strict-mode error for these surprises (``path``/``expected``/``seen`` of the first)."""
    first = surprises[0]
    ids: list[dict[str, Any]] = []
    if operation.extensions.get(IDEMPOTENCY):
        ids = order_ids(body) or sent_ids(_request_of(response), operation)
    return ResponseShapeError(
        method=operation.method,
        path=operation.path,
        operation=operation.id,
        json_path=first.path,
        expected=first.expected,
        seen=first.seen,
        body=response.content,
        surprises=surprises,
        parsed=parsed,
        order_ids=ids,
    )


def drifted(
    shape: ModuleType,
    operation: OperationLike,
    surprises: Sequence[Any],
    response: httpx.Response,
    *,
    strict: bool,
    parsed: Any = None,
) -> None:
    """Log the surprises of one answer (once per operation and path); raise when strict."""
    if response.extensions.get(RECONCILED):
        # A looked-up order stands in for a lost placement answer: it carries the query's fields too.
        surprises = [surprise for surprise in surprises if surprise.expected != shape.NEW_FIELD]
        if not surprises:
            return
    shape.report(operation, surprises)
    if strict:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        raise shape_error(operation, response, surprises, parsed=parsed, body=body)


class NotJson:
    """A surprise for an answer that is not JSON at all."""

    path = "$"
    expected = "a JSON answer"

    def __init__(self, error: BaseException) -> None:
        self.seen = f"{type(error).__name__}: {error}"[:120]

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}, got {self.seen}"


def parse_answer(
    shape: ModuleType,
    operation: OperationLike,
    response: httpx.Response,
    parse: Callable[[httpx.Response], T],
    *,
    strict: bool,
) -> T:
    """Parse a successful answer with the operation's generated parser and deal with its surprises."""
    with shape.collecting() as surprises:
        try:
            parsed = parse(response)
        except Exception as exc:  # not JSON (nothing to be tolerant with), or a parser bug: never bare
            error = shape_error(operation, response, [NotJson(exc)])
            log.warning("%s", error)
            raise error from exc
    if surprises:
        drifted(shape, operation, surprises, response, strict=strict, parsed=parsed)
    return parsed


__all__ = [
    "LOGGER",
    "STRICT_ENV",
    "NotJson",
    "drifted",
    "order_ids",
    "parse_answer",
    "sent_ids",
    "shape_error",
    "strict_default",
]
