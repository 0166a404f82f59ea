"""Pages for browsing audit events in the actor's units."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.audit import queries
from gongzhi.lib.errors import InvalidInput
from gongzhi.web.errors import staff_view


def _day(value: str, field: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(fields={field: _("日期格式应为YYYY-MM-DD。")}) from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@staff_view
def event_list(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "audit.view")
    since = _day(request.GET.get("since", ""), "since")
    until = _day(request.GET.get("until", ""), "until")
    if until is not None:
        until += dt.timedelta(days=1)
    page = queries.event_page(
        request.user,
        after=request.GET.get("cursor") or None,
        limit=50,
        action=request.GET.get("action", "").strip(),
        target_type=request.GET.get("target_type", "").strip(),
        target_id=request.GET.get("target_id", "").strip(),
        since=since,
        until=until,
    )
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "params": request.GET, "can_verify": access.has_any(request.user, "audit.verify")},
    )


@staff_view
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = queries.access_event(request.user, event_id)
    return render(request, "audit/event_detail.html", {"event": event})


@staff_view
def chain_check(request: HttpRequest) -> HttpResponse:
    from gongzhi.audit.chain import verify

    access.check_any(request.user, "audit.verify")
    result = verify() if request.method == "POST" else None
    return render(request, "audit/verify.html", {"result": result})
