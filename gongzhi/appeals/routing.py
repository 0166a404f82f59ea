"""Routing: which department should handle an appeal, by rules (category subtree × unit subtree).

The best rule is the one with the highest priority; among equal priorities the more specific one wins
(a deeper category, then a deeper unit). When exactly one rule is best the appeal is dispatched at once;
when none matches, or two or more are equally good, it waits in the dispatcher's queue.

Other apps may refuse a department for an appeal (the services app's duties register, 职责清单, will
say which matters a unit may not be given): ``register_dispatch_check(check)`` where
``check(appeal, department)`` returns None to allow or a reason (text) to refuse. Every dispatch — by a
rule or by a person — asks every registered check; this app does not depend on any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gongzhi.lib.localcache import LocalCache

DispatchCheck = Callable[[Any, Any], "str | None"]
_checks: list[DispatchCheck] = []

_CACHE_KEY = "appeals:routing-version"
_CACHE_SECONDS = 30
# Intake reads the snapshot several times per appeal: one kept per process, reloaded every 30 s and within
# a second of a change announced by any process.
_snapshots = LocalCache(_CACHE_KEY, seconds=_CACHE_SECONDS, max_items=1)


def register_dispatch_check(check: DispatchCheck) -> None:
    """Add a check every dispatch must pass (e.g. the duties register); idempotent."""
    if check not in _checks:
        _checks.append(check)


def unregister_dispatch_check(check: DispatchCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def refusal(appeal: Any, department: Any) -> str | None:
    """Return why the department may not be given this appeal, or None when every check allows it."""
    for check in list(_checks):
        reason = check(appeal, department)
        if reason:
            return str(reason)
    return None


@dataclass(frozen=True)
class RuleView:
    """A routing rule flattened for matching in memory (rules are few; appeals are many)."""

    id: int
    category_path: str
    unit_path: str
    department_id: int
    priority: int

    @property
    def rank(self) -> tuple[int, int, int]:
        return (self.priority, len(self.category_path), len(self.unit_path))


@dataclass(frozen=True)
class Snapshot:
    """What intake reads on every appeal and rarely changes: rules, their departments, the taxonomy."""

    rules: list[RuleView]
    departments: dict[int, Any]
    categories: dict[str, Any]
    attributes: dict[int, list[Any]]
    # Department id -> its active handlers, filled on demand while the snapshot lives (for notifications).
    handlers: dict[int, list[Any]] = field(default_factory=dict)
    # Category path -> the rules on exactly that category (an appeal looks up its category's ancestors).
    by_category: dict[str, list[RuleView]] = field(default_factory=dict)
    steplen: int = 4


def rules_changed() -> None:
    """Tell every process that rules, categories or departments changed (this one at once, others soon)."""
    _snapshots.changed()


def rules_version() -> Any:
    """Return the announced version of rules, categories and departments (read at most once a second)."""
    return _snapshots.version.current()


def forget_local() -> None:
    """Drop this process's snapshot and remembered version (tests start each case from the database)."""
    _snapshots.forget_local()


def _load() -> Snapshot:
    from gongzhi.appeals.models import Category, CategoryAttribute, RoutingRule

    rows = list(
        RoutingRule.objects.filter(is_active=True, department__is_active=True, category__is_active=True)
        .select_related("department", "category", "unit")
        .order_by("id")
    )
    rules = [RuleView(r.pk, r.category.path, r.unit.path, r.department_id, r.priority) for r in rows]
    departments = {r.department_id: r.department for r in rows}
    categories = {c.code: c for c in Category.objects.all()}
    attributes: dict[int, list[Any]] = {}
    for attribute in CategoryAttribute.objects.filter(is_active=True).order_by("category_id", "order"):
        attributes.setdefault(attribute.category_id, []).append(attribute)
    by_category: dict[str, list[RuleView]] = {}
    for rule in rules:
        by_category.setdefault(rule.category_path, []).append(rule)
    return Snapshot(rules, departments, categories, attributes, by_category=by_category, steplen=Category.steplen)


def snapshot() -> Snapshot:
    """Return the kept snapshot, reloaded every 30 s and within a second of another process's change."""
    return _snapshots.get("rules", _load)


def active_rules() -> list[RuleView]:
    return snapshot().rules


def rule_department(department_id: int) -> Any:
    """Return a rule's (active) department from the snapshot, or None."""
    return snapshot().departments.get(department_id)


def category_by_code(code: str) -> Any:
    """Return the category with this code from the snapshot (None when unknown)."""
    return snapshot().categories.get(code)


def attributes_of(category_id: int) -> list[Any]:
    return snapshot().attributes.get(category_id, [])


def matching_rules(*, category_path: str, unit_path: str) -> list[RuleView]:
    """Return the rules that cover a category and a unit, best first."""
    current = snapshot()
    step = current.steplen
    found = [
        rule
        for end in range(step, len(category_path) + 1, step)  # the category and each of its ancestors
        for rule in current.by_category.get(category_path[:end], ())
        if unit_path.startswith(rule.unit_path)
    ]
    return sorted(found, key=lambda r: r.rank, reverse=True)


def best_rule(*, category_path: str, unit_path: str, allowed: Callable[[int], bool] | None = None) -> RuleView | None:
    """Return the one best rule, or None when no rule matches or the best ones tie."""
    candidates = matching_rules(category_path=category_path, unit_path=unit_path)
    if allowed is not None:
        candidates = [rule for rule in candidates if allowed(rule.department_id)]
    if not candidates:
        return None
    if len(candidates) > 1 and candidates[0].rank == candidates[1].rank:
        return None
    return candidates[0]
