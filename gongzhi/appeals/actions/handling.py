"""A department's work on an appeal, the resident's rating, supervision, extensions, notes, attachments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals.actions import _common as c
from gongzhi.appeals.models import (
    Appeal,
    AppealAttachment,
    Assignment,
    CloseReason,
    EventKind,
    ExtensionRequest,
    Kind,
    Rating,
    Satisfaction,
)
from gongzhi.appeals.workflow import (
    HANDLE,
    HANDLING,
    REPORTER,
    SUPERVISE,
    SYSTEM,
    AssignmentStatus,
    ExtensionStatus,
    Status,
    assignment_transition,
    extension_transition,
    transition,
)
from gongzhi.audit.chain import record
from gongzhi.lib import crypto, workdays
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotAuthenticated
from gongzhi.lib.validators import normalize_mobile
from gongzhi.notify.service import send
from gongzhi.people.actions import mobile_lookup
from gongzhi.people.roles import Role

RATING_WINDOW = dt.timedelta(days=7)


def max_reopens() -> int:
    """How many times a resident's dissatisfaction reopens an appeal before a supervisor reviews it."""
    return int(getattr(settings, "GONGZHI_APPEAL_MAX_REOPENS", 2))


def _supervisors(appeal: Appeal) -> list[Any]:
    return c.staff_over(appeal.unit_path, [Role.SUPERVISOR], nearest_only=True)


def _dispatchers(appeal: Appeal) -> list[Any]:
    return c.staff_over(appeal.unit_path, [Role.DISPATCHER], nearest_only=True)


@transaction.atomic
def appeal_accept(
    *, actor: Any, appeal: Appeal, assignment_id: int | None = None, expected_version: int | None = None
) -> Appeal:
    """A department takes its assignment (接单); the lead's acceptance moves the appeal to 办理中."""
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    if appeal.status == Status.REOPENED:
        return _accept_reopened(actor=actor, appeal=appeal, assignment_id=assignment_id)
    assignment = c.my_assignment(actor, appeal, assignment_id, statuses=[AssignmentStatus.PENDING])
    if assignment.role == Assignment.Role.LEAD:
        if appeal.status not in (Status.DISPATCHED,):
            raise InvalidTransition(_("诉求当前为“%(status)s”，不能接单。") % {"status": Status(appeal.status).label})
        old = transition(appeal, Status.ACCEPTED, actor=actor, party=HANDLE)
        appeal.accepted_at = c.now()
        c.save(appeal, ["accepted_at"])
    else:
        old = appeal.status
    assignment_transition(assignment, AssignmentStatus.ACCEPTED)
    assignment.accepted_by = actor
    assignment.accepted_at = c.now()
    assignment.save(update_fields=["status", "accepted_by", "accepted_at"])
    c.event(
        appeal,
        EventKind.ACCEPTED,
        actor=actor,
        department=assignment.department,
        from_status=old,
        to_status=appeal.status,
        data={"assignment": assignment.pk, "role": assignment.role},
    )
    record(
        actor=actor, action="appeals.accept", target=appeal, unit=appeal.unit, changes={"assignment": assignment.pk}
    )
    if assignment.role == Assignment.Role.LEAD:
        send(
            recipients=c.reporter_of(appeal),
            kind="appeals.accepted",
            title=_("您的诉求 %(number)s 已由%(department)s受理办理"),
            params={"number": appeal.number, "department": assignment.department.name},
            url=c.appeal_url(appeal),
        )
    return appeal


@transaction.atomic
def appeal_return(
    *,
    actor: Any,
    appeal: Appeal,
    reason: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Appeal:
    """退单: the department says the appeal is not theirs; it goes back to the dispatcher with the reason."""
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    assignment = c.my_assignment(
        actor, appeal, assignment_id, statuses=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
    )
    reason = c.clean_text(reason, field="reason", required=True, limit=1000)
    old = appeal.status
    if assignment.role == Assignment.Role.LEAD:
        if appeal.status == Status.RESPONDED:
            raise InvalidTransition(_("已联系诉求人后不能退单，请申请延期或改派。"))
        transition(appeal, Status.RETURNED, actor=actor, party=HANDLE)
        for other in c.live_assignments(appeal):
            if other.pk != assignment.pk and other.status != AssignmentStatus.DONE:
                assignment_transition(other, AssignmentStatus.CANCELLED)
                other.save(update_fields=["status"])
        appeal.department = None
        appeal.return_count += 1
        appeal.response_due = None
        appeal.resolution_due = None
        appeal.is_overdue = False
        c.save(appeal, ["department", "return_count", "response_due", "resolution_due", "is_overdue"])
    assignment_transition(assignment, AssignmentStatus.RETURNED)
    assignment.return_reason = reason
    assignment.save(update_fields=["status", "return_reason"])
    c.event(
        appeal,
        EventKind.RETURNED,
        actor=actor,
        department=assignment.department,
        comment=reason,
        is_public=False,
        from_status=old,
        to_status=appeal.status,
        data={"assignment": assignment.pk, "role": assignment.role},
    )
    record(actor=actor, action="appeals.return", target=appeal, unit=appeal.unit, changes={"reason": reason})
    send(
        recipients=_dispatchers(appeal),
        kind="appeals.returned",
        title=_("诉求 %(number)s 被%(department)s退单"),
        body=_("理由：%(reason)s"),
        params={"number": appeal.number, "department": assignment.department.name, "reason": reason},
        url=c.appeal_url(appeal),
    )
    return appeal


@transaction.atomic
def appeal_respond(
    *,
    actor: Any,
    appeal: Appeal,
    comment: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Appeal:
    """The lead department has contacted the resident: this stamps the response time (响应)."""
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    assignment = c.my_assignment(actor, appeal, assignment_id, statuses=[AssignmentStatus.ACCEPTED])
    if assignment.role != Assignment.Role.LEAD:
        raise Forbidden(_("由主办部门联系诉求人。"))
    comment = c.clean_text(comment, field="comment", required=True, limit=2000)
    old = transition(appeal, Status.RESPONDED, actor=actor, party=HANDLE)
    moment = c.now()
    fields = []
    if appeal.responded_at is None:
        appeal.responded_at = moment
        appeal.responded_on_time = appeal.response_due is None or moment <= appeal.response_due
        fields = ["responded_at", "responded_on_time"]
    c.save(appeal, fields)
    c.event(
        appeal,
        EventKind.RESPONDED,
        actor=actor,
        department=assignment.department,
        comment=comment,
        from_status=old,
        to_status=Status.RESPONDED,
        data={"on_time": appeal.responded_on_time},
    )
    record(actor=actor, action="appeals.respond", target=appeal, unit=appeal.unit, changes={"at": moment})
    send(
        recipients=c.reporter_of(appeal),
        kind="appeals.responded",
        title=_("%(department)s已就诉求 %(number)s 与您联系"),
        params={"number": appeal.number, "department": assignment.department.name},
        url=c.appeal_url(appeal),
    )
    return appeal


def _evidence(
    appeal: Appeal, actor: Any, uploads: list[c.Upload] | None, evidence_ids: list[int] | None, stored: list[str]
) -> list[AppealAttachment]:
    rows: list[AppealAttachment] = []
    if evidence_ids:
        found = list(
            AppealAttachment.objects.filter(appeal=appeal, pk__in=evidence_ids, event__isnull=True).order_by("id")
        )
        if len(found) != len(set(evidence_ids)):
            raise InvalidInput(fields={"evidence_ids": _("找不到所选的证明材料（需先上传到本诉求且尚未使用）。")})
        for row in found:
            row.is_evidence = True
            row.save(update_fields=["is_evidence"])
        rows.extend(found)
    if uploads:
        existing = AppealAttachment.objects.filter(appeal=appeal).count()
        checked = c.check_uploads(uploads, existing=existing, field="evidence")
        rows.extend(c.store_uploads(appeal, checked, actor=actor, evidence=True, stored=stored))
    return rows


@transaction.atomic
def appeal_complete(
    *,
    actor: Any,
    appeal: Appeal,
    result: str,
    evidence: list[c.Upload] | None = None,
    evidence_ids: list[int] | None = None,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Appeal:
    """A department finishes its part with a result and evidence; when every part is done the appeal is resolved.

    The lead must have contacted the resident first. Requests and complaints need evidence (a photo, a
    document); enquiries, suggestions and praise need only the written result.
    """
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    assignment = c.my_assignment(actor, appeal, assignment_id, statuses=[AssignmentStatus.ACCEPTED])
    result = c.clean_text(result, field="result", required=True, limit=4000)
    is_lead = assignment.role == Assignment.Role.LEAD
    if is_lead and appeal.status != Status.RESPONDED:
        raise InvalidTransition(_("请先联系诉求人（响应）后再办结。"), code="respond_first")
    stored: list[str] = []
    try:
        files = _evidence(appeal, actor, evidence, evidence_ids, stored)
        if is_lead and appeal.kind in (Kind.REQUEST, Kind.COMPLAINT) and not files:
            raise InvalidInput(fields={"evidence": _("求助和投诉类诉求办结时请上传办理证明（照片或文件）。")})
        assignment_transition(assignment, AssignmentStatus.DONE)
        assignment.result = result
        assignment.done_by = actor
        assignment.done_at = c.now()
        assignment.save(update_fields=["status", "result", "done_by", "done_at"])
        # With one department the resident reads the result once, on "resolved"; with several they see each part.
        several = len(c.live_assignments(appeal)) > 1
        done_event = c.event(
            appeal,
            EventKind.ASSIGNMENT_DONE,
            actor=actor,
            department=assignment.department,
            comment=result,
            is_public=several,
            data={"assignment": assignment.pk, "role": assignment.role},
        )
        for row in files:
            row.event = done_event
            row.save(update_fields=["event"])
        if is_lead:
            appeal.result = result
            c.save(appeal, ["result"])
        resolved = _resolve_if_done(appeal, actor=actor if is_lead else None)
        record(
            actor=actor,
            action="appeals.complete",
            target=appeal,
            unit=appeal.unit,
            changes={"assignment": assignment.pk, "resolved": resolved, "evidence": [f.pk for f in files]},
        )
    except BaseException:
        c.remove_files(stored)
        raise
    return appeal


def _resolve_if_done(appeal: Appeal, *, actor: Any) -> bool:
    """Resolve the appeal when every live assignment is done and the resident was contacted."""
    live = c.live_assignments(appeal)
    if appeal.status != Status.RESPONDED or not live or any(a.status != AssignmentStatus.DONE for a in live):
        return False
    old = transition(appeal, Status.RESOLVED, actor=actor, party=HANDLE if actor is not None else SYSTEM)
    moment = c.now()
    appeal.resolved_at = moment
    appeal.resolved_on_time = appeal.resolution_due is None or moment <= appeal.resolution_due
    c.save(appeal, ["resolved_at", "resolved_on_time"])
    c.event(
        appeal,
        EventKind.RESOLVED,
        actor=actor,
        department=appeal.department,
        comment=appeal.result,
        from_status=old,
        to_status=Status.RESOLVED,
        data={"on_time": appeal.resolved_on_time, "assignments": len(live)},
    )
    send(
        recipients=c.reporter_of(appeal),
        kind="appeals.resolved",
        title=_("您的诉求 %(number)s 已办结，请评价"),
        body=_("办理结果：%(result)s"),
        params={"number": appeal.number, "result": appeal.result[:200]},
        url=c.appeal_url(appeal),
    )
    return True


def is_reporter(actor: Any, appeal: Appeal, verified_mobile: str | None = None) -> bool:
    """Return whether the actor is the appeal's reporter (signed in, or proving the contact mobile)."""
    if c.is_signed_in(actor) and appeal.reporter_id and actor.pk == appeal.reporter_id:
        return True
    if verified_mobile and appeal.contact_mobile_index and appeal.reporter_id is None:
        return mobile_lookup(normalize_mobile(verified_mobile)) == appeal.contact_mobile_index
    return False


@transaction.atomic
def appeal_rate(
    *,
    actor: Any,
    appeal: Appeal,
    resolved: bool,
    satisfaction: str,
    comment: str = "",
    verified_mobile: str | None = None,
) -> Rating:
    """The reporter rates a resolved appeal, once per round: satisfied closes it, unsatisfied reopens it.

    After the allowed number of reopenings, dissatisfaction sends the appeal to supervisor review.
    """
    appeal = c.lock(appeal)
    if not is_reporter(actor, appeal, verified_mobile):
        if not c.is_signed_in(actor) and not verified_mobile:
            raise NotAuthenticated()
        raise Forbidden(_("只有诉求人本人可以评价。"), code="not_reporter")
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(fields={"satisfaction": _("请选择满意、基本满意或不满意。")})
    comment = c.clean_text(comment, field="comment", limit=1000)
    round_no = appeal.reopen_count + 1
    if Rating.objects.filter(appeal=appeal, round=round_no).exists():
        raise Conflict(_("您已评价过本次办理结果。"), code="already_rated")
    old = transition(appeal, Status.RATED, actor=actor, party=REPORTER)
    rating = Rating.objects.create(
        appeal=appeal,
        round=round_no,
        resolved=bool(resolved),
        satisfaction=satisfaction,
        comment=comment,
        rated_by=actor if c.is_signed_in(actor) else None,
        rated_at=c.now(),
        department=appeal.department,
        unit=appeal.unit,
        unit_path=appeal.unit_path,
    )
    c.event(
        appeal,
        EventKind.RATED,
        actor=actor,
        label=_("诉求人"),
        comment=comment,
        from_status=old,
        to_status=Status.RATED,
        data={"resolved": bool(resolved), "satisfaction": satisfaction, "round": round_no},
    )
    if satisfaction == Satisfaction.UNSATISFIED:
        if appeal.reopen_count < max_reopens():
            _reopen(appeal, actor=None, party=SYSTEM, comment=_("诉求人不满意，重新办理。"))
        else:
            transition(appeal, Status.REVIEW, actor=None, party=SYSTEM)
            c.save(appeal, [])
            c.event(
                appeal,
                EventKind.REVIEW,
                actor=None,
                comment=_("多次重办仍不满意，提交督办复核。"),
                from_status=Status.RATED,
                to_status=Status.REVIEW,
            )
            send(
                recipients=_supervisors(appeal),
                kind="appeals.review",
                title=_("诉求 %(number)s 多次重办仍不满意，请督办复核"),
                params={"number": appeal.number},
                url=c.appeal_url(appeal),
            )
    else:
        _close(appeal, actor=None, party=SYSTEM, reason=CloseReason.RATED, from_status=Status.RATED)
    record(
        actor=actor if c.is_signed_in(actor) else "reporter",
        action="appeals.rate",
        target=appeal,
        unit=appeal.unit,
        changes={"round": round_no, "resolved": bool(resolved), "satisfaction": satisfaction},
    )
    send(
        recipients=c.department_staff([appeal.department_id] if appeal.department_id else []),
        kind="appeals.rated",
        title=_("诉求 %(number)s 的评价：%(satisfaction)s"),
        params={"number": appeal.number, "satisfaction": Satisfaction(satisfaction).label},
        url=c.appeal_url(appeal),
    )
    return rating


def _reopen(appeal: Appeal, *, actor: Any, party: str, comment: str) -> None:
    old = transition(appeal, Status.REOPENED, actor=actor, party=party)
    moment = c.now()
    appeal.reopen_count += 1
    appeal.response_due, appeal.resolution_due = c.deadlines_for(appeal.category, moment)
    appeal.resolved_at = None
    appeal.resolved_on_time = None
    appeal.is_overdue = False
    for assignment in c.live_assignments(appeal):
        if assignment.status == AssignmentStatus.DONE:
            assignment_transition(assignment, AssignmentStatus.ACCEPTED)
            assignment.done_at = None
            assignment.save(update_fields=["status", "done_at"])
    c.save(appeal, ["reopen_count", "response_due", "resolution_due", "resolved_at", "resolved_on_time", "is_overdue"])
    c.event(appeal, EventKind.REOPENED, actor=actor, comment=comment, from_status=old, to_status=Status.REOPENED)
    send(
        recipients=c.department_staff([a.department_id for a in c.live_assignments(appeal)]),
        kind="appeals.reopened",
        title=_("诉求 %(number)s 需重新办理"),
        body=comment,
        params={"number": appeal.number},
        url=c.appeal_url(appeal),
    )


def _close(appeal: Appeal, *, actor: Any, party: str, reason: str, from_status: str, comment: str = "") -> None:
    transition(appeal, Status.CLOSED, actor=actor, party=party)
    appeal.closed_at = c.now()
    appeal.close_reason = reason
    c.save(appeal, ["closed_at", "close_reason"])
    c.event(
        appeal,
        EventKind.CLOSED,
        actor=actor,
        comment=comment or str(CloseReason(reason).label),
        from_status=from_status,
        to_status=Status.CLOSED,
        data={"reason": reason},
    )


def _accept_reopened(*, actor: Any, appeal: Appeal, assignment_id: int | None) -> Appeal:
    """The lead department takes a reopened appeal back into work (the appeal is locked by the caller)."""
    assignment = c.my_assignment(
        actor, appeal, assignment_id, statuses=[AssignmentStatus.ACCEPTED, AssignmentStatus.PENDING]
    )
    if assignment.role != Assignment.Role.LEAD:
        raise Forbidden(_("由主办部门重新接单。"))
    old = transition(appeal, Status.ACCEPTED, actor=actor, party=HANDLE)
    if assignment.status == AssignmentStatus.PENDING:
        assignment_transition(assignment, AssignmentStatus.ACCEPTED)
        assignment.accepted_by = actor
        assignment.accepted_at = c.now()
        assignment.save(update_fields=["status", "accepted_by", "accepted_at"])
    c.save(appeal, [])
    c.event(
        appeal,
        EventKind.ACCEPTED,
        actor=actor,
        department=assignment.department,
        from_status=old,
        to_status=Status.ACCEPTED,
        data={"assignment": assignment.pk, "reopened": True},
    )
    record(actor=actor, action="appeals.accept", target=appeal, unit=appeal.unit, changes={"reopened": True})
    return appeal


@transaction.atomic
def appeal_review(
    *, actor: Any, appeal: Appeal, decision: str, comment: str, expected_version: int | None = None
) -> Appeal:
    """A supervisor decides an appeal under review: order the work redone, or close it with a conclusion."""
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    access.check(actor, "appeals.supervise", appeal)
    comment = c.clean_text(comment, field="comment", required=True, limit=2000)
    if decision == "reopen":
        _reopen(appeal, actor=actor, party=SUPERVISE, comment=comment)
    elif decision == "close":
        _close(
            appeal,
            actor=actor,
            party=SUPERVISE,
            reason=CloseReason.REVIEWED,
            from_status=appeal.status,
            comment=comment,
        )
    else:
        raise InvalidInput(fields={"decision": _("请选择重办或结案。")})
    record(actor=actor, action="appeals.review", target=appeal, unit=appeal.unit, changes={"decision": decision})
    send(
        recipients=c.reporter_of(appeal),
        kind="appeals.reviewed",
        title=_("您的诉求 %(number)s 已经督办复核"),
        body=comment,
        params={"number": appeal.number},
        url=c.appeal_url(appeal),
    )
    return appeal


@transaction.atomic
def appeal_close(*, actor: Any, appeal: Appeal, comment: str, expected_version: int | None = None) -> Appeal:
    """A supervisor closes a resolved appeal the resident cannot be reached to rate."""
    appeal = c.lock(appeal)
    c.check_version(appeal, expected_version)
    access.check(actor, "appeals.supervise", appeal)
    comment = c.clean_text(comment, field="comment", required=True, limit=2000)
    if appeal.status != Status.RESOLVED:
        raise InvalidTransition(_("只能结案已办结的诉求。"))
    _close(
        appeal,
        actor=actor,
        party=SUPERVISE,
        reason=CloseReason.NOT_RATED,
        from_status=Status.RESOLVED,
        comment=comment,
    )
    record(actor=actor, action="appeals.close", target=appeal, unit=appeal.unit, changes={"comment": comment})
    return appeal


@transaction.atomic
def appeal_close_unrated(*, appeal_id: int, now: dt.datetime | None = None) -> bool:
    """Close a resolved appeal its reporter did not rate within 7 days (periodic task; idempotent)."""
    appeal = c.lock(appeal_id)
    moment = now or c.now()
    if appeal.status != Status.RESOLVED or appeal.resolved_at is None or appeal.resolved_at > moment - RATING_WINDOW:
        return False
    _close(appeal, actor=None, party=SYSTEM, reason=CloseReason.NOT_RATED, from_status=Status.RESOLVED)
    record(actor="system", action="appeals.close_unrated", target=appeal, unit=appeal.unit, changes={})
    return True


@transaction.atomic
def appeal_note(
    *, actor: Any, appeal: Appeal, comment: str, attachments: list[c.Upload] | None = None, public: bool = False
) -> Appeal:
    """Add a note to the timeline (internal unless marked public), with attachments."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    access.check(actor, "appeals.note", appeal)
    comment = c.clean_text(comment, field="comment", required=True, limit=2000)
    stored: list[str] = []
    try:
        existing = AppealAttachment.objects.filter(appeal=appeal).count()
        checked = c.check_uploads(attachments, existing=existing)
        note = c.event(appeal, "note", actor=actor, comment=comment, is_public=bool(public))
        for row in c.store_uploads(appeal, checked, actor=actor, stored=stored):
            row.event = note
            row.save(update_fields=["event"])
        record(actor=actor, action="appeals.note", target=appeal, unit=appeal.unit, changes={"public": bool(public)})
    except BaseException:
        c.remove_files(stored)
        raise
    return appeal


@transaction.atomic
def attachment_add(
    *, actor: Any, appeal: Appeal, files: list[c.Upload], evidence: bool = False, verified_mobile: str | None = None
) -> list[AppealAttachment]:
    """Upload files to an appeal (the reporter while it is open, staff who may note; evidence by handlers)."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if evidence:
        access.check(actor, "appeals.handle", _any_live_assignment_of(actor, appeal))
    elif not is_reporter(actor, appeal, verified_mobile):
        access.check(actor, "appeals.note", appeal)
    elif appeal.status not in HANDLING and appeal.status not in (Status.SUBMITTED, Status.RETURNED):
        raise InvalidTransition(_("诉求已办结，不能再补充材料。"))
    if not files:
        raise InvalidInput(fields={"files": _("请选择文件。")})
    existing = AppealAttachment.objects.filter(appeal=appeal).count()
    checked = c.check_uploads(files, existing=existing, field="files")
    stored: list[str] = []
    try:
        rows = c.store_uploads(appeal, checked, actor=actor, evidence=evidence, stored=stored)
        record(
            actor=actor if c.is_signed_in(actor) else "reporter",
            action="appeals.attachment_add",
            target=appeal,
            unit=appeal.unit,
            changes={"files": [r.original_name for r in rows], "evidence": evidence},
        )
    except BaseException:
        c.remove_files(stored)
        raise
    return rows


def _any_live_assignment_of(actor: Any, appeal: Appeal) -> Assignment:
    for assignment in Assignment.objects.filter(appeal=appeal).select_related("department"):
        if assignment.is_live and access.can(actor, "appeals.handle", assignment):
            return assignment
    access.check_any(actor, "appeals.handle")
    raise Forbidden(_("您的部门没有该诉求的工单。"))


@transaction.atomic
def appeal_reveal_contact(*, actor: Any, appeal: Appeal) -> dict[str, str]:
    """Show the reporter's full mobile and e-mail to staff who must call back; every look is audited."""
    access.check(actor, "appeals.contact", appeal)
    mobile = appeal.contact_mobile or (appeal.reporter.mobile if appeal.reporter_id and appeal.reporter else "")
    email = appeal.contact_email or (appeal.reporter.email if appeal.reporter_id and appeal.reporter else "")
    record(
        actor=actor,
        action="appeals.contact_reveal",
        target=appeal,
        unit=appeal.unit,
        changes={"mobile": crypto.mask_mobile(mobile) if mobile else ""},
    )
    return {
        "name": appeal.contact_name or (appeal.reporter.name if appeal.reporter else ""),
        "mobile": mobile,
        "email": email,
    }


@transaction.atomic
def appeal_set_public(*, actor: Any, appeal: Appeal, is_public: bool) -> Appeal:
    """The reporter decides whether the appeal may be shown on the public page (without personal data)."""
    appeal = c.lock(appeal)
    if not is_reporter(actor, appeal):
        raise Forbidden(_("只有诉求人本人可以修改公开设置。"), code="not_reporter")
    if appeal.is_public != bool(is_public):
        appeal.is_public = bool(is_public)
        c.save(appeal, ["is_public"])
        c.event(
            appeal, EventKind.PUBLIC_SET, actor=actor, label=_("诉求人"), is_public=False, data={"public": is_public}
        )
        record(
            actor=actor, action="appeals.set_public", target=appeal, unit=appeal.unit, changes={"public": is_public}
        )
    return appeal


@transaction.atomic
def extension_request(
    *,
    actor: Any,
    appeal: Appeal,
    extra_workdays: int,
    reason: str,
    assignment_id: int | None = None,
) -> ExtensionRequest:
    """The lead department asks for more working days to resolve (申请延期)."""
    appeal = c.lock(appeal)
    assignment = c.my_assignment(
        actor, appeal, assignment_id, statuses=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
    )
    if assignment.role != Assignment.Role.LEAD:
        raise Forbidden(_("由主办部门申请延期。"))
    if appeal.status not in HANDLING or appeal.resolution_due is None:
        raise InvalidTransition(_("诉求当前状态下不能申请延期。"))
    reason = c.clean_text(reason, field="reason", required=True, limit=1000)
    try:
        days = int(extra_workdays)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise InvalidInput(fields={"extra_workdays": _("延长天数应为1至30个工作日。")})
    if ExtensionRequest.objects.filter(appeal=appeal, status=ExtensionStatus.PENDING).exists():
        raise Conflict(_("已有待审批的延期申请。"), code="extension_pending")
    extension = ExtensionRequest.objects.create(
        appeal=appeal,
        department=assignment.department,
        requested_by=actor,
        requested_at=c.now(),
        reason=reason,
        extra_workdays=days,
        old_due=appeal.resolution_due,
        new_due=workdays.add_workdays(appeal.resolution_due, days),
    )
    c.event(
        appeal,
        EventKind.EXTENSION_REQUESTED,
        actor=actor,
        department=assignment.department,
        comment=reason,
        is_public=False,
        data={"extension": extension.pk, "days": days, "new_due": extension.new_due.isoformat()},
    )
    record(actor=actor, action="appeals.extension_request", target=appeal, unit=appeal.unit, changes={"days": days})
    send(
        recipients=_dispatchers(appeal),
        kind="appeals.extension",
        title=_("%(department)s申请诉求 %(number)s 延期%(days)s个工作日"),
        params={"number": appeal.number, "department": assignment.department.name, "days": days},
        url=c.appeal_url(appeal),
    )
    return extension


@transaction.atomic
def extension_decide(*, actor: Any, extension: ExtensionRequest, approve: bool, note: str = "") -> ExtensionRequest:
    """Approve (the resolution deadline moves) or refuse an extension request."""
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    appeal = c.lock(extension.appeal_id)
    access.check(actor, "appeals.extend", appeal)
    note = c.clean_text(note, field="note", required=not approve, limit=1000)
    extension_transition(extension, ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED)
    extension.decided_by = actor
    extension.decided_at = c.now()
    extension.decision_note = note
    if approve:
        if appeal.status not in HANDLING or appeal.resolution_due is None:
            raise InvalidTransition(_("诉求已不在办理中，无需延期。"))
        extension.old_due = appeal.resolution_due
        extension.new_due = workdays.add_workdays(appeal.resolution_due, extension.extra_workdays)
        appeal.resolution_due = extension.new_due
        if appeal.is_overdue and appeal.resolution_due > c.now() and appeal.responded_at is not None:
            appeal.is_overdue = False
        c.save(appeal, ["resolution_due", "is_overdue"])
    extension.save()
    c.event(
        appeal,
        EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED,
        actor=actor,
        comment=note
        or _("办结时限延至%(due)s。") % {"due": timezone.localtime(extension.new_due).strftime("%Y-%m-%d %H:%M")},
        is_public=approve,
        data={"extension": extension.pk, "new_due": extension.new_due.isoformat() if approve else None},
    )
    record(
        actor=actor,
        action="appeals.extension_decide",
        target=appeal,
        unit=appeal.unit,
        changes={"extension": extension.pk, "approve": approve},
    )
    send(
        recipients=[extension.requested_by],
        kind="appeals.extension_decided",
        title=_("诉求 %(number)s 的延期申请：%(result)s"),
        params={"number": appeal.number, "result": ExtensionStatus(extension.status).label},
        url=c.appeal_url(appeal),
    )
    return extension
