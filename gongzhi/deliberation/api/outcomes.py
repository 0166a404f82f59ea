"""Resolutions, commitments (closing needs evidence), supervision, posting, objections and evaluation."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Status, UploadedFile

from gongzhi.api import actor
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.api.base import PREFIX, router
from gongzhi.deliberation.models import Objection, Resolution
from gongzhi.deliberation.schemas import (
    AnswerIn,
    CommitmentOut,
    CommitmentSpec,
    EvaluationIn,
    LegalReviewIn,
    ObjectionOut,
    PostIn,
    ResolutionDetailOut,
    ResolutionOut,
    ReviewIn,
    ReviseIn,
    TextIn,
)
from gongzhi.lib.errors import NotFound
from gongzhi.lib.schemas import ERRORS


def resolution_detail_data(resolution: Resolution) -> Resolution:
    resolution.commitment_list = list(queries.resolution_commitments(resolution))
    resolution.objection_list = list(resolution.objections.all())
    return resolution


@router.get(f"{PREFIX}/resolutions", response={200: list[ResolutionOut], **ERRORS}, auth=None)
def resolution_list(request: HttpRequest, unit_id: int | None = None, limit: int = 100):
    """Public resolutions (being carried out, posted, under evaluation or closed)."""
    from gongzhi.units.models import Unit

    unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    return list(queries.public_resolutions(unit=unit).order_by("-id")[: max(1, min(limit, 200))])


@router.get(f"{PREFIX}/resolutions/{{resolution_id}}", response={200: ResolutionDetailOut, **ERRORS}, auth=None)
def resolution_detail(request: HttpRequest, resolution_id: int):
    return resolution_detail_data(queries.access_resolution(actor(request), resolution_id))


@router.post(f"{PREFIX}/resolutions/{{resolution_id}}/legal-review", response={200: ResolutionDetailOut, **ERRORS})
def legal_review(request: HttpRequest, resolution_id: int, payload: LegalReviewIn):
    who = actor(request)
    resolution = actions.resolution_legal_review(
        actor=who,
        resolution=queries.access_resolution(who, resolution_id),
        approve=payload.approve,
        opinion=payload.opinion,
    )
    return resolution_detail_data(resolution)


@router.post(f"{PREFIX}/resolutions/{{resolution_id}}/revise", response={200: ResolutionDetailOut, **ERRORS})
def revise(request: HttpRequest, resolution_id: int, payload: ReviseIn):
    who = actor(request)
    resolution = actions.resolution_revise(
        actor=who, resolution=queries.access_resolution(who, resolution_id), text=payload.text
    )
    return resolution_detail_data(resolution)


@router.post(f"{PREFIX}/resolutions/{{resolution_id}}/commitments", response={201: CommitmentOut, **ERRORS})
def commitment_add(request: HttpRequest, resolution_id: int, payload: CommitmentSpec):
    who = actor(request)
    resolution = queries.access_resolution(who, resolution_id)
    commitment = actions.commitment_add(
        actor=who,
        resolution=resolution,
        title=payload.title,
        deadline=payload.deadline,
        owner_user=queries.access_person(who, payload.owner_user_id) if payload.owner_user_id else None,
        owner_department=queries.access_department_for(resolution.body.unit, payload.owner_department_id)
        if payload.owner_department_id
        else None,
    )
    return Status(201, commitment)


@router.get(f"{PREFIX}/commitments", response={200: list[CommitmentOut], **ERRORS}, summary="Commitments I carry out")
def commitment_list(request: HttpRequest, status: str = ""):
    return list(queries.commitments_for(actor(request), status=status).prefetch_related("updates__actor")[:200])


@router.get(
    f"{PREFIX}/supervision", response={200: list[CommitmentOut], **ERRORS}, summary="Closed commitments to check"
)
def supervision_queue(request: HttpRequest):
    return list(queries.supervision_queue(actor(request)).prefetch_related("updates__actor")[:200])


@router.post(f"{PREFIX}/commitments/{{commitment_id}}/progress", response={201: CommitmentOut, **ERRORS})
def commitment_progress(
    request: HttpRequest, commitment_id: int, note: Form[str], evidence: File[UploadedFile | None] = None
):
    """Report progress (multipart form: note, optional evidence file)."""
    who = actor(request)
    commitment = queries.access_commitment(who, commitment_id)
    actions.commitment_progress(actor=who, commitment=commitment, note=note, evidence=evidence)
    commitment.refresh_from_db()
    return Status(201, commitment)


@router.post(f"{PREFIX}/commitments/{{commitment_id}}/close", response={200: CommitmentOut, **ERRORS})
def commitment_close(
    request: HttpRequest, commitment_id: int, note: Form[str] = "", evidence: File[UploadedFile | None] = None
):
    """Close a commitment (销号): multipart form with the result (note) and an evidence file, both required."""
    who = actor(request)
    commitment = queries.access_commitment(who, commitment_id)
    return actions.commitment_close(actor=who, commitment=commitment, note=note, evidence=evidence)


@router.post(f"{PREFIX}/commitments/{{commitment_id}}/review", response={200: CommitmentOut, **ERRORS})
def commitment_review(request: HttpRequest, commitment_id: int, payload: ReviewIn):
    who = actor(request)
    commitment = queries.access_commitment(who, commitment_id)
    return actions.commitment_review(
        actor=who, commitment=commitment, accept=payload.accept, findings=payload.findings
    )


@router.post(f"{PREFIX}/resolutions/{{resolution_id}}/post", response={200: ResolutionDetailOut, **ERRORS})
def resolution_post(request: HttpRequest, resolution_id: int, payload: PostIn):
    who = actor(request)
    resolution = actions.resolution_post(
        actor=who, resolution=queries.access_resolution(who, resolution_id), days=payload.days
    )
    return resolution_detail_data(resolution)


@router.post(f"{PREFIX}/resolutions/{{resolution_id}}/objections", response={201: ObjectionOut, **ERRORS})
def objection_file(request: HttpRequest, resolution_id: int, payload: TextIn):
    who = actor(request)
    objection = actions.objection_file(
        actor=who, resolution=queries.access_resolution(who, resolution_id), text=payload.text
    )
    return Status(201, objection)


@router.post(f"{PREFIX}/objections/{{objection_id}}/answer", response={200: ObjectionOut, **ERRORS})
def objection_answer(request: HttpRequest, objection_id: int, payload: AnswerIn):
    who = actor(request)
    objection = Objection.objects.filter(pk=objection_id).first()
    if objection is None:
        raise NotFound()
    queries.access_resolution(who, objection.resolution_id)
    return actions.objection_answer(actor=who, objection=objection, answer=payload.answer)


@router.post(f"{PREFIX}/resolutions/{{resolution_id}}/open-evaluation", response={200: ResolutionDetailOut, **ERRORS})
def open_evaluation(request: HttpRequest, resolution_id: int):
    who = actor(request)
    resolution = actions.resolution_open_evaluation(
        actor=who, resolution=queries.access_resolution(who, resolution_id)
    )
    return resolution_detail_data(resolution)


@router.post(f"{PREFIX}/resolutions/{{resolution_id}}/evaluations", response={201: ResolutionOut, **ERRORS})
def evaluation_submit(request: HttpRequest, resolution_id: int, payload: EvaluationIn):
    who = actor(request)
    resolution = queries.access_resolution(who, resolution_id)
    actions.evaluation_submit(actor=who, resolution=resolution, score=payload.score, comment=payload.comment)
    resolution.refresh_from_db()
    return Status(201, resolution)


@router.post(f"{PREFIX}/resolutions/{{resolution_id}}/close", response={200: ResolutionDetailOut, **ERRORS})
def resolution_close(request: HttpRequest, resolution_id: int):
    who = actor(request)
    resolution = actions.resolution_close(actor=who, resolution=queries.access_resolution(who, resolution_id))
    return resolution_detail_data(resolution)
