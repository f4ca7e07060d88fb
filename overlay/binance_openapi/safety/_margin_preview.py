"""``margin_preview``: the margin figures of a prospective futures order, from the account's own figures.

One plan, written once as a generator that yields the calls it needs and receives their answers, driven
by a sync shell (``UsdM``, ``CoinM``) or an async one (``AsyncUsdM``, ``AsyncCoinM``). The arithmetic is
``preview_order`` in ``_margin``.

USDⓈ-M (weight 23): ``GET /fapi/v1/exchangeInfo`` (tick, margin asset, contract type),
``GET /fapi/v1/leverageBracket``, ``GET /fapi/v1/premiumIndex`` (mark price, funding rate),
``GET /fapi/v1/accountConfig`` (position mode), ``GET /fapi/v1/symbolConfig`` (margin type and leverage
of every symbol), ``GET /fapi/v3/positionRisk`` (positions with entry price, margin asset, maintenance
margin, unrealised PnL and isolated wallet) and ``GET /fapi/v3/account`` (cross wallet balance), plus
``GET /fapi/v1/commissionRate`` (weight 20) when no ``fee_rate`` is given.

COIN-M (weight 18): ``GET /dapi/v1/exchangeInfo`` (tick, contract size, margin coin),
``GET /dapi/v2/leverageBracket`` (per contract; v1 is per pair and ambiguous), ``GET /dapi/v1/premiumIndex``
(weight 10), ``GET /dapi/v1/account`` (cross wallet balance, positions with their margin type, leverage,
maintenance margin and unrealised PnL; it lists ``LONG`` and ``SHORT`` positions only in Hedge Mode, which
saves ``GET /dapi/v1/positionSide/dual`` and its weight of 30) and ``GET /dapi/v1/positionRisk`` (isolated
margin of the margin coin's positions), plus ``GET /dapi/v1/commissionRate`` when no ``fee_rate`` is given.

USDⓈ-M Multi-Assets mode pools margin across assets in USD: the preview then uses the margin asset's own
cross wallet balance, which understates the margin Binance counts.
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

from binance_openapi._client import AsyncClient, SyncClient

from ._margin import (
    ZERO,
    ContractSpec,
    HeldPosition,
    LeverageBrackets,
    MarginAccount,
    MarginPreview,
    MarginType,
    OrderSide,
    PositionSide,
    preview_order,
)


@dataclass(frozen=True, slots=True)
class _Call:
    method: str
    kwargs: dict[str, Any]


Plan = Generator[_Call, Any, MarginPreview]


def _value(value: Any) -> Any:
    """An enum member's value (generated enums), or the value itself."""
    return getattr(value, "value", value)


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO


def _tick(symbol_info: Any) -> Decimal:
    for item in symbol_info.filters:
        if _value(item.filter_type) == "PRICE_FILTER" and isinstance(item.tick_size, Decimal):
            return item.tick_size
    return ZERO


def _perpetual(symbol_info: Any) -> bool:
    """Whether the contract pays funding (``PERPETUAL``, ``TRADIFI_PERPETUAL``...), unlike delivery ones."""
    return "PERPETUAL" in str(_value(symbol_info.contract_type))


def _symbol_info(info: Any, symbol: str) -> Any:
    for item in info.symbols:
        if item.symbol == symbol:
            return item
    raise ValueError(f"{symbol} is not listed in exchangeInfo")


def _margin_type(isolated: bool) -> MarginType:
    return "ISOLATED" if isolated else "CROSSED"


def _usdm_plan(
    symbol: str,
    side: OrderSide,
    quantity: Decimal,
    price: Decimal | None,
    leverage: int | None,
    margin_type: MarginType | None,
    position_side: PositionSide | None,
    funding_periods: int,
    fee_rate: Decimal | None,
) -> Plan:
    info = _symbol_info((yield _Call("exchange_info", {})), symbol)
    contract = ContractSpec(
        symbol=symbol,
        inverse=False,
        tick_size=_tick(info),
        margin_asset=info.margin_asset,
        perpetual=_perpetual(info),
    )
    answer = yield _Call("leverage_bracket", {"symbol": symbol})
    if isinstance(answer, list):  # some answers list the one symbol asked for
        answer = next(row for row in answer if row.symbol == symbol)
    brackets = LeverageBrackets.from_api(answer)
    premium = yield _Call("premium_index", {"symbol": symbol})
    config = yield _Call("account_config", {})
    settings = {row.symbol: row for row in (yield _Call("symbol_config", {}))}
    risks = yield _Call("position_risk_v3", {})
    account = yield _Call("account_v3", {})
    if fee_rate is None:
        fee_rate = (yield _Call("commission_rate", {"symbol": symbol})).taker_commission_rate
    setting = settings.get(symbol)
    positions = tuple(
        HeldPosition(
            symbol=row.symbol,
            position_side=_value(row.position_side),
            amount=row.position_amt,
            entry_price=row.entry_price,
            isolated=row.symbol in settings and _value(settings[row.symbol].margin_type) == "ISOLATED",
            isolated_wallet=row.isolated_wallet,
            maintenance_margin=row.maint_margin,
            unrealized_pnl=row.un_realized_profit,
        )
        for row in risks
        if row.margin_asset == contract.margin_asset and row.position_amt
    )
    asset = next((a for a in account.assets if a.asset == contract.margin_asset), None)
    margin = MarginAccount(
        cross_wallet_balance=asset.cross_wallet_balance if asset is not None else ZERO,
        positions=positions,
        hedge_mode=config.dual_side_position,
    )
    return preview_order(
        contract,
        brackets,
        margin,
        side=side,
        quantity=quantity,
        mark_price=premium.mark_price,
        leverage=leverage if leverage is not None else (setting.leverage if setting is not None else 20),
        margin_type=margin_type
        or (_margin_type(_value(setting.margin_type) == "ISOLATED") if setting is not None else "CROSSED"),
        price=price,
        position_side=position_side,
        funding_rate=premium.last_funding_rate,
        funding_periods=funding_periods,
        fee_rate=fee_rate,
    )


def _coinm_plan(
    symbol: str,
    side: OrderSide,
    quantity: Decimal,
    price: Decimal | None,
    leverage: int | None,
    margin_type: MarginType | None,
    position_side: PositionSide | None,
    funding_periods: int,
    fee_rate: Decimal | None,
) -> Plan:
    exchange = yield _Call("exchange_info", {})
    info = _symbol_info(exchange, symbol)
    assets = {item.symbol: item.margin_asset for item in exchange.symbols}
    contract = ContractSpec(
        symbol=symbol,
        inverse=True,
        size=Decimal(info.contract_size),
        tick_size=_tick(info),
        margin_asset=info.margin_asset,
        perpetual=_perpetual(info),
    )
    answer = yield _Call("leverage_bracket_v2", {"symbol": symbol})
    brackets = LeverageBrackets.from_api(next(row for row in answer if row.symbol == symbol))
    premium = next(row for row in (yield _Call("premium_index", {"symbol": symbol})) if row.symbol == symbol)
    account = yield _Call("account", {})
    risks = yield _Call("position_risk", {"margin_asset": contract.margin_asset})
    if fee_rate is None:
        fee_rate = (yield _Call("commission_rate", {"symbol": symbol})).taker_commission_rate
    isolated_wallets = {
        (row.symbol, _value(row.position_side)): row.isolated_margin - row.un_realized_profit
        for row in risks
        if _value(row.margin_type) == "isolated"
    }
    rows = [row for row in account.positions if assets.get(row.symbol) == contract.margin_asset]
    positions = tuple(
        HeldPosition(
            symbol=row.symbol,
            position_side=_value(row.position_side),
            amount=row.position_amt,
            entry_price=row.entry_price,
            isolated=row.isolated,
            isolated_wallet=isolated_wallets.get((row.symbol, _value(row.position_side)), ZERO),
            maintenance_margin=row.maint_margin,
            unrealized_pnl=row.unrealized_profit,
        )
        for row in rows
        if row.position_amt
    )
    own = next((row for row in account.positions if row.symbol == symbol), None)
    asset = next((a for a in account.assets if a.asset == contract.margin_asset), None)
    margin = MarginAccount(
        cross_wallet_balance=asset.cross_wallet_balance if asset is not None else ZERO,
        positions=positions,
        hedge_mode=any(_value(row.position_side) != "BOTH" for row in account.positions),
    )
    return preview_order(
        contract,
        brackets,
        margin,
        side=side,
        quantity=quantity,
        mark_price=premium.mark_price,
        leverage=leverage if leverage is not None else (int(own.leverage) if own is not None else 20),
        margin_type=margin_type or _margin_type(own is not None and own.isolated),
        price=price,
        position_side=position_side,
        funding_rate=premium.last_funding_rate,
        funding_periods=funding_periods,
        fee_rate=fee_rate,
    )


def _plan(
    client: SyncClient | AsyncClient,
    symbol: str,
    side: OrderSide,
    quantity: Decimal | int | str,
    price: Decimal | int | str | None,
    leverage: int | None,
    margin_type: MarginType | None,
    position_side: PositionSide | None,
    funding_periods: int,
    fee_rate: Decimal | int | str | None,
) -> Plan:
    build = {"usdm": _usdm_plan, "coinm": _coinm_plan}.get(client.product)
    if build is None:
        raise TypeError(
            f"margin_preview needs a futures client (UsdM, CoinM or their async twins), not {client!r}"
        )
    for name, value in (("quantity", quantity), ("price", price), ("fee_rate", fee_rate)):
        if isinstance(value, float):
            raise TypeError(f"{name} must be a Decimal, int or str, not float ({value!r})")
    return build(
        symbol,
        side,
        Decimal(str(quantity)),
        Decimal(str(price)) if price is not None else None,
        leverage,
        margin_type,
        position_side,
        funding_periods,
        Decimal(str(fee_rate)) if fee_rate is not None else None,
    )


def _run(client: SyncClient, plan: Plan) -> MarginPreview:
    try:
        call = next(plan)
        while True:
            call = plan.send(getattr(client, call.method)(**call.kwargs))
    except StopIteration as done:
        result: MarginPreview = done.value
        return result


async def _run_async(client: AsyncClient, plan: Plan) -> MarginPreview:
    try:
        call = next(plan)
        while True:
            call = plan.send(await getattr(client, call.method)(**call.kwargs))
    except StopIteration as done:
        result: MarginPreview = done.value
        return result


@overload
def margin_preview(
    client: SyncClient,
    *,
    symbol: str,
    side: OrderSide,
    quantity: Decimal | int | str,
    price: Decimal | int | str | None = None,
    leverage: int | None = None,
    margin_type: MarginType | None = None,
    position_side: PositionSide | None = None,
    funding_periods: int = 1,
    fee_rate: Decimal | int | str | None = None,
) -> MarginPreview: ...


@overload
def margin_preview(
    client: AsyncClient,
    *,
    symbol: str,
    side: OrderSide,
    quantity: Decimal | int | str,
    price: Decimal | int | str | None = None,
    leverage: int | None = None,
    margin_type: MarginType | None = None,
    position_side: PositionSide | None = None,
    funding_periods: int = 1,
    fee_rate: Decimal | int | str | None = None,
) -> Coroutine[Any, Any, MarginPreview]: ...


def margin_preview(
    client: SyncClient | AsyncClient,
    *,
    symbol: str,
    side: OrderSide,
    quantity: Decimal | int | str,
    price: Decimal | int | str | None = None,
    leverage: int | None = None,
    margin_type: MarginType | None = None,
    position_side: PositionSide | None = None,
    funding_periods: int = 1,
    fee_rate: Decimal | int | str | None = None,
) -> MarginPreview | Coroutine[Any, Any, MarginPreview]:
    """Initial and maintenance margin, liquidation price and funding cost of a futures order before it
    is sent, from the account's brackets, mark price, funding rate, wallet and positions.

    ``client`` is a ``UsdM`` or ``CoinM`` (the figures are returned) or an ``AsyncUsdM`` or ``AsyncCoinM``
    (a coroutine to await). ``quantity`` is in the base asset (USDⓈ-M) or in contracts (COIN-M);
    ``price`` is the expected fill price (the mark price when ``None``, as for a market order).
    ``leverage`` and ``margin_type`` default to the symbol's settings on the account; ``position_side``
    to ``BOTH`` in One-way Mode and to the side the order opens in Hedge Mode. ``fee_rate`` defaults to
    the account's taker commission rate (fetched; pass ``0`` to leave fees out); the commission leaves
    the cross wallet when the order fills, which moves a cross position's liquidation price.

    Weight: see the module docstring (USDⓈ-M 23, COIN-M 18, +20 without ``fee_rate``).
    """
    plan = _plan(
        client, symbol, side, quantity, price, leverage, margin_type, position_side, funding_periods, fee_rate
    )
    if isinstance(client, AsyncClient):
        return _run_async(client, plan)
    return _run(client, plan)


__all__ = ["margin_preview"]
