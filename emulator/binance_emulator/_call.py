"""What an exchange handler receives for one request, after the protocol layer has checked it."""

from __future__ import annotations

from typing import Any

import msgspec

from ._errors import mandatory


class Call(msgspec.Struct, frozen=True, gc=False):
    """One validated request.

    ``params`` holds the request's parameters typed by the spec: ``int``, ``bool``, ``Decimal`` for
    decimals, ``str`` for strings and enums, parsed JSON for JSON-valued parameters. Parameters that
    were not sent are absent. ``account`` is the account of the API key (``None`` on public calls).
    """

    operation: str
    params: dict[str, Any]
    account: str | None
    now: int

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def require(self, name: str) -> Any:
        if name not in self.params:
            raise mandatory(name)
        return self.params[name]


__all__ = ["Call"]
