"""What a diff depth feed is on each product: stream names and speeds, event Structs, the REST snapshot
(client, accepted ``limit`` values, weight) and the IP weight limit the snapshot counts against.

* spot: ``<symbol>@depth`` (every 1000 ms) or ``<symbol>@depth@100ms``; ``GET /api/v3/depth`` takes
  ``limit`` 1 to 5000 and weighs 5 (limit <= 100), 25 (<= 500), 50 (<= 1000) or 250; 6000 weight a minute
  per IP;
* USDⓈ-M and COIN-M: ``<symbol>@depth`` (every 250 ms), ``@depth@500ms`` or ``@depth@100ms``;
  ``GET /fapi/v1/depth`` and ``/dapi/v1/depth`` take ``limit`` 5, 10, 20, 50, 100, 500 or 1000 and weigh
  2 (limit <= 50), 5 (<= 100), 10 (<= 500) or 20; 2400 weight a minute per IP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from binance_openapi._client import AsyncClient
from binance_openapi._networks import Product
from binance_openapi._products import AsyncCoinM, AsyncSpot, AsyncUsdM
from binance_streams import coinm_market, spot_market, usdm_market


@dataclass(frozen=True)
class DepthFeed:
    """The diff depth stream and the REST snapshot of one product."""

    product: Product
    event: type[Any]  # the product's DepthUpdate Struct
    futures: bool  # futures sequencing rules (`pu`)
    speeds: dict[int, str]  # update speed in milliseconds -> stream name suffix
    limits: Sequence[int]  # the snapshot `limit` values Binance accepts
    weights: tuple[tuple[int, int], ...]  # (up to this limit, weight), ascending
    ip_weight_per_minute: int
    client: Callable[..., AsyncClient]

    def stream(self, symbol: str, speed_ms: int) -> str:
        """The stream name of ``symbol``'s diff depth at ``speed_ms`` (``btcusdt@depth@100ms``)."""
        if speed_ms not in self.speeds:
            speeds = ", ".join(str(speed) for speed in self.speeds)
            raise ValueError(f"{self.product} diff depth comes every {speeds} ms, not {speed_ms}")
        return f"{symbol.lower()}@depth{self.speeds[speed_ms]}"

    def check_limit(self, limit: int) -> int:
        if limit not in self.limits:
            low, high = self.limits[0], self.limits[-1]
            accepted = f"{low} to {high}" if len(self.limits) > 20 else ", ".join(map(str, self.limits))
            raise ValueError(f"{self.product} snapshots take limit {accepted}, not {limit}")
        return limit

    def weight(self, limit: int) -> int:
        """The IP weight of one snapshot of ``limit`` levels."""
        for up_to, weight in self.weights:
            if limit <= up_to:
                return weight
        return self.weights[-1][1]


FUTURES_LIMITS = (5, 10, 20, 50, 100, 500, 1000)
FUTURES_WEIGHTS = ((50, 2), (100, 5), (500, 10), (1000, 20))
FUTURES_SPEEDS = {250: "", 500: "@500ms", 100: "@100ms"}

FEEDS: dict[str, DepthFeed] = {
    "spot": DepthFeed(
        product="spot",
        event=spot_market.DepthUpdate,
        futures=False,
        speeds={1000: "", 100: "@100ms"},
        limits=range(1, 5001),
        weights=((100, 5), (500, 25), (1000, 50), (5000, 250)),
        ip_weight_per_minute=6000,
        client=AsyncSpot,
    ),
    "usdm": DepthFeed(
        product="usdm",
        event=usdm_market.DepthUpdate,
        futures=True,
        speeds=FUTURES_SPEEDS,
        limits=FUTURES_LIMITS,
        weights=FUTURES_WEIGHTS,
        ip_weight_per_minute=2400,
        client=AsyncUsdM,
    ),
    "coinm": DepthFeed(
        product="coinm",
        event=coinm_market.DepthUpdate,
        futures=True,
        speeds=FUTURES_SPEEDS,
        limits=FUTURES_LIMITS,
        weights=FUTURES_WEIGHTS,
        ip_weight_per_minute=2400,
        client=AsyncCoinM,
    ),
}


def depth_feed(product: str) -> DepthFeed:
    try:
        return FEEDS[product]
    except KeyError:
        raise ValueError(f"product must be spot, usdm or coinm, not {product!r}") from None


__all__ = ["FEEDS", "DepthFeed", "depth_feed"]
