"""How the emulator writes decimals: never an exponent, never ``-0``; plain digits (futures) or exactly
8 decimals (spot).

``text`` takes ``str`` of the decimal when that is already plain and falls back to ``format(value,
"f")`` otherwise; these cases are the ones where ``str`` would have written an exponent.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from binance_emulator._text import eight, short8, text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("60123.4", "60123.4"),
        ("0.002", "0.002"),
        ("120.24680", "120.24680"),
        ("0", "0"),
        ("-0", "0"),
        ("-0E-8", "0.00000000"),
        ("0E-8", "0.00000000"),
        ("1E+1", "10"),
        ("2.5E+3", "2500"),
        ("1E-7", "0.0000001"),
        ("-1.5E-9", "-0.0000000015"),
        ("0.000001", "0.000001"),
    ],
)
def test_text_never_writes_an_exponent(value: str, written: str) -> None:
    assert text(Decimal(value)) == written


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=-(10**12), max_value=10**12))
def test_text_reads_back_as_the_same_value(value: Decimal) -> None:
    written = text(value)
    assert "E" not in written and "e" not in written
    assert not written.startswith("-0") or Decimal(written) != 0
    assert Decimal(written) == value


def test_short8_rounds_to_eight_decimals_and_drops_trailing_zeros() -> None:
    assert short8(Decimal("60123.400000004")) == "60123.4"
    assert short8(Decimal("0.000000005")) == "0"  # half to even
    assert short8(Decimal("0.000000015")) == "0.00000002"
    assert short8(Decimal("1E+2")) == "100"


@pytest.mark.parametrize(
    ("value", "written"),
    [("0.01", "0.01000000"), ("-0", "0.00000000"), ("0E-12", "0.00000000"), ("1E+2", "100.00000000")],
)
def test_eight_writes_exactly_eight_decimals(value: str, written: str) -> None:
    assert eight(Decimal(value)) == written
