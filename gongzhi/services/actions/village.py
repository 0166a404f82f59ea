"""Village point logs (村社宜站): parcels, agent finance services (records only), produce listings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.lib import crypto
from gongzhi.lib.errors import Conflict, InvalidInput
from gongzhi.lib.money import to_money
from gongzhi.lib.validators import looks_like_mobile, normalize_mobile
from gongzhi.services.models import (
    FinanceLog,
    FinanceService,
    ListingStatus,
    ParcelDirection,
    ParcelLog,
    ProduceListing,
    ServiceKind,
    ServicePoint,
)


def _point(actor: Any, point: ServicePoint, kind: str) -> ServicePoint:
    point = ServicePoint.objects.select_for_update(of=("self",)).select_related("unit").get(pk=point.pk)
    access.check(actor, "services.village_log", point)
    if kind not in point.service_kinds:
        message = _("%(point)s未开设“%(kind)s”服务。") % {"point": point.name, "kind": ServiceKind(kind).label}
        raise InvalidInput(message, code="module_not_run", fields={"point_id": message})
    return point


def _when(value: dt.datetime | None, errors: dict[str, str], field: str = "at") -> dt.datetime:
    when = value or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        errors[field] = _("时间不能晚于现在。")
    return when


@transaction.atomic
def parcel_record(
    *,
    actor: Any,
    point: ServicePoint,
    direction: str,
    tracking_number: str,
    carrier: str,
    party_name: str,
    party_phone: str = "",
    at: dt.datetime | None = None,
) -> ParcelLog:
    point = _point(actor, point, ServiceKind.LOGISTICS)
    errors: dict[str, str] = {}
    if direction not in ParcelDirection.values:
        errors["direction"] = _("请选择到件或寄件。")
    tracking_number = "".join((tracking_number or "").split()).upper()
    if not tracking_number or len(tracking_number) > 40:
        errors["tracking_number"] = _("请填写运单号。")
    if not (carrier or "").strip():
        errors["carrier"] = _("请填写快递公司。")
    if not (party_name or "").strip():
        errors["party_name"] = _("请填写收/寄件人。")
    masked = ""
    if party_phone:
        if not looks_like_mobile(party_phone):
            errors["party_phone"] = _("手机号码应为以1开头的11位数字。")
        else:
            masked = crypto.mask_mobile(normalize_mobile(party_phone))
    when = _when(at, errors)
    if errors:
        raise InvalidInput(fields=errors)
    try:
        with transaction.atomic():
            log = ParcelLog.objects.create(
                point=point,
                direction=direction,
                tracking_number=tracking_number,
                carrier=carrier.strip()[:40],
                party_name=party_name.strip()[:60],
                party_phone_masked=masked,
                at=when,
                recorded_by=actor,
            )
    except IntegrityError:
        raise InvalidInput(fields={"tracking_number": _("该运单号已登记。")}) from None
    record(
        actor=actor,
        action="services.parcel_record",
        target=("services.parcellog", log.pk, tracking_number),
        unit=point.unit,
    )
    return log


@transaction.atomic
def parcel_pickup(*, actor: Any, parcel: ParcelLog) -> ParcelLog:
    parcel = ParcelLog.objects.select_for_update(of=("self",)).select_related("point__unit").get(pk=parcel.pk)
    access.check(actor, "services.village_log", parcel)
    if parcel.direction != ParcelDirection.IN:
        raise InvalidInput(fields={"direction": _("只有到件需要登记取件。")})
    if parcel.picked_up_at is not None:
        raise Conflict(_("该快件已被取走。"))
    parcel.picked_up_at = timezone.now()
    parcel.save(update_fields=["picked_up_at"])
    record(
        actor=actor,
        action="services.parcel_pickup",
        target=("services.parcellog", parcel.pk, parcel.tracking_number),
        unit=parcel.point.unit,
    )
    return parcel


@transaction.atomic
def finance_record(
    *,
    actor: Any,
    point: ServicePoint,
    service: str,
    resident_name: str,
    amount: Any,
    institution: str,
    reference: str = "",
    at: dt.datetime | None = None,
) -> FinanceLog:
    """Record an agent finance service that was done (no money moves through Gongzhi)."""
    point = _point(actor, point, ServiceKind.FINANCE)
    errors: dict[str, str] = {}
    if service not in FinanceService.values:
        errors["service"] = _("未知的业务。")
    if not (resident_name or "").strip():
        errors["resident_name"] = _("请填写办理人。")
    if not (institution or "").strip():
        errors["institution"] = _("请填写合作金融机构。")
    value = None
    try:
        value = to_money(amount if amount not in (None, "") else "0", field="amount")
        if value < 0:
            errors["amount"] = _("金额不能为负数。")
        elif value > 50000:
            errors["amount"] = _("代理业务单笔不超过5万元。")
    except InvalidInput as exc:
        errors.update({k: v[0] for k, v in exc.fields.items()})
    when = _when(at, errors)
    if errors:
        raise InvalidInput(fields=errors)
    log = FinanceLog.objects.create(
        point=point,
        service=service,
        resident_name=resident_name.strip()[:60],
        amount=value,
        institution=institution.strip()[:60],
        reference=(reference or "").strip()[:60],
        at=when,
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="services.finance_record",
        target=("services.financelog", log.pk, service),
        unit=point.unit,
        changes={"service": service, "amount": value},
    )
    return log


@transaction.atomic
def listing_create(
    *,
    actor: Any,
    point: ServicePoint,
    product: str,
    quantity: Any,
    measure: str,
    price: Any,
    seller_name: str,
    seller_contact: str,
) -> ProduceListing:
    point = _point(actor, point, ServiceKind.PRODUCE)
    errors: dict[str, str] = {}
    for field, value in (("product", product), ("seller_name", seller_name), ("seller_contact", seller_contact)):
        if not (value or "").strip():
            errors[field] = _("此项必填。")
    qty = price_value = None
    try:
        qty = to_money(quantity, field="quantity")
        if qty <= 0:
            errors["quantity"] = _("数量应大于0。")
    except InvalidInput as exc:
        errors.update({k: v[0] for k, v in exc.fields.items()})
    try:
        price_value = to_money(price, field="price")
        if price_value < 0:
            errors["price"] = _("单价不能为负数。")
    except InvalidInput as exc:
        errors.update({k: v[0] for k, v in exc.fields.items()})
    if errors:
        raise InvalidInput(fields=errors)
    listing = ProduceListing.objects.create(
        point=point,
        product=product.strip()[:60],
        quantity=qty,
        measure=(measure or "斤").strip()[:10],
        price=price_value,
        seller_name=seller_name.strip()[:60],
        seller_contact=seller_contact.strip()[:40],
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="services.listing_create",
        target=("services.producelisting", listing.pk, listing.product),
        unit=point.unit,
    )
    return listing


@transaction.atomic
def listing_sell(
    *, actor: Any, listing: ProduceListing, buyer_name: str, buyer_contact: str, sold_quantity: Any = None
) -> ProduceListing:
    listing = ProduceListing.objects.select_for_update(of=("self",)).select_related("point__unit").get(pk=listing.pk)
    access.check(actor, "services.village_log", listing)
    if listing.status != ListingStatus.LISTED:
        raise Conflict(_("该产品已成交或下架。"))
    errors: dict[str, str] = {}
    if not (buyer_name or "").strip():
        errors["buyer_name"] = _("请填写买方。")
    if not (buyer_contact or "").strip():
        errors["buyer_contact"] = _("请填写买方联系方式。")
    qty = None
    if sold_quantity not in (None, ""):
        try:
            qty = to_money(sold_quantity, field="sold_quantity")
            if qty <= 0 or qty > listing.quantity:
                errors["sold_quantity"] = _("成交数量应大于0且不超过挂牌数量。")
        except InvalidInput as exc:
            errors.update({k: v[0] for k, v in exc.fields.items()})
    if errors:
        raise InvalidInput(fields=errors)
    listing.status = ListingStatus.SOLD
    listing.buyer_name = buyer_name.strip()[:60]
    listing.buyer_contact = buyer_contact.strip()[:40]
    listing.sold_quantity = qty or listing.quantity
    listing.sold_at = timezone.now()
    listing.save()
    record(
        actor=actor,
        action="services.listing_sell",
        target=("services.producelisting", listing.pk, listing.product),
        unit=listing.point.unit,
        changes={"value": listing.sold_value},
    )
    return listing


@transaction.atomic
def listing_withdraw(*, actor: Any, listing: ProduceListing) -> ProduceListing:
    listing = ProduceListing.objects.select_for_update(of=("self",)).select_related("point__unit").get(pk=listing.pk)
    access.check(actor, "services.village_log", listing)
    if listing.status != ListingStatus.LISTED:
        raise Conflict(_("该产品已成交或下架。"))
    listing.status = ListingStatus.WITHDRAWN
    listing.save(update_fields=["status"])
    record(
        actor=actor,
        action="services.listing_withdraw",
        target=("services.producelisting", listing.pk, listing.product),
        unit=listing.point.unit,
    )
    return listing
