"""Read the overlay's websocket tables (``binance_openapi/ws/_urls.py``) for the comparison.

The module is imported, and whatever it holds is read, so that a table added or renamed there is picked
up without editing this file:

- ``STREAM_URLS`` and ``WS_API_URLS`` (product -> network -> URL) become ``streams.<network>`` and
  ``ws_api.<network>`` URLs;
- every module-level mapping or sequence whose name contains ``ROUTE`` is a route table: the routes it
  names (``/public``, ``market``...) are the overlay's routes, for the product its name or keys name
  (USDⓈ-M when neither does: the only product with routes);
- every public function whose name contains ``route`` is asked for the route of an example stream of
  each of the SDK's stream templates (``btcusdt@aggTrade`` for ``<symbol>@aggTrade``).

When the overlay package cannot be imported (another part of it half-merged), the file is loaded on its
own. What cannot be read is said in the notes, and that part of the comparison is skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from .compare import OverlayStreams

MODULE = "binance_openapi.ws._urls"
FILE = Path(__file__).resolve().parents[2] / "overlay" / "binance_openapi" / "ws" / "_urls.py"
PRODUCT_KEYS = ("spot", "usdm", "coinm")
_DEFAULT_ROUTED = "usdm"
USER_DATA_TEMPLATE = "<listenKey>"
"""The SDKs' name for a user data stream (a listenKey)."""
_ROUTE = re.compile(r"^/?([a-z][a-z0-9-]*)/?$")
_EXAMPLES = {
    "symbol": "btcusdt",
    "pair": "btcusd",
    "contractType": "perpetual",
    "interval": "1m",
    "updateSpeed": "100ms",
    "levels": "5",
    "listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1",
}


@dataclass
class OverlayTables:
    """The overlay's websocket facts per product, with notes on what could not be read."""

    streams: dict[str, OverlayStreams] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    route_functions: list[Callable[..., Any]] = field(default_factory=list)


def read_overlay(module_name: str = MODULE, path: Path = FILE) -> OverlayTables:
    """Import the module; when its package cannot be imported (half-merged work elsewhere in the
    overlay), load the file on its own; when neither works, say so and compare nothing."""
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}"
        try:
            module = _load_file(module_name, path)
        except Exception as again:
            return OverlayTables(
                streams={p: OverlayStreams(urls={}) for p in PRODUCT_KEYS},
                notes=[
                    f"cannot import {module_name} ({problem}) nor load {path} "
                    f"({type(again).__name__}: {again}): URLs and routes not compared"
                ],
            )
        tables = read_module(module)
        tables.notes.insert(0, f"{module_name} could not be imported ({problem}): read {path} alone")
        return tables
    return read_module(module)


def _load_file(module_name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_module(module: ModuleType) -> OverlayTables:
    """The tables of an imported module (also what tests hand in)."""
    tables = OverlayTables()
    urls: dict[str, dict[str, str]] = {p: {} for p in PRODUCT_KEYS}
    for attribute, kind in (("STREAM_URLS", "streams"), ("WS_API_URLS", "ws_api")):
        table = getattr(module, attribute, None)
        if not isinstance(table, Mapping):
            tables.notes.append(f"{module.__name__}.{attribute} not found: {kind} URLs not compared")
            continue
        for product, networks in table.items():
            if product in urls and isinstance(networks, Mapping):
                urls[product].update({f"{kind}.{n}": str(u) for n, u in networks.items()})
    routes: dict[str, set[str]] = {}
    names = []
    for name, value in sorted(vars(module).items()):
        if (
            "ROUTE" in name.upper()
            and isinstance(value, Mapping | list | tuple)
            and not name.startswith("__")
        ):
            names.append(name)
            for product, found in _routes_of(name, value).items():
                routes.setdefault(product, set()).update(found)
        elif _is_route_function(name, value, module.__name__):
            tables.route_functions.append(value)
    if names:
        tables.notes.append(f"route table(s) read: {', '.join(names)}")
    else:
        tables.notes.append(
            f"{module.__name__} has no route table (no module-level name containing ROUTE): "
            "routes not compared"
        )
    for product in PRODUCT_KEYS:
        tables.streams[product] = OverlayStreams(
            urls=urls[product], routes=frozenset(routes[product]) if product in routes else None
        )
    return tables


def _is_route_function(name: str, value: object, module: str) -> bool:
    return (
        "route" in name.lower()
        and callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", module) == module
    )


def _routes_of(name: str, table: Mapping[str, Any] | Sequence[Any]) -> dict[str, set[str]]:
    named = [p for p in PRODUCT_KEYS if p in name.lower()]
    if named:
        return {named[0]: _route_names(table)}
    if isinstance(table, Mapping) and table and set(table) <= set(PRODUCT_KEYS):
        return {str(p): _route_names(v) for p, v in table.items()}
    return {_DEFAULT_ROUTED: _route_names(table)}


def _route_names(table: Any) -> set[str]:
    """Routes a table names. Strings written as paths (``/public``) or URLs win when there are any, so
    that ``{"/public": ["depth", ...]}`` and ``{"user": "/private"}`` give only the routes."""
    strings = _strings(table)
    written = [s for s in strings if s.startswith("/") or "://" in s] or strings
    return {r for r in (route_of_url(s) for s in written) if r}


def _strings(table: Any) -> list[str]:
    if isinstance(table, str):
        return [table]
    if isinstance(table, Mapping):
        return [s for key, value in table.items() for s in (*_strings(key), *_strings(value))]
    if isinstance(table, list | tuple | set | frozenset):
        return [s for value in table for s in _strings(value)]
    return []


def route_of_url(text: str) -> str:
    """``/public``, ``public`` or ``wss://fstream.binance.com/public/ws/x`` -> ``public``.

    ``/ws/x`` and ``/stream?...`` (no route) -> ``""``.
    """
    path = urlsplit(text).path if "://" in text else text
    segment = path.strip("/").split("/", 1)[0]
    if segment in {"ws", "stream"} or not _ROUTE.match(segment or "-"):
        return ""
    return segment


def example_stream(template: str) -> str:
    """``<symbol>@depth<levels>@<updateSpeed>`` -> ``btcusdt@depth5@100ms``."""
    return re.sub(r"<([A-Za-z]+)>", lambda m: _EXAMPLES.get(m.group(1), m.group(1).lower()), template)


def ask_routes(
    functions: list[Callable[..., Any]], product: str, templates: Sequence[str]
) -> tuple[dict[str, str] | None, list[str]]:
    """The route each function gives an example of each template; notes for what could not be asked.

    A user data stream (``<listenKey>``) is not a market stream: when the overlay has a route function
    for user data (its name says ``user``), that one is asked, with the product, for those templates;
    the others are asked of the market stream functions.
    """
    user = [f for f in functions if "user" in getattr(f, "__name__", "").lower()]
    market = [f for f in functions if f not in user]
    user_templates = [t for t in templates if USER_DATA_TEMPLATE in t] if user else []
    answers, notes = _ask_streams(market, product, [t for t in templates if t not in user_templates])
    if answers is None or not user_templates:
        return answers, notes
    for function in user:
        try:
            answer = function(product)
        except Exception as exc:
            notes.append(f"{function.__name__}() could not be asked ({type(exc).__name__}: {exc})")
            continue
        route = "" if answer is None else route_of_url(str(answer))
        answers.update(dict.fromkeys(user_templates, route))
        notes.append(f"user data routes asked of {function.__name__}()")
        break
    return answers, notes


def _ask_streams(
    functions: list[Callable[..., Any]], product: str, templates: Sequence[str]
) -> tuple[dict[str, str] | None, list[str]]:
    notes: list[str] = []
    for function in functions:
        try:
            arity = len(inspect.signature(function).parameters)
        except (TypeError, ValueError):
            continue
        answers: dict[str, str] = {}
        try:
            for template in templates:
                stream = example_stream(template)
                answer = function(stream) if arity == 1 else function(product, stream)
                answers[template] = route_of_url(str(answer))
        except Exception as exc:
            notes.append(f"{function.__name__}() could not be asked ({type(exc).__name__}: {exc})")
            continue
        notes.append(f"stream routes asked of {function.__name__}()")
        return answers, notes
    return None, notes


__all__ = [
    "FILE",
    "MODULE",
    "OverlayTables",
    "ask_routes",
    "example_stream",
    "read_module",
    "read_overlay",
    "route_of_url",
]
