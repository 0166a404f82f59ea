"""Every write of an election: setting it up, the roll, nominations, proxies, ballots, tally and seats.

Secrecy rules every function here keeps:
- a ballot row never gets a voter, a receipt, a timestamp or a sequential key;
- audit events and timeline entries say that a voter voted, never what they chose;
- when voting closes the ballot box is sealed (rows rewritten in random order with new keys).
"""

from gongzhi.elections.actions._common import turnout_fraction_from_settings, voter_entry
from gongzhi.elections.actions.nominations import (
    nomination_accept,
    nomination_by_body,
    nomination_decline,
    nomination_propose,
    nomination_record_paper,
    nomination_reject,
    nomination_support,
    proxy_register,
    proxy_revoke,
)
from gongzhi.elections.actions.results import (
    advance_windows,
    election_cancel,
    election_publish,
    election_tally,
    runoff_create,
)
from gongzhi.elections.actions.setup import (
    body_ensure,
    election_create,
    election_open,
    election_update,
    roll_add,
    roll_export_record,
    roll_remove,
)
from gongzhi.elections.actions.voting import (
    ballot_cast,
    candidates_of,
    paper_ballot_confirm,
    paper_ballot_enter,
    paper_ballot_issue,
    paper_ballot_reject,
    voting_close,
    voting_open,
)

__all__ = [
    "advance_windows",
    "ballot_cast",
    "body_ensure",
    "candidates_of",
    "election_cancel",
    "election_create",
    "election_open",
    "election_publish",
    "election_tally",
    "election_update",
    "nomination_accept",
    "nomination_by_body",
    "nomination_decline",
    "nomination_propose",
    "nomination_record_paper",
    "nomination_reject",
    "nomination_support",
    "paper_ballot_confirm",
    "paper_ballot_enter",
    "paper_ballot_issue",
    "paper_ballot_reject",
    "proxy_register",
    "proxy_revoke",
    "roll_add",
    "roll_export_record",
    "roll_remove",
    "runoff_create",
    "turnout_fraction_from_settings",
    "voter_entry",
    "voting_close",
    "voting_open",
]
