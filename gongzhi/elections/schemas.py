"""API shapes for elections. Inputs refuse unknown fields; outputs never carry a ballot's link to anyone."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Schema
from pydantic import Field

from gongzhi.elections.models import (
    Ballot,
    Election,
    ElectionEvent,
    ElectionResult,
    Nomination,
    ProxyAuthorization,
    RollEntry,
)
from gongzhi.lib.schemas import Input


class ElectionOut(Schema):
    id: int
    title: str
    description: str
    unit_id: int
    unit_name: str
    body_id: int
    body_name: str
    parent_id: int | None
    seats: int
    term_start: dt.date
    term_end: dt.date
    electorate: str
    electorate_label: str
    electorate_body_id: int | None
    nomination_threshold: int
    body_nominations: bool
    competitive: bool
    proxy_limit: int
    min_turnout: str
    nominations_close_at: dt.datetime | None
    voting_starts_at: dt.datetime
    voting_ends_at: dt.datetime
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    voters_count: int
    roll_frozen_at: dt.datetime | None
    sealed_at: dt.datetime | None
    tallied_at: dt.datetime | None
    published_at: dt.datetime | None
    cancel_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_unit_name(obj: Election) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_body_name(obj: Election) -> str:
        return obj.body.name

    @staticmethod
    def resolve_electorate_label(obj: Election) -> str:
        return str(obj.get_electorate_display())

    @staticmethod
    def resolve_status_label(obj: Election) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_outcome_label(obj: Election) -> str:
        return str(obj.get_outcome_display())

    @staticmethod
    def resolve_min_turnout(obj: Election) -> str:
        return f"> {obj.turnout_numerator}/{obj.turnout_denominator}"


class ElectionPageOut(Schema):
    items: list[ElectionOut]
    next_cursor: str | None
    limit: int


class ElectionFilter(Schema):
    status: str = ""
    unit_id: int | None = None
    body_id: int | None = None
    mine: bool = False
    cursor: str | None = None
    limit: int = 50


class ElectionCreateIn(Input):
    body_id: int
    title: str = Field(max_length=120)
    description: str = ""
    seats: int = Field(ge=1, le=200)
    term_start: dt.date
    term_end: dt.date
    electorate: str
    electorate_body_id: int | None = None
    voting_starts_at: dt.datetime
    voting_ends_at: dt.datetime
    nominations_close_at: dt.datetime | None = None
    nomination_threshold: int = Field(10, ge=1, le=1000)
    body_nominations: bool = True
    competitive: bool = True
    proxy_limit: int | None = Field(None, ge=0, le=10)


class ElectionUpdateIn(Input):
    title: str | None = Field(None, max_length=120)
    description: str | None = None
    seats: int | None = Field(None, ge=1, le=200)
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    electorate: str | None = None
    electorate_body_id: int | None = None
    voting_starts_at: dt.datetime | None = None
    voting_ends_at: dt.datetime | None = None
    nominations_close_at: dt.datetime | None = None
    nomination_threshold: int | None = Field(None, ge=1, le=1000)
    body_nominations: bool | None = None
    competitive: bool | None = None
    proxy_limit: int | None = Field(None, ge=0, le=10)


class ReasonIn(Input):
    reason: str


class RunoffIn(Input):
    voting_starts_at: dt.datetime
    voting_ends_at: dt.datetime


class EventOut(Schema):
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str | None
    note: str

    @staticmethod
    def resolve_kind_label(obj: ElectionEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_actor(obj: ElectionEvent) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class RollEntryOut(Schema):
    id: int
    number: int
    name: str
    unit_name: str
    status: str
    source: str
    reason: str
    identity_masked: str
    household_number: str
    has_voted: bool
    has_account: bool

    @staticmethod
    def resolve_unit_name(obj: RollEntry) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_identity_masked(obj: RollEntry) -> str:
        return obj.resident.identity_masked if obj.resident_id else ""

    @staticmethod
    def resolve_household_number(obj: RollEntry) -> str:
        return obj.household.number if obj.household_id else ""

    @staticmethod
    def resolve_has_voted(obj: RollEntry) -> bool:
        return hasattr(obj, "receipt")

    @staticmethod
    def resolve_has_account(obj: RollEntry) -> bool:
        return bool(obj.user_id or (obj.resident_id and obj.resident.user_id))


class RollPageOut(Schema):
    items: list[RollEntryOut]
    next_cursor: str | None
    limit: int


class PublicRollEntryOut(Schema):
    number: int
    name: str
    unit_name: str

    @staticmethod
    def resolve_unit_name(obj: RollEntry) -> str:
        return obj.unit.name


class RollAddIn(Input):
    resident_id: int | None = None
    user_id: int | None = None
    reason: str


class NominationOut(Schema):
    id: int
    nominee_number: int
    nominee_name: str
    nominee_unit: str
    method: str
    method_label: str
    status: str
    status_label: str
    supporters: int
    threshold: int
    body_decision: str
    statement: str
    reason: str

    @staticmethod
    def resolve_nominee_number(obj: Nomination) -> int:
        return obj.nominee.number

    @staticmethod
    def resolve_nominee_name(obj: Nomination) -> str:
        return obj.nominee.name

    @staticmethod
    def resolve_nominee_unit(obj: Nomination) -> str:
        return obj.nominee.unit.name

    @staticmethod
    def resolve_method_label(obj: Nomination) -> str:
        return str(obj.get_method_display())

    @staticmethod
    def resolve_status_label(obj: Nomination) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_supporters(obj: Nomination) -> int:
        count = getattr(obj, "support_count", None)
        return count if count is not None else obj.supports.filter(supporter__status="active").count()

    @staticmethod
    def resolve_threshold(obj: Nomination) -> int:
        return obj.election.nomination_threshold


class NominateIn(Input):
    nominee_number: int
    statement: str = Field("", max_length=2000)


class PaperNominationIn(Input):
    nominee_number: int
    supporter_numbers: list[int] = Field(min_length=1, max_length=1000)
    statement: str = Field("", max_length=2000)


class BodyNominationIn(Input):
    nominee_number: int
    body_decision: str
    statement: str = Field("", max_length=2000)


class AcceptIn(Input):
    statement: str | None = Field(None, max_length=2000)


class DeclineIn(Input):
    reason: str = ""


class ProxyOut(Schema):
    id: int
    principal_number: int
    principal_name: str
    proxy_number: int
    proxy_name: str
    document_number: str
    signed_on: dt.date
    note: str
    recorded_by: str
    recorded_at: dt.datetime
    revoked_at: dt.datetime | None
    revoke_reason: str
    used: bool

    @staticmethod
    def resolve_principal_number(obj: ProxyAuthorization) -> int:
        return obj.principal.number

    @staticmethod
    def resolve_principal_name(obj: ProxyAuthorization) -> str:
        return obj.principal.name

    @staticmethod
    def resolve_proxy_number(obj: ProxyAuthorization) -> int:
        return obj.proxy.number

    @staticmethod
    def resolve_proxy_name(obj: ProxyAuthorization) -> str:
        return obj.proxy.name

    @staticmethod
    def resolve_recorded_by(obj: ProxyAuthorization) -> str:
        return str(obj.recorded_by)

    @staticmethod
    def resolve_used(obj: ProxyAuthorization) -> bool:
        receipt = getattr(obj.principal, "receipt", None)
        return receipt is not None and receipt.proxy_id == obj.proxy_id


class ProxyIn(Input):
    principal_number: int
    proxy_number: int
    document_number: str = Field(max_length=60)
    signed_on: dt.date
    note: str = Field("", max_length=200)


class BallotIn(Input):
    choices: list[int] = Field(max_length=200)
    on_behalf_of: int | None = Field(None, description="The principal's voter number, when voting as a proxy.")


class CastOut(Schema):
    recorded: bool
    voter_number: int
    channel: str


class PaperIssueIn(Input):
    voter_number: int
    proxy_number: int | None = None


class PaperBallotIn(Input):
    choices: list[int] = Field(default_factory=list, max_length=200)
    spoiled: bool = False


class PaperBallotOut(Schema):
    id: uuid.UUID
    code: str
    choices: list[int]
    spoiled: bool
    status: str
    entered_by: str | None
    confirmed_by: str | None
    void_reason: str

    @staticmethod
    def resolve_entered_by(obj: Ballot) -> str | None:
        return str(obj.entered_by) if obj.entered_by_id else None

    @staticmethod
    def resolve_confirmed_by(obj: Ballot) -> str | None:
        return str(obj.confirmed_by) if obj.confirmed_by_id else None


class CandidateOut(Schema):
    id: int
    number: int
    name: str
    unit_name: str
    statement: str
    method: str

    @staticmethod
    def resolve_number(obj: Nomination) -> int:
        return obj.nominee.number

    @staticmethod
    def resolve_name(obj: Nomination) -> str:
        return obj.nominee.name

    @staticmethod
    def resolve_unit_name(obj: Nomination) -> str:
        return obj.nominee.unit.name


class ResultOut(Schema):
    candidate_id: int
    name: str
    votes: int
    rank: int
    status: str
    status_label: str

    @staticmethod
    def resolve_candidate_id(obj: ElectionResult) -> int:
        return obj.nomination_id

    @staticmethod
    def resolve_name(obj: ElectionResult) -> str:
        return obj.nomination.nominee.name

    @staticmethod
    def resolve_status_label(obj: ElectionResult) -> str:
        return str(obj.get_status_display())


class ResultsOut(Schema):
    election: ElectionOut
    voters: int
    voted: int
    ballots: int
    valid_ballots: int
    invalid_ballots: int
    blank_ballots: int
    outcome: str
    outcome_label: str
    results: list[ResultOut]
    runoff_id: int | None


class MeOut(Schema):
    on_roll: bool
    voter_number: int | None
    has_voted: bool
    can_vote: bool
    can_nominate: bool
    proxies_for: list[PublicRollEntryOut]
    my_nomination: NominationOut | None
    supported: list[int]


class TurnoutOut(Schema):
    voters: int
    voted: int
    percent: float
    by_channel: dict[str, int]
    pending_paper: int
    paper_entered: int
    paper_issued: int


class ElectionDetailOut(ElectionOut):
    candidates: list[CandidateOut]
    turnout: TurnoutOut
    me: MeOut


def me_out(state: Any) -> dict[str, Any]:
    return {
        "on_roll": state.entry is not None,
        "voter_number": state.entry.number if state.entry else None,
        "has_voted": state.has_voted,
        "can_vote": state.can_vote,
        "can_nominate": state.can_nominate,
        "proxies_for": state.principals,
        "my_nomination": state.my_nomination,
        "supported": sorted(state.supported),
    }
