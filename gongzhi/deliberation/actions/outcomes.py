"""Resolutions: legal review, commitments and their closing with evidence, supervision, public posting,
objections and the residents' evaluation that closes the "evaluate" stage."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.deliberation.actions.common import belongs_to, clean_text, is_legal_adviser, lock, roles_of, unit_managers
from gongzhi.deliberation.actions.topics import topic_move
from gongzhi.deliberation.models import (
    Commitment,
    CommitmentUpdate,
    Evaluation,
    Objection,
    Resolution,
    ResolutionEvent,
    UpdateKind,
)
from gongzhi.deliberation.workflow import (
    LEGAL_ADVISER,
    OWNER,
    SYSTEM,
    CommitmentStatus,
    ObjectionStatus,
    ResolutionStatus,
    TopicStatus,
    transition,
)
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, TooLarge
from gongzhi.notify.service import send
from gongzhi.people.models import User
from gongzhi.people.roles import Role
from gongzhi.units.models import Department

EVIDENCE_TYPES = (".jpg", ".jpeg", ".png", ".pdf", ".webp", ".heic", ".doc", ".docx", ".xlsx")
DEFAULT_POST_DAYS = 7
DEFAULT_EVALUATION_DAYS = 14


def _url(resolution: Resolution) -> str:
    return f"/deliberation/resolutions/{resolution.pk}/"


def _event(resolution: Resolution, *, kind: str, actor: Any, old: str = "", note: str = "") -> None:
    ResolutionEvent.objects.create(
        resolution=resolution,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=old,
        to_status=resolution.status,
        note=note,
    )


def _move(resolution: Resolution, target: str, *, actor: Any, roles: set[str], kind: str, note: str = "") -> None:
    old = transition(resolution, target, machine="resolution", roles=roles)
    resolution.save()
    _event(resolution, kind=kind, actor=actor, old=old, note=note)


# --- legal review ------------------------------------------------------------------------------------


@transaction.atomic
def resolution_legal_review(*, actor: Any, resolution: Resolution, approve: bool, opinion: str) -> Resolution:
    """The legal adviser (法律顾问) approves the draft resolution, or returns it with an opinion."""
    resolution = lock(Resolution, resolution)
    adviser = is_legal_adviser(actor, resolution.body)
    if not adviser:
        access.check(actor, "deliberation.legal_review", resolution)
    opinion = clean_text(opinion, "opinion", max_length=5000)
    roles = roles_of(actor, *([LEGAL_ADVISER] if adviser else []))
    if approve:
        _move(resolution, ResolutionStatus.EXECUTING, actor=actor, roles=roles, kind="legal_approved", note=opinion)
    else:
        _move(resolution, ResolutionStatus.REVISING, actor=actor, roles=roles, kind="legal_returned", note=opinion)
    resolution.legal_opinion = opinion
    resolution.legal_reviewed_by = actor
    resolution.save(update_fields=["legal_opinion", "legal_reviewed_by"])
    record(actor=actor, action="deliberation.legal_review", target=resolution, changes={"approve": approve})
    send(
        recipients=unit_managers(resolution.body.unit, [Role.COMMUNITY_HEAD, Role.COMMUNITY_WORKER]),
        kind="deliberation.resolution",
        title=gettext_lazy("决议%(number)s法律审查：%(status)s"),
        params={"number": resolution.number, "status": resolution.get_status_display()},
        url=_url(resolution),
    )
    return resolution


@transaction.atomic
def resolution_revise(*, actor: Any, resolution: Resolution, text: str) -> Resolution:
    """Revise a returned draft and send it back to legal review."""
    resolution = lock(Resolution, resolution)
    access.check(actor, "deliberation.convene", resolution)
    resolution.text = clean_text(text, "text", max_length=20000)
    _move(resolution, ResolutionStatus.LEGAL_REVIEW, actor=actor, roles=roles_of(actor), kind="revised")
    record(actor=actor, action="deliberation.resolution_revise", target=resolution)
    return resolution


# --- commitments -------------------------------------------------------------------------------------


def _add_commitment(
    *,
    actor: Any,
    resolution: Resolution,
    title: str,
    deadline: dt.date,
    owner_user: User | None = None,
    owner_department: Department | None = None,
    prefix: str = "",
) -> Commitment:
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors[f"{prefix}title"] = _("此项必填。")
    if owner_user is None and owner_department is None:
        errors[f"{prefix}owner"] = _("请指定责任人或责任部门。")
    if deadline is None or deadline < timezone.localdate():
        errors[f"{prefix}deadline"] = _("完成时限不能早于今天。")
    if owner_department is not None and not owner_department.is_active:
        errors[f"{prefix}owner_department"] = _("该部门已停用。")
    if errors:
        raise InvalidInput(fields=errors)
    commitment = Commitment.objects.create(
        resolution=resolution,
        title=title.strip()[:200],
        owner_user=owner_user,
        owner_department=owner_department,
        deadline=deadline,
    )
    recipients = [owner_user] if owner_user else []
    if owner_department is not None:
        recipients += list(User.objects.filter(grants__department=owner_department, grants__revoked_at__isnull=True))
    send(
        recipients=recipients,
        kind="deliberation.commitment",
        title=gettext_lazy("新的办理事项：%(title)s（%(deadline)s前完成）"),
        params={"title": commitment.title, "deadline": deadline.isoformat()},
        url=_url(resolution),
    )
    return commitment


@transaction.atomic
def commitment_add(
    *,
    actor: Any,
    resolution: Resolution,
    title: str,
    deadline: dt.date,
    owner_user: User | None = None,
    owner_department: Department | None = None,
) -> Commitment:
    """Assign a task carrying out the resolution to a person or a department, with a deadline."""
    resolution = lock(Resolution, resolution)
    access.check(actor, "deliberation.convene", resolution)
    if resolution.status not in (ResolutionStatus.EXECUTING, ResolutionStatus.LEGAL_REVIEW, ResolutionStatus.REVISING):
        raise Conflict(_("决议已进入公示或评议，不能再增加办理事项。"), code="invalid_transition")
    commitment = _add_commitment(
        actor=actor,
        resolution=resolution,
        title=title,
        deadline=deadline,
        owner_user=owner_user,
        owner_department=owner_department,
    )
    record(
        actor=actor,
        action="deliberation.commitment_add",
        target=resolution,
        changes={
            "commitment": commitment.pk,
            "deadline": deadline,
            "owner_department": owner_department.pk if owner_department else None,
            "owner_user": owner_user.pk if owner_user else None,
        },
    )
    return commitment


def _check_evidence(evidence: UploadedFile | None) -> None:
    if evidence is None:
        return
    if evidence.size > settings.GONGZHI_MAX_UPLOAD_BYTES:
        raise TooLarge(fields={"evidence": _("文件过大。")})
    if not evidence.name.lower().endswith(EVIDENCE_TYPES):
        raise InvalidInput(fields={"evidence": _("只接受图片、PDF或Office文件。")})


def _executor_roles(actor: Any, commitment: Commitment) -> set[str]:
    owner = getattr(actor, "pk", None) is not None and commitment.owner_user_id == actor.pk
    return roles_of(actor, *([OWNER] if owner else []))


@transaction.atomic
def commitment_progress(
    *, actor: Any, commitment: Commitment, note: str, evidence: UploadedFile | None = None
) -> CommitmentUpdate:
    """Report progress on a commitment (optionally with a photo or document)."""
    commitment = lock(Commitment, commitment)
    access.check(actor, "deliberation.execute", commitment)
    if commitment.status not in (CommitmentStatus.OPEN, CommitmentStatus.RETURNED):
        raise Conflict(_("该事项已销号。"), code="invalid_transition")
    note = clean_text(note, "note", max_length=5000)
    _check_evidence(evidence)
    update = CommitmentUpdate.objects.create(
        commitment=commitment, kind=UpdateKind.PROGRESS, actor=actor, note=note, evidence=evidence or ""
    )
    record(
        actor=actor,
        action="deliberation.commitment_progress",
        target=commitment.resolution,
        changes={"commitment": commitment.pk},
    )
    return update


@transaction.atomic
def commitment_close(
    *, actor: Any, commitment: Commitment, note: str, evidence: UploadedFile | None = None
) -> Commitment:
    """Close a commitment (销号): needs a description of what was done and a piece of evidence."""
    commitment = lock(Commitment, commitment)
    access.check(actor, "deliberation.execute", commitment)
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if not note:
        errors["note"] = _("请说明办理结果。")
    if evidence is None:
        errors["evidence"] = _("销号须上传佐证材料（照片、文件等）。")
    if errors:
        raise InvalidInput(_("销号须说明办理结果并上传佐证材料。"), code="evidence_required", fields=errors)
    _check_evidence(evidence)
    transition(commitment, CommitmentStatus.DONE, machine="commitment", roles=_executor_roles(actor, commitment))
    commitment.closed_at = timezone.now()
    commitment.save()
    CommitmentUpdate.objects.create(
        commitment=commitment, kind=UpdateKind.CLOSE, actor=actor, note=note[:5000], evidence=evidence
    )
    resolution = commitment.resolution
    record(
        actor=actor, action="deliberation.commitment_close", target=resolution, changes={"commitment": commitment.pk}
    )
    send(
        recipients=unit_managers(resolution.body.unit, [Role.SUPERVISOR]),
        kind="deliberation.commitment",
        title=gettext_lazy("办理事项已销号，请核查：%(title)s"),
        params={"title": commitment.title},
        url=_url(resolution),
    )
    return commitment


@transaction.atomic
def commitment_review(*, actor: Any, commitment: Commitment, accept: bool, findings: str = "") -> Commitment:
    """The supervision committee checks a closed commitment: accept, or return it with findings."""
    commitment = lock(Commitment, commitment)
    access.check(actor, "deliberation.supervise", commitment)
    findings = findings.strip()[:5000]
    if not accept and not findings:
        raise InvalidInput(fields={"findings": _("退回须写明核查意见。")})
    target = CommitmentStatus.ACCEPTED if accept else CommitmentStatus.RETURNED
    transition(commitment, target, machine="commitment", roles=roles_of(actor))
    commitment.reviewed_at = timezone.now()
    commitment.findings = findings
    commitment.save()
    CommitmentUpdate.objects.create(
        commitment=commitment,
        kind=UpdateKind.ACCEPT if accept else UpdateKind.RETURN,
        actor=actor,
        note=findings or _("核查通过。"),
    )
    record(
        actor=actor,
        action="deliberation.commitment_review",
        target=commitment.resolution,
        changes={"commitment": commitment.pk, "accept": accept, "findings": findings},
    )
    recipients = [commitment.owner_user] if commitment.owner_user_id else []
    if commitment.owner_department_id:
        recipients += list(
            User.objects.filter(grants__department=commitment.owner_department_id, grants__revoked_at__isnull=True)
        )
    send(
        recipients=recipients,
        kind="deliberation.commitment",
        title=gettext_lazy("办理事项“%(title)s”核查结果：%(status)s"),
        params={"title": commitment.title, "status": commitment.get_status_display()},
        body=findings,
        url=_url(commitment.resolution),
    )
    return commitment


# --- public posting, objections, evaluation ------------------------------------------------------------


@transaction.atomic
def resolution_post(*, actor: Any, resolution: Resolution, days: int = DEFAULT_POST_DAYS) -> Resolution:
    """Post the resolution and its results publicly (公示) once every commitment has passed supervision."""
    resolution = lock(Resolution, resolution)
    if not (
        access.can(actor, "deliberation.convene", resolution)
        or access.can(actor, "deliberation.supervise", resolution)
    ):
        access.check(actor, "deliberation.convene", resolution)
    if not 3 <= days <= 60:
        raise InvalidInput(fields={"days": _("公示期应为3至60天。")})
    commitments = list(resolution.commitments.all())
    if not commitments:
        raise Conflict(_("决议还没有办理事项，不能公示办理结果。"), code="no_commitments")
    pending = [c for c in commitments if c.status != CommitmentStatus.ACCEPTED]
    if pending:
        raise Conflict(_("还有%(n)s项办理事项未通过监督核查。") % {"n": len(pending)}, code="commitments_pending")
    resolution.posted_at = timezone.now()
    resolution.post_until = timezone.localdate() + dt.timedelta(days=days)
    _move(
        resolution,
        ResolutionStatus.POSTED,
        actor=actor,
        roles=roles_of(actor),
        kind="posted",
        note=_("公示至%(d)s") % {"d": resolution.post_until.isoformat()},
    )
    record(
        actor=actor,
        action="deliberation.resolution_post",
        target=resolution,
        changes={"post_until": resolution.post_until},
    )
    return resolution


@transaction.atomic
def objection_file(*, actor: Any, resolution: Resolution, text: str) -> Objection:
    """A resident objects during the posting period."""
    resolution = lock(Resolution, resolution)
    if not getattr(actor, "is_authenticated", False):
        access.check(actor, "deliberation.topics_view", resolution)
    if not belongs_to(actor, resolution.body.unit):
        raise Forbidden(_("只有本社区（村）居民可以提出异议。"))
    if resolution.status != ResolutionStatus.POSTED or (
        resolution.post_until and timezone.localdate() > resolution.post_until
    ):
        raise Conflict(_("只能在公示期内提出异议。"), code="not_posted")
    text = clean_text(text, "text", max_length=3000)
    objection = Objection.objects.create(resolution=resolution, author=actor, text=text)
    record(actor=actor, action="deliberation.objection_file", target=resolution, changes={"objection": objection.pk})
    send(
        recipients=unit_managers(resolution.body.unit, [Role.COMMUNITY_HEAD, Role.SUPERVISOR]),
        kind="deliberation.objection",
        title=gettext_lazy("决议%(number)s公示期收到异议"),
        params={"number": resolution.number},
        url=_url(resolution),
    )
    return objection


@transaction.atomic
def objection_answer(*, actor: Any, objection: Objection, answer: str) -> Objection:
    objection = lock(Objection, objection)
    access.check(actor, "deliberation.answer_objections", objection.resolution)
    answer = clean_text(answer, "answer", max_length=5000)
    transition(objection, ObjectionStatus.ANSWERED, machine="objection", roles=roles_of(actor))
    objection.answer = answer
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    record(
        actor=actor,
        action="deliberation.objection_answer",
        target=objection.resolution,
        changes={"objection": objection.pk},
    )
    send(
        recipients=[objection.author],
        kind="deliberation.objection",
        title=gettext_lazy("您对决议%(number)s的异议已答复"),
        params={"number": objection.resolution.number},
        url=_url(objection.resolution),
    )
    return objection


def _open_evaluation(resolution: Resolution, *, actor: Any, roles: set[str]) -> None:
    if resolution.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise Conflict(_("公示期异议尚未全部答复。"), code="objections_open")
    resolution.evaluation_until = timezone.localdate() + dt.timedelta(days=DEFAULT_EVALUATION_DAYS)
    _move(resolution, ResolutionStatus.EVALUATION, actor=actor, roles=roles, kind="evaluation_open")
    if resolution.topic_id and resolution.topic.status == TopicStatus.RESOLVED:
        topic_move(
            resolution.topic,
            TopicStatus.EVALUATING,
            actor=actor,
            kind="evaluation_open",
            note=_("公示期满，请居民评议办理效果。"),
        )


@transaction.atomic
def resolution_open_evaluation(*, actor: Any, resolution: Resolution) -> Resolution:
    """After the posting period (and every objection answered), residents may evaluate the outcome."""
    resolution = lock(Resolution, resolution)
    access.check(actor, "deliberation.convene", resolution)
    if (
        resolution.status == ResolutionStatus.POSTED
        and resolution.post_until
        and timezone.localdate() <= resolution.post_until
    ):
        raise Conflict(
            _("公示期至%(d)s，期满后才能开始评议。") % {"d": resolution.post_until.isoformat()}, code="posting"
        )
    _open_evaluation(resolution, actor=actor, roles=roles_of(actor))
    record(actor=actor, action="deliberation.evaluation_open", target=resolution)
    return resolution


@transaction.atomic
def evaluation_submit(*, actor: Any, resolution: Resolution, score: int, comment: str = "") -> Evaluation:
    """A resident rates the outcome (1–5), once."""
    resolution = lock(Resolution, resolution)
    if not getattr(actor, "is_authenticated", False):
        access.check(actor, "deliberation.topics_view", resolution)
    if not belongs_to(actor, resolution.body.unit):
        raise Forbidden(_("只有本社区（村）居民可以评议。"))
    if resolution.status != ResolutionStatus.EVALUATION:
        raise Conflict(_("该决议当前不在评议期。"), code="not_evaluating")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(fields={"score": _("请打1到5分。")})
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                resolution=resolution, author=actor, score=score, comment=(comment or "").strip()[:2000]
            )
    except IntegrityError:
        raise Conflict(_("您已评议过。"), code="already_evaluated") from None
    stats = resolution.evaluations.aggregate(avg=Avg("score"), n=Count("id"))
    resolution.evaluation_count = stats["n"]
    resolution.evaluation_score = Decimal(str(stats["avg"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    resolution.save(update_fields=["evaluation_count", "evaluation_score"])
    record(actor=actor, action="deliberation.evaluation_submit", target=resolution, changes={"score": score})
    return evaluation


def _close(resolution: Resolution, *, actor: Any, roles: set[str]) -> None:
    resolution.closed_at = timezone.now()
    note = _("评议%(n)s人，平均%(s)s分。") % {
        "n": resolution.evaluation_count,
        "s": resolution.evaluation_score or "-",
    }
    _move(resolution, ResolutionStatus.CLOSED, actor=actor, roles=roles, kind="closed", note=note)
    topic = resolution.topic
    if topic is not None and topic.status == TopicStatus.EVALUATING:
        topic.evaluation_score = resolution.evaluation_score
        topic.save(update_fields=["evaluation_score"])
        topic_move(topic, TopicStatus.CLOSED, actor=actor, kind="closed", note=note)


@transaction.atomic
def resolution_close(*, actor: Any, resolution: Resolution) -> Resolution:
    """Close the evaluation: once residents have evaluated, or the evaluation period has ended."""
    resolution = lock(Resolution, resolution)
    access.check(actor, "deliberation.convene", resolution)
    if resolution.status != ResolutionStatus.EVALUATION:
        raise Conflict(_("该决议当前不在评议期。"), code="not_evaluating")
    ended = resolution.evaluation_until is not None and timezone.localdate() > resolution.evaluation_until
    if resolution.evaluation_count == 0 and not ended:
        raise Conflict(
            _("还没有居民评议，评议期至%(d)s。") % {"d": resolution.evaluation_until}, code="no_evaluations"
        )
    _close(resolution, actor=actor, roles=roles_of(actor))
    record(
        actor=actor,
        action="deliberation.resolution_close",
        target=resolution,
        changes={"score": resolution.evaluation_score, "count": resolution.evaluation_count},
    )
    return resolution


@transaction.atomic
def advance_resolutions(*, today: dt.date | None = None) -> int:
    """Periodic: end postings whose period is over (no open objection) and evaluations whose period is over."""
    day = today or timezone.localdate()
    moved = 0
    for resolution in Resolution.objects.select_for_update().filter(
        status=ResolutionStatus.POSTED, post_until__lt=day
    ):
        if resolution.objections.filter(status=ObjectionStatus.OPEN).exists():
            continue
        _open_evaluation(resolution, actor="system", roles={SYSTEM})
        record(actor="system", action="deliberation.evaluation_open", target=resolution)
        moved += 1
    for resolution in Resolution.objects.select_for_update().filter(
        status=ResolutionStatus.EVALUATION, evaluation_until__lt=day
    ):
        _close(resolution, actor="system", roles={SYSTEM})
        record(actor="system", action="deliberation.resolution_close", target=resolution)
        moved += 1
    return moved
