"""万能章 reform: only catalogue certificates are issued; other requests are redirected and counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.lib.errors import Conflict, InvalidInput
from gongzhi.notify.service import send
from gongzhi.people.models import Resident
from gongzhi.services import queries
from gongzhi.services.actions.common import next_number, verification_code
from gongzhi.services.models import (
    Certificate,
    CertificateRequest,
    CertificateType,
    RedirectGuide,
    RedirectKind,
    RequestOutcome,
)
from gongzhi.units.models import Unit


def _in_catalogue(unit: Unit, ctype: CertificateType) -> bool:
    return ctype.is_active and unit.path.startswith(ctype.owner_unit.path)


@transaction.atomic
def certificate_type_create(
    *,
    actor: Any,
    owner_unit: Unit,
    code: str,
    name: str,
    legal_basis: str,
    issuer: str,
    required_evidence: str,
    validity_days: int = 90,
) -> CertificateType:
    """Publish a certificate in a unit's catalogue (清单之外不出证)."""
    access.check(actor, "services.certificates_catalogue", owner_unit)
    errors: dict[str, str] = {}
    if not code or len(code) > 40 or CertificateType.objects.filter(code=code).exists():
        errors["code"] = _("编码为空、过长或已被使用。")
    for field, value in (
        ("name", name),
        ("legal_basis", legal_basis),
        ("issuer", issuer),
        ("required_evidence", required_evidence),
    ):
        if not (value or "").strip():
            errors[field] = _("此项必填。")
    if not isinstance(validity_days, int) or not 1 <= validity_days <= 3650:
        errors["validity_days"] = _("有效期应在1到3650天之间。")
    if errors:
        raise InvalidInput(fields=errors)
    ctype = CertificateType.objects.create(
        owner_unit=owner_unit,
        code=code,
        name=name.strip()[:120],
        legal_basis=legal_basis.strip(),
        issuer=issuer.strip()[:120],
        required_evidence=required_evidence.strip(),
        validity_days=validity_days,
    )
    record(
        actor=actor, action="services.certificate_type_create", target=ctype, unit=owner_unit, changes={"code": code}
    )
    return ctype


@transaction.atomic
def redirect_guide_create(
    *, actor: Any, owner_unit: Unit, name: str, kind: str, go_to: str, reason: str, keywords: str = ""
) -> RedirectGuide:
    access.check(actor, "services.certificates_catalogue", owner_unit)
    errors: dict[str, str] = {}
    if kind not in RedirectKind.values:
        errors["kind"] = _("未知的引导方式。")
    for field, value in (("name", name), ("go_to", go_to), ("reason", reason)):
        if not (value or "").strip():
            errors[field] = _("此项必填。")
    if errors:
        raise InvalidInput(fields=errors)
    guide = RedirectGuide.objects.create(
        owner_unit=owner_unit,
        name=name.strip()[:120],
        kind=kind,
        go_to=go_to.strip()[:200],
        reason=reason.strip(),
        keywords=keywords.strip()[:200],
    )
    record(
        actor=actor,
        action="services.redirect_guide_create",
        target=("services.redirectguide", guide.pk, guide.name),
        unit=owner_unit,
    )
    return guide


@transaction.atomic
def certificate_issue(
    *,
    actor: Any,
    unit: Unit,
    ctype: CertificateType,
    holder_name: str,
    purpose: str,
    content: str,
    evidence: str,
    holder_resident: Resident | None = None,
) -> Certificate:
    """Issue a catalogue certificate with a serial number and an unguessable verification code."""
    access.check(actor, "services.certificates_issue", unit)
    if not _in_catalogue(unit, ctype):
        message = _("“%(name)s”不在%(unit)s的证明事项清单中，不能出具。") % {"name": ctype.name, "unit": unit.name}
        raise InvalidInput(message, code="not_in_catalogue", fields={"type_id": message})
    errors: dict[str, str] = {}
    if holder_resident is not None:
        if not holder_resident.unit.path.startswith(unit.path):
            errors["resident_id"] = _("该居民不在本单位。")
        holder_name = holder_resident.name
    holder_name = " ".join((holder_name or "").split())
    if not holder_name:
        errors["holder_name"] = _("请填写持证人姓名。")
    for field, value, limit in (("purpose", purpose, 200), ("content", content, 2000), ("evidence", evidence, 2000)):
        if not (value or "").strip():
            errors[field] = _("此项必填。")
        elif len(value.strip()) > limit:
            errors[field] = _("内容过长。")
    if errors:
        raise InvalidInput(fields=errors)
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                cert = Certificate.objects.create(
                    serial=next_number(f"ZM{unit.code[-6:]}-", dated=False),
                    code=verification_code(),
                    type=ctype,
                    unit=unit,
                    holder=holder_resident.user if holder_resident else None,
                    holder_resident=holder_resident,
                    holder_name=holder_name[:60],
                    purpose=purpose.strip(),
                    content=content.strip(),
                    evidence=evidence.strip(),
                    issued_by=actor,
                    issued_at=now,
                    valid_until=timezone.localdate(now) + dt.timedelta(days=ctype.validity_days),
                )
            break
        except IntegrityError:  # a code collision is astronomically unlikely; draw again
            continue
    else:
        raise Conflict()
    record(
        actor=actor,
        action="services.certificate_issue",
        target=cert,
        unit=unit,
        changes={"serial": cert.serial, "type": ctype.code, "holder": cert.holder_masked},
    )
    if cert.holder_id:
        send(
            recipients=[cert.holder],
            kind="services.certificate",
            title=gettext_lazy("已为您出具“%(name)s”，编号 %(serial)s"),
            params={"name": ctype.name, "serial": cert.serial},
            url=reverse("services:certificate", args=[cert.pk]),
        )
    return cert


@transaction.atomic
def certificate_refuse(
    *, actor: Any, unit: Unit, ctype: CertificateType, reason: str, requester_name: str = ""
) -> CertificateRequest:
    """Refuse a catalogue certificate (the facts could not be verified); counted per type."""
    access.check(actor, "services.certificates_issue", unit)
    if not _in_catalogue(unit, ctype):
        raise InvalidInput(fields={"type_id": _("该证明不在本单位清单中，请使用“引导办理”。")})
    if not (reason or "").strip():
        raise InvalidInput(fields={"reason": _("请写明不予出具的理由。")})
    req = CertificateRequest.objects.create(
        unit=unit,
        requested=ctype.name,
        type=ctype,
        outcome=RequestOutcome.REFUSED,
        reason=reason.strip(),
        requester_name=(requester_name or "").strip()[:60],
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="services.certificate_refuse",
        target=("services.certificaterequest", req.pk, req.requested),
        unit=unit,
    )
    return req


def match_guide(unit: Unit, requested: str) -> RedirectGuide | None:
    text = (requested or "").strip()
    for guide in queries.redirect_guides(unit):
        words = [guide.name, *[w for w in guide.keywords.replace("，", ",").split(",") if w.strip()]]
        if any(w.strip() and (w.strip() in text or text in w.strip()) for w in words):
            return guide
    return None


@transaction.atomic
def certificate_redirect(
    *,
    actor: Any,
    unit: Unit,
    requested: str,
    guide: RedirectGuide | None = None,
    kind: str = "",
    go_to: str = "",
    reason: str = "",
    requester_name: str = "",
) -> CertificateRequest:
    """Refuse a certificate outside the catalogue, saying why and where to go instead; counted."""
    access.check(actor, "services.certificates_issue", unit)
    requested = " ".join((requested or "").split())
    if not requested:
        raise InvalidInput(fields={"requested": _("请填写居民要开的证明。")})
    in_list = [t for t in queries.certificate_catalogue(unit) if t.name == requested]
    if in_list:
        message = _("“%(name)s”在本单位的证明事项清单中，请直接出具。") % {"name": requested}
        raise InvalidInput(message, code="in_catalogue", fields={"requested": message})
    if guide is None:
        guide = match_guide(unit, requested)
    if guide is not None:
        if not unit.path.startswith(guide.owner_unit.path):
            raise InvalidInput(fields={"guide_id": _("该引导规则不适用于本单位。")})
        kind, go_to, reason = guide.kind, go_to or guide.go_to, reason or guide.reason
    errors: dict[str, str] = {}
    if kind not in RedirectKind.values:
        errors["kind"] = _("请选择引导方式。")
    if not (go_to or "").strip():
        errors["go_to"] = _("请写明应去哪里办理。")
    if not (reason or "").strip():
        errors["reason"] = _("请写明不予出具的理由。")
    if errors:
        raise InvalidInput(fields=errors)
    req = CertificateRequest.objects.create(
        unit=unit,
        requested=requested[:120],
        guide=guide,
        outcome=RequestOutcome.REDIRECTED,
        redirect_kind=kind,
        go_to=go_to.strip()[:200],
        reason=reason.strip(),
        requester_name=(requester_name or "").strip()[:60],
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="services.certificate_redirect",
        target=("services.certificaterequest", req.pk, req.requested),
        unit=unit,
        changes={"kind": kind, "go_to": req.go_to},
    )
    return req


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    cert = Certificate.objects.select_for_update(of=("self",)).select_related("unit", "type").get(pk=certificate.pk)
    access.check(actor, "services.certificates_revoke", cert)
    if not (reason or "").strip():
        raise InvalidInput(fields={"reason": _("请写明撤销理由。")})
    if cert.revoked_at is not None:
        raise Conflict(_("该证明已撤销。"), code="already_revoked")
    cert.revoked_at = timezone.now()
    cert.revoked_by = actor
    cert.revoked_reason = reason.strip()[:2000]
    cert.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    record(actor=actor, action="services.certificate_revoke", target=cert, changes={"reason": cert.revoked_reason})
    if cert.holder_id:
        send(
            recipients=[cert.holder],
            kind="services.certificate",
            title=gettext_lazy("证明 %(serial)s 已被撤销"),
            params={"serial": cert.serial},
            url=reverse("services:certificate", args=[cert.pk]),
        )
    return cert
