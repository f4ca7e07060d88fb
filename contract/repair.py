"""Making positive cases ones the exchange can accept: live symbols, valid prices, the requires rules.

A positive case is a request the spec allows. Binance accepts fewer: the symbol must be listed, a price
must sit on the tick and within the filters, a quantity on the lot step and above the minimum notional,
and the operation's ``x-binance-requires`` rules (parameters that go together) must hold. Those are facts
about the exchange's state or rules JSON Schema cannot state for query parameters, so ``repair`` applies
them to positive cases only; negative cases go out exactly as generated.

Generated values are not thrown away: each replacement is derived from the value it replaces (a symbol
is picked by the hash of the generated string, a price is scaled by a factor taken from the generated
number), so different generated cases stay different requests.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, MutableMapping
from decimal import ROUND_UP, Decimal
from typing import Any

from .market import Market, pick

SYMBOL = ("symbol", "fromSymbol", "toSymbol")
PAIRS = ("pair",)
ASSETS = ("asset", "marginAsset", "fromAsset", "toAsset")
SYMBOL_LISTS = ("symbols",)
QUOTE_QUANTITIES = ("quoteOrderQty",)
AMOUNTS = ("amount", "fromAmount", "toAmount")
DAY_MS = 24 * 60 * 60 * 1000
# Order types that rest on the book without trading: the only ones sent to a real testnet.
RESTING = {"LIMIT", "LIMIT_MAKER"}
# Parameters that let the exchange price an order from the book (spot pegged orders, futures priceMatch).
PRICED_BY_THE_BOOK = ("priceMatch", "pegPriceType", "pegOffsetType", "pegOffsetValue")


def _is_price(name: str) -> bool:
    return name == "price" or (name.endswith("Price") and name != "priceProtect")


def _is_quantity(name: str) -> bool:
    if name in QUOTE_QUANTITIES:
        return False
    return name in ("quantity", "newQty") or name.endswith(("Quantity", "Qty"))


def _fraction(value: Any) -> Decimal:
    """A number in [0, 1) derived from a generated value."""
    return Decimal(zlib.crc32(repr(value).encode()) % 1000) / 1000


def resolve(raw_schema: Mapping[str, Any], item: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local ``$ref`` (``#/components/...``)."""
    while "$ref" in item:
        target: Any = raw_schema
        for part in str(item["$ref"]).lstrip("#/").split("/"):
            target = target[part]
        item = target
    return item


def parameters(raw_schema: Mapping[str, Any], operation: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """An operation's query parameters by name, each with its resolved schema under ``schema``."""
    found: dict[str, Mapping[str, Any]] = {}
    for item in operation.get("parameters") or []:
        param = dict(resolve(raw_schema, item))
        if "schema" in param:
            param["schema"] = resolve(raw_schema, param["schema"])
        else:
            content = param.get("content", {}).get("application/json", {})
            param["schema"] = resolve(raw_schema, content.get("schema", {}))
            param["json"] = True
        found[str(param["name"])] = param
    return found


class Repair:
    """Rewrites the query of positive cases for one product's ``Market``.

    ``resting_only`` keeps orders off the tape: order types become ``LIMIT`` priced away from the
    market (what a real testnet run sends, together with cancel-after).
    """

    def __init__(self, market: Market, *, resting_only: bool = False) -> None:
        self.market = market
        self.resting_only = resting_only

    def __call__(
        self, raw_schema: Mapping[str, Any], operation: Mapping[str, Any], query: MutableMapping[str, Any]
    ) -> None:
        params = parameters(raw_schema, operation)
        self._listed_values(params, query)
        requires = operation.get("x-binance-requires") or ()
        for _ in range(3):  # a filled-in parameter can switch another rule on
            self._requires(params, requires, query)
        if self._places_orders(operation, params):
            self._order_values(params, query)
        self._time_range(query)
        if "symbolStatus" in query and ("symbol" in query or "symbols" in query):
            # The listed symbols are all TRADING; another status is an error for a named symbol (-1220).
            query["symbolStatus"] = "TRADING"

    # -- symbols and assets -------------------------------------------------------------------------

    def _listed_values(
        self, params: Mapping[str, Mapping[str, Any]], query: MutableMapping[str, Any]
    ) -> None:
        market = self.market
        for name in list(query):
            if name not in params:
                continue
            value = query[name]
            if name in SYMBOL:
                query[name] = pick(market.symbols, value)
            elif name in PAIRS:
                pair = self._pair_of(query.get("symbol"))
                query[name] = pair or pick(market.pairs, value)
            elif name in ASSETS:
                query[name] = pick(market.assets, value)
            elif name in SYMBOL_LISTS:
                count = max(1, min(len(_json_list(value)), len(market.symbols), 5))
                chosen = sorted({pick(market.symbols, (value, index)) for index in range(count)})
                query[name] = json.dumps(chosen, separators=(",", ":"))
            elif name in AMOUNTS:
                query[name] = format(Decimal(1) + _fraction(value), "f")

    def _pair_of(self, symbol: Any) -> str | None:
        entry = self.market.info.get(str(symbol)) if symbol is not None else None
        return str(entry["pair"]) if entry and entry.get("pair") else None

    # -- x-binance-requires -------------------------------------------------------------------------

    def _requires(
        self,
        params: Mapping[str, Mapping[str, Any]],
        rules: Any,
        query: MutableMapping[str, Any],
    ) -> None:
        for rule in rules:
            if not _matches(rule.get("when"), query):
                continue
            for name in rule.get("require") or ():
                if name not in query and name in params:
                    query[name] = self._value_for(name, params[name], query)
            for key in ("oneOf", "anyOf"):
                names = [name for name in rule.get(key) or () if name in params]
                present = [name for name in names if name in query]
                if names and not present:
                    query[names[0]] = self._value_for(names[0], params[names[0]], query)
                elif key == "oneOf":
                    for extra in present[1:]:
                        del query[extra]
            present = [name for name in rule.get("exclusive") or () if name in query]
            for extra in present[1:]:
                del query[extra]
            for name in rule.get("forbid") or ():
                query.pop(name, None)
            together = [name for name in rule.get("together") or () if name in params]
            if any(name in query for name in together):
                for name in together:
                    if name not in query:
                        query[name] = self._value_for(name, params[name], query)

    def _value_for(self, name: str, param: Mapping[str, Any], query: Mapping[str, Any]) -> Any:
        """A valid value for a parameter the rules say must be sent."""
        schema = param["schema"]
        symbol = query.get("symbol")
        if _is_price(name) and symbol in self.market.info:
            return self._price(str(symbol), name, query)
        if _is_quantity(name) and symbol in self.market.info:
            return self._quantity(str(symbol), name, query)
        if name in QUOTE_QUANTITIES and symbol in self.market.info:
            return self._quote_quantity(str(symbol))
        if name in SYMBOL:
            return self.market.symbols[0]
        if name in PAIRS:
            return self._pair_of(symbol) or self.market.pairs[0]
        if name == "timeInForce":
            return "GTC"
        if name in ("callbackRate", "priceRate"):
            return "1"
        if name == "trailingDelta":
            return 100
        if param.get("json") and schema.get("type") == "array":
            item = self._plain_value(name, schema.get("items") or {})
            return json.dumps([item], separators=(",", ":"))
        return self._plain_value(name, schema)

    @staticmethod
    def _plain_value(name: str, schema: Mapping[str, Any]) -> Any:
        """A value of a schema with no exchange meaning: its first enum value, its minimum, an id."""
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "integer":
            return max(int(schema.get("minimum", 1)), 1)
        if kind == "boolean":
            return "true"
        if schema.get("format") == "decimal":
            return "1"
        return f"contract{zlib.crc32(name.encode()) % 10_000}"

    # -- orders -------------------------------------------------------------------------------------

    @staticmethod
    def _places_orders(operation: Mapping[str, Any], params: Mapping[str, Mapping[str, Any]]) -> bool:
        weight = operation.get("x-binance-weight") or {}
        return bool(weight.get("orders")) or ("side" in params and "quantity" in params)

    def _order_values(self, params: Mapping[str, Mapping[str, Any]], query: MutableMapping[str, Any]) -> None:
        symbol = query.get("symbol")
        if symbol not in self.market.info:
            return
        if self.resting_only:  # an order priced by the book (pegged, matched) could trade
            for name in PRICED_BY_THE_BOOK:
                query.pop(name, None)
        if self.resting_only and "type" in query:
            query["type"] = "LIMIT"
            query.setdefault("timeInForce", "GTC")
            for name in (
                "stopPrice", "trailingDelta", "activationPrice", "callbackRate", "priceMatch",
                "closePosition", "quoteOrderQty", "workingType", "priceProtect",
            ):  # fmt: skip
                query.pop(name, None)
            for name in ("price", "quantity"):  # a LIMIT order has both (a stop may have had neither)
                if name not in query and name in params:
                    query[name] = "0"
        for name in list(query):
            if name not in params:
                continue
            if _is_price(name):
                query[name] = self._price(str(symbol), name, query)
            elif _is_quantity(name):
                query[name] = self._quantity(str(symbol), name, query)
            elif name in QUOTE_QUANTITIES:
                query[name] = self._quote_quantity(str(symbol))

    def _price(self, symbol: str, name: str, query: Mapping[str, Any]) -> str:
        rules = self.market.symbol_rules(symbol)
        reference = self.market.prices[symbol]
        if self.resting_only:
            # Far enough from the market not to trade, within PERCENT_PRICE's usual 0.2..5 band.
            factor = Decimal("0.8") if query.get("side") != "SELL" else Decimal("1.2")
        else:
            factor = Decimal("0.97") + _fraction(query.get(name)) * Decimal("0.06")
        price = rules.round_price(reference * factor)
        filt = rules.price_filter
        if filt is not None and filt.min_price and price < filt.min_price:
            price = filt.min_price
        return format(price, "f")

    def _quantity(self, symbol: str, name: str, query: Mapping[str, Any]) -> str:
        rules = self.market.symbol_rules(symbol)
        lot = rules.lot_size
        step = lot.step_size if lot and lot.step_size else Decimal(1)
        minimum = lot.min_qty if lot and lot.min_qty else step
        notional = rules.notional
        price = self.market.prices[symbol]
        if notional is not None and notional.min_notional and self.market.product != "coinm":
            needed = (notional.min_notional * Decimal("1.2") / (price * Decimal("0.8"))).quantize(
                step, rounding=ROUND_UP
            )
            minimum = max(minimum, needed)
        scale = 1 + int(_fraction(query.get(name)) * 3)
        if name.lower().startswith("iceberg") or name.endswith("IcebergQty"):
            scale = 1
        quantity = rules.round_quantity(minimum * scale, "up")
        return format(quantity, "f")

    def _quote_quantity(self, symbol: str) -> str:
        notional = self.market.symbol_rules(symbol).notional
        minimum = notional.min_notional if notional and notional.min_notional else Decimal(10)
        return format((minimum * 2).normalize(), "f")

    # -- time ranges --------------------------------------------------------------------------------

    @staticmethod
    def _time_range(query: MutableMapping[str, Any]) -> None:
        """A range that starts before it ends and spans at most a day (no endpoint allows less)."""
        start, end = _integer(query.get("startTime")), _integer(query.get("endTime"))
        if start is None or end is None:
            return
        start, end = min(start, end), max(start, end)
        query["startTime"], query["endTime"] = max(start, end - DAY_MS), end


def _integer(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _json_list(value: Any) -> list[Any]:
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


def _matches(when: Mapping[str, Any] | None, query: Mapping[str, Any]) -> bool:
    if not when:
        return True
    for name, expected in when.items():
        allowed = expected if isinstance(expected, list) else [expected]
        if name not in query or str(query[name]).lower() not in {str(v).lower() for v in allowed}:
            return False
    return True


__all__ = ["Repair", "parameters", "resolve"]
