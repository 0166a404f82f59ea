"""Money is Decimal yuan with two places; floats, NaN and infinities are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.money import CENT, format_yuan, to_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", Decimal("12.00")),
        (12, Decimal("12.00")),
        ("0.005", Decimal("0.01")),  # half up, not banker's rounding
        ("0.015", Decimal("0.02")),
        ("2.675", Decimal("2.68")),
        ("-0.005", Decimal("-0.01")),
        (Decimal("1.234"), Decimal("1.23")),
        (" 3.1 ", Decimal("3.10")),
        ("1e3", Decimal("1000.00")),
    ],
)
def test_amounts_are_quantized_to_cents_half_up(value, expected):
    amount = to_money(value)
    assert amount == expected
    assert amount.as_tuple().exponent == CENT.as_tuple().exponent


@pytest.mark.parametrize("value", [0.1, 1.0])
def test_a_float_is_refused_naming_the_field(value):
    with pytest.raises(InvalidInput) as caught:
        to_money(value, field="price")
    assert "price" in caught.value.fields


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "-inf", "1,000", None, [1]])
def test_a_malformed_amount_is_refused(value):
    with pytest.raises(InvalidInput) as caught:
        to_money(value)
    assert "amount" in caught.value.fields


def test_format_yuan_groups_thousands():
    assert format_yuan(Decimal("1234567.5")) == "¥1,234,567.50"
