"""Every example of every schema decodes into its generated Struct, with exact decimals, and encodes back."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec
import pytest

import binance_streams
from generator.streams import _fields, _is_struct, _is_tuple, load_names, python_name
from tests.streams._schemas import documents, example, examples, module, raw

CASES = examples()
IDS = [f"{file}:{name}:{index}" for file, name, index, _example in CASES]


def decode(file: str, name: str, value: Any) -> Any:
    return msgspec.json.decode(raw(value), type=getattr(module(file), name))


def test_every_payload_has_an_example() -> None:
    assert len(CASES) >= 80
    for file, document in documents().items():
        described = {name for _file, name, _index, _example in CASES if _file == file}
        events = {name for name, schema in document["$defs"].items() if "x-binance-streams" in schema}
        assert events <= described, file


@pytest.mark.parametrize(("file", "name", "index", "value"), CASES, ids=IDS)
def test_example_decodes_and_encodes_back_to_the_same_json(
    file: str, name: str, index: int, value: Any
) -> None:
    decoded = decode(file, name, value)
    assert json.loads(binance_streams.encode(decoded)) == value
    # Decoding what we encoded gives an equal value again.
    assert msgspec.json.decode(binance_streams.encode(decoded), type=getattr(module(file), name)) == decoded
    del index


@pytest.mark.parametrize(("file", "name", "index", "value"), CASES, ids=IDS)
def test_decimals_are_decimals_with_their_digits(file: str, name: str, index: int, value: Any) -> None:
    defs = documents()[file]["$defs"]
    checked = _check(defs, defs[name], value, decode(file, name, value), load_names())
    del index
    assert checked >= 0


def _check(
    defs: dict[str, Any], schema: dict[str, Any], value: Any, decoded: Any, names: dict[str, str]
) -> int:
    """Walk schema, JSON value and decoded value together; return how many decimals were checked."""
    if "$ref" in schema:
        target = schema["$ref"].removeprefix("#/$defs/")
        if _is_struct(defs[target]):
            return _check_struct(defs, target, value, decoded, names)
        return _check(defs, defs[target], value, decoded, names)
    if "oneOf" in schema:
        member = next(
            m for m in schema["oneOf"] if type(decoded).__name__ == m["$ref"].removeprefix("#/$defs/")
        )
        return _check(defs, member, value, decoded, names)
    if _is_tuple(schema):
        return sum(
            _check(defs, item, item_value, getattr(decoded, item["title"]), names)
            for item, item_value in zip(schema["prefixItems"], value, strict=False)
        )
    if schema.get("type") == "array" and "items" in schema:
        return sum(_check(defs, schema["items"], v, d, names) for v, d in zip(value, decoded, strict=True))
    if schema.get("format") == "decimal" and value is not None:
        assert isinstance(decoded, Decimal), (value, decoded)
        text = value if isinstance(value, str) else json.dumps(value)
        assert format(decoded, "f") == text
        return 1
    if schema.get("format") == "decimal-or-empty":
        assert decoded == value
    return 0


def _check_struct(defs: dict[str, Any], name: str, value: Any, decoded: Any, names: dict[str, str]) -> int:
    if _is_tuple(defs[name]):
        return _check(defs, defs[name], value, decoded, names)
    count = 0
    for wire, prop, _required in _fields(name, defs):
        attribute = python_name(wire, prop, names)
        assert attribute is not None
        if wire == "e" and "const" in prop:
            assert decoded.event_type == value["e"] == prop["const"]
            continue
        if wire not in value:
            assert getattr(decoded, attribute) is msgspec.UNSET
            continue
        count += _check(defs, prop, value[wire], getattr(decoded, attribute), names)
    return count


def test_digits_and_trailing_zeros_are_kept() -> None:
    report = decode("spot-user.json", "ExecutionReport", example("spot-user.json", "ExecutionReport"))
    assert report.quantity == Decimal("1.00000000")
    assert report.quantity.as_tuple().exponent == -8
    assert str(report.price) == "0.10264410"
    assert report.commission == Decimal(0)
    assert report.commission_asset is None
    assert binance_streams.encode(report).count(b'"0.00000000"') >= 5
    assert b"E-" not in binance_streams.encode(report)
    assert msgspec.json.encode(report.last_executed_quantity) == b'"0E-8"'  # why encode() exists


def test_money_sent_as_a_json_number_is_a_decimal_and_stays_a_number() -> None:
    info = decode("usdm-market.json", "ContractInfo", example("usdm-market.json", "ContractInfo"))
    bracket = info.brackets[1]
    assert bracket.maintenance_margin_ratio == Decimal("0.025")
    assert isinstance(bracket.notional_cap, Decimal)
    assert b'"mmr":0.025' in binance_streams.encode(info)


def test_depth_levels_are_named_fields() -> None:
    depth = decode("usdm-market.json", "DepthUpdate", example("usdm-market.json", "DepthUpdate", 1))
    assert len(depth.bids) == len(depth.asks) == 5
    best = depth.bids[0]
    assert (best.price, best.quantity) == (Decimal("7403.89"), Decimal("0.002"))
    assert type(best).__struct_config__.array_like
    # A level that Binance extends with more items still decodes.
    wider = msgspec.json.decode(b'["1.0","2.00","extra",3]', type=type(best))
    assert (wider.price, wider.quantity) == (Decimal("1.0"), Decimal("2.00"))


def test_an_empty_funding_rate_is_kept_as_text() -> None:
    mark = decode("coinm-market.json", "MarkPriceUpdate", example("coinm-market.json", "MarkPriceUpdate"))
    assert mark.funding_rate == ""
    assert mark.next_funding_time == 0


def test_optional_fields_read_unset_and_nullable_fields_none() -> None:
    reference = {"e": "referencePrice", "s": "BAZUSD", "r": None, "t": 1770313263917}
    assert decode("spot-market.json", "ReferencePrice", reference).reference_price is None
    info = decode(
        "coinm-market.json", "ContractInfo", {**example("coinm-market.json", "ContractInfo"), "bks": []}
    )
    assert info.brackets == []
    without = dict(example("coinm-market.json", "ContractInfo"))
    del without["bks"]
    assert decode("coinm-market.json", "ContractInfo", without).brackets is msgspec.UNSET
    assert b"bks" not in binance_streams.encode(decode("coinm-market.json", "ContractInfo", without))


def test_new_fields_are_ignored() -> None:
    value = {**example("spot-market.json", "Trade"), "X": "MARKET", "zz": [1, 2]}
    trade = decode("spot-market.json", "Trade", value)
    assert trade.trade_id == 12345


def test_a_bad_decimal_is_a_clear_error_when_read() -> None:
    # Decimals stay the text Binance sent until read: a text that is not a decimal decodes, and reading
    # the field raises an error naming the struct, the field and its wire name.
    value = {**example("spot-market.json", "Trade"), "p": "1,5"}
    trade = decode("spot-market.json", "Trade", value)
    assert trade.quantity == Decimal(value["q"])
    with pytest.raises(
        msgspec.ValidationError, match=r"Invalid decimal string '1,5' - at `Trade.price` \(`p`\)"
    ):
        _ = trade.price
    # A JSON number where Binance sends a string is refused at decode (never read through a float).
    with pytest.raises(msgspec.ValidationError, match=r"Expected `str`, got `float` - at `\$.p`"):
        decode("spot-market.json", "Trade", {**value, "p": 0.1})
