"""The electorate and its roll, nominations and candidacies, exports, and list queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.deliberation.models import BodyLevel, BodyMember
from gongzhi.elections import actions
from gongzhi.elections.models import Election, Nomination, NominationSupport, RollEntry
from gongzhi.lib.errors import Conflict, InvalidInput, InvalidTransition
from gongzhi.people.models import Household
from tests.conftest import assert_error
from tests.elections.factories import entry_of, make_body, make_election, make_voters, start_voting
from tests.factories import UserFactory, identity_number, make_resident


def _open(election, actor):
    return actions.election_open(actor=actor, election=election)


def test_adult_residents_on_election_day_who_have_not_moved_out_make_the_roll(world, body, community_worker):
    election = make_election(community_worker, body)
    day = timezone.localdate(election.voting_starts_at)  # election day is a local date (as the code counts it)
    turns_18_on_the_day = make_resident(world.grid, "刚满十八", birth_date=day.replace(year=day.year - 18))
    turns_18_next_day = make_resident(
        world.grid, "差一天", birth_date=day.replace(year=day.year - 18) + dt.timedelta(days=1)
    )
    moved_out = make_resident(world.grid, "已迁出")
    moved_out.moved_out_on = dt.date(2025, 1, 1)
    moved_out.save()
    elsewhere = make_resident(world.other_community, "外社区")
    roll = _open(election, community_worker).roll.all()
    names = set(roll.values_list("name", flat=True))
    assert turns_18_on_the_day.name in names
    assert not names & {turns_18_next_day.name, moved_out.name, elsewhere.name}
    assert list(roll.order_by("number").values_list("number", flat=True)) == list(range(1, roll.count() + 1))


def test_one_voter_per_household_is_the_head_or_else_the_eldest_adult(world, body, community_worker):
    home = Household.objects.create(unit=world.grid, number="H-A", address="1号")
    make_resident(world.grid, "户主", household=home, birth_date=dt.date(1980, 1, 1)).__class__.objects.filter(
        name="户主"
    ).update(relation="head")
    make_resident(world.grid, "父亲", household=home, birth_date=dt.date(1950, 1, 1))
    other = Household.objects.create(unit=world.grid, number="H-B", address="2号")
    make_resident(world.grid, "长者", household=other, birth_date=dt.date(1940, 1, 1))
    make_resident(world.grid, "晚辈", household=other, birth_date=dt.date(1990, 1, 1))
    election = _open(make_election(community_worker, body, electorate="households"), community_worker)
    names = set(election.roll.values_list("name", flat=True))
    assert {"户主", "长者"} <= names and not {"父亲", "晚辈"} & names
    # 张秀英 from the cast has no household: a household of one.
    assert "张秀英" in names


def test_the_members_of_a_body_can_be_the_electorate(world, body, community_worker):
    community_bodies = make_body(world.community, "光明社区第1网格议事小组", BodyLevel.COURTYARD)
    members = [UserFactory() for _ in range(3)]
    for user in members:
        BodyMember.objects.create(body=community_bodies, user=user, term_start=dt.date(2024, 1, 1))
    BodyMember.objects.create(body=community_bodies, user=UserFactory(), term_start=dt.date(2024, 1, 1), votes=False)
    election = make_election(community_worker, body, electorate="body_members", electorate_body=community_bodies)
    election = _open(election, community_worker)
    assert set(election.roll.values_list("user", flat=True)) == {u.pk for u in members}


def test_a_body_electorate_needs_a_body(world, body, community_worker, api):
    response = api(community_worker).post(
        "/elections",
        {
            "body_id": body.pk,
            "title": "无机构",
            "seats": 1,
            "term_start": "2027-01-01",
            "term_end": "2027-12-31",
            "electorate": "body_members",
            "voting_starts_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat(),
            "voting_ends_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert_error(response, 422, "invalid_input", "electorate_body")
    assert not Election.objects.exists()


def test_an_empty_roll_cannot_be_frozen(world, street_staff):
    lonely = make_body(world.other_community, "幸福社区议事会")
    election = make_election(street_staff, lonely)
    with pytest.raises(InvalidInput):
        _open(election, street_staff)
    assert Election.objects.get(pk=election.pk).status == "draft"


def test_the_roll_is_corrected_with_reasons_until_voting_starts(world, body, voters, community_worker, community_head):
    election = _open(make_election(community_worker, body), community_worker)
    missed = make_resident(world.other_grid, "漏登者", identity=identity_number(dt.date(1985, 1, 1), 77))
    with pytest.raises(InvalidInput):
        actions.roll_add(actor=community_worker, election=election, resident=missed, reason=" ")
    entry = actions.roll_add(actor=community_worker, election=election, resident=missed, reason="新迁入")
    assert (entry.source, entry.reason, entry.number) == ("added", "新迁入", 12)
    with pytest.raises(Conflict):
        actions.roll_add(actor=community_worker, election=election, resident=missed, reason="重复")
    actions.roll_remove(actor=community_worker, entry=entry, reason="登记有误")
    again = actions.roll_add(actor=community_worker, election=election, resident=missed, reason="核实后恢复")
    assert again.pk == entry.pk and again.is_active
    election.refresh_from_db()
    assert election.voters_count == 12
    from tests.elections.factories import candidates_ready

    candidates_ready(election, community_head, voters[:3])
    start_voting(election, community_head)
    with pytest.raises(InvalidTransition):
        actions.roll_remove(actor=community_worker, entry=entry, reason="太晚了")


def test_removing_a_nominee_rejects_the_nomination_and_revokes_their_proxies(
    world, body, voters, community_worker, community_head
):
    election = _open(make_election(community_worker, body), community_worker)
    nomination = actions.nomination_by_body(
        actor=community_head, election=election, nominee=entry_of(election, voters[0]), body_decision="决定"
    )
    proxy = actions.proxy_register(
        actor=community_worker,
        election=election,
        principal=entry_of(election, voters[1]),
        proxy=entry_of(election, voters[0]),
        document_number="X1",
        signed_on=dt.date.today(),
    )
    actions.roll_remove(actor=community_worker, entry=entry_of(election, voters[0]), reason="迁出本社区")
    nomination.refresh_from_db()
    proxy.refresh_from_db()
    assert nomination.status == "rejected" and "迁出本社区" in nomination.reason
    assert proxy.revoked_at is not None


# --- nominations ---------------------------------------------------------------------------------


@pytest.fixture
def nominating(body, voters, community_worker):
    return _open(make_election(community_worker, body, seats=2, nomination_threshold=3), community_worker)


def test_a_joint_nomination_qualifies_at_the_threshold_and_notifies_the_nominee(nominating, voters, api):
    target = entry_of(nominating, voters[5]).number
    nomination = api(voters[0].user).post(f"/elections/{nominating.pk}/nominations", {"nominee_number": target}).json()
    api(voters[1].user).post(f"/elections/nominations/{nomination['id']}/support")
    assert Nomination.objects.get(pk=nomination["id"]).status == "collecting"
    response = api(voters[2].user).post(f"/elections/nominations/{nomination['id']}/support")
    assert response.json()["status"] == "qualified" and response.json()["supporters"] == 3
    assert voters[5].user.notifications.filter(kind="elections.nominated").exists()


def test_cosigning_twice_is_refused(nominating, voters, api):
    target = entry_of(nominating, voters[5]).number
    nomination = api(voters[0].user).post(f"/elections/{nominating.pk}/nominations", {"nominee_number": target}).json()
    assert_error(
        api(voters[0].user).post(f"/elections/nominations/{nomination['id']}/support"), 409, "already_supported"
    )
    assert NominationSupport.objects.count() == 1


def test_a_voter_may_cosign_at_most_as_many_nominations_as_there_are_seats(nominating, voters, api):
    client = api(voters[0].user)
    for index in (5, 6):
        assert (
            client.post(
                f"/elections/{nominating.pk}/nominations",
                {"nominee_number": entry_of(nominating, voters[index]).number},
            ).status_code
            == 201
        )
    third = client.post(
        f"/elections/{nominating.pk}/nominations", {"nominee_number": entry_of(nominating, voters[7]).number}
    )
    assert_error(third, 422, "support_limit")
    assert Nomination.objects.count() == 2


def test_the_same_person_cannot_be_nominated_twice(nominating, voters, api):
    number = entry_of(nominating, voters[5]).number
    api(voters[0].user).post(f"/elections/{nominating.pk}/nominations", {"nominee_number": number})
    assert_error(
        api(voters[1].user).post(f"/elections/{nominating.pk}/nominations", {"nominee_number": number}),
        409,
        "already_nominated",
    )
    assert Nomination.objects.count() == 1


def test_a_nominee_must_be_on_the_roll_and_have_an_account(world, nominating, voters, api):
    paper_only = make_voters(world.grid, 1, accounts=False)[0]
    missing = api(voters[0].user).post(f"/elections/{nominating.pk}/nominations", {"nominee_number": 999})
    assert_error(missing, 422, "invalid_input", "nominee_number")
    added = actions.roll_add(actor=world.community_worker, election=nominating, resident=paper_only, reason="补登")
    without_account = api(voters[0].user).post(
        f"/elections/{nominating.pk}/nominations", {"nominee_number": added.number}
    )
    assert_error(without_account, 422, "invalid_input", "nominee")
    assert not Nomination.objects.exists()


def test_nominations_close_at_their_deadline(nominating, voters, api):
    Election.objects.filter(pk=nominating.pk).update(
        nominations_close_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    )
    number = entry_of(nominating, voters[5]).number
    response = api(voters[0].user).post(f"/elections/{nominating.pk}/nominations", {"nominee_number": number})
    assert_error(response, 409, "nominations_closed")


def test_a_staff_paper_nomination_lists_every_signer(nominating, voters, api, community_worker):
    numbers = [entry_of(nominating, v).number for v in voters[:3]]
    response = api(community_worker).post(
        f"/elections/{nominating.pk}/nominations/paper",
        {"nominee_number": entry_of(nominating, voters[5]).number, "supporter_numbers": numbers},
    )
    assert response.status_code == 201 and response.json()["status"] == "qualified"
    bad = api(community_worker).post(
        f"/elections/{nominating.pk}/nominations/paper",
        {"nominee_number": entry_of(nominating, voters[6]).number, "supporter_numbers": [numbers[0], 4040]},
    )
    assert_error(bad, 422, "invalid_input", "supporter_numbers")
    assert Nomination.objects.count() == 1


def test_a_rejection_needs_a_reason_and_is_told_to_the_nominee(
    nominating, voters, api, community_worker, community_head
):
    nomination = actions.nomination_by_body(
        actor=community_head, election=nominating, nominee=entry_of(nominating, voters[5]), body_decision="会议决定"
    )
    assert_error(api(community_worker).post(f"/elections/nominations/{nomination.pk}/reject", {"reason": ""}), 422)
    response = api(community_worker).post(
        f"/elections/nominations/{nomination.pk}/reject", {"reason": "不在本社区居住"}
    )
    assert response.json()["status"] == "rejected"
    assert voters[5].user.notifications.filter(kind="elections.rejected").exists()


def test_a_candidate_cannot_accept_once_voting_has_started(nominating, voters, community_head):
    from tests.elections.factories import candidates_ready

    candidates_ready(nominating, community_head, voters[:3])
    late = actions.nomination_by_body(
        actor=community_head, election=nominating, nominee=entry_of(nominating, voters[5]), body_decision="会议决定"
    )
    start_voting(nominating, community_head)
    with pytest.raises(InvalidTransition):
        actions.nomination_accept(actor=voters[5].user, nomination=late)


# --- exports and lists ---------------------------------------------------------------------------


def test_the_roll_export_masks_identity_numbers_and_is_audited(world, body, community_worker, api):
    make_resident(world.grid, "王有证", identity=identity_number(dt.date(1970, 2, 3), 5))
    election = _open(make_election(community_worker, body), community_worker)
    response = api(community_worker).get(f"/elections/{election.pk}/roll.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "选民编号"
    numbers = [r[4] for r in rows[1:] if r[1] == "王有证"]
    assert numbers and "*" in numbers[0] and numbers[0] != identity_number(dt.date(1970, 2, 3), 5)
    from gongzhi.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="elections.roll_export", actor=community_worker).exists()


def test_the_calendar_holds_the_voting_window(world, body, community_worker, api):
    election = make_election(
        community_worker, body, nominations_close_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    )
    text = api(community_worker).get(f"/elections/{election.pk}/calendar.ics").content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    start = election.voting_starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in text
    assert text.count("BEGIN:VEVENT") == 2
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_the_election_list_and_roll_take_a_fixed_number_of_queries(
    world, body, voters, community_worker, api, django_assert_max_num_queries
):
    for index in range(5):
        make_election(community_worker, body, title=f"选举{index}")
    election = _open(make_election(community_worker, body), community_worker)
    client = api(community_worker)
    with django_assert_max_num_queries(12):
        response = client.get("/elections?limit=50")
    assert len(response.json()["items"]) == 6
    with django_assert_max_num_queries(12):
        response = client.get(f"/elections/{election.pk}/roll?limit=200")
    assert len(response.json()["items"]) == RollEntry.objects.filter(election=election).count()
    page = client.get(f"/elections/{election.pk}/roll?limit=5").json()
    second = client.get(f"/elections/{election.pk}/roll?limit=5&cursor={page['next_cursor']}").json()
    assert [e["number"] for e in second["items"]] == [6, 7, 8, 9, 10]
