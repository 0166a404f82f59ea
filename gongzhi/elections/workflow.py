"""The election workflow: its states and the one table of allowed moves.

    draft ─open─▶ nominating ─start voting─▶ voting ─close (seal)─▶ closed ─tally─▶ tallied ─publish─▶ published
      └─────────────┴──────────────────────────┴──── cancel ──▶ cancelled

Each move names the permission (see permissions.py) that allows it. The scheduled task that opens
and closes voting windows moves elections as the system (``SYSTEM``), which only the window moves allow.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi import access
from gongzhi.lib.errors import InvalidTransition


class ElectionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    NOMINATING = "nominating", _("提名中")
    VOTING = "voting", _("投票中")
    CLOSED = "closed", _("投票结束")
    TALLIED = "tallied", _("已计票")
    PUBLISHED = "published", _("已公布")
    CANCELLED = "cancelled", _("已取消")


class System:
    """The actor of scheduled moves (voting windows opening and closing on time)."""

    is_authenticated = False
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM = System()

S = ElectionStatus
# (from, to): (permission, may the system make this move?)
TRANSITIONS: dict[tuple[str, str], tuple[str, bool]] = {
    (S.DRAFT, S.NOMINATING): ("elections.manage", False),
    (S.NOMINATING, S.VOTING): ("elections.manage", True),
    (S.VOTING, S.CLOSED): ("elections.manage", True),
    (S.CLOSED, S.TALLIED): ("elections.certify", False),
    (S.TALLIED, S.PUBLISHED): ("elections.certify", False),
    (S.DRAFT, S.CANCELLED): ("elections.certify", False),
    (S.NOMINATING, S.CANCELLED): ("elections.certify", False),
    (S.VOTING, S.CANCELLED): ("elections.certify", False),
}


def allowed(election: Any, to: str, actor: Any) -> bool:
    """Return whether the actor may move the election to `to` from where it is now."""
    rule = TRANSITIONS.get((election.status, to))
    if rule is None:
        return False
    perm, system_ok = rule
    if actor is SYSTEM:
        return system_ok
    return access.can(actor, perm, election)


def transition(election: Any, to: str, *, actor: Any) -> None:
    """Move the election to `to`, or raise InvalidTransition / Forbidden. The caller saves."""
    rule = TRANSITIONS.get((election.status, to))
    if rule is None:
        raise InvalidTransition(
            _("选举当前为“%(status)s”，不能转为“%(to)s”。")
            % {"status": ElectionStatus(election.status).label, "to": ElectionStatus(to).label}
        )
    perm, system_ok = rule
    if actor is SYSTEM:
        if not system_ok:
            raise InvalidTransition()
    else:
        access.check(actor, perm, election)
    election.status = to
