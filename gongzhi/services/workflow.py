"""The state machines of applications (办件), bundles (一件事) and enforcement cases, with who may move them.

Roles in the tables are access roles, plus APPLICANT for the person who applied. Actions call
``transition()``; nothing else changes a status.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.lib.errors import Forbidden, InvalidTransition
from gongzhi.people.roles import Role

APPLICANT = "applicant"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    ACCEPTED_PENDING = "accepted_pending", _("容缺受理（待补材料）")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    REFUSED = "refused", _("不予办理")
    DELIVERED = "delivered", _("已送达")
    WITHDRAWN = "withdrawn", _("已撤回")

    @classmethod
    def open_values(cls) -> tuple[str, ...]:
        return (cls.SUBMITTED, cls.ACCEPTED, cls.ACCEPTED_PENDING, cls.IN_PROGRESS)

    @classmethod
    def finished_values(cls) -> tuple[str, ...]:
        return (cls.DONE, cls.DELIVERED)

    @classmethod
    def closed_values(cls) -> tuple[str, ...]:
        return (cls.DELIVERED, cls.REFUSED, cls.WITHDRAWN)


# Who processes applications at a desk or a centre.
DESK = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_HEAD,
        Role.STREET_STAFF,
        Role.DEPARTMENT_HANDLER,
        Role.DISTRICT_ADMIN,
        Role.SYSTEM_ADMIN,
    }
)
# Refusing is a decision: not every desk worker takes it.
DECIDERS = frozenset(
    {Role.COMMUNITY_HEAD, Role.STREET_STAFF, Role.DEPARTMENT_HANDLER, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN}
)
# Delivering a result may be done by whoever carries it to the resident, grid workers included (代办).
CARRIERS = DESK | {Role.GRID_WORKER}

S = ApplicationStatus
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.SUBMITTED, S.ACCEPTED): DESK,
    (S.SUBMITTED, S.ACCEPTED_PENDING): DESK,
    (S.SUBMITTED, S.REFUSED): DECIDERS,
    (S.SUBMITTED, S.WITHDRAWN): frozenset({APPLICANT}),
    # Materials brought in later complete the acceptance, whoever carried them (grid workers act as agents).
    (S.ACCEPTED_PENDING, S.ACCEPTED): CARRIERS,
    (S.ACCEPTED_PENDING, S.IN_PROGRESS): DESK,
    (S.ACCEPTED_PENDING, S.REFUSED): DECIDERS,
    (S.ACCEPTED, S.IN_PROGRESS): DESK,
    (S.ACCEPTED, S.REFUSED): DECIDERS,
    (S.IN_PROGRESS, S.DONE): DESK,
    (S.IN_PROGRESS, S.REFUSED): DECIDERS,
    (S.DONE, S.DELIVERED): CARRIERS,
}


class BundleStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("全部办结")
    PARTLY_REFUSED = "partly_refused", _("部分不予办理")
    CLOSED = "closed", _("已结束")


class EnforcementStatus(models.TextChoices):
    REGISTERED = "registered", _("已立案")
    INVESTIGATED = "investigated", _("已调查")
    DECIDED = "decided", _("已决定")
    EXECUTED = "executed", _("已执行")
    CLOSED = "closed", _("已结案")


ENFORCERS = frozenset({Role.STREET_STAFF, Role.DEPARTMENT_HANDLER, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN})
# A decision with a penalty is signed off above the line officer.
ENFORCEMENT_DECIDERS = frozenset({Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN})
E = EnforcementStatus
CASE_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (E.REGISTERED, E.INVESTIGATED): ENFORCERS,
    (E.INVESTIGATED, E.DECIDED): ENFORCEMENT_DECIDERS,
    (E.DECIDED, E.EXECUTED): ENFORCERS,
    (E.DECIDED, E.CLOSED): ENFORCEMENT_DECIDERS,  # a decision of no penalty closes without execution
    (E.EXECUTED, E.CLOSED): ENFORCEMENT_DECIDERS,
}


def allowed(table: dict[tuple[str, str], frozenset[str]], current: str, target: str) -> frozenset[str] | None:
    return table.get((current, target))


def next_states(table: dict[tuple[str, str], frozenset[str]], current: str, roles: Iterable[str]) -> list[str]:
    """Return the states the roles may move to from current (for buttons)."""
    held = set(roles)
    return [to for (frm, to), who in table.items() if frm == current and who & held]


def transition(
    obj: Any,
    target: str,
    *,
    roles: Iterable[str],
    table: dict[tuple[str, str], frozenset[str]] = TRANSITIONS,
    field: str = "status",
) -> str:
    """Move obj to target when the table allows it for one of the roles; return the old state."""
    current = getattr(obj, field)
    who = table.get((current, target))
    if who is None:
        raise InvalidTransition(
            _("不能从“%(current)s”变为“%(target)s”。")
            % {"current": _label(table, current), "target": _label(table, target)}
        )
    if not who & set(roles):
        raise Forbidden(_("您的角色不能执行这一步。"))
    setattr(obj, field, target)
    return current


def _label(table: dict[tuple[str, str], frozenset[str]], value: str) -> str:
    choices = EnforcementStatus if table is CASE_TRANSITIONS else ApplicationStatus
    try:
        return str(choices(value).label)
    except ValueError:
        return value
