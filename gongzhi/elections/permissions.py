"""Who may do what in elections (data only; read by gongzhi.access).

Voting, nominating, co-signing and accepting a candidacy are not role permissions: they belong to
the people on the voter roll, and the actions check the roll (a voter's own entry).
"""

from gongzhi.access import OWN, SIGNED_IN, SUBTREE
from gongzhi.people.roles import Role

# The staff who organise elections in their units (the election working group).
_ORGANISERS = {
    Role.COMMUNITY_WORKER: SUBTREE,
    Role.COMMUNITY_HEAD: SUBTREE,
    Role.STREET_STAFF: SUBTREE,
    Role.DISTRICT_ADMIN: SUBTREE,
    Role.SYSTEM_ADMIN: SUBTREE,
}
# Those who certify: tally, publish and seat the winners (and so grant the representative role), cancel.
_CERTIFIERS = {
    Role.COMMUNITY_HEAD: SUBTREE,
    Role.STREET_STAFF: SUBTREE,
    Role.DISTRICT_ADMIN: SUBTREE,
    Role.SYSTEM_ADMIN: SUBTREE,
}

PERMISSIONS = {
    # See an election, its candidates and turnout (voters also see the elections they are on the roll of).
    "elections.view": {
        **_ORGANISERS,
        Role.GRID_WORKER: SUBTREE,
        Role.SUPERVISOR: SUBTREE,
        Role.REPRESENTATIVE: SUBTREE,
        Role.RESIDENT: SUBTREE,
    },
    # Create and edit, freeze and correct the roll, body nominations, written proxies, open and close voting.
    "elections.manage": _ORGANISERS,
    # The full roll with masked identity numbers.
    "elections.roll": {**_ORGANISERS, Role.GRID_WORKER: SUBTREE, Role.SUPERVISOR: SUBTREE},
    "elections.roll_export": _ORGANISERS,
    # Hand out a paper ballot at the polling station (marks the voter as having voted).
    "elections.poll": {**_ORGANISERS, Role.GRID_WORKER: SUBTREE},
    # Type in and confirm paper ballots after the box is opened (two different people).
    "elections.count": {**_ORGANISERS, Role.SUPERVISOR: SUBTREE},
    "elections.certify": _CERTIFIERS,
    # A voter's own roll entry (vote, nominate, co-sign, accept): OWN through RollEntry.user.
    "elections.voter": {SIGNED_IN: OWN},
}
