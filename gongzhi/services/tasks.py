"""Background work of services: thin wrappers around actions (declared periodic in gongzhi/schedule.py)."""

from __future__ import annotations

from gongzhi.services import actions


def overdue_sweep() -> dict[str, int]:
    """Run the deadline sweep once (idempotent: each application is flagged and escalated once)."""
    return actions.overdue_sweep()
