"""Routes of the stream hosts, read from ``specs/streams/`` (``x-binance-route``): which path serves a stream.

USDⓈ-M serves its streams on three routes (since 2026-03-06; the paths without a route were retired on
2026-04-23): ``/usdm/public/...`` (book data: depth, book tickers), ``/usdm/market/...`` (every other
market stream) and ``/usdm/private/...`` (user data by listenKey). Binance accepts a stream asked for on
another route and never sends it; a connection without a route (``/usdm/ws``, ``/usdm/stream``) only
gets the ``unrouted`` route's streams. Spot and COIN-M have no routes.

The emulator reads the annotations of the stream schemas itself (shipped inside the package, or read
from the repository when running from a checkout): it shares the facts with the client, not its code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

_CHECKOUT = Path(__file__).resolve().parents[3] / "specs" / "streams"
_FIELD = re.compile(r"(<[A-Za-z]+>)")
_SPEED = r"(@\d+m?s)?"


def _schema(name: str) -> dict[str, Any] | None:
    bundled = resources.files("binance_emulator").joinpath("specs", "streams", name)
    path: Any = bundled if bundled.is_file() else _CHECKOUT / name
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _matcher(pattern: str) -> re.Pattern[str]:
    """``<symbol>@depth<levels>`` -> a regex; a field is a run without ``@`` or ``/``, a speed may follow."""
    pieces = [r"[^@/]+" if _FIELD.fullmatch(piece) else re.escape(piece) for piece in _FIELD.split(pattern)]
    return re.compile("".join(pieces) + _SPEED)


@dataclass(frozen=True)
class Routes:
    """The routes of one product's stream host."""

    names: tuple[str, ...]
    streams: tuple[tuple[re.Pattern[str], str], ...]
    default: str
    unrouted: str
    user_data: str

    def of(self, stream: str) -> str:
        """The route that sends market stream ``stream``."""
        for pattern, route in self.streams:
            if pattern.fullmatch(stream):
                return route
        return self.default


@cache
def routes(product: str) -> Routes | None:
    """The routes of ``product``'s stream host; ``None`` when it serves every stream on one path."""
    market, user = _schema(f"{product}-market.json"), _schema(f"{product}-user.json")
    if market is None or "x-binance-routes" not in market:
        return None
    streams = tuple(
        (_matcher(pattern), schema["x-binance-route"])
        for schema in market["$defs"].values()
        if "x-binance-route" in schema
        for pattern in schema.get("x-binance-streams", [])
    )
    user_data = (user or {}).get("x-binance-route", "private")
    names = tuple(dict.fromkeys([*(route for _, route in streams), user_data]))
    top = market["x-binance-routes"]
    return Routes(names, streams, top["default"], top["unrouted"], user_data)


__all__ = ["Routes", "routes"]
