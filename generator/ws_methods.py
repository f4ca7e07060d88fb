"""The WebSocket API method catalogue (``specs/streams/ws-api-methods.json``): read and lint it.

Each product's methods name their security type and the REST operation they mirror; the REST build
compiles them into ``binance_<product>/ws_facade.py`` (``ws_facade.py.jinja``): a table of every method
and one typed async method per method that mirrors an operation.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .products import SPECS_DIR
from .specs import load, operations

CATALOGUE = SPECS_DIR / "streams" / "ws-api-methods.json"
SECURITY_TYPES = ("NONE", "MARKET_DATA", "USER_STREAM", "TRADE", "USER_DATA", "SIGNED")
"""The REST types, and ``SIGNED``: a signed method that needs no permission (``session.logon``)."""
KEYS = frozenset(("security", "operationId", "python", "signed", "description", "note"))
SIGNED_SECURITY = frozenset(("TRADE", "USER_DATA", "SIGNED"))


@dataclass(frozen=True)
class WsMethod:
    """One method of one product's WebSocket API."""

    name: str
    security: str
    signed: bool
    operation_id: str | None
    python: str | None
    note: str


def load_catalogue(path: Path = CATALOGUE) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{path.name}: not a JSON object")
    return document


def methods(product: str, path: Path = CATALOGUE) -> list[WsMethod]:
    """The catalogued methods of ``product``, in the catalogue's order."""
    entries = load_catalogue(path)["products"][product]["methods"]
    found = []
    for name, entry in entries.items():
        operation_id = entry.get("operationId")
        security = str(entry["security"])
        found.append(
            WsMethod(
                name=name,
                security=security,
                signed=bool(entry.get("signed", security in SIGNED_SECURITY)),
                operation_id=operation_id,
                python=entry.get("python", operation_id),
                note=str(entry.get("note", "")),
            )
        )
    return found


def path_of(product: str, path: Path = CATALOGUE) -> str:
    return str(load_catalogue(path)["products"][product]["path"])


def catalogued(product: str, path: Path = CATALOGUE) -> bool:
    """Whether the catalogue describes ``product`` (the generator's test specs are not described)."""
    return product in load_catalogue(path).get("products", {})


def lint_catalogue(specs: Mapping[str, Mapping[str, Any]] | None = None, path: Path = CATALOGUE) -> list[str]:
    """Every problem of the catalogue: unknown keys and security types, REST operations that do not
    exist, Python names that are not identifiers or are given twice. ``specs``: the REST specs to check
    the operations against, by product (only those products are checked); default: every spec."""
    where = "specs/streams/" + path.name
    try:
        document = load_catalogue(path)
    except (OSError, ValueError) as exc:
        return [f"{where}: cannot read: {exc}"]
    findings: list[str] = []
    for key in ("title", "description"):
        if not isinstance(document.get(key), str):
            findings.append(f"{where}:/{key}: missing")
    products = document.get("products")
    if not isinstance(products, dict) or set(products) != {"spot", "usdm", "coinm"}:
        return [*findings, f"{where}:/products: must describe spot, usdm and coinm"]
    for product, described in products.items():
        if specs is not None and product not in specs:
            continue
        spec = specs[product] if specs is not None else load(SPECS_DIR / f"{product}.yaml")
        ids = {str(op["operationId"]) for _path, _verb, op in operations(spec)}
        at = f"{where}:/products/{product}"
        if not isinstance(described.get("path"), str):
            findings.append(f"{at}/path: missing")
        entries = described.get("methods")
        if not isinstance(entries, dict) or not entries:
            findings.append(f"{at}/methods: missing")
            continue
        python_names: dict[str, str] = {}
        for name, entry in entries.items():
            here = f"{at}/methods/{name}"
            if not isinstance(entry, dict):
                findings.append(f"{here}: must be an object")
                continue
            for unknown in sorted(set(entry) - KEYS):
                findings.append(f"{here}/{unknown}: unknown key (allowed: {', '.join(sorted(KEYS))})")
            if entry.get("security") not in SECURITY_TYPES:
                findings.append(f"{here}/security: must be one of {', '.join(SECURITY_TYPES)}")
            operation_id = entry.get("operationId")
            if operation_id is not None and operation_id not in ids:
                findings.append(f"{here}/operationId: {operation_id!r} is not an operation of {product}")
            if operation_id is None and "description" not in entry:
                findings.append(f"{here}: a method that mirrors no operation needs a description")
            python = entry.get("python", operation_id)
            if python is None:
                continue
            if not str(python).isidentifier() or keyword.iskeyword(python) or python.startswith("_"):
                findings.append(f"{here}/python: {python!r} is not a public Python name")
            elif python in python_names:
                findings.append(f"{here}/python: {python!r} is also the name of {python_names[python]}")
            else:
                python_names[python] = name
    return findings


__all__ = ["CATALOGUE", "WsMethod", "catalogued", "lint_catalogue", "load_catalogue", "methods", "path_of"]
