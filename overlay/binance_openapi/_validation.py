"""Arguments checked before a request is built: a wrong one is refused with ``LocalValidationError``
naming the parameter and saying what to write, instead of being sent as something else or failing deep
inside the client with an ``AttributeError`` or ``httpx.InvalidURL``.

The facade methods are generated from the specs with typed keyword arguments; their annotations say
what each parameter takes, and ``install`` wraps every method of a client class with the check:

* ``int`` parameters (ids, times, ``limit``): an ``int``, never a ``float`` (``order_id=1.5``), a
  ``bool`` (``limit=True``) or a ``Decimal``;
* decimal parameters (prices, quantities): a ``Decimal``, an ``int`` or a plain ASCII decimal string
  (``"40000.5"``); never a ``float``, a ``bool``, ``"40_000"`` or full-width digits (Python's
  ``Decimal`` accepts both, Binance does not), NaN or an infinity;
* ``bool`` parameters: a ``bool``;
* ``None``: refused for a required parameter (and for an optional one, which is left out instead);
* lists of models (``batch_orders=[BatchOrder(...)]``): every item of the model's class, its enum
  fields enum members (``OrderSide.BUY``, not ``"BUY"``), its decimal and integer fields as above.

``check_url_length`` refuses a request whose URL (with room for the signature) would be longer than
the 64 KiB the transport accepts, naming its longest parameter.
"""

from __future__ import annotations

import enum
import functools
import importlib
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ._errors import LocalValidationError

MAX_URL_LENGTH = 65_536  # what httpx (and so the transports) accept
SIGNING_ROOM = 1_024  # recvWindow, timestamp and the longest signature (RSA 4096, percent-encoded)
PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
INT, DECIMAL, BOOL, STR, MODELS, OTHER = "int", "decimal", "bool", "str", "models", "other"


@dataclass(frozen=True)
class Param:
    """What one keyword argument takes."""

    kind: str
    required: bool
    nullable: bool
    model: type | None = None


def _kind(annotation: str) -> tuple[str, bool, str | None]:
    """``(kind, nullable, model name)`` from an annotation written as text."""
    tokens = {token.strip() for token in annotation.split("|")}
    nullable = "None" in tokens
    tokens -= {"Unset", "None"}
    if "DecimalLike" in tokens or tokens == {"Decimal"}:
        return DECIMAL, nullable, None
    if tokens == {"int"}:
        return INT, nullable, None
    if tokens == {"bool"}:
        return BOOL, nullable, None
    if tokens == {"str"}:
        return STR, nullable, None
    if len(tokens) == 1:
        match = re.fullmatch(r"list\[(?:models\.)?([A-Z]\w*)\]", next(iter(tokens)))
        if match is not None:
            return MODELS, nullable, match.group(1)
    return OTHER, nullable, None


def params_of(func: Callable[..., Any], models: Any) -> dict[str, Param]:
    """The checked keyword arguments of a facade method (``models``: the product's models module)."""
    found = {}
    for name, parameter in inspect.signature(func).parameters.items():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        annotation = parameter.annotation
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        kind, nullable, model_name = _kind(text)
        model = getattr(models, model_name, None) if model_name else None
        required = parameter.default is inspect.Parameter.empty
        found[name] = Param(kind, required, nullable, model if isinstance(model, type) else None)
    return found


def _fail(where: str, message: str) -> LocalValidationError:
    return LocalValidationError(f"{where}: {message}")


def _what(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def check_int(where: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        hint = f"{int(value)}" if isinstance(value, float | Decimal) and value == int(value) else "123"
        raise _fail(where, f"must be an int, not {_what(value)}; write a whole number, e.g. {hint}")


def check_decimal(where: str, value: Any) -> None:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _fail(
                where, f"{value!r} is not a finite number; write a price or quantity, e.g. Decimal('1.5')"
            )
        return
    if isinstance(value, bool) or not isinstance(value, int | str):
        example = f"Decimal('{value}')" if isinstance(value, float) else "Decimal('1.5')"
        reason = (
            "floats cannot hold prices and quantities exactly" if isinstance(value, float) else "not a number"
        )
        raise _fail(where, f"{_what(value)}: {reason}; write {example}")
    if isinstance(value, str) and not PLAIN_DECIMAL.match(value):
        try:  # what Python's Decimal makes of it ('40_000', full-width digits), written plainly
            plain: str | None = format(Decimal(value.strip()), "f")
        except InvalidOperation:
            plain = None
        suggestion = f", e.g. '{plain}'" if plain and PLAIN_DECIMAL.match(plain) else ""
        raise _fail(
            where,
            f"{value!r} is not a plain decimal: write ASCII digits 0-9 with at most one '.' and no '_', "
            f"spaces or other digits{suggestion} (or a Decimal)",
        )


def check_model(where: str, item: Any, model: type) -> None:
    """One item of a list of models: its class, enum fields as members, numbers as numbers."""
    if not isinstance(item, model):
        raise _fail(where, f"must be a {model.__name__}, not {_what(item)}")
    for field, hint in _model_fields(model):
        value = getattr(item, field.name, None)
        if value is None or type(value).__name__ == "Unset":
            continue
        place = f"{where}.{field.name}"
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            if not isinstance(value, hint):
                raise _fail(place, _enum_hint(hint, value))
        elif hint is Decimal:
            check_decimal(place, value)
        elif hint is int:
            check_int(place, value)


def _enum_hint(enum_class: type[enum.Enum], value: Any) -> str:
    name = enum_class.__name__
    member = _member(enum_class, value)
    write = f"{name}.{member}" if member else "one of " + ", ".join(f"{name}.{m.name}" for m in enum_class)
    package = enum_class.__module__.rpartition(".models")[0] or enum_class.__module__
    return f"{value!r} is not a member of {name}; write {write} (from {package}.models import {name})"


def _member(enum_class: type[enum.Enum], value: Any) -> str | None:
    try:
        return enum_class(value).name
    except ValueError:
        return None


@functools.cache
def _model_fields(model: type) -> tuple[tuple[Any, Any], ...]:
    """``(attrs field, the single type it holds)`` of a generated model (``X | Unset`` → ``X``)."""
    try:
        hints = typing.get_type_hints(model)
    except Exception:
        hints = {}
    found = []
    for field in attrs.fields(model):
        hint = hints.get(field.name)
        args = [
            arg for arg in typing.get_args(hint) if getattr(arg, "__name__", "") not in ("Unset", "NoneType")
        ]
        found.append((field, args[0] if len(args) == 1 else hint))
    return tuple(found)


def check_arguments(method: str, params: Mapping[str, Param], kwargs: Mapping[str, Any]) -> None:
    """Refuse the first wrong argument of a call to ``method``."""
    for name, value in kwargs.items():
        kind = type(value)
        if kind is str or kind is Decimal or kind is int:  # the common cases, checked cheaply
            param = params.get(name)
            if param is None or param.kind in (STR, OTHER):
                continue
            if kind is int and param.kind in (INT, DECIMAL):
                continue
            if kind is Decimal and param.kind == DECIMAL and value.is_finite():
                continue
            if kind is str and param.kind == DECIMAL and PLAIN_DECIMAL.match(value):
                continue
        _check_slowly(method, name, params.get(name), value)


def _check_slowly(method: str, name: str, param: Param | None, value: Any) -> None:
    if param is None:
        return
    where = f"{method}({name}=...)"
    if value is None:
        if param.nullable:
            return
        if param.required:
            raise _fail(where, f"{name} is required and cannot be None; give a {param.kind} value")
        raise _fail(where, f"{name}=None: leave the argument out to not send it")
    kind = param.kind
    if kind == INT:
        check_int(where, value)
    elif kind == DECIMAL:
        check_decimal(where, value)
    elif kind == BOOL:
        if not isinstance(value, bool):
            raise _fail(where, f"must be True or False, not {_what(value)}")
    elif kind == MODELS and param.model is not None:
        if not isinstance(value, list | tuple):
            raise _fail(where, f"must be a list of {param.model.__name__}, not {_what(value)}")
        for index, item in enumerate(value):
            check_model(f"{method}({name}[{index}])", item, param.model)


def check_url_length(url: str, params: Mapping[str, Any], method: str) -> None:
    """Refuse a request whose URL would be longer than the transport accepts once signed."""
    if len(url) + SIGNING_ROOM <= MAX_URL_LENGTH:
        return
    longest = max(params, key=lambda name: len(str(params[name])), default="")
    raise LocalValidationError(
        f"{method}: the request would be {len(url) + SIGNING_ROOM} characters long once signed, over the "
        f"{MAX_URL_LENGTH} the transport accepts; its longest parameter is {longest} "
        f"({len(str(params.get(longest, '')))} characters): send it in smaller calls"
    )


def _checked(func: Callable[..., Any], package: str) -> Callable[..., Any]:
    params: dict[str, Param] = {}

    def prepare() -> Mapping[str, Param]:
        if not params:
            params.update(params_of(func, importlib.import_module(f"{package}.models")))
        return params

    name = func.__name__
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def checked_async(self: Any, **kwargs: Any) -> Any:
            check_arguments(name, params or prepare(), kwargs)
            return await func(self, **kwargs)

        return checked_async

    @functools.wraps(func)
    def checked(self: Any, **kwargs: Any) -> Any:
        check_arguments(name, params or prepare(), kwargs)
        return func(self, **kwargs)

    return checked


def install(cls: type, package: str) -> None:
    """Wrap every public method of the generated facades ``cls`` inherits with the argument check."""
    for base in cls.__mro__:
        if not base.__name__.endswith("Facade"):
            continue
        for name, func in vars(base).items():
            if name.startswith("_") or not inspect.isfunction(func) or name in vars(cls):
                continue
            setattr(cls, name, _checked(func, package))


__all__ = ["MAX_URL_LENGTH", "check_arguments", "check_url_length", "install", "params_of"]
