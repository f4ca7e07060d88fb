"""The small, pinned patch that openapi-python-client needs for Binance.

openapi-python-client 0.29.1 forgets a string's ``format`` before templates run, has no decimal type,
names properties only from their wire names and types every model's JSON as a dict. This module, applied
in-process before generation and only to the exact pinned version, adds:

* ``DecimalProperty``: ``format: decimal`` strings (and numbers) become ``decimal.Decimal``; with
  ``x-empty-as-none: true`` the type is ``Decimal | None`` and ``""`` reads as ``None``;
* ``x-python-name`` on a property (inline or beside a ``$ref``): a stable Python name for short or
  case-only wire names (``E``/``e``);
* positional tuples (``x-binance-tuple`` models, from ``prefixItems``) serialise as lists, and a list of
  them is a ``TupleList`` (rows read into models on access).

Everything else is done by the project's templates (``generator/templates``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import openapi_python_client
from attrs import define, field
from openapi_python_client import schema as oai
from openapi_python_client.config import Config
from openapi_python_client.parser import bodies, openapi, responses
from openapi_python_client.parser import properties as props
from openapi_python_client.parser.errors import PropertyError
from openapi_python_client.parser.properties.list_property import ListProperty
from openapi_python_client.parser.properties.model_property import ModelProperty
from openapi_python_client.parser.properties.protocol import PropertyProtocol, Value, convert_example
from openapi_python_client.strings import PythonCode, PythonIdentifier

PINNED_VERSION = "0.29.1"


class PatchError(RuntimeError):
    """The installed openapi-python-client is not the version this patch was written for."""


@define
class DecimalProperty(PropertyProtocol):
    """A decimal string (or JSON number) read and written exactly as ``decimal.Decimal``."""

    name: oai.UntrustedString
    required: bool
    default: Value | None
    python_name: PythonIdentifier
    description: oai.UntrustedString | None
    example: oai.UntrustedString | None = field(converter=convert_example)
    wire: str = "string"
    empty_as_none: bool = False
    template: ClassVar[str] = "decimal_property.py.jinja"
    _allowed_locations: ClassVar[set[oai.ParameterLocation]] = {
        oai.ParameterLocation.QUERY,
        oai.ParameterLocation.PATH,
        oai.ParameterLocation.HEADER,
    }

    @classmethod
    def from_schema(cls, name: oai.UntrustedString, required: bool, data: oai.Schema, config: Config) -> Any:
        if data.default is not None:
            return PropertyError(data=data, detail="decimal properties take no default")
        return cls(
            name=name,
            required=required,
            default=None,
            python_name=PythonIdentifier(value=name, prefix=config.field_prefix),
            description=data.description,
            example=data.example,
            wire="number" if data.type == oai.DataType.NUMBER else "string",
            empty_as_none=bool((data.model_extra or {}).get("x-empty-as-none")),
        )

    def convert_value(self, value: Any) -> Value | PropertyError | None:
        if value is None or isinstance(value, Value):
            return value
        return PropertyError(detail="decimal properties take no default")

    def get_base_type_string(self) -> PythonCode:
        return PythonCode("Decimal | None" if self.empty_as_none else "Decimal")

    def get_base_json_type_string(self) -> PythonCode:
        return PythonCode("Decimal" if self.wire == "number" else "str")

    def get_instance_type_string(self) -> PythonCode:
        return PythonCode("Decimal")

    def get_imports(self, *, prefix: str) -> set[str]:
        imports = super().get_imports(prefix=prefix)
        helpers = "decimal_or_none_from_wire" if self.empty_as_none else "decimal_from_wire"
        to_wire = "decimal_or_empty_to_wire" if self.empty_as_none else "decimal_to_wire"
        imports.update({"from decimal import Decimal", f"from {prefix}types import {helpers}, {to_wire}"})
        return imports


def _is_decimal(data: Any) -> bool:
    return (
        isinstance(data, oai.Schema)
        and data.schema_format == "decimal"
        and data.type in (oai.DataType.STRING, oai.DataType.NUMBER)
    )


def _tuple_json_type(self: ModelProperty) -> PythonCode:
    if (self.data.model_extra or {}).get("x-binance-tuple"):
        return PythonCode("list[Any]")
    return PythonCode("dict[str, Any]")


def _is_tuple_model(prop: Any) -> bool:
    return isinstance(prop, ModelProperty) and bool((prop.data.model_extra or {}).get("x-binance-tuple"))


def _list_type(self: ListProperty) -> PythonCode:
    inner = self.inner_property.get_type_string().as_unembedded_code()
    if _is_tuple_model(self.inner_property):
        return PythonCode(f"TupleList[{inner}]")
    return PythonCode(f"list[{inner}]")


def _list_instance_type(self: ListProperty) -> PythonCode:
    return PythonCode("TupleList" if _is_tuple_model(self.inner_property) else "list")


def _list_imports(original: Any) -> Any:
    def get_imports(self: ListProperty, *, prefix: str) -> set[str]:
        imports: set[str] = original(self, prefix=prefix)
        if _is_tuple_model(self.inner_property):
            imports.add(f"from {prefix}types import TupleList")
        return imports

    return get_imports


def apply() -> None:
    """Patch the pinned openapi-python-client in this process (idempotent)."""
    installed = openapi_python_client.__version__
    if installed != PINNED_VERSION:
        raise PatchError(
            f"openapi-python-client {installed} is installed but the generator is pinned to "
            f"{PINNED_VERSION}: run `make setup` (or pip install -e '.[dev]')"
        )
    original = props.property_from_data
    if getattr(original, "binance_patched", False):
        return

    def property_from_data(
        name: oai.UntrustedString,
        required: bool,
        data: oai.Reference | oai.Schema,
        schemas: props.Schemas,
        parent_name: str,
        config: Config,
        process_properties: bool = True,
        roots: Any = None,
    ) -> tuple[Any, props.Schemas]:
        if _is_decimal(data):
            assert isinstance(data, oai.Schema)
            prop: Any = DecimalProperty.from_schema(name, required, data, config)
        else:
            prop, schemas = original(
                name=name,
                required=required,
                data=data,
                schemas=schemas,
                parent_name=parent_name,
                config=config,
                process_properties=process_properties,
                roots=roots,
            )
        python_name = (data.model_extra or {}).get("x-python-name")
        if python_name and not isinstance(prop, PropertyError):
            prop.set_python_name(oai.UntrustedString(python_name), config=config, skip_snake_case=True)
        return prop, schemas

    property_from_data.binance_patched = True  # type: ignore[attr-defined]
    for module in (props, openapi, responses, bodies):
        module.property_from_data = property_from_data  # type: ignore[attr-defined]
    ModelProperty.get_base_json_type_string = _tuple_json_type  # type: ignore[method-assign, assignment]
    ListProperty.get_base_type_string = _list_type  # type: ignore[method-assign]
    ListProperty.get_instance_type_string = _list_instance_type  # type: ignore[method-assign]
    ListProperty.get_imports = _list_imports(ListProperty.get_imports)  # type: ignore[method-assign]
