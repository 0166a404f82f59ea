"""一件事 bundles: one submission creates the item applications in parallel; one status for the whole."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.audit.chain import record
from gongzhi.lib.errors import InvalidInput
from gongzhi.notify.service import send
from gongzhi.people.models import Resident
from gongzhi.services.actions.applications import (
    _applicant_fields,
    _check_mode,
    _check_offered,
    clean_form_data,
    clean_materials,
    create_application,
    notify_desk,
    open_intake,
)
from gongzhi.services.actions.common import next_number
from gongzhi.services.models import Bundle, BundleTemplate, ServicePoint
from gongzhi.services.workflow import ApplicationStatus, BundleStatus
from gongzhi.units.models import Unit

S = ApplicationStatus


@transaction.atomic
def bundle_submit(
    *,
    actor: Any,
    template: BundleTemplate,
    unit: Unit | None = None,
    point: ServicePoint | None = None,
    mode: str,
    resident: Resident | None = None,
    applicant_name: str = "",
    applicant_mobile: str = "",
    form_data: dict[str, Any] | None = None,
    supplied_materials: list[str] | None = None,
    resident_present: bool | None = None,
) -> Bundle:
    """Apply for a whole 一件事: shared information and materials entered once, one application per item."""
    if not template.is_active:
        raise InvalidInput(fields={"template_id": _("该一件事已停用。")})
    channel, unit, point, resident, present = open_intake(
        actor=actor, unit=unit, point=point, resident=resident, mode=mode, resident_present=resident_present
    )
    if not unit.path.startswith(template.owner_unit.path):
        raise InvalidInput(fields={"template_id": _("该一件事不在您所在单位的目录中。")})
    items = list(
        template.items.filter(is_active=True)
        .prefetch_related("materials")
        .select_related("owner_unit")
        .order_by("code")
    )
    if not items:
        raise InvalidInput(fields={"template_id": _("该一件事没有可办事项。")})
    for item in items:
        _check_offered(item, unit, point)
        _check_mode(item, channel, mode)
    shared = clean_form_data(items, form_data or {})
    supplied = clean_materials(items, supplied_materials or [])
    applicant = _applicant_fields(
        actor=actor, channel=channel, resident=resident, name=applicant_name, mobile=applicant_mobile
    )
    bundle = Bundle.objects.create(
        number=next_number("YJS"),
        template=template,
        unit=unit,
        point=point,
        mode=mode,
        form_data=shared,
        supplied_materials=supplied,
        submitted_by=actor,
        **applicant,
    )
    children = []
    for index, item in enumerate(items):
        own_fields = {spec["name"] for spec in item.form_fields or []}
        children.append(
            create_application(
                actor=actor,
                item=item,
                unit=unit,
                point=point,
                channel=channel,
                mode=mode,
                applicant=applicant,
                form_data={k: v for k, v in shared.items() if k in own_fields},
                supplied=[],
                # The resident came once for the whole bundle: the trip counts on the first item only.
                resident_present=present and index == 0,
                bundle=bundle,
            )
        )
    record(
        actor=actor,
        action="services.bundle_submit",
        target=bundle,
        unit=unit,
        changes={"template": template.code, "applications": [a.number for a in children], "mode": mode},
    )
    for child in children:
        notify_desk(child)
    if bundle.applicant_id:
        send(
            recipients=[bundle.applicant],
            kind="services.bundle",
            title=gettext_lazy("您的“%(name)s”已提交，共%(n)s个事项同时办理"),
            params={"name": template.name, "n": len(children)},
            url=reverse("services:bundle", args=[bundle.pk]),
        )
    return bundle


def bundle_status(statuses: list[str]) -> str:
    """Return a bundle's one status from its items' statuses."""
    if statuses and all(s == S.DELIVERED for s in statuses):
        return BundleStatus.CLOSED
    if statuses and all(s in S.finished_values() for s in statuses):
        return BundleStatus.DONE
    if any(s in (S.REFUSED, S.WITHDRAWN) for s in statuses) and not any(s in S.open_values() for s in statuses):
        return BundleStatus.PARTLY_REFUSED
    return BundleStatus.OPEN


@transaction.atomic
def refresh_bundle(*, actor: Any, bundle: Bundle) -> Bundle:
    """Recompute a bundle's status after one of its applications moved (inside that action's transaction)."""
    locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
    new = bundle_status(list(locked.applications.values_list("status", flat=True)))
    if new != locked.status:
        old = locked.status
        locked.status = new
        if new in (BundleStatus.DONE, BundleStatus.CLOSED) and locked.done_at is None:
            locked.done_at = timezone.now()
        locked.save(update_fields=["status", "done_at"])
        record(actor=actor, action="services.bundle_status", target=locked, changes={"status": [old, new]})
        if new == BundleStatus.DONE and locked.applicant_id:
            send(
                recipients=[locked.applicant],
                kind="services.bundle",
                title=gettext_lazy("您的“%(name)s”全部办结"),
                params={"name": locked.template.name},
                url=reverse("services:bundle", args=[locked.pk]),
            )
    return locked
