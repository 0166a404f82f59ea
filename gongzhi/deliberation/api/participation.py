"""Consultations on drafts, 问政·问需·问计 inquiries and proposal contests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status

from gongzhi import access
from gongzhi.api import actor
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.api.base import PREFIX, router
from gongzhi.deliberation.models import Consultation, ConsultationSection, Contest
from gongzhi.deliberation.schemas import (
    CommentEnterIn,
    CommentIn,
    CommentOut,
    ConsultationDetailOut,
    ConsultationIn,
    ConsultationOut,
    ContestDetailOut,
    ContestIn,
    ContestOut,
    ContributionIn,
    InquiryIn,
    InquiryOut,
    InquiryPageOut,
    InquiryReplyIn,
    JudgeIn,
    ModerateIn,
    PitchIn,
    PitchOut,
    ReasonIn,
    ReplyIn,
    ReportIn,
    ScoresIn,
)
from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.pagination import keyset_page
from gongzhi.lib.schemas import ERRORS, page_out
from gongzhi.units.queries import access_unit

# --- consultations -------------------------------------------------------------------------------------


def consultation_data(consultation: Consultation, who: Any) -> Consultation:
    staff = access.can(who, "deliberation.consultations_manage", consultation)
    consultation.section_list = list(consultation.sections.all())
    consultation.comment_list = list(queries.consultation_comments(consultation, staff=staff, actor=who))
    consultation.figures = queries.consultation_figures(consultation)
    return consultation


def _section(consultation: Consultation, section_id: int | None) -> ConsultationSection | None:
    if not section_id:
        return None
    section = consultation.sections.filter(pk=section_id).first()
    if section is None:
        raise InvalidInput(fields={"section_id": _("该条款不属于本次征求意见。")})
    return section


@router.get(f"{PREFIX}/consultations", response={200: list[ConsultationOut], **ERRORS}, auth=None)
def consultation_list(request: HttpRequest):
    return list(queries.public_consultations()[:200])


@router.get(f"{PREFIX}/consultations/manage", response={200: list[ConsultationOut], **ERRORS})
def consultation_manage_list(request: HttpRequest):
    return list(queries.consultations_managed(actor(request))[:200])


@router.post(f"{PREFIX}/consultations", response={201: ConsultationDetailOut, **ERRORS})
def consultation_create(request: HttpRequest, payload: ConsultationIn):
    who = actor(request)
    consultation = actions.consultation_create(
        actor=who,
        unit=access_unit(who, payload.unit_id),
        title=payload.title,
        summary=payload.summary,
        sections=[s.dict() for s in payload.sections],
        closes_on=payload.closes_on,
    )
    return Status(201, consultation_data(consultation, who))


@router.get(f"{PREFIX}/consultations/{{consultation_id}}", response={200: ConsultationDetailOut, **ERRORS}, auth=None)
def consultation_detail(request: HttpRequest, consultation_id: int):
    who = actor(request)
    return consultation_data(queries.access_consultation(who, consultation_id), who)


@router.post(f"{PREFIX}/consultations/{{consultation_id}}/open", response={200: ConsultationDetailOut, **ERRORS})
def consultation_open(request: HttpRequest, consultation_id: int):
    who = actor(request)
    consultation = actions.consultation_open(actor=who, consultation=queries.access_consultation(who, consultation_id))
    return consultation_data(consultation, who)


@router.post(f"{PREFIX}/consultations/{{consultation_id}}/comments", response={201: CommentOut, **ERRORS})
def comment_submit(request: HttpRequest, consultation_id: int, payload: CommentIn):
    who = actor(request)
    consultation = queries.access_consultation(who, consultation_id)
    comment = actions.comment_submit(
        actor=who, consultation=consultation, text=payload.text, section=_section(consultation, payload.section_id)
    )
    return Status(201, comment)


@router.post(f"{PREFIX}/consultations/{{consultation_id}}/comments/entered", response={201: CommentOut, **ERRORS})
def comment_enter(request: HttpRequest, consultation_id: int, payload: CommentEnterIn):
    """Staff enter a comment received at a meeting, on paper or by phone."""
    who = actor(request)
    consultation = queries.access_consultation(who, consultation_id)
    comment = actions.comment_enter(
        actor=who,
        consultation=consultation,
        channel=payload.channel,
        author_name=payload.author_name,
        text=payload.text,
        section=_section(consultation, payload.section_id),
    )
    return Status(201, comment)


@router.post(f"{PREFIX}/comments/{{comment_id}}/moderate", response={200: CommentOut, **ERRORS})
def comment_moderate(request: HttpRequest, comment_id: int, payload: ModerateIn):
    who = actor(request)
    return actions.comment_moderate(
        actor=who, comment=queries.access_comment(who, comment_id), publish=payload.publish, note=payload.note
    )


@router.post(f"{PREFIX}/comments/{{comment_id}}/reply", response={200: CommentOut, **ERRORS})
def comment_reply(request: HttpRequest, comment_id: int, payload: ReplyIn):
    who = actor(request)
    return actions.comment_reply(
        actor=who, comment=queries.access_comment(who, comment_id), kind=payload.kind, reply=payload.reply
    )


@router.post(f"{PREFIX}/consultations/{{consultation_id}}/close", response={200: ConsultationDetailOut, **ERRORS})
def consultation_close(request: HttpRequest, consultation_id: int):
    who = actor(request)
    consultation = actions.consultation_close(
        actor=who, consultation=queries.access_consultation(who, consultation_id)
    )
    return consultation_data(consultation, who)


@router.post(f"{PREFIX}/consultations/{{consultation_id}}/report", response={200: ConsultationDetailOut, **ERRORS})
def consultation_report(request: HttpRequest, consultation_id: int, payload: ReportIn):
    who = actor(request)
    consultation = actions.consultation_report(
        actor=who, consultation=queries.access_consultation(who, consultation_id), report=payload.report
    )
    return consultation_data(consultation, who)


# --- inquiries -----------------------------------------------------------------------------------------


@router.get(f"{PREFIX}/inquiries", response={200: InquiryPageOut, **ERRORS}, auth=None)
def inquiry_list(
    request: HttpRequest, kind: str = "", unit_id: int | None = None, cursor: str | None = None, limit: int = 50
):
    """Every inquiry and its reply is public."""
    from gongzhi.units.models import Unit

    unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    page = keyset_page(queries.public_inquiries(kind=kind, unit=unit), order=("-id",), after=cursor, limit=limit)
    return page_out(page, page.items)


@router.get(f"{PREFIX}/inquiries/to-answer", response={200: list[InquiryOut], **ERRORS})
def inquiries_to_answer(request: HttpRequest):
    return list(queries.inquiries_to_answer(actor(request))[:200])


@router.post(f"{PREFIX}/inquiries", response={201: InquiryOut, **ERRORS})
def inquiry_submit(request: HttpRequest, payload: InquiryIn):
    who = actor(request)
    from gongzhi.units.models import Unit

    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise InvalidInput(fields={"unit_id": _("请选择社区或村。")})
    inquiry = actions.inquiry_submit(actor=who, unit=unit, kind=payload.kind, title=payload.title, text=payload.text)
    return Status(201, inquiry)


@router.get(f"{PREFIX}/inquiries/{{inquiry_id}}", response={200: InquiryOut, **ERRORS}, auth=None)
def inquiry_detail(request: HttpRequest, inquiry_id: int):
    return queries.access_inquiry(actor(request), inquiry_id)


@router.post(f"{PREFIX}/inquiries/{{inquiry_id}}/reply", response={200: InquiryOut, **ERRORS})
def inquiry_reply(request: HttpRequest, inquiry_id: int, payload: InquiryReplyIn):
    who = actor(request)
    return actions.inquiry_reply(actor=who, inquiry=queries.access_inquiry(who, inquiry_id), reply=payload.reply)


@router.post(f"{PREFIX}/inquiries/{{inquiry_id}}/escalate", response={200: InquiryOut, **ERRORS})
def inquiry_escalate(request: HttpRequest, inquiry_id: int, payload: ReasonIn):
    who = actor(request)
    return actions.inquiry_escalate(actor=who, inquiry=queries.access_inquiry(who, inquiry_id), reason=payload.reason)


# --- contests ------------------------------------------------------------------------------------------


def contest_data(contest: Contest) -> Contest:
    contest.criterion_list = list(contest.criteria.all())
    contest.pitch_list = list(queries.contest_pitches(contest))
    contest.judge_ids = list(contest.judges.values_list("user_id", flat=True))
    return contest


@router.get(f"{PREFIX}/contests", response={200: list[ContestOut], **ERRORS}, auth=None)
def contest_list(request: HttpRequest):
    return list(queries.public_contests()[:100])


@router.post(f"{PREFIX}/contests", response={201: ContestDetailOut, **ERRORS})
def contest_create(request: HttpRequest, payload: ContestIn):
    who = actor(request)
    contest = actions.contest_create(
        actor=who,
        unit=access_unit(who, payload.unit_id),
        title=payload.title,
        description=payload.description,
        budget=payload.budget,
        min_self_share=payload.min_self_share,
        awards=payload.awards,
        pitch_minutes=payload.pitch_minutes,
        criteria=[c.dict() for c in payload.criteria],
    )
    return Status(201, contest_data(contest))


@router.get(f"{PREFIX}/contests/{{contest_id}}", response={200: ContestDetailOut, **ERRORS}, auth=None)
def contest_detail(request: HttpRequest, contest_id: int):
    return contest_data(queries.access_contest(actor(request), contest_id))


@router.post(f"{PREFIX}/contests/{{contest_id}}/judges", response={201: ContestDetailOut, **ERRORS})
def contest_add_judge(request: HttpRequest, contest_id: int, payload: JudgeIn):
    who = actor(request)
    contest = queries.access_contest(who, contest_id)
    access.check(who, "deliberation.contests_manage", contest)
    actions.contest_add_judge(actor=who, contest=contest, user=queries.access_person(who, payload.user_id))
    return Status(201, contest_data(contest))


@router.post(f"{PREFIX}/contests/{{contest_id}}/open", response={200: ContestDetailOut, **ERRORS})
def contest_open(request: HttpRequest, contest_id: int):
    who = actor(request)
    return contest_data(actions.contest_open(actor=who, contest=queries.access_contest(who, contest_id)))


@router.post(f"{PREFIX}/contests/{{contest_id}}/pitches", response={201: PitchOut, **ERRORS})
def pitch_submit(request: HttpRequest, contest_id: int, payload: PitchIn):
    who = actor(request)
    contest = queries.access_contest(who, contest_id)
    topic = queries.access_topic(who, payload.topic_id) if payload.topic_id else None
    pitch = actions.pitch_submit(
        actor=who,
        contest=contest,
        title=payload.title,
        team=payload.team,
        summary=payload.summary,
        total_cost=payload.total_cost,
        requested=payload.requested,
        topic=topic,
    )
    return Status(201, pitch)


@router.post(f"{PREFIX}/pitches/{{pitch_id}}/contributions", response={201: PitchOut, **ERRORS})
def contribution_record(request: HttpRequest, pitch_id: int, payload: ContributionIn):
    who = actor(request)
    pitch = queries.access_pitch(who, pitch_id)
    actions.contribution_record(
        actor=who, pitch=pitch, contributor=payload.contributor, amount=payload.amount, received_on=payload.received_on
    )
    pitch.refresh_from_db()
    return Status(201, pitch)


@router.post(f"{PREFIX}/pitches/{{pitch_id}}/scores", response={200: PitchOut, **ERRORS})
def score_submit(request: HttpRequest, pitch_id: int, payload: ScoresIn):
    who = actor(request)
    pitch = queries.access_pitch(who, pitch_id)
    scores: dict[int, Any] = {}
    for key, value in payload.scores.items():
        if not key.isdigit():
            raise InvalidInput(fields={f"scores.{key}": _("未知的评分项。")})
        scores[int(key)] = value
    actions.score_submit(actor=who, pitch=pitch, scores=scores)
    return pitch


@router.post(f"{PREFIX}/contests/{{contest_id}}/judging", response={200: ContestDetailOut, **ERRORS})
def contest_start_judging(request: HttpRequest, contest_id: int):
    who = actor(request)
    return contest_data(actions.contest_start_judging(actor=who, contest=queries.access_contest(who, contest_id)))


@router.post(f"{PREFIX}/contests/{{contest_id}}/award", response={200: ContestDetailOut, **ERRORS})
def contest_award(request: HttpRequest, contest_id: int):
    who = actor(request)
    return contest_data(actions.contest_award(actor=who, contest=queries.access_contest(who, contest_id)))
