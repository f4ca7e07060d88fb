"""What a kill switch did: the orders it cancelled, the positions it closed, what is left and why.

Every amount is a ``Decimal`` and prints in plain digits; every time is UTC and prints as ISO 8601.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from binance_openapi._decimal import plain

OrderKind = Literal["order", "algo", "order_list"]
LeftReason = Literal["dust", "deadline", "error"]


@dataclass(frozen=True)
class CancelledOrder:
    """An order that was open and ended cancelled while the kill switch ran.

    ``kind`` is ``"order"`` (a plain order, spot orders of a list included), ``"algo"`` (a USDⓈ-M or
    COIN-M conditional order of the Algo Service; ``order_id`` is its ``algoId``) or ``"order_list"``
    (a spot order list; ``order_id`` is its ``orderListId``). ``status`` is the exchange's final status
    (``CANCELED``), or ``UNCONFIRMED`` when the order left the open orders and its final status could
    not be read before the kill switch ended.
    """

    product: str
    symbol: str
    kind: OrderKind
    order_id: int
    client_order_id: str
    order_type: str
    status: str = "CANCELED"

    def __str__(self) -> str:
        label = {"order": "order", "algo": "algo order", "order_list": "order list"}[self.kind]
        state = "" if self.status == "CANCELED" else f" ({self.status})"
        return (
            f"{self.product} {self.symbol} {label} {self.order_id} {self.order_type} "
            f"{self.client_order_id}{state}"
        )


@dataclass(frozen=True)
class ClosedPosition:
    """A position (or, on spot, a holding) the kill switch closed, summed over its closing orders.

    ``side`` is the side of the position that was closed (``LONG`` or ``SHORT``; a spot holding sold is
    ``LONG``); ``position_side`` is the futures position side (``BOTH`` in One-way Mode, ``LONG`` or
    ``SHORT`` in Hedge Mode; ``""`` on spot). ``quantity`` is in the symbol's quantity unit (contracts on
    COIN-M, the base asset elsewhere) and ``average_price`` is the quantity-weighted price of the fills.
    """

    product: str
    symbol: str
    side: Literal["LONG", "SHORT"]
    position_side: str
    quantity: Decimal
    average_price: Decimal
    order_ids: tuple[int, ...]

    def __str__(self) -> str:
        where = f" ({self.position_side})" if self.position_side not in ("", "BOTH") else ""
        orders = ", ".join(str(order_id) for order_id in self.order_ids)
        return (
            f"{self.product} {self.symbol} {self.side}{where} {plain(self.quantity)} "
            f"@ avg {plain(self.average_price)} (orders {orders})"
        )


@dataclass(frozen=True)
class Leftover:
    """Something the kill switch could not flatten, and why.

    ``what`` says what is left: ``"order"``, ``"algo"``, ``"position LONG"``, ``"balance"``...;
    ``reason`` is ``"dust"`` (below the symbol's minimum quantity or notional: it cannot be sold),
    ``"deadline"`` (still there when the deadline passed) or ``"error"`` (Binance refused what would
    flatten it; ``detail`` names the error).
    """

    product: str
    symbol: str
    what: str
    quantity: Decimal
    reason: LeftReason
    detail: str = ""

    def __str__(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.product} {self.symbol} {self.what} {plain(self.quantity)} left ({self.reason}{detail})"


@dataclass(frozen=True)
class KillReport:
    """The outcome of ``kill_switch``.

    ``flat`` is true when the last reading of the exchange showed no open order (plain, algo or order
    list) and no position on the products it covered, and no balance to sell beyond dust. ``errors``
    lists the faults met on the way (they were retried); ``rounds`` counts the readings of the exchange.
    """

    started_at: datetime
    finished_at: datetime
    products: tuple[str, ...]
    cancelled: tuple[CancelledOrder, ...]
    closed: tuple[ClosedPosition, ...]
    left: tuple[Leftover, ...]
    errors: tuple[str, ...]
    rounds: int
    flat: bool

    @property
    def elapsed(self) -> timedelta:
        return self.finished_at - self.started_at

    def __str__(self) -> str:
        seconds = Decimal(self.elapsed.total_seconds()).quantize(Decimal("0.001"))
        verdict = "FLAT" if self.flat else "NOT FLAT"
        lines = [
            f"kill switch: {verdict} after {plain(seconds)} s, {self.rounds} round(s), "
            f"products {', '.join(self.products)}",
            f"started {_iso(self.started_at)}, finished {_iso(self.finished_at)}",
            f"cancelled {len(self.cancelled)} order(s):",
            *(f"  {item}" for item in self.cancelled),
            f"closed {len(self.closed)} position(s):",
            *(f"  {item}" for item in self.closed),
            f"left {len(self.left)}:",
            *(f"  {item}" for item in self.left),
        ]
        if self.errors:
            lines.append(f"faults met and retried ({len(self.errors)}):")
            lines += [f"  {error}" for error in self.errors[:20]]
            if len(self.errors) > 20:
                lines.append(f"  ... and {len(self.errors) - 20} more")
        return "\n".join(lines)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


__all__ = ["CancelledOrder", "ClosedPosition", "KillReport", "Leftover", "OrderKind"]
