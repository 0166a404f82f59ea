"""JSON API of services at /api/v1/services/...: parse, access, act, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from gongzhi import access
from gongzhi.api import actor
from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.pagination import keyset_page
from gongzhi.lib.schemas import ERRORS, page_out
from gongzhi.people.models import User
from gongzhi.people.queries import access_resident
from gongzhi.services import actions, queries
from gongzhi.services import schemas as s
from gongzhi.services.actions.applications import decode_base64
from gongzhi.services.models import (
    BundleTemplate,
    CertificateType,
    Duty,
    ParcelLog,
    ProduceListing,
    RedirectGuide,
    ServiceItem,
)
from gongzhi.units.models import Department, Unit
from gongzhi.units.queries import access_department, access_unit

router = Router(tags=["services"])
PUBLIC = {"auth": None}


# --- helpers -------------------------------------------------------------------------------------


def public_unit(pk: Any) -> Unit:
    unit = Unit.objects.active().filter(pk=pk).first() if pk is not None else None
    if unit is None:
        raise InvalidInput(fields={"unit_id": _("找不到该单位。")})
    return unit


def staff_user(pk: Any, field: str) -> User:
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise InvalidInput(fields={field: _("找不到该工作人员。")})
    return user


def item_by_id(pk: Any) -> ServiceItem:
    item = ServiceItem.objects.filter(pk=pk).select_related("owner_unit").prefetch_related("materials").first()
    if item is None:
        raise InvalidInput(fields={"item_id": _("找不到该事项。")})
    return item


def _resident(request: HttpRequest, pk: int | None) -> Any:
    if pk is None:
        return None
    return access_resident(actor(request), pk)


def _point(request: HttpRequest, pk: int | None) -> Any:
    if pk is None:
        return None
    return queries.access_point(actor(request), pk, perm="services.view")


def _application(request: HttpRequest, pk: int) -> Any:
    return queries.access_application(actor(request), pk)


def _detail(request: HttpRequest, app: Any) -> Any:
    return queries.access_application(actor(request), app.pk)


# --- public: catalogue, points, verification -----------------------------------------------------


@router.get("/services/catalogue", response={200: list[s.ItemOut], **ERRORS}, **PUBLIC)
def catalogue(request: HttpRequest, unit_id: int, category: str = ""):
    """The items residents of a unit may apply for (the unit's and its ancestors' catalogues)."""
    qs = queries.catalogue_for(public_unit(unit_id))
    if category:
        qs = qs.filter(category=category)
    return list(qs)


@router.get("/services/items/{item_id}", response={200: s.ItemDetailOut, **ERRORS}, **PUBLIC)
def item_detail(request: HttpRequest, item_id: int):
    return queries.item_public(item_id)


@router.get("/services/points", response={200: list[s.PointOut], **ERRORS}, **PUBLIC)
def point_list(request: HttpRequest, unit_id: int):
    """Points serving a unit: its own, the street/township centre above, and those below."""
    return list(queries.points_near(public_unit(unit_id)))


@router.get("/services/points/{point_id}", response={200: s.PointDetailOut, **ERRORS}, **PUBLIC)
def point_detail(request: HttpRequest, point_id: int):
    return queries.point_public(point_id)


@router.get("/services/bundle-templates", response={200: list[s.BundleTemplateOut], **ERRORS}, **PUBLIC)
def bundle_template_list(request: HttpRequest, unit_id: int):
    return list(queries.bundle_templates_for(public_unit(unit_id)))


@router.get("/services/verify/{code}", response={200: s.VerificationOut, **ERRORS}, **PUBLIC)
def verify(request: HttpRequest, code: str):
    """Verify a certificate code: unknown, forged, revoked and expired codes all answer valid=false."""
    result = queries.verify_certificate(code)
    cert = result.certificate
    if not result.found or cert is None:
        return {"valid": False, "status": "unknown"}
    status = "revoked" if result.revoked else "expired" if result.expired else "valid"
    return {
        "valid": result.valid,
        "status": status,
        "serial": cert.serial,
        "type": cert.type.name,
        "issuer": cert.unit.name,
        "issued_on": cert.issued_at.date(),
        "valid_until": cert.valid_until,
        "holder": cert.holder_masked,
        "revoked_on": cert.revoked_at.date() if cert.revoked_at else None,
    }


# --- catalogue management ------------------------------------------------------------------------


@router.post("/services/points", response={201: s.PointDetailOut, **ERRORS})
def point_create(request: HttpRequest, payload: s.PointCreateIn):
    unit = access_unit(actor(request), payload.unit_id, perm="services.stats")
    data = payload.dict(exclude={"unit_id"})
    return Status(201, actions.point_create(actor=actor(request), unit=unit, **data))


@router.patch("/services/points/{point_id}", response={200: s.PointDetailOut, **ERRORS})
def point_update(request: HttpRequest, point_id: int, payload: s.PointUpdateIn):
    point = queries.access_point(actor(request), point_id)
    data = payload.dict(exclude_unset=True)
    items = staff = None
    if "item_ids" in data:
        ids = data.pop("item_ids") or []
        items = list(ServiceItem.objects.filter(pk__in=ids).select_related("owner_unit"))
        if len(items) != len(set(ids)):
            raise InvalidInput(fields={"item_ids": _("有事项不存在。")})
    if "staff_ids" in data:
        ids = data.pop("staff_ids") or []
        staff = [staff_user(pk, "staff_ids") for pk in ids]
    return actions.point_update(actor=actor(request), point=point, items=items, staff=staff, **data)


@router.get("/services/points/{point_id}/figures", response={200: s.FiguresOut, **ERRORS})
def point_figures(request: HttpRequest, point_id: int):
    point = queries.access_point(actor(request), point_id)
    return queries.point_figures(actor(request), point)


@router.get("/services/items/{item_id}/figures", response={200: s.FiguresOut, **ERRORS})
def item_figures(request: HttpRequest, item_id: int):
    access.check_any(actor(request), "services.stats")
    return queries.item_figures(actor(request), queries.item_public(item_id))


@router.post("/services/items", response={201: s.ItemDetailOut, **ERRORS})
def item_create(request: HttpRequest, payload: s.ItemCreateIn):
    unit = access_unit(actor(request), payload.owner_unit_id, perm="services.stats")
    department = (
        access_department(actor(request), payload.finish_department_id) if payload.finish_department_id else None
    )
    data = payload.dict(exclude={"owner_unit_id", "finish_department_id", "materials"})
    materials = [m.dict() for m in payload.materials]
    item = actions.item_create(
        actor=actor(request), owner_unit=unit, finish_department=department, materials=materials, **data
    )
    return Status(201, item)


@router.post("/services/bundle-templates", response={201: s.BundleTemplateOut, **ERRORS})
def bundle_template_create(request: HttpRequest, payload: s.BundleTemplateIn):
    unit = access_unit(actor(request), payload.owner_unit_id, perm="services.stats")
    items = list(ServiceItem.objects.filter(pk__in=payload.item_ids).select_related("owner_unit"))
    if len(items) != len(set(payload.item_ids)):
        raise InvalidInput(fields={"item_ids": _("有事项不存在。")})
    template = actions.bundle_template_create(
        actor=actor(request),
        owner_unit=unit,
        code=payload.code,
        name=payload.name,
        items=items,
        description=payload.description,
    )
    return Status(201, template)


# --- applications --------------------------------------------------------------------------------


@router.post("/services/applications", response={201: s.ApplicationDetailOut, **ERRORS})
def application_create(request: HttpRequest, payload: s.ApplyIn):
    """Apply online (no point_id: the signed-in resident) or take an application at a point (staff)."""
    item = item_by_id(payload.item_id)
    point = _point(request, payload.point_id)
    resident = _resident(request, payload.resident_id) if point is not None else None
    unit = public_unit(payload.unit_id) if payload.unit_id is not None else None
    app = actions.application_submit(
        actor=actor(request),
        item=item,
        unit=unit,
        point=point,
        mode=payload.mode,
        resident=resident,
        applicant_name=payload.applicant_name,
        applicant_mobile=payload.applicant_mobile,
        form_data=payload.form_data,
        supplied_materials=payload.supplied_materials,
        resident_present=payload.resident_present,
    )
    return Status(201, _detail(request, app))


@router.get("/services/applications", response={200: s.ApplicationPageOut, **ERRORS})
def application_list(
    request: HttpRequest,
    point_id: int | None = None,
    status: str = "",
    mode: str = "",
    item_id: int | None = None,
    unit_id: int | None = None,
    overdue: bool = False,
    q: str = "",
    mine: bool = False,
    cursor: str | None = None,
    limit: int = 50,
):
    """Work list (staff) or my applications (mine=true), newest first, keyset-paginated."""
    access.check_any(actor(request), "services.view")
    unit = access_unit(actor(request), unit_id) if unit_id else None
    filters = queries.ApplicationFilters(
        point=point_id, status=status, mode=mode, item=item_id, unit=unit, overdue=overdue, text=q, mine=mine
    )
    page = queries.application_page(actor(request), filters, after=cursor, limit=limit)
    return page_out(page, page.items)


@router.get("/services/applications/{app_id}", response={200: s.ApplicationDetailOut, **ERRORS})
def application_detail(request: HttpRequest, app_id: int):
    return _application(request, app_id)


def _act(request: HttpRequest, app_id: int, action: Any, **arguments: Any) -> Any:
    """Run one workflow action on an application the actor can see, and answer with its fresh detail."""
    app = action(actor=actor(request), application=_application(request, app_id), **arguments)
    return _detail(request, app)


@router.post("/services/applications/{app_id}/accept", response={200: s.ApplicationDetailOut, **ERRORS})
def application_accept(request: HttpRequest, app_id: int, payload: s.AcceptIn):
    return _act(request, app_id, actions.application_accept, materials_due_on=payload.materials_due_on)


@router.post("/services/applications/{app_id}/supply", response={200: s.ApplicationDetailOut, **ERRORS})
def application_supply(request: HttpRequest, app_id: int, payload: s.SupplyIn):
    return _act(
        request, app_id, actions.application_supply, materials=payload.materials, resident_came=payload.resident_came
    )


@router.post("/services/applications/{app_id}/start", response={200: s.ApplicationDetailOut, **ERRORS})
def application_start(request: HttpRequest, app_id: int, payload: s.NoteIn):
    return _act(request, app_id, actions.application_start, note=payload.note)


@router.post("/services/applications/{app_id}/complete", response={200: s.ApplicationDetailOut, **ERRORS})
def application_complete(request: HttpRequest, app_id: int, payload: s.NoteIn):
    return _act(request, app_id, actions.application_complete, note=payload.note)


@router.post("/services/applications/{app_id}/refuse", response={200: s.ApplicationDetailOut, **ERRORS})
def application_refuse(request: HttpRequest, app_id: int, payload: s.ReasonIn):
    return _act(request, app_id, actions.application_refuse, reason=payload.reason)


@router.post("/services/applications/{app_id}/deliver", response={200: s.ApplicationDetailOut, **ERRORS})
def application_deliver(request: HttpRequest, app_id: int, payload: s.DeliverIn):
    return _act(request, app_id, actions.application_deliver, method=payload.method)


@router.post("/services/applications/{app_id}/withdraw", response={200: s.ApplicationDetailOut, **ERRORS})
def application_withdraw(request: HttpRequest, app_id: int, payload: s.NoteIn):
    return _act(request, app_id, actions.application_withdraw, reason=payload.note)


@router.post("/services/applications/{app_id}/visits", response={200: s.ApplicationDetailOut, **ERRORS})
def visit_create(request: HttpRequest, app_id: int, payload: s.VisitIn):
    return _act(request, app_id, actions.visit_record, purpose=payload.purpose)


@router.post("/services/applications/{app_id}/authorization", response={201: s.ApplicationDetailOut, **ERRORS})
def authorization_create(request: HttpRequest, app_id: int, payload: s.AuthorizationIn):
    """Record the written authorization for 代办: a PNG/JPEG/PDF in base64 (a data: URL is accepted)."""
    app = _application(request, app_id)
    data = decode_base64(payload.content_base64, field="content_base64")
    agent = staff_user(payload.agent_id, "agent_id") if payload.agent_id else None
    actions.authorization_record(
        actor=actor(request),
        application=app,
        kind=payload.kind,
        data=data,
        signer_name=payload.signer_name,
        scope=payload.scope,
        agent=agent,
    )
    return Status(201, _detail(request, app))


@router.get("/services/applications/{app_id}/custody", response={200: list[s.CustodyOut], **ERRORS})
def custody_list(request: HttpRequest, app_id: int):
    return list(_application(request, app_id).custody.all())


@router.post("/services/applications/{app_id}/custody", response={201: s.CustodyOut, **ERRORS})
def custody_create(request: HttpRequest, app_id: int, payload: s.CustodyIn):
    entry = actions.custody_record(actor=actor(request), application=_application(request, app_id), **payload.dict())
    return Status(201, entry)


@router.post("/services/applications/{app_id}/appointments", response={201: s.AppointmentOut, **ERRORS})
def appointment_create(request: HttpRequest, app_id: int, payload: s.AppointmentIn):
    appt = actions.appointment_create(
        actor=actor(request),
        application=_application(request, app_id),
        staff=staff_user(payload.staff_id, "staff_id"),
        at=payload.at,
        place=payload.place,
        note=payload.note,
    )
    return Status(201, appt)


@router.post("/services/appointments/{appt_id}/finish", response={200: s.AppointmentOut, **ERRORS})
def appointment_finish(request: HttpRequest, appt_id: int, payload: s.AppointmentFinishIn):
    appt = queries.access_appointment(actor(request), appt_id)
    return actions.appointment_finish(actor=actor(request), appointment=appt, held=payload.held, note=payload.note)


@router.post("/services/applications/{app_id}/rating", response={201: s.ApplicationDetailOut, **ERRORS})
def rating_create(request: HttpRequest, app_id: int, payload: s.RatingIn):
    app = _application(request, app_id)
    actions.rating_create(
        actor=actor(request), application=app, satisfaction=payload.satisfaction, comment=payload.comment
    )
    return Status(201, _detail(request, app))


@router.get("/services/applications.xlsx", include_in_schema=False)
def application_export(request: HttpRequest, point_id: int | None = None, status: str = ""):
    from gongzhi.services.views import export_applications

    return export_applications(actor(request), queries.ApplicationFilters(point=point_id, status=status))


# --- bundles -------------------------------------------------------------------------------------


@router.post("/services/bundles", response={201: s.BundleOut, **ERRORS})
def bundle_create(request: HttpRequest, payload: s.BundleIn):
    template = BundleTemplate.objects.filter(pk=payload.template_id).select_related("owner_unit").first()
    if template is None:
        raise InvalidInput(fields={"template_id": _("找不到该一件事。")})
    point = _point(request, payload.point_id)
    resident = _resident(request, payload.resident_id) if point is not None else None
    unit = public_unit(payload.unit_id) if payload.unit_id is not None else None
    bundle = actions.bundle_submit(
        actor=actor(request),
        template=template,
        unit=unit,
        point=point,
        mode=payload.mode,
        resident=resident,
        applicant_name=payload.applicant_name,
        applicant_mobile=payload.applicant_mobile,
        form_data=payload.form_data,
        supplied_materials=payload.supplied_materials,
        resident_present=payload.resident_present,
    )
    return Status(201, queries.access_bundle(actor(request), bundle.pk))


@router.get("/services/bundles/{bundle_id}", response={200: s.BundleOut, **ERRORS})
def bundle_detail(request: HttpRequest, bundle_id: int):
    return queries.access_bundle(actor(request), bundle_id)


# --- duties register -----------------------------------------------------------------------------


@router.get("/services/duties", response={200: list[s.DutyOut], **ERRORS})
def duty_list(
    request: HttpRequest,
    unit_id: int | None = None,
    kind: str = "",
    source: str = "",
    q: str = "",
    state: str = "current",
):
    """The register: entries in force (state=current, the default), retired ones (retired) or both (all)."""
    access.check_any(actor(request), "services.duties_view")
    if state not in queries.DUTY_STATES:
        raise InvalidInput(fields={"state": _("状态只能是current、retired或all。")})
    unit = access_unit(actor(request), unit_id) if unit_id else None
    return list(
        queries.duty_list(actor(request), unit=unit, kind=kind, source=source, text=q, state=state).select_related(
            "delegated_from"
        )[:500]
    )


@router.get("/services/duties/{duty_id}", response={200: s.DutyOut, **ERRORS})
def duty_detail(request: HttpRequest, duty_id: int):
    return queries.access_duty(actor(request), duty_id)


@router.patch("/services/duties/{duty_id}", response={200: s.DutyOut, **ERRORS})
def duty_update(request: HttpRequest, duty_id: int, payload: s.DutyUpdateIn):
    duty = queries.access_duty(actor(request), duty_id)
    data = payload.dict(exclude_unset=True)
    if "department_id" in data:
        data["department"] = queries.duty_department(data.pop("department_id"))
    if "delegated_from_id" in data:
        data["delegated_from"] = queries.delegating_unit(data.pop("delegated_from_id"))
    duty = actions.duty_update(actor=actor(request), duty=duty, **data)
    return queries.access_duty(actor(request), duty.pk)


@router.post("/services/duties/{duty_id}/retire", response={200: s.DutyOut, **ERRORS})
def duty_retire(request: HttpRequest, duty_id: int, payload: s.DutyRetireIn):
    duty = queries.access_duty(actor(request), duty_id)
    duty = actions.duty_retire(
        actor=actor(request), duty=duty, reason=payload.reason, effective_to=payload.effective_to
    )
    return queries.access_duty(actor(request), duty.pk)


@router.post("/services/duties", response={201: s.DutyOut, **ERRORS})
def duty_create(request: HttpRequest, payload: s.DutyIn):
    unit = access_unit(actor(request), payload.unit_id, perm="services.duties_view")
    department = queries.duty_department(payload.department_id)
    delegated_from = queries.delegating_unit(payload.delegated_from_id)
    data = payload.dict(exclude={"unit_id", "department_id", "delegated_from_id"})
    duty = actions.duty_create(
        actor=actor(request), unit=unit, department=department, delegated_from=delegated_from, **data
    )
    return Status(201, duty)


@router.get("/services/duty-holder", response={200: s.DutyHolderOut, **ERRORS})
def duty_holder(request: HttpRequest, unit_id: int, code: str):
    """Does this unit hold the duty with this matter or category code, and if not, who does?"""
    unit = access_unit(actor(request), unit_id, perm="services.duties_view")
    answer = queries.duty_holder(unit, code)
    return {
        "unit_id": unit.pk,
        "code": code,
        "holds": answer.holds,
        "holder_unit_id": answer.holder_unit.pk if answer.holder_unit else None,
        "holder_department_id": answer.holder_department.pk if answer.holder_department else None,
        "holder_name": answer.holder_name,
        "duty": answer.duty,
        "holder": answer.holder,
    }


# --- enforcement ---------------------------------------------------------------------------------


@router.get("/services/cases", response={200: s.CasePageOut, **ERRORS})
def case_list(
    request: HttpRequest,
    status: str = "",
    source: str = "",
    law_area: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 50,
):
    access.check_any(actor(request), "services.enforcement_view")
    qs = queries.case_list(actor(request), status=status, source=source, law_area=law_area, text=q)
    page = keyset_page(qs, order=("-registered_at", "-id"), after=cursor, limit=limit)
    return page_out(page, page.items)


@router.post("/services/cases", response={201: s.CaseOut, **ERRORS})
def case_create(request: HttpRequest, payload: s.CaseIn):
    unit = access_unit(actor(request), payload.unit_id, perm="services.enforcement_view")
    team = Department.objects.filter(pk=payload.team_id).select_related("jurisdiction").first()
    if team is None:
        raise InvalidInput(fields={"team_id": _("找不到该执法队。")})
    data = payload.dict(exclude={"unit_id", "team_id"})
    return Status(201, actions.case_register(actor=actor(request), unit=unit, team=team, **data))


@router.get("/services/cases/{case_id}", response={200: s.CaseOut, **ERRORS})
def case_detail(request: HttpRequest, case_id: int):
    return queries.access_case(actor(request), case_id)


@router.post("/services/cases/{case_id}/investigate", response={200: s.CaseOut, **ERRORS})
def case_investigate(request: HttpRequest, case_id: int, payload: s.FindingsIn):
    case = queries.access_case(actor(request), case_id)
    return actions.case_investigate(actor=actor(request), case=case, findings=payload.findings)


@router.post("/services/cases/{case_id}/decide", response={200: s.CaseOut, **ERRORS})
def case_decide(request: HttpRequest, case_id: int, payload: s.DecideIn):
    case = queries.access_case(actor(request), case_id)
    duty = None
    if payload.duty_id:
        duty = Duty.objects.filter(pk=payload.duty_id).select_related("unit").first()
        if duty is None:
            raise InvalidInput(fields={"duty_id": _("找不到该权力事项。")})
    return actions.case_decide(
        actor=actor(request),
        case=case,
        decision=payload.decision,
        duty=duty,
        penalty_amount=payload.penalty_amount,
        penalty_text=payload.penalty_text,
        note=payload.note,
    )


@router.post("/services/cases/{case_id}/execute", response={200: s.CaseOut, **ERRORS})
def case_execute(request: HttpRequest, case_id: int, payload: s.ExecuteIn):
    case = queries.access_case(actor(request), case_id)
    return actions.case_execute(actor=actor(request), case=case, note=payload.note)


@router.post("/services/cases/{case_id}/close", response={200: s.CaseOut, **ERRORS})
def case_close(request: HttpRequest, case_id: int, payload: s.NoteIn):
    case = queries.access_case(actor(request), case_id)
    return actions.case_close(actor=actor(request), case=case, note=payload.note)


# --- certificates --------------------------------------------------------------------------------


@router.get("/services/certificate-types", response={200: list[s.CertificateTypeOut], **ERRORS}, **PUBLIC)
def certificate_types(request: HttpRequest, unit_id: int):
    """The published certificate catalogue of a unit (清单之外不出证) — public."""
    return list(queries.certificate_catalogue(public_unit(unit_id)))


@router.post("/services/certificate-types", response={201: s.CertificateTypeOut, **ERRORS})
def certificate_type_create(request: HttpRequest, payload: s.CertificateTypeIn):
    unit = access_unit(actor(request), payload.owner_unit_id, perm="services.stats")
    data = payload.dict(exclude={"owner_unit_id"})
    return Status(201, actions.certificate_type_create(actor=actor(request), owner_unit=unit, **data))


@router.post("/services/redirect-guides", response={201: s.GuideOut, **ERRORS})
def redirect_guide_create(request: HttpRequest, payload: s.GuideIn):
    unit = access_unit(actor(request), payload.owner_unit_id, perm="services.stats")
    data = payload.dict(exclude={"owner_unit_id"})
    return Status(201, actions.redirect_guide_create(actor=actor(request), owner_unit=unit, **data))


def _issuing_unit(request: HttpRequest, unit_id: int) -> Unit:
    return access_unit(actor(request), unit_id, perm="services.certificates_view")


def _certificate_type(pk: int) -> CertificateType:
    ctype = CertificateType.objects.filter(pk=pk).select_related("owner_unit").first()
    if ctype is None:
        raise InvalidInput(fields={"type_id": _("找不到该证明类型。")})
    return ctype


@router.post("/services/certificates", response={201: s.CertificateOut, **ERRORS})
def certificate_issue(request: HttpRequest, payload: s.IssueIn):
    unit = _issuing_unit(request, payload.unit_id)
    resident = _resident(request, payload.resident_id)
    cert = actions.certificate_issue(
        actor=actor(request),
        unit=unit,
        ctype=_certificate_type(payload.type_id),
        holder_name=payload.holder_name,
        holder_resident=resident,
        purpose=payload.purpose,
        content=payload.content,
        evidence=payload.evidence,
    )
    return Status(201, cert)


@router.get("/services/certificates", response={200: s.CertificatePageOut, **ERRORS})
def certificate_list(
    request: HttpRequest,
    unit_id: int | None = None,
    type_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    access.check_any(actor(request), "services.certificates_view")
    qs = queries.certificates_visible(actor(request))
    if unit_id:
        qs = qs.filter(unit__path__startswith=access_unit(actor(request), unit_id).path)
    if type_id:
        qs = qs.filter(type_id=type_id)
    page = keyset_page(qs, order=("-issued_at", "-id"), after=cursor, limit=limit)
    return page_out(page, page.items)


@router.get("/services/certificates/{cert_id}", response={200: s.CertificateOut, **ERRORS})
def certificate_detail(request: HttpRequest, cert_id: int):
    return queries.access_certificate(actor(request), cert_id)


@router.post("/services/certificates/{cert_id}/revoke", response={200: s.CertificateOut, **ERRORS})
def certificate_revoke(request: HttpRequest, cert_id: int, payload: s.ReasonIn):
    cert = queries.access_certificate(actor(request), cert_id)
    return actions.certificate_revoke(actor=actor(request), certificate=cert, reason=payload.reason)


@router.post("/services/certificate-requests/refuse", response={201: s.CertRequestOut, **ERRORS})
def certificate_request_refuse(request: HttpRequest, payload: s.RefuseCertIn):
    unit = _issuing_unit(request, payload.unit_id)
    req = actions.certificate_refuse(
        actor=actor(request),
        unit=unit,
        ctype=_certificate_type(payload.type_id),
        reason=payload.reason,
        requester_name=payload.requester_name,
    )
    return Status(201, req)


@router.post("/services/certificate-requests/redirect", response={201: s.CertRequestOut, **ERRORS})
def certificate_request_redirect(request: HttpRequest, payload: s.RedirectIn):
    """A request outside the catalogue: refused with the reason and where to go instead (counted)."""
    unit = _issuing_unit(request, payload.unit_id)
    guide = None
    if payload.guide_id:
        guide = RedirectGuide.objects.filter(pk=payload.guide_id).select_related("owner_unit").first()
        if guide is None:
            raise InvalidInput(fields={"guide_id": _("找不到该引导规则。")})
    req = actions.certificate_redirect(
        actor=actor(request),
        unit=unit,
        requested=payload.requested,
        guide=guide,
        kind=payload.kind,
        go_to=payload.go_to,
        reason=payload.reason,
        requester_name=payload.requester_name,
    )
    return Status(201, req)


@router.get("/services/certificate-figures", response={200: list[dict], **ERRORS})
def certificate_figures(request: HttpRequest, unit_id: int):
    unit = _issuing_unit(request, unit_id)
    access.check(actor(request), "services.certificates_issue", unit)
    return queries.certificate_figures(actor(request), unit)


# --- village point logs --------------------------------------------------------------------------


def _village_point(request: HttpRequest, point_id: int) -> Any:
    return queries.access_point(actor(request), point_id, perm="services.village_view")


@router.get("/services/points/{point_id}/village", response={200: s.VillageLogsOut, **ERRORS})
def village_logs(request: HttpRequest, point_id: int):
    return queries.village_logs(actor(request), _village_point(request, point_id))


@router.get("/services/points/{point_id}/village/monthly", response={200: list[s.MonthOut], **ERRORS})
def village_monthly(request: HttpRequest, point_id: int):
    return queries.village_monthly(actor(request), _village_point(request, point_id))


@router.post("/services/points/{point_id}/parcels", response={201: s.ParcelOut, **ERRORS})
def parcel_create(request: HttpRequest, point_id: int, payload: s.ParcelIn):
    point = _village_point(request, point_id)
    return Status(201, actions.parcel_record(actor=actor(request), point=point, **payload.dict()))


@router.post("/services/parcels/{parcel_id}/pickup", response={200: s.ParcelOut, **ERRORS})
def parcel_pickup(request: HttpRequest, parcel_id: int):
    parcel = access.get_or_404(actor(request), "services.village_view", ParcelLog.objects.all(), pk=parcel_id)
    return actions.parcel_pickup(actor=actor(request), parcel=parcel)


@router.post("/services/points/{point_id}/finance", response={201: s.FinanceOut, **ERRORS})
def finance_create(request: HttpRequest, point_id: int, payload: s.FinanceIn):
    point = _village_point(request, point_id)
    return Status(201, actions.finance_record(actor=actor(request), point=point, **payload.dict()))


@router.post("/services/points/{point_id}/listings", response={201: s.ListingOut, **ERRORS})
def listing_create(request: HttpRequest, point_id: int, payload: s.ListingIn):
    point = _village_point(request, point_id)
    return Status(201, actions.listing_create(actor=actor(request), point=point, **payload.dict()))


def _listing(request: HttpRequest, listing_id: int) -> ProduceListing:
    return access.get_or_404(actor(request), "services.village_view", ProduceListing.objects.all(), pk=listing_id)


@router.post("/services/listings/{listing_id}/sell", response={200: s.ListingOut, **ERRORS})
def listing_sell(request: HttpRequest, listing_id: int, payload: s.SellIn):
    return actions.listing_sell(actor=actor(request), listing=_listing(request, listing_id), **payload.dict())


@router.post("/services/listings/{listing_id}/withdraw", response={200: s.ListingOut, **ERRORS})
def listing_withdraw(request: HttpRequest, listing_id: int):
    return actions.listing_withdraw(actor=actor(request), listing=_listing(request, listing_id))
