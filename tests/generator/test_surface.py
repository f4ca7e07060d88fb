"""The surface of a spec: what --diff and make drift compare."""

from __future__ import annotations

from typing import Any

import pytest

from generator.specs import load, operations
from generator.surface import ancestors, spec_surface
from tests.conftest import PRODUCTS, SPECS


def one(schema: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> Any:
    spec = {
        "paths": {
            "/x": {
                "get": {
                    "operationId": "x",
                    "parameters": parameters or [],
                    "responses": {
                        "4XX": {"content": {"application/json": {"schema": {"type": "object"}}}},
                        "200": {"content": {"application/json": {"schema": schema}}},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}},
                "DecimalOrEmpty": {"anyOf": [{"type": "string", "format": "decimal"}, {"const": ""}]},
                "Base": {"type": "object", "properties": {"a": {"type": "integer"}}},
            }
        },
    }
    return spec_surface(spec)["GET /x"]


def test_all_of_any_of_and_nullable_types_merge() -> None:
    op = one(
        {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/DecimalOrEmpty"}}},
            ],
            "properties": {"c": {"type": ["string", "null"]}},
        }
    )
    assert op.response == {
        "": {"object"},
        "a": {"integer"},
        "b": {"string:decimal", "string"},
        "c": {"string", "null"},
    }


def test_recursion_free_objects_and_untyped_arrays_are_opaque() -> None:
    op = one(
        {
            "type": "object",
            "properties": {
                "tree": {"$ref": "#/components/schemas/Node"},
                "free": {"type": "object", "additionalProperties": {"type": "string"}},
                "bag": {"type": "array"},
                "any": {"description": "anything"},
            },
        }
    )
    assert {"tree.child", "free", "bag", "any"} <= op.opaque
    assert op.response["tree"] == {"object"}
    assert op.response["tree.child"] == set()


def test_tuples_keep_their_positions() -> None:
    op = one({"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string", "format": "decimal"}]})
    assert op.response == {"": {"array"}, "[0]": {"integer"}, "[1]": {"string:decimal"}}


def test_parameters_from_schema_or_content_with_enums() -> None:
    op = one(
        {"type": "object"},
        [
            {
                "name": "side",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "enum": ["BUY", "SELL"]},
            },
            {
                "name": "ids",
                "in": "query",
                "content": {"application/json": {"schema": {"type": "array", "items": {"type": "integer"}}}},
            },
            {"name": "flag", "in": "query", "schema": {"type": "boolean", "enum": [True]}},
            {
                "name": "permissions",
                "in": "query",
                "content": {
                    "application/json": {"schema": {"type": "array", "items": {"enum": ["SPOT", "MARGIN"]}}}
                },
            },
        ],
    )
    assert op.parameters["permissions"].enum == {"SPOT", "MARGIN"}
    assert op.parameters["permissions"].types == {"array<string>"}
    side, ids, flag = op.parameters["side"], op.parameters["ids"], op.parameters["flag"]
    assert (side.required, side.types, side.enum) == (True, {"string"}, {"BUY", "SELL"})
    assert (ids.required, ids.types, ids.enum) == (False, {"array<integer>"}, None)
    assert flag.enum == {"true"}


def test_ancestors() -> None:
    assert ancestors("a.b[].c") == ["", "a", "a.b", "a.b[]"]
    assert ancestors("[][0]") == ["", "[]"]
    assert ancestors("") == []


@pytest.mark.parametrize("key", PRODUCTS)
def test_every_operation_of_the_projects_specs(key: str) -> None:
    spec = load(SPECS / f"{key}.yaml")
    surface = spec_surface(spec)
    assert len(surface) == sum(1 for _ in operations(spec))
    for op in surface.values():
        assert not {"timestamp", "signature", "recvWindow"} & set(op.parameters)
        assert op.response, f"{op.key}: no answer schema"
