"""The spec linter: every departure from the project's spec conventions, as ``file:pointer: problem``.

The conventions are in ``specs/README.md``. The linter runs first in ``python -m generator`` (a spec
that fails it is never generated) and on its own in the tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import weights
from .specs import load, operations, pointer, resolve

SECURITY_TYPES = ("NONE", "MARKET_DATA", "USER_STREAM", "TRADE", "USER_DATA")
OVERLAY_PARAMETERS = ("timestamp", "signature", "recvWindow")
OPERATION_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PYTHON_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
ENUM_MEMBER = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
# The last word of a camelCase name that says "this string is an amount of money or a rate".
MONEY_WORDS = frozenset(
    (
        "price", "qty", "quantity", "amount", "amt", "balance", "rate", "margin", "notional", "volume",
        "profit", "pnl", "commission", "fee", "quote", "wallet", "value", "size", "percent", "interest",
        "ratio",
    )
)  # fmt: skip

# The kinds of x-binance-requires rules (specs/README.md, "Conditional parameters").
RULE_KINDS = ("require", "forbid", "oneOf", "anyOf", "exclusive", "together")


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where it is and what to change."""

    file: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.pointer or '/'}: {self.message}"


def lint_file(path: Path, display: str | None = None) -> list[Finding]:
    """Lint one spec file; ``display`` is the name used in findings (defaults to the path)."""
    return lint(load(path), display or str(path))


def lint(spec: Mapping[str, Any], file: str) -> list[Finding]:
    """Lint already-loaded spec data."""
    return sorted(_Linter(spec, file).run())


def _words(name: str) -> list[str]:
    return [word.lower() for word in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)]


def looks_like_money(name: str) -> bool:
    """True when a camelCase or snake_case name ends in a money word (``markPrice``, ``executedQty``)."""
    words = _words(name)
    return bool(words) and words[-1] in MONEY_WORDS


class _Linter:
    def __init__(self, spec: Mapping[str, Any], file: str) -> None:
        self.spec = spec
        self.file = file
        self.findings: list[Finding] = []

    def report(self, where: str, message: str) -> None:
        self.findings.append(Finding(self.file, where, message))

    def run(self) -> list[Finding]:
        if not str(self.spec.get("openapi", "")).startswith("3.1"):
            self.report("/openapi", "specs are OpenAPI 3.1: set `openapi: 3.1.0`")
        declared_tags = {tag.get("name") for tag in self.spec.get("tags") or [] if isinstance(tag, Mapping)}
        seen_ids: dict[str, str] = {}
        for path, method, operation in operations(self.spec):
            where = pointer("paths", path, method)
            self.check_operation(where, operation, declared_tags, seen_ids)
        by_id = {op.get("operationId"): op for _, _, op in operations(self.spec)}
        for path, method, operation in operations(self.spec):
            self.check_cross_references(pointer("paths", path, method), operation, by_id)
        for name, schema in ((self.spec.get("components") or {}).get("schemas") or {}).items():
            self.check_schema(pointer("components", "schemas", name), schema, name, component=True)
        return self.findings

    # -- operations ---------------------------------------------------------------------------

    def check_operation(
        self, where: str, op: Mapping[str, Any], declared_tags: set[Any], seen_ids: dict[str, str]
    ) -> None:
        op_id = op.get("operationId")
        if not isinstance(op_id, str):
            self.report(where, "missing operationId: name the operation in snake_case (new_order)")
        elif not OPERATION_ID.match(op_id):
            self.report(f"{where}/operationId", f"operationId {op_id!r} must be snake_case")
        elif op_id in seen_ids:
            self.report(f"{where}/operationId", f"operationId {op_id!r} is already used at {seen_ids[op_id]}")
        else:
            seen_ids[op_id] = where
        tags = op.get("tags")
        if not isinstance(tags, list) or len(tags) != 1:
            self.report(where, "an operation needs exactly one tag (its documentation group)")
        elif tags[0] not in declared_tags:
            self.report(f"{where}/tags/0", f"tag {tags[0]!r} is not declared in the top-level `tags`")
        if not op.get("summary"):
            self.report(where, "missing summary")
        docs = op.get("externalDocs")
        if not isinstance(docs, Mapping) or not str(docs.get("url", "")).startswith("https://"):
            self.report(where, "missing externalDocs.url: link the official documentation page")
        security = op.get("x-binance-security")
        if security is None:
            self.report(where, f"missing x-binance-security (one of {', '.join(SECURITY_TYPES)})")
        elif security not in SECURITY_TYPES:
            self.report(f"{where}/x-binance-security", f"{security!r} is not one of {SECURITY_TYPES}")
        if "x-binance-weight" not in op:
            self.report(where, "missing x-binance-weight (for example {ip: 1})")
        else:
            for rel, message in weights.problems(op["x-binance-weight"]):
                self.report(f"{where}/x-binance-weight{rel}", message)
        for index, parameter in enumerate(op.get("parameters") or []):
            self.check_parameter(f"{where}/parameters/{index}", parameter)
        self.check_responses(f"{where}/responses", op.get("responses"))

    def parameter_names(self, operation: Mapping[str, Any]) -> set[str]:
        names = set()
        for parameter in operation.get("parameters") or []:
            if isinstance(parameter, Mapping) and "$ref" in parameter:
                try:
                    parameter = resolve(self.spec, str(parameter["$ref"]))  # noqa: PLW2901
                except (KeyError, ValueError, IndexError):
                    continue
            if isinstance(parameter, Mapping) and isinstance(parameter.get("name"), str):
                names.add(parameter["name"])
        return names

    def check_cross_references(
        self, where: str, operation: Mapping[str, Any], by_id: Mapping[Any, Mapping[str, Any]]
    ) -> None:
        """x-binance-requires, x-binance-idempotency and links name parameters and operations that exist."""
        names = self.parameter_names(operation)
        rules = operation.get("x-binance-requires")
        if rules is not None:
            self.check_requires(f"{where}/x-binance-requires", rules, names)
        idempotency = operation.get("x-binance-idempotency")
        if idempotency is not None:
            self.check_idempotency(f"{where}/x-binance-idempotency", idempotency, names, by_id)
        for code, response in (operation.get("responses") or {}).items():
            links = response.get("links") if isinstance(response, Mapping) else None
            for link_name, link in (links or {}).items():
                at = f"{where}/responses/{code}/links/{link_name}"
                target = by_id.get(link.get("operationId")) if isinstance(link, Mapping) else None
                if target is None:
                    self.report(at, "a link needs the operationId of an operation of this spec")
                    continue
                unknown = set(link.get("parameters") or {}) - self.parameter_names(target)
                if unknown:
                    self.report(at, f"{link['operationId']} has no parameter(s) {sorted(unknown)}")

    def check_requires(self, where: str, rules: Any, names: set[str]) -> None:
        if not isinstance(rules, list) or not rules:
            self.report(where, "x-binance-requires is a list of rules")
            return
        for index, rule in enumerate(rules):
            at = f"{where}/{index}"
            if not isinstance(rule, Mapping):
                self.report(at, "a rule is a mapping")
                continue
            kinds = [kind for kind in RULE_KINDS if kind in rule]
            if len(kinds) != 1 or set(rule) - {"when", *RULE_KINDS}:
                self.report(
                    at, f"a rule has exactly one of {', '.join(RULE_KINDS)} (require and forbid with when)"
                )
                continue
            listed = rule[kinds[0]]
            if not isinstance(listed, list) or not listed:
                self.report(f"{at}/{kinds[0]}", "list the parameter names")
                continue
            mentioned = set(listed)
            when = rule.get("when")
            if kinds[0] in ("require", "forbid") and not isinstance(when, Mapping):
                self.report(at, f"{kinds[0]} needs `when: {{param: value or [values]}}`")
            elif isinstance(when, Mapping):
                mentioned |= set(when)
            unknown = sorted(str(name) for name in mentioned - names)
            if unknown:
                self.report(at, f"names parameters the operation does not have: {', '.join(unknown)}")

    def check_idempotency(
        self, where: str, spec: Any, names: set[str], by_id: Mapping[Any, Mapping[str, Any]]
    ) -> None:
        if not isinstance(spec, Mapping):
            self.report(where, "x-binance-idempotency is a mapping")
            return
        for key in ("clientIdParam", "lookup", "lookupParam"):
            if not isinstance(spec.get(key), str):
                self.report(where, f"x-binance-idempotency needs {key}")
                return
        batch = spec.get("batchParam")
        holder = batch if isinstance(batch, str) else spec["clientIdParam"]
        if holder not in names:
            self.report(where, f"{holder!r} is not a parameter of this operation")
        lookup = by_id.get(spec["lookup"])
        if lookup is None:
            self.report(f"{where}/lookup", f"no operation {spec['lookup']!r} in this spec")
        elif spec["lookupParam"] not in self.parameter_names(lookup):
            self.report(f"{where}/lookupParam", f"{spec['lookup']} has no parameter {spec['lookupParam']!r}")

    def check_parameter(self, where: str, parameter: Any) -> None:
        if isinstance(parameter, Mapping) and "$ref" in parameter:
            parameter = self.deref(where, parameter)
            if parameter is None:
                return
        if not isinstance(parameter, Mapping):
            self.report(where, "a parameter must be a mapping")
            return
        name = parameter.get("name")
        if name in OVERLAY_PARAMETERS:
            self.report(
                where, f"declares {name}: the overlay adds timestamp, signature and recvWindow; remove it"
            )
        if parameter.get("in") not in ("query", "path"):
            self.report(f"{where}/in", "Binance parameters go in the query (or the path)")
        schema = parameter.get("schema")
        content = parameter.get("content")
        if schema is None and isinstance(content, Mapping):
            schema = (content.get("application/json") or {}).get("schema")
            where_schema = f"{where}/content/application~1json/schema"
        else:
            where_schema = f"{where}/schema"
        if not isinstance(schema, Mapping):
            self.report(where, "a parameter needs a schema (or content: application/json: schema)")
            return
        self.check_no_default(where_schema, schema)
        self.check_schema(where_schema, schema, str(name))

    def check_no_default(self, where: str, schema: Mapping[str, Any]) -> None:
        target = self.deref(where, schema) if "$ref" in schema else schema
        if isinstance(target, Mapping) and "default" in target:
            self.report(
                where,
                "a request parameter has a `default`: it would be sent on every call; "
                "say the server default in the description instead",
            )

    def check_responses(self, where: str, responses: Any) -> None:
        if not isinstance(responses, Mapping):
            self.report(where, "missing responses")
            return
        for code in responses:
            if not isinstance(code, str):
                self.report(
                    f"{where}/{code}", "quote status codes ('200'): YAML reads bare numbers as integers"
                )
        success = [code for code in responses if str(code).startswith("2")]
        if not success:
            self.report(where, "no 2XX response")
        if "4XX" not in responses:
            self.report(where, "missing the 4XX response with Binance's {code, msg} error")
        for code in success:
            response = responses[code]
            if isinstance(response, Mapping) and "$ref" in response:
                response = self.deref(f"{where}/{code}", response)
            media = ((response or {}).get("content") or {}).get("application/json")
            at = f"{where}/{code}/content/application~1json"
            if not isinstance(media, Mapping) or "schema" not in media:
                self.report(
                    f"{where}/{code}", "a success response needs application/json content with a schema"
                )
                continue
            if "example" not in media and "examples" not in media:
                self.report(at, "response without example: add one built from the official docs")
            self.check_schema(f"{at}/schema", media["schema"], "")

    # -- schemas ------------------------------------------------------------------------------

    def deref(self, where: str, node: Mapping[str, Any]) -> Any:
        try:
            return resolve(self.spec, str(node["$ref"]))
        except (KeyError, ValueError, IndexError):
            self.report(f"{where}/$ref", f"reference {node['$ref']!r} does not resolve")
            return None

    def check_schema(self, where: str, schema: Any, name: str, component: bool = False) -> None:
        if not isinstance(schema, Mapping):
            if schema is not True:
                self.report(where, "a schema must be a mapping")
            return
        if "$ref" in schema:
            target = self.deref(where, schema)
            if isinstance(target, Mapping) and name and _is_plain_string(target) and looks_like_money(name):
                self.report(where, f"{name!r} looks like a price or quantity: use a decimal schema")
            return
        kind = schema.get("type")
        fmt = schema.get("format")
        if kind == "array" or "prefixItems" in schema:
            self.check_array(where, schema)
        if kind == "number" and fmt != "decimal":
            self.report(where, "a JSON number must be `format: decimal` (never a float)")
        if fmt == "decimal" and kind not in ("string", "number"):
            self.report(where, "format: decimal applies to strings and numbers only")
        if schema.get("x-empty-as-none") and fmt != "decimal":
            self.report(where, 'x-empty-as-none is for decimal strings that Binance sends as ""')
        if name and _is_plain_string(schema) and looks_like_money(name) and not schema.get("x-not-decimal"):
            self.report(
                where,
                f"{name!r} looks like a price or quantity: mark it `format: decimal` "
                "(or `x-not-decimal: <why>` if it is not money)",
            )
        if "enum" in schema:
            self.check_enum(where, schema, component)
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            self.check_properties(where, properties)
        for keyword in ("oneOf", "anyOf", "allOf"):
            for index, sub in enumerate(schema.get(keyword) or []):
                self.check_schema(f"{where}/{keyword}/{index}", sub, name)
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            self.check_schema(f"{where}/additionalProperties", extra, "")

    def check_array(self, where: str, schema: Mapping[str, Any]) -> None:
        items = schema.get("items")
        prefix = schema.get("prefixItems")
        if items is None and prefix is None:
            self.report(where, "an array without items: say what it holds")
        if isinstance(items, Mapping):
            self.check_schema(f"{where}/items", items, "")
        if prefix is not None:
            if not isinstance(prefix, list) or not prefix:
                self.report(f"{where}/prefixItems", "prefixItems must be a non-empty list")
                return
            for index, item in enumerate(prefix):
                at = f"{where}/prefixItems/{index}"
                title = item.get("title") if isinstance(item, Mapping) else None
                if not isinstance(title, str) or not PYTHON_NAME.match(title):
                    self.report(at, "a positional item needs a snake_case `title`: its Python field name")
                    title = ""
                self.check_schema(at, item, title)

    def check_enum(self, where: str, schema: Mapping[str, Any], component: bool) -> None:
        values = schema["enum"]
        if not isinstance(values, list) or not values:
            self.report(f"{where}/enum", "enum must be a non-empty list")
            return
        expected = {"string": str, "integer": int}.get(str(schema.get("type")))
        if expected is None:
            self.report(where, "an enum needs `type: string` or `type: integer`")
            return
        for index, value in enumerate(values):
            if not isinstance(value, expected) or isinstance(value, bool):
                self.report(
                    f"{where}/enum/{index}", f"{value!r} is not a {schema['type']} (quote YAML words like NO)"
                )
        if expected is int:
            return  # integer choices (limit: [5, 10, ...]) become Literal types, not enum classes
        if not component:
            self.report(
                where, "declare string enums once in components/schemas and $ref them (stable class names)"
            )
        names = schema.get("x-enum-varnames")
        if names is None:
            if not all(isinstance(v, str) and ENUM_MEMBER.match(v) for v in values):
                self.report(
                    where, "values are not readable member names: add x-enum-varnames (MINUTE_1, ...)"
                )
            return
        if not isinstance(names, list) or len(names) != len(values):
            self.report(f"{where}/x-enum-varnames", "x-enum-varnames must name every value, in order")
        elif not all(isinstance(n, str) and ENUM_MEMBER.match(n) for n in names):
            self.report(f"{where}/x-enum-varnames", "member names must be UPPER_SNAKE_CASE")

    def check_properties(self, where: str, properties: Mapping[str, Any]) -> None:
        lowered: dict[str, str] = {}
        for prop_name, prop in properties.items():
            at = f"{where}/properties/{prop_name}"
            self.check_schema(at, prop, str(prop_name))
            python_name = prop.get("x-python-name") if isinstance(prop, Mapping) else None
            key = str(prop_name).lower()
            if python_name is not None:
                if not isinstance(python_name, str) or not PYTHON_NAME.match(python_name):
                    self.report(f"{at}/x-python-name", "x-python-name must be snake_case")
            elif len(str(prop_name)) <= 2:
                self.report(at, f"short wire name {prop_name!r}: give it a stable `x-python-name`")
            elif key in lowered:
                self.report(at, f"{prop_name!r} and {lowered[key]!r} differ only in case: add x-python-name")
            lowered.setdefault(key, str(prop_name))


def _is_plain_string(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "string" and "enum" not in schema and schema.get("format") != "decimal"


def lint_all(paths: list[tuple[Path, str]]) -> list[Finding]:
    """Lint several files; ``paths`` holds ``(path, display name)`` pairs."""
    findings: list[Finding] = []
    for path, display in paths:
        findings.extend(lint_file(path, display))
    return findings


def format_findings(findings: list[Finding]) -> Iterator[str]:
    for finding in findings:
        yield str(finding)
