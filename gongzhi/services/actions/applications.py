"""Applications (办件): intake online or at any point, routing, the workflow, 代办 custody, 陪办, visits, ratings."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from typing import Any, NamedTuple

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.lib import crypto, workdays
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput
from gongzhi.lib.validators import mobile_error, normalize_mobile
from gongzhi.notify.service import send
from gongzhi.people.models import Resident, User
from gongzhi.people.roles import Role
from gongzhi.services import queries
from gongzhi.services.actions.common import acting_roles, next_number, staff_of
from gongzhi.services.models import (
    LEVEL_KINDS,
    RESIDENT_PARTY,
    Application,
    ApplicationEvent,
    Appointment,
    AppointmentStatus,
    AuthorizationKind,
    Channel,
    CustodyEntry,
    Mode,
    ProxyAuthorization,
    Rating,
    Satisfaction,
    ServiceItem,
    ServicePoint,
    Visit,
    VisitPurpose,
)
from gongzhi.services.workflow import DESK, ApplicationStatus, transition
from gongzhi.units.models import Department, Unit

S = ApplicationStatus
MAX_AUTHORIZATION_BYTES = 2 * 1024 * 1024
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"%PDF-": ("application/pdf", "pdf"),
}


# --- checks --------------------------------------------------------------------------------------


def route(item: ServiceItem, unit: Unit) -> tuple[Unit, Department | None]:
    """Return where an item applied for in `unit` is finished: the unit at its level, checked in the register."""
    target = unit.ancestor_of_kind(*LEVEL_KINDS[item.finish_level])
    if target is None:
        raise InvalidInput(
            _("“%(item)s”在%(unit)s没有可办结的单位。") % {"item": item.name, "unit": unit.name},
            fields={"item_id": _("该事项不能在此单位办理。")},
        )
    department = item.finish_department
    if item.matter_code:
        answer = queries.duty_holder(target, item.matter_code)
        if not answer.holds:
            where = answer.holder_name or _("主管部门")
            message = _("%(unit)s的职责清单中没有“%(item)s”，请到%(holder)s办理。") % {
                "unit": target.name,
                "item": item.name,
                "holder": where,
            }
            raise InvalidInput(message, code="outside_duties", fields={"item_id": message})
        if answer.duty and answer.duty.department_id:
            department = answer.duty.department
    return target, department


def _check_offered(item: ServiceItem, unit: Unit, point: ServicePoint | None) -> None:
    if not item.is_active or not unit.path.startswith(item.owner_unit.path):
        message = _("“%(item)s”不在%(unit)s的服务目录中。") % {"item": item.name, "unit": unit.name}
        raise InvalidInput(message, code="not_offered", fields={"item_id": message})
    if point is not None:
        if not point.is_active or not point.items.filter(pk=item.pk).exists():
            message = _("%(point)s不办理“%(item)s”。") % {"point": point.name, "item": item.name}
            raise InvalidInput(message, code="not_offered", fields={"item_id": message})


def _check_mode(item: ServiceItem, channel: str, mode: str) -> None:
    if mode not in Mode.values:
        raise InvalidInput(fields={"mode": _("未知的办理方式。")})
    if mode not in item.modes:
        message = _("“%(item)s”不提供“%(mode)s”方式，可选：%(modes)s。") % {
            "item": item.name,
            "mode": Mode(mode).label,
            "modes": "、".join(item.mode_labels()),
        }
        raise InvalidInput(message, code="mode_not_offered", fields={"mode": message})
    if channel == Channel.ONLINE and mode != Mode.ONLINE:
        raise InvalidInput(fields={"mode": _("网上申请只能选择“网上办”；代办和陪办请到服务站点或联系社区。")})
    if channel == Channel.DESK and mode == Mode.ONLINE:
        raise InvalidInput(fields={"mode": _("窗口受理请选择直办、代办或陪办。")})


def clean_form_data(items: list[ServiceItem], data: dict[str, Any]) -> dict[str, Any]:
    """Validate extra form fields against the items' declarations (unknown → error, required → error)."""
    declared: dict[str, dict[str, Any]] = {}
    for item in items:
        for spec in item.form_fields or []:
            declared.setdefault(spec["name"], spec)
            if spec.get("required"):
                declared[spec["name"]] = {**declared[spec["name"]], "required": True}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key in data:
        if key not in declared:
            errors[f"form_data.{key}"] = _("未知字段。")
    for name, spec in declared.items():
        value = data.get(name)
        text = str(value).strip() if value is not None else ""
        if not text:
            if spec.get("required"):
                errors[f"form_data.{name}"] = _("“%(label)s”必填。") % {"label": spec.get("label", name)}
            continue
        if len(text) > 500:
            errors[f"form_data.{name}"] = _("内容过长。")
            continue
        if spec.get("kind") == "date":
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                errors[f"form_data.{name}"] = _("日期格式应为YYYY-MM-DD。")
                continue
        cleaned[name] = text
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def clean_materials(items: list[ServiceItem], names: list[str]) -> list[str]:
    known = {m.name for item in items for m in item.materials.all()}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidInput(fields={"supplied_materials": _("未知材料：%(names)s") % {"names": "、".join(unknown)}})
    return sorted(set(names))


def _applicant_fields(
    *, actor: Any, channel: str, resident: Resident | None, name: str, mobile: str
) -> dict[str, Any]:
    if channel == Channel.ONLINE:
        try:
            own = actor.resident
        except Resident.DoesNotExist:
            own = None
        return {
            "applicant": actor,
            "applicant_resident": own,
            "applicant_name": (own.name if own else actor.name)[:60],
            "applicant_mobile_encrypted": own.mobile_encrypted if own else actor.mobile_encrypted,
        }
    if resident is not None:
        return {
            "applicant": resident.user,
            "applicant_resident": resident,
            "applicant_name": resident.name,
            "applicant_mobile_encrypted": resident.mobile_encrypted,
        }
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["applicant_name"] = _("请填写申请人姓名或选择登记的居民。")
    encrypted = ""
    if mobile:
        problem = mobile_error(mobile)
        if problem:
            errors["applicant_mobile"] = problem
        else:
            encrypted = crypto.encrypt(normalize_mobile(mobile))
    if errors:
        raise InvalidInput(fields=errors)
    return {
        "applicant": None,
        "applicant_resident": None,
        "applicant_name": name[:60],
        "applicant_mobile_encrypted": encrypted,
    }


def _event(app: Application, actor: Any, kind: str, frm: str = "", to: str = "", note: str = "") -> None:
    ApplicationEvent.objects.create(
        application=app,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        from_status=frm,
        to_status=to,
        note=note[:2000],
    )


def _url(app: Application) -> str:
    return reverse("services:application", args=[app.pk])


def _desk_recipients(app: Application) -> list[User]:
    if app.handling_department_id:
        people = staff_of(department=app.handling_department)
        if people:
            return people
    return staff_of(unit=app.handling_unit, roles=DESK)


def _notify_applicant(app: Application, title: Any, **params: Any) -> None:
    if app.applicant_id:
        send(
            recipients=[app.applicant],
            kind="services.application",
            title=title,
            params={"number": app.number, "item": app.item.name, **params},
            url=_url(app),
            sms=True,
        )


class Intake(NamedTuple):
    channel: str
    unit: Unit
    point: ServicePoint | None
    resident: Resident | None
    present: bool


def open_intake(
    *,
    actor: Any,
    unit: Unit | None,
    point: ServicePoint | None,
    resident: Resident | None,
    mode: str,
    resident_present: bool | None,
) -> Intake:
    """Check who takes an application and where: online by the signed-in resident, or at a point by its staff.

    Returns the channel, the applicant's unit (given, the resident's, or the point's), the locked-in point, the
    resident at the desk and whether the resident came in person (a trip, unless someone acts for them).
    """
    if point is None:
        access.check_any(actor, "services.apply")
        if unit is None:
            try:
                unit = actor.resident.unit
            except Resident.DoesNotExist:
                raise InvalidInput(fields={"unit_id": _("请选择您所在的社区或村。")}) from None
        return Intake(Channel.ONLINE, unit, None, None, False)
    point = ServicePoint.objects.select_related("unit").get(pk=point.pk)
    access.check(actor, "services.intake", point)
    if resident is not None:
        unit = resident.unit
    present = resident_present if resident_present is not None else mode != Mode.PROXY
    return Intake(Channel.DESK, unit or point.unit, point, resident, present)


def notify_desk(app: Application) -> None:
    """Tell the unit or department that finishes an application that a new one has arrived."""
    send(
        recipients=_desk_recipients(app),
        kind="services.application",
        title=gettext_lazy("新办件 %(number)s：%(item)s"),
        params={"number": app.number, "item": app.item.name},
        url=_url(app),
    )


# --- intake --------------------------------------------------------------------------------------


@transaction.atomic
def create_application(
    *,
    actor: Any,
    item: ServiceItem,
    unit: Unit,
    point: ServicePoint | None,
    channel: str,
    mode: str,
    applicant: dict[str, Any],
    form_data: dict[str, Any],
    supplied: list[str],
    resident_present: bool,
    bundle: Any = None,
) -> Application:
    """Write one application (callers have checked access and input)."""
    handling_unit, department = route(item, unit)
    now = timezone.now()
    app = Application.objects.create(
        number=next_number("SQ"),
        item=item,
        bundle=bundle,
        unit=unit,
        point=point,
        handling_unit=handling_unit,
        handling_department=department,
        channel=channel,
        mode=mode,
        form_data=form_data,
        supplied_materials=supplied,
        fee=item.fee,
        taken_by=actor if channel == Channel.DESK else None,
        submitted_at=now,
        visits=1 if resident_present else 0,
        **applicant,
    )
    if resident_present:
        Visit.objects.create(application=app, at=now, purpose=VisitPurpose.SUBMIT, recorded_by=actor)
    where = point.name if point else _("网上")
    _event(
        app,
        actor,
        "submitted",
        "",
        S.SUBMITTED,
        _("%(where)s受理，送%(to)s办理")
        % {
            "where": where,
            "to": department.name if department else handling_unit.name,
        },
    )
    return app


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    item: ServiceItem,
    unit: Unit | None = None,
    point: ServicePoint | None = None,
    mode: str,
    resident: Resident | None = None,
    applicant_name: str = "",
    applicant_mobile: str = "",
    form_data: dict[str, Any] | None = None,
    supplied_materials: list[str] | None = None,
    resident_present: bool | None = None,
) -> Application:
    """Take an application: online by the resident (no point), or at any point by any of its staff."""
    form_data = form_data or {}
    intake = open_intake(
        actor=actor, unit=unit, point=point, resident=resident, mode=mode, resident_present=resident_present
    )
    channel, unit, point, resident, present = intake
    _check_offered(item, unit, point)
    _check_mode(item, channel, mode)
    cleaned = clean_form_data([item], form_data)
    supplied = clean_materials([item], supplied_materials or [])
    applicant = _applicant_fields(
        actor=actor, channel=channel, resident=resident, name=applicant_name, mobile=applicant_mobile
    )
    app = create_application(
        actor=actor,
        item=item,
        unit=unit,
        point=point,
        channel=channel,
        mode=mode,
        applicant=applicant,
        form_data=cleaned,
        supplied=supplied,
        resident_present=present,
    )
    record(
        actor=actor,
        action="services.application_submit",
        target=app,
        unit=unit,
        changes={"item": item.code, "mode": mode, "channel": channel, "point": point.pk if point else None},
    )
    notify_desk(app)
    _notify_applicant(app, gettext_lazy("您的申请 %(number)s（%(item)s）已提交"))
    return app


# --- workflow ------------------------------------------------------------------------------------


def _lock(app: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "handling_unit", "handling_department", "unit", "bundle")
        .get(pk=app.pk)
    )


def may_decide(actor: Any, app: Application) -> bool:
    """Return whether the actor works where the application is finished (the handling unit or department).

    Any point may take an application and hand papers over, but accepting, finishing and refusing are for
    the unit (or department) that finishes the item.
    """
    if not access.can(actor, "services.process", app):
        return False
    if app.handling_department_id:
        rules = access.table("services.process")
        if any(
            g.department_id == app.handling_department_id and rules.get(g.role) == access.SUBTREE
            for g in access.grants(actor)
        ):
            return True
    return access.can(actor, "services.process", app.handling_unit)


def check_decide(actor: Any, app: Application) -> None:
    access.check(actor, "services.process", app)
    if not may_decide(actor, app):
        where = app.handling_department.name if app.handling_department_id else app.handling_unit.name
        raise Forbidden(_("该办件由%(where)s办理；您可以受理和交接材料，但不能作出办理决定。") % {"where": where})


def _move(actor: Any, app: Application, target: str, perm: str = "services.process") -> str:
    check_decide(actor, app)
    return transition(app, target, roles=acting_roles(actor, perm, app))


def _after_change(actor: Any, app: Application) -> None:
    if app.bundle_id:
        from gongzhi.services.actions.bundles import refresh_bundle

        refresh_bundle(actor=actor, bundle=app.bundle)


@transaction.atomic
def application_accept(
    *, actor: Any, application: Application, materials_due_on: dt.date | None = None
) -> Application:
    """Accept: with every required material (ACCEPTED), or with deferrable ones due by a date (容缺受理)."""
    app = _lock(application)
    check_decide(actor, app)
    if app.mode == Mode.PROXY and not ProxyAuthorization.objects.filter(application=app).exists():
        raise InvalidInput(
            _("代办须先登记居民的书面委托（上传委托书或屏幕签名）。"),
            code="authorization_missing",
            fields={"authorization": _("缺少委托书。")},
        )
    required, deferrable = queries.missing_materials(app)
    if required:
        message = _("缺少必要材料，不能受理：%(names)s") % {"names": "、".join(required)}
        raise InvalidInput(message, code="materials_missing", fields={"supplied_materials": message})
    now = timezone.now()
    if deferrable:
        if materials_due_on is None:
            message = _("以下材料可容缺后补，请确定补齐期限：%(names)s") % {"names": "、".join(deferrable)}
            raise InvalidInput(message, fields={"materials_due_on": message})
        if materials_due_on < timezone.localdate():
            raise InvalidInput(fields={"materials_due_on": _("补齐期限不能早于今天。")})
        old = _move(actor, app, S.ACCEPTED_PENDING)
        app.materials_due_on = materials_due_on
        note = _("容缺受理，待补：%(names)s，期限 %(due)s") % {"names": "、".join(deferrable), "due": materials_due_on}
    else:
        if materials_due_on is not None:
            raise InvalidInput(fields={"materials_due_on": _("材料已齐全，不需要补齐期限。")})
        old = _move(actor, app, S.ACCEPTED)
        note = ""
    app.accepted_at = now
    app.deadline = workdays.add_workdays(now, app.item.deadline_days)
    app.taken_by = app.taken_by or actor
    app.save()
    _event(app, actor, "status", old, app.status, note)
    record(
        actor=actor,
        action="services.application_accept",
        target=app,
        changes={"status": [old, app.status], "deadline": app.deadline, "materials_due_on": app.materials_due_on},
    )
    _notify_applicant(
        app,
        gettext_lazy("您的申请 %(number)s 已受理，办结期限 %(deadline)s"),
        deadline=timezone.localtime(app.deadline).strftime("%Y-%m-%d"),
    )
    _after_change(actor, app)
    return app


@transaction.atomic
def application_supply(
    *, actor: Any, application: Application, materials: list[str], resident_came: bool = True
) -> Application:
    """Record materials supplied later; a 容缺 application becomes fully accepted when nothing is missing."""
    app = _lock(application)
    access.check(actor, "services.custody", app)
    if not app.is_open:
        raise Conflict(_("办件已结束，不能再补交材料。"))
    names = clean_materials([app.item], materials)
    if not names:
        raise InvalidInput(fields={"materials": _("请选择补交的材料。")})
    app.supplied_materials = sorted(set(app.supplied_materials or []) | set(names))
    if resident_came:
        app.visits += 1
        Visit.objects.create(application=app, purpose=VisitPurpose.SUPPLEMENT, recorded_by=actor)
    old = app.status
    required, deferrable = queries.missing_materials(app)
    if app.status == S.ACCEPTED_PENDING and not required and not deferrable:
        transition(app, S.ACCEPTED, roles=acting_roles(actor, "services.custody", app))
        app.materials_due_on = None
    app.save()
    _event(app, actor, "materials", old, app.status, "、".join(names))
    record(actor=actor, action="services.application_supply", target=app, changes={"materials": names})
    _after_change(actor, app)
    return app


@transaction.atomic
def application_start(*, actor: Any, application: Application, note: str = "") -> Application:
    app = _lock(application)
    old = _move(actor, app, S.IN_PROGRESS)
    app.save(update_fields=["status"])
    _event(app, actor, "status", old, app.status, note)
    record(actor=actor, action="services.application_start", target=app, changes={"status": [old, app.status]})
    _after_change(actor, app)
    return app


@transaction.atomic
def application_complete(*, actor: Any, application: Application, note: str = "") -> Application:
    """Finish an application (办结): every material in, and for 陪办 the accompanied visit held."""
    app = _lock(application)
    check_decide(actor, app)
    required, deferrable = queries.missing_materials(app)
    if required or deferrable:
        message = _("材料尚未补齐，不能办结：%(names)s") % {"names": "、".join(required + deferrable)}
        raise InvalidInput(message, code="materials_missing", fields={"supplied_materials": message})
    if app.mode == Mode.ACCOMPANY and not app.appointments.filter(status=AppointmentStatus.DONE).exists():
        raise InvalidInput(
            _("陪办事项须先完成陪同办理的预约。"),
            code="appointment_missing",
            fields={"appointment": _("尚未陪同办理。")},
        )
    old = _move(actor, app, S.DONE)
    app.done_at = timezone.now()
    app.save()
    _event(app, actor, "status", old, app.status, note)
    record(actor=actor, action="services.application_complete", target=app, changes={"status": [old, app.status]})
    _notify_applicant(app, gettext_lazy("您的申请 %(number)s（%(item)s）已办结"))
    _after_change(actor, app)
    return app


def _require_balanced(app: Application) -> None:
    if app.mode != Mode.PROXY:
        return
    outstanding = queries.custody_outstanding(app)
    if outstanding:
        detail = "；".join(
            _("%(doc)s %(n)s份在%(who)s处") % {"doc": doc, "n": n, "who": _party_label(app, party)}
            for doc, party, n in outstanding
        )
        message = _("代办材料尚未全部归还居民，不能结束办件：%(detail)s") % {"detail": detail}
        raise InvalidInput(message, code="custody_unbalanced", fields={"custody": message})


@transaction.atomic
def application_refuse(*, actor: Any, application: Application, reason: str) -> Application:
    app = _lock(application)
    check_decide(actor, app)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(fields={"reason": _("请写明不予办理的理由。")})
    _require_balanced(app)
    old = _move(actor, app, S.REFUSED)
    app.refused_reason = reason[:2000]
    app.save()
    _event(app, actor, "status", old, app.status, reason)
    record(actor=actor, action="services.application_refuse", target=app, changes={"status": [old, app.status]})
    _notify_applicant(app, gettext_lazy("您的申请 %(number)s 不予办理：%(reason)s"), reason=reason[:80])
    _after_change(actor, app)
    return app


class Delivery:
    DESK = "desk"
    MAIL = "mail"
    ONLINE = "online"
    AGENT = "agent"
    CHOICES = (
        (DESK, gettext_lazy("窗口领取")),
        (MAIL, gettext_lazy("邮寄送达")),
        (ONLINE, gettext_lazy("网上送达")),
        (AGENT, gettext_lazy("代办员送达")),
    )


@transaction.atomic
def application_deliver(*, actor: Any, application: Application, method: str) -> Application:
    """Hand the result over; a collection at the desk is one more trip. 代办 needs a balanced custody log."""
    app = _lock(application)
    if method not in dict(Delivery.CHOICES):
        raise InvalidInput(fields={"method": _("未知的送达方式。")})
    access.check(actor, "services.custody", app)
    _require_balanced(app)
    old = transition(app, S.DELIVERED, roles=acting_roles(actor, "services.custody", app))
    app.delivered_at = timezone.now()
    if method == Delivery.DESK:
        app.visits += 1
        Visit.objects.create(application=app, purpose=VisitPurpose.COLLECT, recorded_by=actor)
    app.save()
    _event(app, actor, "status", old, app.status, str(dict(Delivery.CHOICES)[method]))
    record(
        actor=actor,
        action="services.application_deliver",
        target=app,
        changes={"status": [old, app.status], "method": method},
    )
    _notify_applicant(app, gettext_lazy("您的申请 %(number)s 的办理结果已送达"))
    _after_change(actor, app)
    return app


@transaction.atomic
def application_withdraw(*, actor: Any, application: Application, reason: str = "") -> Application:
    app = _lock(application)
    access.check(actor, "services.view", app)
    _require_balanced(app)
    old = transition(app, S.WITHDRAWN, roles=acting_roles(actor, "services.view", app))
    app.save(update_fields=["status"])
    _event(app, actor, "status", old, app.status, reason)
    record(actor=actor, action="services.application_withdraw", target=app, changes={"status": [old, app.status]})
    # The desk that would have finished it stops working on it.
    send(
        recipients=_desk_recipients(app) + ([app.taken_by] if app.taken_by_id and app.taken_by_id != actor.pk else []),
        kind="services.application",
        title=gettext_lazy("办件 %(number)s（%(item)s）已由申请人撤回"),
        params={"number": app.number, "item": app.item.name},
        url=_url(app),
    )
    _after_change(actor, app)
    return app


@transaction.atomic
def visit_record(*, actor: Any, application: Application, purpose: str) -> Application:
    """Count one more trip the resident made for this application."""
    app = _lock(application)
    access.check(actor, "services.custody", app)
    if purpose not in VisitPurpose.values:
        raise InvalidInput(fields={"purpose": _("未知的来访事由。")})
    if app.status in S.closed_values():
        raise Conflict(_("办件已结束。"))
    app.visits += 1
    app.save(update_fields=["visits"])
    Visit.objects.create(application=app, purpose=purpose, recorded_by=actor)
    _event(app, actor, "visit", note=str(VisitPurpose(purpose).label))
    record(actor=actor, action="services.visit_record", target=app, changes={"purpose": purpose, "visits": app.visits})
    return app


# --- 代办: authorization and custody ----------------------------------------------------------------


def decode_base64(value: str, *, field: str, message: Any = None) -> bytes:
    """Return the bytes of a base64 text or a data: URL, or raise InvalidInput on the given field."""
    raw = value or ""
    if raw.startswith("data:"):
        raw = raw.split(",", 1)[-1]
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(fields={field: message or _("文件内容不是有效的Base64。")}) from None


def _sniff(data: bytes) -> tuple[str, str]:
    if not data:
        raise InvalidInput(fields={"file": _("文件为空。")})
    if len(data) > MAX_AUTHORIZATION_BYTES:
        raise InvalidInput(fields={"file": _("文件不能超过2MB。")})
    for magic, (ctype, ext) in _SIGNATURES.items():
        if data.startswith(magic):
            return ctype, ext
    raise InvalidInput(fields={"file": _("只接受PNG、JPEG图片或PDF文件。")})


@transaction.atomic
def authorization_record(
    *,
    actor: Any,
    application: Application,
    kind: str,
    data: bytes,
    signer_name: str,
    scope: str,
    agent: User | None = None,
) -> ProxyAuthorization:
    """Keep the resident's written authorization for 代办 (an uploaded letter or a signature drawn on screen)."""
    app = _lock(application)
    access.check(actor, "services.custody", app)
    if app.mode != Mode.PROXY:
        raise InvalidInput(_("只有代办事项需要委托书。"), fields={"mode": _("该办件不是代办。")})
    if kind not in AuthorizationKind.values:
        raise InvalidInput(fields={"kind": _("未知的委托形式。")})
    if ProxyAuthorization.objects.filter(application=app).exists():
        raise Conflict(_("该办件已登记委托书。"))
    ctype, ext = _sniff(data)
    if kind == AuthorizationKind.SIGNATURE and ctype != "image/png":
        raise InvalidInput(fields={"file": _("屏幕签名应为PNG图片。")})
    signer_name = " ".join((signer_name or "").split())
    errors = {}
    if not signer_name:
        errors["signer_name"] = _("请填写委托人姓名。")
    if not (scope or "").strip():
        errors["scope"] = _("请写明委托办理的事项。")
    agent = agent or actor
    if not access.can(agent, "services.custody", app):
        errors["agent_id"] = _("代办员须是能办理该办件的工作人员。")
    if errors:
        raise InvalidInput(fields=errors)
    auth = ProxyAuthorization(
        application=app,
        kind=kind,
        content_type=ctype,
        signer_name=signer_name[:60],
        agent=agent,
        scope=scope.strip()[:300],
        recorded_by=actor,
    )
    # A random name: the file is served only through the access-checked view, never by a guessable URL.
    auth.file.save(f"{app.number}-{secrets.token_hex(12)}.{ext}", ContentFile(data), save=False)
    auth.save()
    _event(app, actor, "authorization", note=str(AuthorizationKind(kind).label))
    record(
        actor=actor,
        action="services.authorization_record",
        target=app,
        changes={"kind": kind, "agent": agent.pk, "bytes": len(data)},
    )
    return auth


def _party_label(app: Application, party: str) -> str:
    if party == RESIDENT_PARTY:
        return _("居民%(name)s") % {"name": app.applicant_name}
    kind, _sep, pk = party.partition(":")
    if kind == "user":
        user = User.objects.filter(pk=pk).first()
        return str(user) if user else party
    if kind == "unit":
        unit = Unit.objects.filter(pk=pk).first()
        return unit.name if unit else party
    return party


def parse_party(app: Application, value: str) -> str:
    """Return a normalized party key: resident, user:<id> (a staff member) or unit:<id> (the handling centre)."""
    value = (value or "").strip()
    if value == RESIDENT_PARTY:
        return value
    kind, _sep, pk = value.partition(":")
    if kind == "user" and pk.isdigit() and User.objects.filter(pk=pk, is_active=True).exists():
        user = User.objects.get(pk=pk)
        if access.can(user, "services.custody", app):
            return f"user:{pk}"
    if kind == "unit" and pk.isdigit() and int(pk) == app.handling_unit_id:
        return f"unit:{pk}"
    raise InvalidInput(fields={"party": _("交接方应为居民、能办理该办件的工作人员或办结单位。")})


@transaction.atomic
def custody_record(
    *,
    actor: Any,
    application: Application,
    document: str,
    quantity: int,
    from_party: str,
    to_party: str,
    at: dt.datetime | None = None,
    note: str = "",
) -> CustodyEntry:
    """Log one hand-over of a document; nobody can hand over copies they do not hold."""
    app = _lock(application)
    access.check(actor, "services.custody", app)
    if app.mode != Mode.PROXY:
        raise InvalidInput(_("只有代办事项记录材料交接。"), fields={"mode": _("该办件不是代办。")})
    if app.status in S.closed_values():
        raise Conflict(_("办件已结束，不能再登记交接。"))
    if not ProxyAuthorization.objects.filter(application=app).exists():
        raise InvalidInput(
            _("请先登记居民的书面委托。"), code="authorization_missing", fields={"authorization": _("缺少委托书。")}
        )
    document = " ".join((document or "").split())
    errors: dict[str, str] = {}
    if not document:
        errors["document"] = _("请填写材料名称。")
    if not isinstance(quantity, int) or not 1 <= quantity <= 50:
        errors["quantity"] = _("份数应在1到50之间。")
    if errors:
        raise InvalidInput(fields=errors)
    try:
        frm = parse_party(app, from_party)
    except InvalidInput:
        raise InvalidInput(fields={"from_party": _("交出方无效。")}) from None
    try:
        to = parse_party(app, to_party)
    except InvalidInput:
        raise InvalidInput(fields={"to_party": _("接收方无效。")}) from None
    if frm == to:
        raise InvalidInput(fields={"to_party": _("交出方和接收方不能相同。")})
    when = at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput(fields={"at": _("交接时间不能晚于现在。")})
    if frm != RESIDENT_PARTY:
        held = queries.custody_holdings(app).get(document, {}).get(frm, 0)
        if held < quantity:
            message = _("%(who)s手中只有“%(doc)s”%(n)s份。") % {
                "who": _party_label(app, frm),
                "doc": document,
                "n": held,
            }
            raise InvalidInput(message, code="custody_not_held", fields={"quantity": message})
    entry = CustodyEntry.objects.create(
        application=app,
        document=document[:120],
        quantity=quantity,
        from_party=frm,
        from_label=_party_label(app, frm)[:100],
        to_party=to,
        to_label=_party_label(app, to)[:100],
        at=when,
        note=(note or "").strip()[:200],
        recorded_by=actor,
    )
    _event(app, actor, "custody", note=f"{entry.document}×{quantity} {entry.from_label}→{entry.to_label}")
    record(
        actor=actor,
        action="services.custody_record",
        target=app,
        changes={"document": entry.document, "quantity": quantity, "from": frm, "to": to},
    )
    return entry


# --- 陪办 appointments ----------------------------------------------------------------------------


@transaction.atomic
def appointment_create(
    *, actor: Any, application: Application, staff: User, at: dt.datetime, place: str, note: str = ""
) -> Appointment:
    app = _lock(application)
    access.check(actor, "services.custody", app)
    errors: dict[str, str] = {}
    if app.mode != Mode.ACCOMPANY:
        raise InvalidInput(_("只有陪办事项需要预约陪同人员。"), fields={"mode": _("该办件不是陪办。")})
    if not app.is_open:
        raise Conflict(_("办件已结束。"))
    if not access.can(staff, "services.custody", app):
        errors["staff_id"] = _("陪同人员须是能办理该办件的工作人员。")
    if at < timezone.now() - dt.timedelta(hours=1):
        errors["at"] = _("预约时间不能早于现在。")
    if not (place or "").strip():
        errors["place"] = _("请填写地点。")
    if errors:
        raise InvalidInput(fields=errors)
    if app.appointments.filter(status=AppointmentStatus.SCHEDULED).exists():
        raise Conflict(_("已有未完成的预约，请先完成或取消。"))
    appt = Appointment.objects.create(application=app, staff=staff, at=at, place=place.strip()[:200], note=note[:200])
    _event(app, actor, "appointment", note=f"{timezone.localtime(at):%Y-%m-%d %H:%M} {staff} {appt.place}")
    record(actor=actor, action="services.appointment_create", target=app, changes={"staff": staff.pk, "at": at})
    send(
        recipients=[staff],
        kind="services.appointment",
        title=gettext_lazy("陪办预约：%(number)s %(when)s"),
        params={"number": app.number, "when": f"{timezone.localtime(at):%m-%d %H:%M}"},
        url=_url(app),
    )
    _notify_applicant(
        app, gettext_lazy("您的申请 %(number)s 已预约陪办：%(when)s"), when=f"{timezone.localtime(at):%m-%d %H:%M}"
    )
    return appt


@transaction.atomic
def appointment_finish(*, actor: Any, appointment: Appointment, held: bool, note: str = "") -> Appointment:
    """Close an appointment: held (the resident came, one trip) or cancelled."""
    appt = Appointment.objects.select_for_update(of=("self",)).select_related("application").get(pk=appointment.pk)
    app = _lock(appt.application)
    access.check(actor, "services.custody", app)
    if appt.status != AppointmentStatus.SCHEDULED:
        raise Conflict(_("该预约已处理。"))
    appt.status = AppointmentStatus.DONE if held else AppointmentStatus.CANCELLED
    appt.note = (note or appt.note)[:200]
    appt.save(update_fields=["status", "note"])
    if held:
        app.visits += 1
        app.save(update_fields=["visits"])
        Visit.objects.create(application=app, purpose=VisitPurpose.ACCOMPANIED, recorded_by=actor)
    _event(app, actor, "appointment", note=str(AppointmentStatus(appt.status).label))
    record(actor=actor, action="services.appointment_finish", target=app, changes={"status": appt.status})
    return appt


# --- ratings -------------------------------------------------------------------------------------


@transaction.atomic
def rating_create(*, actor: Any, application: Application, satisfaction: str, comment: str = "") -> Rating:
    """The applicant rates a finished application, once."""
    app = _lock(application)
    access.check(actor, "services.rate", app)
    if app.applicant_id != getattr(actor, "pk", None):
        raise Forbidden(_("只有申请人本人可以评价。"))
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(fields={"satisfaction": _("请选择满意、基本满意或不满意。")})
    if app.status not in S.finished_values():
        raise Conflict(_("办结后才能评价。"), code="not_finished")
    if Rating.objects.filter(application=app).exists():
        raise Conflict(_("您已评价过该办件。"), code="already_rated")
    rating = Rating.objects.create(
        application=app, satisfaction=satisfaction, comment=(comment or "").strip()[:1000], rated_by=actor
    )
    _event(app, actor, "rating", note=str(Satisfaction(satisfaction).label))
    record(actor=actor, action="services.rating_create", target=app, changes={"satisfaction": satisfaction})
    if satisfaction == Satisfaction.UNSATISFIED:
        send(
            recipients=_desk_recipients(app) + ([app.taken_by] if app.taken_by_id else []),
            kind="services.rating",
            title=gettext_lazy("办件 %(number)s 收到不满意评价"),
            params={"number": app.number},
            url=_url(app),
        )
    return rating


# --- deadlines -----------------------------------------------------------------------------------


@transaction.atomic
def overdue_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag applications past their deadline, escalate those a working day late, remind overdue materials."""
    now = now or timezone.now()
    flagged = escalated = reminded = 0
    late = (
        Application.objects.select_for_update(of=("self",))
        .filter(status__in=S.open_values(), deadline__lt=now)
        .select_related("item", "handling_unit", "taken_by")
    )
    for app in late:
        if app.overdue_at is None:
            app.overdue_at = now
            app.save(update_fields=["overdue_at"])
            flagged += 1
            _event(app, None, "overdue", note=_("已超过办结期限"))
            record(
                actor="system", action="services.application_overdue", target=app, changes={"deadline": app.deadline}
            )
            send(
                recipients=_desk_recipients(app) + ([app.taken_by] if app.taken_by_id else []),
                kind="services.overdue",
                title=gettext_lazy("办件 %(number)s（%(item)s）已超期"),
                params={"number": app.number, "item": app.item.name},
                url=_url(app),
            )
        if app.escalated_at is None and workdays.add_workdays(app.deadline, 1) <= now:
            app.escalated_at = now
            app.save(update_fields=["escalated_at"])
            escalated += 1
            parent = Unit.objects.get_parent(app.handling_unit) or app.handling_unit
            bosses = staff_of(
                unit=app.handling_unit, roles={Role.STREET_STAFF, Role.COMMUNITY_HEAD, Role.DISTRICT_ADMIN}
            )
            bosses += staff_of(unit=parent, roles={Role.STREET_STAFF, Role.DISTRICT_ADMIN})
            _event(app, None, "escalated", note=_("超期一个工作日，升级督办"))
            record(actor="system", action="services.application_escalate", target=app, changes={"to_unit": parent.pk})
            send(
                recipients=bosses,
                kind="services.overdue",
                title=gettext_lazy("督办：办件 %(number)s（%(item)s）超期未办结"),
                params={"number": app.number, "item": app.item.name},
                url=_url(app),
            )
    today = timezone.localdate(now)
    pending = Application.objects.filter(status=S.ACCEPTED_PENDING, materials_due_on__lt=today).exclude(
        events__kind="materials_overdue"
    )
    for app in pending.select_related("item", "taken_by"):
        reminded += 1
        _event(app, None, "materials_overdue", note=_("容缺材料已过补齐期限"))
        send(
            recipients=([app.taken_by] if app.taken_by_id else []) + ([app.applicant] if app.applicant_id else []),
            kind="services.overdue",
            title=gettext_lazy("办件 %(number)s 的容缺材料已过补齐期限"),
            params={"number": app.number},
            url=_url(app),
        )
    return {"flagged": flagged, "escalated": escalated, "reminded": reminded}
