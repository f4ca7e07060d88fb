"""Turn a project spec into the input openapi-python-client reads, and collect what templates need.

The spec stays the truth (it is what schemathesis and the emulator read); this is a build copy with
two rewrites openapi-python-client cannot do itself:

* a positional tuple (``prefixItems`` with a ``title`` per item) becomes an object with those titles
  as properties and ``x-binance-tuple: true``, which the model template turns into a class with
  ``from_list``/``to_list``;
* a JSON-valued query parameter (``content: application/json``) becomes a plain ``schema`` whose
  value the endpoint template encodes with ``json_param``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import weights
from .specs import operations, resolve

BINANCE_EXTENSIONS = ("x-binance-security", "x-binance-weight")


@dataclass
class OperationMeta:
    """What the templates know about one operation besides openapi-python-client's parse."""

    operation_id: str
    method: str
    path: str
    security: str
    weight: Mapping[str, Any]
    docs: str
    extensions: dict[str, Any]
    json_params: set[str] = field(default_factory=set)
    parameter_names: set[str] = field(default_factory=set)
    int_choices: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def signed(self) -> bool:
        return self.security in ("TRADE", "USER_DATA")

    @property
    def weight_text(self) -> str:
        return weights.describe(self.weight)

    @property
    def weight_literal(self) -> str:
        return repr(dict(self.weight))

    @property
    def extensions_literal(self) -> str:
        return repr(self.extensions)


def prepare(spec: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, OperationMeta]]:
    """Return the build copy of ``spec`` and the operation metadata keyed by operationId."""
    build = copy.deepcopy(dict(spec))
    schemas = (build.get("components") or {}).get("schemas") or {}
    for name, schema in list(schemas.items()):
        if isinstance(schema, dict) and "prefixItems" in schema:
            schemas[name] = _tuple_as_object(schema)
    metas: dict[str, OperationMeta] = {}
    for path, method, operation in operations(build):
        meta = OperationMeta(
            operation_id=operation["operationId"],
            method=method.upper(),
            path=path,
            security=operation["x-binance-security"],
            weight=operation["x-binance-weight"],
            docs=operation["externalDocs"]["url"],
            extensions={
                key: value
                for key, value in operation.items()
                if key.startswith("x-binance-") and key not in BINANCE_EXTENSIONS
            },
        )
        for parameter in operation.get("parameters") or []:
            if "$ref" in parameter:
                parameter = resolve(build, parameter["$ref"])  # noqa: PLW2901 (shared components)
            meta.parameter_names.add(parameter["name"])
            if "content" in parameter and "schema" not in parameter:
                parameter["schema"] = parameter.pop("content")["application/json"]["schema"]
                parameter["x-binance-json"] = True
            if parameter.get("x-binance-json"):
                meta.json_params.add(parameter["name"])
            schema = parameter.get("schema") or {}
            if schema.get("type") == "integer" and "enum" in schema:
                meta.int_choices[parameter["name"]] = tuple(schema["enum"])
        metas[meta.operation_id] = meta
    _resolve_lookups(metas)
    _strip_integer_enums(build)
    return build, metas


def _resolve_lookups(metas: Mapping[str, OperationMeta]) -> None:
    """Give x-binance-idempotency the method, path and security of its lookup operation.

    The client builds the lookup request from these when an order's answer is lost.
    """
    for meta in metas.values():
        idempotency = meta.extensions.get("x-binance-idempotency")
        if not isinstance(idempotency, dict) or idempotency.get("lookup") not in metas:
            continue
        lookup = metas[idempotency["lookup"]]
        meta.extensions["x-binance-idempotency"] = {
            **idempotency,
            "lookupMethod": lookup.method,
            "lookupPath": lookup.path,
            "lookupSecurity": lookup.security,
            "lookupWeight": dict(lookup.weight),
            "lookupParams": sorted(lookup.parameter_names),
        }


def _strip_integer_enums(node: Any) -> None:
    """Integer choices (``limit: [5, 10, 20]``) are checked by the endpoint, not made enum classes."""
    if isinstance(node, dict):
        if node.get("type") == "integer" and "enum" in node:
            del node["enum"]
        for value in node.values():
            _strip_integer_enums(value)
    elif isinstance(node, list):
        for value in node:
            _strip_integer_enums(value)


def _tuple_as_object(schema: Mapping[str, Any]) -> dict[str, Any]:
    items = schema["prefixItems"]
    properties = {item["title"]: {k: v for k, v in item.items() if k != "title"} for item in items}
    result: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": [item["title"] for item in items],
        "x-binance-tuple": True,
    }
    if "description" in schema:
        result["description"] = schema["description"]
    return result
