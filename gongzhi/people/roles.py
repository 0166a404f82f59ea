"""The roles a RoleGrant can give, in rising order of reach."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    REPRESENTATIVE = "representative", _("议事代表")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    COMMUNITY_HEAD = "community_head", _("社区书记/主任")
    DEPARTMENT_HANDLER = "department_handler", _("部门承办人")
    DISPATCHER = "dispatcher", _("派单员")
    SUPERVISOR = "supervisor", _("监督委员")
    REVIEWER = "reviewer", _("审核人")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


# Roles that work inside the government side of the platform (as opposed to residents and representatives).
STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_HEAD,
        Role.DEPARTMENT_HANDLER,
        Role.DISPATCHER,
        Role.SUPERVISOR,
        Role.REVIEWER,
        Role.STREET_STAFF,
        Role.DISTRICT_ADMIN,
        Role.SYSTEM_ADMIN,
    }
)
ADMIN_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN})

# Which roles a holder of each role may grant, on nodes inside their own grant.
GRANTABLE: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(Role.values),
    Role.DISTRICT_ADMIN: frozenset(set(Role.values) - {Role.SYSTEM_ADMIN}),
    Role.STREET_STAFF: frozenset(
        {
            Role.RESIDENT,
            Role.REPRESENTATIVE,
            Role.GRID_WORKER,
            Role.COMMUNITY_WORKER,
            Role.COMMUNITY_HEAD,
            Role.DEPARTMENT_HANDLER,
            Role.DISPATCHER,
            Role.SUPERVISOR,
            Role.REVIEWER,
        }
    ),
    Role.COMMUNITY_HEAD: frozenset(
        {Role.RESIDENT, Role.REPRESENTATIVE, Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SUPERVISOR}
    ),
}
