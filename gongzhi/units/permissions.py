"""Who may see and change the units tree, departments and organizations."""

from gongzhi.access import SUBTREE
from gongzhi.people.roles import STAFF_ROLES, Role

_ALL_STAFF = dict.fromkeys(STAFF_ROLES, SUBTREE)
_ADMINS = {Role.DISTRICT_ADMIN: SUBTREE, Role.SYSTEM_ADMIN: SUBTREE}

PERMISSIONS = {
    "units.view": {**_ALL_STAFF, Role.REPRESENTATIVE: SUBTREE},
    "units.manage": _ADMINS,
    "departments.view": {**_ALL_STAFF, Role.REPRESENTATIVE: SUBTREE},
    "departments.manage": _ADMINS,
    "organizations.view": {**_ALL_STAFF, Role.REPRESENTATIVE: SUBTREE},
    "organizations.manage": {**_ADMINS, Role.STREET_STAFF: SUBTREE, Role.COMMUNITY_HEAD: SUBTREE},
}
