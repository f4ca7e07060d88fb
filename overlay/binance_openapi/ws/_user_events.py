"""Events a user data stream delivers besides Binance's own: what reconciliation found, and the gaps.

Live events are the ``binance_streams`` Structs (``usdm_user.OrderTradeUpdate``,
``spot_user.ExecutionReport``...). After a reconnect or a new listenKey, events may have been missed
(Binance does not replay them), so the stream fetches the state through REST and delivers it as the
events below, every one a ``ReconciliationEvent`` (``event.from_reconciliation`` is ``True``):

* ``UserDataGap`` opens a reconciliation: events may be missing from here until ``Reconciled``;
* ``OrderSnapshot``, ``SpotBalanceSnapshot``, ``FuturesBalanceSnapshot``, ``PositionSnapshot`` carry the
  state REST reports, each only when it says something the consumer has not been told yet;
* ``Reconciled`` closes it, with how many snapshots were delivered.

``UndecodedEvent`` is a live message no Struct describes (an event type Binance added later): it is
delivered as received rather than dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class ReconciliationEvent:
    """Base of the events that come from reconciliation, not from the live stream."""

    from_reconciliation: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class UserDataGap(ReconciliationEvent):
    """The stream (re)connected: events may have been missed; snapshots follow until ``Reconciled``.

    ``reason`` is ``"start"``, ``"reconnect"``, ``"listenKey"`` (a new key) or ``"resubscribe"``.
    """

    reason: str
    time: int


@dataclass(frozen=True, slots=True)
class Reconciled(ReconciliationEvent):
    """The state is up to date again; counts of the snapshots delivered since ``UserDataGap``."""

    reason: str
    time: int
    orders: int
    balances: int
    positions: int


@dataclass(frozen=True, slots=True)
class OrderSnapshot(ReconciliationEvent):
    """An order as REST reports it (``order`` is the REST model: ``binance_usdm.models.Order``...)."""

    symbol: str
    order_id: int
    client_order_id: str
    status: str
    side: str
    order_type: str
    price: Decimal
    orig_qty: Decimal
    executed_qty: Decimal
    update_time: int
    order: Any


@dataclass(frozen=True, slots=True)
class SpotBalanceSnapshot(ReconciliationEvent):
    """A spot balance as REST reports it (``GET /api/v3/account``)."""

    asset: str
    free: Decimal
    locked: Decimal
    update_time: int


@dataclass(frozen=True, slots=True)
class FuturesBalanceSnapshot(ReconciliationEvent):
    """A futures wallet balance as REST reports it (``balance``: wallet and cross wallet balance)."""

    asset: str
    wallet_balance: Decimal
    cross_wallet_balance: Decimal
    available_balance: Decimal
    update_time: int


@dataclass(frozen=True, slots=True)
class PositionSnapshot(ReconciliationEvent):
    """A futures position as REST reports it; ``position_amount`` 0 when it was closed meanwhile."""

    symbol: str
    position_side: str
    position_amount: Decimal
    entry_price: Decimal
    unrealized_pnl: Decimal
    update_time: int


@dataclass(frozen=True, slots=True)
class UndecodedEvent:
    """A live message that no event Struct describes, delivered as received (``raw`` JSON text)."""

    event_type: str
    raw: str
    from_reconciliation: ClassVar[bool] = False


__all__ = [
    "FuturesBalanceSnapshot",
    "OrderSnapshot",
    "PositionSnapshot",
    "Reconciled",
    "ReconciliationEvent",
    "SpotBalanceSnapshot",
    "UndecodedEvent",
    "UserDataGap",
]
