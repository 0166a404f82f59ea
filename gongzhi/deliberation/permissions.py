"""Who may see and do what in deliberation (data only; access.py applies it).

Membership rules that no role table can say — only a current voting member votes, only the judges of
a contest score, only residents of a unit co-sign its proposals — are checked in the actions.
"""

from gongzhi.access import OWN, SIGNED_IN, SUBTREE
from gongzhi.people.roles import STAFF_ROLES, Role

_ADMINS = {Role.DISTRICT_ADMIN: SUBTREE, Role.SYSTEM_ADMIN: SUBTREE}
_ORGANIZERS = {Role.COMMUNITY_WORKER: SUBTREE, Role.COMMUNITY_HEAD: SUBTREE, Role.STREET_STAFF: SUBTREE, **_ADMINS}
_HEADS = {Role.COMMUNITY_HEAD: SUBTREE, Role.STREET_STAFF: SUBTREE, **_ADMINS}
_VIEWERS = {**dict.fromkeys(STAFF_ROLES, SUBTREE), Role.REPRESENTATIVE: SUBTREE}

PERMISSIONS = {
    # Bodies and their members.
    "deliberation.view": _VIEWERS,
    "deliberation.manage_bodies": _HEADS,
    # Topics: staff see all topics of their reach; everybody sees their own.
    "deliberation.topics_view": {**_VIEWERS, SIGNED_IN: OWN},
    "deliberation.propose_on_behalf": _ORGANIZERS,  # appeals clusters, government and party bodies
    "deliberation.screen": _ORGANIZERS,
    "deliberation.party_screen": _HEADS,
    # Meetings: convening, sign-in, minutes and tally.
    "deliberation.convene": _ORGANIZERS,
    # Resolutions and their execution.
    "deliberation.execute": {**_ORGANIZERS, Role.DEPARTMENT_HANDLER: SUBTREE, SIGNED_IN: OWN},
    "deliberation.supervise": {Role.SUPERVISOR: SUBTREE, **_ADMINS},
    "deliberation.legal_review": {Role.REVIEWER: SUBTREE, Role.SYSTEM_ADMIN: SUBTREE},
    "deliberation.answer_objections": {**_ORGANIZERS, Role.SUPERVISOR: SUBTREE},
    # Public participation.
    "deliberation.consultations_manage": _ORGANIZERS,
    "deliberation.inquiries_view": {**_VIEWERS, SIGNED_IN: OWN},
    "deliberation.inquiries_answer": _ORGANIZERS,
    "deliberation.contests_manage": _ORGANIZERS,
    "deliberation.contests_judge": {SIGNED_IN: OWN},
}
