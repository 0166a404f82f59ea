"""Pages for public consultations, 问政·问需·问计 and proposal contests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.forms import ConsultationForm, ContestForm, InquiryForm
from gongzhi.deliberation.models import Channel, InquiryKind, Judge, ReplyKind, Score
from gongzhi.deliberation.views.common import act, posted, posted_bool, status_of
from gongzhi.deliberation.workflow import CommentStatus, ConsultationStatus, ContestStatus, InquiryStatus
from gongzhi.lib.errors import DomainError, InvalidInput, NotFound
from gongzhi.lib.pagination import keyset_page
from gongzhi.people.models import Resident
from gongzhi.units import queries as unit_queries
from gongzhi.units.forms import unit_choices
from gongzhi.units.models import Unit, UnitKind
from gongzhi.web.errors import apply_form_errors, html_errors, staff_view

# --- consultations -------------------------------------------------------------------------------------


@html_errors
def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "deliberation/consultation_list.html",
        {
            "consultations": queries.public_consultations()[:100],
            "managed": queries.consultations_managed(request.user).filter(status=ConsultationStatus.DRAFT)[:50]
            if request.user.is_authenticated
            else [],
            "can_create": access.has_any(request.user, "deliberation.consultations_manage"),
        },
    )


def _consultation_page(
    request: HttpRequest, consultation_id: int, *, error: DomainError | None = None
) -> HttpResponse:
    user = request.user
    consultation = queries.access_consultation(user, consultation_id)
    staff = access.can(user, "deliberation.consultations_manage", consultation)
    comments = list(queries.consultation_comments(consultation, staff=staff, actor=user))
    sections = list(consultation.sections.all())
    by_section: dict[Any, list[Any]] = {s.pk: [] for s in sections}
    general = []
    for comment in comments:
        (by_section.setdefault(comment.section_id, []) if comment.section_id else general).append(comment)
    return render(
        request,
        "deliberation/consultation_detail.html",
        {
            "consultation": consultation,
            "sections": [(s, by_section.get(s.pk, [])) for s in sections],
            "general": general,
            "staff": staff,
            "figures": queries.consultation_figures(consultation),
            "channels": Channel.choices,
            "staff_channels": [c for c in Channel.choices if c[0] != Channel.WEB],
            "reply_kinds": ReplyKind.choices,
            "open": consultation.status == ConsultationStatus.OPEN,
            "pending_status": CommentStatus.PENDING,
            "error": error,
        },
        status=status_of(error),
    )


@html_errors
def consultation_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _consultation_page(request, consultation_id)


@staff_view
def consultation_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "deliberation.consultations_manage")
    units = unit_choices(unit_queries.units_visible(request.user, "deliberation.consultations_manage"))
    form = ConsultationForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = actions.consultation_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("草案已保存，检查无误后开始征求意见。"))
            return redirect("deliberation:consultation", consultation.pk)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "title": _("发布征求意见稿"), "back": "deliberation:consultations"},
        status=status_of(None, form),
    )


@require_POST
@staff_view
def consultation_action(request: HttpRequest, consultation_id: int, verb: str) -> HttpResponse:
    user = request.user
    consultation = queries.access_consultation(user, consultation_id)

    def section() -> Any:
        section_id = posted(request, "section")
        if not section_id:
            return None
        found = consultation.sections.filter(pk=section_id).first() if section_id.isdigit() else None
        if found is None:
            raise InvalidInput(fields={"section": _("该条款不属于本次征求意见。")})
        return found

    verbs = {
        "open": (lambda: actions.consultation_open(actor=user, consultation=consultation), _("已开始征求意见。")),
        "comment": (
            lambda: actions.comment_submit(
                actor=user, consultation=consultation, text=posted(request, "text"), section=section()
            ),
            _("意见已提交，审核后公开。"),
        ),
        "enter": (
            lambda: actions.comment_enter(
                actor=user,
                consultation=consultation,
                channel=posted(request, "channel"),
                author_name=posted(request, "author_name"),
                text=posted(request, "text"),
                section=section(),
            ),
            _("意见已录入。"),
        ),
        "close": (lambda: actions.consultation_close(actor=user, consultation=consultation), _("征求意见已截止。")),
        "report": (
            lambda: actions.consultation_report(
                actor=user, consultation=consultation, report=posted(request, "report")
            ),
            _("报告已发布。"),
        ),
    }
    if verb not in verbs:
        raise NotFound()
    run, success = verbs[verb]
    return act(
        request,
        run,
        success=success,
        redirect_to=f"/deliberation/consultations/{consultation.pk}/",
        on_error=lambda exc: _consultation_page(request, consultation.pk, error=exc),
    )


@require_POST
@staff_view
def comment_action(request: HttpRequest, comment_id: int, verb: str) -> HttpResponse:
    user = request.user
    comment = queries.access_comment(user, comment_id)
    verbs = {
        "moderate": (
            lambda: actions.comment_moderate(
                actor=user, comment=comment, publish=posted_bool(request, "publish"), note=posted(request, "note")
            ),
            _("审核结果已记录。"),
        ),
        "reply": (
            lambda: actions.comment_reply(
                actor=user, comment=comment, kind=posted(request, "kind"), reply=posted(request, "reply")
            ),
            _("答复已公开。"),
        ),
    }
    if verb not in verbs:
        raise NotFound()
    run, success = verbs[verb]
    return act(
        request,
        run,
        success=success,
        redirect_to=f"/deliberation/consultations/{comment.consultation_id}/",
        on_error=lambda exc: _consultation_page(request, comment.consultation_id, error=exc),
    )


# --- inquiries -----------------------------------------------------------------------------------------


@html_errors
def inquiry_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in InquiryKind.values else ""
    page = keyset_page(queries.public_inquiries(kind=kind), order=("-id",), after=request.GET.get("cursor"), limit=20)
    return render(
        request,
        "deliberation/inquiry_list.html",
        {
            "page": page,
            "kinds": InquiryKind.choices,
            "kind": kind,
            "to_answer": queries.inquiries_to_answer(request.user)[:50] if request.user.is_authenticated else [],
        },
    )


def _communities_for(user: Any) -> Any:
    """Communities and villages a person can ask: those they live or work in."""
    paths = [g.unit_path for g in access.grants(user) if g.unit_path]
    paths += list(Resident.objects.filter(user=user, moved_out_on__isnull=True).values_list("unit__path", flat=True))
    ids: set[int] = set()
    for path in set(paths):
        prefixes = [path[:i] for i in range(Unit.steplen, len(path) + 1, Unit.steplen)]
        ids |= set(
            Unit.objects.filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE])
            .filter(path__in=prefixes)
            .values_list("pk", flat=True)
        )
    return Unit.objects.filter(pk__in=ids).order_by("path")


@staff_view
def inquiry_create(request: HttpRequest) -> HttpResponse:
    units = _communities_for(request.user)
    form = InquiryForm(request.POST or None, units=units, initial={"kind": request.GET.get("kind", InquiryKind.NEED)})
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = actions.inquiry_submit(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(
                request, _("已提交，社区将在%(due)s前公开答复。") % {"due": inquiry.due_at.strftime("%Y-%m-%d")}
            )
            return redirect("deliberation:inquiry", inquiry.pk)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "title": _("问政·问需·问计"), "back": "deliberation:inquiries"},
        status=status_of(None, form),
    )


def _inquiry_page(request: HttpRequest, inquiry_id: int, *, error: DomainError | None = None) -> HttpResponse:
    inquiry = queries.access_inquiry(request.user, inquiry_id)
    can_answer = inquiry.status != InquiryStatus.ANSWERED and access.can(
        request.user, "deliberation.inquiries_answer", inquiry.handling_unit
    )
    return render(
        request,
        "deliberation/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "can_answer": can_answer,
            "can_escalate": inquiry.status == InquiryStatus.OPEN
            and access.can(request.user, "deliberation.inquiries_answer", inquiry),
            "error": error,
        },
        status=status_of(error),
    )


@html_errors
def inquiry_detail(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    return _inquiry_page(request, inquiry_id)


@require_POST
@staff_view
def inquiry_action(request: HttpRequest, inquiry_id: int, verb: str) -> HttpResponse:
    inquiry = queries.access_inquiry(request.user, inquiry_id)
    verbs = {
        "reply": (
            lambda: actions.inquiry_reply(actor=request.user, inquiry=inquiry, reply=posted(request, "reply")),
            _("答复已公开。"),
        ),
        "escalate": (
            lambda: actions.inquiry_escalate(actor=request.user, inquiry=inquiry, reason=posted(request, "reason")),
            _("已提交街道答复。"),
        ),
    }
    if verb not in verbs:
        raise NotFound()
    run, success = verbs[verb]
    return act(
        request,
        run,
        success=success,
        redirect_to=f"/deliberation/inquiries/{inquiry.pk}/",
        on_error=lambda exc: _inquiry_page(request, inquiry.pk, error=exc),
    )


# --- contests ------------------------------------------------------------------------------------------


@html_errors
def contest_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "deliberation/contest_list.html",
        {
            "contests": queries.public_contests()[:50],
            "drafts": access.scope(
                request.user,
                "deliberation.contests_manage",
                queries.Contest.objects.filter(status=ContestStatus.DRAFT),
            )
            if request.user.is_authenticated
            else [],
            "can_create": access.has_any(request.user, "deliberation.contests_manage"),
        },
    )


def _contest_page(request: HttpRequest, contest_id: int, *, error: DomainError | None = None) -> HttpResponse:
    user = request.user
    contest = queries.access_contest(user, contest_id)
    manage = access.can(user, "deliberation.contests_manage", contest)
    judge = Judge.objects.filter(contest=contest, user_id=getattr(user, "pk", None)).first()
    criteria = list(contest.criteria.all())
    pitches = list(queries.contest_pitches(contest).prefetch_related("contributions"))
    mine: dict[int, dict[int, Any]] = {}
    if judge is not None:
        for score in Score.objects.filter(judge=judge):
            mine.setdefault(score.pitch_id, {})[score.criterion_id] = score.value
    rows = [
        {
            "p": p,
            "eligible": p.self_share >= contest.min_self_share,
            "scores": [(c, mine.get(p.pk, {}).get(c.pk)) for c in criteria],
        }
        for p in pitches
    ]
    from gongzhi.deliberation.actions.common import belongs_to

    return render(
        request,
        "deliberation/contest_detail.html",
        {
            "contest": contest,
            "criteria": criteria,
            "rows": rows,
            "manage": manage,
            "judge": judge,
            "judges": contest.judges.select_related("user"),
            "can_pitch": contest.status == ContestStatus.OPEN
            and user.is_authenticated
            and (manage or belongs_to(user, contest.unit)),
            "people": queries.access_person_choices(user)
            if manage and contest.status != ContestStatus.AWARDED
            else [],
            "error": error,
        },
        status=status_of(error),
    )


@html_errors
def contest_detail(request: HttpRequest, contest_id: int) -> HttpResponse:
    return _contest_page(request, contest_id)


@staff_view
def contest_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "deliberation.contests_manage")
    units = unit_choices(unit_queries.units_visible(request.user, "deliberation.contests_manage"))
    form = ContestForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            contest = actions.contest_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("大赛已创建，请确定评委后开始报名。"))
            return redirect("deliberation:contest", contest.pk)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "title": _("举办提案大赛"), "back": "deliberation:contests"},
        status=status_of(None, form),
    )


@require_POST
@staff_view
def contest_action(request: HttpRequest, contest_id: int, verb: str) -> HttpResponse:
    user = request.user
    contest = queries.access_contest(user, contest_id)

    def add_judge() -> Any:
        access.check(user, "deliberation.contests_manage", contest)
        return actions.contest_add_judge(
            actor=user, contest=contest, user=queries.access_person(user, posted(request, "user"))
        )

    def pitch() -> Any:
        return actions.pitch_submit(
            actor=user,
            contest=contest,
            title=posted(request, "title"),
            team=posted(request, "team"),
            summary=posted(request, "summary"),
            total_cost=posted(request, "total_cost") or "0",
            requested=posted(request, "requested") or "0",
        )

    def contribution() -> Any:
        pitch_obj = queries.access_pitch(user, posted(request, "pitch"))
        return actions.contribution_record(
            actor=user,
            pitch=pitch_obj,
            contributor=posted(request, "contributor"),
            amount=posted(request, "amount") or "0",
        )

    def score() -> Any:
        pitch_obj = queries.access_pitch(user, posted(request, "pitch"))
        values = {
            int(k.split("-", 1)[1]): v for k, v in request.POST.items() if k.startswith("c-") and k[2:].isdigit()
        }
        return actions.score_submit(actor=user, pitch=pitch_obj, scores=values)

    verbs = {
        "judge": (add_judge, _("已增加评委。")),
        "open": (lambda: actions.contest_open(actor=user, contest=contest), _("开始接受报名。")),
        "pitch": (pitch, _("项目已报名。")),
        "contribution": (contribution, _("自筹资金已登记。")),
        "judging": (lambda: actions.contest_start_judging(actor=user, contest=contest), _("进入路演评审。")),
        "score": (score, _("评分已保存。")),
        "award": (lambda: actions.contest_award(actor=user, contest=contest), _("结果已公布。")),
    }
    if verb not in verbs:
        raise NotFound()
    run, success = verbs[verb]
    return act(
        request,
        run,
        success=success,
        redirect_to=f"/deliberation/contests/{contest.pk}/",
        on_error=lambda exc: _contest_page(request, contest.pk, error=exc),
    )
