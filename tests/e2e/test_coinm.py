"""COIN-M futures end to end: the ``CoinM`` client against the emulator's ``/coinm`` base URL.

Inverse contracts: one BTCUSD_PERP contract is 100 USD, PnL is in BTC,
``qty * contractSize * (1/entry - 1/exit)`` for a long, and the entry price of a position built at
several prices is their harmonic mean. Fees are 0.05% (taker) of the fill's value in BTC. Leverage and
margin type follow Binance's rules; funding is paid in the coin.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN
from decimal import Decimal as D

import pytest

from binance_openapi import AlgoOrderRequiredError, BadRequestError, CoinM
from tests.e2e.conftest import Venue, serve_venue

SYMBOL = "BTCUSD_PERP"
CONTRACT = D(100)
Q8 = D("0.00000001")


def q8(value: D) -> D:
    return value.quantize(Q8, ROUND_HALF_EVEN)


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        yield venue


@pytest.fixture(scope="module")
def maker(venue: Venue) -> Iterator[CoinM]:
    key = venue.user("coinm-maker", coinm={"BTC": "100"})
    with venue.client(CoinM, key) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean_book(maker: CoinM) -> Iterator[None]:
    yield
    assert maker.open_orders(symbol=SYMBOL) == [], "a test left one of the maker's orders on the book"


def client_of(venue: Venue, name: str, btc: str = "1") -> CoinM:
    return venue.client(CoinM, venue.user(name, coinm={"BTC": btc}))


def rest(maker: CoinM, side: str, quantity: str, price: str) -> None:
    placed = maker.new_order(
        symbol=SYMBOL,
        side=side,  # type: ignore[arg-type]
        type="LIMIT",
        time_in_force="GTC",
        quantity=D(quantity),
        price=D(price),
    )
    assert placed.status == "NEW"


def take(client: CoinM, side: str, quantity: str, **extra: object) -> None:
    order = client.new_order(
        symbol=SYMBOL,
        side=side,  # type: ignore[arg-type]
        type="MARKET",
        quantity=D(quantity),
        new_order_resp_type="RESULT",
        **extra,  # type: ignore[arg-type]
    )
    assert (order.status, order.executed_qty) == ("FILLED", D(quantity))


def position(client: CoinM) -> tuple[D, D, D]:
    row = next(p for p in client.position_risk(pair="BTCUSD") if p.symbol == SYMBOL)
    return row.position_amt, row.entry_price, row.un_realized_profit


def wallet(client: CoinM) -> D:
    return next(b.balance for b in client.balance() if b.asset == "BTC")


def test_inverse_position_open_increase_reduce_close(venue: Venue, maker: CoinM) -> None:
    with client_of(venue, "coinm-inverse") as trader:
        venue.set_price("coinm", SYMBOL, "50000")
        rest(maker, "SELL", "10", "50000")
        take(trader, "BUY", "10")  # 10 contracts = 1000 USD = 0.02 BTC at 50000
        venue.set_price("coinm", SYMBOL, "40000")
        rest(maker, "SELL", "10", "40000")
        take(trader, "BUY", "10")
        amount, entry, _ = position(trader)
        # entry = 20 / (10 / 50000 + 10 / 40000): the harmonic mean of the fill prices
        hand_entry = D(20) / (D(10) / 50000 + D(10) / 40000)
        assert (amount, entry) == (D(20), q8(hand_entry))

        venue.set_price("coinm", SYMBOL, "50000")
        unrealized = D(20) * CONTRACT * (1 / hand_entry - D(1) / 50000)  # 0.005 BTC
        assert position(trader)[2] == q8(unrealized) == D("0.005")

        rest(maker, "BUY", "10", "50000")
        take(trader, "SELL", "10")
        assert position(trader) == (D(10), q8(hand_entry), D("0.0025"))

        rest(maker, "BUY", "10", "52000")
        take(trader, "SELL", "10", reduce_only=True)
        assert position(trader)[0] == D(0)

        realized = [r.income for r in trader.income_history(symbol=SYMBOL, income_type="REALIZED_PNL")]
        hand_realized = [
            D(10) * CONTRACT * (1 / hand_entry - D(1) / exit_price) for exit_price in (50000, 52000)
        ]
        assert realized == [q8(value) for value in hand_realized] == [D("0.0025"), D("0.00326923")]

        trades = trader.user_trades(symbol=SYMBOL)
        assert [(t.price, t.qty, t.base_qty) for t in trades] == [
            (D("50000"), D(10), D("0.02")),
            (D("40000"), D(10), D("0.025")),
            (D("50000"), D(10), D("0.02")),
            (D("52000"), D(10), q8(D(1000) / 52000)),
        ]
        assert {t.commission_asset for t in trades} == {"BTC"}
        fees = [t.commission for t in trades]
        assert fees == [q8(D(1000) / price * D("0.0005")) for price in (50000, 40000, 50000, 52000)]
        assert wallet(trader) == D(1) + sum(realized) - sum(fees)


def test_leverage_and_margin_type_rules(venue: Venue, maker: CoinM) -> None:
    with client_of(venue, "coinm-leverage") as trader:
        venue.set_price("coinm", SYMBOL, "50000")
        assert trader.change_leverage(symbol=SYMBOL, leverage=5).leverage == 5
        assert trader.change_margin_type(symbol=SYMBOL, margin_type="ISOLATED").code == 200
        rest(maker, "SELL", "10", "50000")
        take(trader, "BUY", "10")
        with pytest.raises(BadRequestError) as refused:
            trader.change_margin_type(symbol=SYMBOL, margin_type="CROSSED")
        assert (refused.value.status, refused.value.code) == (400, -4048)
        row = next(p for p in trader.position_risk(pair="BTCUSD") if p.symbol == SYMBOL)
        # isolated margin: 0.02 BTC of notional at 5x (no unrealized PnL at the entry price)
        assert (row.margin_type, row.leverage, row.isolated_margin) == ("isolated", "5", D("0.004"))
        rest(maker, "BUY", "10", "50000")
        take(trader, "SELL", "10", reduce_only=True)
        assert trader.change_margin_type(symbol=SYMBOL, margin_type="CROSSED").code == 200


def test_inverse_funding_paid_in_the_coin(venue: Venue, maker: CoinM) -> None:
    with client_of(venue, "coinm-funding") as trader:
        venue.set_price("coinm", SYMBOL, "50000")
        rest(maker, "BUY", "100", "50000")
        take(trader, "SELL", "100")
        premium = trader.premium_index(symbol=SYMBOL)[0]
        assert premium.last_funding_rate == D("0.0001")
        before = wallet(trader)

        venue.advance(premium.next_funding_time - venue.now() + 1000)

        funding = trader.income_history(symbol=SYMBOL, income_type="FUNDING_FEE")
        # the short receives 100 * 100 / 50000 * 0.0001 BTC
        assert [(f.income, f.asset, f.time) for f in funding] == [
            (D("0.00002"), "BTC", premium.next_funding_time)
        ]
        assert wallet(trader) == before + D("0.00002")
        rest(maker, "SELL", "100", "50000")
        take(trader, "BUY", "100", reduce_only=True)


def test_order_answers_without_average_price_and_conditional_types_refused(
    venue: Venue, maker: CoinM
) -> None:
    """Since 2026-06-30: place/cancel answers carry no avgPrice/cumBase; conditional types answer -4120."""
    with client_of(venue, "coinm-answers") as trader:
        venue.set_price("coinm", SYMBOL, "50000")
        placed = trader.new_order(
            symbol=SYMBOL, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D(3), price=D("49000")
        )
        assert (placed.status, placed.orig_qty, placed.pair, placed.cum_qty) == ("NEW", D(3), "BTCUSD", D(0))
        assert "avgPrice" not in placed.to_dict() and "cumBase" not in placed.to_dict()
        queried = trader.query_order(symbol=SYMBOL, order_id=placed.order_id)
        assert (queried.avg_price, queried.cum_base) == (D(0), D(0))
        canceled = trader.cancel_order(symbol=SYMBOL, order_id=placed.order_id)
        assert canceled.status == "CANCELED"
        with pytest.raises(AlgoOrderRequiredError) as refused:
            trader.new_order(
                symbol=SYMBOL, side="SELL", type="STOP_MARKET", stop_price=D("45000"), quantity=D(1)
            )
        assert (refused.value.status, refused.value.code) == (400, -4120)
        assert "Algo Order API" in refused.value.message
        assert trader.open_orders(symbol=SYMBOL) == []


def test_algo_stop_triggered_by_the_mark_price_and_another_canceled(venue: Venue, maker: CoinM) -> None:
    with client_of(venue, "coinm-algo") as trader:
        venue.set_price("coinm", SYMBOL, "50000")
        rest(maker, "SELL", "10", "50000")
        take(trader, "BUY", "10")
        stop = trader.new_algo_order(
            algo_type="CONDITIONAL",
            symbol=SYMBOL,
            side="SELL",
            type="STOP_MARKET",
            trigger_price=D("48000"),
            close_position=True,
            working_type="MARK_PRICE",
            client_algo_id="coinm-stop-1",
        )
        profit = trader.new_algo_order(
            algo_type="CONDITIONAL",
            symbol=SYMBOL,
            side="SELL",
            type="TAKE_PROFIT_MARKET",
            trigger_price=D("55000"),
            quantity=D(10),
            reduce_only=True,
            working_type="MARK_PRICE",
        )
        assert (stop.algo_status, stop.client_algo_id, stop.trigger_price) == (
            "NEW",
            "coinm-stop-1",
            D(48000),
        )
        waiting = trader.open_algo_orders(symbol=SYMBOL)
        assert sorted(a.algo_id for a in waiting) == sorted([stop.algo_id, profit.algo_id])

        canceled = trader.cancel_algo_order(algo_id=profit.algo_id)
        assert (canceled.algo_id, canceled.code, canceled.msg) == (profit.algo_id, "200", "success")
        assert trader.query_algo_order(algo_id=profit.algo_id).algo_status == "CANCELED"

        rest(maker, "BUY", "10", "47900")
        venue.set_price("coinm", SYMBOL, "48500")
        venue.tick()
        assert trader.query_algo_order(client_algo_id="coinm-stop-1").algo_status == "NEW"
        venue.set_price("coinm", SYMBOL, "47950")  # the mark falls through 48000: the stop fires
        venue.tick()
        done = trader.query_algo_order(algo_id=stop.algo_id)
        assert (done.algo_status, done.trigger_time > 0) == ("FINISHED", True)
        actual = trader.query_order(symbol=SYMBOL, order_id=int(str(done.actual_order_id)))
        assert (actual.type_, actual.orig_type, actual.status, actual.executed_qty, actual.avg_price) == (
            "MARKET",
            "STOP_MARKET",
            "FILLED",
            D(10),
            D(47900),
        )
        assert actual.cum_base == q8(D(10) * CONTRACT / 47900)
        assert position(trader)[0] == D(0)
        assert trader.open_algo_orders(symbol=SYMBOL) == []
        history = trader.all_algo_orders(symbol=SYMBOL)
        assert [(a.algo_id, a.algo_status) for a in history] == [
            (stop.algo_id, "FINISHED"),
            (profit.algo_id, "CANCELED"),
        ]


@pytest.mark.parametrize("fault", ["drop_after", "drop_before", "status_unknown"])
def test_a_lost_algo_order_answer_is_reconciled_by_client_algo_id(venue: Venue, fault: str) -> None:
    """new_algo_order gets the overlay's never-twice treatment: a lost answer is looked up by clientAlgoId."""
    with client_of(venue, f"coinm-algo-{fault}") as trader:
        trader.policy.backoff_s = 0.01
        venue.set_price("coinm", SYMBOL, "50000")
        trader.exchange_rules()
        trader.open_algo_orders(symbol=SYMBOL)
        venue.emulator.set_faults({fault: 1})
        try:
            placed = trader.new_algo_order(
                algo_type="CONDITIONAL",
                symbol=SYMBOL,
                side="BUY",
                type="STOP_MARKET",
                trigger_price=D("55000"),
                quantity=D(2),
                client_algo_id=f"lost-{fault}",
            )
        finally:
            venue.emulator.set_faults({fault: 0})
        assert (placed.client_algo_id, placed.algo_status) == (f"lost-{fault}", "NEW")
        assert [(a.algo_id, a.client_algo_id) for a in trader.all_algo_orders(symbol=SYMBOL)] == [
            (placed.algo_id, f"lost-{fault}")
        ]
        trader.cancel_all_algo_orders(symbol=SYMBOL)
