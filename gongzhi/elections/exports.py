"""Exports: the voter roll and results as Excel, the voting window as iCalendar (RFC 5545)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.elections import actions, queries
from gongzhi.elections.models import Election
from gongzhi.lib.excel import xlsx_response

ROLL_EXPORT_LIMIT = 100_000


def roll_xlsx(actor: Any, election: Election) -> HttpResponse:
    """The voter roll with masked identity numbers (the export itself is audited)."""
    actions.roll_export_record(actor=actor, election=election)
    qs = queries.roll_filter(actor, election, status="").order_by("number")[:ROLL_EXPORT_LIMIT]
    rows = (
        [
            e.number,
            e.name,
            e.unit.name,
            e.household.number if e.household_id else "",
            e.resident.identity_masked if e.resident_id else "",
            e.get_status_display(),
            e.get_source_display(),
            e.reason,
            _("是") if hasattr(e, "receipt") else _("否"),
        ]
        for e in qs
    )
    headers = [
        _("选民编号"),
        _("姓名"),
        _("所在单位"),
        _("户号"),
        _("身份证号码"),
        _("状态"),
        _("来源"),
        _("补登或移出原因"),
        _("已投票"),
    ]
    return xlsx_response(f"voter-roll-{election.pk}", _("选民名单"), headers, rows)


def results_xlsx(election: Election) -> HttpResponse:
    """The tally: one row per candidate, then the ballot counts."""
    rows: list[list[Any]] = [
        [r.rank, r.nomination.nominee.name, r.nomination.nominee.unit.name, r.votes, r.get_status_display()]
        for r in queries.results(election)
    ]
    rows.append([])
    rows.extend(
        [
            [_("登记选民数"), election.voters_count],
            [_("投票人数"), election.receipts_count],
            [_("收回选票数"), election.ballots_count],
            [_("有效票数"), election.valid_ballots_count],
            [_("无效票数"), election.invalid_ballots_count],
            [_("空白票数"), election.blank_ballots_count],
            [_("选举结果"), election.get_outcome_display()],
        ]
    )
    headers = [_("名次"), _("候选人"), _("所在单位"), _("得票数"), _("结果")]
    return xlsx_response(f"election-results-{election.pk}", _("选举结果"), headers, rows)


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1)."""
    out: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not out else 74):
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_ics(election: Election) -> HttpResponse:
    """The voting window (and the nomination deadline) as an iCalendar file."""
    base = settings.GONGZHI_BASE_URL
    url = base + reverse("elections:detail", args=[election.pk])
    host = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "gongzhi"
    now = _stamp(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Gongzhi//Elections//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:election-{election.pk}-voting@{host}",
        f"DTSTAMP:{now}",
        f"DTSTART:{_stamp(election.voting_starts_at)}",
        f"DTEND:{_stamp(election.voting_ends_at)}",
        f"SUMMARY:{_escape(_('投票：%(title)s') % {'title': election.title})}",
        "DESCRIPTION:"
        + _escape(
            _("%(body)s，应选%(seats)s名，任期%(start)s至%(end)s。")
            % {
                "body": election.body.name,
                "seats": election.seats,
                "start": election.term_start,
                "end": election.term_end,
            }
        ),
        f"LOCATION:{_escape(election.unit.name)}",
        f"URL:{url}",
        "STATUS:" + ("CANCELLED" if election.status == "cancelled" else "CONFIRMED"),
        "END:VEVENT",
    ]
    if election.nominations_close_at:
        lines += [
            "BEGIN:VEVENT",
            f"UID:election-{election.pk}-nominations@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(election.nominations_close_at)}",
            f"DTEND:{_stamp(election.nominations_close_at)}",
            f"SUMMARY:{_escape(_('提名截止：%(title)s') % {'title': election.title})}",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    body = "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}.ics"'
    return response
