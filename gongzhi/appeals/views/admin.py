"""Administration pages: hotline import, the taxonomy, routing rules."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.appeals import actions, queries
from gongzhi.appeals import forms as f
from gongzhi.lib.errors import DomainError, NotFound
from gongzhi.lib.excel import MAX_IMPORT_BYTES, xlsx_response
from gongzhi.units.forms import unit_choices
from gongzhi.units.queries import units_visible
from gongzhi.web.errors import apply_form_errors, staff_view

PENDING_IMPORT = "appeals_import"


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "appeals" / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@staff_view
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload a hotline batch and read the validation report (nothing is written yet)."""
    access.check_any(request.user, "appeals.import")
    form = f.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("文件超过20MB。"))
        else:
            data = upload.read()
            report = actions.import_validate(actor=request.user, data=data)
            if report.ok:
                token = uuid.uuid4().hex
                (_import_dir() / f"{token}.xlsx").write_bytes(data)
                request.session[PENDING_IMPORT] = token
    return render(
        request,
        "appeals/import.html",
        {"form": form, "report": report, "columns": _columns()},
        status=400 if (form.errors or (report is not None and not report.ok)) else 200,
    )


def _columns() -> list[str]:
    from gongzhi.appeals.actions.imports import COLUMNS

    return list(COLUMNS)


@require_POST
@staff_view
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: import the validated batch, all rows or none."""
    access.check_any(request.user, "appeals.import")
    token = request.session.pop(PENDING_IMPORT, None)
    path = _import_dir() / f"{token}.xlsx" if token and token.isalnum() else None
    if path is None or not path.exists():
        raise NotFound(_("没有待导入的文件，请重新上传。"))
    try:
        created = actions.appeal_import(actor=request.user, data=path.read_bytes())
    except DomainError as exc:
        messages.error(request, str(exc.message))
        for problems in exc.fields.values():
            for problem in problems[:20]:
                messages.error(request, problem)
        return redirect("appeals:import")
    finally:
        path.unlink(missing_ok=True)
    messages.success(request, _("已导入%(n)s条诉求。") % {"n": len(created)})
    return redirect("appeals:list")


@staff_view
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty workbook with the expected columns and one example row."""
    access.check_any(request.user, "appeals.import")
    example = [
        "12345-20261125-0001",
        "2026-11-25 09:30",
        "王女士",
        "13900001234",
        "求助",
        "UC02",
        "990102001001",
        "光明社区3号楼",
        "垃圾桶满溢未清运。",
        "否",
    ]
    return xlsx_response(_("热线工单导入模板"), _("工单"), _columns(), [example])


# --- the taxonomy ---------------------------------------------------------------------------------


@staff_view
def categories(request: HttpRequest) -> HttpResponse:
    """The taxonomy with deadlines; administrators add, rename and retire categories."""
    can_manage = access.has_any(request.user, "appeals.categories")
    rows = list(queries.categories(active_only=False))
    attributes: dict[int, list[Any]] = {}
    from gongzhi.appeals.models import CategoryAttribute

    for attribute in CategoryAttribute.objects.order_by("category_id", "order"):
        attributes.setdefault(attribute.category_id, []).append(attribute)
    form = f.CategoryForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        access.check_any(request.user, "appeals.categories")
        if form is not None and form.is_valid():
            data = form.action_data()
            try:
                category = actions.category_create(actor=request.user, **data)
            except DomainError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已添加分类 %(code)s。") % {"code": category.code})
                return redirect("appeals:categories")
    return render(
        request,
        "appeals/categories.html",
        {"rows": [(c, attributes.get(c.pk, [])) for c in rows], "form": form, "can_manage": can_manage},
        status=400 if form is not None and form.errors else 200,
    )


@staff_view
def category_edit(request: HttpRequest, code: str) -> HttpResponse:
    access.check_any(request.user, "appeals.categories")
    category = queries.category_by_code(code)
    initial = {
        name: getattr(category, name)
        for name in (
            "name",
            "name_en",
            "deadline_class",
            "response_amount",
            "response_unit",
            "resolution_amount",
            "resolution_unit",
            "is_emergency",
            "keywords",
        )
    }
    form = f.CategoryForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.category_update(actor=request.user, category=category, **form.action_data())
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("appeals:categories")
    return render(
        request,
        "appeals/category_form.html",
        {"form": form, "category": category},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_view
def category_retire(request: HttpRequest, code: str) -> HttpResponse:
    category = queries.category_by_code(code)
    retire = request.POST.get("retire", "1") == "1"
    actions.category_retire(actor=request.user, category=category, retire=retire)
    messages.success(
        request, _("已停用 %(code)s。") % {"code": code} if retire else _("已恢复 %(code)s。") % {"code": code}
    )
    return redirect("appeals:categories")


# --- routing rules --------------------------------------------------------------------------------


@staff_view
def rules(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "appeals.rules.view")
    can_manage = access.has_any(request.user, "appeals.rules.manage")
    form = None
    if can_manage:
        from gongzhi.appeals.views.staff import bulk_departments

        units = unit_choices(units_visible(request.user, "appeals.rules.manage"))
        departments = bulk_departments(request.user) if access.has_any(request.user, "appeals.dispatch") else None
        if departments is None or not departments.exists():
            from gongzhi.units.models import Department

            departments = Department.objects.filter(is_active=True).order_by("unit__path", "name")
        form = f.RuleForm(request.POST or None, units=units, departments=departments)
    if request.method == "POST":
        if form is None:
            access.check_any(request.user, "appeals.rules.manage")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                actions.rule_create(
                    actor=request.user,
                    category=queries.category_by_code(data["category"], active_only=True),
                    unit=data["unit"],
                    department=data["department"],
                    priority=data["priority"],
                    note=data["note"],
                )
            except DomainError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已添加派单规则。"))
                return redirect("appeals:rules")
    return render(
        request,
        "appeals/rules.html",
        {"rules": queries.rules_visible(request.user)[:500], "form": form, "can_manage": can_manage},
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@staff_view
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = queries.access_rule(request.user, rule_id)
    if request.POST.get("delete") == "1":
        actions.rule_delete(actor=request.user, rule=rule)
        messages.success(request, _("已删除派单规则。"))
    else:
        actions.rule_update(actor=request.user, rule=rule, is_active=not rule.is_active)
        messages.success(request, _("已保存。"))
    return redirect("appeals:rules")
