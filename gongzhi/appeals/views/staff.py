"""Staff pages: the work list and the dispatcher's queue, taking an appeal down, the appeal page and its
actions (HTMX swaps the panel; without JavaScript the forms post and redirect), export, whistles."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.appeals import actions, queries
from gongzhi.appeals import forms as f
from gongzhi.appeals.models import Appeal, Category, WhistleRatingSide
from gongzhi.appeals.views.resident import _reporter_context, _uploads, progress_steps
from gongzhi.appeals.workflow import OPEN, Status
from gongzhi.lib.errors import DomainError, InvalidInput
from gongzhi.lib.excel import xlsx_response
from gongzhi.units.forms import unit_choices
from gongzhi.units.models import Department, Unit
from gongzhi.units.queries import units_visible
from gongzhi.web import hooks
from gongzhi.web.errors import apply_form_errors, staff_view

EXPORT_LIMIT = 50000


# --- the work list --------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[f.FilterForm, queries.AppealFilters, str]:
    units = unit_choices(units_visible(request.user, "appeals.view"))
    form = f.FilterForm(request.GET or None, units=units)
    filters = queries.AppealFilters()
    sort = "newest"
    if form.is_bound:
        if not form.is_valid():
            raise InvalidInput(fields={k: v for k, v in form.errors.items()})
        data = form.cleaned_data
        status = data.get("status") or ""
        filters = queries.AppealFilters(
            status=[status] if status and status != "open" else None,
            open_only=status == "open",
            category=Category.objects.filter(code=data["category"]).first() if data.get("category") else None,
            unit=data.get("unit"),
            overdue=bool(data.get("overdue")),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )
        sort = data.get("sort") or "newest"
    return form, filters, sort


def bulk_departments(actor: Any) -> QuerySet[Department]:
    """Departments a dispatcher may choose in bulk: those covering or inside the units of their reach."""
    condition = Q()
    for path in access.units_for(actor, "appeals.dispatch"):
        ancestors = [path[:i] for i in range(Unit.steplen, len(path) + 1, Unit.steplen)]
        condition |= Q(jurisdiction__path__in=ancestors) | Q(jurisdiction__path__startswith=path)
    if access.is_global(actor, "appeals.dispatch"):
        condition = Q()
    elif not condition:
        return Department.objects.none()
    return Department.objects.filter(condition, is_active=True).select_related("unit").order_by("unit__path", "name")


@staff_view
def work_list(request: HttpRequest) -> HttpResponse:
    """All appeals in reach, filtered, sorted, in keyset pages; dispatchers can dispatch several at once."""
    access.check_any(request.user, "appeals.view")
    if not access.has_any(request.user, "appeals.note"):
        return redirect("appeals:mine")
    form, filters, sort = _filters(request)
    page = queries.appeal_page(request.user, filters, sort=sort, after=request.GET.get("cursor") or None, limit=50)
    can_dispatch = access.has_any(request.user, "appeals.dispatch")
    return render(
        request,
        "appeals/list.html",
        {
            "form": form,
            "page": page,
            "title": _("诉求工作台"),
            "can_dispatch": can_dispatch,
            "departments": bulk_departments(request.user) if can_dispatch else [],
            "can_export": access.has_any(request.user, "appeals.export"),
            "can_take": access.has_any(request.user, "appeals.create"),
            "queue_count": queries.queue_count(request.user) if can_dispatch else None,
            # Actions other apps offer on the selected appeals (e.g. file a deliberation topic).
            "list_actions": hooks.panels("appeals.list_actions", request),
        },
    )


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    """The dispatcher's queue: appeals waiting for a department, oldest first."""
    page = queries.dispatch_queue(request.user, after=request.GET.get("cursor") or None, limit=50)
    return render(
        request,
        "appeals/list.html",
        {
            "page": page,
            "title": _("待派单"),
            "queue": True,
            "can_dispatch": True,
            "departments": bulk_departments(request.user),
            "can_export": False,
            "can_take": access.has_any(request.user, "appeals.create"),
        },
    )


@require_POST
@staff_view
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "appeals.dispatch")
    numbers = [n for n in request.POST.getlist("numbers") if n][:200]
    try:
        department = bulk_departments(request.user).get(pk=int(request.POST.get("department", "0")))
    except (Department.DoesNotExist, ValueError):
        messages.error(request, _("请选择承办部门。"))
        return redirect(request.POST.get("next") or "appeals:queue")
    if not numbers:
        messages.error(request, _("请至少选择一条诉求。"))
        return redirect(request.POST.get("next") or "appeals:queue")
    chosen = list(queries.appeals_visible(request.user).filter(number__in=numbers))
    results = actions.appeal_bulk_dispatch(
        actor=request.user, appeals=chosen, department=department, comment=request.POST.get("comment", "")
    )
    done = [r.number for r in results if r.ok]
    failed = [f"{r.number}：{r.message}" for r in results if not r.ok]
    if done:
        messages.success(
            request, _("已派给%(department)s：%(n)s条。") % {"department": department.name, "n": len(done)}
        )
    for line in failed:
        messages.error(request, line)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/appeals/") else "appeals:queue")


@staff_view
def export(request: HttpRequest) -> HttpResponse:
    """Excel export of the filtered list (contact numbers masked)."""
    access.check_any(request.user, "appeals.export")
    _form, filters, sort = _filters(request)
    qs = queries.appeal_filter(request.user, filters, perm="appeals.export")
    qs = qs.select_related("category", "unit", "department").order_by(
        *queries.SORTS.get(sort, queries.SORTS["newest"])
    )
    headers = [
        _("编号"),
        _("状态"),
        _("渠道"),
        _("类型"),
        _("分类编码"),
        _("分类"),
        _("诉求内容"),
        _("所属单位"),
        _("地址"),
        _("主办部门"),
        _("提交时间"),
        _("响应时限"),
        _("响应时间"),
        _("办结时限"),
        _("办结时间"),
        _("是否超期"),
        _("联系人"),
        _("联系电话（脱敏）"),
        _("办理结果"),
    ]

    def rows():
        for a in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield [
                a.number,
                a.get_status_display(),
                a.get_channel_display(),
                a.get_kind_display(),
                a.category.code,
                a.category.label(),
                a.description,
                a.unit.name,
                a.address,
                a.department.name if a.department_id else "",
                a.submitted_at,
                a.response_due,
                a.responded_at,
                a.resolution_due,
                a.resolved_at,
                _("是") if a.is_overdue else "",
                a.contact_name,
                a.contact_mobile_masked,
                a.result,
            ]

    actions.appeal_export_record(actor=request.user, filters=request.GET.dict())
    return xlsx_response(_("诉求"), _("诉求列表"), headers, rows())


# --- staff entry ----------------------------------------------------------------------------------


@staff_view
def take(request: HttpRequest) -> HttpResponse:
    """Take an appeal down for someone: a phone call, a visit, something seen on grid patrol."""
    access.check_any(request.user, "appeals.create")
    units = unit_choices(units_visible(request.user, "appeals.create"))
    form = f.SubmitForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        anonymous=False,
        staff=True,
        initial={"idempotency_key": uuid.uuid4().hex},
    )
    category = Category.objects.filter(pk=form.data.get("category") or 0).first() if form.is_bound else None
    extra = f.attribute_form(queries.attributes_of(category) if category else [], request.POST or None)
    if request.method == "POST" and form.is_valid() and extra.is_valid():
        data = form.cleaned_data
        try:
            appeal = actions.appeal_submit(
                actor=request.user,
                channel=data["channel"],
                category=Category.objects.filter(pk=data["category"]).first(),
                description=data["description"],
                unit=data["unit"],
                kind=data["kind"],
                address=data["address"],
                is_public=data["is_public"],
                attributes=f.attribute_values(extra),
                contact={"name": data.get("contact_name", ""), "mobile": data.get("contact_mobile", "")},
                idempotency_key=data.get("idempotency_key") or None,
                attachments=_uploads(data.get("attachments")),
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已受理，编号 %(number)s。") % {"number": appeal.number})
            return redirect("appeals:detail", appeal.number)
    return render(
        request,
        "appeals/take.html",
        {"form": form, "extra": extra},
        status=400 if request.method == "POST" else 200,
    )


# --- the appeal page ------------------------------------------------------------------------------

ACTION_FORMS = {
    "dispatch": f.DispatchForm,
    "redispatch": f.RedispatchForm,
    "reject": f.ReasonForm,
    "merge": f.MergeForm,
    "split": f.SplitForm,
    "whistle": f.WhistleForm,
    "accept": f.AssignmentForm,
    "return": f.ReturnForm,
    "respond": f.RespondForm,
    "complete": f.CompleteForm,
    "extension": f.ExtensionForm,
    "decide_extension": f.DecideExtensionForm,
    "review": f.ReviewForm,
    "close": f.CommentForm,
    "note": f.NoteForm,
    "rate": f.RateForm,
}
WITH_DEPARTMENTS = {"dispatch", "redispatch", "split", "whistle"}
ACTION_PERMS = {
    "dispatch": "appeals.dispatch",
    "redispatch": "appeals.dispatch",
    "reject": "appeals.dispatch",
    "merge": "appeals.dispatch",
    "split": "appeals.coordinate",
    "whistle": "appeals.coordinate",
    "accept": "appeals.handle",
    "return": "appeals.handle",
    "respond": "appeals.handle",
    "complete": "appeals.handle",
    "extension": "appeals.handle",
    "decide_extension": "appeals.extend",
    "review": "appeals.supervise",
    "close": "appeals.supervise",
    "note": "appeals.note",
}


def _form_for(name: str, appeal: Appeal, data: Any = None, files: Any = None) -> Any:
    form_class = ACTION_FORMS[name]
    initial = {"version": appeal.version}
    # Each action's form has its own prefix: field ids stay unique on a page that shows several forms.
    kwargs: dict[str, Any] = {"initial": initial, "prefix": name}
    if name in WITH_DEPARTMENTS:
        kwargs["departments"] = queries.departments_covering(appeal.unit_path)
    if name == "dispatch":
        suggested, _others = queries.suggested_department(appeal)
        if suggested is not None:
            initial["department"] = suggested.pk
    if name == "merge" and appeal.likely_duplicate_of_id:
        initial["into"] = appeal.likely_duplicate_of.number
    if name == "split" and appeal.department_id:
        initial["lead"] = appeal.department_id
    if name == "decide_extension":
        pending = [e for e in queries.extensions_of(appeal) if e.status == "pending"]
        if pending:
            initial["extension"] = pending[0].pk
    return form_class(data, files, **kwargs) if data is not None else form_class(**kwargs)


def detail_context(request: HttpRequest, appeal: Appeal, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    actor = request.user
    allowed = queries.allowed_actions(actor, appeal)
    internal = queries.is_staff_viewer(actor, appeal)
    bound = bound or {}
    action_forms = {name: bound.get(name) or _form_for(name, appeal) for name in allowed if name in ACTION_FORMS}
    whistles = queries.whistles_of(appeal)
    my_summonses = [
        s
        for w in whistles
        for s in w.summonses.all()
        if s.status in ("pending", "missed") and w.closed_at is None and access.can(actor, "appeals.checkin", s)
    ]
    options = queries.whistle_options(actor, appeal, whistles) if internal else {"close": set(), "rate": {}}
    # One form per (summons, side) the actor may rate now, and per whistle they may close (bound ones keep errors).
    rate_forms = {
        (pk, side): bound.get(f"rate-{pk}-{side}")
        or f.WhistleRateForm(initial={"side": side}, prefix=f"rate-{pk}-{side}")
        for pk, sides in options["rate"].items()
        for side in sides
    }
    close_forms = {pk: bound.get(f"close-{pk}") or f.WhistleCloseForm(prefix=f"close-{pk}") for pk in options["close"]}
    suggestion = queries.suggested_department(appeal) if "dispatch" in allowed else (None, [])
    context = {
        "appeal": appeal,
        "internal": internal,
        "allowed": allowed,
        "action_forms": action_forms,
        "timeline": queries.timeline(appeal, internal=internal),
        "assignments": queries.assignments_of(appeal) if internal else [],
        "attachments": queries.attachments_of(appeal, internal=internal),
        "extensions": queries.extensions_of(appeal) if internal else [],
        "whistles": whistles if internal else [],
        "my_summonses": my_summonses,
        "whistle_rate_forms": rate_forms,
        "whistle_close_forms": close_forms,
        "steps": progress_steps(appeal),
        "ratings": list(appeal.ratings.order_by("round")),
        "duplicates": queries.duplicate_candidates(actor, appeal) if "merge" in allowed else [],
        "suggestion": suggestion,
        "refusals": queries.dispatch_refusals(appeal, suggestion[1]) if "dispatch" in allowed else {},
        # Panels other apps add (topics citing the appeal, enforcement cases...), each a fixed number of queries.
        "linked_panels": hooks.panels("appeals.detail", request, appeal) if internal else [],
        "is_open": appeal.status in OPEN,
        "attribute_labels": {a.code: a for a in queries.attributes_of(appeal.category)},
    }
    if not internal:
        context.update(_reporter_context(appeal, bound.get("rate") or f.RateForm(), can_rate="rate" in allowed))
    return context


def render_detail(
    request: HttpRequest,
    appeal: Appeal,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
    notice: str = "",
) -> HttpResponse:
    context = detail_context(request, appeal, bound)
    context["notice"] = notice
    return render(request, "appeals/detail.html", context, status=status)


@staff_view
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """The appeal page: for staff with the timeline and the allowed actions; for the reporter, their view."""
    return render_detail(request, queries.access_appeal(request.user, number))


@require_POST
@staff_view
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Run one workflow action from the appeal page."""
    appeal = queries.access_appeal(request.user, number)
    if action not in ACTION_FORMS:
        raise InvalidInput(fields={"action": _("未知的操作。")})
    # Too small a role is a 403 before any form is read (the action checks again, on the locked row).
    perm = ACTION_PERMS.get(action)
    if perm == "appeals.handle":
        access.check_any(request.user, perm)
    elif perm is not None:
        access.check(request.user, perm, appeal)
    form = _form_for(action, appeal, request.POST, request.FILES)
    if form.is_valid():
        try:
            message = _run(request.user, appeal, action, form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
            return render_detail(request, appeal, bound={action: form}, status=exc.status)
        if request.headers.get("HX-Request"):
            # htmx swaps the panel in place: show the result there instead of redirecting.
            return render_detail(request, queries.access_appeal(request.user, number), notice=message)
        messages.success(request, message)
        return redirect("appeals:detail", number)
    return render_detail(request, appeal, bound={action: form}, status=400)


def _run(actor: Any, appeal: Appeal, action: str, data: dict[str, Any]) -> str:
    version = data.get("version")
    assignment = data.get("assignment")
    if action == "dispatch":
        actions.appeal_dispatch(
            actor=actor,
            appeal=appeal,
            department=data["department"],
            comment=data["comment"],
            expected_version=version,
        )
        return _("已派给%(name)s。") % {"name": data["department"].name}
    if action == "redispatch":
        actions.appeal_redispatch(
            actor=actor, appeal=appeal, department=data["department"], reason=data["reason"], expected_version=version
        )
        return _("已改派给%(name)s。") % {"name": data["department"].name}
    if action == "reject":
        actions.appeal_reject(actor=actor, appeal=appeal, reason=data["reason"], expected_version=version)
        return _("已作不予受理处理。")
    if action == "merge":
        into = queries.access_appeal(actor, data["into"])
        actions.appeal_merge(actor=actor, appeal=appeal, into=into, comment=data["comment"], expected_version=version)
        return _("已并入 %(number)s。") % {"number": into.number}
    if action == "split":
        actions.appeal_split(
            actor=actor,
            appeal=appeal,
            lead=data["lead"],
            assisting=list(data["assisting"]),
            comment=data["comment"],
            expected_version=version,
        )
        return _("已安排多部门协同办理。")
    if action == "whistle":
        actions.whistle_blow(
            actor=actor,
            appeal=appeal,
            departments=list(data["departments"]),
            reason=data["reason"],
            minutes=data["minutes"],
            place=data["place"],
        )
        return _("已吹哨，等待部门报到。")
    if action == "accept":
        actions.appeal_accept(actor=actor, appeal=appeal, assignment_id=assignment, expected_version=version)
        return _("已接单。")
    if action == "return":
        actions.appeal_return(
            actor=actor, appeal=appeal, reason=data["reason"], assignment_id=assignment, expected_version=version
        )
        return _("已退单。")
    if action == "respond":
        actions.appeal_respond(
            actor=actor, appeal=appeal, comment=data["comment"], assignment_id=assignment, expected_version=version
        )
        return _("已记录联系情况。")
    if action == "complete":
        actions.appeal_complete(
            actor=actor,
            appeal=appeal,
            result=data["result"],
            evidence=_uploads(data.get("evidence")),
            assignment_id=assignment,
            expected_version=version,
        )
        return _("已提交办理结果。")
    if action == "extension":
        actions.extension_request(
            actor=actor,
            appeal=appeal,
            extra_workdays=data["extra_workdays"],
            reason=data["reason"],
            assignment_id=assignment,
        )
        return _("延期申请已提交。")
    if action == "decide_extension":
        extension = queries.access_extension(actor, data["extension"])
        actions.extension_decide(actor=actor, extension=extension, approve=data["approve"], note=data["note"])
        return _("已审批延期申请。")
    if action == "review":
        actions.appeal_review(
            actor=actor, appeal=appeal, decision=data["decision"], comment=data["comment"], expected_version=version
        )
        return _("已完成督办复核。")
    if action == "close":
        actions.appeal_close(actor=actor, appeal=appeal, comment=data["comment"], expected_version=version)
        return _("已结案。")
    if action == "note":
        actions.appeal_note(
            actor=actor,
            appeal=appeal,
            comment=data["comment"],
            public=data["public"],
            attachments=_uploads(data.get("attachments")),
        )
        return _("已添加备注。")
    if action == "rate":
        actions.appeal_rate(
            actor=actor,
            appeal=appeal,
            resolved=data["resolved"],
            satisfaction=data["satisfaction"],
            comment=data["comment"],
        )
        return _("感谢您的评价！")
    raise InvalidInput(fields={"action": _("未知的操作。")})


@require_POST
@staff_view
def reveal_contact(request: HttpRequest, number: str) -> HttpResponse:
    """HTMX fragment: the reporter's full contact (audited)."""
    appeal = queries.access_appeal(request.user, number)
    contact = actions.appeal_reveal_contact(actor=request.user, appeal=appeal)
    return render(request, "appeals/_contact.html", {"contact": contact, "appeal": appeal})


# --- whistles (the department's check-ins) --------------------------------------------------------


@staff_view
def whistles(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "appeals.checkin")
    return render(
        request,
        "appeals/whistles.html",
        {
            "pending": queries.my_summonses(request.user, pending_only=True),
            "recent": queries.my_summonses(request.user, pending_only=False, limit=30),
        },
    )


@require_POST
@staff_view
def check_in(request: HttpRequest) -> HttpResponse:
    form = f.CheckInForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(fields={k: v for k, v in form.errors.items()})
    summons = queries.access_summons(request.user, form.cleaned_data["summons"])
    summons = actions.whistle_check_in(actor=request.user, summons=summons, note=form.cleaned_data["note"])
    if summons.status == "late":
        messages.warning(request, _("已报到（超过时限，记为迟到）。"))
    else:
        messages.success(request, _("已按时报到。"))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/appeals/") else "appeals:whistles")


@require_POST
@staff_view
def whistle_close(request: HttpRequest, whistle_id: int) -> HttpResponse:
    """收哨: the whistling street or community closes a whistle from the appeal page."""
    whistle = queries.access_whistle(request.user, whistle_id)
    appeal = queries.access_appeal(request.user, whistle.appeal.number)
    access.check(request.user, "appeals.whistle_rate_department", whistle.unit)
    form = f.WhistleCloseForm(request.POST, prefix=f"close-{whistle.pk}")
    if not form.is_valid():
        return render_detail(request, appeal, bound={f"close-{whistle.pk}": form}, status=400)
    try:
        actions.whistle_close(actor=request.user, whistle=whistle, note=form.cleaned_data["note"])
    except DomainError as exc:
        apply_form_errors(form, exc)
        return render_detail(request, appeal, bound={f"close-{whistle.pk}": form}, status=exc.status)
    messages.success(request, _("已收哨，请双方互评。"))
    return redirect("appeals:detail", appeal.number)


@require_POST
@staff_view
def whistle_rate(request: HttpRequest, summons_id: int) -> HttpResponse:
    """吹哨互评 from the appeal page: the whistling unit rates a department, or a department rates the unit."""
    summons = queries.access_summons(request.user, summons_id)
    appeal = queries.access_appeal(request.user, summons.whistle.appeal.number)
    sides = [side for side in WhistleRatingSide.values if f"rate-{summons.pk}-{side}-side" in request.POST]
    if len(sides) != 1:
        raise InvalidInput(fields={"side": _("评价方应为吹哨单位（unit）或报到部门（department）。")})
    side = sides[0]
    key = f"rate-{summons.pk}-{side}"
    form = f.WhistleRateForm(request.POST, prefix=key)
    if not form.is_valid() or form.cleaned_data["side"] != side:
        return render_detail(request, appeal, bound={key: form}, status=400)
    try:
        actions.whistle_rate(
            actor=request.user,
            summons=summons,
            side=side,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        apply_form_errors(form, exc)
        return render_detail(request, appeal, bound={key: form}, status=exc.status)
    messages.success(request, _("评价已提交。"))
    return redirect("appeals:detail", appeal.number)


@staff_view
def desk_panel(request: HttpRequest, key: str) -> HttpResponse:
    """A desk panel's content, loaded by htmx after the desk (see hooks.LAZY_PANELS)."""
    from gongzhi.appeals.hooks import LAZY_PANELS
    from gongzhi.lib.errors import NotFound

    access.check_any(request.user, "appeals.note")
    if key not in LAZY_PANELS:
        raise NotFound()
    template, context = LAZY_PANELS[key]
    return render(request, template, {"ctx": context(request)})


@staff_view
def assignments(request: HttpRequest) -> HttpResponse:
    """The department handler's list: assignments waiting and in progress."""
    access.check_any(request.user, "appeals.handle")
    page = queries.my_assignments(request.user, after=request.GET.get("cursor") or None, limit=50)
    return render(request, "appeals/assignments.html", {"page": page, "status_open": Status.ACCEPTED})
