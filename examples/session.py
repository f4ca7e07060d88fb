"""A real trading session against the local exchange: the project's main job (``make demo``).

It starts the emulator in its own process (``python -m binance_emulator``) on a free loopback port, reads
the test keys it writes, and drives it through the clients, printing what happens: the clock, exchange
rules, spot orders placed, queried, cancelled and filled, a transfer from the spot wallet to the USDⓈ-M
wallet, a futures position and its funding payment, COIN-M, and the migration guides' hedge (a spot buy
and a futures short placed concurrently through the async clients). It ends with the kill switch: every
open order (plain, conditional, spot) cancelled and every position closed, with its report. Then it
stops the emulator.

Times are printed as ISO 8601 in UTC and amounts as plain digits (``0.00001``, never ``1E-5``).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from binance_openapi import (
    AsyncSpot,
    AsyncUsdM,
    BinanceError,
    CoinM,
    Ed25519Key,
    HmacKey,
    RsaKey,
    Spot,
    UsdM,
)
from binance_openapi.safety import kill_switch

SYMBOL = "BTCUSDT"


def say(text: str) -> None:
    print(text, flush=True)


def step(title: str) -> None:
    say(f"\n== {title}")


def amount(value: object) -> str:
    """A Decimal in plain digits without trailing zeros (``0.01000000`` -> ``0.01``, never ``1E-7``)."""
    if not isinstance(value, Decimal | int):
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def when(epoch_ms: object) -> str:
    """Epoch milliseconds as ISO 8601 in UTC (``2026-12-07T11:20:00.123Z``)."""
    if not isinstance(epoch_ms, int):
        return str(epoch_ms)
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def emulator(keys_dir: Path) -> Iterator[str]:
    """Run ``python -m binance_emulator`` until the block ends; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "binance_emulator", "--port", str(port), "--keys-dir", str(keys_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"the emulator exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(f"{base}/api/v3/ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start within 60 s")
            time.sleep(0.1)
        say(f"emulator running at {base} (pid {process.pid})")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        clean = process.returncode in (0, -signal.SIGTERM)
        say(f"\nemulator stopped ({'clean shutdown' if clean else f'exit code {process.returncode}'})")


def load_keys(keys_dir: Path) -> dict[str, Any]:
    """The emulator's test keys as client keys: HMAC, RSA and Ed25519."""
    entries = json.loads((keys_dir / "keys.json").read_text())["keys"]
    trading = [e for e in entries if e["can_trade"]]
    by_kind = {e["kind"]: e for e in trading}
    return {
        "hmac": HmacKey(by_kind["HMAC"]["api_key"], by_kind["HMAC"]["secret"]),
        "rsa": RsaKey.from_file(by_kind["RSA"]["api_key"], keys_dir / by_kind["RSA"]["private_key_file"]),
        "ed25519": Ed25519Key.from_file(
            by_kind["ED25519"]["api_key"], keys_dir / by_kind["ED25519"]["private_key_file"]
        ),
    }


def balances(spot: Spot, *assets: str) -> str:
    found = {b.asset: b for b in spot.account().balances if b.asset in assets}
    return ", ".join(
        f"{a} free {amount(found[a].free)} locked {amount(found[a].locked)}" for a in assets if a in found
    )


def spot_session(base: str, keys: dict[str, Any]) -> None:
    with Spot(key=keys["hmac"], base_url=base) as spot:
        step("Clock and exchange rules (spot, HMAC key)")
        server = spot.server_time().server_time
        spot.account()  # the first signed call measures the clock
        say(f"server time {when(server)}; measured offset to this machine {spot.clock.offset_ms:.1f} ms")
        rules = spot.symbol_rules(SYMBOL)
        assert rules.price_filter is not None
        assert rules.lot_size is not None
        say(f"{SYMBOL}: tick {amount(rules.price_filter.tick_size)}, step {amount(rules.lot_size.step_size)}")
        book = spot.order_book(symbol=SYMBOL, limit=5)
        best_bid, best_ask = book.bids[0].price, book.asks[0].price
        say(f"order book: best bid {amount(best_bid)}, best ask {amount(best_ask)}")

        step("A limit order below the market: placed, queried, cancelled")
        price = rules.round_price(best_bid * Decimal("0.95"))
        order = spot.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("0.01"),
            price=price,
        )
        say(
            f"placed {order.client_order_id}: {order.side} {amount(order.orig_qty)} @ {amount(order.price)} "
            f"-> {order.status}"
        )
        say(f"balances: {balances(spot, 'USDT', 'BTC')}")
        queried = spot.query_order(symbol=SYMBOL, orig_client_order_id=order.client_order_id)
        say(f"queried: status {queried.status}, executed {amount(queried.executed_qty)}")
        cancelled = spot.cancel_order(symbol=SYMBOL, orig_client_order_id=order.client_order_id)
        say(f"cancelled: status {cancelled.status}; balances: {balances(spot, 'USDT', 'BTC')}")

        step("A market order that fills")
        filled = spot.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.02"))
        fills = filled.fills if isinstance(filled.fills, list) else []
        say(
            f"{filled.status}: executed {amount(filled.executed_qty)} BTC "
            f"for {amount(filled.cummulative_quote_qty)} USDT"
        )
        for fill in fills:
            say(
                f"  fill {amount(fill.qty)} @ {amount(fill.price)}, "
                f"commission {amount(fill.commission)} {fill.commission_asset}"
            )
        say(f"balances: {balances(spot, 'USDT', 'BTC')}")

        step("Two mistakes and what the client says about them")
        mistakes: list[dict[str, Any]] = [
            {"symbol": "btcusdt", "price": price},  # Binance refuses it: -1121
            {"symbol": SYMBOL, "price": price + Decimal("0.005")},  # refused before sending: tick size
        ]
        for mistake in mistakes:
            try:
                spot.new_order(
                    side="BUY", type="LIMIT", time_in_force="GTC", quantity=Decimal("0.01"), **mistake
                )
            except BinanceError as error:
                say(f"{type(error).__name__}: {error}")

        step("Transfer 5000 USDT from the spot wallet to the USDⓈ-M wallet")
        transfer = spot.universal_transfer(type="MAIN_UMFUTURE", asset="USDT", amount=Decimal("5000"))
        say(f"transfer id {transfer.tran_id}")
        history = spot.transfer_history(type="MAIN_UMFUTURE")
        say(f"transfer history: {history.total} transfer(s); spot now {balances(spot, 'USDT')}")


def futures_session(base: str, keys: dict[str, Any]) -> None:
    with UsdM(key=keys["ed25519"], base_url=base) as usdm:
        step("USDⓈ-M futures (Ed25519 key): leverage, margin type, a position")
        leverage = usdm.change_leverage(symbol=SYMBOL, leverage=5)
        say(f"leverage {leverage.leverage}x, max notional {amount(leverage.max_notional_value)}")
        usdm.change_margin_type(symbol=SYMBOL, margin_type="ISOLATED")
        say("margin type ISOLATED")
        order = usdm.new_order(
            symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.010"), new_order_resp_type="RESULT"
        )
        say(
            f"market buy: {order.status}, executed {amount(order.executed_qty)} "
            f"@ avg {amount(order.avg_price)}"
        )
        for position in usdm.position_risk_v3(symbol=SYMBOL):
            say(
                f"position {amount(position.position_amt)} {position.symbol}: "
                f"entry {amount(position.entry_price)}, mark {amount(position.mark_price)}, "
                f"unrealized PnL {amount(position.un_realized_profit)} USDT, "
                f"liquidation {amount(position.liquidation_price)}"
            )
        rate = usdm.premium_index(symbol=SYMBOL).last_funding_rate  # one object for a symbol
        say(f"funding rate {amount(rate)}; advancing the exchange clock by 8 hours")
        httpx.post(f"{base}/emulator/time", json={"advance_ms": 8 * 3600 * 1000}, timeout=120)
        for record in usdm.income_history(symbol=SYMBOL, income_type="FUNDING_FEE"):
            say(f"funding payment: {amount(record.income)} {record.asset} at {when(record.time)}")
        closed = usdm.new_order(
            symbol=SYMBOL,
            side="SELL",
            type="MARKET",
            quantity=Decimal("0.010"),
            reduce_only=True,
            new_order_resp_type="RESULT",
        )
        say(f"closed the position: {closed.status} @ avg {amount(closed.avg_price)}")

    with CoinM(key=keys["rsa"], base_url=f"{base}/coinm") as coinm:
        step("COIN-M futures (RSA key): an inverse contract")
        contract = coinm.new_order(
            symbol="BTCUSD_PERP",
            side="BUY",
            type="MARKET",
            quantity=Decimal("1"),
            new_order_resp_type="RESULT",
        )
        filled = coinm.query_order(symbol="BTCUSD_PERP", order_id=contract.order_id)  # avgPrice: queries only
        say(
            f"bought 1 contract BTCUSD_PERP (100 USD of BTC): {contract.status} "
            f"@ avg {amount(filled.avg_price)}"
        )
        mark = coinm.premium_index(symbol="BTCUSD_PERP")[0].mark_price
        stop = coinm.new_algo_order(
            algo_type="CONDITIONAL",
            symbol="BTCUSD_PERP",
            side="SELL",
            type="STOP_MARKET",
            quantity=Decimal("1"),
            trigger_price=(mark * Decimal("0.9")).quantize(Decimal("0.1")),
            working_type="MARK_PRICE",
            reduce_only=True,
        )
        say(
            f"stop loss in the Algo Service: algo {stop.algo_id}, {stop.algo_status} "
            f"at {amount(stop.trigger_price)}"
        )
        canceled = coinm.cancel_algo_order(algo_id=stop.algo_id)
        say(f"stop loss canceled: {canceled.msg}")
        for inverse in coinm.position_risk(pair="BTCUSD"):
            if inverse.position_amt:
                say(
                    f"position {amount(inverse.position_amt)} contracts: "
                    f"entry {amount(inverse.entry_price)}, "
                    f"unrealized PnL {amount(inverse.un_realized_profit)} BTC"
                )


async def hedge(base: str, keys: dict[str, Any]) -> None:
    step("The migration guides' hedge: spot buy and futures short, concurrently (async clients)")
    async with (
        AsyncSpot(key=keys["hmac"], base_url=base) as spot,
        AsyncUsdM(key=keys["ed25519"], base_url=base) as usdm,
    ):
        quantity = Decimal("0.010")
        bought, shorted = await asyncio.gather(
            spot.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity=quantity),
            usdm.new_order(
                symbol=SYMBOL, side="SELL", type="MARKET", quantity=quantity, new_order_resp_type="RESULT"
            ),
        )
        fills = bought.fills if isinstance(bought.fills, list) else []
        spot_fee = {fill.commission_asset: Decimal(0) for fill in fills}
        for fill in fills:
            spot_fee[fill.commission_asset] += fill.commission
        trades = await usdm.user_trades(symbol=SYMBOL, order_id=shorted.order_id)
        futures_fee = {trade.commission_asset: Decimal(0) for trade in trades}
        for trade in trades:
            futures_fee[trade.commission_asset] += trade.commission
        bought_qty = bought.executed_qty if isinstance(bought.executed_qty, Decimal) else Decimal(0)
        sold_qty = shorted.executed_qty if isinstance(shorted.executed_qty, Decimal) else Decimal(0)
        received = bought_qty - spot_fee.get("BTC", Decimal(0))  # a BTC commission comes out of the buy

        def fees(paid: dict[str, Decimal]) -> str:
            return ", ".join(f"{amount(v)} {k}" for k, v in sorted(paid.items())) or "none"

        say(
            f"spot: bought {amount(bought_qty)} BTC ({bought.status}), commission {fees(spot_fee)}: "
            f"{amount(received)} BTC received"
        )
        say(f"futures: sold {amount(sold_qty)} BTC ({shorted.status}), commission {fees(futures_fee)}")
        say(
            f"net BTC exposure after commissions: {amount(received)} - {amount(sold_qty)} = "
            f"{amount(received - sold_qty)} BTC"
        )


def kill(base: str, keys: dict[str, Any]) -> None:
    step("The kill switch: cancel every order, close every position, sell the BTC back to USDT")
    with (
        Spot(key=keys["hmac"], base_url=base) as spot,
        UsdM(key=keys["ed25519"], base_url=base) as usdm,
        CoinM(key=keys["rsa"], base_url=f"{base}/coinm") as coinm,
    ):
        mark = usdm.premium_index(symbol=SYMBOL).mark_price
        usdm.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("0.010"),
            price=usdm.symbol_rules(SYMBOL).round_price(mark * Decimal("0.97")),
        )
        usdm.new_algo_order(
            algo_type="CONDITIONAL",
            symbol=SYMBOL,
            side="BUY",
            type="STOP_MARKET",
            quantity=Decimal("0.010"),
            trigger_price=usdm.symbol_rules(SYMBOL).round_price(mark * Decimal("1.1")),
            working_type="MARK_PRICE",
            reduce_only=True,
        )
        bid = spot.order_book(symbol=SYMBOL, limit=5).bids[0].price
        spot.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("0.01"),
            price=spot.symbol_rules(SYMBOL).round_price(bid * Decimal("0.9")),
        )
        held = [(p.symbol, p.position_amt) for p in usdm.position_risk_v3() if p.position_amt]
        held += [(p.symbol, p.position_amt) for p in coinm.position_risk() if p.position_amt]
        say(
            f"before: {len(usdm.open_orders())} USDⓈ-M order(s), {len(usdm.open_algo_orders())} algo "
            f"order(s), {len(spot.open_orders())} spot order(s), "
            + ", ".join(f"{symbol} {amount(size)}" for symbol, size in held)
        )
        report = kill_switch(spot, usdm, coinm, spot_sell=["BTC"], deadline=30)
        say(str(report))
        left = [p.symbol for p in usdm.position_risk_v3() if p.position_amt]
        left += [p.symbol for p in coinm.position_risk() if p.position_amt]
        say(
            f"after: {len(usdm.open_orders()) + len(coinm.open_orders()) + len(spot.open_orders())} open "
            f"order(s), {len(usdm.open_algo_orders()) + len(coinm.open_algo_orders())} algo order(s), "
            f"{len(left)} position(s); balances: {balances(spot, 'USDT', 'BTC')}"
        )


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="binance-emulator-") as folder:
        keys_dir = Path(folder)
        with emulator(keys_dir) as base:
            keys = load_keys(keys_dir)
            spot_session(base, keys)
            futures_session(base, keys)
            asyncio.run(hedge(base, keys))
            kill(base, keys)
    say(f"\nsession done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
