"""Case-only wire names land in distinct, documented attributes; the naming table is the documented one."""

from __future__ import annotations

import re

import msgspec

from binance_streams import coinm_market, spot_market, spot_user, usdm_market, usdm_user
from generator.streams import NAMES_BEGIN, NAMES_END, field_names, load_names, naming_table
from tests.conftest import SPECS
from tests.streams._schemas import STREAMS_DIR, example, raw


def test_event_type_and_event_time_are_different_attributes() -> None:
    event = msgspec.json.decode(raw(example("spot-market.json", "DepthUpdate")), type=spot_market.DepthUpdate)
    assert event.event_type == "depthUpdate"
    assert event.event_time == 1672515782136
    assert spot_market.DepthUpdate.event_type == "depthUpdate"  # a class variable: the tag
    assert "event_type" not in spot_market.DepthUpdate.__struct_fields__
    fields = {f.encode_name: f.name for f in msgspec.structs.fields(spot_market.DepthUpdate)}
    assert fields["E"] == "event_time"


def test_first_and_final_update_ids_are_different_attributes() -> None:
    spot = msgspec.json.decode(raw(example("spot-market.json", "DepthUpdate")), type=spot_market.DepthUpdate)
    assert (spot.first_update_id, spot.final_update_id) == (157, 160)
    futures = msgspec.json.decode(
        raw(example("usdm-market.json", "DepthUpdate")), type=usdm_market.DepthUpdate
    )
    assert (futures.first_update_id, futures.final_update_id, futures.previous_final_update_id) == (
        157,
        160,
        149,
    )


def test_one_letter_gets_the_name_of_its_meaning_in_each_event() -> None:
    agg = msgspec.json.decode(raw(example("spot-market.json", "AggTrade")), type=spot_market.AggTrade)
    depth = msgspec.json.decode(raw(example("spot-market.json", "DepthUpdate")), type=spot_market.DepthUpdate)
    book = msgspec.json.decode(raw(example("spot-market.json", "BookTicker")), type=spot_market.BookTicker)
    assert agg.aggregate_trade_id == 12345  # "a" in aggTrade
    assert str(depth.asks[0].price) == "0.0026"  # "a" in depthUpdate
    assert str(book.best_ask_price) == "25.36520000"  # "a" in bookTicker
    assert book.update_id == 400900217  # "u" in bookTicker
    stp = msgspec.json.decode(
        raw(example("spot-user.json", "ExecutionReport", 1)), type=spot_user.ExecutionReport
    )
    assert (stp.trade_group_id, stp.counter_order_id) == (1, 37)  # "u" and "U" in executionReport
    assert (stp.last_executed_quantity, stp.last_executed_price) != (None, None)  # "l" and "L"
    kline = msgspec.json.decode(raw(example("usdm-market.json", "Kline")), type=usdm_market.Kline).kline
    assert (kline.open_time, kline.close_time, kline.last_trade_id) == (1638747660000, 1638747719999, 200)
    assert str(kline.low_price) == "0.0015"
    coin = msgspec.json.decode(raw(example("coinm-market.json", "Kline")), type=coinm_market.Kline).kline
    assert (str(coin.contract_volume), str(coin.base_volume)) == ("156", "1.61836886")
    order = msgspec.json.decode(
        raw(example("usdm-user.json", "OrderTradeUpdate")), type=usdm_user.OrderTradeUpdate
    ).order
    assert (order.position_side, order.side, order.stop_price) == ("LONG", "SELL", order.stop_price)


def test_field_names_are_unique_snake_case_in_every_struct() -> None:
    for file, structs in field_names().items():
        for struct, pairs in structs.items():
            pythons = [python for _wire, python in pairs]
            assert len(set(pythons)) == len(pythons), (file, struct)
            assert all(re.fullmatch(r"[a-z][a-z0-9_]*", p) for p in pythons), (file, struct)


def test_the_readme_lists_every_mapping() -> None:
    readme = (STREAMS_DIR / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(NAMES_BEGIN) : readme.index(NAMES_END) + len(NAMES_END)]
    assert section == naming_table(), "run `python -m generator.streams` and paste it into README.md"


def test_the_table_agrees_with_the_rest_specs_table() -> None:
    """names.json extends the table of specs/README.md: where both name a wire name, they agree."""
    rows = re.findall(r"\| `([^`]+)` \| `([a-z_]+)` \|", (SPECS / "README.md").read_text(encoding="utf-8"))
    rest = dict(rows)
    assert {"e", "E", "U", "u", "pu"} <= rest.keys()
    names = load_names()
    for wire, python in rest.items():
        if wire in names:
            assert names[wire] == python, wire


def test_generated_structs_use_the_documented_names() -> None:
    modules = {
        "spot-market.json": spot_market,
        "spot-user.json": spot_user,
        "usdm-market.json": usdm_market,
        "usdm-user.json": usdm_user,
        "coinm-market.json": coinm_market,
    }
    for file, module in modules.items():
        for struct, pairs in field_names()[file].items():
            cls = getattr(module, struct)
            actual = {f.encode_name: f.name for f in msgspec.structs.fields(cls)}
            config = cls.__struct_config__
            for wire, python in pairs:
                if wire == config.tag_field:
                    assert cls.event_type == config.tag
                elif config.array_like:
                    assert python in actual.values()
                else:
                    assert actual[wire] == python, (file, struct, wire)
