"""Body pages: the list, a body's rules, members, demands and screening queue; creating and editing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.deliberation import actions, queries, rules
from gongzhi.deliberation.forms import BodyForm, MemberForm
from gongzhi.deliberation.models import Body, BodyLevel
from gongzhi.deliberation.views.common import act, posted, status_of
from gongzhi.deliberation.workflow import DemandStatus
from gongzhi.lib.errors import DomainError
from gongzhi.people.queries import users_visible
from gongzhi.units import queries as unit_queries
from gongzhi.units.forms import unit_choices
from gongzhi.web.errors import apply_form_errors, staff_view


@staff_view
def body_list(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "deliberation.view")
    level = request.GET.get("level", "")
    bodies = queries.body_list(
        request.user, level=level if level in BodyLevel.values else "", text=request.GET.get("q", "")
    )
    return render(
        request,
        "deliberation/body_list.html",
        {
            "bodies": bodies[:500],
            "levels": BodyLevel.choices,
            "level": level,
            "q": request.GET.get("q", ""),
            "can_create": access.has_any(request.user, "deliberation.manage_bodies"),
            "my_bodies": queries.bodies_of_member(request.user),
        },
    )


def _body_page(request: HttpRequest, body_id: int, *, error: DomainError | None = None) -> HttpResponse:
    body = queries.access_body(request.user, body_id)
    members = list(queries.body_members(body))
    voting = sum(1 for m in members if m.votes)
    can_manage = access.can(request.user, "deliberation.manage_bodies", body)
    seat_holder = any(m.user_id == request.user.pk and m.votes for m in members)
    demands = list(queries.demands_for(body)[:10])
    open_demand = next((d for d in demands if d.status in (DemandStatus.GATHERING, DemandStatus.REACHED)), None)
    member_form = None
    if can_manage:
        member_form = MemberForm(users=users_visible(request.user).order_by("display_name", "username"))
    return render(
        request,
        "deliberation/body_detail.html",
        {
            "body": body,
            "members": members,
            "past_members": queries.body_members(body, include_past=True).filter(term_end__lt=timezone.localdate()),
            "voting": voting,
            "quorum_required": rules.quorum_required(voting, body.quorum),
            "demand_required": rules.demand_required(voting, body.demand_share),
            "meeting_due": actions.meeting_due_date(body),
            "meetings": queries.meeting_list(request.user, body=body)[:10]
            if access.can(request.user, "deliberation.view", body)
            else [],
            "demands": demands,
            "open_demand": open_demand,
            "signed": open_demand is not None and open_demand.signatures.filter(user=request.user).exists(),
            "seat_holder": seat_holder,
            "can_manage": can_manage,
            "can_screen": access.can(request.user, "deliberation.screen", body),
            "can_convene": access.can(request.user, "deliberation.convene", body),
            "member_form": member_form,
            "error": error,
        },
        status=status_of(error),
    )


@staff_view
def body_detail(request: HttpRequest, body_id: int) -> HttpResponse:
    return _body_page(request, body_id)


def _body_form(request: HttpRequest, body: Body | None) -> BodyForm:
    units = unit_choices(unit_queries.units_visible(request.user, "deliberation.manage_bodies"))
    parents = Body.objects.filter(is_active=True).select_related("unit")
    if body is not None:
        parents = queries.parent_body_candidates(body.unit).exclude(pk=body.pk)
        initial = {f: getattr(body, f) for f in BodyForm.base_fields if hasattr(body, f)}
        initial["is_active"] = body.is_active
        return BodyForm(request.POST or None, units=units, parents=parents, editing=True, initial=initial)
    return BodyForm(request.POST or None, units=units, parents=parents)


@staff_view
def body_create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "deliberation.manage_bodies")
    form = _body_form(request, None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            body = actions.body_create(
                actor=request.user, unit=data.pop("unit"), name=data.pop("name"), level=data.pop("level"), **data
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已创建议事机构“%(name)s”。") % {"name": body.name})
            return redirect("deliberation:body", body.pk)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "title": _("新建议事机构"), "back": "deliberation:bodies"},
        status=status_of(None, form),
    )


@staff_view
def body_edit(request: HttpRequest, body_id: int) -> HttpResponse:
    body = queries.access_body(request.user, body_id)
    access.check(request.user, "deliberation.manage_bodies", body)
    form = _body_form(request, body)
    if request.method == "POST" and form.is_valid():
        try:
            actions.body_update(actor=request.user, body=body, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("deliberation:body", body.pk)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "title": _("修改议事规则"), "back_url": f"/deliberation/bodies/{body.pk}/"},
        status=status_of(None, form),
    )


@require_POST
@staff_view
def member_add(request: HttpRequest, body_id: int) -> HttpResponse:
    body = queries.access_body(request.user, body_id)
    access.check(request.user, "deliberation.manage_bodies", body)
    form = MemberForm(request.POST, users=users_visible(request.user))
    if not form.is_valid():
        from gongzhi.lib.errors import InvalidInput

        return _body_page(request, body_id, error=InvalidInput(fields={k: list(v) for k, v in form.errors.items()}))
    return act(
        request,
        lambda: actions.body_member_add(actor=request.user, body=body, **form.cleaned_data),
        success=_("已增加成员。"),
        redirect_to=f"/deliberation/bodies/{body.pk}/",
        on_error=lambda exc: _body_page(request, body_id, error=exc),
    )


@require_POST
@staff_view
def member_end(request: HttpRequest, member_id: int) -> HttpResponse:
    member = queries.access_member(request.user, member_id)
    return act(
        request,
        lambda: actions.body_member_end(actor=request.user, member=member, reason=posted(request, "reason")),
        success=_("该成员任期已结束。"),
        redirect_to=f"/deliberation/bodies/{member.body_id}/",
        on_error=lambda exc: _body_page(request, member.body_id, error=exc),
    )


@require_POST
@staff_view
def demand_open(request: HttpRequest, body_id: int) -> HttpResponse:
    body = queries.access_body(request.user, body_id)
    return act(
        request,
        lambda: actions.demand_open(actor=request.user, body=body, subject=posted(request, "subject")),
        success=_("已提议召开会议。"),
        redirect_to=f"/deliberation/bodies/{body.pk}/",
        on_error=lambda exc: _body_page(request, body_id, error=exc),
    )


@require_POST
@staff_view
def demand_sign(request: HttpRequest, demand_id: int) -> HttpResponse:
    demand = queries.access_demand(request.user, demand_id)
    return act(
        request,
        lambda: actions.demand_sign(actor=request.user, demand=demand),
        success=_("已附议。"),
        redirect_to=f"/deliberation/bodies/{demand.body_id}/",
        on_error=lambda exc: _body_page(request, demand.body_id, error=exc),
    )


@staff_view
def screening_queue(request: HttpRequest, body_id: int) -> HttpResponse:
    body = queries.access_body(request.user, body_id)
    page = queries.screening_queue(request.user, body, after=request.GET.get("cursor"), limit=50)
    return render(request, "deliberation/queue.html", {"body": body, "page": page})
