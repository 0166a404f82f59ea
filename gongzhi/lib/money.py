"""Money: Decimal yuan with two places, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gongzhi.lib.errors import InvalidInput

CENT = Decimal("0.01")


def to_money(value: object, *, field: str = "amount") -> Decimal:
    """Return a Decimal quantized to cents; refuse floats, NaN and infinities."""
    if isinstance(value, float):
        raise InvalidInput(fields={field: _("金额必须以字符串或整数提交，不能用浮点数。")})
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(fields={field: _("金额格式不正确。")}) from None
    if not amount.is_finite():
        raise InvalidInput(fields={field: _("金额格式不正确。")})
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(amount: Decimal) -> str:
    return f"¥{amount.quantize(CENT):,}"
