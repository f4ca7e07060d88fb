"""What orders do to spot balances: lock at placement, pay and charge commission on fills, release.

A buy locks quote (its limit price times its quantity, or what a market order is estimated to cost), a
sell locks its base quantity. A fill pays from the lock and credits the received asset less commission
at the account's maker or taker rate, charged in the received asset. What a finished order did not use
goes back to ``free``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from binance_emulator._errors import insufficient_balance

from .accounts import AccountTrade, SpotAccount
from .orders import Lock, Order
from .rules import SymbolRules
from .text import EIGHT

ZERO = Decimal(0)


def lock(account: SpotAccount, asset: str, amount: Decimal) -> Lock:
    """Hold ``amount`` of ``asset`` for an order, or ``-2010`` insufficient balance."""
    balance = account.balance(asset)
    if balance.free < amount:
        raise insufficient_balance()
    balance.free -= amount
    balance.locked += amount
    return Lock(asset, amount)


def top_up(account: SpotAccount, held: Lock, amount: Decimal) -> None:
    """Hold up to ``amount`` more in an existing lock (as much as is free)."""
    balance = account.balance(held.asset)
    extra = min(amount, balance.free)
    if extra > 0:
        balance.free -= extra
        balance.locked += extra
        held.amount += extra


def release(account: SpotAccount, order: Order) -> None:
    """An order is done: give back what its lock still holds once no other order shares it."""
    held = order.lock
    if held is None:
        return
    order.lock = None
    held.holders -= 1
    if held.holders <= 0 and held.amount > 0:
        balance = account.balance(held.asset)
        amount = min(held.amount, balance.locked)
        balance.locked -= amount
        balance.free += amount
        held.amount = ZERO


def reduce(account: SpotAccount, order: Order, amount: Decimal) -> None:
    """Give back part of an order's lock (its quantity was reduced)."""
    held = order.lock
    if held is None or amount <= 0:
        return
    amount = min(amount, held.amount)
    balance = account.balance(held.asset)
    held.amount -= amount
    balance.locked -= amount
    balance.free += amount


def fill(
    account: SpotAccount,
    rules: SymbolRules,
    order: Order,
    price: Decimal,
    qty: Decimal,
    maker: bool,
    trade_id: int,
    now: int,
) -> tuple[Decimal, str]:
    """Settle one fill of ``order``: balances, the order's totals and the account's trade list.

    Returns the commission and its asset.
    """
    quote = price * qty
    rate = account.maker_rate if maker else account.taker_rate
    held = order.lock
    balances = account.wallet.balances
    base_balance = balances.get(rules.base) or account.balance(rules.base)
    quote_balance = balances.get(rules.quote) or account.balance(rules.quote)
    buyer = order.side == "BUY"
    if buyer:
        commission = (qty * rate).quantize(EIGHT, ROUND_HALF_UP)
        asset = rules.base
        quote_balance.locked -= quote
        if held is not None:
            held.amount -= quote
            limit = order.price
            if limit > price and held.holders == 1:
                refund = min((limit - price) * qty, held.amount)
                held.amount -= refund
                quote_balance.locked -= refund
                quote_balance.free += refund
        base_balance.free += qty - commission
    else:
        commission = (quote * rate).quantize(EIGHT, ROUND_HALF_UP)
        asset = rules.quote
        base_balance.locked -= qty
        if held is not None:
            held.amount -= qty
        quote_balance.free += quote - commission
    order.executed += qty
    order.cum_quote += quote
    order.update_time = now
    account.update_time = now
    trades = account.trades.get(order.symbol)
    if trades is None:
        trades = account.trades[order.symbol] = []
    trades.append(
        AccountTrade(
            trade_id,
            order.order_id,
            order.order_list_id,
            price,
            qty,
            quote,
            commission,
            asset,
            now,
            buyer,
            maker,
        )
    )
    return commission, asset


__all__ = ["fill", "lock", "reduce", "release", "top_up"]
