"""JSON API for appeals: intake, work lists, the workflow, 一件事 and 吹哨, ratings, categories, rules, metrics.

Endpoints parse, find through queries (scoped), call the same actions as the pages, and render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi import access
from gongzhi.api import TokenAuth, actor
from gongzhi.appeals import actions, metrics, queries, throttle
from gongzhi.appeals import schemas as s
from gongzhi.appeals.actions import Upload
from gongzhi.appeals.models import Appeal, CategoryAttribute, Channel
from gongzhi.lib.errors import Forbidden, InvalidInput, NotFound
from gongzhi.lib.schemas import ERRORS
from gongzhi.units.models import Department
from gongzhi.units.queries import access_unit
from gongzhi.web.middleware import client_ip

router = Router(tags=["appeals"])


def _anyone(request: HttpRequest) -> bool:
    """Let anonymous callers through (endpoints that prove identity another way, e.g. number + mobile)."""
    return True


PUBLIC_POST = [TokenAuth(), _anyone]


# --- categories -----------------------------------------------------------------------------------


def _categories_out(rows: list[Any]) -> list[Any]:
    codes = {c.path: c.code for c in rows}
    attributes: dict[int, list[CategoryAttribute]] = {}
    for attribute in CategoryAttribute.objects.filter(category__in=[c.pk for c in rows]).order_by("order"):
        attributes.setdefault(attribute.category_id, []).append(attribute)
    for category in rows:
        category._codes_by_path = codes
        category._attributes = attributes.get(category.pk, [])
    return rows


@router.get(
    "/appeal-categories",
    response={200: list[s.CategoryOut], **ERRORS},
    auth=None,
    tags=["appeal categories"],
    summary="The appeal taxonomy (public)",
)
def category_list(request: HttpRequest, include_retired: bool = False):
    return _categories_out(list(queries.categories(active_only=not include_retired)))


@router.get(
    "/appeal-categories/{code}", response={200: s.CategoryOut, **ERRORS}, auth=None, tags=["appeal categories"]
)
def category_detail(request: HttpRequest, code: str):
    return _categories_out([queries.category_by_code(code)])[0]


@router.post("/appeal-categories", response={201: s.CategoryOut, **ERRORS}, tags=["appeal categories"])
def category_create(request: HttpRequest, payload: s.CategoryCreateIn):
    data = payload.dict()
    parent_code = data.pop("parent_code")
    parent = queries.category_by_code(parent_code) if parent_code else None
    category = actions.category_create(actor=actor(request), parent=parent, **data)
    return Status(201, _categories_out([category])[0])


@router.patch("/appeal-categories/{code}", response={200: s.CategoryOut, **ERRORS}, tags=["appeal categories"])
def category_update(request: HttpRequest, code: str, payload: s.CategoryUpdateIn):
    category = queries.category_by_code(code)
    category = actions.category_update(actor=actor(request), category=category, **payload.dict(exclude_unset=True))
    return _categories_out([category])[0]


@router.post("/appeal-categories/{code}/retire", response={200: s.CategoryOut, **ERRORS}, tags=["appeal categories"])
def category_retire(request: HttpRequest, code: str):
    category = actions.category_retire(actor=actor(request), category=queries.category_by_code(code))
    return _categories_out([category])[0]


@router.post("/appeal-categories/{code}/restore", response={200: s.CategoryOut, **ERRORS}, tags=["appeal categories"])
def category_restore(request: HttpRequest, code: str):
    category = actions.category_retire(actor=actor(request), category=queries.category_by_code(code), retire=False)
    return _categories_out([category])[0]


@router.post(
    "/appeal-categories/{code}/attributes", response={201: s.AttributeOut, **ERRORS}, tags=["appeal categories"]
)
def attribute_create(request: HttpRequest, code: str, payload: s.AttributeCreateIn):
    category = queries.category_by_code(code)
    data = payload.dict()
    attribute = actions.attribute_create(actor=actor(request), category=category, **data)
    return Status(201, attribute)


@router.patch(
    "/appeal-categories/{code}/attributes/{attribute_code}",
    response={200: s.AttributeOut, **ERRORS},
    tags=["appeal categories"],
)
def attribute_update(request: HttpRequest, code: str, attribute_code: str, payload: s.AttributeUpdateIn):
    category = queries.category_by_code(code)
    attribute = CategoryAttribute.objects.filter(category=category, code=attribute_code).first()
    if attribute is None:
        raise NotFound()
    return actions.attribute_update(actor=actor(request), attribute=attribute, **payload.dict(exclude_unset=True))


# --- routing rules --------------------------------------------------------------------------------


@router.get("/routing-rules", response={200: list[s.RuleOut], **ERRORS}, tags=["routing rules"])
def rule_list(request: HttpRequest, category: str = "", unit_id: int | None = None):
    qs = queries.rules_visible(actor(request))
    if category:
        qs = qs.filter(category__path__startswith=queries.category_by_code(category).path)
    if unit_id:
        qs = qs.filter(unit__path__startswith=access_unit(actor(request), unit_id).path)
    return list(qs[:1000])


@router.post("/routing-rules", response={201: s.RuleOut, **ERRORS}, tags=["routing rules"])
def rule_create(request: HttpRequest, payload: s.RuleCreateIn):
    who = actor(request)
    unit = access_unit(who, payload.unit_id)
    rule = actions.rule_create(
        actor=who,
        category=queries.category_by_code(payload.category_code, active_only=True),
        unit=unit,
        department=queries.department_for(unit.path, payload.department_id),
        priority=payload.priority,
        note=payload.note,
    )
    return Status(201, rule)


@router.get("/routing-rules/{rule_id}", response={200: s.RuleOut, **ERRORS}, tags=["routing rules"])
def rule_detail(request: HttpRequest, rule_id: int):
    return queries.access_rule(actor(request), rule_id)


@router.patch("/routing-rules/{rule_id}", response={200: s.RuleOut, **ERRORS}, tags=["routing rules"])
def rule_update(request: HttpRequest, rule_id: int, payload: s.RuleUpdateIn):
    who = actor(request)
    rule = queries.access_rule(who, rule_id)
    data = payload.dict(exclude_unset=True)
    department = queries.department_for(rule.unit.path, data["department_id"]) if data.get("department_id") else None
    data.pop("department_id", None)
    return actions.rule_update(actor=who, rule=rule, department=department, **data)


@router.delete("/routing-rules/{rule_id}", response={204: None, **ERRORS}, tags=["routing rules"])
def rule_delete(request: HttpRequest, rule_id: int):
    rule = queries.access_rule(actor(request), rule_id)
    actions.rule_delete(actor=actor(request), rule=rule)
    return Status(204, None)


# --- intake and lists -----------------------------------------------------------------------------

API_CHANNELS = {Channel.WEB, Channel.API, Channel.PHONE, Channel.WALK_IN, Channel.GRID_PATROL}


@router.post("/appeals", response={201: s.AppealOut, **ERRORS}, summary="Submit an appeal (Idempotency-Key)")
def appeal_create(request: HttpRequest, payload: s.AppealCreateIn, response: HttpResponse):
    """Submit an appeal. Send an `Idempotency-Key` header: a retry with the same key returns the same appeal
    (with `Idempotent-Replayed: true`) and never makes a second one."""
    who = actor(request)
    channel = payload.channel or (Channel.API if _by_token(request) else Channel.WEB)
    if channel not in API_CHANNELS:
        raise InvalidInput(fields={"channel": _("接口只接受 web、api、phone、walk_in、grid_patrol 渠道。")})
    unit = access_unit_public(payload.unit_id) if payload.unit_id else None
    appeal = actions.appeal_submit(
        actor=who,
        channel=channel,
        category=payload.category,
        description=payload.description,
        unit=unit,
        kind=payload.kind,
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        is_public=payload.is_public,
        attributes=payload.attributes,
        contact=payload.contact.dict() if payload.contact else None,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    if getattr(appeal, "replayed", False):
        response["Idempotent-Replayed"] = "true"
    return Status(201, appeal)


def _by_token(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def access_unit_public(unit_id: int) -> Any:
    """Units are public (residents pick where a problem is); staff reach is checked by the action."""
    from gongzhi.units.queries import unit_by_id

    unit = unit_by_id(unit_id)
    if unit is None:
        raise InvalidInput(fields={"unit_id": _("找不到该单位。")})
    return unit


class AppealListQuery(Schema):
    status: str = ""
    open: bool = False
    category: str = ""
    unit_id: int | None = None
    department_id: int | None = None
    overdue: bool = False
    escalated: bool = False
    channel: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    sort: str = "newest"
    cursor: str | None = None
    limit: int = 50


def _department(pk: int) -> Department:
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise InvalidInput(fields={"department_id": _("找不到该部门。")})
    return department


def filters_from(who: Any, query: AppealListQuery) -> queries.AppealFilters:
    return queries.AppealFilters(
        status=[x for x in query.status.split(",") if x] or None,
        open_only=query.open,
        category=queries.category_by_code(query.category) if query.category else None,
        unit=access_unit(who, query.unit_id) if query.unit_id else None,
        department=_department(query.department_id) if query.department_id else None,
        overdue=query.overdue,
        escalated=query.escalated,
        channel=query.channel,
        date_from=query.date_from,
        date_to=query.date_to,
        q=query.q,
    )


@router.get("/appeals", response={200: s.AppealPage, **ERRORS}, summary="The work list (keyset pages)")
def appeal_list(request: HttpRequest, query: Query[AppealListQuery]):
    who = actor(request)
    page = queries.appeal_page(who, filters_from(who, query), sort=query.sort, after=query.cursor, limit=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor, "limit": page.limit}


@router.get("/appeals/queue", response={200: s.AppealPage, **ERRORS}, summary="The dispatcher's queue")
def appeal_queue(request: HttpRequest, unit_id: int | None = None, cursor: str | None = None, limit: int = 50):
    who = actor(request)
    unit = access_unit(who, unit_id) if unit_id else None
    page = queries.dispatch_queue(who, unit=unit, after=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor, "limit": page.limit}


@router.get("/appeals/mine", response={200: s.AppealPage, **ERRORS}, summary="Appeals I reported")
def appeal_mine(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    page = queries.my_appeals(actor(request), after=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor, "limit": page.limit}


@router.post("/appeals/bulk-dispatch", response={200: list[s.BulkResultOut], **ERRORS})
def appeal_bulk_dispatch(request: HttpRequest, payload: s.BulkDispatchIn):
    who = actor(request)
    access.check_any(who, "appeals.dispatch")
    department = Department.objects.filter(pk=payload.department_id, is_active=True).first()
    if department is None:
        raise InvalidInput(fields={"department_id": _("该部门不存在或已停用。")})
    found = {a.number: a for a in queries.appeals_visible(who).filter(number__in=payload.numbers[:200])}
    missing = [n for n in payload.numbers if n not in found]
    if not payload.numbers:
        raise InvalidInput(fields={"numbers": _("请至少选择一条诉求。")})
    chosen = [found[n] for n in dict.fromkeys(payload.numbers) if n in found]
    results = (
        actions.appeal_bulk_dispatch(actor=who, appeals=chosen, department=department, comment=payload.comment)
        if chosen
        else []
    )
    out = [{"number": r.number, "ok": r.ok, "message": r.message, "status": r.status} for r in results]
    out += [{"number": n, "ok": False, "message": str(NotFound().message), "status": 404} for n in missing]
    return out


# --- public and tracking --------------------------------------------------------------------------


@router.get("/public/appeals", response={200: s.PublicPage, **ERRORS}, auth=None, tags=["public"])
def public_list(request: HttpRequest, cursor: str | None = None, limit: int = 20, unit_id: int | None = None):
    unit = access_unit_public(unit_id) if unit_id else None
    page = queries.public_appeals(after=cursor, limit=limit, unit=unit)
    queries.remember_public_places(list(page.items))
    return {"items": page.items, "next_cursor": page.next_cursor, "limit": page.limit}


def _public_detail(appeal: Appeal) -> Appeal:
    appeal.timeline = queries.timeline(appeal, internal=False)  # type: ignore[attr-defined]
    return appeal


@router.get("/public/appeals/{number}", response={200: s.PublicAppealDetailOut, **ERRORS}, auth=None, tags=["public"])
def public_detail(request: HttpRequest, number: str):
    return _public_detail(queries.public_appeal(number))


@router.post("/appeals/track", response={200: s.TrackedAppealOut, **ERRORS}, auth=PUBLIC_POST, tags=["public"])
def appeal_track(request: HttpRequest, payload: s.TrackIn):
    """Follow an appeal by its number and the mobile number given when it was submitted (no sign-in)."""
    appeal = throttle.tracked(client_ip(request), payload.number, payload.mobile)
    appeal = _public_detail(appeal)
    appeal.can_rate = "rate" in queries.allowed_actions(None, appeal, verified_mobile=payload.mobile)
    return appeal


@router.post("/appeals/track/rating", response={201: s.RatingOut, **ERRORS}, auth=PUBLIC_POST, tags=["public"])
def appeal_track_rate(request: HttpRequest, payload: s.TrackRateIn):
    """Rate an appeal as its anonymous reporter, proving it with the number and the mobile number."""
    appeal = throttle.tracked(client_ip(request), payload.number, payload.mobile)
    rating = actions.appeal_rate(
        actor=actor(request),
        appeal=appeal,
        resolved=payload.resolved,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
        verified_mobile=payload.mobile,
    )
    return Status(201, rating)


# --- one appeal -----------------------------------------------------------------------------------


def _detail(who: Any, appeal: Appeal) -> Appeal:
    internal = queries.is_staff_viewer(who, appeal)
    appeal.allowed_actions = queries.allowed_actions(who, appeal)  # type: ignore[attr-defined]
    appeal.assignments_list = queries.assignments_of(appeal)  # type: ignore[attr-defined]
    appeal.attachments_list = queries.attachments_of(appeal, internal=internal)  # type: ignore[attr-defined]
    return appeal


class _DetailOut(s.AppealDetailOut):
    @staticmethod
    def resolve_assignments(obj: Appeal) -> list[Any]:
        return obj.assignments_list  # type: ignore[attr-defined]

    @staticmethod
    def resolve_attachments(obj: Appeal) -> list[Any]:
        return obj.attachments_list  # type: ignore[attr-defined]


def _reload(who: Any, appeal: Appeal) -> Appeal:
    """Return the appeal as it stands after an action, for the response."""
    return _detail(who, queries.access_appeal_by_pk(who, appeal.pk))


@router.get("/appeals/{number}", response={200: _DetailOut, **ERRORS})
def appeal_detail(request: HttpRequest, number: str):
    who = actor(request)
    return _detail(who, queries.access_appeal(who, number))


@router.get("/appeals/{number}/timeline", response={200: list[s.EventOut], **ERRORS})
def appeal_timeline(request: HttpRequest, number: str):
    who = actor(request)
    appeal = queries.access_appeal(who, number)
    internal = queries.is_staff_viewer(who, appeal)
    events = queries.timeline(appeal, internal=internal)
    for event in events:
        event._public_view = not internal
        for attachment in event.attachments.all():
            attachment.appeal = appeal
    return events


@router.get("/appeals/{number}/duplicates", response={200: list[s.AppealListItem], **ERRORS})
def appeal_duplicates(request: HttpRequest, number: str):
    who = actor(request)
    appeal = queries.access_appeal(who, number, perm="appeals.dispatch")
    return queries.duplicate_candidates(who, appeal)


@router.get("/appeals/{number}/assignments", response={200: list[s.AssignmentOut], **ERRORS})
def appeal_assignments(request: HttpRequest, number: str):
    return queries.assignments_of(queries.access_appeal(actor(request), number))


@router.get("/appeals/{number}/files/{attachment_id}", response={200: None, **ERRORS})
def appeal_file(request: HttpRequest, number: str, attachment_id: int):
    who = actor(request)
    appeal = queries.access_appeal(who, number)
    attachment = queries.access_attachment(who, appeal, attachment_id, internal=queries.is_staff_viewer(who, appeal))
    return FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.original_name
    )


@router.post("/appeals/{number}/attachments", response={201: list[s.AttachmentOut], **ERRORS})
def appeal_attach(request: HttpRequest, number: str, files: File[list[UploadedFile]], evidence: Form[bool] = False):
    """Upload files (multipart): the reporter adds material; handlers upload evidence before completing."""
    who = actor(request)
    appeal = queries.access_appeal(who, number)
    rows = actions.attachment_add(
        actor=who, appeal=appeal, files=[Upload.from_django(f) for f in files], evidence=evidence
    )
    for row in rows:
        row.appeal = appeal
    return Status(201, rows)


def _act(request: HttpRequest, number: str, perm: str = "appeals.view") -> tuple[Any, Appeal]:
    who = actor(request)
    return who, queries.access_appeal(who, number, perm=perm)


@router.post("/appeals/{number}/dispatch", response={200: _DetailOut, **ERRORS})
def appeal_dispatch(request: HttpRequest, number: str, payload: s.DispatchIn):
    who, appeal = _act(request, number)
    department = queries.department_for(appeal.unit_path, payload.department_id)
    actions.appeal_dispatch(
        actor=who, appeal=appeal, department=department, comment=payload.comment, expected_version=payload.version
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/redispatch", response={200: _DetailOut, **ERRORS})
def appeal_redispatch(request: HttpRequest, number: str, payload: s.RedispatchIn):
    who, appeal = _act(request, number)
    department = queries.department_for(appeal.unit_path, payload.department_id)
    actions.appeal_redispatch(
        actor=who, appeal=appeal, department=department, reason=payload.reason, expected_version=payload.version
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/reject", response={200: _DetailOut, **ERRORS})
def appeal_reject(request: HttpRequest, number: str, payload: s.ReasonIn):
    who, appeal = _act(request, number)
    actions.appeal_reject(actor=who, appeal=appeal, reason=payload.reason, expected_version=payload.version)
    return _reload(who, appeal)


@router.post("/appeals/{number}/merge", response={200: _DetailOut, **ERRORS})
def appeal_merge(request: HttpRequest, number: str, payload: s.MergeIn):
    who, appeal = _act(request, number)
    into = queries.access_appeal(who, payload.into)
    actions.appeal_merge(
        actor=who, appeal=appeal, into=into, comment=payload.comment, expected_version=payload.version
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/accept", response={200: _DetailOut, **ERRORS})
def appeal_accept(request: HttpRequest, number: str, payload: s.AssignmentIn):
    who, appeal = _act(request, number)
    actions.appeal_accept(
        actor=who, appeal=appeal, assignment_id=payload.assignment_id, expected_version=payload.version
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/return", response={200: _DetailOut, **ERRORS})
def appeal_return(request: HttpRequest, number: str, payload: s.ReturnIn):
    who, appeal = _act(request, number)
    actions.appeal_return(
        actor=who,
        appeal=appeal,
        reason=payload.reason,
        assignment_id=payload.assignment_id,
        expected_version=payload.version,
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/respond", response={200: _DetailOut, **ERRORS})
def appeal_respond(request: HttpRequest, number: str, payload: s.RespondIn):
    who, appeal = _act(request, number)
    actions.appeal_respond(
        actor=who,
        appeal=appeal,
        comment=payload.comment,
        assignment_id=payload.assignment_id,
        expected_version=payload.version,
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/complete", response={200: _DetailOut, **ERRORS})
def appeal_complete(request: HttpRequest, number: str, payload: s.CompleteIn):
    """Finish the department's part with a result; name evidence uploaded beforehand with `evidence_ids`."""
    who, appeal = _act(request, number)
    actions.appeal_complete(
        actor=who,
        appeal=appeal,
        result=payload.result,
        evidence_ids=payload.evidence_ids,
        assignment_id=payload.assignment_id,
        expected_version=payload.version,
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/rating", response={201: s.RatingOut, **ERRORS}, tags=["ratings"])
def appeal_rate(request: HttpRequest, number: str, payload: s.RatingIn):
    """The reporter's rating: resolved yes/no and satisfied / basic / unsatisfied (once per round)."""
    who, appeal = _act(request, number)
    rating = actions.appeal_rate(
        actor=who, appeal=appeal, resolved=payload.resolved, satisfaction=payload.satisfaction, comment=payload.comment
    )
    return Status(201, rating)


@router.post("/appeals/{number}/review", response={200: _DetailOut, **ERRORS})
def appeal_review(request: HttpRequest, number: str, payload: s.ReviewIn):
    who, appeal = _act(request, number)
    actions.appeal_review(
        actor=who, appeal=appeal, decision=payload.decision, comment=payload.comment, expected_version=payload.version
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/close", response={200: _DetailOut, **ERRORS})
def appeal_close(request: HttpRequest, number: str, payload: s.CommentIn):
    who, appeal = _act(request, number)
    actions.appeal_close(actor=who, appeal=appeal, comment=payload.comment, expected_version=payload.version)
    return _reload(who, appeal)


@router.post("/appeals/{number}/notes", response={201: list[s.EventOut], **ERRORS})
def appeal_note(request: HttpRequest, number: str, payload: s.NoteIn):
    who, appeal = _act(request, number)
    actions.appeal_note(actor=who, appeal=appeal, comment=payload.comment, public=payload.public)
    return Status(201, appeal_timeline(request, number))


@router.post(
    "/appeals/{number}/contact", response={200: s.RevealOut, **ERRORS}, summary="Reveal the contact (audited)"
)
def appeal_contact(request: HttpRequest, number: str):
    who, appeal = _act(request, number)
    return actions.appeal_reveal_contact(actor=who, appeal=appeal)


@router.post("/appeals/{number}/public", response={200: _DetailOut, **ERRORS})
def appeal_public(request: HttpRequest, number: str, payload: s.PublicIn):
    who, appeal = _act(request, number)
    actions.appeal_set_public(actor=who, appeal=appeal, is_public=payload.is_public)
    return _reload(who, appeal)


@router.post("/appeals/{number}/split", response={200: _DetailOut, **ERRORS}, tags=["assignments"])
def appeal_split(request: HttpRequest, number: str, payload: s.SplitIn):
    """一件事: a lead department and assisting departments in parallel; resolved when all are done."""
    who, appeal = _act(request, number)
    lead = queries.department_for(appeal.unit_path, payload.lead_id, field="lead_id")
    assisting = [queries.department_for(appeal.unit_path, pk, field="assisting_ids") for pk in payload.assisting_ids]
    actions.appeal_split(
        actor=who,
        appeal=appeal,
        lead=lead,
        assisting=assisting,
        comment=payload.comment,
        tasks=payload.tasks,
        expected_version=payload.version,
    )
    return _reload(who, appeal)


@router.post("/appeals/{number}/extensions", response={201: s.ExtensionOut, **ERRORS}, tags=["extensions"])
def extension_create(request: HttpRequest, number: str, payload: s.ExtensionIn):
    who, appeal = _act(request, number)
    extension = actions.extension_request(
        actor=who,
        appeal=appeal,
        extra_workdays=payload.extra_workdays,
        reason=payload.reason,
        assignment_id=payload.assignment_id,
    )
    return Status(201, extension)


@router.get("/extensions", response={200: list[s.ExtensionOut], **ERRORS}, tags=["extensions"])
def extension_list(request: HttpRequest):
    return queries.pending_extensions(actor(request))


@router.post("/extensions/{extension_id}/decide", response={200: s.ExtensionOut, **ERRORS}, tags=["extensions"])
def extension_decide(request: HttpRequest, extension_id: int, payload: s.ExtensionDecideIn):
    who = actor(request)
    extension = queries.access_extension(who, extension_id)
    return actions.extension_decide(actor=who, extension=extension, approve=payload.approve, note=payload.note)


@router.post("/appeals/{number}/whistles", response={201: s.WhistleOut, **ERRORS}, tags=["whistles"])
def whistle_blow(request: HttpRequest, number: str, payload: s.WhistleIn):
    """吹哨: summon departments, each must check in within `minutes` (default 30)."""
    who, appeal = _act(request, number)
    departments = [
        queries.department_for(appeal.unit_path, pk, field="department_ids") for pk in payload.department_ids
    ]
    whistle = actions.whistle_blow(
        actor=who,
        appeal=appeal,
        departments=departments,
        reason=payload.reason,
        minutes=payload.minutes,
        place=payload.place,
    )
    return Status(201, whistle)


@router.get("/appeals/{number}/whistles", response={200: list[s.WhistleOut], **ERRORS}, tags=["whistles"])
def whistle_list(request: HttpRequest, number: str):
    """The appeal's whistles, check-ins and mutual ratings (staff only: the reporter gets 403)."""
    who = actor(request)
    appeal = queries.access_appeal(who, number)
    if not queries.is_staff_viewer(who, appeal):
        raise Forbidden()
    return queries.whistles_of(appeal)


@router.post(
    "/appeals/{number}/whistles/{whistle_id}/close", response={200: s.WhistleOut, **ERRORS}, tags=["whistles"]
)
def whistle_close(request: HttpRequest, number: str, whistle_id: int, payload: s.WhistleCloseIn):
    """收哨: the whistling street or community says the joint work is finished; mutual ratings may follow."""
    who = actor(request)
    appeal = queries.access_appeal(who, number)
    whistle = next((w for w in queries.whistles_of(appeal) if w.pk == whistle_id), None)
    if whistle is None:
        raise NotFound()
    actions.whistle_close(actor=who, whistle=whistle, note=payload.note)
    return next(w for w in queries.whistles_of(appeal) if w.pk == whistle_id)


@router.post("/whistles/summons/{summons_id}/rating", response={201: s.WhistleRatingOut, **ERRORS}, tags=["whistles"])
def summons_rate(request: HttpRequest, summons_id: int, payload: s.WhistleRateIn):
    """吹哨互评: side "unit" (the whistling street/community rates the department, 1–5) or "department"
    (the department that reported rates the unit's organisation). Once per side, after the work is done."""
    who = actor(request)
    summons = queries.access_summons(who, summons_id)
    rating = actions.whistle_rate(
        actor=who, summons=summons, side=payload.side, score=payload.score, comment=payload.comment
    )
    return Status(201, rating)


@router.get("/whistles/summons", response={200: list[s.SummonsOut], **ERRORS}, tags=["whistles"])
def summons_list(request: HttpRequest, pending: bool = True):
    return queries.my_summonses(actor(request), pending_only=pending)


@router.post("/whistles/summons/{summons_id}/check-in", response={200: s.SummonsOut, **ERRORS}, tags=["whistles"])
def summons_check_in(request: HttpRequest, summons_id: int, payload: s.CheckInIn):
    who = actor(request)
    summons = queries.access_summons(who, summons_id)
    return actions.whistle_check_in(actor=who, summons=summons, note=payload.note)


@router.get("/assignments", response={200: s.MyAssignmentPage, **ERRORS}, tags=["assignments"])
def assignment_list(request: HttpRequest, status: str = "", cursor: str | None = None, limit: int = 50):
    statuses = [x for x in status.split(",") if x] or None
    page = queries.my_assignments(actor(request), statuses=statuses, after=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor, "limit": page.limit}


# --- metrics --------------------------------------------------------------------------------------


@router.get("/appeal-metrics", response={200: metrics.MetricsOut, **ERRORS}, tags=["metrics"])
def metrics_month(request: HttpRequest, month: str = "", unit_id: int | None = None):
    """Three rates, overdue counts, league tables and frequent categories for a month, from the daily rollups."""
    who = actor(request)
    unit = access_unit(who, unit_id) if unit_id else None
    return metrics.month_report(who, month=metrics.parse_month(month), unit=unit)


@router.get("/appeal-metrics/trend", response={200: list[metrics.TrendPoint], **ERRORS}, tags=["metrics"])
def metrics_trend(request: HttpRequest, months: int = 12, unit_id: int | None = None):
    who = actor(request)
    unit = access_unit(who, unit_id) if unit_id else None
    return metrics.trend(who, months=months, unit=unit)
