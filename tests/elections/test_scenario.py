"""Case 9 (来宾毛塘村), first step: electing representatives, from creating the election to seated winners."""

from __future__ import annotations

import datetime as dt

from gongzhi.deliberation.models import BodyMember, MemberSource
from gongzhi.elections.models import Ballot, Election, RollEntry, VoteReceipt
from gongzhi.people.models import RoleGrant
from gongzhi.people.roles import Role
from tests.conftest import assert_error
from tests.elections.factories import end_window, later, make_voters
from tests.factories import make_resident


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


def test_an_election_runs_from_creation_to_seated_representatives(
    world, body, voters, community_head, community_worker, supervisor, api
):
    minor = make_resident(world.grid, "未成年人", birth_date=dt.date(2015, 6, 1))
    paper_voters = make_voters(world.other_grid, 3, accounts=False, prefix="纸票")
    worker = api(community_worker)

    # 1. The community worker prepares the election of three seats for the body's term.
    response = worker.post(
        "/elections",
        {
            "body_id": body.pk,
            "title": "光明社区第三届居民议事会代表选举",
            "seats": 3,
            "term_start": "2027-01-01",
            "term_end": "2029-12-31",
            "electorate": "adult_residents",
            "voting_starts_at": _iso(later(days=10)),
            "voting_ends_at": _iso(later(days=10, hours=8)),
            "nominations_close_at": _iso(later(days=5)),
            "nomination_threshold": 3,
        },
    )
    assert response.status_code == 201, response.content
    election_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert response.json()["proxy_limit"] == 3
    assert response.json()["min_turnout"] == "> 1/2"

    # 2. Opening nominations freezes the roll: adults present in the community, not the child.
    response = worker.post(f"/elections/{election_id}/open")
    assert response.status_code == 200, response.content
    roll = RollEntry.objects.filter(election_id=election_id)
    assert roll.count() == 10 + 3 + 1  # our voters, the paper voters and the cast's resident 张秀英
    assert not roll.filter(resident=minor).exists()

    # 3. Voters nominate and co-sign; at the threshold the nominee is asked to accept.
    numbers = {r.pk: RollEntry.objects.get(election_id=election_id, resident=r).number for r in voters}
    first = api(voters[0].user).post(
        f"/elections/{election_id}/nominations", {"nominee_number": numbers[voters[1].pk], "statement": "热心公益"}
    )
    assert first.status_code == 201, first.content
    nomination_id = first.json()["id"]
    assert first.json()["status"] == "collecting"
    for supporter in voters[2:4]:
        assert api(supporter.user).post(f"/elections/nominations/{nomination_id}/support").status_code == 200
    detail = api(voters[1].user).get(f"/elections/{election_id}").json()
    assert detail["me"]["my_nomination"]["status"] == "qualified"
    accepted = api(voters[1].user).post(
        f"/elections/nominations/{nomination_id}/accept", {"statement": "愿为大家服务"}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"

    # The body (party branch meeting) nominates three more; each accepts.
    for resident in voters[5:8]:
        response = worker.post(
            f"/elections/{election_id}/nominations/body",
            {"nominee_number": numbers[resident.pk], "body_decision": "社区党委2026年第9次会议"},
        )
        assert response.status_code == 201, response.content
        assert api(resident.user).post(f"/elections/nominations/{response.json()['id']}/accept", {}).status_code == 200

    # A written proxy: voter 9 authorizes voter 8.
    response = worker.post(
        f"/elections/{election_id}/proxies",
        {
            "principal_number": numbers[voters[9].pk],
            "proxy_number": numbers[voters[8].pk],
            "document_number": "WT-2026-001",
            "signed_on": str(dt.date.today()),
        },
    )
    assert response.status_code == 201, response.content

    # 4. The window opens.
    Election.objects.filter(pk=election_id).update(
        voting_starts_at=later(minutes=-1), voting_ends_at=later(hours=2), nominations_close_at=later(minutes=-2)
    )
    assert worker.post(f"/elections/{election_id}/voting/open").status_code == 200
    candidates = {c["name"]: c["id"] for c in worker.get(f"/elections/{election_id}").json()["candidates"]}
    a, b, c, d = (candidates[r.name] for r in (voters[1], voters[5], voters[6], voters[7]))

    # 5. Online ballots (one blank), a proxy ballot, and three paper voters checked off at the polling station.
    ballots = {0: [a, b], 1: [a, b, c], 2: [a, c], 3: [a, d], 4: [b, c], 5: [a], 6: [], 7: [b, d]}
    for index, choice in ballots.items():
        response = api(voters[index].user).post(f"/elections/{election_id}/ballots", {"choices": choice})
        assert response.status_code == 201, response.content
        assert set(response.json()) == {"recorded", "voter_number", "channel"}
    proxy_vote = api(voters[8].user).post(
        f"/elections/{election_id}/ballots", {"choices": [b, c], "on_behalf_of": numbers[voters[9].pk]}
    )
    assert proxy_vote.status_code == 201, proxy_vote.content
    for resident in paper_voters:
        number = RollEntry.objects.get(election_id=election_id, resident=resident).number
        assert (
            worker.post(f"/elections/{election_id}/paper-ballots/issue", {"voter_number": number}).status_code == 201
        )
    turnout = worker.get(f"/elections/{election_id}").json()["turnout"]
    assert turnout["voted"] == 12 and turnout["voters"] == 14

    # 6. The window ends; closing seals the box. Paper ballots are typed in by one person, confirmed by another.
    end_window(Election.objects.get(pk=election_id))
    assert worker.post(f"/elections/{election_id}/voting/close").status_code == 200
    entered = [
        worker.post(f"/elections/{election_id}/paper-ballots", {"choices": choice}).json()
        for choice in ([c, d], [c], [])
    ]
    spoiled = worker.post(f"/elections/{election_id}/paper-ballots", {"choices": [], "spoiled": True})
    assert spoiled.status_code == 201
    head = api(community_head)
    assert_error(head.post(f"/elections/{election_id}/tally"), 409, "paper_ballots_pending")
    for ballot in entered:
        assert api(supervisor).post(f"/elections/paper-ballots/{ballot['id']}/confirm").status_code == 200
    # The fourth sheet was typed in by mistake (only three paper ballots were handed out): voided.
    assert head.post(f"/elections/paper-ballots/{spoiled.json()['id']}/reject", {"reason": "误录"}).status_code == 200

    # 7. Tally: 12 ballots of 14 voters (> 1/2); c=6, a=5, b=5, d=3 → the three seats go to a, b, c.
    response = head.post(f"/elections/{election_id}/tally")
    assert response.status_code == 200, response.content
    tally = response.json()
    assert (tally["voters"], tally["voted"], tally["ballots"], tally["blank_ballots"]) == (14, 12, 12, 2)
    votes = {r["name"]: (r["votes"], r["status"]) for r in tally["results"]}
    assert votes == {
        voters[1].name: (5, "elected"),
        voters[5].name: (5, "elected"),
        voters[6].name: (6, "elected"),
        voters[7].name: (3, "not_elected"),
    }
    assert tally["outcome"] == "valid"
    # Results are not public before publication.
    assert_error(api().get(f"/elections/public/{election_id}"), 404)

    # 8. Publication seats the winners in the body and gives them the representative role for the term.
    assert head.post(f"/elections/{election_id}/publish").status_code == 200
    public = api().get(f"/elections/public/{election_id}")
    assert public.status_code == 200 and public.json()["outcome"] == "valid"
    for winner in (voters[1], voters[5], voters[6]):
        seat = BodyMember.objects.get(body=body, user=winner.user)
        assert (seat.source, seat.term_start, seat.term_end) == (
            MemberSource.ELECTED,
            dt.date(2027, 1, 1),
            dt.date(2029, 12, 31),
        )
        grant = RoleGrant.objects.get(user=winner.user, role=Role.REPRESENTATIVE, unit=body.unit)
        assert (grant.valid_from, grant.valid_to) == (dt.date(2027, 1, 1), dt.date(2029, 12, 31))
    assert not BodyMember.objects.filter(user=voters[7].user).exists()
    # Every voter is recorded exactly once; ballots match receipts.
    assert VoteReceipt.objects.filter(election_id=election_id).count() == 12
    assert Ballot.objects.filter(election_id=election_id, status="counted").count() == 12
