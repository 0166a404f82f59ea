"""The three-rates dashboard: month figures, league tables, 每月一题 candidates and charts (rollups only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals import metrics
from gongzhi.units.queries import access_unit
from gongzhi.web.errors import staff_view


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def trend_chart(points: list[dict[str, Any]]) -> dict[str, Any]:
    months = [p["month"] for p in points]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 48, "top": 40, "bottom": 32},
        "xAxis": {"type": "category", "data": months},
        "yAxis": [
            {"type": "value", "name": _("件")},
            {"type": "value", "name": "%", "min": 0, "max": 100},
        ],
        "series": [
            {"name": _("受理量"), "type": "bar", "data": [p["received"] for p in points]},
            {
                "name": _("响应率"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_percent(p["response_rate"]) for p in points],
            },
            {
                "name": _("解决率"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_percent(p["resolution_rate"]) for p in points],
            },
            {
                "name": _("满意率"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_percent(p["satisfaction_rate"]) for p in points],
            },
        ],
        "aria": {"enabled": True},
    }


def league_chart(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    ranked = [r for r in rows if r["score"] is not None][:15]
    ranked.reverse()
    return {
        "title": {"text": title, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 120, "right": 24, "top": 36, "bottom": 24},
        "xAxis": {"type": "value", "min": 0, "max": 100},
        "yAxis": {"type": "category", "data": [r["name"] for r in ranked]},
        "series": [{"name": _("综合得分"), "type": "bar", "data": [r["score"] for r in ranked]}],
        "aria": {"enabled": True},
    }


def category_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    items = list(reversed(rows))
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 110, "right": 24, "top": 16, "bottom": 24},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [f"{r['code']} {r['name']}" for r in items]},
        "series": [{"name": _("受理量"), "type": "bar", "data": [r["received"] for r in items]}],
        "aria": {"enabled": True},
    }


@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """Month figures for the user's reach (or a unit in it), read from the daily rollups."""
    access.check_any(request.user, "appeals.metrics")
    month = metrics.parse_month(request.GET.get("month"))
    unit = access_unit(request.user, request.GET["unit"], perm="units.view") if request.GET.get("unit") else None
    report = metrics.month_report(request.user, month=month, unit=unit)
    points = metrics.trend(request.user, months=12, unit=unit, until=month)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    return render(
        request,
        "appeals/dashboard.html",
        {
            "report": report,
            "month": month,
            "unit": unit,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}" if following <= this_month else None,
            "trend_chart": trend_chart(points),
            "street_chart": league_chart(report["streets"], _("街道（乡镇）综合得分")) if report["streets"] else None,
            "category_chart": category_chart(report["top_categories"]) if report["top_categories"] else None,
            "points": points,
        },
    )
