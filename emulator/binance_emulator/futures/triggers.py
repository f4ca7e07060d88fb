"""When a conditional order fires: stops, take-profits and trailing stops.

* ``STOP``/``STOP_MARKET``: a BUY fires when the price rises to the trigger, a SELL when it falls to it.
* ``TAKE_PROFIT``/``TAKE_PROFIT_MARKET``: the other way round.
* ``TRAILING_STOP_MARKET``: once the price reaches the activation price (BUY: at or below it, SELL: at
  or above it), the order follows the lowest (BUY) or highest (SELL) price and fires when the price
  moves back from it by ``callback_rate`` percent.

The price is the mark price (``MARK_PRICE``) or the last trade price (``CONTRACT_PRICE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from binance_emulator._errors import ExchangeError

from ._num import HUNDRED, ONE

STOPS = ("STOP", "STOP_MARKET")
TAKE_PROFITS = ("TAKE_PROFIT", "TAKE_PROFIT_MARKET")
TRAILING = "TRAILING_STOP_MARKET"
CONDITIONAL_TYPES = (*STOPS, *TAKE_PROFITS, TRAILING)


def would_trigger() -> ExchangeError:
    return ExchangeError(-2021, "Order would immediately trigger.")


@dataclass(slots=True)
class Trigger:
    """The trigger condition of one conditional order and, for trailing stops, what it has seen."""

    order_type: str
    side: str
    working_type: str
    stop_price: Decimal | None = None
    activation_price: Decimal | None = None
    callback_rate: Decimal | None = None
    activated: bool = False
    extreme: Decimal | None = None

    def arm(self, price: Decimal) -> None:
        """Check the order against the current ``price`` when it is placed (-2021 if it would fire)."""
        if self.order_type == TRAILING:
            if self.activation_price is None:
                self.activated, self.extreme = True, price
                return
            if self.side == "BUY" and self.activation_price >= price:
                raise would_trigger()
            if self.side == "SELL" and self.activation_price <= price:
                raise would_trigger()
            return
        if self.fires(price):
            raise would_trigger()

    def fires(self, price: Decimal) -> bool:
        """Whether the order fires at ``price`` (updating a trailing stop's extreme first)."""
        if self.order_type == TRAILING:
            return self._trail(price)
        stop = self.stop_price
        if stop is None:
            return False
        rising = (self.order_type in STOPS) == (self.side == "BUY")
        return price >= stop if rising else price <= stop

    def _trail(self, price: Decimal) -> bool:
        rate = (self.callback_rate or ONE) / HUNDRED
        if not self.activated:
            activation = self.activation_price
            if activation is None:
                return False
            if (self.side == "BUY" and price <= activation) or (self.side == "SELL" and price >= activation):
                self.activated, self.extreme = True, price
            return False
        extreme = self.extreme if self.extreme is not None else price
        if self.side == "BUY":
            extreme = min(extreme, price)
            self.extreme = extreme
            return price >= extreme * (ONE + rate)
        extreme = max(extreme, price)
        self.extreme = extreme
        return price <= extreme * (ONE - rate)


def executes_as(order_type: str) -> str:
    """The order type a conditional order becomes once it fires."""
    return "MARKET" if order_type.endswith("MARKET") else "LIMIT"


__all__ = [
    "CONDITIONAL_TYPES",
    "STOPS",
    "TAKE_PROFITS",
    "TRAILING",
    "Trigger",
    "executes_as",
    "would_trigger",
]
