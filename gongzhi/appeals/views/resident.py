"""Resident pages (mobile-first): submit, the receipt, track by number, my appeals, rate, the public page."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.appeals import actions, queries, throttle
from gongzhi.appeals.forms import RateForm, SubmitForm, TrackForm, attribute_form, attribute_values
from gongzhi.appeals.models import Appeal, Category, Channel
from gongzhi.appeals.schemas import public_text
from gongzhi.lib import crypto
from gongzhi.lib.errors import DomainError, NotFound
from gongzhi.units.models import Unit, UnitKind
from gongzhi.web.errors import apply_form_errors, html_errors, staff_view
from gongzhi.web.middleware import client_ip

TRACKED = "appeals_tracked"
SUBMITTED = "appeals_submitted"
PICKABLE = (UnitKind.STREET, UnitKind.TOWNSHIP, UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.GRID)


def pickable_units() -> Any:
    """Units a resident may choose (public names: streets, communities, villages and grids)."""
    return Unit.objects.active().filter(kind__in=PICKABLE).order_by("path")


def _uploads(files: list[Any]) -> list[actions.Upload]:
    return [actions.Upload.from_django(f) for f in files or []]


def _category_of(form: SubmitForm) -> Category | None:
    raw = form.data.get("category") if form.is_bound else None
    try:
        return Category.objects.filter(pk=int(raw)).first() if raw else None
    except (TypeError, ValueError):
        return None


def _default_unit(request: HttpRequest) -> Unit | None:
    resident = getattr(request.user, "resident", None) if request.user.is_authenticated else None
    if resident is None:
        return None
    return resident.household.unit if resident.household_id else resident.unit


@html_errors
def submit(request: HttpRequest) -> HttpResponse:
    """Submit an appeal: signed in, or with a mobile number to be called back and to track it."""
    anonymous = not request.user.is_authenticated
    initial = {"idempotency_key": uuid.uuid4().hex}
    default_unit = _default_unit(request)
    if default_unit is not None:
        initial["unit"] = default_unit.pk
    if request.GET.get("category"):
        found = Category.objects.filter(code=request.GET["category"].upper(), is_active=True).first()
        if found is not None:
            initial["category"] = found.pk
    form = SubmitForm(
        request.POST or None, request.FILES or None, units=pickable_units(), anonymous=anonymous, initial=initial
    )
    category = _category_of(form)
    extra = attribute_form(queries.attributes_of(category) if category else [], request.POST or None)
    if request.method == "POST":
        form_ok = form.is_valid()
        extra_ok = extra.is_valid()
        if form_ok and extra_ok:
            data = form.cleaned_data
            contact = None
            if anonymous:
                contact = {"name": data.get("contact_name", ""), "mobile": data.get("contact_mobile", "")}
            try:
                appeal = actions.appeal_submit(
                    actor=request.user if not anonymous else None,
                    channel=Channel.WEB,
                    category=Category.objects.filter(pk=data["category"]).first(),
                    description=data["description"],
                    unit=data["unit"],
                    kind=data["kind"],
                    address=data["address"],
                    latitude=data.get("latitude"),
                    longitude=data.get("longitude"),
                    is_public=data["is_public"],
                    attributes=attribute_values(extra),
                    contact=contact,
                    idempotency_key=data.get("idempotency_key") or None,
                    attachments=_uploads(data.get("attachments")),
                )
            except DomainError as exc:
                apply_form_errors(form, exc)
                for name, problems in exc.fields.items():
                    if name.startswith("attributes."):
                        for problem in problems:
                            extra.add_error(
                                name.split(".", 1)[1] if name.split(".", 1)[1] in extra.fields else None, problem
                            )
            else:
                request.session.setdefault(SUBMITTED, [])
                request.session[SUBMITTED] = [*request.session[SUBMITTED][-19:], appeal.number]
                if anonymous and contact:
                    _remember(request, appeal.number, contact["mobile"])
                return redirect("appeals:submitted", appeal.number)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "appeals/submit.html", {"form": form, "extra": extra, "anonymous": anonymous}, status=status
    )


@html_errors
def attribute_fields(request: HttpRequest) -> HttpResponse:
    """HTMX fragment: the extra fields of the chosen category."""
    try:
        category = Category.objects.filter(pk=int(request.GET.get("category", "0")), is_active=True).first()
    except ValueError:
        category = None
    form = attribute_form(queries.attributes_of(category) if category else [])
    return render(request, "appeals/_attributes.html", {"extra": form, "category": category})


@html_errors
def submitted(request: HttpRequest, number: str) -> HttpResponse:
    """The receipt: the number to keep, and how to follow the appeal."""
    if number not in request.session.get(SUBMITTED, []):
        raise NotFound()
    appeal = Appeal.objects.select_related("category", "department").get(number=number)
    return render(request, "appeals/submitted.html", {"appeal": appeal})


def _remember(request: HttpRequest, number: str, mobile: str) -> None:
    tracked = dict(request.session.get(TRACKED, {}))
    tracked[number] = crypto.encrypt(mobile)
    request.session[TRACKED] = dict(list(tracked.items())[-20:])


def _tracked_mobile(request: HttpRequest, number: str) -> str | None:
    token = request.session.get(TRACKED, {}).get(number)
    return crypto.decrypt(token) if token else None


@html_errors
def track(request: HttpRequest) -> HttpResponse:
    """Follow an appeal with its number and the mobile given when submitting (no sign-in needed)."""
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    if request.method == "POST" and form.is_valid():
        number, mobile = form.cleaned_data["number"].strip(), form.cleaned_data["mobile"]
        try:
            throttle.tracked(client_ip(request), number, mobile)
        except NotFound as exc:
            # A wrong number or mobile is an input mistake on this form, not a missing page.
            form.add_error(None, str(exc.message))
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            _remember(request, number, mobile)
            return redirect("appeals:tracked", number)
    return render(request, "appeals/track.html", {"form": form}, status=400 if form.errors else 200)


@html_errors
def tracked(request: HttpRequest, number: str) -> HttpResponse:
    """The tracking page: status, the public timeline, and the rating form when it is the resident's turn."""
    mobile = _tracked_mobile(request, number)
    if mobile is None:
        return redirect(f"{_url('appeals:track')}?number={number}")
    appeal = queries.track(number, mobile)
    rate_form = RateForm(request.POST or None)
    if request.method == "POST" and rate_form.is_valid():
        try:
            actions.appeal_rate(actor=None, appeal=appeal, verified_mobile=mobile, **rate_form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(rate_form, exc)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("appeals:tracked", number)
    return render(
        request,
        "appeals/tracked.html",
        _reporter_context(
            appeal, rate_form, can_rate="rate" in queries.allowed_actions(None, appeal, verified_mobile=mobile)
        ),
        status=400 if rate_form.errors else 200,
    )


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def _reporter_context(appeal: Appeal, rate_form: RateForm, *, can_rate: bool) -> dict[str, Any]:
    return {
        "appeal": appeal,
        "timeline": queries.timeline(appeal, internal=False),
        "rate_form": rate_form,
        "can_rate": can_rate,
        "steps": progress_steps(appeal),
        "ratings": list(appeal.ratings.order_by("round")),
    }


def progress_steps(appeal: Appeal) -> list[dict[str, Any]]:
    """Return the resident's view of the progress: five steps, the reached ones marked."""
    order = ["submitted", "dispatched", "responded", "resolved", "closed"]
    reached = {
        "submitted": True,
        "dispatched": appeal.first_dispatched_at is not None,
        "responded": appeal.responded_at is not None,
        "resolved": appeal.resolved_at is not None or appeal.status in ("rated", "closed"),
        "closed": appeal.status == "closed",
    }
    labels = {
        "submitted": _("已提交"),
        "dispatched": _("已派单"),
        "responded": _("已联系"),
        "resolved": _("已办结"),
        "closed": _("已结案"),
    }
    return [{"key": key, "label": labels[key], "done": reached[key]} for key in order]


@staff_view
def mine(request: HttpRequest) -> HttpResponse:
    page = queries.my_appeals(request.user, after=request.GET.get("cursor") or None, limit=20)
    return render(request, "appeals/mine.html", {"page": page})


@require_POST
@staff_view
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """The signed-in reporter rates their appeal."""
    appeal = queries.access_appeal(request.user, number)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            actions.appeal_rate(actor=request.user, appeal=appeal, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("appeals:detail", number)
    from gongzhi.appeals.views.staff import render_detail

    return render_detail(request, appeal, bound={"rate": form}, status=400)


@require_POST
@staff_view
def set_public(request: HttpRequest, number: str) -> HttpResponse:
    appeal = queries.access_appeal(request.user, number)
    actions.appeal_set_public(actor=request.user, appeal=appeal, is_public=request.POST.get("is_public") == "1")
    messages.success(request, _("公开设置已保存。"))
    return redirect("appeals:detail", number)


@html_errors
def public_list(request: HttpRequest) -> HttpResponse:
    page = queries.public_appeals(after=request.GET.get("cursor") or None, limit=20)
    queries.remember_public_places(list(page.items))
    rows = [
        {
            "appeal": a,
            "unit_name": queries.public_unit_name(a),
            "summary": public_text(a.summary),
        }
        for a in page.items
    ]
    return render(request, "appeals/public_list.html", {"page": page, "rows": rows})


@html_errors
def public_detail(request: HttpRequest, number: str) -> HttpResponse:
    appeal = queries.public_appeal(number)
    events = queries.timeline(appeal, internal=False)
    return render(
        request,
        "appeals/public_detail.html",
        {
            "appeal": appeal,
            "unit_name": queries.public_unit_name(appeal),
            "description": public_text(appeal.description),
            "result": public_text(appeal.result),
            "timeline": [{"event": e, "comment": public_text(e.comment)} for e in events],
            "steps": progress_steps(appeal),
        },
    )


@html_errors
def attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """Serve an attachment to someone who may see the appeal (staff, the reporter, or a verified tracker)."""
    if request.user.is_authenticated:
        try:
            appeal = queries.access_appeal(request.user, number)
            internal = queries.is_staff_viewer(request.user, appeal)
        except NotFound:
            appeal, internal = _tracked_appeal(request, number), False
    else:
        appeal, internal = _tracked_appeal(request, number), False
    found = queries.access_attachment(request.user, appeal, attachment_id, internal=internal)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Disposition"] = "inline" if found.content_type.startswith("image/") else "attachment"
    response["Cache-Control"] = "private, max-age=600"
    return response


def _tracked_appeal(request: HttpRequest, number: str) -> Appeal:
    mobile = _tracked_mobile(request, number)
    if mobile is None:
        raise NotFound()
    return queries.track(number, mobile)
