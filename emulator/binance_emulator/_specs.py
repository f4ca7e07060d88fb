"""The specs, as the emulator reads them: which operation a request is, and what its parameters must be.

The emulator answers what ``specs/*.yaml`` describe, from the same files the clients are generated from
(shipped inside the package, or read from the repository when running from a checkout).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

PRODUCTS = ("spot", "usdm", "coinm")
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_CHECKOUT = Path(__file__).resolve().parents[2] / "specs"


def _spec_text(product: str) -> str:
    bundled = resources.files("binance_emulator").joinpath("specs", f"{product}.yaml")
    if bundled.is_file():
        return bundled.read_text(encoding="utf-8")
    return (_CHECKOUT / f"{product}.yaml").read_text(encoding="utf-8")


@cache
def load(product: str) -> dict[str, Any]:
    """The spec of ``product`` as plain data."""
    data: dict[str, Any] = yaml.safe_load(_spec_text(product))
    return data


def resolve(spec: Mapping[str, Any], node: Any) -> Any:
    """Follow ``$ref`` chains of a node (local references only)."""
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = spec
        for token in str(node["$ref"])[2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def resolve_all(spec: Mapping[str, Any], node: Any) -> Any:
    """A schema with every local ``$ref`` in it replaced by its target (the specs have no cycles)."""
    node = resolve(spec, node)
    if isinstance(node, Mapping):
        return {key: resolve_all(spec, value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_all(spec, value) for value in node]
    return node


@dataclass(frozen=True)
class Param:
    """One query parameter: its schema (resolved), whether it is required, whether its value is JSON."""

    name: str
    schema: Mapping[str, Any]
    required: bool
    json: bool

    @cached_property
    def validator(self) -> Draft202012Validator:
        """Checks the decoded value of a JSON parameter against its whole schema."""
        return Draft202012Validator(self.schema)


# Parameters Binance accepts and ignores although its pages list none: python-binance and
# binance-futures-connector send the key they keep alive or close to the futures listenKey endpoints.
TOLERATED: Mapping[tuple[str, str], tuple[str, ...]] = {
    (product, operation): ("listenKey",)
    for product in ("usdm", "coinm")
    for operation in ("keepalive_user_data_stream", "close_user_data_stream")
}


@dataclass(frozen=True)
class OpSpec:
    """What the emulator needs of one operation."""

    product: str
    operation_id: str
    method: str
    path: str
    security: str
    weight: Mapping[str, Any]
    params: Mapping[str, Param]
    requires: tuple[Mapping[str, Any], ...] = ()
    example: Any = None
    idempotency: Mapping[str, Any] = field(default_factory=dict)

    @property
    def signed(self) -> bool:
        return self.security in ("TRADE", "USER_DATA")

    @property
    def keyed(self) -> bool:
        return self.security != "NONE"

    @property
    def places_orders(self) -> bool:
        return bool(self.weight.get("orders"))

    def success_refund(self, charged: int) -> int:
        """Weight to give back when the request succeeds (``success`` below what was charged)."""
        success = self.weight.get("success")
        return max(0, charged - int(success)) if success is not None else 0


def _any_case_booleans(schema: Any) -> Any:
    """A JSON parameter's schema reading ``"true"``/``"false"`` strings in any case, as Binance does.

    Binance's official futures SDKs send ``"reduceOnly": "FALSE"`` and ``"priceProtect": "FALSE"`` in
    ``batchOrders`` items whatever their documented case; Binance reads both, as it does single orders'.
    """
    if isinstance(schema, Mapping):
        if {str(value).lower() for value in schema.get("enum") or ()} == {"true", "false"}:
            relaxed = {key: value for key, value in schema.items() if key not in ("enum", "x-enum-varnames")}
            return {**relaxed, "pattern": "^(?i:true|false)$"}
        return {key: _any_case_booleans(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_any_case_booleans(value) for value in schema]
    return schema


def _params(product: str, spec: Mapping[str, Any], operation: Mapping[str, Any]) -> dict[str, Param]:
    params = {
        name: Param(name, {"type": "string"}, False, False)
        for name in TOLERATED.get((product, operation["operationId"]), ())
    }
    for raw in operation.get("parameters") or []:
        parameter = resolve(spec, raw)
        if "content" in parameter:
            schema = _any_case_booleans(resolve_all(spec, parameter["content"]["application/json"]["schema"]))
            is_json = True
        else:
            schema = resolve_all(spec, parameter.get("schema") or {})
            is_json = bool(parameter.get("x-binance-json"))
        params[parameter["name"]] = Param(parameter["name"], schema, bool(parameter.get("required")), is_json)
    return params


@cache
def index(product: str) -> dict[tuple[str, str], OpSpec]:
    """Every operation of ``product`` by ``(METHOD, path)``."""
    spec = load(product)
    found = {}
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            media = operation["responses"]["200"]["content"]["application/json"]
            found[(method.upper(), path)] = OpSpec(
                product=product,
                operation_id=operation["operationId"],
                method=method.upper(),
                path=path,
                security=operation["x-binance-security"],
                weight=operation["x-binance-weight"],
                params=_params(product, spec, operation),
                requires=tuple(operation.get("x-binance-requires") or ()),
                example=json.loads(json.dumps(media.get("example"))),
                idempotency=operation.get("x-binance-idempotency") or {},
            )
    return found


@cache
def _methods(product: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for method, path in index(product):
        found.setdefault(path, []).append(method)
    return {path: tuple(sorted(methods)) for path, methods in found.items()}


def methods_at(product: str, path: str) -> tuple[str, ...]:
    """The methods ``product`` serves at ``path`` (none when the path is not one of its operations)."""
    return _methods(product).get(path, ())


@cache
def by_id(product: str) -> dict[str, OpSpec]:
    return {op.operation_id: op for op in index(product).values()}


def product_of(path: str) -> str | None:
    """Which product a path belongs to (``/futures/data`` paths exist in both futures products)."""
    if path.startswith(("/api/", "/sapi/")):
        return "spot"
    if path.startswith("/fapi/"):
        return "usdm"
    if path.startswith("/dapi/"):
        return "coinm"
    return None


__all__ = [
    "PRODUCTS",
    "TOLERATED",
    "OpSpec",
    "Param",
    "by_id",
    "index",
    "load",
    "methods_at",
    "product_of",
    "resolve",
]
