"""Resolution pages: public posting, commitments with progress and closing evidence, supervision, objections,
evaluation; the supervisor's queue and the executor's list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.actions.common import belongs_to, is_legal_adviser
from gongzhi.deliberation.models import CommitmentUpdate, Objection
from gongzhi.deliberation.views.common import act, posted, posted_bool, status_of
from gongzhi.deliberation.workflow import CommitmentStatus, ResolutionStatus
from gongzhi.lib.errors import DomainError, InvalidInput, NotFound
from gongzhi.units.models import Department
from gongzhi.web.errors import html_errors, staff_view


@html_errors
def resolution_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = queries.public_resolutions()
    if status in ResolutionStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "deliberation/resolution_list.html",
        {"resolutions": qs.order_by("-id")[:100], "statuses": ResolutionStatus.choices, "status": status},
    )


def _resolution_page(request: HttpRequest, resolution_id: int, *, error: DomainError | None = None) -> HttpResponse:
    user = request.user
    resolution = queries.access_resolution(user, resolution_id)
    commitments = list(queries.resolution_commitments(resolution))
    rows: list[dict[str, Any]] = []
    for commitment in commitments:
        rows.append(
            {
                "c": commitment,
                "can_execute": commitment.status in (CommitmentStatus.OPEN, CommitmentStatus.RETURNED)
                and access.can(user, "deliberation.execute", commitment),
                "can_review": commitment.status == CommitmentStatus.DONE
                and access.can(user, "deliberation.supervise", commitment),
            }
        )
    convene = access.can(user, "deliberation.convene", resolution)
    resident = user.is_authenticated and belongs_to(user, resolution.body.unit)
    departments = []
    if convene and resolution.status in (ResolutionStatus.EXECUTING, ResolutionStatus.LEGAL_REVIEW):
        unit = resolution.body.unit
        departments = [
            d
            for d in Department.objects.filter(is_active=True).select_related("jurisdiction").order_by("name")[:300]
            if unit.path.startswith(d.jurisdiction.path) or d.jurisdiction.path.startswith(unit.path)
        ]
    evaluated = user.is_authenticated and resolution.evaluations.filter(author=user).exists()
    return render(
        request,
        "deliberation/resolution_detail.html",
        {
            "resolution": resolution,
            "rows": rows,
            "events": resolution.events.select_related("actor"),
            "objections": resolution.objections.all(),
            "convene": convene,
            "departments": departments,
            "legal": resolution.status == ResolutionStatus.LEGAL_REVIEW
            and (is_legal_adviser(user, resolution.body) or access.can(user, "deliberation.legal_review", resolution)),
            "can_post": resolution.status == ResolutionStatus.EXECUTING
            and (convene or access.can(user, "deliberation.supervise", resolution)),
            "can_object": resident and resolution.status == ResolutionStatus.POSTED,
            "can_answer": access.can(user, "deliberation.answer_objections", resolution),
            "can_evaluate": resident and resolution.status == ResolutionStatus.EVALUATION and not evaluated,
            "evaluated": evaluated,
            "today": timezone.localdate(),
            "default_deadline": timezone.localdate() + dt.timedelta(days=30),
            "error": error,
        },
        status=status_of(error),
    )


@html_errors
def resolution_detail(request: HttpRequest, resolution_id: int) -> HttpResponse:
    return _resolution_page(request, resolution_id)


def _resolution_post(request: HttpRequest, resolution_id: int, run: Any, success: str) -> HttpResponse:
    return act(
        request,
        run,
        success=success,
        redirect_to=f"/deliberation/resolutions/{resolution_id}/",
        on_error=lambda exc: _resolution_page(request, resolution_id, error=exc),
    )


@require_POST
@staff_view
def resolution_action(request: HttpRequest, resolution_id: int, verb: str) -> HttpResponse:
    """Every POST on a resolution: legal review, revision, commitments, posting, objection, evaluation, closing."""
    user = request.user
    resolution = queries.access_resolution(user, resolution_id)

    def add_commitment() -> Any:
        try:
            deadline = dt.date.fromisoformat(posted(request, "deadline"))
        except ValueError:
            raise InvalidInput(fields={"deadline": _("请填写完成时限。")}) from None
        department_id = posted(request, "owner_department")
        return actions.commitment_add(
            actor=user,
            resolution=resolution,
            title=posted(request, "title"),
            deadline=deadline,
            owner_department=queries.access_department_for(resolution.body.unit, department_id)
            if department_id
            else None,
            owner_user=queries.access_person(user, posted(request, "owner_user"))
            if posted(request, "owner_user")
            else None,
        )

    def evaluate() -> Any:
        try:
            score = int(posted(request, "score"))
        except ValueError:
            raise InvalidInput(fields={"score": _("请打1到5分。")}) from None
        return actions.evaluation_submit(
            actor=user, resolution=resolution, score=score, comment=posted(request, "comment")
        )

    def post() -> Any:
        try:
            days = int(posted(request, "days", "7"))
        except ValueError:
            raise InvalidInput(fields={"days": _("公示期应为3至60天。")}) from None
        return actions.resolution_post(actor=user, resolution=resolution, days=days)

    verbs = {
        "legal-review": (
            lambda: actions.resolution_legal_review(
                actor=user,
                resolution=resolution,
                approve=posted_bool(request, "approve"),
                opinion=posted(request, "opinion"),
            ),
            _("法律审查意见已记录。"),
        ),
        "revise": (
            lambda: actions.resolution_revise(actor=user, resolution=resolution, text=posted(request, "text")),
            _("已修改并重新送审。"),
        ),
        "commitments": (add_commitment, _("办理事项已交办。")),
        "post": (post, _("已公示。")),
        "object": (
            lambda: actions.objection_file(actor=user, resolution=resolution, text=posted(request, "text")),
            _("您的异议已提交。"),
        ),
        "open-evaluation": (
            lambda: actions.resolution_open_evaluation(actor=user, resolution=resolution),
            _("评议开始。"),
        ),
        "evaluate": (evaluate, _("感谢您的评议。")),
        "close": (lambda: actions.resolution_close(actor=user, resolution=resolution), _("已办结。")),
    }
    if verb not in verbs:
        raise NotFound()
    run, success = verbs[verb]
    return _resolution_post(request, resolution.pk, run, success)


@require_POST
@staff_view
def commitment_action(request: HttpRequest, commitment_id: int, verb: str) -> HttpResponse:
    """Progress, closing with evidence (销号) and supervision review of one commitment."""
    user = request.user
    commitment = queries.access_commitment(user, commitment_id)
    evidence = request.FILES.get("evidence")
    verbs = {
        "progress": (
            lambda: actions.commitment_progress(
                actor=user, commitment=commitment, note=posted(request, "note"), evidence=evidence
            ),
            _("进展已记录。"),
        ),
        "close": (
            lambda: actions.commitment_close(
                actor=user, commitment=commitment, note=posted(request, "note"), evidence=evidence
            ),
            _("已销号，等待监督核查。"),
        ),
        "review": (
            lambda: actions.commitment_review(
                actor=user,
                commitment=commitment,
                accept=posted_bool(request, "accept"),
                findings=posted(request, "findings"),
            ),
            _("核查结果已记录。"),
        ),
    }
    if verb not in verbs:
        raise NotFound()
    run, success = verbs[verb]
    return _resolution_post(request, commitment.resolution_id, run, success)


@require_POST
@staff_view
def objection_answer(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = Objection.objects.filter(pk=objection_id).first()
    if objection is None:
        raise NotFound()
    queries.access_resolution(request.user, objection.resolution_id)
    return _resolution_post(
        request,
        objection.resolution_id,
        lambda: actions.objection_answer(actor=request.user, objection=objection, answer=posted(request, "answer")),
        _("答复已公开。"),
    )


@staff_view
def evidence(request: HttpRequest, update_id: int) -> FileResponse:
    """Download an evidence file (visible to whoever may see the resolution)."""
    update = CommitmentUpdate.objects.select_related("commitment").filter(pk=update_id).first()
    if update is None or not update.evidence:
        raise NotFound()
    queries.access_resolution(request.user, update.commitment.resolution_id)
    return FileResponse(
        update.evidence.open("rb"), as_attachment=True, filename=update.evidence.name.rsplit("/", 1)[-1]
    )


@staff_view
def supervision(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "deliberation.supervise")
    return render(
        request, "deliberation/supervision.html", {"commitments": queries.supervision_queue(request.user)[:200]}
    )


@staff_view
def my_commitments(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(
        request,
        "deliberation/commitments.html",
        {
            "commitments": queries.commitments_for(
                request.user, status=status if status in CommitmentStatus.values else ""
            )[:300],
            "statuses": CommitmentStatus.choices,
            "status": status,
            "today": timezone.localdate(),
        },
    )
