"""The services of one futures exchange, wired together, as the request handlers see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from binance_emulator._call import Call

from .algo import AlgoService
from .funding import Funding
from .liquidation import Liquidator
from .listen_keys import ListenKeys
from .margin import Margin
from .orders import OrderEngine
from .state import FuturesState

Handler = Callable[[Call], Any]


@dataclass
class FuturesCore:
    """State and services: what every handler module builds on."""

    state: FuturesState
    margin: Margin
    engine: OrderEngine
    funding: Funding
    liquidator: Liquidator
    listen_keys: ListenKeys
    algo: AlgoService | None = None  # both products (COIN-M since 2026-06-30)

    @property
    def usdm(self) -> bool:
        return self.state.product == "usdm"


__all__ = ["FuturesCore", "Handler"]
