"""The emulator's imports point one way: the exchange, then the servers built on it, then the top.

* the exchange (``venue``, ``spot/``, ``futures/``, ``engine/``, ``market``, the protocol pieces...)
  imports nothing of HTTP or websockets, and no server;
* the servers (``_app`` with ``_admin`` for REST, ``ws/`` for websockets) import the exchange, never the
  top, and not each other;
* the top (``emulator``, ``__main__``, the package's ``__init__``) imports both.

The graph is read from the sources with ``ast``: every ``import`` and ``from ... import`` wherever it is
(module level, inside functions, under ``TYPE_CHECKING``), relative or absolute, and
``importlib.import_module`` of a constant name. A module's own packages are left out of its edges (Python
imports them before the module, whatever the module says) unless it imports a name defined in one
(``from binance_emulator import Emulator`` depends on the package's ``__init__``).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

import binance_emulator

PACKAGE = Path(binance_emulator.__file__).resolve().parent
ROOT = "binance_emulator"
HTTP = ("starlette", "uvicorn", "websockets", "httpx")
TOP = {ROOT, f"{ROOT}.__main__", f"{ROOT}.emulator"}
REST = {f"{ROOT}._app", f"{ROOT}._admin"}
WEBSOCKETS = f"{ROOT}.ws"


def _name(path: Path) -> str:
    return ".".join((ROOT, *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")


MODULES = {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _absolute(module: str, level: int, name: str | None) -> str:
    """The absolute name of ``from <level dots><name> import ...`` written in ``module``."""
    if not level:
        return name or ""
    parts = module.split(".") if _is_package(module) else module.split(".")[:-1]
    base = parts[: len(parts) - level + 1]
    return ".".join([*base, name] if name else base)


def _import_module_target(module: str, node: ast.Call) -> str | None:
    """``importlib.import_module("name")`` or ``import_module(".name", __package__)``: the module named."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if called not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
        return None
    name = first.value
    if not name.startswith("."):
        return name
    level = len(name) - len(name.lstrip("."))
    return _absolute(module, level, name[level:] or None)


def imports_of(module: str, source: str) -> set[str]:
    """Every module ``module`` imports (absolute names, the package's and third parties' alike)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node.level, node.module)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # a module, or a name in one
        elif isinstance(node, ast.Call):
            target = _import_module_target(module, node)
            if target:
                names.add(target)
    return names


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts))}


def internal_edges(module: str, imported: Iterable[str], known: Iterable[str]) -> set[str]:
    """The package's modules among ``imported`` (a name inside a module counts as that module), without
    ``module`` itself, and without its own packages unless it imports a name defined in one."""
    modules = set(known)
    own = _ancestors(module)
    edges: set[str] = set()
    for name in imported:
        found = name
        while found not in modules and "." in found:
            found = found.rsplit(".", 1)[0]
        if found in modules and found != module and not (found == name and found in own):
            edges.add(found)
    return edges


def graph() -> dict[str, set[str]]:
    return {
        module: internal_edges(module, imports_of(module, path.read_text(encoding="utf-8")), MODULES)
        for module, path in MODULES.items()
    }


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle of ``edges`` as ``[a, b, ..., a]``, or ``None`` (depth first, without recursion)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if start in state:
            continue
        path = [start]
        iterators = [iter(sorted(edges[start]))]
        state[start] = 1
        while iterators:
            following = next(iterators[-1], None)
            if following is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                iterators.append(iter(sorted(edges.get(following, ()))))
    return None


def layer(module: str) -> str:
    if module in TOP:
        return "top"
    if module in REST:
        return "rest"
    if module == WEBSOCKETS or module.startswith(WEBSOCKETS + "."):
        return "websockets"
    return "exchange"


# What each layer may import of the package's layers.
ALLOWED = {
    "exchange": {"exchange"},
    "rest": {"exchange", "rest"},
    "websockets": {"exchange", "websockets"},
    "top": {"exchange", "rest", "websockets", "top"},
}


# -- the tools check what they should --------------------------------------------------------------------


def test_the_reader_sees_every_kind_of_import() -> None:
    source = (
        "from __future__ import annotations\n"
        "import starlette.websockets\n"
        "from typing import TYPE_CHECKING\n"
        "from .. import _errors\n"
        "from .hub import Hub\n"
        "from binance_emulator.market import Tape\n"
        "if TYPE_CHECKING:\n    from binance_emulator.emulator import Emulator\n"
        "def f():\n    from .._app import EmulatorApp\n"
        "    importlib.import_module('binance_emulator.spot.tickers')\n"
        "    return import_module('..futures', __package__)\n"
    )
    imported = imports_of("binance_emulator.ws.market", source)
    assert "starlette.websockets" in imported
    assert internal_edges("binance_emulator.ws.market", imported, MODULES) == {
        "binance_emulator._app",
        "binance_emulator._errors",
        "binance_emulator.emulator",
        "binance_emulator.futures",
        "binance_emulator.market",
        "binance_emulator.spot.tickers",
        "binance_emulator.ws.hub",
    }
    # In a package's ``__init__``, one dot is the package itself; its own packages are no edge.
    package = imports_of("binance_emulator.ws", "from .server import WebSockets\nfrom .. import venue\n")
    assert internal_edges("binance_emulator.ws", package, MODULES) == {
        "binance_emulator.ws.server",
        "binance_emulator.venue",
    }
    own = imports_of("binance_emulator.ws.api", "from . import payloads\nimport binance_emulator\n")
    assert internal_edges("binance_emulator.ws.api", own, MODULES) == {"binance_emulator.ws.payloads"}
    # A name defined in an own package is an edge to it.
    named = imports_of("binance_emulator.spot.flow", "from binance_emulator import Emulator\n")
    assert internal_edges("binance_emulator.spot.flow", named, MODULES) == {"binance_emulator"}


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"b"}}) == ["b", "b"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) is None


def test_the_graph_holds_the_known_edges() -> None:
    edges = graph()
    assert len(edges) > 90
    assert f"{ROOT}.venue" in edges[f"{ROOT}.emulator"]
    assert f"{ROOT}.ws" in edges[f"{ROOT}.emulator"]
    assert f"{ROOT}.venue" in edges[f"{ROOT}._app"]  # under TYPE_CHECKING
    assert f"{ROOT}.spot.tickers" in edges[f"{ROOT}.bars"]  # through importlib
    assert f"{ROOT}.emulator" in edges[ROOT]  # through importlib, on first use


# -- the package -------------------------------------------------------------------------------------


def test_no_import_cycle_among_the_modules() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_each_layer_imports_only_the_layers_below() -> None:
    wrong = {
        f"{module} -> {imported}"
        for module, imported_modules in graph().items()
        for imported in imported_modules
        if layer(imported) not in ALLOWED[layer(module)]
    }
    assert sorted(wrong) == []


def test_the_exchange_imports_no_http_or_websocket_library() -> None:
    offenders: dict[str, list[str]] = {}
    for module, path in MODULES.items():
        if layer(module) != "exchange":
            continue
        outside = sorted(
            name
            for name in imports_of(module, path.read_text(encoding="utf-8"))
            if name.split(".")[0] in HTTP
        )
        if outside:
            offenders[module] = outside
    assert offenders == {}
    assert [module for module in MODULES if layer(module) == "exchange"] != []


# Imports every module of the exchange layer, each in a fresh state of the package (its modules forgotten),
# and says which modules of the servers, the top or the server libraries got loaded on the way.
RUNTIME = textwrap.dedent(
    """
    import importlib, json, sys

    names = json.loads(sys.argv[1])
    watched = tuple(json.loads(sys.argv[2]))
    for name in names:
        for loaded in [m for m in sys.modules if m.split(".")[0] == "binance_emulator"]:
            del sys.modules[loaded]
        importlib.import_module(name)
    print(json.dumps(sorted(m for m in sys.modules if m in watched or m.startswith(tuple(w + "." for w in watched)))))
    """
)


def test_importing_the_exchange_loads_no_server() -> None:
    exchange = sorted(module for module in MODULES if layer(module) == "exchange")
    watched = [*HTTP, f"{ROOT}._app", f"{ROOT}._admin", WEBSOCKETS, f"{ROOT}.emulator", f"{ROOT}.__main__"]
    completed = subprocess.run(
        [sys.executable, "-c", RUNTIME, json.dumps(exchange), json.dumps(watched)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert json.loads(completed.stdout) == []
    # The probe sees a server when one is loaded.
    completed = subprocess.run(
        [sys.executable, "-c", RUNTIME, json.dumps([f"{ROOT}._app"]), json.dumps(watched)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert {"binance_emulator._app", "binance_emulator._admin", "starlette"} <= set(
        json.loads(completed.stdout)
    )


def test_the_package_gives_the_emulator_on_first_use() -> None:
    from binance_emulator.emulator import Emulator

    assert binance_emulator.Emulator is Emulator
    assert "Emulator" in dir(binance_emulator)
    assert not hasattr(binance_emulator, "Missing")
