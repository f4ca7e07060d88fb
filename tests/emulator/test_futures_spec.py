"""Every futures operation has a handler, and every handler answers what its spec's 200 response says.

One exchange per product is prepared with an account that has positions, open orders, an algo
order, trades, funding and a transfer; each operation is then called with reasonable parameters
(building what it needs first, e.g. an order to cancel) and its answer validated with jsonschema
against ``#/paths/<path>/<method>/responses/200/content/application~1json/schema``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from binance_emulator._call import Call
from binance_emulator._clock import EmulatedClock
from binance_emulator._events import EventBus
from binance_emulator.futures import FuturesExchange
from binance_emulator.wallets import Wallets
from tests.conftest import SPECS

START = 1_750_000_000_000
HOUR = 3_600_000


def load(product: str) -> dict[str, Any]:
    with (SPECS / f"{product}.yaml").open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


SPEC = {product: load(product) for product in ("usdm", "coinm")}


def operations(product: str) -> list[tuple[str, str, str]]:
    """``(operationId, path, method)`` of every operation of a spec."""
    found = []
    for path, item in SPEC[product]["paths"].items():
        for method in ("get", "post", "put", "delete"):
            if method in item:
                found.append((item[method]["operationId"], path, method))
    return found


class Env:
    """A prepared exchange and a way to call it as a user."""

    def __init__(self, product: str) -> None:
        self.product = product
        self.clock = EmulatedClock(start_ms=START, frozen=True)
        self.wallets = Wallets()
        self.exchange = FuturesExchange(
            product=product, clock=self.clock, wallets=self.wallets, events=EventBus(), history_minutes=600
        )
        self.handlers = self.exchange.handlers()
        self.now = START
        usdm = product == "usdm"
        self.btc = "BTCUSDT" if usdm else "BTCUSD_PERP"
        self.eth = "ETHUSDT" if usdm else "ETHUSD_PERP"
        self.pair = "BTCUSDT" if usdm else "BTCUSD"
        self.qty = D("0.01") if usdm else D("2")
        self.asset = "USDT" if usdm else "BTC"
        for user in ("alice", "bob", "carol", "dave", "erin"):
            self.exchange.open_account(user, {"USDT": D(100000), "BTC": D(5), "ETH": D(50)})
        self.wallets.wallet("alice", "spot").credit(self.asset, D(10))
        self.wallets.transfer("alice", "MAIN_UMFUTURE" if usdm else "MAIN_CMFUTURE", self.asset, D(1), START)
        self.call("new_order", symbol=self.btc, side="BUY", type="MARKET", quantity=self.qty)
        self.call("new_order", symbol=self.eth, side="SELL", type="MARKET", quantity=self.qty)
        self.rest_order()
        self.call(  # both products (COIN-M since 2026-06-30)
            "new_algo_order", algoType="CONDITIONAL", symbol=self.btc, side="SELL", type="STOP_MARKET",
            quantity=self.qty, triggerPrice=self.price(D("0.9")), workingType="MARK_PRICE",
        )  # fmt: skip
        self.advance(8 * HOUR + 1000)
        self.call("modify_order", symbol=self.btc, orderId=self.rest_order(), side="BUY", quantity=self.qty,
                  price=self.price(D("0.96")))  # fmt: skip

    def advance(self, ms: int) -> None:
        self.now += ms
        self.clock.advance(ms)
        self.exchange.tick(self.now)

    def call(self, operation: str, user: str = "alice", **params: Any) -> Any:
        return self.handlers[operation](Call(operation, params, user, self.now))

    def price(self, factor: D, symbol: str | None = None) -> D:
        symbol = symbol or self.btc
        mark = D(self.call("premium_index", symbol=symbol)["markPrice"] if self.product == "usdm" else
                 self.call("premium_index", symbol=symbol)[0]["markPrice"])  # fmt: skip
        tick = D("0.1") if "BTC" in symbol else D("0.01")
        return (mark * factor / tick).to_integral_value() * tick

    def rest_order(self, user: str = "alice") -> int:
        body = self.call(
            "new_order", user, symbol=self.btc, side="BUY", type="LIMIT", timeInForce="GTC",
            quantity=self.qty, price=self.price(D("0.97")),
        )  # fmt: skip
        return int(body["orderId"])


Builder = Callable[[Env], dict[str, Any]]


def _common(e: Env) -> dict[str, Builder]:
    """Parameters shared by both products."""

    def listen(e: Env) -> dict[str, Any]:
        e.call("start_user_data_stream")
        return {}

    def download(kind: str) -> Builder:
        def build(e: Env) -> dict[str, Any]:
            body = e.call(f"{kind}_download_id", startTime=e.now - 10 * HOUR, endTime=e.now)
            return {"downloadId": body["downloadId"]}

        return build

    def isolated(e: Env) -> dict[str, Any]:
        e.call("change_margin_type", "dave", symbol=e.eth, marginType="ISOLATED")
        e.call("new_order", "dave", symbol=e.eth, side="BUY", type="MARKET", quantity=e.qty)
        return {
            "user": "dave",
            "symbol": e.eth,
            "amount": D("1") if e.product == "usdm" else D("0.01"),
            "type": 1,
        }

    window = {"startTime": e.now - 2 * HOUR, "endTime": e.now}
    return {
        "ping": lambda e: {},
        "server_time": lambda e: {},
        "exchange_info": lambda e: {},
        "order_book": lambda e: {"symbol": e.btc, "limit": 10},
        "recent_trades": lambda e: {"symbol": e.btc, "limit": 5},
        "historical_trades": lambda e: {"symbol": e.btc, "limit": 5},
        "aggregate_trades": lambda e: {"symbol": e.btc, "limit": 5},
        "klines": lambda e: {"symbol": e.btc, "interval": "1m", "limit": 5},
        "continuous_klines": lambda e: {
            "pair": e.pair,
            "contractType": "PERPETUAL",
            "interval": "5m",
            "limit": 5,
        },
        "index_price_klines": lambda e: {"pair": e.pair, "interval": "1h", "limit": 5},
        "mark_price_klines": lambda e: {"symbol": e.btc, "interval": "1m", "limit": 5},
        "premium_index_klines": lambda e: {"symbol": e.btc, "interval": "1m", "limit": 5},
        "premium_index": lambda e: {"symbol": e.btc},
        "funding_rate_history": lambda e: {"symbol": e.btc, "limit": 5},
        "funding_info": lambda e: {},
        "ticker_24hr": lambda e: {"symbol": e.btc},
        "price_ticker": lambda e: {"symbol": e.btc},
        "book_ticker": lambda e: {"symbol": e.btc},
        "open_interest": lambda e: {"symbol": e.btc},
        "top_long_short_position_ratio": lambda e: {
            ("pair" if e.product == "coinm" else "symbol"): e.pair if e.product == "coinm" else e.btc,
            "period": "5m",
            "limit": 3,
        },
        "top_long_short_account_ratio": lambda e: {
            "symbol": e.pair if e.product == "coinm" else e.btc,
            "period": "1h",
            "limit": 3,
        },
        "taker_buy_sell_volume": lambda e: (
            ({"pair": e.pair, "contractType": "PERPETUAL"} if e.product == "coinm" else {"symbol": e.btc})
            | {"period": "5m", "limit": 3}
        ),
        "basis": lambda e: {"pair": e.pair, "contractType": "PERPETUAL", "period": "5m", "limit": 3},
        "index_constituents": lambda e: {"symbol": e.pair if e.product == "coinm" else e.btc},
        "new_order": lambda e: {
            "symbol": e.btc,
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": e.qty,
            "price": e.price(D("0.95")),
            "newOrderRespType": "RESULT",
        },
        "modify_order": lambda e: {
            "symbol": e.btc,
            "orderId": e.rest_order(),
            "side": "BUY",
            "quantity": e.qty,
            "price": e.price(D("0.955")),
        },
        "cancel_order": lambda e: {"symbol": e.btc, "orderId": e.rest_order()},
        "query_order": lambda e: {"symbol": e.btc, "orderId": e.rest_order()},
        "new_batch_orders": lambda e: {
            "batchOrders": [
                {
                    "symbol": e.btc,
                    "side": "BUY",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": str(e.qty),
                    "price": str(e.price(D("0.95"))),
                },
                {
                    "symbol": e.btc,
                    "side": "BUY",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": str(e.qty),
                    "price": "1",
                },
            ]
        },
        "modify_batch_orders": lambda e: {
            "batchOrders": [
                {
                    "symbol": e.btc,
                    "orderId": e.rest_order(),
                    "side": "BUY",
                    "quantity": str(e.qty),
                    "price": str(e.price(D("0.951"))),
                },
                {"symbol": e.btc, "orderId": 1, "side": "BUY", "quantity": str(e.qty), "price": "100"},
            ]
        },
        "cancel_batch_orders": lambda e: {"symbol": e.btc, "orderIdList": [e.rest_order(), 12345]},
        "cancel_all_open_orders": lambda e: {"user": "bob", "symbol": e.btc},
        "countdown_cancel_all": lambda e: {"user": "bob", "symbol": e.btc, "countdownTime": 120000},
        "all_orders": lambda e: {"symbol": e.btc, "limit": 10},
        "open_orders": lambda e: {"symbol": e.btc},
        "query_open_order": lambda e: {"symbol": e.btc, "orderId": e.rest_order()},
        "force_orders": lambda e: {"limit": 5},
        "user_trades": lambda e: {"symbol": e.btc, "limit": 5},
        "change_margin_type": lambda e: {"user": "carol", "symbol": e.btc, "marginType": "ISOLATED"},
        "change_position_mode": lambda e: {"user": "erin", "dualSidePosition": True},
        "position_mode": lambda e: {},
        "change_leverage": lambda e: {"symbol": e.btc, "leverage": 10},
        "adl_quantile": lambda e: {},
        "position_margin_history": lambda e: {"user": "dave", "symbol": e.eth},
        "start_user_data_stream": lambda e: {},
        "keepalive_user_data_stream": listen,
        "close_user_data_stream": listen,
        "commission_rate": lambda e: {"symbol": e.btc},
        "income_history": lambda e: {"limit": 50},
        "income_download_id": lambda e: window,
        "income_download_link": download("income"),
        "order_download_id": lambda e: window,
        "order_download_link": download("order"),
        "trade_download_id": lambda e: window,
        "trade_download_link": download("trade"),
        "_isolated": isolated,
    }


def _usdm(e: Env) -> dict[str, Builder]:
    def algo(e: Env) -> dict[str, Any]:
        body = e.call(
            "new_algo_order", algoType="CONDITIONAL", symbol=e.btc, side="BUY", type="TAKE_PROFIT",
            quantity=e.qty, price=e.price(D("0.9")), triggerPrice=e.price(D("0.9")),
        )  # fmt: skip
        return {"algoId": body["algoId"]}

    def quote(e: Env) -> dict[str, Any]:
        return {
            "quoteId": e.call("convert_quote", fromAsset="USDT", toAsset="BTC", fromAmount=D(100))["quoteId"]
        }

    def accepted(e: Env) -> dict[str, Any]:
        order = e.call("convert_accept_quote", **quote(e))
        return {"orderId": order["orderId"]}

    return {
        "rpi_order_book": lambda e: {"symbol": e.btc, "limit": 1000},
        "price_ticker_v2": lambda e: {},
        "delivery_price": lambda e: {"pair": e.pair},
        "global_long_short_account_ratio": lambda e: {"symbol": e.btc, "period": "15m", "limit": 3},
        "open_interest_history": lambda e: {"symbol": e.btc, "period": "5m", "limit": 3},
        "composite_index_info": lambda e: {},
        "asset_index": lambda e: {},
        "insurance_fund_balance": lambda e: {"symbol": e.btc},
        "adl_risk": lambda e: {},
        "trading_schedule": lambda e: {},
        "order_amendments": lambda e: {
            "symbol": e.btc,
            "orderId": e.call("all_orders", symbol=e.btc)[-1]["orderId"],
        },
        "change_multi_assets_mode": lambda e: {"user": "erin", "multiAssetsMargin": True},
        "multi_assets_mode": lambda e: {},
        "change_position_margin": lambda e: _common(e)["_isolated"](e),
        "position_risk_v2": lambda e: {"symbol": e.btc},
        "position_risk_v3": lambda e: {},
        "test_new_order": lambda e: {"symbol": e.btc, "side": "SELL", "type": "MARKET", "quantity": e.qty},
        "new_algo_order": lambda e: {
            "algoType": "CONDITIONAL",
            "symbol": e.btc,
            "side": "SELL",
            "type": "TRAILING_STOP_MARKET",
            "quantity": e.qty,
            "callbackRate": D("1"),
        },
        "cancel_algo_order": algo,
        "query_algo_order": algo,
        "cancel_all_algo_orders": lambda e: {"user": "bob", "symbol": e.btc},
        "open_algo_orders": lambda e: {},
        "all_algo_orders": lambda e: {"symbol": e.btc},
        "sign_tradfi_perps_contract": lambda e: {},
        "balance_v3": lambda e: {},
        "balance_v2": lambda e: {},
        "account_v3": lambda e: {},
        "account_v2": lambda e: {},
        "account_config": lambda e: {},
        "symbol_config": lambda e: {},
        "order_rate_limits": lambda e: {},
        "leverage_bracket": lambda e: {"symbol": e.btc},
        "trading_status": lambda e: {},
        "change_fee_burn": lambda e: {"feeBurn": True},
        "fee_burn": lambda e: {},
        "convert_pairs": lambda e: {"fromAsset": "BTC"},
        "convert_quote": lambda e: {"fromAsset": "USDT", "toAsset": "BTC", "fromAmount": D(100)},
        "convert_accept_quote": quote,
        "convert_order_status": accepted,
        "portfolio_margin_account": lambda e: {"asset": "USDT"},
        "referral_if_new_user": lambda e: {"brokerId": "ABC123", "type": 1},
        "referral_set_customer_id": lambda e: {"customerId": "c1", "email": "c1@example.com"},
        "referral_customer_ids": lambda e: {},
        "referral_set_user_id": lambda e: {"customerId": "me", "brokerId": "ABC123"},
        "referral_user_id": lambda e: {"brokerId": "ABC123"},
        "referral_overview": lambda e: {"type": 1},
        "referral_trade_volume": lambda e: {"limit": 3},
        "referral_rebate_volume": lambda e: {"limit": 3},
        "referral_trader_summary": lambda e: {},
        "referral_trader_number": lambda e: {"limit": 3},
    }


def _coinm(e: Env) -> dict[str, Builder]:
    def algo(e: Env) -> dict[str, Any]:
        body = e.call(
            "new_algo_order", algoType="CONDITIONAL", symbol=e.btc, side="BUY", type="TAKE_PROFIT",
            quantity=e.qty, price=e.price(D("0.9")), triggerPrice=e.price(D("0.9")),
        )  # fmt: skip
        return {"algoId": body["algoId"]}

    return {
        "open_interest_history": lambda e: {"pair": e.pair, "period": "5m", "limit": 3},
        "top_long_short_account_ratio": lambda e: {
            "pair": e.pair,
            "contractType": "PERPETUAL",
            "period": "1h",
            "limit": 3,
        },
        "new_algo_order": lambda e: {
            "algoType": "CONDITIONAL",
            "symbol": e.btc,
            "side": "SELL",
            "type": "TRAILING_STOP_MARKET",
            "quantity": e.qty,
            "callbackRate": D("1"),
        },
        "cancel_algo_order": algo,
        "query_algo_order": algo,
        "cancel_all_algo_orders": lambda e: {"user": "bob", "symbol": e.btc},
        "open_algo_orders": lambda e: {},
        "all_algo_orders": lambda e: {"symbol": e.btc},
        "global_long_short_account_ratio": lambda e: {"pair": e.pair, "period": "5m", "limit": 3},
        "order_amendments": lambda e: {
            "symbol": e.btc,
            "orderId": e.call("all_orders", symbol=e.btc)[-1]["orderId"],
        },
        "position_risk": lambda e: {"pair": e.pair},
        "change_position_margin": lambda e: _common(e)["_isolated"](e),
        "balance": lambda e: {},
        "account": lambda e: {},
        "leverage_bracket_v2": lambda e: {"symbol": e.btc},
        "leverage_bracket": lambda e: {"pair": e.pair},
        "portfolio_margin_account": lambda e: {"asset": "BTC"},
    }


ENVS: dict[str, Env] = {}


def env(product: str) -> Env:
    if product not in ENVS:
        ENVS[product] = Env(product)
    return ENVS[product]


CASES = [(product, *op) for product in ("usdm", "coinm") for op in operations(product)]


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_every_operation_has_a_handler(product: str) -> None:
    handlers = env(product).handlers
    assert {op for op, _, _ in operations(product)} == set(handlers)


@pytest.mark.parametrize(
    ("product", "operation", "path", "method"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_answer_matches_the_spec(product: str, operation: str, path: str, method: str) -> None:
    e = env(product)
    builders = _common(e) | (_usdm(e) if product == "usdm" else _coinm(e))
    params = dict(builders[operation](e))
    user = params.pop("user", "alice")
    answer = e.call(operation, user, **params)
    pointer = (
        "#/paths/"
        + path.replace("~", "~0").replace("/", "~1")
        + f"/{method}/responses/200/content/application~1json/schema"
    )
    validator = Draft202012Validator({**SPEC[product], "$ref": pointer})
    errors = sorted(validator.iter_errors(answer), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(err.absolute_path)}: {err.message}" for err in errors[:10])
