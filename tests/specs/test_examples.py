"""Every example in the specs validates against the schema it illustrates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from generator.specs import escape, operations
from tests.conftest import PRODUCTS

from ._load import spec


def _examples(product: str) -> Iterator[tuple[str, str, Any]]:
    """(id, JSON pointer of the schema, example) for every response and component example."""
    data = spec(product)
    for path, method, operation in operations(data):
        for code, response in (operation.get("responses") or {}).items():
            media = ((response or {}).get("content") or {}).get("application/json") or {}
            if "example" in media:
                where = f"/paths/{escape(path)}/{method}/responses/{code}/content/application~1json/schema"
                yield f"{product}:{operation['operationId']}:{code}", where, media["example"]
    for name, response in ((data.get("components") or {}).get("responses") or {}).items():
        media = ((response or {}).get("content") or {}).get("application/json") or {}
        if "example" in media:
            where = f"/components/responses/{name}/content/application~1json/schema"
            yield f"{product}:responses/{name}", where, media["example"]


CASES = [case for product in PRODUCTS for case in _examples(product)]


@pytest.mark.parametrize(("where", "example"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_example_validates_against_its_schema(
    where: str, example: Any, request: pytest.FixtureRequest
) -> None:
    product = request.node.callspec.id.split(":")[0]
    validator = Draft202012Validator({**spec(product), "$ref": f"#{where}"})
    errors = sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
