"""Peripheral handlers: user data stream keys, history downloads, convert, Portfolio Margin figures,
broker referral (apiReferral) and the TradFi agreement.

The listenKey endpoints are complete. The others are simple but state-consistent: a download id
can be polled and turns ``completed`` after a few seconds; a convert quote uses index prices and,
once accepted, moves the assets in the futures wallet; referral ids are remembered.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError

from ._num import ZERO, text, text8
from .api_common import code_message, limit
from .core import FuturesCore, Handler

DOWNLOAD_READY_MS = 5_000
DOWNLOAD_VALID_MS = 24 * 3600 * 1000
CONVERT_ASSETS = ("USDT", "USDC", "BTC", "ETH", "BNB")
DAY_MS = 24 * 3600 * 1000


class Peripheral:
    """Listen keys, downloads, convert, Portfolio Margin, referral."""

    def __init__(self, core: FuturesCore) -> None:
        self.core = core
        self.state = core.state
        self.downloads: dict[str, tuple[str, str, int]] = {}  # id -> (user, kind, created)
        self.quotes: dict[str, dict[str, Any]] = {}
        self.converts: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, str] = {}  # customerId -> email (partner side)
        self.user_ids: dict[tuple[str, str], str] = {}  # (user, brokerId) -> customerId
        self._serial = 545_923_594_199_212_032

    def handlers(self) -> dict[str, Handler]:
        found: dict[str, Handler] = {
            "start_user_data_stream": self.start_stream,
            "keepalive_user_data_stream": self.keepalive_stream,
            "close_user_data_stream": self.close_stream,
        }
        for kind in ("income", "order", "trade"):
            found[f"{kind}_download_id"] = self._download_id(kind)
            found[f"{kind}_download_link"] = self.download_link
        if self.core.usdm:
            found.update(
                {
                    "portfolio_margin_account": self.portfolio_margin,
                    "sign_tradfi_perps_contract": self.sign_tradfi,
                    "convert_pairs": self.convert_pairs,
                    "convert_quote": self.convert_quote,
                    "convert_accept_quote": self.convert_accept,
                    "convert_order_status": self.convert_status,
                    "referral_if_new_user": lambda call: {
                        "brokerId": str(call.require("brokerId")),
                        "rebateWorking": False,
                        "ifNewUser": True,
                    },
                    "referral_set_customer_id": self.set_customer_id,
                    "referral_customer_ids": self.customer_ids,
                    "referral_set_user_id": self.set_user_id,
                    "referral_user_id": self.user_id,
                    "referral_overview": self.referral_overview,
                    "referral_trade_volume": self._daily("tradeVol"),
                    "referral_rebate_volume": self._daily("rebateVol"),
                    "referral_trader_summary": self.trader_summary,
                    "referral_trader_number": self.trader_number,
                }
            )
        else:
            found["portfolio_margin_account"] = self.portfolio_margin
        return found

    def _next_id(self) -> str:
        self._serial += 1
        return str(self._serial)

    # -- user data stream -------------------------------------------------------------------------

    def start_stream(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        return {"listenKey": self.core.listen_keys.create(account.user, call.now)}

    def keepalive_stream(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        key = self.core.listen_keys.keepalive(account.user, call.now)
        return {"listenKey": key} if self.core.usdm else {}

    def close_stream(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        self.core.listen_keys.close(account.user)
        return {}

    # -- downloads --------------------------------------------------------------------------------

    def _download_id(self, kind: str) -> Handler:
        def handler(call: Call) -> dict[str, Any]:
            account = self.state.account(call.account)
            start, end = int(call.require("startTime")), int(call.require("endTime"))
            if start > end:
                raise ExchangeError(-1023, "Start time is greater than end time.")
            if end - start > 365 * DAY_MS:
                raise ExchangeError(-4165, "Invalid time interval")
            download = self._next_id()
            self.downloads[download] = (account.user, kind, call.now)
            return {"avgCostTimestampOfLast30d": 7241837, "downloadId": download}

        return handler

    def download_link(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        download = str(call.require("downloadId"))
        found = self.downloads.get(download)
        if found is None or found[0] != account.user:
            raise ExchangeError(-1130, "Data sent for parameter 'downloadId' is not valid.")
        _, kind, created = found
        if call.now < created + DOWNLOAD_READY_MS:
            return {"downloadId": download, "status": "processing", "url": "", "notified": False,
                    "expirationTimestamp": -1, "isExpired": None}  # fmt: skip
        expires = created + DOWNLOAD_READY_MS + DOWNLOAD_VALID_MS
        return {
            "downloadId": download,
            "status": "completed",
            "url": f"https://emulator.invalid/{self.state.product}/{kind}/{download}.csv",
            "notified": True,
            "expirationTimestamp": expires,
            "isExpired": call.now > expires,
        }

    # -- portfolio margin and TradFi --------------------------------------------------------------

    def _usd_price(self, asset: str) -> Decimal:
        if asset in ("USDT", "USDC", "USD", "BUSD", "FDUSD"):
            return Decimal(1)
        for pair in (f"{asset}USDT", f"{asset}USD"):
            if pair in self.state.pricing.index:
                return self.state.pricing.index[pair]
        return Decimal(600) if asset == "BNB" else ZERO

    def portfolio_margin(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        asset = str(call.require("asset"))
        amount = self.core.margin.asset(account, asset).max_withdraw
        return {
            "maxWithdrawAmountUSD": text8(amount * self._usd_price(asset)),
            "asset": asset,
            "maxWithdrawAmount": text8(amount),
        }

    def sign_tradfi(self, call: Call) -> dict[str, Any]:
        self.state.account(call.account).tradfi_signed = True
        return code_message()

    # -- convert ----------------------------------------------------------------------------------

    def convert_pairs(self, call: Call) -> list[dict[str, Any]]:
        source, target = call.get("fromAsset"), call.get("toAsset")
        rows = []
        for a in CONVERT_ASSETS:
            for b in CONVERT_ASSETS:
                if a == b or (source is not None and a != source) or (target is not None and b != target):
                    continue
                price_a, price_b = self._usd_price(a), self._usd_price(b)
                rows.append(
                    {
                        "fromAsset": a,
                        "toAsset": b,
                        "fromAssetMinAmount": text8(Decimal(10) / price_a),
                        "fromAssetMaxAmount": text8(Decimal(1_000_000) / price_a),
                        "toAssetMinAmount": text8(Decimal(10) / price_b),
                        "toAssetMaxAmount": text8(Decimal(1_000_000) / price_b),
                    }
                )
        return rows

    def convert_quote(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        source, target = str(call.require("fromAsset")), str(call.require("toAsset"))
        if source == target or source not in CONVERT_ASSETS or target not in CONVERT_ASSETS:
            raise ExchangeError(-1130, "Data sent for parameter 'fromAsset' is not valid.")
        ratio = self._usd_price(source) / self._usd_price(target)
        if call.get("fromAmount") is not None:
            from_amount = Decimal(call.get("fromAmount"))
            to_amount = (from_amount * ratio).quantize(Decimal("0.00000001"), ROUND_DOWN)
        else:
            to_amount = Decimal(call.require("toAmount"))
            from_amount = (to_amount / ratio).quantize(Decimal("0.00000001"))
        body: dict[str, Any] = {
            "ratio": text8(ratio),
            "inverseRatio": text8(1 / ratio),
            "validTimestamp": call.now + 10_000,
            "toAmount": text8(to_amount),
            "fromAmount": text8(from_amount),
        }
        if self.state.balance(account.user, source) >= from_amount:
            quote = self._next_id()
            body = {"quoteId": quote, **body}
            self.quotes[quote] = {
                "user": account.user,
                "from": source,
                "to": target,
                "fromAmount": from_amount,
                "toAmount": to_amount,
                "ratio": ratio,
                "valid": call.now + 10_000,
            }
        return body

    def convert_accept(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        quote = self.quotes.pop(str(call.require("quoteId")), None)
        if quote is None or quote["user"] != account.user or call.now > quote["valid"]:
            raise ExchangeError(-1130, "Data sent for parameter 'quoteId' is not valid.")
        if self.state.balance(account.user, quote["from"]) < quote["fromAmount"]:
            raise ExchangeError(-2019, "Margin is insufficient.")
        self.state.change_balance(account.user, quote["from"], -quote["fromAmount"])
        self.state.change_balance(account.user, quote["to"], quote["toAmount"])
        order = self._next_id()
        self.converts[order] = {**quote, "orderId": order, "created": call.now}
        return {"orderId": order, "createTime": call.now, "orderStatus": "PROCESS"}

    def convert_status(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        wanted_order, wanted_quote = call.get("orderId"), call.get("quoteId")
        for order, record in self.converts.items():
            if record["user"] == account.user and (order == wanted_order or wanted_quote is not None):
                return {
                    "orderId": int(order),
                    "orderStatus": "SUCCESS",
                    "fromAsset": record["from"],
                    "fromAmount": text8(record["fromAmount"]),
                    "toAsset": record["to"],
                    "toAmount": text8(record["toAmount"]),
                    "ratio": text8(record["ratio"]),
                    "inverseRatio": text8(1 / record["ratio"]),
                    "createTime": record["created"],
                }
        raise ExchangeError(-2013, "Order does not exist.")

    # -- referral ---------------------------------------------------------------------------------

    def set_customer_id(self, call: Call) -> dict[str, Any]:
        self.state.account(call.account)
        customer, email = str(call.require("customerId")), str(call.require("email"))
        if customer in self.customers and self.customers[customer] != email:
            raise ExchangeError(-1130, "Data sent for parameter 'customerId' is not valid.")
        self.customers[customer] = email
        return {"customerId": customer, "email": email}

    def customer_ids(self, call: Call) -> list[dict[str, Any]]:
        self.state.account(call.account)
        customer, email = call.get("customerId"), call.get("email")
        rows = [
            {"customerId": c, "email": e}
            for c, e in self.customers.items()
            if (customer is None or c == customer) and (email is None or e == email)
        ]
        count = limit(call, 100, 1000)
        page = max(int(call.get("page") or 1), 1)
        return rows[(page - 1) * count : page * count]

    def set_user_id(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        customer, broker = str(call.require("customerId")), str(call.require("brokerId"))
        self.user_ids[(account.user, broker)] = customer
        return {"brokerId": broker, "customerId": customer}

    def user_id(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        broker = str(call.require("brokerId"))
        return {"brokerId": broker, "customerId": self.user_ids.get((account.user, broker), "")}

    def referral_overview(self, call: Call) -> dict[str, Any]:
        self.state.account(call.account)
        return {
            "brokerId": "EMULATOR",
            "newTraderRebateCommission": "0.30000000",
            "oldTraderRebateCommission": "0.20000000",
            "totalTradeUser": len(self.customers),
            "unit": "USDT" if int(call.get("type") or 1) == 1 else "BTC",
            "totalTradeVol": "0.00000000",
            "totalRebateVol": "0.00000000",
            "time": call.now - call.now % DAY_MS,
        }

    def _days(self, call: Call) -> list[int]:
        end = int(call.get("endTime") or call.now)
        start = int(call.get("startTime") or end - 7 * DAY_MS)
        days = list(range(start - start % DAY_MS, end + 1, DAY_MS))
        return days[-limit(call, 500, 1000) :]

    def _daily(self, field: str) -> Handler:
        def handler(call: Call) -> list[dict[str, Any]]:
            self.state.account(call.account)
            unit = "USDT" if int(call.get("type") or 1) == 1 else "BTC"
            return [
                {"unit": unit, field: text(Decimal("0.00000000")), "time": day} for day in self._days(call)
            ]

        return handler

    def trader_summary(self, call: Call) -> list[dict[str, Any]]:
        self.state.account(call.account)
        wanted = call.get("customerId")
        unit = "USDT" if int(call.get("type") or 1) == 1 else "BTC"
        day = call.now - call.now % DAY_MS
        return [
            {"customerId": c, "unit": unit, "tradeVol": "0.00000000", "rebateVol": "0.00000000", "time": day}
            for c in self.customers
            if wanted is None or c == wanted
        ]

    def trader_number(self, call: Call) -> list[dict[str, Any]]:
        self.state.account(call.account)
        return [
            {"newTrader": "0", "oldTrader": str(len(self.customers)), "time": day} for day in self._days(call)
        ]


__all__ = ["Peripheral"]
