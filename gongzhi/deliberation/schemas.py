"""API shapes for deliberation (inputs refuse unknown fields)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ninja import Field, Schema

from gongzhi.lib.schemas import Input


@lru_cache(maxsize=256)
def _choices(model: type, field: str) -> dict[str, Any]:
    return dict(model._meta.get_field(field).flatchoices)


def _label(obj: Any, field: str) -> str:
    """The display label of a choice field (cached choices: get_FOO_display re-hashes them on every call)."""
    value = getattr(obj, field)
    return str(_choices(type(obj), field).get(value, value))


# --- bodies --------------------------------------------------------------------------------------------


class BodyIn(Input):
    unit_id: int
    name: str
    level: str
    parent_id: int | None = None
    quorum_numerator: int | None = None
    quorum_denominator: int | None = None
    majority_rule: str | None = None
    notice_days: int | None = None
    meeting_interval_days: int | None = None
    demand_numerator: int | None = None
    demand_denominator: int | None = None
    demand_response_days: int | None = None
    cosign_threshold: int | None = None
    requires_party_screening: bool | None = None
    requires_legal_review: bool | None = None


class BodyPatch(Input):
    name: str | None = None
    parent_id: int | None = None
    quorum_numerator: int | None = None
    quorum_denominator: int | None = None
    majority_rule: str | None = None
    notice_days: int | None = None
    meeting_interval_days: int | None = None
    demand_numerator: int | None = None
    demand_denominator: int | None = None
    demand_response_days: int | None = None
    cosign_threshold: int | None = None
    requires_party_screening: bool | None = None
    requires_legal_review: bool | None = None
    is_active: bool | None = None


class BodyOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_name: str
    level: str
    level_label: str
    parent_id: int | None
    quorum_numerator: int
    quorum_denominator: int
    majority_rule: str
    majority_rule_label: str
    notice_days: int
    meeting_interval_days: int | None
    demand_numerator: int
    demand_denominator: int
    demand_response_days: int
    cosign_threshold: int
    requires_party_screening: bool
    requires_legal_review: bool
    is_active: bool

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return _label(obj, "level")

    @staticmethod
    def resolve_majority_rule_label(obj: Any) -> str:
        return _label(obj, "majority_rule")


class MemberIn(Input):
    user_id: int
    role: str = "member"
    source: str = "appointed"
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    votes: bool | None = None


class MemberEndIn(Input):
    on: dt.date | None = None
    reason: str = ""


class MemberOut(Schema):
    id: int
    body_id: int
    user_id: int
    user_name: str
    role: str
    role_label: str
    source: str
    term_start: dt.date
    term_end: dt.date | None
    votes: bool

    @staticmethod
    def resolve_user_name(obj: Any) -> str:
        return obj.user.name

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return _label(obj, "role")


class BodyDetailOut(BodyOut):
    members: list[MemberOut] = Field(alias="members_now")
    voting_members: int
    quorum_required: int
    demand_required: int
    meeting_due: dt.date | None


class DemandIn(Input):
    subject: str


class DemandOut(Schema):
    id: int
    body_id: int
    subject: str
    status: str
    status_label: str
    required: int
    signature_count: int
    due_date: dt.date | None
    meeting_id: int | None

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")


# --- topics --------------------------------------------------------------------------------------------


class TopicProposeIn(Input):
    body_id: int
    title: str
    description: str
    as_representative: bool = False


class TopicOnBehalfIn(Input):
    body_id: int
    title: str
    description: str
    source: str
    source_detail: str = ""
    appeal_numbers: list[str] = []


class ScreenIn(Input):
    decision: str
    reason: str = ""
    is_public_matter: bool | None = None
    merge_into_id: int | None = None
    # The appeal category a referral ("refer") goes under; the appeal is created in the topic's unit.
    refer_category: str = ""


class PartyScreenIn(Input):
    approve: bool
    reason: str = ""


class TopicOut(Schema):
    id: int
    number: str | None
    title: str
    body_id: int
    body_name: str
    unit_id: int
    level: str
    source: str
    source_label: str
    status: str
    status_label: str
    stage: str
    stage_label: str
    cosign_required: int
    cosign_count: int
    created_at: dt.datetime
    published_at: dt.datetime | None

    @staticmethod
    def resolve_body_name(obj: Any) -> str:
        return obj.body.name

    @staticmethod
    def resolve_source_label(obj: Any) -> str:
        return _label(obj, "source")

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")

    @staticmethod
    def resolve_stage_label(obj: Any) -> str:
        return _label(obj, "stage")


class TopicEventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    note: str
    body_name: str | None
    actor_name: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_body_name(obj: Any) -> str | None:
        return obj.body.name if obj.body_id else None

    @staticmethod
    def resolve_actor_name(obj: Any) -> str | None:
        return obj.actor.name if obj.actor_id else None


class StageOut(Schema):
    code: str
    label: str
    state: str  # done / current / todo


class LinkedAppealOut(Schema):
    """An appeal the topic cites; category and status only when the caller may see the appeal (or it is public)."""

    number: str
    role: str  # source / referral
    role_label: str
    visible: bool
    category_code: str | None
    category_name: str | None
    status: str | None
    status_label: str | None
    url: str | None


class TopicDetailOut(TopicOut):
    description: str
    source_detail: str
    appeal_numbers: list[str]
    appeals: list[LinkedAppealOut]
    referred_appeal_number: str | None
    is_public_matter: bool | None
    decision_reason: str
    merged_into_id: int | None
    evaluation_score: Decimal | None
    explanation: str
    stages: list[StageOut]
    timeline: list[TopicEventOut]
    cosigned: bool

    @staticmethod
    def resolve_appeal_numbers(obj: Any) -> list[str]:
        return [a.number for a in obj.linked_appeals if a.role == "source"]

    @staticmethod
    def resolve_appeals(obj: Any) -> list[Any]:
        return obj.linked_appeals

    @staticmethod
    def resolve_referred_appeal_number(obj: Any) -> str | None:
        return next((a.number for a in obj.linked_appeals if a.role == "referral"), None)


class TopicPageOut(Schema):
    items: list[TopicOut]
    next_cursor: str | None
    limit: int


# --- meetings ------------------------------------------------------------------------------------------


class MeetingIn(Input):
    body_id: int
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    place: str
    convener_id: int | None = None
    is_public: bool = False


class ItemIn(Input):
    topic_id: int | None = None
    title: str = ""
    motion: str = ""


class InviteeIn(Input):
    kind: str
    user_id: int | None = None
    department_id: int | None = None
    name: str = ""


class NoticeIn(Input):
    urgent: bool = False
    urgent_reason: str = ""
    notice_text: str = ""


class ReasonIn(Input):
    reason: str


class CloseMeetingIn(Input):
    summary: str = ""


class AttendanceIn(Input):
    user_id: int


class CheckinIn(Input):
    code: str


class QuorumOut(Schema):
    members: int
    present: int
    required: int
    reached: bool
    attendees: int


class ItemOut(Schema):
    id: int
    meeting_id: int
    position: int
    topic_id: int | None
    title: str
    motion: str
    status: str
    status_label: str
    minutes: str
    consensus: str
    secret: bool
    vote_opened_at: dt.datetime | None
    vote_closed_at: dt.datetime | None
    votes_cast: int
    majority_rule: str
    member_count: int | None
    present_count: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    required_for: int | None
    result: str
    resolution_id: int | None

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")

    @staticmethod
    def resolve_votes_cast(obj: Any) -> int:
        return obj.casts.count()

    @staticmethod
    def resolve_resolution_id(obj: Any) -> int | None:
        resolution = getattr(obj, "resolution", None)
        return resolution.pk if resolution is not None else None


class InviteeOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    user_id: int | None
    department_id: int | None
    notified_at: dt.datetime | None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return _label(obj, "kind")


class AttendanceOut(Schema):
    id: int
    user_id: int
    user_name: str
    is_voting_member: bool
    method: str
    checked_in_at: dt.datetime

    @staticmethod
    def resolve_user_name(obj: Any) -> str:
        return obj.user.name


class MeetingOut(Schema):
    id: int
    number: str | None
    body_id: int
    body_name: str
    kind: str
    kind_label: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str
    convener_id: int
    status: str
    status_label: str
    is_public: bool
    urgent: bool
    urgent_reason: str
    notice_sent_at: dt.datetime | None

    @staticmethod
    def resolve_body_name(obj: Any) -> str:
        return obj.body.name

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return _label(obj, "kind")

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")


class MeetingDetailOut(MeetingOut):
    notice_text: str
    summary: str
    checkin_code: str | None = Field(alias="code_shown")
    items: list[ItemOut] = Field(alias="agenda")
    invitees: list[InviteeOut] = Field(alias="invitee_list")
    attendance: list[AttendanceOut]
    quorum: QuorumOut


class MinutesIn(Input):
    minutes: str


class OpenVoteIn(Input):
    secret: bool = False
    motion: str = ""


class VoteIn(Input):
    choice: str


class VoteOut(Schema):
    item_id: int
    recorded: bool
    votes_cast: int


class ConsensusIn(Input):
    consensus: str


class CommitmentSpec(Input):
    title: str
    deadline: dt.date
    owner_user_id: int | None = None
    owner_department_id: int | None = None


class RoundtableIssueIn(Input):
    title: str
    text: str
    raised_by: str
    commitments: list[CommitmentSpec] = []


# --- resolutions ---------------------------------------------------------------------------------------


class UpdateOut(Schema):
    id: int
    kind: str
    kind_label: str
    note: str
    actor_name: str
    evidence_url: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return _label(obj, "kind")

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        return obj.actor.name

    @staticmethod
    def resolve_evidence_url(obj: Any) -> str | None:
        return f"/deliberation/evidence/{obj.pk}/" if obj.evidence else None


class CommitmentOut(Schema):
    id: int
    resolution_id: int
    title: str
    owner_user_id: int | None
    owner_department_id: int | None
    owner_label: str
    deadline: dt.date
    status: str
    status_label: str
    closed_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    findings: str
    updates: list[UpdateOut]

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")

    @staticmethod
    def resolve_updates(obj: Any) -> list[Any]:
        return list(obj.updates.all())


class ObjectionOut(Schema):
    id: int
    text: str
    status: str
    answer: str
    created_at: dt.datetime
    answered_at: dt.datetime | None


class ResolutionOut(Schema):
    id: int
    number: str | None
    kind: str
    kind_label: str
    body_id: int
    meeting_id: int
    item_id: int | None
    topic_id: int | None
    title: str
    text: str
    raised_by: str
    status: str
    status_label: str
    legal_opinion: str
    posted_at: dt.datetime | None
    post_until: dt.date | None
    evaluation_until: dt.date | None
    evaluation_score: Decimal | None
    evaluation_count: int

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return _label(obj, "kind")

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")


class ResolutionDetailOut(ResolutionOut):
    commitments: list[CommitmentOut] = Field(alias="commitment_list")
    objections: list[ObjectionOut] = Field(alias="objection_list")


class LegalReviewIn(Input):
    approve: bool
    opinion: str


class ReviseIn(Input):
    text: str


class PostIn(Input):
    days: int = 7


class TextIn(Input):
    text: str


class AnswerIn(Input):
    answer: str


class EvaluationIn(Input):
    score: int
    comment: str = ""


class ProgressIn(Input):
    note: str


class ReviewIn(Input):
    accept: bool
    findings: str = ""


# --- consultations, inquiries, contests ---------------------------------------------------------------


class SectionIn(Input):
    heading: str = ""
    text: str


class ConsultationIn(Input):
    unit_id: int
    title: str
    summary: str = ""
    closes_on: dt.date
    sections: list[SectionIn]


class SectionOut(Schema):
    id: int
    number: int
    heading: str
    text: str


class CommentOut(Schema):
    id: int
    section_id: int | None
    author_name: str
    channel: str
    channel_label: str
    text: str
    status: str
    moderation_note: str
    reply_kind: str
    reply: str
    replied_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_channel_label(obj: Any) -> str:
        return _label(obj, "channel")


class ConsultationOut(Schema):
    id: int
    unit_id: int
    title: str
    summary: str
    status: str
    status_label: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    report: str

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")


class ConsultationDetailOut(ConsultationOut):
    sections: list[SectionOut] = Field(alias="section_list")
    comments: list[CommentOut] = Field(alias="comment_list")
    figures: dict[str, Any]


class CommentIn(Input):
    text: str
    section_id: int | None = None


class CommentEnterIn(Input):
    channel: str
    author_name: str
    text: str
    section_id: int | None = None


class ModerateIn(Input):
    publish: bool
    note: str = ""


class ReplyIn(Input):
    kind: str
    reply: str


class ReportIn(Input):
    report: str


class InquiryIn(Input):
    unit_id: int
    kind: str
    title: str
    text: str


class InquiryReplyIn(Input):
    reply: str


class InquiryOut(Schema):
    id: int
    number: str | None
    kind: str
    kind_label: str
    unit_id: int
    unit_name: str
    handling_unit_id: int
    handling_unit_name: str
    title: str
    text: str
    status: str
    status_label: str
    due_at: dt.datetime
    escalated_at: dt.datetime | None
    reply: str
    replied_at: dt.datetime | None
    replied_late: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return _label(obj, "kind")

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_handling_unit_name(obj: Any) -> str:
        return obj.handling_unit.name


class InquiryPageOut(Schema):
    items: list[InquiryOut]
    next_cursor: str | None
    limit: int


class CriterionIn(Input):
    name: str
    weight: Decimal
    max_score: int = 10


class ContestIn(Input):
    unit_id: int
    title: str
    description: str = ""
    budget: str = "0"
    min_self_share: str = "0"
    awards: int = 3
    pitch_minutes: int = 5
    criteria: list[CriterionIn]


class CriterionOut(Schema):
    id: int
    name: str
    weight: Decimal
    max_score: int


class PitchOut(Schema):
    id: int
    title: str
    team: str
    summary: str
    topic_id: int | None
    total_cost: Decimal
    requested: Decimal
    self_raised: Decimal
    self_share: Decimal
    score: Decimal | None
    rank: int | None
    awarded: bool
    award_amount: Decimal | None


class ContestOut(Schema):
    id: int
    unit_id: int
    title: str
    description: str
    status: str
    status_label: str
    budget: Decimal
    min_self_share: Decimal
    awards: int
    pitch_minutes: int

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(obj, "status")


class ContestDetailOut(ContestOut):
    criteria: list[CriterionOut] = Field(alias="criterion_list")
    pitches: list[PitchOut] = Field(alias="pitch_list")
    judges: list[int] = Field(alias="judge_ids")


class JudgeIn(Input):
    user_id: int


class PitchIn(Input):
    title: str
    team: str
    summary: str = ""
    total_cost: str
    requested: str
    topic_id: int | None = None


class ContributionIn(Input):
    contributor: str
    amount: str
    received_on: dt.date | None = None


class ScoresIn(Input):
    scores: dict[str, Decimal]
