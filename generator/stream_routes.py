"""The routes of the stream hosts, from ``specs/streams/``: which path of its host serves each stream.

Since 2026-03-06 (legacy paths retired 2026-04-23) Binance serves USDⓈ-M streams on three routes of
``fstream``: ``/public`` (book data), ``/market`` (every other market stream) and ``/private`` (user
data). The schemas say it where the streams are listed:

- ``x-binance-route`` on a payload def: the route of every stream of its ``x-binance-streams``;
- ``x-binance-route`` at the root of a user data file: the route of its listenKey streams;
- ``x-binance-routes`` at the root of a market file: ``default``, the route of a stream that no payload
  lists (Binance puts everything that is not book data on ``/market``), and ``unrouted``, what a
  connection without a route (``/ws``, ``/stream``) still receives.

A file that has ``x-binance-routes`` gives every payload with streams a route. ``render`` writes the
``routes`` module of ``binance_streams``: the table, and ``route_of(product, stream)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROUTES = ("public", "market", "private")
ROOT_KEYS = frozenset({"default", "unrouted"})
PLACEHOLDER = re.compile(r"<[A-Za-z]+>")
# A placeholder (``<symbol>``, ``<interval>``, ``<levels>``...) stands for one run of characters that
# holds no ``@`` and no ``/`` (the separators of stream names and of combined stream lists).
PLACEHOLDER_RE = "[^@/]+"
# A pattern also covers its name with an update speed (``<symbol>@depth@250ms``, ``!markPrice@arr@1s``):
# the speeds the documentation lists change more often than the routes.
SPEED_RE = "(?:@[0-9]+m?s)?"


def product_of(path: Path) -> str:
    """``usdm-market.json`` -> ``usdm``."""
    return path.stem.split("-", 1)[0]


def pattern_regex(pattern: str) -> str:
    """The anchored regular expression of a stream name pattern (``<symbol>@depth<levels>``), with or
    without an update speed."""
    parts = PLACEHOLDER.split(pattern)
    return "^" + PLACEHOLDER_RE.join(re.escape(part) for part in parts) + SPEED_RE + "$"


def lint_routes(document: Mapping[str, Any], where: str) -> list[str]:
    """Route annotations name known routes, and a routed market file routes every payload."""
    findings: list[str] = []
    root = document.get("x-binance-routes")
    if root is not None:
        if not isinstance(root, dict) or set(root) != ROOT_KEYS:
            findings.append(f"{where}:/x-binance-routes: an object with exactly {sorted(ROOT_KEYS)}")
        else:
            findings += [
                f"{where}:/x-binance-routes/{key}: {value!r} is not one of {list(ROUTES)}"
                for key, value in root.items()
                if value not in ROUTES
            ]
    own = document.get("x-binance-route")
    if own is not None and own not in ROUTES:
        findings.append(f"{where}:/x-binance-route: {own!r} is not one of {list(ROUTES)}")
    defs = document.get("$defs")
    for name, schema in defs.items() if isinstance(defs, dict) else ():
        route = schema.get("x-binance-route")
        pointer = f"{where}:/$defs/{name}"
        if route is not None and route not in ROUTES:
            findings.append(f"{pointer}/x-binance-route: {route!r} is not one of {list(ROUTES)}")
        if route is not None and not schema.get("x-binance-streams"):
            findings.append(f"{pointer}/x-binance-route: routes `x-binance-streams`: none listed")
        if root is not None and route is None and schema.get("x-binance-streams"):
            findings.append(f"{pointer}: the file has routes (`x-binance-routes`): give `x-binance-route`")
    return findings


def table(documents: Mapping[Path, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """``product -> {"streams": [(pattern, route)...], "default", "unrouted", "user_data"}``."""
    out: dict[str, dict[str, Any]] = {}
    for path, document in sorted(documents.items()):
        product = product_of(path)
        root = document.get("x-binance-routes")
        own = document.get("x-binance-route")
        if root is None and own is None:
            continue
        entry = out.setdefault(product, {"streams": [], "default": None, "unrouted": None, "user_data": None})
        if own is not None:
            entry["user_data"] = own
        if root is not None:
            entry["default"], entry["unrouted"] = root["default"], root["unrouted"]
        for schema in document["$defs"].values():
            route = schema.get("x-binance-route")
            for pattern in schema.get("x-binance-streams", []) if route else []:
                if (pattern, route) not in entry["streams"]:
                    entry["streams"].append((pattern, route))
    return out


MODULE = '''"""Routes of the stream hosts: which path of its product's host serves each stream.

Binance serves USDⓈ-M streams on three routes of its host (``wss://fstream.binance.com/public``,
``/market``, ``/private``), each with the raw ``/ws/<stream>`` and combined ``/stream?streams=`` forms.
A stream asked for on another route is accepted and never sent; a connection without a route receives
only the ``unrouted`` route's streams. Products without an entry here serve every stream on one path.

Compiled from the ``x-binance-route`` annotations of ``specs/streams/``.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["DEFAULT", "PATTERNS", "ROUTES", "UNROUTED", "USER_DATA", "route_of", "routed"]

ROUTES: Final = {ROUTES}
"""Every route of a product's stream host."""
PATTERNS: Final[dict[str, tuple[tuple[str, str], ...]]] = {PATTERNS}
"""``product -> ((stream name pattern, route), ...)``, as ``x-binance-streams`` writes the patterns."""
DEFAULT: Final[dict[str, str]] = {DEFAULT}
"""The route of a stream name that no pattern matches."""
UNROUTED: Final[dict[str, str]] = {UNROUTED}
"""The route whose streams a connection without a route (``/ws``, ``/stream``) receives."""
USER_DATA: Final[dict[str, str]] = {USER_DATA}
"""The route of user data (listenKey) streams."""

_COMPILED: Final[dict[str, tuple[tuple[re.Pattern[str], str], ...]]] = {COMPILED}


def routed(product: str) -> bool:
    """Whether the product's stream host serves its streams on routes."""
    return product in ROUTES


def route_of(product: str, stream: str) -> str | None:
    """The route serving market stream ``stream`` of ``product``; ``None`` for a product without routes."""
    compiled = _COMPILED.get(product)
    if compiled is None:
        return None
    for pattern, route in compiled:
        if pattern.match(stream):
            return route
    return DEFAULT[product]
'''


def render(documents: Mapping[Path, Mapping[str, Any]]) -> str:
    """The ``routes`` module's source."""
    data = table(documents)
    routes = {
        product: tuple(r for r in ROUTES if r in {entry["default"], entry["unrouted"], entry["user_data"]}
                       or any(route == r for _, route in entry["streams"]))
        for product, entry in data.items()
    }  # fmt: skip
    patterns = {product: tuple(entry["streams"]) for product, entry in data.items()}
    compiled = (
        "{"
        + ", ".join(
            f"{product!r}: ("
            + "".join(f"(re.compile({pattern_regex(p)!r}), {r!r}), " for p, r in entry["streams"])
            + ")"
            for product, entry in data.items()
        )
        + "}"
    )
    return (
        MODULE.replace("{ROUTES}", repr(routes))
        .replace("{PATTERNS}", repr(patterns))
        .replace("{DEFAULT}", repr({p: e["default"] for p, e in data.items() if e["default"]}))
        .replace("{UNROUTED}", repr({p: e["unrouted"] for p, e in data.items() if e["unrouted"]}))
        .replace("{USER_DATA}", repr({p: e["user_data"] for p, e in data.items() if e["user_data"]}))
        .replace("{COMPILED}", compiled)
    )


__all__ = ["ROUTES", "lint_routes", "pattern_regex", "product_of", "render", "table"]
