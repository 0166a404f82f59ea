"""The duties register (职责清单) as a check on every appeal dispatch.

A duty carries the appeal category code it covers (``Duty.category_code``). When an appeal's category
(or its nearest ancestor) is mapped to duties, a department may be given the appeal only if its unit
holds one of those duties, or the department is itself named as the duty's handler; otherwise the
dispatch is refused with the holder named. An empty register, or a category no duty covers, never
blocks a dispatch.

The register is read once per process into a small map and reloaded when a duty changes (this process at
once, others through the cache version), when the taxonomy changes, at most every 30 s, and on a new day
(duties have effective dates). A dispatch then costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.lib.localcache import LocalCache

_CACHE_KEY = "services:duties-version"
_CACHE_SECONDS = 30
# Every dispatch asks for the register: kept per process, keyed by the rules' version and the day (a duty
# takes effect by date), dropped everywhere within a second of a change to the duties.
_registers = LocalCache(_CACHE_KEY, seconds=_CACHE_SECONDS, max_items=16)


@dataclass(frozen=True)
class Holder:
    unit_id: int
    unit_path: str
    department_id: int | None
    holder_name: str
    duty_name: str


@dataclass(frozen=True)
class Register:
    # category code -> the duties covering it
    by_category: dict[str, list[Holder]]
    # category path -> code, for walking up the taxonomy
    codes: dict[str, str]


def duties_changed(*args: Any, **kwargs: Any) -> None:
    """Signal receiver: drop this process's copy and tell the others."""
    _registers.changed()
    # Another process may reload between this write and its commit; announce again once it is visible.
    transaction.on_commit(_registers.version.bump)


def forget_local() -> None:
    """Drop this process's copy of the register and its remembered version (tests start from the database)."""
    _registers.forget_local()


def _load() -> Register:
    from gongzhi.appeals import routing
    from gongzhi.services.queries import active_duties

    by_category: dict[str, list[Holder]] = {}
    rows = active_duties().exclude(category_code="").select_related("unit", "department").order_by("id")
    for duty in rows:
        by_category.setdefault(duty.category_code, []).append(
            Holder(duty.unit_id, duty.unit.path, duty.department_id, duty.holder_name, duty.name)
        )
    codes = {category.path: code for code, category in routing.snapshot().categories.items()}
    return Register(by_category, codes)


def register() -> Register:
    from gongzhi.appeals import routing

    return _registers.get((routing.rules_version(), timezone.localdate()), _load)


def duties_for(category: Any) -> list[Holder]:
    """Return the duties covering the category, from the category itself or its nearest mapped ancestor."""
    current = register()
    if not current.by_category:
        return []
    if category.code in current.by_category:
        return current.by_category[category.code]
    step = type(category).steplen
    path = category.path[:-step]
    while path:
        code = current.codes.get(path)
        if code in current.by_category:
            return current.by_category[code]
        path = path[:-step]
    return []


def _nearest_holder(holders: list[Holder], unit_path: str) -> Holder:
    above = [h for h in holders if unit_path.startswith(h.unit_path)]
    if above:
        return max(above, key=lambda h: len(h.unit_path))
    return min(holders, key=lambda h: (len(h.unit_path), h.unit_path))


def dispatch_refusal(appeal: Any, department: Any) -> str | None:
    """``routing.register_dispatch_check`` hook: why this department may not lead this appeal, or None."""
    holders = duties_for(appeal.category)
    if not holders:
        return None
    # The department's unit holds the duty (any of its departments may be given the matter), or the
    # department is the duty's named handler.
    if any(h.unit_id == department.unit_id or h.department_id == department.pk for h in holders):
        return None
    holder = _nearest_holder(holders, appeal.unit_path)
    return _("“%(duty)s”不在其所属单位的职责清单内，应由%(holder)s承办。") % {
        "duty": holder.duty_name,
        "holder": holder.holder_name,
    }
