"""What the templates and the patch make of each spec construct, on a package generated from fixture.yaml."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from types import ModuleType

import httpx
import pytest

from generator.build import Generated, build
from tests.generator.conftest import FIXTURE


def op(name: str, tag: str = "market") -> ModuleType:
    return importlib.import_module(f"binance_fixture.api.{tag}.{name}")


def respond(module: ModuleType, body: object) -> object:
    return module.parse_success(httpx.Response(200, content=json.dumps(body).encode()))


def test_decimal_strings_round_trip_unchanged(fixture_package: ModuleType) -> None:
    order = respond(op("new_order", "trade"), {"orderId": 1, "symbol": "BTCUSDT", "price": "0.00000010"})
    assert order.price == Decimal("0.00000010")
    assert isinstance(order.price, Decimal)
    assert order.to_dict()["price"] == "0.00000010"


def test_decimal_parameters_are_sent_without_exponent(fixture_package: ModuleType) -> None:
    kwargs = op("new_order", "trade").request_kwargs(
        symbol="BTCUSDT", side="BUY", type="LIMIT", quantity=Decimal("1E-7"), price="60000.10"
    )
    assert kwargs["params"]["quantity"] == "0.0000001"
    assert kwargs["params"]["price"] == "60000.10"


@pytest.mark.parametrize("bad", [1e-05, 0.1, True])
def test_floats_are_refused_where_money_is_accepted(fixture_package: ModuleType, bad: object) -> None:
    with pytest.raises(TypeError, match="quantity must be a Decimal, int or str"):
        op("new_order", "trade").request_kwargs(symbol="X", side="BUY", type="LIMIT", quantity=bad)


def test_non_numbers_are_refused(fixture_package: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"price='abc' is not a decimal number"):
        op("new_order", "trade").request_kwargs(symbol="X", side="BUY", type="LIMIT", price="abc")
    with pytest.raises(ValueError, match="not a finite number"):
        op("new_order", "trade").request_kwargs(symbol="X", side="BUY", type="LIMIT", price=Decimal("NaN"))


def test_empty_decimal_reads_as_none_and_writes_back_empty(fixture_package: ModuleType) -> None:
    order = respond(op("query_order", "trade"), {"orderId": 1, "symbol": "X", "activatePrice": ""})
    assert order.activate_price is None
    assert order.to_dict()["activatePrice"] == ""


def test_money_sent_as_a_json_number_is_a_decimal_not_a_float(fixture_package: ModuleType) -> None:
    body = b'{"orderId": 1, "symbol": "X", "maintMarginRatio": 0.0065}'
    order = op("query_order", "trade").parse_success(httpx.Response(200, content=body))
    assert order.maint_margin_ratio == Decimal("0.0065")
    assert type(order.maint_margin_ratio) is Decimal


def test_a_new_response_enum_value_parses(fixture_package: ModuleType) -> None:
    order = respond(op("query_order", "trade"), {"orderId": 1, "symbol": "X", "status": "EXPIRED_IN_MATCH"})
    status_enum = type(order.status)
    assert order.status.name == "UNKNOWN"
    assert order.status.value == "EXPIRED_IN_MATCH"
    assert order.status == "EXPIRED_IN_MATCH"
    assert order.status not in status_enum
    assert order.to_dict()["status"] == "EXPIRED_IN_MATCH"
    assert status_enum("FILLED") is status_enum.FILLED


def test_request_enums_are_closed_and_accept_their_values(fixture_package: ModuleType) -> None:
    module = op("new_order", "trade")
    assert module.request_kwargs(symbol="X", side="SELL", type="MARKET")["params"]["side"] == "SELL"
    with pytest.raises(ValueError, match="side='HOLD' is not one of: BUY, SELL"):
        module.request_kwargs(symbol="X", side="HOLD", type="MARKET")


def test_enum_members_have_readable_names(fixture_package: ModuleType) -> None:
    from binance_fixture.models import KlineInterval  # type: ignore[import-not-found]

    assert [m.name for m in KlineInterval] == ["SECOND_1", "MINUTE_1", "HOUR_1", "MONTH_1"]
    assert KlineInterval.MONTH_1.value == "1M"


def test_integer_choices_are_checked(fixture_package: ModuleType) -> None:
    module = op("order_book")
    assert module.request_kwargs(symbol="X", limit=100)["params"]["limit"] == 100
    with pytest.raises(ValueError, match="limit=7 is not one of: 5, 10, 100"):
        module.request_kwargs(symbol="X", limit=7)


def test_klines_are_named_typed_fields(fixture_package: ModuleType) -> None:
    klines = respond(op("klines"), [[1499040000000, "0.01634790", "0.80000000", 1499644799999, "unused"]])
    kline = klines[0]
    assert kline.open_time == 1499040000000
    assert kline.open_price == Decimal("0.01634790")
    assert kline.close_time == 1499644799999
    assert kline.extra == ["unused"]
    assert kline.to_list() == [1499040000000, "0.01634790", "0.80000000", 1499644799999, "unused"]


def test_a_short_tuple_reads_its_missing_items_as_unset_and_says_so(fixture_package: ModuleType) -> None:
    from binance_fixture._shape import collecting  # type: ignore[import-not-found]
    from binance_fixture.types import UNSET  # type: ignore[import-not-found]

    klines = respond(op("klines"), [[1, "2"]])
    with collecting() as surprises:
        kline = klines[0]
        assert (kline.open_time, kline.open_price) == (1, Decimal("2"))
        assert kline.close_time is UNSET
    assert "Kline[3]: expected integer, got missing" in [str(s) for s in surprises]


def test_lists_of_tuples_are_read_on_access(fixture_package: ModuleType) -> None:
    rows = [[i, "1.5", "2.5", i + 1] for i in range(1000)]
    klines = respond(op("klines"), rows)
    assert type(klines).__name__ == "TupleList"
    assert len(klines) == 1000
    assert klines[999].open_time == 999
    assert [k.open_time for k in klines[10:13]] == [10, 11, 12]
    assert klines.to_list() == rows
    assert klines == list(klines)


def test_depth_levels_and_case_only_wire_names(fixture_package: ModuleType) -> None:
    book = respond(
        op("order_book"), {"lastUpdateId": 7, "E": 1, "T": 2, "bids": [["4.0", "431"]], "asks": []}
    )
    assert (book.event_time, book.transaction_time) == (1, 2)
    assert (book.bids[0].price, book.bids[0].quantity) == (Decimal("4.0"), Decimal("431"))
    assert book.to_dict()["E"] == 1


def test_object_or_array_answers(fixture_package: ModuleType) -> None:
    module = op("price_ticker")
    one = respond(module, {"symbol": "A", "price": "1"})
    many = respond(module, [{"symbol": "A", "price": "1"}, {"symbol": "B", "price": "2"}])
    assert one.symbol == "A"
    assert [t.symbol for t in many] == ["A", "B"]


def test_json_array_parameters_are_sent_as_json(fixture_package: ModuleType) -> None:
    params = op("price_ticker").request_kwargs(symbols=["BTCUSDT", "ETHUSDT"])["params"]
    assert params == {"symbols": '["BTCUSDT","ETHUSDT"]'}


def test_unknown_fields_and_typed_maps_are_kept(fixture_package: ModuleType) -> None:
    body = {"orderId": 1, "symbol": "X", "balances": {"BTC": {"free": "1.50"}}, "newField": [1]}
    order = respond(op("query_order", "trade"), body)
    assert order.balances["BTC"].free == Decimal("1.50")
    assert order.additional_properties == {"newField": [1]}
    assert order.to_dict() == body


def test_requests_carry_their_operation(fixture_package: ModuleType) -> None:
    kwargs = op("new_order", "trade").request_kwargs(symbol="X", side="BUY", type="LIMIT")
    operation = kwargs["extensions"]["binance_operation"]
    assert (operation.id, operation.method, operation.path) == ("new_order", "POST", "/api/v3/order")
    assert operation.security == "TRADE"
    assert operation.signed
    assert operation.weight == {"ip": 1, "orders": {"unfilled": 1}}
    assert operation.extensions["x-binance-idempotency"]["lookup"] == "query_order"


def test_parameters_keep_builtin_names(fixture_package: ModuleType) -> None:
    kwargs = op("new_order", "trade").request_kwargs(symbol="X", side="BUY", type="LIMIT")
    assert kwargs["params"]["type"] == "LIMIT"


def test_docstrings_carry_the_api_facts(fixture_package: ModuleType) -> None:
    doc = op("order_book").sync.__doc__
    assert "``GET /api/v3/depth`` - security ``NONE``" in doc
    assert "IP weight 5 if limit <= 100, 250 if limit <= 5000, otherwise 250; limit defaults to 100" in doc
    assert "https://developers.binance.com/docs/fixture/depth" in doc


def test_every_file_has_the_header_and_the_package_a_stamp(generated_fixture: Generated) -> None:
    files = sorted(generated_fixture.package_dir.rglob("*.py"))
    assert files
    for path in files:
        assert path.read_text().startswith("# Generated by `python -m generator` from "), path
    stamp = (generated_fixture.package_dir / "_generation.py").read_text()
    assert "SPEC_SHA256 =" in stamp
    assert 'OPENAPI_PYTHON_CLIENT = "0.29.1"' in stamp


def test_models_are_imported_lazily(generated_fixture: Generated) -> None:
    code = (
        "import sys, binance_fixture.models as m\n"
        "loaded = lambda: sorted(k for k in sys.modules if k.startswith('binance_fixture.models.'))\n"
        "print(loaded())\n"
        "m.PriceTicker\n"
        "print(loaded())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(generated_fixture.package_dir.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    before, after = out.stdout.splitlines()
    assert before == "[]"
    assert after == "['binance_fixture.models.price_ticker']"


def test_generation_is_deterministic(generated_fixture: Generated, tmp_path: pytest.TempPathFactory) -> None:
    again = build(FIXTURE, tmp_path)  # type: ignore[arg-type]
    first = {
        p.relative_to(generated_fixture.package_dir): p.read_bytes()
        for p in generated_fixture.package_dir.rglob("*.py")
    }
    second = {p.relative_to(again.package_dir): p.read_bytes() for p in again.package_dir.rglob("*.py")}
    assert first == second
