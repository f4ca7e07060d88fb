"""``python -m binance_openapi kill`` against the emulator: keys from the environment, the confirmation,
the report on stdout, the exit codes, and no secret in anything printed."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal as D

import pytest

from binance_openapi import CoinM, UsdM
from binance_openapi.__main__ import main as run_command
from tests.e2e.conftest import Venue, serve_venue
from tests.safety.kill_support import COINM, PRICE, USDM, ladder, open_everything, records, trader


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.set_price("usdm", USDM, str(PRICE))
        venue.set_price("coinm", COINM, str(PRICE))
        key = venue.user("cli-maker", usdm={"USDT": "100000000"}, coinm={"BTC": "100000"})
        with venue.client(UsdM, key) as usdm, venue.client(CoinM, key) as coinm:
            ladder(venue, (usdm, coinm))
        yield venue


def environment(monkeypatch: pytest.MonkeyPatch, user: str) -> tuple[str, str]:
    """The testnet variables the contract tests use, holding an emulator user's key (``Venue.user``
    derives it from the user's name); returns the API key and the secret."""
    api_key = hashlib.sha256(f"e2e-key-{user}".encode()).hexdigest()
    secret = hashlib.sha256(f"e2e-secret-{user}".encode()).hexdigest()
    for name in list(os.environ):
        if name.startswith("BINANCE_") and name != "BINANCE_OPENAPI_STRICT":
            monkeypatch.delenv(name)
    for account in ("SPOT", "FUTURES"):
        monkeypatch.setenv(f"BINANCE_TESTNET_{account}_API_KEY", api_key)
        monkeypatch.setenv(f"BINANCE_TESTNET_{account}_API_SECRET", secret)
    return api_key, secret


def command(venue: Venue, *extra: str) -> list[str]:
    urls = [f"spot={venue.url}", f"usdm={venue.url}", f"coinm={venue.coinm_url}"]
    return [
        "kill",
        "--network",
        "testnet",
        *(f"--base-url={url}" for url in urls),
        "--deadline",
        "20",
        *extra,
    ]


def test_refused_confirmation_does_nothing(
    venue: Venue, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    t = trader(venue, "cli-refused")
    try:
        opened = open_everything(t, hedge=False)
        api_key, secret = environment(monkeypatch, t.user)
        monkeypatch.setattr(sys, "stdin", io.StringIO("no\n"))
        assert run_command(command(venue)) == 1
        out, err = capsys.readouterr()
        assert "Type KILL or yes" in err and "nothing was done" in err and out == ""
        assert secret not in out + err and api_key not in out + err
        after = records(venue, "usdm", t.user)
        assert (after.open_orders, after.open_algos) == (opened["usdm"]["orders"], opened["usdm"]["algos"])
        assert after.positions == {("BTCUSDT", "BOTH"): D("0.5")}
    finally:
        t.close()


@pytest.mark.parametrize("confirm", ["--yes", "KILL"])
def test_the_command_flattens_and_prints_its_report(
    venue: Venue, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], confirm: str
) -> None:
    t = trader(venue, f"cli-{confirm}")
    try:
        open_everything(t, hedge=True)
        api_key, secret = environment(monkeypatch, t.user)
        extra = ["--yes"] if confirm == "--yes" else []
        monkeypatch.setattr(sys, "stdin", io.StringIO("" if extra else "KILL\n"))
        code = run_command(command(venue, "--sell", "BTC", *extra))
        out, err = capsys.readouterr()
        assert code == 0, out + err
        assert out.startswith("kill switch: FLAT") and "closed 5 position(s)" in out
        assert ("Type KILL" in err) is (confirm == "KILL")
        assert secret not in out + err and api_key not in out + err
        for product in ("usdm", "coinm"):
            found = records(venue, product, t.user)
            assert (found.open_orders, found.open_algos, found.positions) == (0, 0, {})
        assert t.spot.open_orders() == []
    finally:
        t.close()


def test_usage_errors_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("BINANCE_API_KEY", "BINANCE_TESTNET_FUTURES_API_KEY", "BINANCE_MAINNET_FUTURES_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert run_command(["kill", "--products", "usdm"]) == 2
    assert "give --network" in capsys.readouterr().err
    assert run_command(["kill", "--network", "mainnet", "--products", "usdm"]) == 2
    err = capsys.readouterr().err
    assert "BINANCE_MAINNET_FUTURES_API_KEY or BINANCE_API_KEY" in err
    assert run_command(["kill", "--network", "demo", "--products", "usdm", "--sell", "BTC"]) == 2
    assert "--sell needs spot" in capsys.readouterr().err
    assert run_command(["kill", "--base-url", "nowhere"]) == 2
    with pytest.raises(SystemExit) as bad:
        run_command(["kill", "--network", "moon"])
    assert bad.value.code == 2


def test_the_command_is_listed() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "binance_openapi", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "kill" in listed.stdout
