"""Pages for the units tree, departments and organizations."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.lib.errors import DomainError
from gongzhi.units import actions, queries
from gongzhi.units.forms import (
    DepartmentForm,
    OrganizationForm,
    UnitCloseForm,
    UnitCreateForm,
    UnitEditForm,
    UnitMoveForm,
    unit_choices,
)
from gongzhi.units.models import DepartmentKind, Organization, OrganizationKind
from gongzhi.web.errors import apply_form_errors, staff_view


@staff_view
def tree(request: HttpRequest) -> HttpResponse:
    """The top units of the user's reach, each expandable."""
    access.check_any(request.user, "units.view")
    text = request.GET.get("q", "").strip()
    results = queries.unit_search(request.user, text, limit=100) if text else None
    return render(
        request, "units/tree.html", {"roots": queries.unit_roots(request.user), "q": text, "results": results}
    )


@staff_view
def children(request: HttpRequest, unit_id: int) -> HttpResponse:
    """HTMX fragment: the children of a unit."""
    unit = queries.access_unit(request.user, unit_id)
    kids = queries.unit_children(request.user, unit, include_closed=request.GET.get("closed") == "1")
    return render(request, "units/_children.html", {"unit": unit, "children": kids})


@staff_view
def detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = queries.access_unit(request.user, unit_id)
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "breadcrumbs": queries.unit_breadcrumbs(unit)[:-1],
            "children": queries.unit_children(request.user, unit, include_closed=True),
            "departments": queries.department_list(request.user, unit=unit, active=None).filter(unit=unit),
            "organizations": queries.organization_list(request.user, unit=unit).filter(unit=unit)[:50],
            "history": unit.changes.select_related("actor", "old_parent", "new_parent")[:30],
            "can_manage": access.can(request.user, "units.manage", unit),
        },
    )


@staff_view
def create(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Create a unit under the given parent."""
    parent = queries.access_unit(request.user, unit_id)
    access.check(request.user, "units.manage", parent)
    form = UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.unit_create(actor=request.user, parent=parent, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已创建单位“%(name)s”。") % {"name": unit.name})
            return redirect("units:detail", unit.pk)
    return render(
        request,
        "units/form.html",
        {"form": form, "parent": parent, "title": _("新建下级单位")},
        status=400 if form.errors else 200,
    )


@staff_view
def edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = queries.access_unit(request.user, unit_id)
    access.check(request.user, "units.manage", unit)
    form = UnitEditForm(
        request.POST or None, initial={"name": unit.name, "address": unit.address, "phone": unit.phone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("units:detail", unit.pk)
    return render(
        request,
        "units/form.html",
        {"form": form, "unit": unit, "title": _("修改单位")},
        status=400 if form.errors else 200,
    )


@staff_view
def move(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = queries.access_unit(request.user, unit_id)
    access.check(request.user, "units.manage", unit)
    parents = unit_choices(queries.units_visible(request.user, "units.manage")).exclude(path__startswith=unit.path)
    form = UnitMoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            actions.unit_move(
                actor=request.user,
                unit=unit,
                new_parent=form.cleaned_data["new_parent"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已调整隶属关系。"))
            return redirect("units:detail", unit.pk)
    return render(
        request,
        "units/form.html",
        {"form": form, "unit": unit, "title": _("调整隶属关系")},
        status=400 if form.errors else 200,
    )


@staff_view
def close(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = queries.access_unit(request.user, unit_id)
    access.check(request.user, "units.manage", unit)
    form = UnitCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.unit_close(
                actor=request.user, unit=unit, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("单位已撤销。"))
            return redirect("units:detail", unit.pk)
    return render(
        request,
        "units/form.html",
        {"form": form, "unit": unit, "title": _("撤销单位"), "danger": True},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_view
def reopen(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = queries.access_unit(request.user, unit_id)
    actions.unit_reopen(actor=request.user, unit=unit)
    messages.success(request, _("单位已恢复。"))
    return redirect("units:detail", unit.pk)


# --- departments -----------------------------------------------------------------------------------


@staff_view
def department_list(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "departments.view")
    kind = request.GET.get("kind", "")
    text = request.GET.get("q", "")
    departments = queries.department_list(request.user, kind=kind or None, text=text, active=None)[:500]
    return render(
        request,
        "units/department_list.html",
        {
            "departments": departments,
            "kinds": DepartmentKind.choices,
            "kind": kind,
            "q": text,
            "can_create": access.has_any(request.user, "departments.manage"),
        },
    )


@staff_view
def department_detail(request: HttpRequest, department_id: int) -> HttpResponse:
    department = queries.access_department(request.user, department_id)
    return render(
        request,
        "units/department_detail.html",
        {
            "department": department,
            "can_manage": access.can(request.user, "departments.manage", department.unit),
        },
    )


@staff_view
def department_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "departments.manage")
    units = unit_choices(queries.units_visible(request.user, "departments.manage"))
    form = DepartmentForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            department = actions.department_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已创建部门“%(name)s”。") % {"name": department.name})
            return redirect("units:department_detail", department.pk)
    return render(
        request, "units/form.html", {"form": form, "title": _("新建部门")}, status=400 if form.errors else 200
    )


@staff_view
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    department = queries.access_department(request.user, department_id)
    access.check(request.user, "departments.manage", department.unit)
    units = unit_choices(queries.units_visible(request.user, "departments.manage"))
    initial = {f: getattr(department, f) for f in ("name", "short_name", "kind", "phone", "is_active")}
    initial["jurisdiction"] = department.jurisdiction
    form = DepartmentForm(request.POST or None, units=units, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.department_update(actor=request.user, department=department, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("units:department_detail", department.pk)
    return render(
        request, "units/form.html", {"form": form, "title": _("修改部门")}, status=400 if form.errors else 200
    )


# --- organizations ---------------------------------------------------------------------------------


@staff_view
def organization_list(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "organizations.view")
    kind = request.GET.get("kind", "")
    text = request.GET.get("q", "")
    party = request.GET.get("party") == "1"
    organizations = queries.organization_list(request.user, kind=kind or None, text=text, party_only=party)[:500]
    return render(
        request,
        "units/organization_list.html",
        {
            "organizations": organizations,
            "kinds": OrganizationKind.choices,
            "kind": kind,
            "q": text,
            "party": party,
            "can_create": access.has_any(request.user, "organizations.manage"),
        },
    )


@staff_view
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = queries.access_organization(request.user, organization_id)
    children = queries.organizations_visible(request.user).filter(
        path__startswith=organization.path, depth=organization.depth + 1
    )
    return render(
        request,
        "units/organization_detail.html",
        {
            "organization": organization,
            "ancestors": Organization.objects.get_ancestors(organization),
            "children": children,
            "can_manage": access.can(request.user, "organizations.manage", organization),
        },
    )


@staff_view
def organization_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "organizations.manage")
    units = unit_choices(queries.units_visible(request.user, "organizations.manage"))
    parents = queries.organizations_visible(request.user).order_by("path")
    form = OrganizationForm(
        request.POST or None, units=units, parents=parents, initial={"parent": request.GET.get("parent")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization = actions.organization_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已创建组织“%(name)s”。") % {"name": organization.name})
            return redirect("units:organization_detail", organization.pk)
    return render(
        request, "units/form.html", {"form": form, "title": _("新建组织")}, status=400 if form.errors else 200
    )


@staff_view
def organization_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = queries.access_organization(request.user, organization_id)
    access.check(request.user, "organizations.manage", organization)
    initial = {
        f: getattr(organization, f)
        for f in ("name", "credit_code", "contact_name", "contact_phone", "description", "is_active")
    }
    form = OrganizationForm(
        request.POST or None,
        units=queries.units_visible(request.user),
        parents=queries.organizations_visible(request.user),
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.organization_update(actor=request.user, organization=organization, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("units:organization_detail", organization.pk)
    return render(
        request, "units/form.html", {"form": form, "title": _("修改组织")}, status=400 if form.errors else 200
    )
