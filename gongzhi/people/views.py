"""Pages for the resident register, households, users and grants."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.audit.queries import history_of
from gongzhi.lib.errors import DomainError, InvalidInput
from gongzhi.lib.excel import xlsx_response
from gongzhi.people import actions, queries
from gongzhi.people.forms import GrantForm, HouseholdForm, ResidentFilterForm, ResidentForm, UserCreateForm
from gongzhi.people.models import User
from gongzhi.units.forms import unit_choices
from gongzhi.units.queries import departments_visible, units_visible
from gongzhi.web.errors import apply_form_errors, staff_view

EXPORT_LIMIT = 50000
# Rows fetched (and tags prefetched) per query: one IN list of 50,000 ids exceeds SQLite's variable limit.
EXPORT_CHUNK = 2000


def _filters(request: HttpRequest) -> tuple[ResidentFilterForm, dict[str, Any]]:
    form = ResidentFilterForm(request.GET or None, units=unit_choices(units_visible(request.user, "residents.view")))
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {k: v for k, v in data.items() if v not in (None, "", False)}
    elif form.is_bound:
        raise InvalidInput(fields={k: v for k, v in form.errors.items()})
    return form, filters


@staff_view
def resident_list(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "residents.view")
    form, filters = _filters(request)
    page = queries.resident_page(request.user, after=request.GET.get("cursor") or None, limit=50, **filters)
    return render(
        request,
        "people/resident_list.html",
        {
            "form": form,
            "page": page,
            "can_create": access.has_any(request.user, "residents.manage"),
            "can_export": access.has_any(request.user, "residents.export"),
        },
    )


@staff_view
def resident_export(request: HttpRequest) -> HttpResponse:
    """Excel export of the filtered register, numbers masked."""
    access.check_any(request.user, "residents.export")
    _form, filters = _filters(request)
    qs = queries.resident_filter(request.user, **filters)
    qs = (
        access.scope(request.user, "residents.export", qs).select_related("unit", "household").prefetch_related("tags")
    )
    rows = (
        [
            r.name,
            r.get_gender_display(),
            r.birth_date,
            r.identity_masked,
            r.mobile_masked,
            r.unit.name,
            r.household.number if r.household else "",
            r.get_relation_display(),
            r.address,
            "、".join(t.get_tag_display() for t in r.tags.all()),
            r.moved_out_on or "",
        ]
        for r in qs.order_by("id")[:EXPORT_LIMIT].iterator(chunk_size=EXPORT_CHUNK)
    )
    headers = [
        _("姓名"),
        _("性别"),
        _("出生日期"),
        _("身份证号码"),
        _("手机号码"),
        _("所在单位"),
        _("户号"),
        _("与户主关系"),
        _("住址"),
        _("标签"),
        _("迁出日期"),
    ]
    actions.resident_export_record(actor=request.user, filters=filters)
    return xlsx_response("residents", _("居民名册"), headers, rows)


@staff_view
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = queries.access_resident(request.user, resident_id)
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "can_manage": access.can(request.user, "residents.manage", resident),
            "can_unmask": access.can(request.user, "residents.unmask", resident),
            "history": history_of(request.user, resident)[:50],
        },
    )


@require_POST
@staff_view
def resident_reveal(request: HttpRequest, resident_id: int) -> HttpResponse:
    """HTMX: show one full number in place of the masked one (audited)."""
    resident = queries.access_resident(request.user, resident_id)
    field = request.POST.get("field", "")
    value = actions.resident_reveal(actor=request.user, resident=resident, field=field)
    return render(request, "people/_revealed.html", {"value": value, "field": field})


def _resident_form(request: HttpRequest, initial: dict[str, Any] | None = None) -> ResidentForm:
    return ResidentForm(
        request.POST or None,
        initial=initial,
        units=unit_choices(units_visible(request.user, "residents.manage")),
        households=queries.households_visible(request.user, "residents.manage").order_by("number"),
    )


@staff_view
def resident_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "residents.manage")
    initial = {"household": request.GET.get("household"), "unit": request.GET.get("unit")}
    form = _resident_form(request, initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit")
        try:
            resident = actions.resident_create(actor=request.user, unit=unit, data=data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已登记居民“%(name)s”。") % {"name": resident.name})
            return redirect("people:resident_detail", resident.pk)
    return render(
        request, "people/form.html", {"form": form, "title": _("登记居民")}, status=400 if form.errors else 200
    )


@staff_view
def resident_edit(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = queries.access_resident(request.user, resident_id)
    access.check(request.user, "residents.manage", resident)
    initial = {
        "name": resident.name,
        "gender": resident.gender,
        "birth_date": resident.birth_date,
        "unit": resident.unit,
        "address": resident.address,
        "household": resident.household,
        "relation": resident.relation,
        "tags": resident.tag_list,
        "notes": resident.notes,
    }
    form = _resident_form(request, initial)
    form.fields["identity_number"].help_text = _("留空表示不修改；当前：%(masked)s") % {
        "masked": resident.identity_masked or "—"
    }
    form.fields["mobile"].help_text = _("留空表示不修改；当前：%(masked)s") % {"masked": resident.mobile_masked or "—"}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for secret in ("identity_number", "mobile"):
            if not data.get(secret):
                data.pop(secret, None)
        try:
            actions.resident_update(actor=request.user, resident=resident, data=data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:resident_detail", resident.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("修改居民信息"), "resident": resident},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_view
def resident_move_out(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = queries.access_resident(request.user, resident_id)
    actions.resident_move_out(actor=request.user, resident=resident)
    messages.success(request, _("已登记迁出。"))
    return redirect("people:resident_detail", resident.pk)


@staff_view
def household_list(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "residents.view")
    page = queries.household_page(
        request.user, text=request.GET.get("q", ""), after=request.GET.get("cursor") or None, limit=50
    )
    return render(
        request,
        "people/household_list.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "can_create": access.has_any(request.user, "residents.manage"),
        },
    )


@staff_view
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = queries.access_household(request.user, household_id)
    members = queries.household_members(request.user, household).prefetch_related("tags")
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "members": members,
            "can_manage": access.can(request.user, "residents.manage", household),
        },
    )


@staff_view
def household_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "residents.manage")
    form = HouseholdForm(request.POST or None, units=unit_choices(units_visible(request.user, "residents.manage")))
    if request.method == "POST" and form.is_valid():
        try:
            household = actions.household_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已建立户“%(n)s”。") % {"n": household.number})
            return redirect("people:household_detail", household.pk)
    return render(
        request, "people/form.html", {"form": form, "title": _("新建户")}, status=400 if form.errors else 200
    )


@staff_view
def user_list(request: HttpRequest) -> HttpResponse:
    """Accounts and role grants in the actor's reach; create accounts and grant roles."""
    access.check_any(request.user, "grants.view")
    text = request.GET.get("q", "")
    grants = queries.grants_visible(request.user).active()
    if text:
        grants = grants.filter(user__username__icontains=text) | grants.filter(user__display_name__icontains=text)
    can_manage = access.has_any(request.user, "grants.manage")
    grant_form = GrantForm(
        units=unit_choices(units_visible(request.user, "grants.manage")),
        departments=departments_visible(request.user, "departments.view").order_by("name"),
    )
    return render(
        request,
        "people/user_list.html",
        {
            "grants": grants.order_by("anchor_path", "role", "user__username")[:300],
            "q": text,
            "can_manage": can_manage,
            "grant_form": grant_form,
            "user_form": UserCreateForm(),
        },
    )


@require_POST
@staff_view
def user_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "users.manage")
    form = UserCreateForm(request.POST)
    if form.is_valid():
        try:
            user = actions.user_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已创建账号“%(u)s”，请继续为其授予角色。") % {"u": user.username})
            return redirect("people:users")
    return render(request, "people/form.html", {"form": form, "title": _("新建账号")}, status=400)


@require_POST
@staff_view
def grant_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "grants.manage")
    form = GrantForm(
        request.POST,
        units=unit_choices(units_visible(request.user, "grants.manage")),
        departments=departments_visible(request.user, "departments.view"),
    )
    if form.is_valid():
        data = form.cleaned_data
        user = User.objects.filter(username__iexact=data["user"].strip(), is_active=True).first()
        if user is None:
            form.add_error("user", _("找不到该用户名。"))
        else:
            try:
                actions.grant_create(
                    actor=request.user,
                    user=user,
                    role=data["role"],
                    unit=data["unit"],
                    department=data["department"],
                    valid_to=data["valid_to"],
                )
            except DomainError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已授予角色。"))
                return redirect("people:users")
    return render(request, "people/form.html", {"form": form, "title": _("授予角色")}, status=400)


@require_POST
@staff_view
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = queries.access_grant(request.user, grant_id)
    actions.grant_revoke(actor=request.user, grant=grant)
    messages.success(request, _("已撤销授权。"))
    return redirect("people:users")
