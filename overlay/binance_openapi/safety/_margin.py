"""Margin figures before the trade: initial and maintenance margin, liquidation price and funding cost.

Pure arithmetic over ``Decimal`` inputs (leverage brackets, the mark price, the wallet and the positions
held), usable offline; ``margin_preview`` (in ``_margin_preview``) fetches those inputs from Binance.

Binance's published formulas, as used here:

* Maintenance margin = position notional * maintenance margin rate - maintenance amount (``cum``), with
  the rate and amount of the bracket the notional falls in ("Leverage and Margin of USDⓈ-M Futures",
  https://www.binance.com/en/support/faq/360033162192; COIN-M: "Leverage and Margin in Coin-Margined
  Futures Contracts", https://www.binance.com/en/support/faq/be2c7d9d95b04a7e8044ed02dd7dfe5c).
  The maintenance amount of bracket n is ``floor_n * (rate_n - rate_n-1) + cum_n-1``.
* Initial margin = position notional / leverage. Notional: USDⓈ-M (linear) ``|quantity| * price`` in
  the quote asset; COIN-M (inverse) ``|contracts| * contract size / price`` in the base coin.
* Liquidation price, USDⓈ-M ("How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
  https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93)::

      LP = (WB - TMM1 + UPNL1 + cumB + cumL + cumS - Side1BOTH * Position1BOTH * EP1BOTH
            - Position1LONG * EP1LONG + Position1SHORT * EP1SHORT)
           / (Position1BOTH * MMRB + Position1LONG * MMRL + Position1SHORT * MMRS
              - Side1BOTH * Position1BOTH - Position1LONG + Position1SHORT)

  COIN-M ("How to Calculate Liquidation Price of COIN-M Futures Contracts",
  https://www.binance.com/en/support/faq/ceccfcfb4e3a45e3b48b0b1bb1a8ae46; CM is the contract size)::

      LP = (B * MMRB + L * MMRL + S * MMRS + SideBOTH * B + L - S)
           / ((WB - TMM1 + UPNL1 + cumB + cumL + cumS) / CM + SideBOTH * B / EPB + L / EPL - S / EPS)

  WB is the cross wallet balance (cross margin) or the position's isolated wallet (isolated margin, where
  TMM1 = UPNL1 = 0); TMM1 and UPNL1 are the maintenance margin and unrealised PnL of the other cross
  positions of the same margin asset. Under cross margin both sides of a Hedge Mode symbol share one
  liquidation price (both enter the formula); isolated sides each have their own. When the bracket at
  the liquidation price differs from the bracket at the current price, Binance says to recompute with
  the bracket at the liquidation price: ``liquidation_price`` does so exactly (it solves the formula in
  each price interval where the brackets do not change). A result at or below zero means there is no
  liquidation price (Binance shows ``--``): ``None`` here.
* Funding ("Introduction to Binance Futures Funding Rates",
  https://www.binance.com/en/support/faq/360033525031): funding amount = position notional at the mark
  price * funding rate; a positive rate makes longs pay shorts.

Rounding: money figures are given with 8 decimals (ROUND_HALF_EVEN), as Binance's position and account
answers show them. The liquidation price is given twice: ``liquidation_price_exact`` with 8 decimals as
``positionRisk`` reports it, and ``liquidation_price`` rounded to the symbol's tick toward the safe side
(toward the mark price: up for a position liquidated as the price falls, down for one liquidated as it
rises), so the rounded price is reached no later than the exact one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

ZERO = Decimal(0)
ONE = Decimal(1)
Q8 = Decimal("0.00000001")

OrderSide = Literal["BUY", "SELL"]
PositionSide = Literal["BOTH", "LONG", "SHORT"]
MarginType = Literal["ISOLATED", "CROSSED"]
Number = Decimal | int | str


def _dec(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float | bool):
        raise TypeError(f"a Decimal, int or str is needed, not {type(value).__name__} ({value!r})")
    return Decimal(str(value))


def _field(row: Any, name: str, attribute: str) -> Any:
    """A field of a JSON object (by wire name) or of a generated model (by attribute); ``None`` if absent."""
    if isinstance(row, Mapping):
        value = row.get(name)
        return Decimal(repr(value)) if isinstance(value, float) else value  # a JSON number read as float
    value = getattr(row, attribute, None)
    return value if isinstance(value, Decimal | int | str) else None


def q8(value: Decimal) -> Decimal:
    """``value`` with 8 decimals, as Binance writes balances, margins and PnL."""
    return value.quantize(Q8, ROUND_HALF_EVEN)


# -- brackets ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeverageBracket:
    """One leverage bracket: positions with notional in ``[floor, cap)`` (the margin asset's units)."""

    bracket: int
    initial_leverage: int
    floor: Decimal
    cap: Decimal
    maint_margin_ratio: Decimal
    cum: Decimal

    def maintenance(self, notional: Decimal) -> Decimal:
        """``notional * maintMarginRatio - cum`` (not below zero)."""
        return max(abs(notional) * self.maint_margin_ratio - self.cum, ZERO)


@dataclass(frozen=True, slots=True)
class LeverageBrackets:
    """A symbol's brackets, smallest notional first (``GET /fapi/v1/leverageBracket`` for USDⓈ-M,
    ``GET /dapi/v2/leverageBracket`` for COIN-M, whose bounds are in the base coin)."""

    tiers: tuple[LeverageBracket, ...]

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ValueError("a symbol has at least one leverage bracket")

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, Number, Number]]) -> LeverageBrackets:
        """Brackets from ``(max leverage, notional cap, maintenance margin ratio)`` rows, floors and
        maintenance amounts following Binance's rule ``cum_n = floor_n * (rate_n - rate_n-1) + cum_n-1``."""
        tiers: list[LeverageBracket] = []
        floor = cum = previous = ZERO
        for index, (leverage, cap, ratio) in enumerate(rows, start=1):
            rate = _dec(ratio)
            cum += floor * (rate - previous)
            tiers.append(LeverageBracket(index, int(leverage), floor, _dec(cap), rate, cum))
            floor, previous = _dec(cap), rate
        return cls(tuple(tiers))

    @classmethod
    def from_api(cls, answer: Any) -> LeverageBrackets:
        """Brackets from a leverage bracket answer: a generated model (USDⓈ-M
        ``SymbolLeverageBrackets`` or COIN-M v2) or its JSON object; USDⓈ-M bounds are
        ``notionalFloor``/``notionalCap``, COIN-M ``qtyFloor``/``qtyCap``."""
        rows = answer["brackets"] if isinstance(answer, Mapping) else answer.brackets
        tiers = []
        for row in rows:
            cap = _field(row, "notionalCap", "notional_cap")
            floor = _field(row, "notionalFloor", "notional_floor")
            if cap is None:  # COIN-M bounds are quantities of the base coin
                cap, floor = _field(row, "qtyCap", "qty_cap"), _field(row, "qtyFloor", "qty_floor")
            tiers.append(
                LeverageBracket(
                    bracket=int(_field(row, "bracket", "bracket")),
                    initial_leverage=int(_field(row, "initialLeverage", "initial_leverage")),
                    floor=_dec(floor) if isinstance(floor, Decimal | int | str) else ZERO,
                    cap=_dec(cap),
                    maint_margin_ratio=_dec(_field(row, "maintMarginRatio", "maint_margin_ratio")),
                    cum=_dec(_field(row, "cum", "cum")),
                )
            )
        tiers.sort(key=lambda tier: tier.cap)
        return cls(tuple(tiers))

    def for_notional(self, notional: Decimal) -> LeverageBracket:
        """The bracket of a position of ``notional`` (absolute): the first whose cap is above it."""
        value = abs(notional)
        for tier in self.tiers:
            if value < tier.cap:
                return tier
        return self.tiers[-1]

    def maintenance(self, notional: Decimal) -> Decimal:
        """Maintenance margin of a position of ``notional``."""
        return self.for_notional(notional).maintenance(notional) if notional else ZERO

    def max_notional(self, leverage: int) -> Decimal:
        """The largest notional a position may reach at ``leverage``."""
        allowed = [tier.cap for tier in self.tiers if tier.initial_leverage >= leverage]
        return max(allowed) if allowed else ZERO

    def caps(self) -> tuple[Decimal, ...]:
        """The bounds between brackets (every cap but the last)."""
        return tuple(tier.cap for tier in self.tiers[:-1])


# -- contracts ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """How a symbol turns quantities and prices into amounts of its margin asset.

    Linear (USDⓈ-M): quantities in the base asset, ``notional = |qty| * price`` in the quote asset.
    Inverse (COIN-M): quantities in contracts of ``size`` (USD), ``notional = |qty| * size / price`` in
    the base coin. ``tick_size`` is the PRICE_FILTER tick (0: no rounding).
    """

    symbol: str
    inverse: bool = False
    size: Decimal = ONE
    tick_size: Decimal = ZERO
    margin_asset: str = ""
    perpetual: bool = True

    def notional(self, quantity: Decimal, price: Decimal) -> Decimal:
        if price <= 0:
            return ZERO
        return abs(quantity) * self.size / price if self.inverse else abs(quantity) * price

    def pnl(self, quantity: Decimal, entry: Decimal, price: Decimal) -> Decimal:
        """PnL of signed ``quantity`` opened at ``entry`` and valued at ``price``."""
        if not quantity or entry <= 0 or price <= 0:
            return ZERO
        if self.inverse:
            return quantity * self.size * (ONE / entry - ONE / price)
        return quantity * (price - entry)

    def average(self, quantity: Decimal, entry: Decimal, added: Decimal, price: Decimal) -> Decimal:
        """Entry price after adding ``added`` at ``price`` (same direction): linear contracts average the
        price by quantity, inverse ones average ``1 / price``."""
        old, new = abs(quantity), abs(added)
        if not old:
            return price
        if self.inverse:
            return (old + new) / (old / entry + new / price)
        return (old * entry + new * price) / (old + new)

    def round_price(self, price: Decimal, *, up: bool) -> Decimal:
        """``price`` on the tick, rounded up or down."""
        if self.tick_size <= 0:
            return price
        steps = (price / self.tick_size).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR)
        return (steps * self.tick_size).quantize(self.tick_size.normalize())


# -- liquidation -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Liquidation:
    """A liquidation price and its direction: ``falling`` when the position is liquidated as the mark
    price falls to ``price`` (long-like), otherwise as it rises (short-like)."""

    price: Decimal
    falling: bool


def _solve(
    legs: Sequence[tuple[Decimal, Decimal]],
    tiers: Sequence[LeverageBracket],
    contract: ContractSpec,
    wallet: Decimal,
) -> Liquidation | None:
    """Binance's formula with one bracket per leg (``legs``: signed quantity, entry price)."""
    cum = sum((tier.cum for tier in tiers), ZERO)
    weighted = sum((abs(q) * tier.maint_margin_ratio for (q, _), tier in zip(legs, tiers, strict=True)), ZERO)
    net = sum((q for q, _ in legs), ZERO)
    if contract.inverse:
        numerator = weighted + net
        denominator = (wallet + cum) / contract.size + sum((q / entry for q, entry in legs), ZERO)
        if not denominator or not numerator:
            return None
        falling = numerator > 0
    else:
        numerator = wallet + cum - sum((q * entry for q, entry in legs), ZERO)
        denominator = weighted - net
        if not denominator:
            return None
        falling = denominator < 0
    price = numerator / denominator
    return Liquidation(price, falling) if price > 0 else None


def liquidation_price(
    legs: Sequence[tuple[Decimal, Decimal]],
    brackets: LeverageBrackets,
    contract: ContractSpec,
    *,
    wallet_balance: Decimal,
    other_maintenance: Decimal = ZERO,
    other_unrealized: Decimal = ZERO,
    mark_price: Decimal | None = None,
) -> Liquidation | None:
    """The mark price at which ``legs`` are liquidated, by Binance's formula (see the module docstring).

    ``legs`` are the positions that share the price, as ``(signed quantity, entry price)``: one isolated
    position, or the cross positions of one symbol (``BOTH``, or ``LONG`` and ``SHORT`` in Hedge Mode).
    ``wallet_balance`` is WB (cross wallet balance, or the isolated wallet), ``other_maintenance`` TMM1
    and ``other_unrealized`` UPNL1 (0 for isolated margin). Each leg's bracket is the one its notional
    falls in at the liquidation price: the formula is solved in each price interval where no leg changes
    bracket and the solution inside its interval is kept (the one nearest ``mark_price`` when there are
    several). ``None``: no liquidation price (the result would be at or below zero).
    """
    live = [(_dec(q), _dec(entry)) for q, entry in legs if q]
    if not live:
        return None
    wallet = _dec(wallet_balance) - _dec(other_maintenance) + _dec(other_unrealized)
    bounds: set[Decimal] = set()
    for quantity, _ in live:
        for cap in brackets.caps():
            # the price at which this leg's notional reaches ``cap``
            bounds.add(abs(quantity) * contract.size / cap if contract.inverse else cap / abs(quantity))
    edges = sorted(b for b in bounds if b > 0)
    intervals: list[tuple[Decimal, Decimal | None]] = []
    low = ZERO
    for edge in edges:
        intervals.append((low, edge))
        low = edge
    intervals.append((low, None))
    found: list[Liquidation] = []
    for low, high in intervals:
        probe = (low + high) / 2 if high is not None else (low * 2 if low else ONE)
        tiers = [brackets.for_notional(contract.notional(q, probe)) for q, _ in live]
        solved = _solve(live, tiers, contract, wallet)
        if solved is not None and low <= solved.price and (high is None or solved.price <= high):
            found.append(solved)
    if not found:
        return None
    if mark_price is None:
        return found[0]
    return min(found, key=lambda f: abs(f.price - mark_price))


def funding_cost(
    quantity: Decimal, mark_price: Decimal, funding_rate: Decimal, contract: ContractSpec, periods: int = 1
) -> Decimal:
    """What a position of signed ``quantity`` pays over ``periods`` funding times at ``funding_rate``
    (negative: what it receives): notional at the mark * rate, longs paying when the rate is positive."""
    signed = contract.notional(quantity, mark_price)
    return (signed if quantity > 0 else -signed) * funding_rate * periods


# -- the figures of a prospective order ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeldPosition:
    """A position the account holds, as its position and account answers show it.

    ``maintenance_margin`` and ``unrealized_pnl`` matter for the other cross positions of the margin asset
    (TMM1 and UPNL1); ``entry_price`` and ``isolated_wallet`` for the positions of the previewed symbol.
    """

    symbol: str
    position_side: PositionSide
    amount: Decimal
    entry_price: Decimal = ZERO
    isolated: bool = False
    isolated_wallet: Decimal = ZERO
    maintenance_margin: Decimal = ZERO
    unrealized_pnl: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class MarginAccount:
    """What the preview needs of an account, for the symbol's margin asset.

    ``cross_wallet_balance`` is the asset's ``crossWalletBalance`` (wallet minus isolated margin);
    ``positions`` the positions held in that margin asset (any symbol); ``hedge_mode`` Binance's
    ``dualSidePosition``.
    """

    cross_wallet_balance: Decimal
    positions: tuple[HeldPosition, ...] = ()
    hedge_mode: bool = False


@dataclass(frozen=True, slots=True)
class MarginPreview:
    """The margin figures of a position after a prospective order fills (amounts in ``margin_asset``).

    ``position_amount`` and ``entry_price`` are the resulting position of ``position_side``;
    ``notional``, ``initial_margin`` (notional / leverage), ``maintenance_margin`` and
    ``unrealized_pnl`` are valued at the mark price as ``positionRisk`` values them;
    ``order_initial_margin`` is the margin the order itself commits (the part that opens or increases the
    position, at the order's price, divided by the leverage); ``max_leverage`` the largest leverage the
    resulting notional's bracket allows. ``wallet_balance`` is WB of the liquidation formula (cross wallet
    after the order's fee and realised PnL, or the isolated wallet). ``funding_cost`` is what the
    resulting position pays over ``funding_periods`` at the current rate and mark (negative: receives;
    0 for delivery contracts).
    """

    symbol: str
    side: OrderSide
    quantity: Decimal
    price: Decimal
    mark_price: Decimal
    leverage: int
    margin_type: MarginType
    position_side: PositionSide
    margin_asset: str
    position_amount: Decimal
    entry_price: Decimal
    notional: Decimal
    initial_margin: Decimal
    order_initial_margin: Decimal
    maintenance_margin: Decimal
    maint_margin_ratio: Decimal
    maintenance_amount: Decimal
    max_leverage: int
    unrealized_pnl: Decimal
    wallet_balance: Decimal
    fee: Decimal
    liquidation_price: Decimal | None
    liquidation_price_exact: Decimal | None
    liquidated_when_falling: bool | None
    funding_rate: Decimal | None
    funding_periods: int
    funding_cost: Decimal
    realized_pnl: Decimal = ZERO
    notes: tuple[str, ...] = field(default=())

    @property
    def leverage_allowed(self) -> bool:
        """Whether the bracket of the resulting notional allows ``leverage``."""
        return self.leverage <= self.max_leverage


def _apply(
    contract: ContractSpec, amount: Decimal, entry: Decimal, delta: Decimal, price: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A fill of signed ``delta`` at ``price`` on a position: (amount, entry, realised PnL, closed qty)."""
    if not amount or (amount > 0) == (delta > 0):
        return amount + delta, contract.average(amount, entry, delta, price), ZERO, ZERO
    closed = min(abs(delta), abs(amount))
    realized = contract.pnl(closed if amount > 0 else -closed, entry, price)
    after = amount + delta
    if not after:
        return ZERO, ZERO, realized, closed
    if (after > 0) != (amount > 0):
        return after, price, realized, closed
    return after, entry, realized, closed


def _checked(
    account: MarginAccount,
    side: str,
    quantity: Number,
    mark_price: Number,
    price: Number | None,
    leverage: int,
    margin_type: str,
    position_side: PositionSide | None,
    funding_periods: int,
) -> tuple[Decimal, Decimal, Decimal, PositionSide]:
    """The order's inputs checked: quantity, mark price, fill price and position side."""
    if side not in ("BUY", "SELL"):
        raise ValueError(f"side must be BUY or SELL, not {side!r}")
    if margin_type not in ("ISOLATED", "CROSSED"):
        raise ValueError(f"margin_type must be ISOLATED or CROSSED, not {margin_type!r}")
    if leverage < 1:
        raise ValueError(f"leverage must be at least 1, not {leverage}")
    if funding_periods < 0:
        raise ValueError(f"funding_periods must not be negative, not {funding_periods}")
    qty, mark = _dec(quantity), _dec(mark_price)
    fill = _dec(price) if price is not None else mark
    for name, value in (("quantity", qty), ("mark_price", mark), ("price", fill)):
        if value <= 0:
            raise ValueError(f"{name} must be positive, not {value}")
    if position_side is None:
        position_side = ("LONG" if side == "BUY" else "SHORT") if account.hedge_mode else "BOTH"
    if account.hedge_mode == (position_side == "BOTH"):
        mode = "Hedge Mode" if account.hedge_mode else "One-way Mode"
        raise ValueError(f"position_side {position_side} does not exist in {mode}")
    return qty, mark, fill, position_side


def preview_order(
    contract: ContractSpec,
    brackets: LeverageBrackets,
    account: MarginAccount,
    *,
    side: OrderSide,
    quantity: Decimal | int | str,
    mark_price: Decimal | int | str,
    leverage: int,
    margin_type: MarginType = "CROSSED",
    price: Decimal | int | str | None = None,
    position_side: PositionSide | None = None,
    funding_rate: Decimal | int | str | None = None,
    funding_periods: int = 1,
    fee_rate: Decimal | int | str = ZERO,
) -> MarginPreview:
    """The margin figures of ``contract``'s position once an order of ``quantity`` fills at ``price``
    (the mark price when ``None``, as for a market order), with offline inputs.

    ``position_side`` defaults to ``BOTH`` in One-way Mode and, in Hedge Mode, to the side the order
    opens (``LONG`` for a buy, ``SHORT`` for a sell). ``fee_rate`` (the taker or maker commission rate)
    takes the order's commission off the cross wallet, as the fill will.
    """
    qty, mark, fill, position_side = _checked(
        account, side, quantity, mark_price, price, leverage, margin_type, position_side, funding_periods
    )
    held = {p.position_side: p for p in account.positions if p.symbol == contract.symbol and p.amount}
    before = held.get(position_side)
    amount_before = before.amount if before else ZERO
    entry_before = before.entry_price if before else ZERO
    amount, entry, realized, closed = _apply(
        contract, amount_before, entry_before, qty if side == "BUY" else -qty, fill
    )
    if (position_side == "LONG" and amount < 0) or (position_side == "SHORT" and amount > 0):
        raise ValueError(f"a {side} of {qty} would take the {position_side} position past zero")
    fee = q8(contract.notional(qty, fill) * _dec(fee_rate))
    order_initial = contract.notional(qty - closed, fill) / leverage
    notional = contract.notional(amount, mark)
    bracket = brackets.for_notional(notional)
    maintenance = bracket.maintenance(notional) if amount else ZERO
    notes: list[str] = []
    legs = [(amount, entry)]
    others_mm = others_pnl = ZERO
    if margin_type == "ISOLATED":
        wallet_before = before.isolated_wallet if before and before.isolated else ZERO
        if before and not before.isolated:
            notes.append("the held position is cross: its margin would move to an isolated wallet")
            wallet_before = contract.notional(amount_before, entry_before) / leverage
        kept = wallet_before * (abs(amount_before) - closed) / abs(amount_before) if amount_before else ZERO
        wallet = kept + order_initial if amount else ZERO
    else:
        wallet = account.cross_wallet_balance + realized - fee
        legs += [(p.amount, p.entry_price) for s, p in held.items() if s != position_side and not p.isolated]
        for position in account.positions:
            if position.symbol != contract.symbol and not position.isolated and position.amount:
                others_mm += position.maintenance_margin
                others_pnl += position.unrealized_pnl
    found = (
        liquidation_price(
            legs,
            brackets,
            contract,
            wallet_balance=wallet,
            other_maintenance=others_mm,
            other_unrealized=others_pnl,
            mark_price=mark,
        )
        if amount
        else None
    )
    rate = _dec(funding_rate) if funding_rate is not None and contract.perpetual else None
    cost = funding_cost(amount, mark, rate, contract, funding_periods) if rate is not None else ZERO
    if not contract.perpetual:
        notes.append("a delivery contract pays no funding")
    return MarginPreview(
        symbol=contract.symbol,
        side=side,
        quantity=qty,
        price=fill,
        mark_price=mark,
        leverage=leverage,
        margin_type=margin_type,
        position_side=position_side,
        margin_asset=contract.margin_asset,
        position_amount=amount,
        entry_price=q8(entry) if entry else ZERO,
        notional=q8(notional),
        initial_margin=q8(notional / leverage),
        order_initial_margin=q8(order_initial),
        maintenance_margin=q8(maintenance),
        maint_margin_ratio=bracket.maint_margin_ratio,
        maintenance_amount=bracket.cum,
        max_leverage=bracket.initial_leverage,
        unrealized_pnl=q8(contract.pnl(amount, entry, mark)),
        wallet_balance=q8(wallet),
        fee=fee,
        liquidation_price=(
            contract.round_price(found.price, up=found.falling) if found is not None else None
        ),
        liquidation_price_exact=q8(found.price) if found is not None else None,
        liquidated_when_falling=found.falling if found is not None else None,
        funding_rate=rate,
        funding_periods=funding_periods,
        funding_cost=q8(cost),
        realized_pnl=q8(realized),
        notes=tuple(notes),
    )


__all__ = [
    "ContractSpec",
    "HeldPosition",
    "LeverageBracket",
    "LeverageBrackets",
    "Liquidation",
    "MarginAccount",
    "MarginPreview",
    "funding_cost",
    "liquidation_price",
    "preview_order",
]
