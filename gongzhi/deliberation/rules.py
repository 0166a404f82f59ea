"""The vote engine's arithmetic: quorum, majority and the members' demand share, in exact fractions.

"过半数" (a majority) means strictly more than half: a tie is not a majority. "三分之二以上" (two thirds
or more) includes exactly two thirds, as "以上" does in Chinese law. Abstentions are not votes for:
under the "of those present" rules an abstention weighs like a vote against, because the bar is set
by the number present, not by the votes cast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from gongzhi.deliberation.models import MajorityRule


def quorum_required(members: int, quorum: Fraction) -> int:
    """Return how many voting members must be present (the smallest n with n / members >= quorum)."""
    if members <= 0:
        return 1
    return math.ceil(members * quorum)


def has_quorum(present: int, members: int, quorum: Fraction) -> bool:
    return members > 0 and present >= quorum_required(members, quorum)


def demand_required(members: int, share: Fraction) -> int:
    """Return how many members it takes to force a meeting (one fifth of 11 members is 3)."""
    return max(1, math.ceil(members * share))


@dataclass(frozen=True)
class Tally:
    rule: str
    members: int
    present: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    required_for: int
    adopted: bool


def required_for(rule: str, *, members: int, present: int) -> int:
    """Return the smallest number of votes for that carries the item under the rule."""
    if rule == MajorityRule.PRESENT:
        return present // 2 + 1
    if rule == MajorityRule.MEMBERS:
        return members // 2 + 1
    if rule == MajorityRule.TWO_THIRDS_PRESENT:
        return math.ceil(Fraction(2 * present, 3))
    if rule == MajorityRule.TWO_THIRDS_MEMBERS:
        return math.ceil(Fraction(2 * members, 3))
    raise ValueError(f"unknown majority rule {rule!r}")


def tally(rule: str, *, members: int, present: int, votes_for: int, votes_against: int, votes_abstain: int) -> Tally:
    """Apply the body's majority rule to the counts (present = voting members signed in)."""
    if votes_for + votes_against + votes_abstain > present:
        raise ValueError("more votes than voting members present")
    need = max(1, required_for(rule, members=members, present=present))
    return Tally(
        rule=rule,
        members=members,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        required_for=need,
        adopted=votes_for >= need,
    )
