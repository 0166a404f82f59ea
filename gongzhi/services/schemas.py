"""API shapes of the services app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from gongzhi.lib.schemas import Input
from gongzhi.services import queries
from gongzhi.services.models import (
    Application,
    Certificate,
    EnforcementCase,
    ServiceItem,
    ServicePoint,
)


class MaterialOut(Schema):
    name: str
    form: str
    copies: int
    deferrable: bool
    note: str


class ItemOut(Schema):
    id: int
    code: str
    name: str
    category: str
    category_label: str
    finish_level: str
    finish_department: str | None
    owner_unit_id: int
    time_limit_days: int
    promised_days: int | None
    fee: Decimal
    modes: list[str]
    remote_finish: bool

    @staticmethod
    def resolve_category_label(obj: ServiceItem) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_finish_department(obj: ServiceItem) -> str | None:
        return obj.finish_department.name if obj.finish_department_id else None


class ItemDetailOut(ItemOut):
    eligibility: str
    legal_basis: str
    matter_code: str
    form_fields: list[dict[str, Any]]
    materials: list[MaterialOut]

    @staticmethod
    def resolve_materials(obj: ServiceItem) -> list[Any]:
        return list(obj.materials.all())


class MaterialIn(Input):
    name: str
    form: str = "original"
    copies: int = 1
    deferrable: bool = False
    note: str = ""


class ItemCreateIn(Input):
    owner_unit_id: int
    code: str
    name: str
    category: str
    finish_level: str
    time_limit_days: int
    modes: list[str]
    finish_department_id: int | None = None
    matter_code: str = ""
    eligibility: str = ""
    promised_days: int | None = None
    fee: str = "0"
    remote_finish: bool = False
    form_fields: list[dict[str, Any]] = []
    legal_basis: str = ""
    materials: list[MaterialIn] = []


class PointOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    unit_id: int
    unit_name: str
    address: str
    opening_hours: str
    phone: str
    service_kinds: list[str]
    duty_note: str

    @staticmethod
    def resolve_kind_label(obj: ServicePoint) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_unit_name(obj: ServicePoint) -> str:
        return obj.unit.name


class PointDetailOut(PointOut):
    item_ids: list[int]
    staff: list[str]

    @staticmethod
    def resolve_item_ids(obj: ServicePoint) -> list[int]:
        return list(obj.items.values_list("pk", flat=True))

    @staticmethod
    def resolve_staff(obj: ServicePoint) -> list[str]:
        return [str(u) for u in obj.staff.all()]


class PointCreateIn(Input):
    unit_id: int
    name: str
    kind: str
    address: str
    opening_hours: str
    phone: str = ""
    service_kinds: list[str] = []
    duty_note: str = ""


class PointUpdateIn(Input):
    item_ids: list[int] | None = None
    staff_ids: list[int] | None = None
    opening_hours: str | None = None
    duty_note: str | None = None
    service_kinds: list[str] | None = None
    is_active: bool | None = None


class FiguresOut(Schema):
    total: int
    finished: int
    refused: int
    open: int
    overdue: int
    one_trip: int
    one_trip_rate: Decimal | None
    by_mode: dict[str, int]
    ratings: dict[str, int]
    satisfaction_rate: Decimal | None


class ApplyIn(Input):
    item_id: int
    mode: str
    point_id: int | None = None
    unit_id: int | None = None
    resident_id: int | None = None
    applicant_name: str = ""
    applicant_mobile: str = ""
    form_data: dict[str, Any] = {}
    supplied_materials: list[str] = []
    resident_present: bool | None = None


class ApplicationOut(Schema):
    id: int
    number: str
    item_id: int
    item_name: str
    bundle_id: int | None
    unit_id: int
    point_id: int | None
    point_name: str | None
    handling_unit: str
    handling_department: str | None
    channel: str
    mode: str
    status: str
    status_label: str
    applicant_name: str
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    deadline: dt.datetime | None
    materials_due_on: dt.date | None
    done_at: dt.datetime | None
    delivered_at: dt.datetime | None
    refused_reason: str
    visits: int
    fee: Decimal
    is_overdue: bool

    @staticmethod
    def resolve_item_name(obj: Application) -> str:
        return obj.item.name

    @staticmethod
    def resolve_point_name(obj: Application) -> str | None:
        return obj.point.name if obj.point_id else None

    @staticmethod
    def resolve_handling_unit(obj: Application) -> str:
        return obj.handling_unit.name

    @staticmethod
    def resolve_handling_department(obj: Application) -> str | None:
        return obj.handling_department.name if obj.handling_department_id else None

    @staticmethod
    def resolve_status_label(obj: Application) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_applicant_name(obj: Application) -> str:
        return obj.applicant_name_masked


class EventOut(Schema):
    at: dt.datetime
    kind: str
    from_status: str
    to_status: str
    note: str
    actor: str | None

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class CustodyOut(Schema):
    id: int
    document: str
    quantity: int
    from_party: str
    from_label: str
    to_party: str
    to_label: str
    at: dt.datetime
    note: str


class AppointmentOut(Schema):
    id: int
    staff: str
    at: dt.datetime
    place: str
    status: str

    @staticmethod
    def resolve_staff(obj: Any) -> str:
        return str(obj.staff)


class ApplicationDetailOut(ApplicationOut):
    form_data: dict[str, Any]
    supplied_materials: list[str]
    missing_required: list[str]
    missing_deferrable: list[str]
    events: list[EventOut]
    custody: list[CustodyOut]
    custody_balanced: bool
    appointments: list[AppointmentOut]
    has_authorization: bool
    rating: str | None

    @staticmethod
    def resolve_missing_required(obj: Application) -> list[str]:
        return queries.missing_materials(obj)[0]

    @staticmethod
    def resolve_missing_deferrable(obj: Application) -> list[str]:
        return queries.missing_materials(obj)[1]

    @staticmethod
    def resolve_events(obj: Application) -> list[Any]:
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_custody(obj: Application) -> list[Any]:
        return list(obj.custody.all())

    @staticmethod
    def resolve_custody_balanced(obj: Application) -> bool:
        return not queries.custody_outstanding(obj)

    @staticmethod
    def resolve_appointments(obj: Application) -> list[Any]:
        return list(obj.appointments.select_related("staff"))

    @staticmethod
    def resolve_has_authorization(obj: Application) -> bool:
        return hasattr(obj, "authorization")

    @staticmethod
    def resolve_rating(obj: Application) -> str | None:
        return obj.rating.satisfaction if hasattr(obj, "rating") else None


class ApplicationPageOut(Schema):
    items: list[ApplicationOut]
    next_cursor: str | None
    limit: int


class AcceptIn(Input):
    materials_due_on: dt.date | None = None


class SupplyIn(Input):
    materials: list[str]
    resident_came: bool = True


class NoteIn(Input):
    note: str = ""


class ReasonIn(Input):
    reason: str


class DeliverIn(Input):
    method: str


class VisitIn(Input):
    purpose: str


class AuthorizationIn(Input):
    kind: str
    content_base64: str = Field(max_length=3_000_000)
    signer_name: str
    scope: str
    agent_id: int | None = None


class CustodyIn(Input):
    document: str
    quantity: int = 1
    from_party: str
    to_party: str
    at: dt.datetime | None = None
    note: str = ""


class AppointmentIn(Input):
    staff_id: int
    at: dt.datetime
    place: str
    note: str = ""


class AppointmentFinishIn(Input):
    held: bool
    note: str = ""


class RatingIn(Input):
    satisfaction: str
    comment: str = ""


class BundleIn(Input):
    template_id: int
    mode: str
    point_id: int | None = None
    unit_id: int | None = None
    resident_id: int | None = None
    applicant_name: str = ""
    applicant_mobile: str = ""
    form_data: dict[str, Any] = {}
    supplied_materials: list[str] = []
    resident_present: bool | None = None


class BundleOut(Schema):
    id: int
    number: str
    template: str
    status: str
    status_label: str
    mode: str
    submitted_at: dt.datetime
    done_at: dt.datetime | None
    form_data: dict[str, Any]
    supplied_materials: list[str]
    applications: list[ApplicationOut]

    @staticmethod
    def resolve_template(obj: Any) -> str:
        return obj.template.name

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_applications(obj: Any) -> list[Any]:
        return list(
            obj.applications.select_related("item", "point", "handling_unit", "handling_department").order_by("id")
        )


class BundleTemplateOut(Schema):
    id: int
    code: str
    name: str
    description: str
    item_ids: list[int]

    @staticmethod
    def resolve_item_ids(obj: Any) -> list[int]:
        return [i.pk for i in obj.items.all()]


class BundleTemplateIn(Input):
    owner_unit_id: int
    code: str
    name: str
    item_ids: list[int]
    description: str = ""


class DutyOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    department: str | None
    code: str
    category_code: str
    name: str
    kind: str
    source: str
    legal_basis: str
    law_area: str
    delegated_from: str | None
    delegation_document: str
    effective_from: dt.date
    effective_to: dt.date | None
    retired_reason: str
    in_force: bool

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_in_force(obj: Any) -> bool:
        return obj.in_force()

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_delegated_from(obj: Any) -> str | None:
        return obj.delegated_from.name if obj.delegated_from_id else None


class DutyIn(Input):
    unit_id: int
    code: str
    name: str
    kind: str
    legal_basis: str
    source: str = "law"
    department_id: int | None = None
    category_code: str = ""
    law_area: str = ""
    delegated_from_id: int | None = None
    delegation_document: str = ""
    effective_from: dt.date | None = None


class DutyUpdateIn(Input):
    """Only the fields sent are changed; department_id or delegated_from_id null clears them."""

    name: str | None = None
    kind: str | None = None
    source: str | None = None
    legal_basis: str | None = None
    category_code: str | None = None
    law_area: str | None = None
    delegated_from_id: int | None = None
    delegation_document: str | None = None
    department_id: int | None = None
    effective_from: dt.date | None = None


class DutyRetireIn(Input):
    reason: str
    effective_to: dt.date | None = None


class DutyHolderOut(Schema):
    unit_id: int
    code: str
    holds: bool
    holder_unit_id: int | None
    holder_department_id: int | None
    holder_name: str
    duty: DutyOut | None
    holder: DutyOut | None


class CaseIn(Input):
    unit_id: int
    team_id: int
    source: str
    law_area: str
    summary: str
    location: str
    party_name: str
    appeal_number: str = ""


class CaseOut(Schema):
    id: int
    number: str
    unit_id: int
    team: str
    source: str
    appeal_number: str
    appeal_id: int | None
    law_area: str
    summary: str
    location: str
    party_name: str
    status: str
    status_label: str
    findings: str
    decision: str
    duty_code: str | None
    legal_basis: str
    penalty_amount: Decimal | None
    penalty_text: str
    execution_note: str
    registered_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_team(obj: EnforcementCase) -> str:
        return obj.team.name

    @staticmethod
    def resolve_status_label(obj: EnforcementCase) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_duty_code(obj: EnforcementCase) -> str | None:
        return obj.duty.code if obj.duty_id else None


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None
    limit: int


class FindingsIn(Input):
    findings: str


class DecideIn(Input):
    decision: str
    duty_id: int | None = None
    penalty_amount: str | None = None
    penalty_text: str = ""
    note: str = ""


class ExecuteIn(Input):
    note: str


class CertificateTypeOut(Schema):
    id: int
    code: str
    name: str
    legal_basis: str
    issuer: str
    required_evidence: str
    validity_days: int
    owner_unit_id: int


class CertificateTypeIn(Input):
    owner_unit_id: int
    code: str
    name: str
    legal_basis: str
    issuer: str
    required_evidence: str
    validity_days: int = 90


class GuideIn(Input):
    owner_unit_id: int
    name: str
    kind: str
    go_to: str
    reason: str
    keywords: str = ""


class GuideOut(Schema):
    id: int
    name: str
    kind: str
    go_to: str
    reason: str


class IssueIn(Input):
    unit_id: int
    type_id: int
    holder_name: str = ""
    resident_id: int | None = None
    purpose: str
    content: str
    evidence: str


class CertificateOut(Schema):
    id: int
    serial: str
    code: str
    type_id: int
    type_name: str
    unit_id: int
    unit_name: str
    holder_name: str
    purpose: str
    issued_at: dt.datetime
    valid_until: dt.date
    revoked_at: dt.datetime | None
    revoked_reason: str

    @staticmethod
    def resolve_type_name(obj: Certificate) -> str:
        return obj.type.name

    @staticmethod
    def resolve_unit_name(obj: Certificate) -> str:
        return obj.unit.name


class CertificatePageOut(Schema):
    items: list[CertificateOut]
    next_cursor: str | None
    limit: int


class RefuseCertIn(Input):
    unit_id: int
    type_id: int
    reason: str
    requester_name: str = ""


class RedirectIn(Input):
    unit_id: int
    requested: str
    guide_id: int | None = None
    kind: str = ""
    go_to: str = ""
    reason: str = ""
    requester_name: str = ""


class CertRequestOut(Schema):
    id: int
    requested: str
    outcome: str
    redirect_kind: str
    go_to: str
    reason: str
    at: dt.datetime


class VerificationOut(Schema):
    valid: bool
    status: str
    serial: str | None = None
    type: str | None = None
    issuer: str | None = None
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None
    holder: str | None = None
    revoked_on: dt.date | None = None


class ParcelIn(Input):
    direction: str
    tracking_number: str
    carrier: str
    party_name: str
    party_phone: str = ""
    at: dt.datetime | None = None


class ParcelOut(Schema):
    id: int
    direction: str
    tracking_number: str
    carrier: str
    party_name: str
    party_phone_masked: str
    at: dt.datetime
    picked_up_at: dt.datetime | None


class FinanceIn(Input):
    service: str
    resident_name: str
    amount: str = "0"
    institution: str
    reference: str = ""
    at: dt.datetime | None = None


class FinanceOut(Schema):
    id: int
    service: str
    resident_name: str
    amount: Decimal
    institution: str
    reference: str
    at: dt.datetime


class ListingIn(Input):
    product: str
    quantity: str
    measure: str = "斤"
    price: str
    seller_name: str
    seller_contact: str


class SellIn(Input):
    buyer_name: str
    buyer_contact: str
    sold_quantity: str | None = None


class ListingOut(Schema):
    id: int
    product: str
    quantity: Decimal
    measure: str
    price: Decimal
    seller_name: str
    seller_contact: str
    status: str
    buyer_name: str
    buyer_contact: str
    sold_quantity: Decimal | None
    listed_at: dt.datetime
    sold_at: dt.datetime | None


class VillageLogsOut(Schema):
    parcels: list[ParcelOut]
    finance: list[FinanceOut]
    listings: list[ListingOut]


class MonthOut(Schema):
    month: str
    parcels_in: int
    parcels_out: int
    finance_count: int
    finance_amount: Decimal
    listed: int
    sold: int
    sold_value: Decimal
