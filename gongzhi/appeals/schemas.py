"""API shapes for appeals: strict inputs (unknown fields refused) and the outputs for staff, reporters, the public."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from gongzhi.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealEvent,
    Assignment,
    Category,
    CategoryAttribute,
    ExtensionRequest,
    Rating,
    RoutingRule,
    Whistle,
    WhistleRating,
    WhistleSummons,
)
from gongzhi.appeals.workflow import Status
from gongzhi.lib.schemas import Input

_MOBILE_LIKE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11,14}([0-9Xx]{1,4})(?![0-9A-Za-z])")


def public_text(text: str) -> str:
    """Mask what looks like a mobile or identity number in text shown to the public."""
    text = _MOBILE_LIKE.sub(r"\1****\2", text or "")
    return _ID_LIKE.sub(r"\1***********\2", text)


# --- categories -----------------------------------------------------------------------------------


class AttributeValueOut(Schema):
    key: str
    name: str


class AttributeOut(Schema):
    code: str
    datatype: str
    required: bool
    variable: bool
    description: str
    datatype_description: str
    order: int
    values: list[AttributeValueOut]
    is_active: bool


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    parent_code: str | None
    depth: int
    is_leaf: bool
    is_active: bool
    description: str
    keywords: list[str]
    deadline_class: str
    response_amount: int | None
    response_unit: str
    resolution_amount: int | None
    resolution_unit: str
    is_emergency: bool
    attributes: list[AttributeOut]

    @staticmethod
    def resolve_parent_code(obj: Category) -> str | None:
        parents = getattr(obj, "_codes_by_path", None)
        if obj.depth == 1:
            return None
        parent_path = obj.path[: -Category.steplen]
        if parents is not None:
            return parents.get(parent_path)
        return Category.objects.filter(path=parent_path).values_list("code", flat=True).first()

    @staticmethod
    def resolve_is_leaf(obj: Category) -> bool:
        return obj.numchild == 0

    @staticmethod
    def resolve_keywords(obj: Category) -> list[str]:
        return obj.keyword_list

    @staticmethod
    def resolve_attributes(obj: Category) -> list[CategoryAttribute]:
        prefetched = getattr(obj, "_attributes", None)
        if prefetched is not None:
            return prefetched
        return list(obj.attributes.order_by("order"))


class CategoryCreateIn(Input):
    parent_code: str | None = None
    code: str
    name: str
    name_en: str = ""
    description: str = ""
    keywords: str = ""
    deadline_class: str = "general"
    is_emergency: bool = False
    response_amount: int | None = None
    response_unit: str | None = None
    resolution_amount: int | None = None
    resolution_unit: str | None = None


class CategoryUpdateIn(Input):
    name: str | None = None
    name_en: str | None = None
    description: str | None = None
    keywords: str | None = None
    deadline_class: str | None = None
    is_emergency: bool | None = None
    response_amount: int | None = None
    response_unit: str | None = None
    resolution_amount: int | None = None
    resolution_unit: str | None = None


class AttributeValueIn(Input):
    key: str
    name: str


class AttributeCreateIn(Input):
    code: str
    datatype: str
    description: str
    required: bool = False
    variable: bool = True
    datatype_description: str = ""
    order: int | None = None
    values: list[AttributeValueIn] = []


class AttributeUpdateIn(Input):
    datatype: str | None = None
    description: str | None = None
    required: bool | None = None
    variable: bool | None = None
    datatype_description: str | None = None
    order: int | None = None
    values: list[AttributeValueIn] | None = None
    is_active: bool | None = None


# --- routing rules --------------------------------------------------------------------------------


class RuleOut(Schema):
    id: int
    category_code: str
    category_name: str
    unit_id: int
    unit_name: str
    department_id: int
    department_name: str
    priority: int
    is_active: bool
    note: str

    @staticmethod
    def resolve_category_code(obj: RoutingRule) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: RoutingRule) -> str:
        return obj.category.name

    @staticmethod
    def resolve_unit_name(obj: RoutingRule) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_department_name(obj: RoutingRule) -> str:
        return obj.department.name


class RuleCreateIn(Input):
    category_code: str
    unit_id: int
    department_id: int
    priority: int = 0
    note: str = ""


class RuleUpdateIn(Input):
    department_id: int | None = None
    priority: int | None = None
    is_active: bool | None = None
    note: str | None = None


# --- appeals --------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class CategoryRef(Schema):
    code: str
    name: str


class ContactOut(Schema):
    name: str
    mobile_masked: str
    email_masked: str


class ContactIn(Input):
    name: str = ""
    mobile: str = ""
    email: str = ""


class AppealCreateIn(Input):
    category: str = Field(..., description="Leaf category code, e.g. UC02")
    description: str
    unit_id: int | None = Field(None, description="Unit the appeal concerns; default: the reporter's household")
    kind: str = "request"
    channel: str | None = Field(
        None, description="web or api by default; staff may give phone, walk_in or grid_patrol"
    )
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    is_public: bool = False
    attributes: dict[str, Any] = {}
    contact: ContactIn | None = None


def _status_label(obj: Appeal) -> str:
    # One label translated (get_status_display() translates every choice to look one up).
    return str(Status(obj.status).label) if obj.status in Status.values else obj.status


class AppealListItem(Schema):
    number: str
    status: str
    status_label: str
    kind: str
    channel: str
    category: CategoryRef
    summary: str
    unit: Ref
    department: Ref | None
    submitted_at: dt.datetime
    response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    is_overdue: bool
    escalation_level: int
    likely_duplicate_of: str | None

    @staticmethod
    def resolve_status_label(obj: Appeal) -> str:
        return _status_label(obj)

    @staticmethod
    def resolve_category(obj: Appeal) -> dict[str, str]:
        return {"code": obj.category.code, "name": obj.category.label()}

    @staticmethod
    def resolve_unit(obj: Appeal) -> dict[str, Any]:
        return {"id": obj.unit_id, "name": obj.unit.name}

    @staticmethod
    def resolve_department(obj: Appeal) -> dict[str, Any] | None:
        return {"id": obj.department_id, "name": obj.department.name} if obj.department_id else None

    @staticmethod
    def resolve_likely_duplicate_of(obj: Appeal) -> str | None:
        return obj.likely_duplicate_of.number if obj.likely_duplicate_of_id else None


class AppealPage(Schema):
    items: list[AppealListItem]
    next_cursor: str | None
    limit: int


class AssignmentOut(Schema):
    id: int
    department: Ref
    role: str
    status: str
    status_label: str
    task: str
    dispatched_at: dt.datetime
    accepted_at: dt.datetime | None
    done_at: dt.datetime | None
    result: str
    return_reason: str

    @staticmethod
    def resolve_department(obj: Assignment) -> dict[str, Any]:
        return {"id": obj.department_id, "name": obj.department.name}

    @staticmethod
    def resolve_status_label(obj: Assignment) -> str:
        return str(obj.get_status_display())


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    is_evidence: bool
    url: str

    @staticmethod
    def resolve_name(obj: AppealAttachment) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj: AppealAttachment) -> str:
        return f"/appeals/{obj.appeal.number}/files/{obj.pk}/"


class AppealOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    kind: str
    category: CategoryRef
    description: str
    attributes: dict[str, Any]
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    unit: Ref
    department: Ref | None
    is_public: bool
    contact: ContactOut
    submitted_at: dt.datetime
    first_dispatched_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    accepted_at: dt.datetime | None
    responded_at: dt.datetime | None
    responded_on_time: bool | None
    resolved_at: dt.datetime | None
    resolved_on_time: bool | None
    closed_at: dt.datetime | None
    close_reason: str
    response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    is_overdue: bool
    escalation_level: int
    reopen_count: int
    return_count: int
    result: str
    rejection_reason: str
    merged_into: str | None
    likely_duplicate_of: str | None
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj: Appeal) -> str:
        return _status_label(obj)

    @staticmethod
    def resolve_category(obj: Appeal) -> dict[str, str]:
        return {"code": obj.category.code, "name": obj.category.label()}

    @staticmethod
    def resolve_unit(obj: Appeal) -> dict[str, Any]:
        return {"id": obj.unit_id, "name": obj.unit.name}

    @staticmethod
    def resolve_department(obj: Appeal) -> dict[str, Any] | None:
        return {"id": obj.department_id, "name": obj.department.name} if obj.department_id else None

    @staticmethod
    def resolve_contact(obj: Appeal) -> dict[str, str]:
        name = obj.contact_name
        mobile = obj.contact_mobile_masked
        if obj.reporter_id and obj.reporter is not None:
            name = name or obj.reporter.name
            mobile = mobile or obj.reporter.mobile_masked
        return {"name": name, "mobile_masked": mobile, "email_masked": obj.contact_email_masked}

    @staticmethod
    def resolve_merged_into(obj: Appeal) -> str | None:
        return obj.merged_into.number if obj.merged_into_id else None

    @staticmethod
    def resolve_likely_duplicate_of(obj: Appeal) -> str | None:
        return obj.likely_duplicate_of.number if obj.likely_duplicate_of_id else None


class AppealDetailOut(AppealOut):
    allowed_actions: list[str]
    assignments: list[AssignmentOut]
    attachments: list[AttachmentOut]


class EventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    kind_label: str
    actor_label: str
    actor_name: str | None
    department: Ref | None
    from_status: str
    to_status: str
    comment: str
    is_public: bool
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_kind_label(obj: AppealEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_actor_name(obj: AppealEvent) -> str | None:
        if getattr(obj, "_public_view", False):
            return None
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_department(obj: AppealEvent) -> dict[str, Any] | None:
        return {"id": obj.department_id, "name": obj.department.name} if obj.department_id else None

    @staticmethod
    def resolve_attachments(obj: AppealEvent) -> list[AppealAttachment]:
        return list(obj.attachments.all())


class PublicEventOut(Schema):
    at: dt.datetime
    kind: str
    kind_label: str
    actor_label: str
    comment: str

    @staticmethod
    def resolve_kind_label(obj: AppealEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_comment(obj: AppealEvent) -> str:
        return public_text(obj.comment)


class PublicAppealOut(Schema):
    number: str
    status: str
    status_label: str
    kind: str
    category: CategoryRef
    description: str
    unit_name: str
    department_name: str | None
    submitted_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    result: str

    @staticmethod
    def resolve_status_label(obj: Appeal) -> str:
        return _status_label(obj)

    @staticmethod
    def resolve_category(obj: Appeal) -> dict[str, str]:
        return {"code": obj.category.code, "name": obj.category.label()}

    @staticmethod
    def resolve_description(obj: Appeal) -> str:
        return public_text(obj.description)

    @staticmethod
    def resolve_unit_name(obj: Appeal) -> str:
        from gongzhi.appeals.queries import public_unit_name

        return public_unit_name(obj)

    @staticmethod
    def resolve_department_name(obj: Appeal) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_result(obj: Appeal) -> str:
        return public_text(obj.result)


class PublicAppealDetailOut(PublicAppealOut):
    timeline: list[PublicEventOut]


class PublicPage(Schema):
    items: list[PublicAppealOut]
    next_cursor: str | None
    limit: int


class TrackIn(Input):
    number: str
    mobile: str


class TrackedAppealOut(PublicAppealDetailOut):
    can_rate: bool


class TrackRateIn(Input):
    number: str
    mobile: str
    resolved: bool
    satisfaction: str
    comment: str = ""


# --- actions --------------------------------------------------------------------------------------


class Versioned(Input):
    version: int | None = Field(None, description="The version you saw; a different current version gives 409")


class DispatchIn(Versioned):
    department_id: int
    comment: str = ""


class RedispatchIn(Versioned):
    department_id: int
    reason: str


class BulkDispatchIn(Input):
    numbers: list[str]
    department_id: int
    comment: str = ""


class BulkResultOut(Schema):
    number: str
    ok: bool
    message: str
    status: int


class ReasonIn(Versioned):
    reason: str


class MergeIn(Versioned):
    into: str
    comment: str = ""


class AssignmentIn(Versioned):
    assignment_id: int | None = None


class ReturnIn(AssignmentIn):
    reason: str


class RespondIn(AssignmentIn):
    comment: str


class CompleteIn(AssignmentIn):
    result: str
    evidence_ids: list[int] = []


class RatingIn(Input):
    resolved: bool
    satisfaction: str = Field(..., description="satisfied, basic or unsatisfied")
    comment: str = ""


class RatingOut(Schema):
    id: int
    number: str
    round: int
    resolved: bool
    satisfaction: str
    comment: str
    rated_at: dt.datetime
    department: Ref | None
    status_after: str

    @staticmethod
    def resolve_number(obj: Rating) -> str:
        return obj.appeal.number

    @staticmethod
    def resolve_department(obj: Rating) -> dict[str, Any] | None:
        return {"id": obj.department_id, "name": obj.department.name} if obj.department_id else None

    @staticmethod
    def resolve_status_after(obj: Rating) -> str:
        return obj.appeal.status


class ReviewIn(Versioned):
    decision: str = Field(..., description="reopen or close")
    comment: str


class CommentIn(Versioned):
    comment: str


class NoteIn(Input):
    comment: str
    public: bool = False


class PublicIn(Input):
    is_public: bool


class RevealOut(Schema):
    name: str
    mobile: str
    email: str


class SplitIn(Versioned):
    lead_id: int
    assisting_ids: list[int]
    comment: str = ""
    tasks: dict[int, str] = {}


class ExtensionIn(Input):
    extra_workdays: int
    reason: str
    assignment_id: int | None = None


class ExtensionDecideIn(Input):
    approve: bool
    note: str = ""


class ExtensionOut(Schema):
    id: int
    number: str
    department: Ref
    reason: str
    extra_workdays: int
    old_due: dt.datetime | None
    new_due: dt.datetime | None
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str

    @staticmethod
    def resolve_number(obj: ExtensionRequest) -> str:
        return obj.appeal.number

    @staticmethod
    def resolve_department(obj: ExtensionRequest) -> dict[str, Any]:
        return {"id": obj.department_id, "name": obj.department.name}


class WhistleIn(Input):
    department_ids: list[int]
    reason: str
    minutes: int | None = None
    place: str = ""


class WhistleRatingOut(Schema):
    id: int
    summons_id: int
    side: str
    side_label: str
    score: int
    score_label: str
    comment: str
    rated_at: dt.datetime
    department: Ref
    unit: Ref

    @staticmethod
    def resolve_side_label(obj: WhistleRating) -> str:
        return str(obj.get_side_display())

    @staticmethod
    def resolve_score_label(obj: WhistleRating) -> str:
        return str(obj.get_score_display())

    @staticmethod
    def resolve_department(obj: WhistleRating) -> dict[str, Any]:
        return {"id": obj.department_id, "name": obj.summons.department.name}

    @staticmethod
    def resolve_unit(obj: WhistleRating) -> dict[str, Any]:
        return {"id": obj.unit_id, "name": obj.summons.whistle.unit.name}


class WhistleRateIn(Input):
    side: str
    score: int
    comment: str = ""


class WhistleCloseIn(Input):
    note: str = ""


class SummonsOut(Schema):
    id: int
    number: str
    department: Ref
    due_at: dt.datetime
    status: str
    status_label: str
    checked_in_at: dt.datetime | None
    note: str
    ratings: list[WhistleRatingOut]

    @staticmethod
    def resolve_number(obj: WhistleSummons) -> str:
        return obj.whistle.appeal.number

    @staticmethod
    def resolve_department(obj: WhistleSummons) -> dict[str, Any]:
        return {"id": obj.department_id, "name": obj.department.name}

    @staticmethod
    def resolve_status_label(obj: WhistleSummons) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_ratings(obj: WhistleSummons) -> list[WhistleRating]:
        return list(obj.ratings.all())


class WhistleOut(Schema):
    id: int
    number: str
    unit: Ref
    reason: str
    place: str
    minutes: int
    blown_at: dt.datetime
    due_at: dt.datetime
    closed_at: dt.datetime | None
    close_note: str
    summonses: list[SummonsOut]

    @staticmethod
    def resolve_number(obj: Whistle) -> str:
        return obj.appeal.number

    @staticmethod
    def resolve_unit(obj: Whistle) -> dict[str, Any]:
        return {"id": obj.unit_id, "name": obj.unit.name}

    @staticmethod
    def resolve_summonses(obj: Whistle) -> list[WhistleSummons]:
        # whistles_of() prefetches these (with their ratings); a freshly blown whistle has none cached.
        return list(obj.summonses.all())


class CheckInIn(Input):
    note: str = ""


class MyAssignmentOut(AssignmentOut):
    appeal: AppealListItem


class MyAssignmentPage(Schema):
    items: list[MyAssignmentOut]
    next_cursor: str | None
    limit: int
