"""Who may do what in services (data only; gongzhi.access reads it)."""

from gongzhi.access import OWN, SIGNED_IN, SUBTREE
from gongzhi.people.roles import STAFF_ROLES, Role

_ALL_STAFF = dict.fromkeys(STAFF_ROLES, SUBTREE)
_ADMINS = {Role.DISTRICT_ADMIN: SUBTREE, Role.SYSTEM_ADMIN: SUBTREE}
_DESK = {
    Role.COMMUNITY_WORKER: SUBTREE,
    Role.COMMUNITY_HEAD: SUBTREE,
    Role.STREET_STAFF: SUBTREE,
    Role.DEPARTMENT_HANDLER: SUBTREE,
    **_ADMINS,
}
_POINT_KEEPERS = {Role.COMMUNITY_WORKER: SUBTREE, Role.COMMUNITY_HEAD: SUBTREE, Role.STREET_STAFF: SUBTREE, **_ADMINS}
_CATALOGUE_KEEPERS = {Role.STREET_STAFF: SUBTREE, **_ADMINS}
_ENFORCERS = {Role.STREET_STAFF: SUBTREE, Role.DEPARTMENT_HANDLER: SUBTREE, **_ADMINS}

PERMISSIONS = {
    # Applications: staff see those of their reach (a department those routed to it), residents their own.
    "services.view": {**_ALL_STAFF, SIGNED_IN: OWN},
    "services.apply": {SIGNED_IN: OWN},
    "services.intake": {**_DESK, Role.GRID_WORKER: SUBTREE},
    "services.process": _DESK,
    # Grid workers often act for the resident (代办): they may log hand-overs and visits.
    "services.custody": {**_DESK, Role.GRID_WORKER: SUBTREE},
    "services.rate": {SIGNED_IN: OWN},
    "services.export": {k: v for k, v in _DESK.items()},
    "services.stats": _ALL_STAFF,
    "services.points": _POINT_KEEPERS,
    "services.catalogue": _CATALOGUE_KEEPERS,
    "services.duties_view": _ALL_STAFF,
    "services.duties_manage": _ADMINS,
    "services.enforcement_view": {**_ENFORCERS, Role.SUPERVISOR: SUBTREE},
    "services.enforcement_manage": _ENFORCERS,
    "services.certificates_view": {**_POINT_KEEPERS, Role.SUPERVISOR: SUBTREE, SIGNED_IN: OWN},
    "services.certificates_issue": _POINT_KEEPERS,
    "services.certificates_revoke": {Role.COMMUNITY_HEAD: SUBTREE, Role.STREET_STAFF: SUBTREE, **_ADMINS},
    "services.certificates_catalogue": _CATALOGUE_KEEPERS,
    "services.village_view": {**_POINT_KEEPERS, Role.GRID_WORKER: SUBTREE, Role.SUPERVISOR: SUBTREE},
    "services.village_log": {**_POINT_KEEPERS, Role.GRID_WORKER: SUBTREE},
}
