"""The symbol filters and order rules Binance futures enforces, with its error codes.

The protocol layer has already checked types, enums and mandatory parameters; what is left depends
on the symbol (tick and step sizes, limits, percent price against the mark price, minimum notional)
or on the book (price matching).
"""

from __future__ import annotations

from decimal import Decimal

from binance_emulator._errors import ExchangeError
from binance_emulator.engine import OrderBook

from ._num import decimals, text
from .instruments import SymbolRules

GTD_MIN_AHEAD_MS = 600_000
GTD_MAX = 253402300799000


def check_price(rule: SymbolRules, price: Decimal, name: str = "price") -> None:
    """PRICE_FILTER: positive, within bounds, on the tick."""
    if price <= 0:
        raise ExchangeError(
            -4001 if name == "price" else -4006,
            f"{'Price' if name == 'price' else 'Stop price'} less than zero.",
        )
    if price % rule.tick:
        if decimals(price) > rule.instrument.price_precision:
            raise ExchangeError(-1111, "Precision is over the maximum defined for this asset.")
        raise ExchangeError(-4014, "Price not increased by tick size.")
    if price < rule.min_price:
        raise ExchangeError(-4013, "Price less than min price.")
    if price > rule.max_price:
        raise ExchangeError(-4002 if name == "price" else -4007, "Price greater than max price.")


def check_quantity(rule: SymbolRules, quantity: Decimal, *, market: bool) -> None:
    """LOT_SIZE (limit orders) or MARKET_LOT_SIZE (market orders)."""
    instrument = rule.instrument
    if quantity <= 0:
        raise ExchangeError(-4003, "Quantity less than or equal to zero.")
    if quantity % instrument.step:
        if decimals(quantity) > instrument.quantity_precision:
            raise ExchangeError(-1111, "Precision is over the maximum defined for this asset.")
        raise ExchangeError(-4023, "Qty not increased by step size.")
    if quantity < instrument.min_qty:
        raise ExchangeError(-4004, "Quantity less than min quantity.")
    if quantity > (rule.market_max_qty if market else instrument.max_qty):
        raise ExchangeError(-4005, "Quantity greater than max quantity.")


def check_percent_price(rule: SymbolRules, side: str, price: Decimal, mark: Decimal) -> None:
    """PERCENT_PRICE: a limit price within the multipliers around the mark price."""
    if mark <= 0:
        return
    if side == "BUY" and price > mark * rule.multiplier_up:
        raise ExchangeError(-4016, f"Limit price can't be higher than {text(mark * rule.multiplier_up)}.")
    if side == "SELL" and price < mark * rule.multiplier_down:
        raise ExchangeError(-4024, f"Limit price can't be lower than {text(mark * rule.multiplier_down)}.")


def check_notional(
    rule: SymbolRules, quantity: Decimal, price: Decimal, *, reduce_only: bool, inverse: bool
) -> None:
    """MIN_NOTIONAL (USDⓈ-M only): quantity times price at least the minimum, unless reduce only."""
    minimum = rule.instrument.min_notional
    if inverse or reduce_only or minimum <= 0:
        return
    if quantity * price < minimum:
        raise ExchangeError(
            -4164,
            f"Order's notional must be no smaller than {text(minimum)} (unless you choose reduce only).",
        )


def check_good_till_date(value: int, now: int) -> int:
    """GTD: at least 600 s ahead and before year 9999; only the seconds are kept."""
    if value <= now + GTD_MIN_AHEAD_MS or value >= GTD_MAX:
        raise ExchangeError(
            -5040,
            "The goodTillDate timestamp must be greater than the current time plus 600 seconds and smaller "
            "than 253402300799000 (UTC 9999-12-31 23:59:59)",
        )
    return value - value % 1000


def matched_price(book: OrderBook, side: str, mode: str) -> Decimal:
    """The price ``priceMatch`` picks: the n-th level of the other side (OPPONENT) or of its own (QUEUE)."""
    if mode in ("OPPONENT_10", "OPPONENT_20"):
        raise ExchangeError(-5037, "Invalid price match")
    level = 1 if mode in ("OPPONENT", "QUEUE") else int(mode.rsplit("_", 1)[1])
    own = mode.startswith("QUEUE")
    book_side = side if own else ("SELL" if side == "BUY" else "BUY")
    prices = book.side(book_side).prices()  # type: ignore[arg-type]
    chosen: Decimal | None = None
    for index, price in enumerate(prices, start=1):
        chosen = price
        if index >= level:
            break
    if chosen is None:
        raise ExchangeError(-5041, "No depth matches this BBO order")
    return chosen


def check_position_side(dual: bool, position_side: str) -> None:
    """BOTH in One-way Mode, LONG or SHORT in Hedge Mode (-4061 otherwise)."""
    if dual == (position_side == "BOTH"):
        raise ExchangeError(-4061, "Order's position side does not match user's setting.")


def reduce_only_rejected() -> ExchangeError:
    return ExchangeError(-2022, "ReduceOnly Order is rejected.")


def margin_insufficient() -> ExchangeError:
    return ExchangeError(-2019, "Margin is insufficient.")


def not_required(name: str) -> ExchangeError:
    return ExchangeError(-1106, f"Parameter '{name}' sent when not required.")


def require(name: str) -> ExchangeError:
    return ExchangeError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


__all__ = [
    "check_good_till_date",
    "check_notional",
    "check_percent_price",
    "check_position_side",
    "check_price",
    "check_quantity",
    "margin_insufficient",
    "matched_price",
    "not_required",
    "reduce_only_rejected",
    "require",
]
