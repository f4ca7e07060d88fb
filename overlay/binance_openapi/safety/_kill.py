"""The kill switch: cancel every open order and close every position, now, whatever the network does.

Usage::

    from binance_openapi import CoinM, Spot, UsdM
    from binance_openapi.safety import kill_switch

    report = kill_switch(UsdM(key=key), CoinM(key=key), Spot(key=key), spot_sell=["BTC"], deadline=30)
    print(report)          # what was cancelled, closed at what price, what is left and why
    report.flat            # True when nothing is open any more

``async_kill_switch`` does the same with ``AsyncSpot``, ``AsyncUsdM`` and ``AsyncCoinM``. Both drive
one plan (``_kill_flow.KillPlan``): rounds of reading the exchange, cancelling and closing with
reduce-only MARKET orders, until a round finds everything flat or the deadline passes. A call already
under way when the deadline passes is not interrupted (the clients' own timeouts bound it).

The command ``python -m binance_openapi kill`` runs it from a terminal (``_kill_cli.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from binance_openapi._client import AsyncClient, SyncClient
from binance_openapi._errors import BinanceError, ConfigurationError

from ._kill_flow import Flow, Invoke, KillPlan, Pause
from ._kill_report import KillReport

PRODUCTS = ("spot", "usdm", "coinm")


def kill_switch(
    *clients: SyncClient,
    products: Iterable[str] | None = None,
    spot_sell: Sequence[str] = (),
    quote: str = "USDT",
    deadline: float = 60.0,
) -> KillReport:
    """Cancel every open order (plain, algo/conditional, spot order lists) on every symbol and close
    every futures position at MARKET (reduce-only), on the products of ``clients`` (``Spot``, ``UsdM``,
    ``CoinM``; one each), until nothing is open or ``deadline`` seconds have passed.

    * **products** - only these of the clients' products (``"spot"``, ``"usdm"``, ``"coinm"``).
    * **spot_sell** - base assets whose free spot balance is sold at MARKET to ``quote``
      (``["BTC", "ETH"]`` sells on ``BTCUSDT`` and ``ETHUSDT``); empty: spot orders are only cancelled.
    * **deadline** - seconds; the report then lists what is left.

    Faults (5XX, ``-1007``, timeouts, 429, an order whose fate is unknown) are retried in the next round;
    two kill switches running at once cannot over-close (closing orders are reduce-only). Returns a
    ``KillReport``.
    """
    by_product = _clients(clients, SyncClient, "kill_switch", "Spot, UsdM or CoinM")
    plan = _plan(by_product, products, spot_sell, quote, deadline)
    return _drive(plan.run(), by_product)


async def async_kill_switch(
    *clients: AsyncClient,
    products: Iterable[str] | None = None,
    spot_sell: Sequence[str] = (),
    quote: str = "USDT",
    deadline: float = 60.0,
) -> KillReport:
    """``kill_switch`` with ``AsyncSpot``, ``AsyncUsdM`` and ``AsyncCoinM`` clients."""
    by_product = _clients(clients, AsyncClient, "async_kill_switch", "AsyncSpot, AsyncUsdM or AsyncCoinM")
    plan = _plan(by_product, products, spot_sell, quote, deadline)
    return await _drive_async(plan.run(), by_product)


def _clients(clients: Sequence[object], kind: type, name: str, expected: str) -> dict[str, Any]:
    by_product: dict[str, Any] = {}
    for client in clients:
        if not isinstance(client, kind) or not hasattr(client, "product"):
            raise TypeError(f"{name} takes {expected} clients, not {type(client).__name__}")
        product = str(client.product)
        if product in by_product:
            raise ValueError(f"{name}: two {product} clients; give one client per product")
        by_product[product] = client
    if not by_product:
        raise ValueError(f"{name} needs at least one client ({expected})")
    return by_product


def _plan(
    by_product: Mapping[str, Any],
    products: Iterable[str] | None,
    spot_sell: Sequence[str],
    quote: str,
    deadline: float,
) -> KillPlan:
    chosen = list(by_product) if products is None else list(dict.fromkeys(products))
    for product in chosen:
        if product not in PRODUCTS:
            raise ValueError(f"unknown product {product!r}: choose among {', '.join(PRODUCTS)}")
        if product not in by_product:
            raise ValueError(f"product {product!r} was chosen but no client of it was given")
    if isinstance(spot_sell, str):
        raise TypeError("spot_sell is a list of assets (['BTC']), not a string")
    if spot_sell and "spot" not in chosen:
        raise ValueError("spot_sell needs a spot client (and 'spot' among the products)")
    if deadline <= 0:
        raise ValueError(f"deadline must be a positive number of seconds, not {deadline!r}")
    assets = [asset.strip().upper() for asset in spot_sell if asset.strip()]
    for product in chosen:
        if by_product[product].auth.key is None:
            raise ConfigurationError(f"the {product} client has no API key: the kill switch needs one")
    return KillPlan(chosen, assets, quote.strip().upper(), float(deadline), clock=time.monotonic)


def _drive(flow: Flow, clients: Mapping[str, Any]) -> KillReport:
    try:
        step = next(flow)
        while True:
            if isinstance(step, Pause):
                time.sleep(max(step.seconds, 0.0))
                step = flow.send(None)
                continue
            assert isinstance(step, Invoke)
            try:
                result = getattr(clients[step.product], step.method)(**step.kwargs)
            except BinanceError as error:
                step = flow.throw(error)
            else:
                step = flow.send(result)
    except StopIteration as stop:
        report: KillReport = stop.value
        return report


async def _drive_async(flow: Flow, clients: Mapping[str, Any]) -> KillReport:
    try:
        step = next(flow)
        while True:
            if isinstance(step, Pause):
                await asyncio.sleep(max(step.seconds, 0.0))
                step = flow.send(None)
                continue
            assert isinstance(step, Invoke)
            try:
                result = await getattr(clients[step.product], step.method)(**step.kwargs)
            except BinanceError as error:
                step = flow.throw(error)
            else:
                step = flow.send(result)
    except StopIteration as stop:
        report: KillReport = stop.value
        return report


__all__ = ["async_kill_switch", "kill_switch"]
