"""Validators for Chinese identity numbers, mobile numbers and division codes."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def identity_check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_identity_number(value: str) -> str:
    return "".join(value.split()).upper()


def identity_number_error(value: str, *, today: dt.date | None = None) -> str | None:
    """Return why a resident identity number is invalid, or None when it is valid."""
    number = normalize_identity_number(value)
    if len(number) != 18:
        return _("身份证号码应为18位。")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("身份证号码前17位应为数字，最后一位为数字或X。")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("身份证号码中的出生日期无效。")
    today = today or dt.date.today()
    if born > today or born.year < 1880:
        return _("身份证号码中的出生日期无效。")
    if identity_check_digit(number[:17]) != number[17]:
        return _("身份证号码校验位不正确。")
    return None


def birth_date_from_identity(value: str) -> dt.date:
    number = normalize_identity_number(value)
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_from_identity(value: str) -> str:
    """Return "M" or "F" from the 17th digit (odd is male)."""
    return "M" if int(normalize_identity_number(value)[16]) % 2 else "F"


def normalize_mobile(value: str) -> str:
    number = re.sub(r"[\s-]", "", value)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    return number


def mobile_error(value: str) -> str | None:
    """Return why a mainland mobile number is invalid, or None when it is valid."""
    if not _MOBILE.match(normalize_mobile(value)):
        return _("手机号码应为以1开头的11位数字。")
    return None


def looks_like_mobile(value: str) -> bool:
    return bool(_MOBILE.match(normalize_mobile(value)))
