"""The matching engine: price-time priority, partial fills, time in force, post-only, self-trade prevention."""

from __future__ import annotations

from decimal import Decimal as D

from binance_emulator.engine import OrderBook, RestingOrder, Taker


def book_with(*orders: tuple[int, str, str, str, str]) -> OrderBook:
    """Orders as (id, owner, side, price, quantity)."""
    book = OrderBook("BTCUSDT")
    for order_id, owner, side, price, quantity in orders:
        book.add(RestingOrder(order_id, owner, side, D(price), D(quantity)))  # type: ignore[arg-type]
    return book


def test_best_price_first_then_earliest() -> None:
    book = book_with((1, "a", "SELL", "101", "1"), (2, "b", "SELL", "100", "1"), (3, "c", "SELL", "100", "1"))
    result = book.match(Taker(9, "t", "BUY", D("2.5"), D("101")))
    assert [(f.maker.order_id, f.price, f.quantity) for f in result.fills] == [
        (2, D("100"), D("1")),
        (3, D("100"), D("1")),
        (1, D("101"), D("0.5")),
    ]
    assert result.remaining == 0
    assert book.orders[1].remaining == D("0.5")
    assert book.best_ask() == D("101")


def test_partial_fill_rests_the_rest_at_the_limit() -> None:
    book = book_with((1, "a", "SELL", "100", "1"))
    result = book.match(Taker(9, "t", "BUY", D("3"), D("100.5")))
    assert result.executed == 1
    assert result.rested is not None and result.rested.remaining == 2
    assert book.best_bid() == D("100.5")
    assert book.depth(5) == ([(D("100.5"), D("2"))], [])


def test_limit_does_not_trade_through_its_price() -> None:
    book = book_with((1, "a", "SELL", "101", "1"))
    result = book.match(Taker(9, "t", "BUY", D("1"), D("100")))
    assert result.fills == []
    assert result.rested is not None


def test_ioc_expires_what_it_cannot_fill() -> None:
    book = book_with((1, "a", "SELL", "100", "1"))
    result = book.match(Taker(9, "t", "BUY", D("3"), D("100"), time_in_force="IOC"))
    assert (result.executed, result.remaining, result.expired, result.rested) == (D("1"), D("2"), True, None)
    assert book.best_bid() is None


def test_fok_fills_all_or_nothing() -> None:
    book = book_with((1, "a", "SELL", "100", "1"), (2, "b", "SELL", "101", "1"))
    nothing = book.match(Taker(9, "t", "BUY", D("3"), D("101"), time_in_force="FOK"))
    assert nothing.fills == [] and nothing.expired
    assert book.orders[1].remaining == 1
    everything = book.match(Taker(10, "t", "BUY", D("2"), D("101"), time_in_force="FOK"))
    assert everything.executed == 2 and not everything.expired


def test_post_only_is_rejected_when_it_would_take() -> None:
    book = book_with((1, "a", "SELL", "100", "1"))
    taking = book.match(Taker(9, "t", "BUY", D("1"), D("100"), time_in_force="GTX"))
    assert taking.rejected == "GTX" and taking.fills == []
    making = book.match(Taker(10, "t", "BUY", D("1"), D("99"), time_in_force="GTX"))
    assert making.rested is not None


def test_market_order_by_quote_amount_rounds_to_the_step() -> None:
    book = book_with((1, "a", "SELL", "100", "1"), (2, "b", "SELL", "200", "1"))
    result = book.match(Taker(9, "t", "BUY", None, None, quote_quantity=D("250"), step=D("0.001")))
    assert [(f.price, f.quantity) for f in result.fills] == [(D("100"), D("1")), (D("200"), D("0.75"))]
    assert result.quote == D("250")


def test_market_order_expires_the_unfilled_rest() -> None:
    book = book_with((1, "a", "BUY", "100", "1"))
    result = book.match(Taker(9, "t", "SELL", D("5"), None))
    assert result.executed == 1 and result.remaining == 4 and result.expired
    assert book.best_ask() is None


def test_self_trade_prevention_modes() -> None:
    def run(mode: str) -> tuple[object, OrderBook]:
        book = book_with((1, "me", "SELL", "100", "1"), (2, "other", "SELL", "100", "1"))
        return book.match(Taker(9, "me", "BUY", D("2"), D("100"), stp=mode)), book  # type: ignore[arg-type]

    taker, book = run("EXPIRE_TAKER")
    assert taker.expired_by_stp and taker.fills == []  # type: ignore[attr-defined]
    assert 1 in book.orders and 2 in book.orders
    maker, book = run("EXPIRE_MAKER")
    assert [f.maker.order_id for f in maker.fills] == [2]  # type: ignore[attr-defined]
    assert [m.order_id for m in maker.expired_makers] == [1]  # type: ignore[attr-defined]
    assert 1 not in book.orders
    both, book = run("EXPIRE_BOTH")
    assert both.expired_by_stp and [m.order_id for m in both.expired_makers] == [1]  # type: ignore[attr-defined]
    none, book = run("NONE")
    assert [f.maker.order_id for f in none.fills] == [1, 2]  # type: ignore[attr-defined]


def test_cancel_reduce_and_update_ids() -> None:
    book = book_with((1, "a", "BUY", "99", "1"), (2, "a", "BUY", "99", "2"))
    assert book.drain_changes() == (1, 2, [(D("99"), D("3"))], [])
    assert book.drain_changes() is None
    book.reduce(2, D("0.5"))
    book.remove(1)
    first, final, bids, asks = book.drain_changes()  # type: ignore[misc]
    assert (first, final, bids, asks) == (3, 4, [(D("99"), D("0.5"))], [])
    book.remove(2)
    assert book.drain_changes() == (5, 5, [(D("99"), D("0"))], [])
    assert book.best_bid() is None
