"""Bad input gets a clear 4xx and changes nothing: co-signing twice, voting twice or outside the window, voting
without quorum, convening without notice, a non-member voting, closing a commitment without evidence."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Commitment, CoSignature, Meeting, MeetingKind, Topic, Vote, VoteCast
from tests.conftest import assert_error
from tests.deliberation.conftest import soon, upload


def _unchanged(before: int) -> None:
    assert AuditEvent.objects.count() == before


def test_co_signing_twice_is_refused(council, api, resident, neighbours):
    topic = actions.topic_propose(actor=resident, body=council, title="健身角", description="增加器材")
    assert api(neighbours[0]).post(f"/deliberation/topics/{topic.pk}/cosign").status_code == 200
    before = AuditEvent.objects.count()
    assert_error(api(neighbours[0]).post(f"/deliberation/topics/{topic.pk}/cosign"), 409, "already_cosigned")
    assert_error(api(resident).post(f"/deliberation/topics/{topic.pk}/cosign"), 409, "own_topic")
    assert CoSignature.objects.filter(topic=topic).count() == 1
    assert Topic.objects.get(pk=topic.pk).cosign_count == 1
    _unchanged(before)


def test_a_resident_of_another_community_cannot_co_sign(world, council, api, resident, outsider):
    topic = actions.topic_propose(actor=resident, body=council, title="健身角", description="增加器材")
    assert_error(api(outsider).post(f"/deliberation/topics/{topic.pk}/cosign"), 403, "forbidden")
    assert CoSignature.objects.count() == 0


def test_a_proposal_without_a_title_is_refused(council, api, resident):
    response = api(resident).post("/deliberation/topics", {"body_id": council.pk, "title": " ", "description": "x"})
    assert_error(response, 422, "invalid_input", "title")
    response = api(resident).post(
        "/deliberation/topics", {"body_id": council.pk, "title": "x", "description": "x", "colour": 1}
    )
    assert_error(response, 422, "invalid_input", "colour")
    assert Topic.objects.count() == 0


def test_rejecting_without_a_public_reason_is_refused(council, api, representative, community_worker):
    topic = actions.topic_propose(
        actor=representative, body=council, title="x", description="y", as_representative=True
    )
    assert_error(
        api(community_worker).post(f"/deliberation/topics/{topic.pk}/screen", {"decision": "reject"}),
        422,
        "invalid_input",
        "reason",
    )
    assert_error(
        api(community_worker).post(
            f"/deliberation/topics/{topic.pk}/screen", {"decision": "escalate", "reason": "大"}
        ),
        422,
        "invalid_input",
        "decision",
    )
    assert Topic.objects.get(pk=topic.pk).status == "submitted"


def test_convening_without_the_notice_period_is_refused(council, api, community_worker):
    meeting = actions.meeting_create(
        actor=community_worker,
        body=council,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="会",
        starts_at=soon(30),
        place="室",
    )
    actions.meeting_add_item(actor=community_worker, meeting=meeting, title="事项")
    before = AuditEvent.objects.count()
    assert_error(
        api(community_worker).post(f"/deliberation/meetings/{meeting.pk}/notice", {}), 422, "notice_too_late", "urgent"
    )
    assert_error(
        api(community_worker).post(f"/deliberation/meetings/{meeting.pk}/notice", {"urgent": True}),
        422,
        "invalid_input",
        "urgent_reason",
    )
    assert Meeting.objects.get(pk=meeting.pk).status == "draft"
    _unchanged(before)


def test_a_meeting_in_the_past_is_refused(council, api, community_worker):
    response = api(community_worker).post(
        "/deliberation/meetings",
        {
            "body_id": council.pk,
            "kind": "consultation",
            "title": "会",
            "starts_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "place": "室",
        },
    )
    assert_error(response, 422, "invalid_input", "starts_at")
    assert Meeting.objects.count() == 0


def test_votes_are_refused_without_quorum_outside_the_window_twice_and_from_non_members(
    council, api, convene, community_worker, resident
):
    reps = council.test_members
    session = convene(council, community_worker, titles=["增设快递柜"])
    item = session.items[0]
    meeting = session.meeting
    # Before the vote opens: outside the window.
    actions.attendance_mark(actor=community_worker, meeting=meeting, user=reps[0])
    assert_error(api(reps[0]).post(f"/deliberation/items/{item.pk}/votes", {"choice": "for"}), 409, "vote_closed")
    # Three of six present: quorum is four.
    for rep in reps[1:3]:
        actions.attendance_mark(actor=community_worker, meeting=meeting, user=rep)
    assert_error(api(community_worker).post(f"/deliberation/items/{item.pk}/open-vote", {}), 409, "no_quorum")
    actions.attendance_mark(actor=community_worker, meeting=meeting, user=reps[3])
    assert api(community_worker).post(f"/deliberation/items/{item.pk}/open-vote", {}).status_code == 200
    assert api(reps[0]).post(f"/deliberation/items/{item.pk}/votes", {"choice": "for"}).status_code == 201
    before = AuditEvent.objects.count()
    assert_error(
        api(reps[0]).post(f"/deliberation/items/{item.pk}/votes", {"choice": "against"}), 409, "already_voted"
    )
    assert_error(
        api(resident).post(f"/deliberation/items/{item.pk}/votes", {"choice": "for"}), 404
    )  # not invited: cannot see it
    assert_error(
        api(community_worker).post(f"/deliberation/items/{item.pk}/votes", {"choice": "for"}), 403, "forbidden"
    )
    assert_error(
        api(reps[1]).post(f"/deliberation/items/{item.pk}/votes", {"choice": "maybe"}), 422, "invalid_input", "choice"
    )
    _unchanged(before)
    assert VoteCast.objects.filter(item=item).count() == 1
    assert list(Vote.objects.filter(item=item).values_list("choice", flat=True)) == ["for"]
    # After the vote closes: outside the window again.
    api(community_worker).post(f"/deliberation/items/{item.pk}/close-vote")
    assert_error(api(reps[1]).post(f"/deliberation/items/{item.pk}/votes", {"choice": "for"}), 409, "vote_closed")
    assert VoteCast.objects.filter(item=item).count() == 1


def test_a_named_vote_records_the_voter_and_a_tie_fails(council, api, convene, community_worker):
    reps = council.test_members
    session = convene(council, community_worker, titles=["调整议事规则"])
    item = session.items[0]
    for rep in reps:
        actions.attendance_mark(actor=community_worker, meeting=session.meeting, user=rep)
    api(community_worker).post(f"/deliberation/items/{item.pk}/open-vote", {"secret": False})
    for rep, choice in zip(reps, ["for", "for", "for", "against", "against", "against"], strict=True):
        api(rep).post(f"/deliberation/items/{item.pk}/votes", {"choice": choice})
    assert Vote.objects.filter(item=item, voter=reps[0], choice="for").exists()
    closed = api(community_worker).post(f"/deliberation/items/{item.pk}/close-vote").json()
    assert closed["result"] == "rejected" and closed["required_for"] == 4  # 3:3 of six present is no majority


def test_closing_a_commitment_without_evidence_is_refused(council, api, convene, community_worker, handler, world):
    session = convene(council, community_worker, kind=MeetingKind.CONSULTATION, titles=["修路"])
    actions.item_record_consensus(actor=community_worker, item=session.items[0], consensus="同意修路")
    resolution = session.items[0].__class__.objects.get(pk=session.items[0].pk).resolution
    commitment = actions.commitment_add(
        actor=community_worker,
        resolution=resolution,
        title="修路",
        deadline=timezone.localdate(),
        owner_department=world.department,
    )
    before = AuditEvent.objects.count()
    assert_error(
        upload(handler, f"/deliberation/commitments/{commitment.pk}/close", {"note": "修好了"}),
        422,
        "evidence_required",
        "evidence",
    )
    assert_error(
        upload(handler, f"/deliberation/commitments/{commitment.pk}/close", {}), 422, "evidence_required", "note"
    )
    assert Commitment.objects.get(pk=commitment.pk).status == "open"
    _unchanged(before)


def test_a_consensus_is_refused_where_the_body_must_vote(council, api, convene, community_worker):
    session = convene(council, community_worker, titles=["事项"])
    assert_error(
        api(community_worker).post(f"/deliberation/items/{session.items[0].pk}/consensus", {"consensus": "同意"}),
        409,
        "vote_required",
    )


def test_a_commitment_deadline_in_the_past_is_refused(council, api, convene, community_worker, world):
    session = convene(council, community_worker, kind=MeetingKind.CONSULTATION, titles=["事项"])
    actions.item_record_consensus(actor=community_worker, item=session.items[0], consensus="同意")
    resolution_id = session.meeting.resolutions.first().pk
    response = api(community_worker).post(
        f"/deliberation/resolutions/{resolution_id}/commitments",
        {"title": "x", "deadline": "2020-01-01", "owner_department_id": world.department.pk},
    )
    assert_error(response, 422, "invalid_input", "deadline")
    assert Commitment.objects.count() == 0
