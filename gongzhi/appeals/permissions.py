"""Who may do what with appeals. Each verb is reached through a unit grant (its subtree), a department
grant (rows tied to the department: its assignments, summonses, ratings) or as the reporter (OWN).

The workflow's TRANSITIONS name these verbs; ``workflow.role_table()`` shows the roles behind each move.
"""

from gongzhi.access import OWN, SIGNED_IN, SUBTREE
from gongzhi.people.roles import STAFF_ROLES, Role

_ALL_STAFF = dict.fromkeys(STAFF_ROLES, SUBTREE)
_ADMINS = {Role.DISTRICT_ADMIN: SUBTREE, Role.SYSTEM_ADMIN: SUBTREE}
_DISPATCHERS = {Role.DISPATCHER: SUBTREE, Role.STREET_STAFF: SUBTREE, **_ADMINS}
_COMMUNITY = {Role.COMMUNITY_HEAD: SUBTREE, Role.COMMUNITY_WORKER: SUBTREE}

PERMISSIONS = {
    # Seeing appeals: staff in their reach (departments: appeals they hold), residents their own.
    "appeals.view": {**_ALL_STAFF, SIGNED_IN: OWN},
    # Taking an appeal down for someone (phone, walk-in, grid patrol) in a unit of one's reach.
    "appeals.create": {**_DISPATCHERS, **_COMMUNITY, Role.GRID_WORKER: SUBTREE},
    # Dispatching, redispatching, rejecting, merging (the dispatcher's queue).
    "appeals.dispatch": _DISPATCHERS,
    # Working an assignment: accept, return, contact the resident, finish, ask for more time.
    "appeals.handle": {Role.DEPARTMENT_HANDLER: SUBTREE},
    # Seeing the reporter's full mobile number (to call back); every look is audited.
    "appeals.contact": {**_DISPATCHERS, **_COMMUNITY, Role.DEPARTMENT_HANDLER: SUBTREE},
    # 一件事 (split into parallel assignments) and 吹哨 (summon departments): streets and communities.
    "appeals.coordinate": {**_DISPATCHERS, **_COMMUNITY},
    # Deciding on extension requests.
    "appeals.extend": {**_DISPATCHERS, Role.SUPERVISOR: SUBTREE},
    # Supervision: review after repeated dissatisfaction, closing, escalation notices.
    "appeals.supervise": {Role.SUPERVISOR: SUBTREE, **_ADMINS},
    # Internal notes on the timeline.
    "appeals.note": _ALL_STAFF,
    "appeals.export": {**_DISPATCHERS, Role.SUPERVISOR: SUBTREE, Role.COMMUNITY_HEAD: SUBTREE},
    "appeals.import": _DISPATCHERS,
    # The taxonomy is shared by every unit: only administrators change it.
    "appeals.categories": _ADMINS,
    "appeals.rules.view": {**_DISPATCHERS, Role.SUPERVISOR: SUBTREE},
    "appeals.rules.manage": {Role.STREET_STAFF: SUBTREE, **_ADMINS},
    # Check-in (报到) of a summoned department.
    "appeals.checkin": {Role.DEPARTMENT_HANDLER: SUBTREE},
    # 吹哨报到互评: the whistling street/community rates each summoned department (and closes the whistle) ...
    "appeals.whistle_rate_department": {**_DISPATCHERS, **_COMMUNITY},
    # ... and each summoned department rates the street's (community's) organisation of the work.
    "appeals.whistle_rate_unit": {Role.DEPARTMENT_HANDLER: SUBTREE},
    # Three rates, rankings and dashboards (from the daily rollups), in one's reach.
    "appeals.metrics": {**_ALL_STAFF, Role.REPRESENTATIVE: SUBTREE},
}
