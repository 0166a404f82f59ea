"""The election pages: each renders for the people it is for, refuses others, and shows bad input as form errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.elections import actions
from gongzhi.elections.models import Ballot, Election, ProxyAuthorization, RollEntry, VoteReceipt
from tests.elections.factories import (
    candidates_ready,
    end_window,
    entry_of,
    make_election,
    make_voters,
    start_voting,
)


def client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def nominating(body, voters, community_worker):
    election = make_election(community_worker, body, seats=2)
    return actions.election_open(actor=community_worker, election=election)


@pytest.fixture
def voting(nominating, voters, community_head):
    candidates_ready(nominating, community_head, voters[:3])
    return start_voting(nominating, community_head)


def test_the_worker_creates_an_election_through_the_form(world, body, community_worker):
    response = client(community_worker).post(
        reverse("elections:create"),
        {
            "body": body.pk,
            "title": "光明社区议事会代表补选",
            "seats": 1,
            "term_start": "2027-01-01",
            "term_end": "2029-12-31",
            "electorate": "households",
            "voting_starts_at": (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "voting_ends_at": (dt.datetime.now() + dt.timedelta(days=3, hours=6)).strftime("%Y-%m-%dT%H:%M"),
            "nomination_threshold": 5,
            "proxy_limit": 3,
            "competitive": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    election = Election.objects.get(title="光明社区议事会代表补选")
    assert response["Location"] == reverse("elections:detail", args=[election.pk])


def test_a_form_with_the_window_backwards_shows_errors_and_writes_nothing(world, body, community_worker):
    response = client(community_worker).post(
        reverse("elections:create"),
        {
            "body": body.pk,
            "title": "错误的选举",
            "seats": 1,
            "term_start": "2027-01-01",
            "term_end": "2026-12-31",
            "electorate": "adult_residents",
            "voting_starts_at": "2030-01-02T10:00",
            "voting_ends_at": "2030-01-01T10:00",
            "nomination_threshold": 5,
            "proxy_limit": 3,
        },
    )
    assert response.status_code == 400
    assert "投票结束时间应晚于开始时间" in response.content.decode()
    assert not Election.objects.exists()


def test_every_page_renders_for_the_working_group_through_an_election(
    world, body, voters, nominating, community_head, community_worker, supervisor
):
    worker = client(community_worker)
    pk = nominating.pk
    for name in ("detail", "edit", "roll", "nominations", "proxies"):
        response = worker.get(reverse(f"elections:{name}", args=[pk]))
        assert response.status_code == 200, (name, response.status_code)
    assert worker.get(reverse("elections:roll", args=[pk]), {"q": voters[0].name}).status_code == 200
    assert worker.get(reverse("elections:roll_xlsx", args=[pk])).status_code == 200
    assert worker.get(reverse("elections:calendar", args=[pk]))["Content-Type"].startswith("text/calendar")
    assert worker.get(reverse("elections:list")).status_code == 200
    assert worker.get(reverse("web:desk")).status_code == 200

    candidates_ready(nominating, community_head, voters[:3])
    start_voting(nominating, community_head)
    assert worker.get(reverse("elections:paper", args=[pk])).status_code == 200
    response = worker.post(reverse("elections:paper", args=[pk]), {"op": "issue", "issue-voter_number": 5})
    assert response.status_code == 302
    end_window(Election.objects.get(pk=pk))
    assert worker.post(reverse("elections:voting_close", args=[pk])).status_code == 302
    response = worker.post(reverse("elections:paper", args=[pk]), {"op": "enter", "enter-choices": []})
    assert response.status_code == 302
    ballot = Ballot.objects.get(election_id=pk, paper=True)
    # The person who typed it in cannot confirm it: the page says so with 403 and nothing changes.
    response = worker.post(reverse("elections:paper", args=[pk]), {"op": "confirm", "ballot": ballot.pk})
    assert response.status_code == 403
    assert Ballot.objects.get(pk=ballot.pk).status == "pending"
    assert (
        client(supervisor)
        .post(reverse("elections:paper", args=[pk]), {"op": "confirm", "ballot": ballot.pk})
        .status_code
        == 302
    )
    head = client(community_head)
    assert head.post(reverse("elections:tally", args=[pk])).status_code == 302
    assert head.get(reverse("elections:results", args=[pk])).status_code == 200
    assert head.get(reverse("elections:results_xlsx", args=[pk])).status_code == 200
    assert head.post(reverse("elections:publish", args=[pk])).status_code == 302
    assert client().get(reverse("elections:public_list")).status_code == 200
    assert client().get(reverse("elections:public_detail", args=[pk])).status_code == 200


def test_a_voter_votes_on_the_ballot_page_and_sees_it_recorded(world, voting, voters):
    voter = client(voters[4].user)
    page = voter.get(reverse("elections:vote", args=[voting.pk]))
    assert page.status_code == 200
    candidates = [c.pk for c in actions.candidates_of(voting)]
    response = voter.post(reverse("elections:vote", args=[voting.pk]), {"choices": candidates[:2]})
    assert response.status_code == 302
    assert VoteReceipt.objects.filter(entry=entry_of(voting, voters[4])).exists()
    detail = voter.get(reverse("elections:detail", args=[voting.pk])).content.decode()
    assert 'data-testid="voted"' in detail


def test_ticking_more_candidates_than_seats_is_a_form_error_and_nothing_is_recorded(world, voting, voters):
    candidates = [c.pk for c in actions.candidates_of(voting)]
    response = client(voters[4].user).post(reverse("elections:vote", args=[voting.pk]), {"choices": candidates})
    assert response.status_code == 400
    assert "最多选2人" in response.content.decode()
    assert not VoteReceipt.objects.exists() and not Ballot.objects.exists()


def test_voting_twice_on_the_page_is_refused(world, voting, voters):
    voter = client(voters[4].user)
    url = reverse("elections:vote", args=[voting.pk])
    assert voter.post(url, {"choices": []}).status_code == 302
    response = voter.post(url, {"choices": []})
    assert response.status_code == 400
    assert "只能投一次" in response.content.decode()
    assert Ballot.objects.count() == 1


def test_a_voter_nominates_and_another_cosigns_on_the_pages(world, nominating, voters):
    target = entry_of(nominating, voters[6])
    page = client(voters[0].user).get(reverse("elections:nominate", args=[nominating.pk]), {"q": voters[6].name})
    assert voters[6].name in page.content.decode()
    response = client(voters[0].user).post(
        reverse("elections:nominate", args=[nominating.pk]), {"nominee_number": target.number, "statement": "办事公道"}
    )
    assert response.status_code == 302
    nomination = nominating.nominations.get()
    assert client(voters[1].user).post(reverse("elections:support", args=[nomination.pk])).status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == "qualified"  # threshold 2
    accepted = client(voters[6].user).post(reverse("elections:accept", args=[nomination.pk]), {"next": "detail"})
    assert accepted.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == "accepted"


def test_the_roll_page_adds_and_removes_with_a_reason(world, nominating, community_worker):
    newcomer = make_voters(world.other_community, 1)[0]
    worker = client(community_worker)
    url = reverse("elections:roll", args=[nominating.pk])
    # Someone from another community is not eligible: 422 with the reason, nothing written.
    response = worker.post(url, {"op": "add", "resident": newcomer.pk, "add-reason": "漏登"})
    assert response.status_code == 422
    assert not RollEntry.objects.filter(election=nominating, resident=newcomer).exists()
    entry = RollEntry.objects.filter(election=nominating).first()
    response = worker.post(url, {"op": "remove", "entry": entry.pk, "remove-reason": ""})
    assert response.status_code == 422
    assert worker.post(url, {"op": "remove", "entry": entry.pk, "remove-reason": "已去世"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.reason) == ("removed", "已去世")


def test_the_proxy_page_registers_and_refuses_a_fourth_authorization(world, nominating, voters, community_worker):
    worker = client(community_worker)
    url = reverse("elections:proxies", args=[nominating.pk])
    proxy = entry_of(nominating, voters[0]).number
    for index, resident in enumerate(voters[1:5], start=1):
        data = {
            "op": "register",
            "proxy-principal_number": entry_of(nominating, resident).number,
            "proxy-proxy_number": proxy,
            "proxy-document_number": f"WT-{index}",
            "proxy-signed_on": "2026-11-01",
        }
        response = worker.post(url, data)
        if index <= 3:
            assert response.status_code == 302
        else:
            assert response.status_code == 422
            assert "达到上限" in response.content.decode()
    assert ProxyAuthorization.objects.filter(election=nominating).count() == 3


def test_people_off_the_roll_and_outsiders_cannot_open_the_pages(world, nominating, outsider, representative):
    assert client(outsider).get(reverse("elections:detail", args=[nominating.pk])).status_code == 404
    assert client(representative).get(reverse("elections:detail", args=[nominating.pk])).status_code == 200
    assert client(representative).get(reverse("elections:roll", args=[nominating.pk])).status_code == 403
    assert client(representative).get(reverse("elections:vote", args=[nominating.pk])).status_code == 403
    assert client().get(reverse("elections:detail", args=[nominating.pk])).status_code == 302
    assert client().get(reverse("elections:public_detail", args=[nominating.pk])).status_code == 404


def test_the_ballot_page_reads_in_english(world, voting, voters):
    voter = client(voters[4].user)
    voter.cookies["django_language"] = "en"
    voters[4].user.language = "en"
    voters[4].user.save(update_fields=["language"])
    html = voter.get(reverse("elections:vote", args=[voting.pk])).content.decode()
    assert "Cast the ballot" in html and "投出选票" not in html


def test_every_election_string_has_an_english_translation():
    from pathlib import Path

    import gongzhi.elections

    po = Path(gongzhi.elections.__file__).parent / "locale/en/LC_MESSAGES/django.po"
    blocks = po.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [b for b in blocks if b.strip() and b.rstrip().endswith('msgstr ""')]
    assert not untranslated, untranslated[:3]
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")
