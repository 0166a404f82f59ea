"""Exports: iCalendar for meetings, Chinese PDFs for notices, minutes and resolutions, Excel for lists."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi import access
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.models import Meeting, Resolution, Topic
from gongzhi.deliberation.workflow import TopicStatus
from gongzhi.lib.excel import xlsx_response
from gongzhi.lib.pdf import ChineseDocument, pdf_response
from gongzhi.web.errors import html_errors, staff_view


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never splitting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > 75:
            out.append(current.decode("utf-8"))
            current = b" " + encoded
        else:
            current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def meeting_ics_text(meeting: Meeting, host: str) -> str:
    end = meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2)
    status = "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED"
    agenda = "\n".join(f"{i.position}. {i.title}" for i in queries.meeting_items(meeting))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Gongzhi//Deliberation//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{_ics_time(timezone.now())}",
        f"DTSTART:{_ics_time(meeting.starts_at)}",
        f"DTEND:{_ics_time(end)}",
        f"SUMMARY:{_ics_text(meeting.title)}",
        f"LOCATION:{_ics_text(meeting.place)}",
        f"DESCRIPTION:{_ics_text(meeting.get_kind_display() + ' · ' + meeting.body.name + chr(10) + agenda)}",
        f"STATUS:{status}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


@staff_view
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.access_meeting(request.user, meeting_id)
    response = HttpResponse(meeting_ics_text(meeting, request.get_host()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def notice_pdf(meeting: Meeting) -> ChineseDocument:
    doc = ChineseDocument(title=meeting.title, footer=meeting.body.name)
    doc.heading(_("会议通知"))
    doc.fields(
        [
            (_("会议"), meeting.title),
            (_("类型"), meeting.get_kind_display()),
            (_("召集"), f"{meeting.body.name} · {meeting.convener.name}"),
            (_("时间"), timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")),
            (_("地点"), meeting.place),
        ]
    )
    if meeting.urgent:
        doc.paragraph(_("紧急召开理由：%(r)s") % {"r": meeting.urgent_reason})
    doc.subheading(_("议程"))
    for item in queries.meeting_items(meeting):
        doc.paragraph(f"{item.position}. {item.title}")
    if meeting.notice_text:
        doc.paragraph(meeting.notice_text)
    doc.subheading(_("受邀人员"))
    doc.paragraph("、".join(f"{i.name}（{i.get_kind_display()}）" for i in meeting.invitees.all()) or "—")
    sent = timezone.localtime(meeting.notice_sent_at).strftime("%Y-%m-%d") if meeting.notice_sent_at else ""
    doc.paragraph(_("通知发出日期：%(d)s") % {"d": sent})
    return doc


@staff_view
def meeting_notice_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.access_meeting(request.user, meeting_id)
    return pdf_response(notice_pdf(meeting), f"会议通知-{meeting.number}.pdf")


def minutes_pdf(meeting: Meeting) -> ChineseDocument:
    doc = ChineseDocument(title=meeting.title, footer=meeting.body.name)
    doc.heading(_("会议纪要"))
    q = actions.quorum(meeting)
    doc.fields(
        [
            (_("会议"), meeting.title),
            (_("时间"), timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")),
            (_("地点"), meeting.place),
            (
                _("出席"),
                _("应到%(m)s人，实到%(p)s人（法定人数%(r)s人）") % {"m": q.members, "p": q.present, "r": q.required},
            ),
        ]
    )
    attendees = "、".join(a.user.name for a in meeting.attendances.select_related("user"))
    doc.paragraph(_("签到：%(names)s") % {"names": attendees or "—"})
    for item in queries.meeting_items(meeting):
        doc.subheading(f"{item.position}. {item.title}（{item.get_status_display()}）")
        if item.motion:
            doc.paragraph(_("表决事项：%(m)s") % {"m": item.motion})
        if item.minutes:
            doc.paragraph(item.minutes)
        if item.consensus:
            doc.paragraph(_("协商共识：%(c)s") % {"c": item.consensus})
        if item.result:
            doc.paragraph(
                _("表决（%(kind)s）：赞成%(f)s，反对%(a)s，弃权%(b)s；通过需%(r)s票；结果：%(res)s")
                % {
                    "kind": _("无记名") if item.secret else _("记名"),
                    "f": item.votes_for,
                    "a": item.votes_against,
                    "b": item.votes_abstain,
                    "r": item.required_for,
                    "res": item.get_result_display(),
                }
            )
    if meeting.summary:
        doc.subheading(_("总述"))
        doc.paragraph(meeting.summary)
    return doc


@staff_view
def meeting_minutes_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.access_meeting(request.user, meeting_id)
    return pdf_response(minutes_pdf(meeting), f"会议纪要-{meeting.number}.pdf")


def resolution_pdf_doc(resolution: Resolution) -> ChineseDocument:
    doc = ChineseDocument(title=resolution.title, footer=resolution.body.name)
    doc.heading(_("决议"))
    doc.fields(
        [
            (_("编号"), resolution.number or ""),
            (_("标题"), resolution.title),
            (_("议事机构"), resolution.body.name),
            (_("会议"), resolution.meeting.title),
            (_("状态"), resolution.get_status_display()),
        ]
    )
    doc.paragraph(resolution.text)
    if resolution.legal_opinion:
        doc.paragraph(_("法律审查意见：%(o)s") % {"o": resolution.legal_opinion})
    commitments = list(queries.resolution_commitments(resolution))
    if commitments:
        doc.subheading(_("办理事项"))
        doc.table(
            [pgettext("commitment", "事项"), _("责任"), _("时限"), _("状态")],
            [[c.title, c.owner_label, c.deadline.isoformat(), c.get_status_display()] for c in commitments],
            widths=[60, 50, 30, 30],
        )
    if resolution.post_until:
        doc.paragraph(
            _("公示期至%(d)s。对公示内容有异议的，请在公示期内提出。") % {"d": resolution.post_until.isoformat()}
        )
    return doc


@html_errors
def resolution_pdf(request: HttpRequest, resolution_id: int) -> HttpResponse:
    resolution = queries.access_resolution(request.user, resolution_id)
    return pdf_response(resolution_pdf_doc(resolution), f"决议-{resolution.number}.pdf")


@staff_view
def topic_export(request: HttpRequest) -> HttpResponse:
    """The staff topic list as Excel (the same filters, at most 50,000 rows)."""
    access.check_any(request.user, "deliberation.screen")
    qs = queries.topics_visible(request.user)
    status = request.GET.get("status", "")
    if status in TopicStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("q", "").strip():
        qs = qs.filter(title__icontains=request.GET["q"].strip())
    rows = (
        [
            t.number,
            t.title,
            t.body.name,
            t.get_level_display() if hasattr(t, "get_level_display") else t.level,
            t.get_source_display(),
            t.get_stage_display(),
            t.get_status_display(),
            t.cosign_count,
            t.created_at,
            t.decision_reason,
        ]
        for t in qs.order_by("-id")[:50000].iterator(chunk_size=2000)
    )
    headers = [
        _("编号"),
        _("标题"),
        _("议事机构"),
        _("层级"),
        _("来源"),
        _("阶段"),
        _("状态"),
        _("联署人数"),
        _("提出时间"),
        _("筛选意见"),
    ]
    return xlsx_response("topics", _("议题"), headers, rows)


@staff_view
def commitment_export(request: HttpRequest) -> HttpResponse:
    qs = queries.commitments_for(
        request.user, status=request.GET.get("status", "") if request.GET.get("status") else ""
    )
    rows = (
        [c.resolution.number, c.title, c.owner_label, c.deadline, c.get_status_display(), c.closed_at, c.findings]
        for c in qs[:50000]
    )
    headers = [
        _("决议编号"),
        pgettext("commitment", "事项"),
        _("责任"),
        _("时限"),
        _("状态"),
        _("销号时间"),
        _("核查意见"),
    ]
    return xlsx_response("commitments", _("办理事项"), headers, rows)


@staff_view
def meeting_export(request: HttpRequest) -> HttpResponse:
    qs = queries.meeting_list(request.user)
    rows = (
        [m.number, m.title, m.get_kind_display(), m.body.name, m.starts_at, m.place, m.get_status_display()]
        for m in qs[:50000]
    )
    headers = [_("编号"), _("会议"), _("类型"), _("议事机构"), _("时间"), _("地点"), _("状态")]
    return xlsx_response("meetings", _("会议"), headers, rows)


__all__ = ["Topic"]
