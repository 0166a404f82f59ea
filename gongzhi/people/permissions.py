"""Who may see and change the register, users, grants and tokens."""

from gongzhi.access import OWN, SIGNED_IN, SUBTREE
from gongzhi.people.roles import STAFF_ROLES, Role

_REGISTER_KEEPERS = {
    Role.GRID_WORKER: SUBTREE,
    Role.COMMUNITY_WORKER: SUBTREE,
    Role.COMMUNITY_HEAD: SUBTREE,
    Role.STREET_STAFF: SUBTREE,
    Role.DISTRICT_ADMIN: SUBTREE,
    Role.SYSTEM_ADMIN: SUBTREE,
}
_GRANTERS = {
    Role.COMMUNITY_HEAD: SUBTREE,
    Role.STREET_STAFF: SUBTREE,
    Role.DISTRICT_ADMIN: SUBTREE,
    Role.SYSTEM_ADMIN: SUBTREE,
}

PERMISSIONS = {
    # The register: grid workers see and keep their grid's residents, with numbers masked.
    "residents.view": {**_REGISTER_KEEPERS, Role.SUPERVISOR: SUBTREE, SIGNED_IN: OWN},
    "residents.manage": _REGISTER_KEEPERS,
    "residents.export": {k: v for k, v in _REGISTER_KEEPERS.items() if k != Role.GRID_WORKER},
    # Seeing a full identity or mobile number is rarer, and every time is audited.
    "residents.unmask": {
        Role.COMMUNITY_HEAD: SUBTREE,
        Role.COMMUNITY_WORKER: SUBTREE,
        Role.DISTRICT_ADMIN: SUBTREE,
        Role.SYSTEM_ADMIN: SUBTREE,
        SIGNED_IN: OWN,
    },
    "users.view": {**_GRANTERS, Role.COMMUNITY_WORKER: SUBTREE, SIGNED_IN: OWN},
    "users.manage": _GRANTERS,
    "grants.view": {**_GRANTERS, Role.COMMUNITY_WORKER: SUBTREE},
    "grants.manage": _GRANTERS,
    "tokens.manage": {SIGNED_IN: OWN},
    "staff.desk": dict.fromkeys(STAFF_ROLES, SUBTREE),
}
