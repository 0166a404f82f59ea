"""Pages of services: residents find, apply, track, rate and verify; staff take, process, log and issue."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.lib.errors import DomainError, InvalidInput, NotFound
from gongzhi.lib.excel import xlsx_response
from gongzhi.lib.pdf import pdf_response
from gongzhi.people.models import Resident, User
from gongzhi.people.queries import access_resident
from gongzhi.services import actions, forms, queries
from gongzhi.services.actions.applications import decode_base64
from gongzhi.services.documents import certificate_pdf
from gongzhi.services.models import (
    RESIDENT_PARTY,
    AuthorizationKind,
    CaseSource,
    CertificateType,
    Duty,
    DutyKind,
    DutySource,
    ItemCategory,
    Mode,
    ParcelLog,
    ProduceListing,
    ServiceItem,
    ServiceKind,
)
from gongzhi.services.workflow import APPLICANT, TRANSITIONS, ApplicationStatus, next_states
from gongzhi.units.models import Department, DepartmentKind, Unit, UnitKind
from gongzhi.units.queries import access_unit, public_units
from gongzhi.web.errors import apply_form_errors, html_errors, staff_view

RESIDENT_UNIT_KINDS = (UnitKind.COMMUNITY, UnitKind.VILLAGE)


def _unit_choices() -> list[tuple[str, str]]:
    return [(str(u.pk), u.name) for u in public_units(RESIDENT_UNIT_KINDS)]


def _my_unit(request: HttpRequest) -> Unit | None:
    user = request.user
    if not user.is_authenticated:
        return None
    try:
        unit = user.resident.unit
    except Resident.DoesNotExist:
        return None
    return unit.ancestor_of_kind(*RESIDENT_UNIT_KINDS) or unit


def _status(exc: DomainError) -> int:
    return exc.status if exc.status >= 400 else 400


# --- residents: find, see what to bring, apply, track, rate --------------------------------------


@html_errors
def index(request: HttpRequest) -> HttpResponse:
    """Find a service near me: pick a community or village, see its points and catalogue."""
    raw = request.GET.get("unit", "")
    unit = None
    if raw.isdigit():
        unit = public_units(RESIDENT_UNIT_KINDS).filter(pk=raw).first()
    if unit is None and not raw:
        unit = _my_unit(request)
    form = forms.UnitChoiceForm(initial={"unit": unit.pk if unit else ""})
    form.fields["unit"].choices = [("", _("请选择")), *_unit_choices()]
    grouped: OrderedDict[str, list[ServiceItem]] = OrderedDict()
    points: list[Any] = []
    bundles: list[Any] = []
    text = request.GET.get("q", "").strip()
    if unit is not None:
        items = queries.catalogue_for(unit)
        if text:
            items = items.filter(name__icontains=text)
        labels = dict(ItemCategory.choices)
        for item in items:
            grouped.setdefault(str(labels[item.category]), []).append(item)
        points = list(queries.points_near(unit))
        bundles = list(queries.bundle_templates_for(unit))
    return render(
        request,
        "services/index.html",
        {"form": form, "unit": unit, "grouped": grouped, "points": points, "bundles": bundles, "q": text},
    )


@html_errors
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """办事指南: who may apply, what to bring, how long, what it costs, where it is finished."""
    item = queries.item_public(item_id)
    return render(
        request,
        "services/item.html",
        {
            "item": item,
            "materials": list(item.materials.all()),
            "points": item.points.filter(is_active=True).select_related("unit")[:30],
            "can_apply_online": Mode.ONLINE in item.modes,
        },
    )


@html_errors
def point_detail(request: HttpRequest, point_id: int) -> HttpResponse:
    point = queries.point_public(point_id)
    labels = dict(ItemCategory.choices)
    grouped: OrderedDict[str, list[ServiceItem]] = OrderedDict()
    for item in point.items.filter(is_active=True).order_by("category", "code"):
        grouped.setdefault(str(labels[item.category]), []).append(item)
    user = request.user
    return render(
        request,
        "services/point.html",
        {
            "point": point,
            "grouped": grouped,
            "staff": list(point.staff.all()),
            "can_take": user.is_authenticated and access.can(user, "services.intake", point),
            "can_stats": user.is_authenticated and access.can(user, "services.stats", point),
            "can_village": user.is_authenticated
            and access.can(user, "services.village_view", point)
            and bool({ServiceKind.LOGISTICS, ServiceKind.FINANCE, ServiceKind.PRODUCE} & set(point.service_kinds)),
        },
    )


@staff_view
def apply(request: HttpRequest, item_id: int) -> HttpResponse:
    """Apply online for oneself."""
    item = queries.item_public(item_id)
    unit = _my_unit(request)
    form = forms.ApplyForm(request.POST or None, items=[item])
    unit_form = forms.UnitChoiceForm(request.POST or None, initial={"unit": unit.pk if unit else ""})
    unit_form.fields["unit"].choices = _unit_choices()
    unit_form.fields["unit"].required = True
    if request.method == "POST" and form.is_valid() and unit_form.is_valid():
        chosen = public_units(RESIDENT_UNIT_KINDS).filter(pk=unit_form.cleaned_data["unit"]).first()
        try:
            app = actions.application_submit(
                actor=request.user,
                item=item,
                unit=chosen,
                mode=Mode.ONLINE,
                form_data=form.form_data(),
                supplied_materials=form.cleaned_data["supplied_materials"],
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已提交，办件编号 %(number)s。") % {"number": app.number})
            return redirect("services:application", app.pk)
    return render(
        request,
        "services/apply.html",
        {"item": item, "form": form, "unit_form": unit_form},
        status=400 if form.errors or unit_form.errors else 200,
    )


@staff_view
def mine(request: HttpRequest) -> HttpResponse:
    """My applications and bundles (track)."""
    filters = queries.ApplicationFilters(mine=True)
    page = queries.application_page(request.user, filters, after=request.GET.get("cursor"), limit=20)
    bundles = queries.bundles_visible(request.user).filter(applicant=request.user)[:20]
    return render(request, "services/mine.html", {"page": page, "bundles": bundles})


# --- the application page (residents and staff) ---------------------------------------------------


def _parties(app: Any, user: Any) -> list[tuple[str, str]]:
    parties = [(RESIDENT_PARTY, _("居民%(name)s") % {"name": app.applicant_name})]
    people = {user.pk: str(user)}
    auth = getattr(app, "authorization", None)
    if auth is not None:
        people.setdefault(auth.agent_id, str(auth.agent))
    if app.taken_by_id:
        people.setdefault(app.taken_by_id, str(app.taken_by))
    parties += [(f"user:{pk}", name) for pk, name in people.items()]
    parties.append((f"unit:{app.handling_unit_id}", app.handling_unit.name))
    return parties


def _staff_choices(app: Any) -> list[tuple[int, str]]:
    from gongzhi.people.models import RoleGrant

    ids = RoleGrant.objects.active().filter(unit__in=[app.unit_id, app.handling_unit_id]).values("user_id")
    users = [u for u in User.objects.filter(pk__in=ids, is_active=True).order_by("id")[:50]]
    return [(u.pk, str(u)) for u in users if access.can(u, "services.custody", app)]


def _application_context(request: HttpRequest, app: Any, **forms_in: Any) -> dict[str, Any]:
    from gongzhi.services.actions.common import acting_roles

    user = request.user
    from gongzhi.services.actions.applications import may_decide

    roles = acting_roles(user, "services.custody", app) | acting_roles(user, "services.process", app)
    if app.applicant_id == user.pk:
        roles.add(APPLICANT)
    moves = next_states(TRANSITIONS, app.status, roles)
    if not may_decide(user, app):
        # A point that only took the application may carry the result and papers; the finishing unit decides.
        moves = [m for m in moves if m in (ApplicationStatus.DELIVERED, ApplicationStatus.WITHDRAWN)]
    required, deferrable = queries.missing_materials(app)
    staff = bool(roles - {APPLICANT})
    custody_ok = access.can(user, "services.custody", app)
    supply_choices = [(n, n) for n in required + deferrable]
    ctx = {
        "app": app,
        "events": app.events.select_related("actor"),
        "moves": moves,
        "staff": staff,
        "required": required,
        "deferrable": deferrable,
        "custody": list(app.custody.all()),
        "outstanding": queries.custody_outstanding(app),
        "appointments": list(app.appointments.select_related("staff")),
        "authorization": getattr(app, "authorization", None),
        "rating": getattr(app, "rating", None),
        "can_rate": app.applicant_id == user.pk
        and app.status in ApplicationStatus.finished_values()
        and not hasattr(app, "rating"),
        "custody_ok": custody_ok,
        "accept_form": forms.AcceptForm(),
        "refuse_form": forms.ReasonForm(),
        "deliver_form": forms.DeliverForm(),
        "visit_form": forms.VisitForm(),
        "supply_form": forms.SupplyForm(choices=supply_choices) if supply_choices else None,
        "rating_form": forms.RatingForm(),
        "auth_form": forms.AuthorizationForm(initial={"signer_name": app.applicant_name, "scope": app.item.name}),
        "custody_form": None,
        "appointment_form": None,
    }
    if custody_ok and app.mode == Mode.PROXY:
        documents = sorted({m.name for m in app.item.materials.all()} | {e.document for e in ctx["custody"]})
        ctx["custody_form"] = forms.CustodyForm(parties=_parties(app, user), documents=documents)
        ctx["documents"] = documents
    if custody_ok and app.mode == Mode.ACCOMPANY and app.is_open:
        ctx["appointment_form"] = forms.AppointmentForm(staff=_staff_choices(app))
    ctx.update(forms_in)
    return ctx


@staff_view
def application(request: HttpRequest, app_id: int) -> HttpResponse:
    app = queries.access_application(request.user, app_id)
    return render(request, "services/application.html", _application_context(request, app))


def _redisplay(request: HttpRequest, app: Any, exc: DomainError, **forms_in: Any) -> HttpResponse:
    messages.error(request, str(exc.message))
    for messages_list in exc.fields.values():
        for text in messages_list:
            if text != str(exc.message):
                messages.error(request, text)
    fresh = queries.access_application(request.user, app.pk)
    return render(
        request, "services/application.html", _application_context(request, fresh, **forms_in), status=_status(exc)
    )


@require_POST
@staff_view
def application_act(request: HttpRequest, app_id: int, verb: str) -> HttpResponse:
    """One endpoint per button: accept, start, complete, refuse, deliver, withdraw, visit, supply, rate."""
    app = queries.access_application(request.user, app_id)
    user = request.user
    post = request.POST
    try:
        if verb == "accept":
            form = forms.AcceptForm(post)
            if not form.is_valid():
                raise InvalidInput(fields=form.errors)
            actions.application_accept(
                actor=user, application=app, materials_due_on=form.cleaned_data["materials_due_on"]
            )
        elif verb == "start":
            actions.application_start(actor=user, application=app, note=post.get("note", ""))
        elif verb == "complete":
            actions.application_complete(actor=user, application=app, note=post.get("note", ""))
        elif verb == "refuse":
            actions.application_refuse(actor=user, application=app, reason=post.get("reason", ""))
        elif verb == "deliver":
            actions.application_deliver(actor=user, application=app, method=post.get("method", ""))
        elif verb == "withdraw":
            actions.application_withdraw(actor=user, application=app, reason=post.get("note", ""))
        elif verb == "visit":
            actions.visit_record(actor=user, application=app, purpose=post.get("purpose", ""))
        elif verb == "supply":
            actions.application_supply(
                actor=user,
                application=app,
                materials=post.getlist("materials"),
                resident_came=post.get("resident_came") == "on",
            )
        elif verb == "rate":
            form = forms.RatingForm(post)
            if not form.is_valid():
                raise InvalidInput(fields=form.errors)
            actions.rating_create(
                actor=user,
                application=app,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        else:
            raise NotFound()
    except DomainError as exc:
        return _redisplay(request, app, exc)
    messages.success(request, _("已保存。"))
    return redirect("services:application", app.pk)


@require_POST
@staff_view
def authorization(request: HttpRequest, app_id: int) -> HttpResponse:
    """Keep the written authorization: an uploaded letter, or the signature drawn on the screen."""
    app = queries.access_application(request.user, app_id)
    form = forms.AuthorizationForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise InvalidInput(fields=form.errors)
        upload = form.cleaned_data.get("upload")
        signature = form.cleaned_data.get("signature") or ""
        if upload:
            if upload.size > actions.applications.MAX_AUTHORIZATION_BYTES:
                raise InvalidInput(fields={"upload": _("文件不能超过2MB。")})
            data, kind = upload.read(), AuthorizationKind.UPLOAD
        elif signature.startswith("data:image/png;base64,"):
            data = decode_base64(signature, field="signature", message=_("签名图片无效。"))
            kind = AuthorizationKind.SIGNATURE
        else:
            raise InvalidInput(_("请上传委托书或请居民在签名板上签名。"), fields={"upload": _("缺少委托书。")})
        actions.authorization_record(
            actor=request.user,
            application=app,
            kind=kind,
            data=data,
            signer_name=form.cleaned_data["signer_name"],
            scope=form.cleaned_data["scope"],
        )
    except DomainError as exc:
        return _redisplay(request, app, exc, auth_form=form)
    messages.success(request, _("已登记委托书。"))
    return redirect("services:application", app.pk)


@staff_view
def authorization_file(request: HttpRequest, app_id: int) -> HttpResponse:
    """The written authorization itself, to those who may handle the papers (never a public media URL)."""
    from django.http import FileResponse

    app = queries.access_application(request.user, app_id)
    access.check(request.user, "services.custody", app)
    auth = getattr(app, "authorization", None)
    if auth is None:
        raise NotFound()
    ext = auth.file.name.rsplit(".", 1)[-1]
    response = FileResponse(auth.file.open("rb"), content_type=auth.content_type)
    response["Content-Disposition"] = f'inline; filename="{app.number}-authorization.{ext}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@staff_view
def custody(request: HttpRequest, app_id: int) -> HttpResponse:
    app = queries.access_application(request.user, app_id)
    form = forms.CustodyForm(request.POST, parties=_parties(app, request.user), documents=[])
    try:
        if not form.is_valid():
            raise InvalidInput(fields=form.errors)
        actions.custody_record(actor=request.user, application=app, **form.cleaned_data)
    except DomainError as exc:
        return _redisplay(request, app, exc, custody_form=form)
    messages.success(request, _("已登记交接。"))
    return redirect("services:application", app.pk)


@require_POST
@staff_view
def appointment(request: HttpRequest, app_id: int) -> HttpResponse:
    app = queries.access_application(request.user, app_id)
    form = forms.AppointmentForm(request.POST, staff=_staff_choices(app))
    try:
        if not form.is_valid():
            raise InvalidInput(fields=form.errors)
        actions.appointment_create(
            actor=request.user,
            application=app,
            staff=User.objects.get(pk=form.cleaned_data["staff"]),
            at=form.cleaned_data["at"],
            place=form.cleaned_data["place"],
        )
    except DomainError as exc:
        return _redisplay(request, app, exc, appointment_form=form)
    messages.success(request, _("已预约陪办。"))
    return redirect("services:application", app.pk)


@require_POST
@staff_view
def appointment_finish(request: HttpRequest, appt_id: int) -> HttpResponse:
    appt = queries.access_appointment(request.user, appt_id)
    app = queries.access_application(request.user, appt.application_id)
    try:
        actions.appointment_finish(actor=request.user, appointment=appt, held=request.POST.get("held") == "1")
    except DomainError as exc:
        return _redisplay(request, app, exc)
    return redirect("services:application", app.pk)


# --- staff: desk intake, work list, bundles ---------------------------------------------------------


def _desk_point(request: HttpRequest) -> Any:
    raw = request.GET.get("point") or request.POST.get("point") or ""
    points = list(queries.points_visible(request.user))
    point = next((p for p in points if str(p.pk) == raw), None)
    if point is None and len(points) >= 1 and not raw:
        point = points[0]
    return point, points


def _desk_intake(request: HttpRequest, form: forms.DeskForm, point: Any) -> dict[str, Any]:
    """Return what a desk form says about the applicant, ready for application_submit or bundle_submit."""
    data = form.cleaned_data
    resident = access_resident(request.user, data["resident_id"]) if data.get("resident_id") else None
    return {
        "actor": request.user,
        "point": point,
        "mode": data["mode"],
        "resident": resident,
        "applicant_name": data["applicant_name"],
        "applicant_mobile": data["applicant_mobile"],
        "form_data": form.form_data(),
        "supplied_materials": data["supplied_materials"],
        "resident_present": data["resident_present"],
    }


@staff_view
def desk(request: HttpRequest) -> HttpResponse:
    """Desk intake: one desk takes everything the point offers (全岗通)."""
    access.check_any(request.user, "services.intake")
    point, points = _desk_point(request)
    items = list(point.items.filter(is_active=True).order_by("category", "code")) if point else []
    raw_item = request.GET.get("item") or request.POST.get("item") or ""
    item = next((i for i in items if str(i.pk) == raw_item), None)
    form = None
    if item is not None:
        form = forms.DeskForm(request.POST or None, items=[item])
        form.fields["mode"].choices = [(m, label) for m, label in forms.DESK_MODES if m in item.modes]
        if request.method == "POST" and form.is_valid():
            try:
                app = actions.application_submit(item=item, **_desk_intake(request, form, point))
            except DomainError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已受理，办件编号 %(number)s。") % {"number": app.number})
                return redirect("services:application", app.pk)
    return render(
        request,
        "services/desk.html",
        {"points": points, "point": point, "items": items, "item": item, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@staff_view
def desk_bundle(request: HttpRequest) -> HttpResponse:
    """Desk intake of a 一件事: shared information and materials entered once."""
    access.check_any(request.user, "services.intake")
    point, points = _desk_point(request)
    templates = list(queries.bundle_templates_for(point.unit)) if point else []
    raw = request.GET.get("template") or request.POST.get("template") or ""
    template = next((t for t in templates if str(t.pk) == raw), None)
    form = None
    if template is not None:
        items = list(template.items.filter(is_active=True).prefetch_related("materials"))
        form = forms.DeskForm(request.POST or None, items=items)
        common = set(Mode.values)
        for i in items:
            common &= set(i.modes)
        form.fields["mode"].choices = [(m, label) for m, label in forms.DESK_MODES if m in common]
        if request.method == "POST" and form.is_valid():
            try:
                bundle = actions.bundle_submit(template=template, **_desk_intake(request, form, point))
            except DomainError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已受理“%(name)s”，编号 %(number)s。") % {"name": template.name, "number": bundle.number},
                )
                return redirect("services:bundle", bundle.pk)
    return render(
        request,
        "services/desk_bundle.html",
        {"points": points, "point": point, "templates": templates, "template": template, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def _filters(request: HttpRequest) -> queries.ApplicationFilters:
    def number(name: str) -> int | None:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() else None

    return queries.ApplicationFilters(
        point=number("point"),
        status=request.GET.get("status", ""),
        mode=request.GET.get("mode", ""),
        item=number("item"),
        overdue=request.GET.get("overdue") == "1",
        text=request.GET.get("q", ""),
    )


@staff_view
def work(request: HttpRequest) -> HttpResponse:
    """The work list: filters, newest first, keyset pages, Excel export."""
    access.check_any(request.user, "services.process")
    filters = _filters(request)
    page = queries.application_page(request.user, filters, after=request.GET.get("cursor"), limit=30)
    return render(
        request,
        "services/work.html",
        {
            "page": page,
            "f": filters,
            "points": queries.points_visible(request.user, "services.view"),
            "statuses": ApplicationStatus.choices,
            "modes": Mode.choices,
            "can_export": access.has_any(request.user, "services.export"),
        },
    )


def export_applications(actor: Any, filters: queries.ApplicationFilters) -> HttpResponse:
    access.check_any(actor, "services.export")
    rows = (
        [
            a.number,
            a.item.name,
            a.get_mode_display(),
            a.get_status_display(),
            a.applicant_name_masked,
            a.point.name if a.point_id else _("网上"),
            a.handling_department.name if a.handling_department_id else a.handling_unit.name,
            a.submitted_at,
            a.deadline,
            a.done_at,
            a.visits,
        ]
        for a in queries.application_list(actor, filters).order_by("-submitted_at", "-id")[:50000].iterator()
    )
    headers = [
        _("办件编号"),
        _("事项"),
        _("办理方式"),
        _("状态"),
        _("申请人"),
        _("受理站点"),
        _("办结单位"),
        _("提交时间"),
        _("办结期限"),
        _("办结时间"),
        _("跑动次数"),
    ]
    return xlsx_response("applications", _("办件"), headers, rows)


@staff_view
def work_export(request: HttpRequest) -> HttpResponse:
    return export_applications(request.user, _filters(request))


@staff_view
def bundle(request: HttpRequest, bundle_id: int) -> HttpResponse:
    b = queries.access_bundle(request.user, bundle_id)
    apps = list(b.applications.select_related("item", "handling_unit", "handling_department").order_by("id"))
    return render(request, "services/bundle.html", {"bundle": b, "apps": apps})


@staff_view
def figures(request: HttpRequest, point_id: int) -> HttpResponse:
    """A point's figures: use, 最多跑一次, satisfaction, per item and per month (ECharts)."""
    point = queries.access_point(request.user, point_id)
    f = queries.point_figures(request.user, point)
    monthly = queries.monthly_applications(request.user, point)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("受理"), pgettext("figure", "办结"), _("最多跑一次")]},
        "xAxis": {"type": "category", "data": [m["month"] for m in monthly]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": _("受理"), "type": "bar", "data": [m["total"] for m in monthly]},
            {"name": pgettext("figure", "办结"), "type": "bar", "data": [m["finished"] for m in monthly]},
            {"name": _("最多跑一次"), "type": "line", "data": [m["one_trip"] for m in monthly]},
        ],
    }
    labels = dict(Mode.choices)
    modes = {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "pie",
                "radius": "60%",
                "data": [{"name": str(labels.get(k, k)), "value": v} for k, v in f.by_mode.items()],
            }
        ],
    }
    return render(
        request,
        "services/figures.html",
        {
            "point": point,
            "f": f,
            "monthly": monthly,
            "chart": chart,
            "modes": modes,
            "items": queries.item_table(request.user, point),
        },
    )


# --- certificates -----------------------------------------------------------------------------------


def _cert_unit(request: HttpRequest) -> Any:
    paths = access.units_for(request.user, "services.certificates_issue")
    units = list(Unit.objects.filter(path__in=paths)) if paths else []
    if access.is_global(request.user, "services.certificates_issue"):
        units = list(Unit.objects.filter(kind__in=RESIDENT_UNIT_KINDS).order_by("path")[:100])
    raw = request.GET.get("unit") or request.POST.get("unit") or ""
    chosen = next((u for u in units if str(u.pk) == raw), units[0] if units else None)
    return chosen, units


@staff_view
def certificates(request: HttpRequest) -> HttpResponse:
    """Issue catalogue certificates, redirect other requests (counted), see figures and issued ones."""
    access.check_any(request.user, "services.certificates_issue")
    unit, units = _cert_unit(request)
    catalogue = list(queries.certificate_catalogue(unit)) if unit else []
    issue_form = forms.IssueForm(types=[(t.pk, t.name) for t in catalogue])
    redirect_form = forms.RedirectForm()
    status = 200
    result = None
    if request.method == "POST" and unit is not None:
        try:
            if request.POST.get("form") == "issue":
                issue_form = forms.IssueForm(request.POST, types=[(t.pk, t.name) for t in catalogue])
                if not issue_form.is_valid():
                    raise InvalidInput(fields=issue_form.errors)
                d = issue_form.cleaned_data
                ctype = CertificateType.objects.filter(pk=d["type"]).first()
                resident = access_resident(request.user, d["resident_id"]) if d.get("resident_id") else None
                cert = actions.certificate_issue(
                    actor=request.user,
                    unit=unit,
                    ctype=ctype,
                    holder_name=d["holder_name"],
                    holder_resident=resident,
                    purpose=d["purpose"],
                    content=d["content"],
                    evidence=d["evidence"],
                )
                messages.success(request, _("已出具，编号 %(serial)s。") % {"serial": cert.serial})
                return redirect("services:certificate", cert.pk)
            redirect_form = forms.RedirectForm(request.POST)
            if not redirect_form.is_valid():
                raise InvalidInput(fields=redirect_form.errors)
            result = actions.certificate_redirect(actor=request.user, unit=unit, **redirect_form.cleaned_data)
            redirect_form = forms.RedirectForm()
        except DomainError as exc:
            target = issue_form if request.POST.get("form") == "issue" else redirect_form
            apply_form_errors(target, exc)
            status = _status(exc)
    issued = queries.certificates_visible(request.user)
    if unit is not None:
        issued = issued.filter(unit__path__startswith=unit.path)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            "certificates",
            _("证明"),
            [
                _("证明编号"),
                _("证明类型"),
                _("持证人"),
                _("用途"),
                _("出具单位"),
                _("出具日期"),
                _("有效期至"),
                _("状态"),
            ],
            (
                [
                    c.serial,
                    c.type.name,
                    c.holder_masked,  # an export leaves the system: names masked, as in the application export
                    c.purpose,
                    c.unit.name,
                    c.issued_at,
                    c.valid_until,
                    _("已撤销") if c.revoked_at else _("有效"),
                ]
                for c in issued.order_by("-issued_at", "-id")[:50000].iterator()
            ),
        )
    return render(
        request,
        "services/certificates.html",
        {
            "unit": unit,
            "units": units,
            "catalogue": catalogue,
            "guides": queries.redirect_guides(unit) if unit else [],
            "issue_form": issue_form,
            "redirect_form": redirect_form,
            "result": result,
            "issued": issued[:30],
            "figures": queries.certificate_figures(request.user, unit) if unit else [],
        },
        status=status,
    )


@staff_view
def certificate(request: HttpRequest, cert_id: int) -> HttpResponse:
    cert = queries.access_certificate(request.user, cert_id)
    form = forms.ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise InvalidInput(fields=form.errors)
            actions.certificate_revoke(actor=request.user, certificate=cert, reason=form.cleaned_data["reason"])
            messages.success(request, _("证明已撤销。"))
            return redirect("services:certificate", cert.pk)
        except DomainError as exc:
            apply_form_errors(form, exc)
            status = _status(exc)
    return render(
        request,
        "services/certificate.html",
        {
            "cert": cert,
            "form": form,
            "can_revoke": access.can(request.user, "services.certificates_revoke", cert) and not cert.revoked_at,
        },
        status=status,
    )


@staff_view
def certificate_file(request: HttpRequest, cert_id: int) -> HttpResponse:
    cert = queries.access_certificate(request.user, cert_id)
    return pdf_response(certificate_pdf(cert), f"{cert.serial}.pdf")


@html_errors
def verify(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public verification: a code shows valid or invalid, never an error page."""
    raw = code or request.GET.get("code", "")
    form = forms.VerifyForm(initial={"code": raw})
    result = queries.verify_certificate(raw) if raw else None
    return render(request, "services/verify.html", {"form": form, "result": result, "asked": bool(raw)})


# --- duties register and enforcement ---------------------------------------------------------------


@staff_view
def duties(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "services.duties_view")
    kind = request.GET.get("kind", "")
    source = request.GET.get("source", "")
    text = request.GET.get("q", "")
    state = request.GET.get("state", "current")
    if state not in queries.DUTY_STATES:
        state = "current"
    rows = queries.duty_list(request.user, kind=kind, source=source, text=text, state=state).select_related(
        "delegated_from"
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            "duties",
            _("职责清单"),
            [
                _("单位"),
                _("部门"),
                _("编码"),
                _("名称"),
                _("类别"),
                _("来源"),
                _("原权力单位"),
                _("法律依据"),
                _("生效日期"),
                _("停用日期"),
                _("停用理由"),
            ],
            (
                [
                    d.unit.name,
                    d.department.name if d.department_id else "",
                    d.code,
                    d.name,
                    d.get_kind_display(),
                    d.get_source_display(),
                    d.delegated_from.name if d.delegated_from_id else "",
                    d.legal_basis,
                    d.effective_from,
                    d.effective_to or "",
                    d.retired_reason,
                ]
                for d in rows.iterator()
            ),
        )
    today = timezone.localdate()
    shown = list(rows[:500])
    for d in shown:
        d.retired = d.is_retired(today)
        d.manageable = not d.retired and access.can(request.user, "services.duties_manage", d)
    return render(
        request,
        "services/duties.html",
        {
            "rows": shown,
            "kinds": DutyKind.choices,
            "sources": DutySource.choices,
            "states": [("current", _("现行")), ("retired", _("已停用")), ("all", _("全部"))],
            "kind": kind,
            "source": source,
            "state": state,
            "q": text,
            "can_create": access.has_any(request.user, "services.duties_manage"),
        },
    )


def _duty_form(request: HttpRequest, duty: Duty | None) -> forms.DutyForm:
    """Build the register form: managed units (new entries only), departments and delegating units."""
    units = None
    if duty is None:
        managed = access.scope(request.user, "services.duties_manage", Unit.objects.active()).order_by("path")
        units = [(u.pk, u.name) for u in managed.exclude(kind__in=[UnitKind.GRID, UnitKind.BUILDING])]
    departments = [
        (dept.pk, dept.name) for dept in Department.objects.filter(is_active=True).order_by("unit__path", "name")
    ]
    origins = [
        (u.pk, u.name)
        for u in Unit.objects.active()
        .filter(kind__in=[UnitKind.CITY, UnitKind.DISTRICT, UnitKind.STREET, UnitKind.TOWNSHIP])
        .order_by("path")
    ]
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    if duty is not None:
        initial = {
            "name": duty.name,
            "kind": duty.kind,
            "source": duty.source,
            "delegated_from": duty.delegated_from_id or "",
            "delegation_document": duty.delegation_document,
            "department": duty.department_id or "",
            "category_code": duty.category_code,
            "law_area": duty.law_area,
            "legal_basis": duty.legal_basis,
            "effective_from": duty.effective_from,
        }
    return forms.DutyForm(
        request.POST if request.method == "POST" else None,
        units=units,
        departments=departments,
        origins=origins,
        initial=initial,
    )


def _duty_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the form's ids into objects for the actions (a vanished id is a field error)."""
    fields = dict(data)
    fields["department"] = queries.duty_department(data.get("department"), field="department")
    fields["delegated_from"] = queries.delegating_unit(data.get("delegated_from"), field="delegated_from")
    return fields


def _form_errors(form: forms.DutyForm | forms.DutyRetireForm, exc: DomainError) -> None:
    """Map the actions' API field names (department_id, delegated_from_id) onto the form's fields."""
    exc.fields = {name.removesuffix("_id"): value for name, value in exc.fields.items()}
    apply_form_errors(form, exc)


@staff_view
def duty_new(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "services.duties_manage")
    form = _duty_form(request, None)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 422
    elif request.method == "POST":
        try:
            d = _duty_fields(form.cleaned_data)
            unit = access_unit(request.user, d.pop("unit"), perm="services.duties_manage")
            duty = actions.duty_create(actor=request.user, unit=unit, **d)
            messages.success(request, _("已登记职责“%(name)s”。") % {"name": duty.name})
            return redirect("services:duties")
        except DomainError as exc:
            _form_errors(form, exc)
            status = _status(exc)
    return render(
        request, "services/duty_form.html", {"form": form, "duty": None, "title": _("新增职责")}, status=status
    )


@staff_view
def duty_edit(request: HttpRequest, duty_id: int) -> HttpResponse:
    duty = queries.access_duty(request.user, duty_id)
    access.check(request.user, "services.duties_manage", duty)
    form = _duty_form(request, duty)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 422
    elif request.method == "POST":
        try:
            actions.duty_update(actor=request.user, duty=duty, **_duty_fields(form.cleaned_data))
            messages.success(request, _("已保存。"))
            return redirect("services:duties")
        except DomainError as exc:
            _form_errors(form, exc)
            status = _status(exc)
    return render(
        request, "services/duty_form.html", {"form": form, "duty": duty, "title": _("修改职责")}, status=status
    )


@staff_view
def duty_retire(request: HttpRequest, duty_id: int) -> HttpResponse:
    duty = queries.access_duty(request.user, duty_id)
    access.check(request.user, "services.duties_manage", duty)
    form = forms.DutyRetireForm(
        request.POST if request.method == "POST" else None, initial={"effective_to": timezone.localdate()}
    )
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 422
    elif request.method == "POST":
        try:
            actions.duty_retire(actor=request.user, duty=duty, **form.cleaned_data)
            messages.success(request, _("已停用职责“%(name)s”。") % {"name": duty.name})
            return redirect("services:duties")
        except DomainError as exc:
            _form_errors(form, exc)
            status = _status(exc)
    return render(request, "services/duty_retire.html", {"form": form, "duty": duty}, status=status)


@staff_view
def cases(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "services.enforcement_view")
    from gongzhi.lib.pagination import keyset_page

    status_filter = request.GET.get("status", "")
    qs = queries.case_list(
        request.user, status=status_filter, source=request.GET.get("source", ""), text=request.GET.get("q", "")
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            "enforcement-cases",
            _("执法案件"),
            [
                _("案件编号"),
                _("执法领域"),
                _("当事人"),
                _("地点"),
                _("来源"),
                _("关联诉求编号"),
                _("状态"),
                _("处理决定"),
                _("罚款金额（元）"),
                _("法律依据"),
                _("立案时间"),
            ],
            (
                [
                    c.number,
                    c.law_area,
                    c.party_name,
                    c.location,
                    c.get_source_display(),
                    c.appeal_number,
                    c.get_status_display(),
                    c.get_decision_display() if c.decision else "",
                    c.penalty_amount,
                    c.legal_basis,
                    c.registered_at,
                ]
                for c in qs.order_by("-registered_at", "-id")[:50000].iterator()
            ),
        )
    page = keyset_page(qs, order=("-registered_at", "-id"), after=request.GET.get("cursor"), limit=30)
    paths = access.units_for(request.user, "services.enforcement_manage")
    units = [
        (u.pk, u.name) for u in Unit.objects.filter(path__in=paths, kind__in=[UnitKind.STREET, UnitKind.TOWNSHIP])
    ]
    if access.is_global(request.user, "services.enforcement_manage"):
        units = [(u.pk, u.name) for u in Unit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWNSHIP])]
    initial: dict[str, Any] = {}
    if request.method == "GET" and request.GET.get("appeal"):
        # "Register a case from this appeal" on the appeal page: the source, the number and the street.
        appeal = queries.appeal_in_reach(request.user, request.GET["appeal"])
        if appeal is not None:
            initial = {
                "source": CaseSource.APPEAL,
                "appeal_number": appeal.number,
                "summary": appeal.description[:500],
            }
            streets = Unit.objects.filter(pk__in=[pk for pk, _name in units]).values_list("pk", "path")
            street = next((pk for pk, path in streets if appeal.unit_path.startswith(path)), None)
            if street is not None:
                initial["unit"] = street
            if appeal.address:
                initial["location"] = appeal.address
    form = forms.CaseForm(request.POST or None, units=units, initial=initial)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise InvalidInput(fields=form.errors)
            d = form.cleaned_data
            unit = access_unit(request.user, d.pop("unit"), perm="services.enforcement_view")
            team = Department.objects.filter(
                kind=DepartmentKind.ENFORCEMENT,
                is_active=True,
                jurisdiction__path__in=[unit.path[:i] for i in range(4, len(unit.path) + 1, 4)],
            ).first()
            if team is None:
                raise InvalidInput(fields={"unit": _("该单位没有综合行政执法队。")})
            case = actions.case_register(actor=request.user, unit=unit, team=team, **d)
            messages.success(request, _("已立案，编号 %(number)s。") % {"number": case.number})
            return redirect("services:case", case.pk)
        except DomainError as exc:
            apply_form_errors(form, exc)
            status = _status(exc)
    from gongzhi.services.workflow import EnforcementStatus

    return render(
        request,
        "services/cases.html",
        {
            "page": page,
            "form": form if units else None,
            "statuses": EnforcementStatus.choices,
            "status": status_filter,
        },
        status=status,
    )


@staff_view
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    c = queries.access_case(request.user, case_id)
    powers = list(queries.penalty_powers(c))
    decide_form = forms.DecideForm(duties=[(d.pk, f"{d.code} {d.name}") for d in powers])
    status = 200
    if request.method == "POST":
        verb = request.POST.get("verb", "")
        try:
            if verb == "investigate":
                actions.case_investigate(actor=request.user, case=c, findings=request.POST.get("findings", ""))
            elif verb == "decide":
                decide_form = forms.DecideForm(request.POST, duties=[(d.pk, f"{d.code} {d.name}") for d in powers])
                if not decide_form.is_valid():
                    raise InvalidInput(fields=decide_form.errors)
                d = decide_form.cleaned_data
                duty = Duty.objects.filter(pk=d["duty"]).first() if d["duty"] else None
                actions.case_decide(
                    actor=request.user,
                    case=c,
                    decision=d["decision"],
                    duty=duty,
                    penalty_amount=d["penalty_amount"] or None,
                    penalty_text=d["penalty_text"],
                    note=d["note"],
                )
            elif verb == "execute":
                actions.case_execute(actor=request.user, case=c, note=request.POST.get("note", ""))
            elif verb == "close":
                actions.case_close(actor=request.user, case=c, note=request.POST.get("note", ""))
            else:
                raise InvalidInput(fields={"verb": _("未知操作。")})
            messages.success(request, _("已保存。"))
            return redirect("services:case", c.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            apply_form_errors(decide_form, exc)
            status = _status(exc)
            c = queries.access_case(request.user, case_id)
    return render(
        request,
        "services/case.html",
        {
            "case": c,
            "events": c.events.select_related("actor"),
            "decide_form": decide_form,
            "can_manage": access.can(request.user, "services.enforcement_manage", c),
            "appeal_visible": c.appeal_id is not None and access.can(request.user, "appeals.view", c.appeal),
        },
        status=status,
    )


# --- village point logs -------------------------------------------------------------------------------


@staff_view
def village(request: HttpRequest, point_id: int) -> HttpResponse:
    """村社宜站: parcels, finance services (records only) and produce listings, with monthly figures."""
    point = queries.access_point(request.user, point_id, perm="services.village_view")
    forms_in = {
        "parcel": forms.ParcelForm(),
        "finance": forms.FinanceForm(),
        "listing": forms.ListingForm(),
        "sell": forms.SellForm(),
    }
    status = 200
    if request.method == "POST":
        which = request.POST.get("form", "")
        try:
            if which == "parcel":
                forms_in["parcel"] = f = forms.ParcelForm(request.POST)
                if not f.is_valid():
                    raise InvalidInput(fields=f.errors)
                actions.parcel_record(actor=request.user, point=point, **f.cleaned_data)
            elif which == "finance":
                forms_in["finance"] = f = forms.FinanceForm(request.POST)
                if not f.is_valid():
                    raise InvalidInput(fields=f.errors)
                actions.finance_record(actor=request.user, point=point, **f.cleaned_data)
            elif which == "listing":
                forms_in["listing"] = f = forms.ListingForm(request.POST)
                if not f.is_valid():
                    raise InvalidInput(fields=f.errors)
                actions.listing_create(actor=request.user, point=point, **f.cleaned_data)
            elif which == "pickup":
                parcel = access.get_or_404(
                    request.user,
                    "services.village_view",
                    ParcelLog.objects.filter(point=point),
                    pk=request.POST.get("id"),
                )
                actions.parcel_pickup(actor=request.user, parcel=parcel)
            elif which == "sell":
                forms_in["sell"] = f = forms.SellForm(request.POST)
                if not f.is_valid():
                    raise InvalidInput(fields=f.errors)
                listing = access.get_or_404(
                    request.user,
                    "services.village_view",
                    ProduceListing.objects.filter(point=point),
                    pk=request.POST.get("id"),
                )
                actions.listing_sell(actor=request.user, listing=listing, **f.cleaned_data)
            else:
                raise InvalidInput(fields={"form": _("未知操作。")})
            messages.success(request, _("已登记。"))
            return redirect("services:village", point.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            if which in forms_in:
                apply_form_errors(forms_in[which], exc)
            status = _status(exc)
    if request.GET.get("format") == "xlsx":
        return _village_export(request, point)
    logs = queries.village_logs(request.user, point)
    monthly = queries.village_monthly(request.user, point)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("到件"), _("寄件"), _("金融服务"), _("农产品成交")]},
        "xAxis": {"type": "category", "data": [m["month"] for m in monthly]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": _("到件"), "type": "bar", "data": [m["parcels_in"] for m in monthly]},
            {"name": _("寄件"), "type": "bar", "data": [m["parcels_out"] for m in monthly]},
            {"name": _("金融服务"), "type": "bar", "data": [m["finance_count"] for m in monthly]},
            {"name": _("农产品成交"), "type": "line", "data": [m["sold"] for m in monthly]},
        ],
    }
    return render(
        request,
        "services/village.html",
        {"point": point, **logs, "monthly": monthly, "chart": chart, "forms": forms_in, "now": timezone.now()},
        status=status,
    )


def _village_export(request: HttpRequest, point: Any) -> HttpResponse:
    """Excel of one village log: parcels, finance services or produce listings (?log=...)."""
    logs = queries.village_logs(request.user, point, limit=50000)
    kind = request.GET.get("log", "parcels")
    if kind == "finance":
        headers = [_("时间"), _("业务"), _("办理人"), _("金额"), _("机构"), _("业务流水号")]
        rows = [
            [f.at, f.get_service_display(), f.resident_name, f.amount, f.institution, f.reference]
            for f in logs["finance"]
        ]
    elif kind == "listings":
        headers = [
            _("产品"),
            _("数量"),
            _("单位"),
            _("单价"),
            _("卖方"),
            _("卖方联系方式"),
            _("状态"),
            _("买方"),
            _("买方联系方式"),
            _("成交额"),
        ]
        rows = [
            [
                x.product,
                x.quantity,
                x.measure,
                x.price,
                x.seller_name,
                x.seller_contact,
                x.get_status_display(),
                x.buyer_name,
                x.buyer_contact,
                x.sold_value,
            ]
            for x in logs["listings"]
        ]
    else:
        headers = [_("时间"), _("方向"), _("运单号"), _("快递公司"), _("收/寄件人"), _("联系电话"), _("取件时间")]
        rows = [
            [
                p.at,
                p.get_direction_display(),
                p.tracking_number,
                p.carrier,
                p.party_name,
                p.party_phone_masked,
                p.picked_up_at,
            ]
            for p in logs["parcels"]
        ]
    return xlsx_response(f"village-{kind}", point.name, headers, rows)
