"""Users' futures position mode (Hedge Mode or One-way Mode), one per user for both futures products.

Since the COIN-M / USDⓈ-M architecture integration (notice of 2026-06-10, effective 2026-06-30) USDⓈ-M
and COIN-M share one ``dualSidePosition`` setting: ``POST /fapi/v1/positionSide/dual`` and
``POST /dapi/v1/positionSide/dual`` both flip it for the two products at once, and either refuses the
change while the user has an open order (-4067) or an open position (-4068) in EITHER product. Open
orders are looked for in every product before positions, so a user with both gets -4067. Asking for the
mode already in place is -4059, as before.

The COIN-M page also carries a note from Portfolio Margin's "Change CM Position Mode" (where the COIN-M
setting is changed alone): CM "must stay consistent with UM", and a change that would make CM differ
from UM is refused ("The operation is rejected because the CM dual-side is not allowed to be different
from UM dual-side."). With one shared setting no call can make them differ: a COIN-M call moves USDⓈ-M
too (the page's own description and the official SDK's docstring, binance-sdk-derivatives-trading-coin-
futures 14.1.0, which leaves the note out). So here that refusal cannot happen; no code for it is
documented by Binance for ``/dapi``, and nothing answers it.

Each futures product registers how to tell whether a user has open orders or positions in it
(``watch``), as products register their transfer guards with ``Wallets``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._errors import ExchangeError


@dataclass(frozen=True)
class Activity:
    """Whether a user has open orders (plain or conditional) and non-empty positions in one product."""

    open_orders: bool
    positions: bool


Watcher = Callable[[str], Activity]


@dataclass
class PositionMode:
    """One user's position mode; both futures accounts of the user hold the same object."""

    dual_side: bool = False


class PositionModes:
    """Every user's position mode and the products whose activity blocks a change of it."""

    def __init__(self) -> None:
        self._modes: dict[str, PositionMode] = {}
        self._watchers: dict[str, Watcher] = {}

    def of(self, user: str) -> PositionMode:
        """The mode of ``user`` (One-way Mode until changed), the same object for every product."""
        found = self._modes.get(user)
        if found is None:
            found = self._modes[user] = PositionMode()
        return found

    def watch(self, product: str, watcher: Watcher) -> None:
        """Let ``product`` say whether a user has open orders or positions there."""
        self._watchers[product] = watcher

    def change(self, user: str, dual_side: bool) -> None:
        """Set the mode of ``user`` for every futures product, or refuse as Binance does."""
        mode = self.of(user)
        if mode.dual_side == dual_side:
            raise ExchangeError(-4059, "No need to change position side.")
        activity = [watcher(user) for watcher in self._watchers.values()]
        if any(found.open_orders for found in activity):
            raise ExchangeError(-4067, "Position side cannot be changed if there exists open orders.")
        if any(found.positions for found in activity):
            raise ExchangeError(-4068, "Position side cannot be changed if there exists position.")
        mode.dual_side = dual_side
