"""What the overlay reads from a generated operation (``binance_<product>.types.Operation``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx

EXTENSION = "binance_operation"


class OperationLike(Protocol):
    """The spec facts every generated request carries in ``request.extensions["binance_operation"]``."""

    @property
    def id(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def security(self) -> str: ...
    @property
    def weight(self) -> Mapping[str, Any]: ...
    @property
    def docs(self) -> str: ...
    @property
    def extensions(self) -> Mapping[str, Any]: ...
    @property
    def signed(self) -> bool: ...
    @property
    def needs_api_key(self) -> bool: ...


def operation_of(request: httpx.Request) -> OperationLike | None:
    """The operation a request was built for, or ``None`` for a request built by hand."""
    operation: OperationLike | None = request.extensions.get(EXTENSION)
    return operation


__all__ = ["EXTENSION", "OperationLike", "operation_of"]
