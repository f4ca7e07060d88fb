"""The emulator is an independent implementation of Binance: no module of it imports the client library,
and each of its modules imports on its own (no module works only because another was imported first)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import binance_emulator

PACKAGE = Path(binance_emulator.__file__).resolve().parent
CLIENT = "binance_openapi"

# Imports every module of the package as ``python -c "import binance_emulator.<module>"`` would, with the
# client library made unimportable; prints what failed. Importing any module first runs the package's
# ``__init__``: a module that ``__init__`` already imports is checked by that import; every other module
# is imported in a fresh state of the package (its modules forgotten), as a new interpreter would.
PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    class Blocked:
        def find_spec(self, name, path=None, target=None):
            if name == "binance_openapi" or name.startswith("binance_openapi."):
                raise ImportError(f"the emulator imported {name}")
            return None

    def forget():
        for loaded in [m for m in sys.modules if m.split(".")[0] == "binance_emulator"]:
            del sys.modules[loaded]

    sys.meta_path.insert(0, Blocked())
    import binance_emulator

    # Before walking: ``walk_packages`` imports the subpackages it walks into.
    with_package = {m for m in sys.modules if m.split(".")[0] == "binance_emulator"}
    names = sorted(m.name for m in pkgutil.walk_packages(binance_emulator.__path__, "binance_emulator."))
    failures = {}
    alone = []
    for name in names:
        if name in with_package:
            continue
        alone.append(name)
        forget()
        try:
            importlib.import_module(name)
        except BaseException as exc:
            failures[name] = f"{type(exc).__name__}: {exc}"
    clients = sorted(m for m in sys.modules if m.split(".")[0] == "binance_openapi")
    print(json.dumps({"modules": names, "alone": alone, "failures": failures, "clients": clients}))
    """
)


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def test_no_source_file_of_the_emulator_names_the_client_library() -> None:
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 50
    offenders: dict[str, list[str]] = {}
    for path in sources:
        client_imports = sorted(
            name
            for name in _imported(ast.parse(path.read_text(encoding="utf-8")))
            if name.split(".")[0] == CLIENT
        )
        if client_imports:
            offenders[str(path.relative_to(PACKAGE))] = client_imports
    assert offenders == {}


def test_the_import_check_sees_every_kind_of_import() -> None:
    tree = ast.parse(
        "import binance_openapi\n"
        "def f():\n    from binance_openapi._weights import evaluate\n"
        "importlib.import_module('binance_openapi._keys')\n"
        "from . import _weights\n"
    )
    assert _imported(tree) == {"binance_openapi", "binance_openapi._weights", "binance_openapi._keys"}


def test_every_module_imports_on_its_own_without_the_client_library() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    on_disk = {
        ".".join(("binance_emulator", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in PACKAGE.rglob("*.py")
    } - {"binance_emulator"}
    assert set(report["modules"]) == on_disk
    assert report["failures"] == {}
    # The package's ``__init__`` imports only a few leaves of the exchange (``Emulator`` on first use):
    # every other module is imported alone.
    assert set(report["modules"]) - set(report["alone"]) == {
        "binance_emulator._auth",
        "binance_emulator._errors",
        "binance_emulator._faults",
        "binance_emulator._keys",
        "binance_emulator._limits",
        "binance_emulator._specs",
    }
    assert report["clients"] == []


def test_modules_import_in_a_new_interpreter() -> None:
    """The probe's fresh state of the package matches a new interpreter, for a module of each layer."""
    for name in ("venue", "bars", "_admin", "ws.streams", "emulator", "__main__"):
        completed = subprocess.run(
            [sys.executable, "-c", f"import binance_emulator.{name}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, (name, completed.stderr[-2000:])


def test_the_blocker_stops_an_import_of_the_client_library() -> None:
    probe = PROBE.replace(
        'names = sorted(m.name for m in pkgutil.walk_packages(binance_emulator.__path__, "binance_emulator."))',
        'names = ["binance_openapi._weights"]',
    ).replace(
        'with_package = {m for m in sys.modules if m.split(".")[0] == "binance_emulator"}',
        "with_package = set()",
    )
    assert probe != PROBE
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    report = json.loads(completed.stdout)
    assert report["failures"] == {
        "binance_openapi._weights": "ImportError: the emulator imported binance_openapi"
    }
