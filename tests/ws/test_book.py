"""The local order book follows Binance's sequencing rules, spot (U/u) and futures (U/u/pu)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

from binance_openapi.ws._book import BookState, LocalOrderBook


@dataclass
class Diff:
    first_update_id: int
    final_update_id: int
    bids: list[tuple[str, str]] = field(default_factory=list)
    asks: list[tuple[str, str]] = field(default_factory=list)
    previous_final_update_id: int | None = None


SNAPSHOT: dict[str, Any] = {"bids": [("99", "1"), ("98", "2")], "asks": [("101", "1"), ("102", "2")]}


def test_spot_buffers_until_the_snapshot_then_applies_in_order() -> None:
    book = LocalOrderBook("BTCUSDT")
    assert book.needs_snapshot
    book.on_event(Diff(95, 99, bids=[("97", "9")]))  # before the snapshot: dropped once it arrives
    book.on_event(Diff(100, 102, bids=[("99", "3")]))  # straddles lastUpdateId + 1 = 101
    book.on_event(Diff(103, 104, asks=[("101", "0")]))
    assert book.on_snapshot(100, **SNAPSHOT)
    assert book.state is BookState.SYNCED
    assert book.update_id == 104
    assert book.best_bid() == (D("99"), D("3"))
    assert book.best_ask() == (D("102"), D("2"))
    assert D("97") not in book.as_dict()["bids"]


def test_spot_snapshot_older_than_the_first_event_is_refused() -> None:
    book = LocalOrderBook("BTCUSDT")
    book.on_event(Diff(200, 205))
    assert not book.on_snapshot(150, **SNAPSHOT)
    assert book.needs_snapshot


def test_spot_gap_forces_a_resync_without_losing_the_event() -> None:
    book = LocalOrderBook("BTCUSDT")
    book.on_snapshot(100, **SNAPSHOT)
    assert book.on_event(Diff(101, 101, bids=[("99", "5")]))
    assert not book.on_event(Diff(105, 106, bids=[("99", "7")]))  # 102..104 are missing
    assert book.state is BookState.RESYNC
    assert book.resyncs == 1
    assert book.on_snapshot(105, **SNAPSHOT)
    assert book.best_bid() == (D("99"), D("7"))  # the buffered event was applied after the new snapshot


def test_zero_quantity_removes_a_level_and_depth_is_sorted() -> None:
    book = LocalOrderBook("BTCUSDT")
    book.on_snapshot(1, **SNAPSHOT)
    book.on_event(Diff(2, 2, bids=[("99", "0"), ("99.5", "4")], asks=[("100.5", "1")]))
    bids, asks = book.depth(5)
    assert bids == [(D("99.5"), D("4")), (D("98"), D("2"))]
    assert asks == [(D("100.5"), D("1")), (D("101"), D("1")), (D("102"), D("2"))]


def test_a_crossed_book_is_a_gap() -> None:
    book = LocalOrderBook("BTCUSDT")
    book.on_snapshot(1, **SNAPSHOT)
    assert not book.on_event(Diff(2, 2, bids=[("105", "1")]))
    assert book.needs_snapshot


def test_futures_first_event_must_straddle_and_then_chain_by_pu() -> None:
    book = LocalOrderBook("BTCUSDT", futures=True)
    book.on_event(Diff(90, 95, previous_final_update_id=89))  # u < lastUpdateId: dropped
    book.on_event(Diff(96, 105, bids=[("99", "8")], previous_final_update_id=95))  # U <= 100 <= u
    book.on_event(Diff(106, 110, asks=[("101", "0")], previous_final_update_id=105))
    assert book.on_snapshot(100, **SNAPSHOT)
    assert book.update_id == 110
    assert book.best_bid() == (D("99"), D("8"))
    assert not book.on_event(Diff(111, 115, previous_final_update_id=109))  # pu != previous u
    assert book.state is BookState.RESYNC


def test_futures_first_event_after_the_snapshot_must_cover_it() -> None:
    book = LocalOrderBook("BTCUSDT", futures=True)
    book.on_snapshot(100, **SNAPSHOT)
    assert not book.on_event(Diff(102, 105, previous_final_update_id=101))  # starts after 100: a gap
    assert book.needs_snapshot
