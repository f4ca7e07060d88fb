"""Compile the websocket event schemas (``specs/streams/*.json``) into ``generated/binance_streams/``.

datamodel-code-generator (pinned) writes the msgspec Structs. It is given a copy of each schema that says
what JSON Schema alone cannot, and its output gets three small touches afterwards:

- before: positional arrays (``prefixItems``) become objects named by their item titles, rendered as
  ``array_like=True`` Structs, so that ``["0.0024", "10"]`` decodes into ``price`` and ``quantity``;
  ``x-raw-json`` properties become ``msgspec.Raw``; every property gets its explicit Python name (an
  alias) and a docstring that starts with its wire name; ``format: decimal`` maps to ``Decimal``, except
  for decimals sent as JSON strings, which become ``DecimalText`` (decoded as the text, read as a
  ``Decimal``: see ``_decimals.py``).
- after: the tool's header is replaced by the project's, each module gets a docstring, each struct
  tagged by ``e`` gets an ``event_type`` class variable (the tag is not a field in msgspec), and each
  struct with ``DecimalText`` fields gets the ``@decimal_fields(...)`` decorator that makes them read as
  ``Decimal``.
- besides: ``routes.py`` (which route of a stream host serves each stream: ``stream_routes.py``),
  ``__init__.py``, ``_codec.py`` (encoding with decimals written as Binance writes them),
  ``_decimals.py``, ``py.typed`` and the ``_generation.py`` stamp.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import keyword
import re
import textwrap
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .build import HEADER, GenerationError, _ruff, generator_sha256, relative
from .products import SPECS_DIR
from .stream_routes import lint_routes
from .stream_routes import render as render_routes
from .version import project_version

STREAMS_DIR = SPECS_DIR / "streams"
NAMES_FILE = "names.json"
METHODS_FILE = "ws-api-methods.json"  # the WebSocket API method catalogue (ws_methods.py), not a schema
PACKAGE = "binance_streams"
KEY = "streams"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TAG = "e"
KNOWN_EXTENSIONS = frozenset(
    {"x-python-name", "x-binance-streams", "x-binance-route", "x-not-decimal", "x-raw-json"}
)
STRING_FORMATS = frozenset({"decimal", "decimal-or-empty"})
DECIMAL_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
SNAKE_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
CAMEL_RE = re.compile(r"^[a-z][a-zA-Z0-9]{2,}$")
# Names that the generated modules import: a schema name equal to one of them would be renamed by the tool.
RESERVED_NAMES = frozenset(
    {
        "Any",
        "ClassVar",
        "Decimal",
        "DecimalText",
        "Literal",
        "Meta",
        "Raw",
        "Struct",
        "TypeAlias",
        "UNSET",
        "UnsetType",
    }
)
# A decimal sent as a JSON string is decoded as its text and read as a Decimal (see DECIMALS below).
DECIMAL_TEXT = f"{PACKAGE}._decimals.DecimalText"


@dataclass(frozen=True)
class StreamsGenerated:
    """What the generation of ``binance_streams`` produced."""

    package_dir: Path
    modules: int
    structs: int
    events: int
    files: int
    seconds: float


@dataclass
class _Module:
    """One schema file on its way to a Python module."""

    path: Path
    document: dict[str, Any]
    aliases: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    template_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    json_numbers: dict[str, list[str]] = field(default_factory=dict)
    decimal_texts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return module_name(self.path)


def schema_files(streams_dir: Path = STREAMS_DIR) -> list[Path]:
    """The schema files, in a stable order (``names.json`` is the naming table and
    ``ws-api-methods.json`` the WebSocket API method catalogue, not schemas)."""
    return sorted(p for p in streams_dir.glob("*.json") if p.name not in (NAMES_FILE, METHODS_FILE))


def module_name(path: Path) -> str:
    """``spot-market.json`` -> ``spot_market``."""
    return path.stem.replace("-", "_")


def load_names(streams_dir: Path = STREAMS_DIR) -> dict[str, str]:
    """The one table of default Python names for short wire names (``E`` -> ``event_time``)."""
    data = json.loads((streams_dir / NAMES_FILE).read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data["names"].items()}


def _load(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise GenerationError(f"{relative(path)}: not a JSON object")
    return document


def snake_case(wire: str) -> str:
    """``lastUpdateId`` -> ``last_update_id``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", wire).lower()


def python_name(wire: str, schema: Mapping[str, Any], names: Mapping[str, str]) -> str | None:
    """The Python name of a property: its ``x-python-name``, the table's, or its snake_case (long names)."""
    explicit = schema.get("x-python-name")
    if isinstance(explicit, str):
        return explicit
    if wire in names:
        return names[wire]
    if (SNAKE_RE.match(wire) and len(wire) > 2) or CAMEL_RE.match(wire):
        return snake_case(wire)
    return None


def _object_parts(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The object schemas that give a def its own properties (itself, or the inline parts of its allOf)."""
    if "properties" in schema:
        yield schema
    for part in schema.get("allOf", []):
        if "$ref" not in part:
            yield part


def _ref_name(ref: str) -> str:
    return ref.removeprefix("#/$defs/")


def _is_tuple(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "array" and "prefixItems" in schema


def _is_union(schema: Mapping[str, Any]) -> bool:
    return "oneOf" in schema


def _is_struct(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "object" or "allOf" in schema


def _is_decimal_text(schema: Mapping[str, Any]) -> bool:
    """A decimal that Binance sends as a JSON string (maybe null): decoded as text, read as a Decimal."""
    types = schema.get("type")
    type_set = set(types) if isinstance(types, list) else {types}
    return schema.get("format") == "decimal" and "string" in type_set and type_set <= {"string", "null"}


def _fields(name: str, defs: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any], bool]]:
    """(wire name, schema, required) of every field of a struct def, inherited ones first."""
    schema = defs[name]
    out: list[tuple[str, Mapping[str, Any], bool]] = []
    for part in schema.get("allOf", []):
        if "$ref" in part:
            out.extend(_fields(_ref_name(part["$ref"]), defs))
    for part in _object_parts(schema):
        required = set(part.get("required", []))
        out.extend((wire, prop, wire in required) for wire, prop in part["properties"].items())
    return out


def _tag_of(name: str, defs: Mapping[str, Any]) -> str | None:
    for wire, prop, _required in _fields(name, defs):
        if wire == TAG and "const" in prop:
            return str(prop["const"])
    return None


# ---------------------------------------------------------------------------------------------- lint


def lint_streams(streams_dir: Path = STREAMS_DIR) -> list[str]:
    """Check every rule of ``specs/streams/README.md`` that a machine can check."""
    findings: list[str] = []
    try:
        names = load_names(streams_dir)
    except (OSError, ValueError, KeyError) as exc:
        return [f"{relative(streams_dir / NAMES_FILE)}: cannot read the naming table: {exc}"]
    for wire, python in names.items():
        if not python.isidentifier() or keyword.iskeyword(python) or not SNAKE_RE.match(python):
            where = relative(streams_dir / NAMES_FILE)
            findings.append(f"{where}:/names/{wire}: {python!r} is not snake_case")
    for path in schema_files(streams_dir):
        try:
            document = _load(path)
        except (ValueError, GenerationError) as exc:
            findings.append(f"{relative(path)}: not valid JSON: {exc}")
            continue
        findings.extend(lint_document(document, relative(path), names))
    return findings


def lint_document(document: Mapping[str, Any], where: str, names: Mapping[str, str]) -> list[str]:
    findings: list[str] = []
    if document.get("$schema") != SCHEMA_DIALECT:
        findings.append(f"{where}:/$schema: must be {SCHEMA_DIALECT}")
    for key in ("title", "description"):
        if not isinstance(document.get(key), str):
            findings.append(f"{where}:/{key}: missing")
    defs = document.get("$defs")
    if not isinstance(defs, dict) or not defs:
        return [*findings, f"{where}:/$defs: missing"]
    # A def that only unions refer to is a payload; one that another payload refers to is a part of it.
    parts = json.dumps({name: schema for name, schema in defs.items() if not _is_union(schema)})
    referenced = {_ref_name(m) for m in re.findall(r'"\$ref": "([^"]+)"', parts) if m.startswith("#/$defs/")}
    for name, schema in defs.items():
        pointer = f"{where}:/$defs/{name}"
        if not re.match(r"^[A-Z][A-Za-z0-9]*$", name) or name in RESERVED_NAMES:
            findings.append(f"{pointer}: def names are PascalCase and not one of {sorted(RESERVED_NAMES)}")
        if not isinstance(schema.get("description"), str):
            findings.append(f"{pointer}: missing description")
        findings.extend(_lint_keywords(schema, pointer))
        if _is_union(schema):
            findings.extend(_lint_union(schema, defs, pointer))
        elif _is_struct(schema):
            findings.extend(_lint_struct(name, defs, pointer, names))
        elif _is_tuple(schema):
            for index, item in enumerate(schema["prefixItems"]):
                title = item.get("title")
                if not isinstance(title, str) or not SNAKE_RE.match(title) or keyword.iskeyword(title):
                    findings.append(f"{pointer}/prefixItems/{index}: needs a snake_case title (field name)")
        elif schema.get("type") != "array":
            findings.append(f"{pointer}: a def is an object, an array, a positional array or a oneOf union")
        if name not in referenced and not _is_union(schema) and not schema.get("examples"):
            findings.append(f"{pointer}: a payload needs at least one example from the documentation")
    findings.extend(_lint_examples(document, where))
    findings.extend(lint_routes(document, where))
    return findings


def _walk(schema: Any, pointer: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every subschema below ``schema`` (not into examples), with its pointer."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _walk(sub, f"{pointer}/properties/{name}")
    if "items" in schema:
        yield from _walk(schema["items"], f"{pointer}/items")
    for key in ("prefixItems", "allOf", "oneOf"):
        for index, sub in enumerate(schema.get(key, [])):
            yield from _walk(sub, f"{pointer}/{key}/{index}")


def _lint_keywords(schema: Mapping[str, Any], pointer: str) -> list[str]:
    findings: list[str] = []
    for where, sub in _walk(schema, pointer):
        unknown = sorted(k for k in sub if k.startswith("x-") and k not in KNOWN_EXTENSIONS)
        if unknown:
            findings.append(f"{where}: unknown extension(s) {unknown}")
        types = sub.get("type")
        type_list = types if isinstance(types, list) else [types]
        if "number" in type_list and sub.get("format") != "decimal":
            findings.append(f"{where}: a number is money: `format: decimal` (no float anywhere)")
        if "format" in sub and sub["format"] not in STRING_FORMATS:
            findings.append(f"{where}: unknown format {sub['format']!r}")
        if types == "array" and "items" not in sub and "prefixItems" not in sub:
            findings.append(f"{where}: an array needs `items` or `prefixItems`")
        nested = sub is not schema and "/allOf/" not in where
        if nested and sub.get("type") == "object" and "properties" in sub:
            findings.append(f"{where}: nested objects are $defs of their own (they become named Structs)")
    return findings


def _lint_struct(name: str, defs: Mapping[str, Any], pointer: str, names: Mapping[str, str]) -> list[str]:
    findings: list[str] = []
    seen: dict[str, str] = {}
    for part in _object_parts(defs[name]):
        missing = sorted(set(part.get("required", [])) - set(part["properties"]))
        if missing:
            findings.append(f"{pointer}/required: not properties: {missing}")
    for wire, prop, _required in _fields(name, defs):
        where = f"{pointer}/properties/{wire}"
        python = python_name(wire, prop, names)
        if python is None:
            findings.append(
                f"{where}: a short wire name needs `x-python-name` or an entry in {NAMES_FILE} (README)"
            )
            continue
        if not SNAKE_RE.match(python) or keyword.iskeyword(python):
            findings.append(f"{where}: Python name {python!r} is not a snake_case identifier")
        if python in seen:
            findings.append(f"{where}: Python name {python!r} is also the name of `{seen[python]}`")
        seen[python] = wire
        if wire == TAG and "const" not in prop and prop.get("type") != "string":
            findings.append(f"{where}: `e` is a const (the event tag) or a string")
        if "description" not in prop:
            findings.append(f"{where}: missing description")
    return findings


def _lint_union(schema: Mapping[str, Any], defs: Mapping[str, Any], pointer: str) -> list[str]:
    findings: list[str] = []
    if schema.get("discriminator") != {"propertyName": TAG}:
        findings.append(f"{pointer}/discriminator: must be {{propertyName: {TAG}}}")
    tags: dict[str, str] = {}
    for index, member in enumerate(schema["oneOf"]):
        ref = member.get("$ref", "")
        target = _ref_name(ref)
        if not ref.startswith("#/$defs/") or target not in defs or not _is_struct(defs[target]):
            findings.append(f"{pointer}/oneOf/{index}: members are $refs to struct defs")
            continue
        value = _tag_of(target, defs)
        if value is None:
            findings.append(f"{pointer}/oneOf/{index}: {target} has no const `e`: it cannot be tagged")
        elif value in tags:
            findings.append(f"{pointer}/oneOf/{index}: tag {value!r} is also the tag of {tags[value]}")
        else:
            tags[value] = target
    return findings


def _format_checker() -> Any:
    from jsonschema import FormatChecker  # noqa: PLC0415 (only needed to lint)

    def decimal(value: object) -> bool:
        return not isinstance(value, str) or bool(DECIMAL_RE.match(value))

    def decimal_or_empty(value: object) -> bool:
        return not isinstance(value, str) or value == "" or bool(DECIMAL_RE.match(value))

    checker = FormatChecker(formats=())
    checker.checks("decimal")(decimal)
    checker.checks("decimal-or-empty")(decimal_or_empty)
    return checker


def _lint_examples(document: Mapping[str, Any], where: str) -> list[str]:
    from jsonschema import Draft202012Validator  # noqa: PLC0415 (only needed to lint)

    findings: list[str] = []
    checker = _format_checker()
    for name, schema in document["$defs"].items():
        for index, example in enumerate(schema.get("examples", [])):
            root = {**document, "$ref": f"#/$defs/{name}"}
            validator = Draft202012Validator(root, format_checker=checker)
            for error in sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path)):
                path = "/".join(str(p) for p in error.absolute_path)
                findings.append(f"{where}:/$defs/{name}/examples/{index}/{path}: {error.message}")
    return findings


# ---------------------------------------------------------------------------------------------- build


def build_streams(work_dir: Path, streams_dir: Path = STREAMS_DIR) -> StreamsGenerated:
    """Generate ``binance_streams`` into ``work_dir / PACKAGE`` and return what was made."""
    started = time.perf_counter()
    findings = lint_streams(streams_dir)
    if findings:
        raise GenerationError("\n".join(findings))
    names = load_names(streams_dir)
    package_dir = work_dir / PACKAGE
    package_dir.mkdir(parents=True)
    modules = [_prepare(_Module(path, _load(path)), names) for path in schema_files(streams_dir)]
    structs = events = 0
    for module in modules:
        source = _run_tool(module)
        source, count = _finish(module, source)
        structs += count
        events += len(module.tags)
        (package_dir / f"{module.name}.py").write_text(source, encoding="utf-8")
    (package_dir / "__init__.py").write_text(_init(modules), encoding="utf-8")
    (package_dir / "_codec.py").write_text(_codec(modules), encoding="utf-8")
    (package_dir / "_decimals.py").write_text(DECIMALS, encoding="utf-8")
    documents = {path: _load(path) for path in schema_files(streams_dir)}
    (package_dir / "routes.py").write_text(render_routes(documents), encoding="utf-8")
    (package_dir / "_generation.py").write_text(stamp(streams_dir), encoding="utf-8")
    (package_dir / "py.typed").write_text("", encoding="utf-8")
    _ruff(package_dir)
    files = _add_headers(package_dir, streams_dir, modules)
    return StreamsGenerated(
        package_dir=package_dir,
        modules=len(modules),
        structs=structs,
        events=events,
        files=files,
        seconds=time.perf_counter() - started,
    )


def _prepare(module: _Module, names: Mapping[str, str]) -> _Module:
    """Turn the schema into the tool's input and collect aliases, overrides and struct options."""
    source_defs: dict[str, Any] = module.document["$defs"]
    defs: dict[str, Any] = {}
    for name, schema in source_defs.items():
        prepared = copy.deepcopy(schema)
        prepared.pop("examples", None)
        streams = prepared.pop("x-binance-streams", None)
        route = prepared.pop("x-binance-route", None)
        if streams:
            listed = ", ".join(f"`{s}`" for s in streams)
            where = f" (route `/{route}`)" if route else ""
            prepared["description"] = f"{prepared['description']}\n\nStreams{where}: {listed}."
        if _is_tuple(schema):
            prepared = _tuple_as_object(schema)
            module.template_data[name] = {"base_class_kwargs": _struct_options(schema, array_like=True)}
            for item in schema["prefixItems"]:
                if _is_decimal_text(item):
                    module.overrides[f"{name}.{item['title']}"] = DECIMAL_TEXT
                    module.decimal_texts.setdefault(name, []).append(item["title"])
        elif _is_struct(schema):
            module.template_data[name] = {"base_class_kwargs": _struct_options(schema, array_like=False)}
            tag = _tag_of(name, source_defs)
            if tag is not None:
                module.tags[name] = tag
            own = {wire for part in _object_parts(schema) for wire in part["properties"]}
            for wire, prop, _required in _fields(name, source_defs):
                python = python_name(wire, prop, names)
                if python is None:  # lint has reported it
                    raise GenerationError(f"{relative(module.path)}: {name}.{wire} has no Python name")
                module.aliases[f"{name}.{wire}"] = python
                if prop.get("type") == "number" and prop.get("format") == "decimal":
                    module.json_numbers.setdefault(name, []).append(python)
                if wire in own:
                    if prop.get("x-raw-json"):
                        module.overrides[f"{name}.{python}"] = "msgspec.Raw"
                    elif _is_decimal_text(prop):
                        module.overrides[f"{name}.{python}"] = DECIMAL_TEXT
                        module.decimal_texts.setdefault(name, []).append(python)
                    _describe_property(prepared, wire)
        defs[name] = _strip_extensions(prepared)
    module.document = {"$schema": SCHEMA_DIALECT, "$defs": defs}
    return module


def _struct_options(schema: Mapping[str, Any], *, array_like: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"frozen": True, "kw_only": True}
    if array_like:
        options["array_like"] = True
    # Decoded events cannot form reference cycles, so the garbage collector need not track them (faster
    # decoding); structs holding free-form JSON objects stay tracked.
    free_form = any(
        sub.get("type") == "object" and "properties" not in sub for _where, sub in _walk(schema, "")
    )
    if not free_form and not any(sub.get("x-raw-json") for _where, sub in _walk(schema, "")):
        options["gc"] = False
    return options


def _tuple_as_object(schema: Mapping[str, Any]) -> dict[str, Any]:
    properties = {}
    for index, item in enumerate(schema["prefixItems"]):
        prop = {k: v for k, v in item.items() if k != "title"}
        prop["description"] = f"Item {index}: {prop.get('description', item['title'])}"
        properties[item["title"]] = prop
    return {
        "type": "object",
        "description": f"{schema['description']}\n\nSent as a JSON array; decoded into named fields.",
        "properties": properties,
        "required": list(properties),
    }


def _describe_property(prepared: dict[str, Any], wire: str) -> None:
    for part in _object_parts(prepared):
        if wire in part["properties"]:
            prop = part["properties"][wire]
            if prop.get("x-raw-json"):
                prop = {"description": prop.get("description", "")}
                part["properties"][wire] = prop
            prop["description"] = f"`{wire}`: {prop.get('description', '')}".rstrip()


def _strip_extensions(schema: Any) -> Any:
    """Drop ``x-`` keys and the formats the tool does not know (a decimal-or-empty string stays a str)."""
    if isinstance(schema, dict):
        out = {k: _strip_extensions(v) for k, v in schema.items() if not k.startswith("x-")}
        if out.get("format") == "decimal-or-empty":
            del out["format"]
        return out
    if isinstance(schema, list):
        return [_strip_extensions(v) for v in schema]
    return schema


def _run_tool(module: _Module) -> str:
    from datamodel_code_generator import InputFileType, PythonVersion, generate  # noqa: PLC0415 (heavy)
    from datamodel_code_generator.enums import DataModelType  # noqa: PLC0415

    try:
        output = generate(
            module.document,
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.MsgspecStruct,
            target_python_version=PythonVersion.PY_311,
            aliases=module.aliases,
            type_mappings=["string+decimal=decimal", "number+decimal=decimal"],
            type_overrides=module.overrides,
            extra_template_data=defaultdict(dict, module.template_data),
            use_msgspec_tagged_unions=True,
            skip_root_model=True,
            use_annotated=False,
            use_field_description=True,
            use_schema_description=True,
            disable_timestamp=True,
            formatters=[],
        )
    except Exception as exc:  # the tool raises many kinds; any of them stops generation
        raise GenerationError(f"datamodel-code-generator failed on {relative(module.path)}: {exc}") from exc
    if not isinstance(output, str):
        raise GenerationError(f"datamodel-code-generator wrote several modules for {relative(module.path)}")
    return output


def _finish(module: _Module, source: str) -> tuple[str, int]:
    """Replace the tool's header, add the module docstring and the ``event_type`` class variables."""
    lines = source.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    tree = ast.parse("\n".join(lines))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    aliases = {
        target.id
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and isinstance((target := node.target), ast.Name)
    }
    expected = set(module.document["$defs"])
    lost = sorted(expected - set(classes) - aliases)
    if lost:
        raise GenerationError(f"{relative(module.path)}: the tool renamed or dropped {lost}")
    inserts: list[tuple[int, int, str]] = []  # (line index, lines to replace, text)
    for name, value in module.tags.items():
        node = classes[name]
        documented = (
            isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
        )
        line = (
            f'    event_type: ClassVar[str] = {value!r}\n    """`e`: Event type (the tag of this struct)."""'
        )
        first = node.body[1] if documented and len(node.body) > 1 else None if documented else node.body[0]
        if first is not None and isinstance(first, ast.Pass):
            inserts.append((first.lineno - 1, 1, line))
        elif first is not None:
            inserts.append((first.lineno - 1, 0, line))
        else:
            end = node.body[0].end_lineno or node.body[0].lineno
            inserts.append((end, 0, line))
    for name, fields in module.decimal_texts.items():
        listed = ", ".join(repr(f) for f in fields)
        inserts.append((classes[name].lineno - 1, 0, f"@decimal_fields({listed})"))
    for index, replace, text in sorted(inserts, reverse=True):
        lines[index : index + replace] = text.splitlines()
    if module.decimal_texts:
        tool_import = f"from {DECIMAL_TEXT.rpartition('.')[0]} import DecimalText"
        if tool_import not in lines:
            raise GenerationError(f"{relative(module.path)}: the tool did not import DecimalText")
        lines[lines.index(tool_import)] = "from ._decimals import DecimalText, decimal_fields"
    document = json.loads(module.path.read_text(encoding="utf-8"))
    summary = textwrap.fill(
        f"{document['title']}: {document['description']}", width=100, break_long_words=False
    )
    docstring = f'"""{summary}\n\nStructs compiled from {relative(module.path)}.\n"""\n\n'
    body = "\n".join(lines) + "\n"
    if module.tags:
        body = body.replace(
            "from __future__ import annotations\n",
            "from __future__ import annotations\n\nfrom typing import ClassVar\n",
            1,
        )
    return docstring + body, len(classes)


def _init(modules: list[_Module]) -> str:
    imports = "\n".join(f"from . import {m.name}" for m in modules)
    exported = sorted([*(m.name for m in modules), "encode", "to_wire"])
    listing = "\n".join(
        f"- ``{m.name}``: {json.loads(m.path.read_text(encoding='utf-8'))['title']}" for m in modules
    )
    return (
        '"""msgspec Structs of Binance websocket events, compiled from ``specs/streams/``.\n\n'
        f"{listing}\n\n"
        "Decode with ``msgspec.json.decode(raw, type=spot_market.SpotMarketEvent)`` (a union tagged by"
        " ``e``)\nor with one struct; encode with :func:`encode`, which writes decimals as Binance does.\n\n"
        "Money fields read as ``Decimal`` (``event.bids[0].price``). Those Binance sends as JSON strings\n"
        "are decoded as that text and turned into a ``Decimal`` when read (``_decimals.py``): decoding\n"
        "stays fast, and each read gives a new, exact ``Decimal``.\n"
        '"""\n\n'
        f"{imports}\nfrom ._codec import encode, to_wire\n\n"
        f'__version__ = "{project_version()}"\n\n'
        f"__all__ = {exported!r}\n"
    )


CODEC = '''"""Encode Structs into the JSON Binance sends.

``msgspec.json.encode`` writes ``Decimal("0.00000000")`` as ``"0E-8"``; Binance writes ``"0.00000000"``.
:func:`encode` writes decimals decoded from text as that very text, any other decimal in fixed-point
notation with its digits, and money that Binance sends as a JSON number (contract brackets) as a number
again, so that decoding and encoding gives back the same JSON.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import msgspec

__all__ = ["encode", "to_wire"]

# Fields whose decimals are JSON numbers on the wire, by struct: (module, struct) -> attribute names.
JSON_NUMBERS: dict[tuple[str, str], frozenset[str]] = {JSON_NUMBERS_TABLE}

_ENCODER = msgspec.json.Encoder()


def encode(value: object) -> bytes:
    """JSON bytes of a Struct (or a list of them) as Binance would send them."""
    return _ENCODER.encode(to_wire(value))


def to_wire(value: object) -> Any:
    """Builtins for ``value``: wire names, fixed-point decimal strings, ``msgspec.Raw`` kept as is."""
    if isinstance(value, msgspec.Struct):
        return _struct(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    return value


def _struct(value: msgspec.Struct) -> Any:
    config = value.__struct_config__
    numbers, fields = _layout(type(value))
    # The values as stored: a decimal decoded from text is still that text (its attribute reads a Decimal).
    values = msgspec.structs.astuple(value)
    if config.array_like:
        return [to_wire(item) for item in values]
    out: dict[str, Any] = {}
    if config.tag_field is not None:
        out[config.tag_field] = config.tag
    for (name, wire), item in zip(fields, values, strict=True):
        if item is msgspec.UNSET:
            continue
        if name in numbers and isinstance(item, Decimal):
            out[wire] = msgspec.Raw(format(item, "f").encode())
        else:
            out[wire] = to_wire(item)
    return out


@cache
def _layout(kind: type[msgspec.Struct]) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    numbers: frozenset[str] = frozenset()
    for base in kind.__mro__:
        numbers |= JSON_NUMBERS.get((base.__module__, base.__name__), frozenset())
    fields = tuple((f.name, f.encode_name) for f in msgspec.structs.fields(kind))
    return numbers, fields
'''


DECIMALS = '''"""Decimals decoded lazily: a money field keeps the text Binance sent, read as a ``Decimal``.

Building a ``Decimal`` is most of the cost of decoding an event, and an event is often read in part or
not at all. So a field annotated ``DecimalText`` is decoded as ``str`` (msgspec still rejects anything
that is not a JSON string), and :func:`decimal_fields` makes its attribute a property that returns
``Decimal(text)``: ``event.bids[0].price`` is a ``Decimal`` with exactly the digits Binance sent, and
type checkers see ``Decimal`` everywhere (constructors take ``Decimal`` too).

- Each read builds a new ``Decimal``: keep it in a local to use it twice.
- A text that is not a decimal (``"1,5"``) raises :class:`msgspec.ValidationError` when the field is read.
- The struct stores the text, so ``repr``, ``==``, ``hash``, ``msgspec.structs.asdict`` and
  ``msgspec.json.encode`` see the wire text (``"0.00000000"``, never ``0E-8``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from types import FunctionType
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import msgspec

__all__ = ["DecimalText", "decimal_fields"]

if TYPE_CHECKING:
    DecimalText: TypeAlias = Decimal
else:
    DecimalText = str
    """What the decoder sees: the text. Type checkers see a ``Decimal``, which is what the field reads."""

_StructType = TypeVar("_StructType", bound=type[msgspec.Struct])


def decimal_fields(*names: str) -> Callable[[_StructType], _StructType]:
    """Class decorator: the fields ``names`` (annotated ``DecimalText``) read as ``Decimal``.

    The decoder, the constructor and the encoder keep using the field's slot (so field names, keyword
    arguments and wire names stay as declared); the attribute of the class becomes a property over it.
    """

    def install(cls: _StructType) -> _StructType:
        fields = cls.__struct_fields__
        array_like = cls.__struct_config__.array_like
        for name in names:
            index = fields.index(name)
            wire = f"[{index}]" if array_like else cls.__struct_encode_fields__[index]
            setattr(cls, name, _decimal_property(cls, name, wire))
        return cls

    return install


def _decimal_property(cls: type[msgspec.Struct], name: str, wire: str) -> property:
    # The field's slot stays readable under another name, ``_<name>_text`` (the wire text), and the
    # property's getter is a copy of ``_read_template`` that loads that very attribute: a plain attribute
    # load is the fastest way to read a slot, and copying a code object (``CodeType.replace``, with the
    # attribute's name swapped) costs nothing at import, where compiling a getter per field would.
    text = f"_{name}_text"
    setattr(cls, text, cls.__dict__[name])
    code = _read_template.__code__
    code = code.replace(
        co_names=tuple(text if item == _TEXT else item for item in code.co_names),
        co_name=name,
        co_qualname=f"{cls.__qualname__}.{name}",
    )
    where = f"{cls.__name__}.{name}` (`{wire}`)"
    read = FunctionType(code, _read_template.__globals__, name, (where,))
    return property(read, doc=f"`{wire}` as a ``Decimal``, made from the text Binance sent when read.")


_TEXT = "_decimal_text_"


def _read_template(self: Any, where: str = "") -> Any:
    value = self._decimal_text_
    if value.__class__ is not str:
        return value  # None, UNSET, or a Decimal given to the constructor
    try:
        return Decimal(value)
    except InvalidOperation:
        raise msgspec.ValidationError(f"Invalid decimal string {value!r} - at `{where}") from None
'''


def _codec(modules: list[_Module]) -> str:
    entries = [
        f"({f'{PACKAGE}.{m.name}'!r}, {struct!r}): frozenset({sorted(set(fields))!r})"
        for m in modules
        for struct, fields in sorted(m.json_numbers.items())
    ]
    table = "{\n    " + ",\n    ".join(entries) + ",\n}" if entries else "{}"
    return CODEC.replace("{JSON_NUMBERS_TABLE}", table)


def _spec_inputs(streams_dir: Path) -> list[Path]:
    return [*schema_files(streams_dir), streams_dir / NAMES_FILE]


def compiler_sha256() -> str:
    """Hash of the websocket-event compiler itself (left out of ``generator_sha256``)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("streams.py", "stream_routes.py"):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def stamp(streams_dir: Path = STREAMS_DIR) -> str:
    """The text of ``_generation.py``: the schemas', the generator's and the compiler's hashes, the tools."""
    digest = hashlib.sha256()
    for path in _spec_inputs(streams_dir):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    specs = ", ".join(f'"{relative(p)}"' for p in _spec_inputs(streams_dir))
    return (
        '"""How this package was generated: the inputs that give these exact bytes."""\n\n'
        f"SPECS = ({specs},)\n"
        f'SPECS_SHA256 = "{digest.hexdigest()}"\n'
        f'GENERATOR_SHA256 = "{generator_sha256()}"\n'
        f'COMPILER_SHA256 = "{compiler_sha256()}"\n'
        f'DATAMODEL_CODE_GENERATOR = "{version("datamodel-code-generator")}"\n'
        f'RUFF = "{version("ruff")}"\n'
    )


def _add_headers(package_dir: Path, streams_dir: Path, modules: list[_Module]) -> int:
    sources = {f"{m.name}.py": relative(m.path) for m in modules}
    count = 0
    for path in sorted(package_dir.glob("*.py")):
        spec = sources.get(path.name, f"{relative(streams_dir)}/")
        path.write_text(HEADER.format(spec=spec) + path.read_text(encoding="utf-8"), encoding="utf-8")
        count += 1
    return count


# ---------------------------------------------------------------------------------------------- docs

NAMES_BEGIN = "<!-- names:begin (python -m generator.streams) -->"
NAMES_END = "<!-- names:end -->"


def field_names(streams_dir: Path = STREAMS_DIR) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """Every struct's (wire name, Python name) pairs, by schema file: the mapping the Structs use."""
    names = load_names(streams_dir)
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for path in schema_files(streams_dir):
        defs = _load(path)["$defs"]
        structs: dict[str, list[tuple[str, str]]] = {}
        for name, schema in defs.items():
            if _is_tuple(schema):
                structs[name] = [(f"[{i}]", item["title"]) for i, item in enumerate(schema["prefixItems"])]
            elif _is_struct(schema):
                structs[name] = [
                    (wire, python_name(wire, prop, names) or "?") for wire, prop, _req in _fields(name, defs)
                ]
        out[path.name] = structs
    return out


def naming_table(streams_dir: Path = STREAMS_DIR) -> str:
    """The README section listing every wire name and its Python name; bold where an event overrides
    the default of ``names.json``."""
    names = load_names(streams_dir)
    lines = [NAMES_BEGIN, ""]
    for file, structs in field_names(streams_dir).items():
        lines += [f"#### `{file}`", "", "| Struct | wire → Python |", "|---|---|"]
        for struct, pairs in structs.items():
            cells = []
            for wire, python in pairs:
                default = names.get(wire) or (snake_case(wire) if not wire.startswith("[") else python)
                shown = python if python == default or wire == TAG else f"**{python}**"
                cells.append(f"`{wire}` {shown}")
            lines.append(f"| `{struct}` | {' · '.join(cells)} |")
        lines.append("")
    lines.append(NAMES_END)
    return "\n".join(lines)


if __name__ == "__main__":
    print(naming_table())
