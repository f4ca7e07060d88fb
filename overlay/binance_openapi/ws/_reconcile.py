"""Reconciliation: what may have changed while a user data stream was not listening, fetched through REST.

After a reconnect (or a new listenKey) Binance does not replay the events it sent meanwhile. The
``Reconciler`` asks REST for everything they could have said:

* **orders**: the open orders of every symbol; the orders created since shortly before the gap on every
  symbol configured or seen (``all_orders`` from ``since_ms``, page by page); and each order last known
  open that REST no longer lists as open (``query_order``: filled or canceled meanwhile);
* **balances**: spot ``account``, USDⓈ-M ``balance_v3``, COIN-M ``balance``;
* **positions** (futures): USDⓈ-M ``position_risk_v3``, COIN-M ``position_risk``; a position last known
  open that REST no longer lists is reported closed (amount 0).

The result is snapshot events (``OrderSnapshot``...); the ``DeliveryLedger`` then drops what the
consumer already knows. An order created *and* finished during a gap on a symbol that was never seen nor
configured cannot be found this way: configure the symbols traded (``symbols=``) to be complete.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from binance_openapi._errors import UnknownOrderError

from ._user_events import (
    FuturesBalanceSnapshot,
    OrderSnapshot,
    PositionSnapshot,
    SpotBalanceSnapshot,
)

log = logging.getLogger("binance_openapi.ws")
PAGE_SIZES = {"spot": 1000, "usdm": 1000, "coinm": 100}
MAX_PAGES = 20
ZERO = Decimal(0)


@dataclass
class Snapshot:
    """What REST reported, as events, in the order they are delivered."""

    orders: list[OrderSnapshot] = field(default_factory=list)
    balances: list[SpotBalanceSnapshot | FuturesBalanceSnapshot] = field(default_factory=list)
    positions: list[PositionSnapshot] = field(default_factory=list)


def order_snapshot(order: Any) -> OrderSnapshot:
    """An ``OrderSnapshot`` of a REST order model (spot, USDⓈ-M or COIN-M ``Order``)."""
    return OrderSnapshot(
        symbol=order.symbol,
        order_id=int(order.order_id),
        client_order_id=order.client_order_id,
        status=str(order.status),
        side=str(order.side),
        order_type=str(order.type_),
        price=order.price,
        orig_qty=order.orig_qty,
        executed_qty=order.executed_qty,
        update_time=int(order.update_time),
        order=order,
    )


class Reconciler:
    """Fetches the snapshot of one account of one product.

    **Parameters:**

    * **client** - the product's async REST client (``AsyncSpot``, ``AsyncUsdM``, ``AsyncCoinM``).
    * **page_size** - orders per ``all_orders`` page (the product's maximum by default).
    """

    def __init__(self, client: Any, *, page_size: int | None = None) -> None:
        self.client = client
        self.product: str = client.product
        self.page_size = page_size or PAGE_SIZES[self.product]

    async def snapshot(
        self,
        *,
        symbols: Iterable[str],
        since_ms: int | None,
        known_open: Iterable[tuple[str, int]] = (),
        known_positions: Iterable[tuple[str, str]] = (),
    ) -> Snapshot:
        """Everything that may have changed since ``since_ms`` (``None``: open orders only)."""
        out = Snapshot()
        out.orders = await self.orders(symbols=symbols, since_ms=since_ms, known_open=known_open)
        out.balances = await self.balances()
        if self.product != "spot":
            out.positions = await self.positions(known_positions)
        return out

    async def orders(
        self, *, symbols: Iterable[str], since_ms: int | None, known_open: Iterable[tuple[str, int]]
    ) -> list[OrderSnapshot]:
        found: dict[tuple[str, int], OrderSnapshot] = {}
        for order in await self.client.open_orders():
            snap = order_snapshot(order)
            found[(snap.symbol, snap.order_id)] = snap
        if since_ms is not None:
            for symbol in sorted(set(symbols)):
                for snap in await self._recent(symbol, since_ms):
                    found[(snap.symbol, snap.order_id)] = snap  # fetched later: at least as recent
        for symbol, order_id in known_open:
            if (symbol, order_id) in found:
                continue
            try:
                order = await self.client.query_order(symbol=symbol, order_id=order_id)
            except UnknownOrderError:
                log.info("reconciliation: order %s %s is no longer known to Binance", symbol, order_id)
                continue
            found[(symbol, order_id)] = order_snapshot(order)
        return sorted(found.values(), key=lambda s: (s.update_time, s.symbol, s.order_id))

    async def _recent(self, symbol: str, since_ms: int) -> list[OrderSnapshot]:
        """Orders of ``symbol`` created since ``since_ms``, every page."""
        page = await self.client.all_orders(symbol=symbol, start_time=since_ms, limit=self.page_size)
        out = [order_snapshot(order) for order in page]
        for _ in range(MAX_PAGES):
            if len(page) < self.page_size or not out:
                break
            last = max(snap.order_id for snap in out)
            page = await self.client.all_orders(symbol=symbol, order_id=last + 1, limit=self.page_size)
            out += [order_snapshot(order) for order in page]
        return out

    async def balances(self) -> list[SpotBalanceSnapshot | FuturesBalanceSnapshot]:
        if self.product == "spot":
            account = await self.client.account()
            time = int(account.update_time)
            return [SpotBalanceSnapshot(b.asset, b.free, b.locked, time) for b in account.balances]
        rows = await (self.client.balance_v3() if self.product == "usdm" else self.client.balance())
        return [
            FuturesBalanceSnapshot(
                asset=row.asset,
                wallet_balance=row.balance,
                cross_wallet_balance=row.cross_wallet_balance,
                available_balance=row.available_balance,
                update_time=int(row.update_time),
            )
            for row in rows
        ]

    async def positions(self, known: Iterable[tuple[str, str]]) -> list[PositionSnapshot]:
        client = self.client
        rows = await (client.position_risk_v3() if self.product == "usdm" else client.position_risk())
        known_open = set(known)
        out = []
        listed = set()
        for row in rows:
            key = (row.symbol, str(row.position_side))
            listed.add(key)
            if row.position_amt == 0 and key not in known_open:
                continue  # never opened as far as the consumer knows: nothing to say
            out.append(
                PositionSnapshot(
                    symbol=row.symbol,
                    position_side=key[1],
                    position_amount=row.position_amt,
                    entry_price=row.entry_price,
                    unrealized_pnl=row.un_realized_profit,
                    update_time=int(row.update_time),
                )
            )
        for symbol, side in sorted(known_open - listed):
            out.append(PositionSnapshot(symbol, side, ZERO, ZERO, ZERO, 0))
        return out


__all__ = ["Reconciler", "Snapshot", "order_snapshot"]
