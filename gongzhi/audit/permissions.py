"""Who may browse audit events (scoped to their units) and run the chain check."""

from gongzhi.access import SUBTREE
from gongzhi.people.roles import Role

PERMISSIONS = {
    "audit.view": {
        Role.COMMUNITY_HEAD: SUBTREE,
        Role.STREET_STAFF: SUBTREE,
        Role.SUPERVISOR: SUBTREE,
        Role.DISTRICT_ADMIN: SUBTREE,
        Role.SYSTEM_ADMIN: SUBTREE,
    },
    "audit.verify": {Role.DISTRICT_ADMIN: SUBTREE, Role.SYSTEM_ADMIN: SUBTREE},
}
