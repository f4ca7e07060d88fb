"""Differences between a spec's surface and an SDK's: pure data in, a list of differences out.

Every difference has a stable address (product, operation, kind, subject) that
``specs/drift-allowed.yaml`` can name, a sentence saying what each side has, and whether it fails
``make drift``: an operation that one side lacks, a required parameter that the other side lacks or
makes optional. Everything else (optional parameters, enum values, response fields, websocket URLs and
routes) is reported without failing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from generator.surface import Operation, Parameter, Surface, ancestors, base_type

WEBSOCKET = "websocket"
SERVERS = "servers"

KINDS = (
    "operation-only-in-sdk",
    "operation-only-in-spec",
    "parameter-only-in-sdk",
    "parameter-only-in-spec",
    "parameter-required",
    "parameter-enum",
    "field-only-in-sdk",
    "field-only-in-spec",
    "field-type",
    "rest-url",
    "ws-url",
    "ws-route",
)


@dataclass(frozen=True, order=True)
class Difference:
    """One thing the spec and the SDK say differently."""

    product: str
    operation: str
    kind: str
    subject: str
    detail: str
    fails: bool = False

    @property
    def address(self) -> str:
        subject = f" {self.subject}" if self.subject else ""
        return f"{self.product} {self.operation} {self.kind}{subject}"


def compare_surfaces(product: str, spec: Surface, sdk: Surface) -> list[Difference]:
    """Operations, parameters and response fields of one product."""
    found: list[Difference] = []
    for key in sorted(sdk.keys() - spec.keys()):
        found.append(
            Difference(
                product, key, "operation-only-in-sdk", "", f"the SDK calls it ({sdk[key].operation_id})", True
            )
        )
    for key in sorted(spec.keys() - sdk.keys()):
        found.append(
            Difference(
                product,
                key,
                "operation-only-in-spec",
                "",
                f"the spec has it ({spec[key].operation_id})",
                True,
            )
        )
    for key in sorted(spec.keys() & sdk.keys()):
        found.extend(_parameters(product, key, spec[key].parameters, sdk[key].parameters))
        found.extend(_fields(product, key, spec[key], sdk[key]))
    return found


def _parameters(
    product: str, key: str, spec: Mapping[str, Parameter], sdk: Mapping[str, Parameter]
) -> list[Difference]:
    found: list[Difference] = []
    for name in sorted(sdk.keys() - spec.keys()):
        required = sdk[name].required
        detail = f"the SDK sends it ({'required' if required else 'optional'})"
        found.append(Difference(product, key, "parameter-only-in-sdk", name, detail, required))
    for name in sorted(spec.keys() - sdk.keys()):
        required = spec[name].required
        detail = f"the spec has it ({'required' if required else 'optional'})"
        found.append(Difference(product, key, "parameter-only-in-spec", name, detail, required))
    for name in sorted(spec.keys() & sdk.keys()):
        ours, theirs = spec[name], sdk[name]
        if ours.required != theirs.required:
            detail = (
                f"required in the {'spec' if ours.required else 'SDK'}, "
                f"optional in the {'SDK' if ours.required else 'spec'}"
            )
            found.append(Difference(product, key, "parameter-required", name, detail, True))
        enum = _enum_detail(ours, theirs)
        if enum:
            found.append(Difference(product, key, "parameter-enum", name, enum))
    return found


_BOOLEAN_TEXT = frozenset({"true", "false"})


def _enum_detail(spec: Parameter, sdk: Parameter) -> str:
    if spec.enum == sdk.enum:
        return ""
    if spec.enum is None or sdk.enum is None:
        closed = spec.enum if spec.enum is not None else sdk.enum
        other = sdk if spec.enum is not None else spec
        # A boolean sent as the text true/false is the same parameter.
        if closed == _BOOLEAN_TEXT and "boolean" in {base_type(t) for t in other.types}:
            return ""
        who, whom = ("spec", "SDK") if spec.enum is not None else ("SDK", "spec")
        return f"the {who} closes it to {_values(closed or frozenset())}; the {whom} leaves it open"
    parts = []
    if spec.enum - sdk.enum:
        parts.append(f"only in the spec: {_values(spec.enum - sdk.enum)}")
    if sdk.enum - spec.enum:
        parts.append(f"only in the SDK: {_values(sdk.enum - spec.enum)}")
    return "; ".join(parts)


def _values(values: frozenset[str], shown: int = 12) -> str:
    ordered = sorted(values)
    if len(ordered) <= shown:
        return ", ".join(ordered)
    return f"{len(ordered)} values ({', '.join(ordered[:shown])}, ...)"


_TUPLE_INDEX = re.compile(r"\[\d+\]")


def normalise(operation: Operation) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """JSON types by path, positional tuples folded into ``[]`` (the SDKs type them as plain lists)."""
    types: dict[str, set[str]] = {}
    for path, tokens in operation.response.items():
        plain = {base_type(t) for t in tokens} - {"null"}
        types.setdefault(_TUPLE_INDEX.sub("[]", path), set()).update(plain)
    opaque = frozenset(_TUPLE_INDEX.sub("[]", p) for p in operation.opaque)
    return {p: frozenset(t) for p, t in types.items()}, opaque


def _fields(product: str, key: str, spec: Operation, sdk: Operation) -> list[Difference]:
    ours, our_opaque = normalise(spec)
    theirs, their_opaque = normalise(sdk)
    if not ours or not theirs:
        return []
    opaque = our_opaque | their_opaque
    paths = [p for p in sorted(ours.keys() | theirs.keys()) if not any(a in opaque for a in ancestors(p))]
    only_ours = {p for p in paths if p not in theirs}
    only_theirs = {p for p in paths if p not in ours}
    found: list[Difference] = []
    for path in paths:
        label = path or "(the answer)"
        for only, side, kind, verb, types in (
            (only_ours, "spec", "field-only-in-spec", "describes", ours),
            (only_theirs, "SDK", "field-only-in-sdk", "reads", theirs),
        ):
            if path not in only or any(a in only for a in ancestors(path)):
                continue
            inside = sum(1 for p in only if path in ancestors(p))
            under = f", and {inside} field(s) inside it" if inside else ""
            detail = f"the {side} {verb} it ({_types(types[path])}{under})"
            found.append(Difference(product, key, kind, label, detail))
        if path in ours and path in theirs:
            mine, other = _comparable(ours[path]), _comparable(theirs[path])
            if mine and other and mine != other:
                detail = f"spec: {_types(ours[path])}; SDK: {_types(theirs[path])}"
                found.append(Difference(product, key, "field-type", label, detail))
    return found


def _comparable(tokens: frozenset[str]) -> frozenset[str]:
    # JSON has one number type: an SDK that allows a float where the spec says integer agrees.
    return frozenset("number" if t == "integer" else t for t in tokens)


def _types(tokens: frozenset[str]) -> str:
    return "|".join(sorted(tokens)) or "any"


@dataclass(frozen=True)
class OverlayStreams:
    """What the overlay's websocket tables say about one product (see :mod:`generator.drift.overlay`)."""

    urls: Mapping[str, str]
    routes: frozenset[str] | None = None
    """Route names the overlay knows; ``None``: it has no route table to read."""
    stream_routes: Mapping[str, str] | None = None
    """SDK stream template -> the route the overlay picks for an example of it; ``None``: unknown."""


def compare_streams(
    product: str,
    sdk_urls: Mapping[str, str],
    sdk_routes: frozenset[str],
    sdk_stream_routes: Mapping[str, str],
    overlay: OverlayStreams,
) -> list[Difference]:
    """Websocket base URLs and routes: the SDK's against the overlay's."""
    found: list[Difference] = []
    for name in sorted(sdk_urls.keys() | overlay.urls.keys()):
        ours, theirs = overlay.urls.get(name), sdk_urls.get(name)
        if ours == theirs:
            continue
        if ours is None:
            detail = f"the SDK has {theirs}; the overlay has none"
        elif theirs is None:
            detail = f"the overlay has {ours}; the SDK names none"
        else:
            detail = f"overlay: {ours}; SDK: {theirs}"
        found.append(Difference(product, WEBSOCKET, "ws-url", name, detail))
    if overlay.routes is None:
        if sdk_routes:
            detail = f"the SDK connects to /{', /'.join(sorted(sdk_routes))}; the overlay has no route table"
            found.append(Difference(product, WEBSOCKET, "ws-route", "(table)", detail))
        return found
    for route in sorted(sdk_routes - overlay.routes):
        found.append(
            Difference(product, WEBSOCKET, "ws-route", f"/{route}", "the SDK uses it; the overlay does not")
        )
    for route in sorted(overlay.routes - sdk_routes):
        found.append(
            Difference(product, WEBSOCKET, "ws-route", f"/{route}", "the overlay uses it; the SDK does not")
        )
    for template, route in sorted((overlay.stream_routes or {}).items()):
        expected = sdk_stream_routes.get(template)
        if expected is not None and expected != route:
            detail = f"overlay: {_route(route)}; SDK: {_route(expected)}"
            found.append(Difference(product, WEBSOCKET, "ws-route", template, detail))
    return found


def compare_servers(product: str, spec_servers: list[str], sdk_urls: Mapping[str, str]) -> list[Difference]:
    """REST base URLs: the spec's ``servers`` against the SDK's."""
    found: list[Difference] = []
    servers = [s.rstrip("/") for s in spec_servers]
    for name, url in sorted(sdk_urls.items()):
        if url.rstrip("/") not in servers:
            detail = f"the SDK uses {url}; the spec's servers do not list it"
            found.append(Difference(product, SERVERS, "rest-url", name, detail))
    known = {u.rstrip("/") for u in sdk_urls.values()}
    for url in servers:
        if url not in known:
            detail = "the spec lists it; the SDK names no such base URL"
            found.append(Difference(product, SERVERS, "rest-url", url, detail))
    return found


def _route(route: str) -> str:
    return f"/{route}" if route else "no route"


__all__ = [
    "KINDS",
    "SERVERS",
    "WEBSOCKET",
    "Difference",
    "OverlayStreams",
    "compare_servers",
    "compare_streams",
    "compare_surfaces",
    "normalise",
]
