"""The API surface of a spec: its operations, their parameters and the fields of their answers.

What a caller of a generated client sees, reduced to plain data that two specs (``--diff``) or a spec
and Binance's SDK (``generator.drift``) can be compared on:

- operations keyed ``"GET /fapi/v1/order"``;
- parameters by wire name, with ``required``, type tokens and closed enum values;
- response fields by JSON path: ``""`` is the answer itself, ``fills[].price`` a field of the objects of
  an array, ``bids[][0]`` the first item of a positional tuple; each path has a set of type tokens
  (``string``, ``string:decimal``, ``integer:int64``, ``number``, ``boolean``, ``object``, ``array``,
  ``null``). A path in ``opaque`` is a value whose inside is not described (free object, array without
  items): nothing under it is compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .specs import operations, resolve

JSON_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")


@dataclass(frozen=True)
class Parameter:
    """One request parameter, by its wire name."""

    name: str
    required: bool
    types: frozenset[str] = frozenset()
    enum: frozenset[str] | None = None


@dataclass(frozen=True)
class Operation:
    """One operation: what is sent and what comes back."""

    method: str
    path: str
    operation_id: str = ""
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    response: Mapping[str, frozenset[str]] = field(default_factory=dict)
    opaque: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


Surface = dict[str, Operation]


def enum_text(value: object) -> str:
    """How an enum value is written in a report (JSON spelling for booleans and null)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_SEPARATOR = re.compile(r"\.|\[\]|\{\}")


def ancestors(path: str) -> list[str]:
    """``a.b[].c`` -> ``["", "a", "a.b", "a.b[]"]``."""
    found = [""] if path else []
    for match in _SEPARATOR.finditer(path):
        if match.start() > 0:
            found.append(path[: match.start()])
        if match.group() != "." and match.end() < len(path):
            found.append(path[: match.end()])
    return sorted(set(found) - {path}, key=len)


def child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def base_type(token: str) -> str:
    """``string:decimal`` -> ``string``."""
    return token.split(":", 1)[0]


def spec_surface(spec: Mapping[str, Any]) -> Surface:
    """The surface of one OpenAPI spec (plain data, as loaded from YAML)."""
    surface: Surface = {}
    for path, method, operation in operations(spec):
        parameters: dict[str, Parameter] = {}
        for raw in operation.get("parameters") or []:
            param = _deref(spec, raw, [])
            if not isinstance(param, Mapping) or "name" not in param:
                continue
            schema = _param_schema(param)
            walk = _Walk(spec)
            walk.schema(schema, "", [])
            parameters[str(param["name"])] = Parameter(
                name=str(param["name"]),
                required=bool(param.get("required", False)),
                types=_param_types(walk),
                # An array parameter's values are its items' (permissions=["MARGIN","LEVERAGED"]).
                enum=walk.enum("[]" if "array" in walk.types.get("", set()) else ""),
            )
        walk = _Walk(spec)
        schema = _response_schema(spec, operation)
        if schema is not None:
            walk.schema(schema, "", [])
        op = Operation(
            method=method.upper(),
            path=path,
            operation_id=str(operation.get("operationId", "")),
            parameters=parameters,
            response={p: frozenset(t) for p, t in walk.types.items()},
            opaque=frozenset(walk.opaque),
        )
        surface[op.key] = op
    return surface


def _param_types(walk: _Walk) -> frozenset[str]:
    root = walk.types.get("", set())
    tokens = {t for t in root if t != "array"}
    if "array" in root:
        items = sorted(walk.types.get("[]", set()) - {"null"})
        tokens.add(f"array<{'|'.join(items)}>" if items else "array")
    return frozenset(tokens)


def _param_schema(param: Mapping[str, Any]) -> Any:
    if "schema" in param:
        return param["schema"]
    for media in (param.get("content") or {}).values():
        if isinstance(media, Mapping) and "schema" in media:
            return media["schema"]
    return {}


def _response_schema(spec: Mapping[str, Any], operation: Mapping[str, Any]) -> Any:
    responses = operation.get("responses") or {}
    for status in sorted(responses, key=str):
        if not str(status).startswith("2"):
            continue
        response = _deref(spec, responses[status], [])
        if not isinstance(response, Mapping):
            continue
        for media in (response.get("content") or {}).values():
            if isinstance(media, Mapping) and "schema" in media:
                return media["schema"]
    return None


def _deref(spec: Mapping[str, Any], node: Any, stack: list[str]) -> Any:
    seen = list(stack)
    while isinstance(node, Mapping) and "$ref" in node:
        ref = str(node["$ref"])
        if ref in seen:
            return {}
        seen.append(ref)
        try:
            target = resolve(spec, ref)
        except (KeyError, IndexError, ValueError):
            return {}
        # Sibling keywords of a $ref (3.1) are kept: {"$ref": X, "description": ...}.
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **extra} if isinstance(target, Mapping) and extra else target
    return node


class _Walk:
    """Collects the type tokens, enum values and opaque paths of one schema tree."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.types: dict[str, set[str]] = {}
        self.enums: dict[str, set[str]] = {}
        self.open_enum: set[str] = set()
        self.opaque: set[str] = set()

    def enum(self, path: str) -> frozenset[str] | None:
        if path in self.open_enum or path not in self.enums:
            return None
        return frozenset(self.enums[path])

    def schema(self, node: Any, path: str, stack: list[str]) -> None:
        refs = list(stack)
        while isinstance(node, Mapping) and "$ref" in node:
            ref = str(node["$ref"])
            if ref in refs or len(refs) > 64:
                self._anything(path)
                return
            refs.append(ref)
            node = _deref(self.spec, {"$ref": ref}, [])
        if not isinstance(node, Mapping):
            self._anything(path)
            return
        for part in node.get("allOf") or []:
            self.schema(part, path, refs)
        alternatives = [*(node.get("oneOf") or []), *(node.get("anyOf") or [])]
        for part in alternatives:
            self.schema(part, path, refs)
        tokens = self._own_types(node)
        if not tokens:
            if "properties" in node:
                tokens = {"object"}
            elif "items" in node or "prefixItems" in node:
                tokens = {"array"}
        if not tokens and not alternatives and not node.get("allOf"):
            self._anything(path)
            return
        self.types.setdefault(path, set()).update(tokens)
        self._enum(node, path, tokens, alternatives)
        if "object" in tokens:
            self._object(node, path, refs)
        if "array" in tokens:
            self._array(node, path, refs)

    def _anything(self, path: str) -> None:
        """A schema that says nothing about its value (``{}``, ``true``, a bare description)."""
        self.types.setdefault(path, set())
        self.opaque.add(path)
        self.open_enum.add(path)

    def _own_types(self, node: Mapping[str, Any]) -> set[str]:
        declared = node.get("type")
        names = [declared] if isinstance(declared, str) else list(declared or [])
        if not names:
            values = node.get("enum") or ([node["const"]] if "const" in node else [])
            names = sorted({_json_type(v) for v in values})
        fmt = node.get("format")
        return {
            f"{name}:{fmt}" if fmt and name in {"string", "integer", "number"} else str(name)
            for name in names
        }

    def _enum(self, node: Mapping[str, Any], path: str, tokens: set[str], alternatives: list[Any]) -> None:
        values = node.get("enum")
        if values is None and "const" in node:
            values = [node["const"]]
        if values is not None:
            self.enums.setdefault(path, set()).update(enum_text(v) for v in values)
        elif tokens - {"null"} or (not alternatives and not node.get("allOf")):
            self.open_enum.add(path)

    def _object(self, node: Mapping[str, Any], path: str, refs: list[str]) -> None:
        properties = node.get("properties") or {}
        for name, sub in properties.items():
            self.schema(sub, child(path, str(name)), refs)
        extra = node.get("additionalProperties")
        if not properties and extra is not False:
            self.opaque.add(path)
        elif isinstance(extra, Mapping) and extra:
            self.schema(extra, f"{path}{{}}", refs)

    def _array(self, node: Mapping[str, Any], path: str, refs: list[str]) -> None:
        prefix = node.get("prefixItems")
        if prefix:
            for index, sub in enumerate(prefix):
                self.schema(sub, f"{path}[{index}]", refs)
        elif "items" in node:
            self.schema(node["items"], f"{path}[]", refs)
        else:
            self.opaque.add(path)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def merge(paths: Iterable[tuple[str, Iterable[str]]]) -> dict[str, frozenset[str]]:
    """Union the type tokens of repeated paths."""
    merged: dict[str, set[str]] = {}
    for path, tokens in paths:
        merged.setdefault(path, set()).update(tokens)
    return {path: frozenset(tokens) for path, tokens in merged.items()}


__all__ = [
    "JSON_TYPES",
    "Operation",
    "Parameter",
    "Surface",
    "ancestors",
    "base_type",
    "child",
    "enum_text",
    "merge",
    "spec_surface",
]
