"""A voter votes on a phone-sized screen: from the desk to the ballot to the confirmation (axe on every page)."""

from __future__ import annotations

from gongzhi.elections import actions
from gongzhi.elections.models import Ballot, VoteReceipt
from tests.elections.factories import candidates_ready, entry_of, make_body, make_election, make_voters, start_voting


def test_a_voter_votes_on_a_phone(phone, live, login, axe, world):
    body = make_body(world.community)
    voters = make_voters(world.grid, 6)
    worker, head = world.community_worker, world.community_head
    election = actions.election_open(actor=worker, election=make_election(worker, body, seats=2))
    candidates_ready(election, head, voters[:3])
    election = start_voting(election, head)
    voter = voters[4]

    login(phone, voter.user.username)
    axe(phone, context="desk")
    phone.get_by_role("link", name="去投票").first.click()
    phone.wait_for_load_state("networkidle")
    assert "/vote/" in phone.url
    axe(phone, context="ballot")

    boxes = phone.locator("input[name=choices]")
    assert boxes.count() == 3
    boxes.nth(0).check()
    boxes.nth(2).check()
    # The third box is disabled once two are ticked (two seats); the count is announced.
    assert boxes.nth(1).is_disabled()
    assert "2 / 2" in phone.locator("[data-ballot-count]").inner_text()
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("[data-testid=cast]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-testid=voted]").is_visible()
    axe(phone, context="after voting")

    assert VoteReceipt.objects.filter(entry=entry_of(election, voter)).count() == 1
    assert Ballot.objects.filter(election=election).count() == 1
    # Nothing on the page lets the voter (or anyone) go back to the ballot.
    assert phone.locator("[data-testid=go-vote]").count() == 0


def test_the_public_results_page_passes_axe_on_a_phone(phone, live, axe, world):
    from tests.elections.factories import end_window

    body = make_body(world.community)
    voters = make_voters(world.grid, 6)
    worker, head = world.community_worker, world.community_head
    election = actions.election_open(actor=worker, election=make_election(worker, body, seats=1))
    ids = [n.pk for n in candidates_ready(election, head, voters[:2])]
    election = start_voting(election, head)
    for resident in voters[2:6]:
        actions.ballot_cast(actor=resident.user, election=election, choices=ids[:1])
    actions.voting_close(actor=worker, election=end_window(election))
    actions.election_publish(actor=head, election=actions.election_tally(actor=head, election=election))
    phone.goto(f"{live}/elections/results/")
    axe(phone, context="public list")
    phone.get_by_role("link", name=election.title).click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-testid=outcome]").inner_text() == "选举有效"
    axe(phone, context="public results")


def test_the_working_group_pages_pass_axe(page, live, login, axe, world):
    from tests.elections.factories import end_window

    body = make_body(world.community)
    voters = make_voters(world.grid, 6)
    worker, head = world.community_worker, world.community_head
    election = actions.election_open(actor=worker, election=make_election(worker, body, seats=1))
    ids = [n.pk for n in candidates_ready(election, head, voters[:2])]
    actions.nomination_propose(actor=voters[2].user, election=election, nominee=entry_of(election, voters[3]))
    login(page, worker.username)
    for path in ("", "nominations/", "roll/?q=选民", "proxies/", "edit/", "nominate/?q=选民"):
        page.goto(f"{live}/elections/{election.pk}/{path}")
        axe(page, context=path or "detail")
    page.goto(f"{live}/elections/new/")
    axe(page, context="new election")
    election = start_voting(election, head)
    page.goto(f"{live}/elections/{election.pk}/paper/")
    axe(page, context="polling station")
    actions.ballot_cast(actor=voters[4].user, election=election, choices=ids[:1])
    actions.voting_close(actor=worker, election=end_window(election))
    actions.paper_ballot_enter(actor=head, election=election, choices=ids[1:])
    page.goto(f"{live}/elections/{election.pk}/paper/")
    axe(page, context="counting")
    page.click("text=复核无误")
    page.wait_for_load_state("networkidle")
    assert "已计入" in page.locator(".messages").inner_text()
    page.goto(f"{live}/elections/")
    axe(page, context="list")
