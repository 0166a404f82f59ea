"""The majority and quorum rules against hand-worked examples (ties and abstentions included)."""

from fractions import Fraction

import pytest

from gongzhi.deliberation import rules
from gongzhi.deliberation.models import MajorityRule

P, M, T3P, T3M = (
    MajorityRule.PRESENT,
    MajorityRule.MEMBERS,
    MajorityRule.TWO_THIRDS_PRESENT,
    MajorityRule.TWO_THIRDS_MEMBERS,
)

# rule, members, present, for, against, abstain, votes needed, adopted — each worked out by hand.
MAJORITY_TABLE = [
    # Majority of those present: more than half of the present, a tie fails.
    (P, 15, 10, 6, 4, 0, 6, True),
    (P, 15, 10, 5, 5, 0, 6, False),  # tie 5:5 is not a majority
    (P, 15, 10, 5, 2, 3, 6, False),  # abstentions count against: 5 of 10 present is not more than half
    (P, 15, 11, 6, 0, 5, 6, True),  # 6 of 11 present
    (P, 15, 11, 5, 1, 5, 6, False),
    (P, 15, 10, 6, 0, 0, 6, True),  # four present did not vote: still 6 of 10
    (P, 3, 3, 2, 1, 0, 2, True),
    # Majority of all members: present does not matter.
    (M, 15, 12, 8, 4, 0, 8, True),
    (M, 15, 12, 7, 5, 0, 8, False),
    (M, 16, 12, 8, 4, 0, 9, False),  # 8 of 16 is a tie with half the members
    (M, 16, 16, 9, 0, 7, 9, True),
    # Two thirds of those present: exactly two thirds passes (三分之二以上 includes the bar).
    (T3P, 15, 12, 8, 4, 0, 8, True),
    (T3P, 15, 12, 7, 5, 0, 8, False),
    (T3P, 15, 10, 7, 3, 0, 7, True),  # 2/3 of 10 is 6.67 → 7
    (T3P, 15, 10, 6, 0, 4, 7, False),
    (T3P, 15, 11, 8, 0, 3, 8, True),  # 2/3 of 11 is 7.33 → 8
    # Two thirds of all members.
    (T3M, 15, 15, 10, 5, 0, 10, True),
    (T3M, 15, 12, 9, 3, 0, 10, False),
    (T3M, 14, 14, 10, 2, 2, 10, True),  # 2/3 of 14 is 9.33 → 10
    (T3M, 14, 14, 9, 0, 5, 10, False),
]


@pytest.mark.parametrize(("rule", "members", "present", "yes", "no", "abstain", "needed", "adopted"), MAJORITY_TABLE)
def test_the_majority_rule_gives_the_hand_worked_result(rule, members, present, yes, no, abstain, needed, adopted):
    result = rules.tally(
        rule, members=members, present=present, votes_for=yes, votes_against=no, votes_abstain=abstain
    )
    assert result.required_for == needed
    assert result.adopted is adopted


# members, present, quorum, required, reached
QUORUM_TABLE = [
    (15, 10, Fraction(2, 3), 10, True),  # exactly two thirds
    (15, 9, Fraction(2, 3), 10, False),
    (10, 7, Fraction(2, 3), 7, True),  # 6.67 → 7
    (10, 6, Fraction(2, 3), 7, False),
    (6, 4, Fraction(2, 3), 4, True),
    (7, 4, Fraction(1, 2), 4, True),  # 3.5 → 4
    (7, 3, Fraction(1, 2), 4, False),
    (0, 0, Fraction(2, 3), 1, False),  # a body without members never has a quorum
]


@pytest.mark.parametrize(("members", "present", "quorum", "required", "reached"), QUORUM_TABLE)
def test_the_quorum_rule_gives_the_hand_worked_result(members, present, quorum, required, reached):
    assert rules.quorum_required(members, quorum) == required
    assert rules.has_quorum(present, members, quorum) is reached


@pytest.mark.parametrize(("members", "required"), [(10, 2), (11, 3), (15, 3), (16, 4), (3, 1), (0, 1)])
def test_one_fifth_of_the_members_can_demand_a_meeting(members, required):
    assert rules.demand_required(members, Fraction(1, 5)) == required


def test_more_votes_than_people_present_is_refused():
    with pytest.raises(ValueError):
        rules.tally(P, members=10, present=5, votes_for=4, votes_against=2, votes_abstain=0)
