"""Keyset pagination: stable, index-friendly pages at any depth (never OFFSET on big tables).

A cursor is an opaque, URL-safe token holding the ordering values of the last row of a page.
Usage in a query function::

    page = keyset_page(qs, order=("-submitted_at", "-id"), after=cursor, limit=50)
    page.items, page.next_cursor

The ordering must end with a unique column (normally the primary key) so that ties are broken.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldError, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.lib.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 200


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    limit: int


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": "dt", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"t": "d", "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"t": "dec", "v": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        kind, raw = value.get("t"), value.get("v")
        if kind == "dt":
            return dt.datetime.fromisoformat(raw)
        if kind == "d":
            return dt.date.fromisoformat(raw)
        if kind == "dec":
            return decimal.Decimal(raw)
        raise ValueError("bad cursor value")
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor() -> InvalidInput:
    return InvalidInput(_("分页游标无效，请从第一页重新开始。"), fields={"cursor": _("无效的游标")})


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != size:
            raise ValueError("wrong size")
        decoded = [_decode_value(v) for v in values]
    except (ValueError, TypeError, json.JSONDecodeError):
        raise _bad_cursor() from None
    # Only scalars come out of encode_cursor(); anything else was made by hand.
    if any(isinstance(v, list | dict) for v in decoded):
        raise _bad_cursor()
    return decoded


def _after_q(order: tuple[str, ...], values: list[Any]) -> Q:
    """Build (a > x) OR (a = x AND b > y) ... respecting each column's direction.

    The whole condition is also bounded by a >= x (a <= x when descending): it changes nothing in the
    result, but it gives the database a plain range on the leading column, so a deep page seeks straight
    into the index instead of filtering every row before the cursor.
    """
    condition = Q()
    for index, field in enumerate(order):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[index]})
        for prev_field, prev_value in zip(order[:index], values[:index], strict=True):
            step &= Q(**{prev_field.lstrip("-"): prev_value})
        condition |= step
    if len(order) > 1:
        first = order[0]
        bound = "lte" if first.startswith("-") else "gte"
        condition = Q(**{f"{first.lstrip('-')}__{bound}": values[0]}) & condition
    return condition


def _value_of(item: Any, field: str) -> Any:
    value = item
    for part in field.lstrip("-").split("__"):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def clamp_limit(limit: int | None, default: int = 50) -> int:
    if limit is None:
        return default
    if limit < 1 or limit > MAX_LIMIT:
        raise InvalidInput(_("每页数量应在1到%(max)s之间。") % {"max": MAX_LIMIT}, fields={"limit": _("超出范围")})
    return limit


def keyset_page(qs: QuerySet, *, order: tuple[str, ...], after: str | None, limit: int | None) -> Page:
    """Return one page of qs ordered by `order`, starting after the cursor."""
    size = clamp_limit(limit)
    qs = qs.order_by(*order)
    if after:
        try:
            qs = qs.filter(_after_q(order, decode_cursor(after, len(order))))
        except (ValueError, TypeError, ValidationError, FieldError):
            # A well-formed cursor whose values do not fit the columns (an id that is not a number...).
            raise _bad_cursor() from None
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([_value_of(rows[-1], f) for f in order]) if has_more and rows else None
    return Page(items=rows, next_cursor=next_cursor, limit=size)


def keyset_page_by_keys(
    qs: QuerySet,
    *,
    order: tuple[str, ...],
    after: str | None,
    limit: int | None,
    fetch: Callable[[list[Any]], QuerySet],
) -> Page:
    """Return one page like keyset_page(), cut on the ordering columns and primary keys alone.

    The database then sorts narrow keys — from an index when it can — instead of whole joined rows;
    `fetch(pks)` loads the page's rows (a queryset filtered by ``pk__in=pks``, with its
    select_related/prefetch_related), which are returned in page order.
    """
    fields = [field.lstrip("-") for field in order]
    keys = keyset_page(qs.values("pk", *fields), order=order, after=after, limit=limit)
    pks = [key["pk"] for key in keys.items]
    by_pk = {row.pk: row for row in fetch(pks)} if pks else {}
    return Page(items=[by_pk[pk] for pk in pks if pk in by_pk], next_cursor=keys.next_cursor, limit=keys.limit)
