"""``user_code.py`` passes ``mypy --strict``: the public types carry users through REST answers, stream
events and the order book without casts; and a mistake in such code is caught (the check can fail)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def mypy(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_user_code_passes_mypy_strict() -> None:
    result = mypy(HERE / "user_code.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_use_is_caught(tmp_path: Path) -> None:
    """A list answer used as one object, and a stream event used as another event: both are errors."""
    wrong = tmp_path / "wrong_code.py"
    wrong.write_text(
        "from decimal import Decimal\n"
        "from binance_openapi import UsdM\n"
        "from binance_openapi.ws import MarketStream\n"
        "def price(client: UsdM) -> Decimal:\n"
        "    return client.price_ticker().price\n"
        "async def mark() -> Decimal:\n"
        "    async for message in MarketStream('usdm', ['btcusdt@markPrice']):\n"
        "        return message.event.mark_price\n"
        "    return Decimal(0)\n",
        encoding="utf-8",
    )
    result = mypy(wrong)
    assert result.returncode == 1, result.stdout
    assert 'Item "list[PriceTicker]" of' not in result.stdout  # the overload chose the list: no union
    assert '"list[PriceTicker]" has no attribute "price"' in result.stdout
    assert 'has no attribute "mark_price"' in result.stdout
