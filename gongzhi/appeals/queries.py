"""Every read of appeals goes through the access scope (work lists, the queue, timelines, the public page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealEvent,
    Assignment,
    Category,
    CategoryAttribute,
    Channel,
    ExtensionRequest,
    RoutingRule,
    Whistle,
    WhistleSummons,
)
from gongzhi.appeals.workflow import (
    ASSIGNMENT_ACTIVE,
    FINAL,
    HANDLING,
    OPEN,
    QUEUED,
    AssignmentStatus,
    ExtensionStatus,
    Status,
    SummonsStatus,
)
from gongzhi.lib.errors import InvalidInput, NotFound
from gongzhi.lib.pagination import Page, keyset_page
from gongzhi.units.models import Department, Unit

SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "due": ("resolution_due", "id"),
}

# --- categories ----------------------------------------------------------------------------------


def categories(*, active_only: bool = True) -> QuerySet[Category]:
    """Return the taxonomy in tree order (it is public: residents choose from it)."""
    qs = Category.objects.all().order_by("path")
    return qs.filter(is_active=True) if active_only else qs


def leaf_categories() -> list[Category]:
    return [c for c in categories() if c.is_leaf()]


def category_by_code(code: str, *, active_only: bool = False) -> Category:
    qs = categories(active_only=active_only)
    try:
        return qs.get(code=str(code).strip().upper())
    except Category.DoesNotExist:
        raise NotFound(_("找不到该诉求分类。")) from None


def category_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Return leaves grouped under their top category, for select boxes."""
    groups: dict[str, list[tuple[int, str]]] = {}
    tops: dict[str, str] = {}
    for category in categories():
        if category.depth == 1:
            tops[category.path] = category.label()
            groups.setdefault(category.path, [])
        elif category.is_leaf():
            groups.setdefault(category.path[: Category.steplen], []).append((category.pk, category.label()))
    return [(tops.get(path, ""), items) for path, items in groups.items() if items]


def attributes_of(category: Category) -> list[CategoryAttribute]:
    return list(CategoryAttribute.objects.filter(category=category, is_active=True).order_by("order"))


# --- appeals -------------------------------------------------------------------------------------


def appeals_visible(actor: Any, perm: str = "appeals.view") -> QuerySet[Appeal]:
    return access.scope(actor, perm, Appeal.objects.all())


def _with_relations(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    return qs.select_related("category", "unit", "department", "likely_duplicate_of", "merged_into", "reporter")


def access_appeal(actor: Any, number: str, perm: str = "appeals.view") -> Appeal:
    """Return the appeal by its number if the actor may see it, else NotFound."""
    return access.get_or_404(actor, perm, _with_relations(Appeal.objects.all()), number=str(number).strip())


def access_appeal_by_pk(actor: Any, pk: Any, perm: str = "appeals.view") -> Appeal:
    return access.get_or_404(actor, perm, _with_relations(Appeal.objects.all()), pk=pk)


@dataclass
class AppealFilters:
    """The work list filters (parsed from a form or the API query)."""

    status: list[str] | None = None
    open_only: bool = False
    category: Category | None = None
    unit: Unit | None = None
    department: Department | None = None
    overdue: bool = False
    escalated: bool = False
    channel: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""

    def validate(self) -> None:
        errors = {}
        for status in self.status or []:
            if status not in Status.values:
                errors["status"] = _("未知的状态“%(s)s”。") % {"s": status}
        if self.channel and self.channel not in Channel.values:
            errors["channel"] = _("未知的渠道。")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            errors["date_to"] = _("结束日期不能早于开始日期。")
        if errors:
            raise InvalidInput(fields=errors)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def appeal_filter(actor: Any, filters: AppealFilters, *, perm: str = "appeals.view") -> QuerySet[Appeal]:
    """Return the scoped appeals matching the filters (not yet ordered)."""
    filters.validate()
    qs = appeals_visible(actor, perm)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    elif filters.open_only:
        qs = qs.filter(status__in=sorted(OPEN))
    if filters.category is not None:
        qs = (
            qs.filter(category__path__startswith=filters.category.path)
            if not filters.category.is_leaf()
            else qs.filter(category=filters.category)
        )
    if filters.unit is not None:
        qs = qs.filter(unit_path__startswith=filters.unit.path)
    if filters.department is not None:
        qs = qs.filter(
            pk__in=Assignment.objects.filter(department=filters.department, status__in=ASSIGNMENT_ACTIVE).values(
                "appeal_id"
            )
        )
    if filters.overdue:
        qs = qs.filter(is_overdue=True, status__in=sorted(OPEN))
    if filters.escalated:
        qs = qs.filter(escalation_level__gt=0, status__in=sorted(OPEN))
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.date_from:
        qs = qs.filter(submitted_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(submitted_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    text = filters.q.strip()
    if text:
        if len(text) >= 6 and text[:4].isdigit() and "-" in text:
            qs = qs.filter(number=text)
        else:
            qs = qs.filter(Q(description__contains=text) | Q(address__contains=text))
    return qs


def appeal_page(
    actor: Any, filters: AppealFilters, *, sort: str = "newest", after: str | None = None, limit: int | None = None
) -> Page:
    """Return one keyset page of the work list."""
    if sort not in SORTS:
        raise InvalidInput(fields={"sort": _("未知的排序方式。")})
    qs = appeal_filter(actor, filters)
    if sort == "due":
        qs = qs.filter(resolution_due__isnull=False)
    return keyset_page(_with_relations(qs), order=SORTS[sort], after=after, limit=limit)


def dispatch_queue(
    actor: Any, *, unit: Unit | None = None, after: str | None = None, limit: int | None = None
) -> Page:
    """Return the dispatcher's queue: submitted and returned appeals in their reach, oldest first."""
    access.check_any(actor, "appeals.dispatch")
    qs = appeals_visible(actor, "appeals.dispatch").filter(status__in=sorted(QUEUED))
    if unit is not None:
        qs = qs.filter(unit_path__startswith=unit.path)
    return keyset_page(
        _with_relations(qs).select_related("likely_duplicate_of"),
        order=("submitted_at", "id"),
        after=after,
        limit=limit,
    )


def queue_count(actor: Any) -> int:
    return appeals_visible(actor, "appeals.dispatch").filter(status__in=sorted(QUEUED)).count()


def my_appeals(actor: Any, *, after: str | None = None, limit: int | None = None) -> Page:
    """Return the appeals a signed-in resident reported, newest first."""
    qs = Appeal.objects.filter(reporter=actor) if getattr(actor, "is_authenticated", False) else Appeal.objects.none()
    return keyset_page(_with_relations(qs), order=("-submitted_at", "-id"), after=after, limit=limit)


def track(number: str, mobile: str) -> Appeal:
    """Return an appeal for someone who knows its number and the mobile it was filed with (no sign-in)."""
    from gongzhi.lib.validators import normalize_mobile
    from gongzhi.people.actions import mobile_lookup

    number = (number or "").strip()
    mobile = normalize_mobile(mobile or "")
    if not number or not mobile:
        raise NotFound(_("请填写诉求编号和提交时留下的手机号码。"))
    appeal = _with_relations(Appeal.objects.filter(number=number)).first()
    if appeal is None:
        raise NotFound(_("编号或手机号码不正确。"))
    index = mobile_lookup(mobile)
    matches = appeal.contact_mobile_index == index or (
        appeal.reporter_id is not None and appeal.reporter is not None and appeal.reporter.mobile_index == index
    )
    if not matches:
        raise NotFound(_("编号或手机号码不正确。"))
    return appeal


def is_staff_viewer(actor: Any, appeal: Appeal) -> bool:
    """Return whether the actor sees the appeal as staff (internal events, contacts), not as its reporter."""
    return access.can(actor, "appeals.note", appeal) or any(
        access.can(actor, "appeals.handle", a) for a in assignments_of(appeal)
    )


def timeline(appeal: Appeal, *, internal: bool) -> list[AppealEvent]:
    """Return the appeal's events (public ones only unless `internal`), with their attachments."""
    qs = AppealEvent.objects.filter(appeal=appeal).select_related("actor", "department")
    if not internal:
        qs = qs.filter(is_public=True)
    attachments = AppealAttachment.objects.order_by("id")
    return list(qs.prefetch_related(Prefetch("attachments", queryset=attachments)).order_by("at", "id"))


def assignments_of(appeal: Appeal) -> list[Assignment]:
    cached = getattr(appeal, "_assignments_cache", None)
    if cached is None:
        cached = list(
            Assignment.objects.filter(appeal=appeal).select_related("department").order_by("-role", "dispatched_at")
        )
        appeal._assignments_cache = cached  # type: ignore[attr-defined]
    return cached


def attachments_of(appeal: Appeal, *, internal: bool) -> list[AppealAttachment]:
    qs = AppealAttachment.objects.filter(appeal=appeal).select_related("event")
    if not internal:
        qs = qs.filter(Q(event__isnull=True) | Q(event__is_public=True))
    return list(qs.order_by("id"))


def access_attachment(actor: Any, appeal: Appeal, attachment_id: int, *, internal: bool) -> AppealAttachment:
    for attachment in attachments_of(appeal, internal=internal):
        if attachment.pk == attachment_id:
            return attachment
    raise NotFound()


def extensions_of(appeal: Appeal) -> list[ExtensionRequest]:
    return list(ExtensionRequest.objects.filter(appeal=appeal).select_related("department", "requested_by"))


def whistles_of(appeal: Appeal) -> list[Whistle]:
    return list(
        Whistle.objects.filter(appeal=appeal)
        .select_related("unit", "blown_by", "appeal")
        .prefetch_related(
            Prefetch("summonses", queryset=WhistleSummons.objects.select_related("department", "whistle__appeal")),
            "summonses__ratings",
        )
    )


def whistle_options(actor: Any, appeal: Appeal, whistles: list[Whistle]) -> dict[str, Any]:
    """Return what the actor may do on the appeal's whistles now: {"close": ids, "rate": {summons id: [sides]}}.

    Mirrors the checks of ``whistle_close`` and ``whistle_rate`` (which check again, on the locked rows).
    """
    from gongzhi.appeals.actions.whistles import REPORTED, work_done
    from gongzhi.appeals.models import WhistleRatingSide

    close: set[int] = set()
    rate: dict[int, list[str]] = {}
    for whistle in whistles:
        unit_side = access.can(actor, "appeals.whistle_rate_department", whistle.unit)
        if unit_side and whistle.closed_at is None:
            close.add(whistle.pk)
        if not work_done(whistle, appeal):
            continue
        for summons in whistle.summonses.all():
            given = {r.side for r in summons.ratings.all()}
            sides = []
            if unit_side and summons.status != SummonsStatus.PENDING and WhistleRatingSide.UNIT not in given:
                sides.append(WhistleRatingSide.UNIT.value)
            if (
                summons.status in REPORTED
                and WhistleRatingSide.DEPARTMENT not in given
                and access.can(actor, "appeals.whistle_rate_unit", summons)
            ):
                sides.append(WhistleRatingSide.DEPARTMENT.value)
            if sides:
                rate[summons.pk] = sides
    return {"close": close, "rate": rate}


def duplicate_candidates(actor: Any, appeal: Appeal) -> list[Appeal]:
    """Return appeals this one may be merged into: the flagged duplicate and open ones by the same reporter."""
    found: list[Appeal] = []
    if appeal.likely_duplicate_of_id:
        found.append(appeal.likely_duplicate_of)
    if appeal.reporter_key:
        since = appeal.submitted_at - dt.timedelta(days=30)
        others = (
            appeals_visible(actor)
            .filter(reporter_key=appeal.reporter_key, submitted_at__gte=since)
            .exclude(pk=appeal.pk)
            .exclude(status__in=sorted(FINAL))
            .order_by("-submitted_at")[:10]
        )
        found.extend(o for o in others if o.pk not in {f.pk for f in found})
    return found


def departments_covering(unit_path: str) -> QuerySet[Department]:
    """Return the active departments whose jurisdiction covers a unit (they may be given its appeals).

    Department names and jurisdictions are public facts; a street dispatcher must be able to send an
    appeal to a district bureau whose records they cannot otherwise see.
    """
    paths = [unit_path[:i] for i in range(Unit.steplen, len(unit_path) + 1, Unit.steplen)]
    return (
        Department.objects.filter(is_active=True, jurisdiction__path__in=paths)
        .select_related("jurisdiction", "unit")
        .order_by("unit__path", "name")
    )


def department_for(unit_path: str, pk: Any, *, field: str = "department_id") -> Department:
    """Return a department that may handle matters of the unit, or refuse naming the field."""
    try:
        found = departments_covering(unit_path).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise InvalidInput(fields={field: _("该部门不存在、已停用或不负责该单位。")})
    return found


def suggested_department(appeal: Appeal) -> tuple[Department | None, list[Department]]:
    """Return (the one best rule's department or None, every department a matching rule names)."""
    from gongzhi.appeals import routing

    rules = routing.matching_rules(category_path=appeal.category.path, unit_path=appeal.unit_path)
    departments = {d.pk: d for d in Department.objects.filter(pk__in=[r.department_id for r in rules])}
    ordered = [departments[r.department_id] for r in rules if r.department_id in departments]

    def allowed(department_id: int) -> bool:
        department = departments.get(department_id)
        return department is not None and routing.refusal(appeal, department) is None

    best = routing.best_rule(category_path=appeal.category.path, unit_path=appeal.unit_path, allowed=allowed)
    return (departments.get(best.department_id) if best else None), list(dict.fromkeys(ordered))


def dispatch_refusals(appeal: Appeal, departments: list[Department]) -> dict[str, str]:
    """Return {department name: reason} for the rule departments a dispatch check refuses (e.g. duties)."""
    from gongzhi.appeals import routing

    found = {}
    for department in departments:
        reason = routing.refusal(appeal, department)
        if reason:
            found[department.name] = reason
    return found


# --- what the actor may do now (buttons) ----------------------------------------------------------


def allowed_actions(actor: Any, appeal: Appeal, *, verified_mobile: str | None = None) -> list[str]:
    """Return the actions the actor may take on the appeal in its current state (for buttons and the API)."""
    from gongzhi.appeals.actions.handling import is_reporter

    actions: list[str] = []
    status = appeal.status
    if access.can(actor, "appeals.dispatch", appeal):
        if status in QUEUED:
            actions += ["dispatch", "reject", "merge"]
        if status in (Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED):
            actions.append("redispatch")
    if access.can(actor, "appeals.coordinate", appeal):
        if status in QUEUED or status in HANDLING:
            actions.append("split")
        if status in OPEN:
            actions.append("whistle")
    mine = [a for a in assignments_of(appeal) if a.is_live and access.can(actor, "appeals.handle", a)]
    for assignment in mine:
        lead = assignment.role == Assignment.Role.LEAD
        if assignment.status == AssignmentStatus.PENDING:
            actions += ["accept", "return"]
        if lead and status == Status.REOPENED:
            actions.append("accept")
        if assignment.status == AssignmentStatus.ACCEPTED:
            if lead and status == Status.ACCEPTED:
                actions += ["respond", "return"]
            if (lead and status == Status.RESPONDED) or (not lead and status in HANDLING):
                actions.append("complete")
            if not lead:
                actions.append("return")
        if lead and status in HANDLING and not any(e.status == ExtensionStatus.PENDING for e in extensions_of(appeal)):
            actions.append("extension")
    if access.can(actor, "appeals.extend", appeal) and any(
        e.status == ExtensionStatus.PENDING for e in extensions_of(appeal)
    ):
        actions.append("decide_extension")
    if access.can(actor, "appeals.supervise", appeal):
        if status == Status.REVIEW:
            actions.append("review")
        if status == Status.RESOLVED:
            actions.append("close")
    if access.can(actor, "appeals.note", appeal):
        actions.append("note")
    if access.can(actor, "appeals.contact", appeal) and (appeal.contact_mobile_index or appeal.reporter_id):
        actions.append("reveal_contact")
    if is_reporter(actor, appeal, verified_mobile):
        if status == Status.RESOLVED:
            actions.append("rate")
        if appeal.reporter_id:
            actions.append("set_public")
    return list(dict.fromkeys(actions))


# --- assignments, extensions, whistles for the desks ----------------------------------------------


def my_assignments(
    actor: Any, *, statuses: list[str] | None = None, after: str | None = None, limit: int | None = None
) -> Page:
    """Return the assignments of the actor's departments (the handler's work list), oldest first."""
    qs = access.scope(actor, "appeals.handle", Assignment.objects.all())
    qs = qs.filter(status__in=statuses or [AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED])
    qs = qs.select_related(
        "appeal", "appeal__category", "appeal__unit", "appeal__department", "appeal__likely_duplicate_of", "department"
    )
    return keyset_page(qs, order=("dispatched_at", "id"), after=after, limit=limit)


def pending_extensions(actor: Any, *, limit: int = 50) -> list[ExtensionRequest]:
    qs = access.scope(actor, "appeals.extend", ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING))
    return list(qs.select_related("appeal", "department").order_by("requested_at")[:limit])


def access_extension(actor: Any, pk: Any) -> ExtensionRequest:
    return access.get_or_404(
        actor, "appeals.view", ExtensionRequest.objects.select_related("appeal", "department"), pk=pk
    )


def my_summonses(actor: Any, *, pending_only: bool = True, limit: int = 50) -> list[WhistleSummons]:
    qs = access.scope(actor, "appeals.checkin", WhistleSummons.objects.all())
    if pending_only:
        qs = qs.filter(status__in=[SummonsStatus.PENDING, SummonsStatus.MISSED])
    return list(
        qs.select_related("whistle", "whistle__appeal", "whistle__unit", "department")
        .prefetch_related("ratings")
        .order_by("due_at")[:limit]
    )


def access_summons(actor: Any, pk: Any) -> WhistleSummons:
    qs = WhistleSummons.objects.select_related("whistle", "whistle__appeal", "whistle__unit", "department")
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    if access.can(actor, "appeals.checkin", found) or access.can(actor, "appeals.view", found.whistle.appeal):
        return found
    raise NotFound()


def access_whistle(actor: Any, pk: Any) -> Whistle:
    """Return a whistle of an appeal the actor may see (404 otherwise)."""
    return access.get_or_404(actor, "appeals.view", Whistle.objects.select_related("appeal", "unit"), pk=pk)


def whistles_visible(actor: Any) -> QuerySet[Whistle]:
    return access.scope(actor, "appeals.view", Whistle.objects.all())


def rules_visible(actor: Any) -> QuerySet[RoutingRule]:
    return access.scope(
        actor, "appeals.rules.view", RoutingRule.objects.select_related("category", "unit", "department")
    ).order_by("category__path", "unit__path", "-priority")


def access_rule(actor: Any, pk: Any) -> RoutingRule:
    return access.get_or_404(
        actor, "appeals.rules.view", RoutingRule.objects.select_related("category", "unit", "department"), pk=pk
    )


# --- the public page ------------------------------------------------------------------------------


def public_appeals(*, after: str | None = None, limit: int | None = None, unit: Unit | None = None) -> Page:
    """Return appeals their reporters allowed to be public (shown without personal data)."""
    qs = Appeal.objects.filter(is_public=True).exclude(status__in=[Status.MERGED, Status.REJECTED])
    if unit is not None:
        qs = qs.filter(unit_path__startswith=unit.path)
    return keyset_page(_with_relations(qs), order=("-submitted_at", "-id"), after=after, limit=limit)


def public_appeal(number: str) -> Appeal:
    appeal = (
        _with_relations(Appeal.objects.filter(number=str(number).strip(), is_public=True))
        .exclude(status__in=[Status.MERGED, Status.REJECTED])
        .first()
    )
    if appeal is None:
        raise NotFound()
    return appeal


def public_unit_name(appeal: Appeal) -> str:
    """Return where the appeal is, at community level at most (never the address or the grid)."""
    from gongzhi.units.models import UnitKind

    known = getattr(appeal, "_public_place", None)
    if known is not None:
        return known
    unit = appeal.unit
    if unit.kind in (UnitKind.GRID, UnitKind.BUILDING):
        unit = unit.ancestor_of_kind(UnitKind.COMMUNITY, UnitKind.VILLAGE) or unit
    return unit.name


def remember_public_places(appeals: list[Appeal]) -> None:
    """Find the public place of every appeal on a page with one query (public_unit_name then reads it)."""
    from gongzhi.units.models import Unit, UnitKind

    below = (UnitKind.GRID, UnitKind.BUILDING)
    wanted: set[str] = set()
    for appeal in appeals:
        unit = appeal.unit
        if unit.kind in below:
            wanted.update(unit.path[:end] for end in range(Unit.steplen, len(unit.path), Unit.steplen))
    names = (
        dict(
            Unit.objects.filter(path__in=wanted, kind__in=(UnitKind.COMMUNITY, UnitKind.VILLAGE)).values_list(
                "path", "name"
            )
        )
        if wanted
        else {}
    )
    for appeal in appeals:
        unit = appeal.unit
        place = unit.name
        if unit.kind in below:
            for end in range(len(unit.path) - Unit.steplen, 0, -Unit.steplen):
                if unit.path[:end] in names:
                    place = names[unit.path[:end]]
                    break
        appeal._public_place = place  # type: ignore[attr-defined]


# --- candidates for periodic tasks (system reads, no actor) ----------------------------------------


def overdue_candidates(now: dt.datetime, *, limit: int = 5000) -> list[int]:
    """Return ids of appeals being handled that have passed a deadline and are not yet marked."""
    base = Appeal.objects.filter(status__in=sorted(HANDLING), is_overdue=False)
    by_resolution = base.filter(resolution_due__lt=now).values_list("pk", flat=True)[:limit]
    by_response = base.filter(responded_at__isnull=True, response_due__lt=now).values_list("pk", flat=True)[:limit]
    return sorted(set(by_resolution) | set(by_response))


def escalation_candidates(now: dt.datetime, grace: dt.timedelta, *, limit: int = 5000) -> list[int]:
    cutoff = now - grace
    qs = Appeal.objects.filter(is_overdue=True, status__in=sorted(OPEN)).filter(
        Q(escalated_at__isnull=True, overdue_at__lte=cutoff) | Q(escalated_at__lte=cutoff)
    )
    return list(qs.values_list("pk", flat=True)[:limit])


def unrated_candidates(now: dt.datetime, window: dt.timedelta, *, limit: int = 5000) -> list[int]:
    qs = Appeal.objects.filter(status=Status.RESOLVED, resolved_at__lte=now - window)
    return list(qs.values_list("pk", flat=True)[:limit])


def missed_summons_candidates(now: dt.datetime, *, limit: int = 5000) -> list[int]:
    qs = WhistleSummons.objects.filter(status=SummonsStatus.PENDING, due_at__lt=now)
    return list(qs.values_list("pk", flat=True)[:limit])


# --- desks ----------------------------------------------------------------------------------------


def desk_summary(actor: Any, perm: str = "appeals.view") -> dict[str, int]:
    """Return counts of open appeals in reach (one query over the open-appeals index)."""
    from django.db.models import Count

    qs = appeals_visible(actor, perm).filter(status__in=sorted(OPEN))
    return qs.aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(is_overdue=True)),
        escalated=Count("id", filter=Q(escalation_level__gt=0)),
        review=Count("id", filter=Q(status=Status.REVIEW)),
        queued=Count("id", filter=Q(status__in=sorted(QUEUED))),
    )


def attention(actor: Any, *, limit: int = 8) -> list[Appeal]:
    """Return the open appeals that need attention first: under review, escalated, overdue (oldest first)."""
    qs = (
        appeals_visible(actor)
        .filter(status__in=sorted(OPEN))
        .filter(Q(is_overdue=True) | Q(status=Status.REVIEW) | Q(escalation_level__gt=0))
    )
    return list(_with_relations(qs).order_by("submitted_at", "id")[:limit])


def recent_open(actor: Any, *, limit: int = 8) -> list[Appeal]:
    qs = appeals_visible(actor).filter(status__in=sorted(OPEN))
    return list(_with_relations(qs).order_by("-submitted_at", "-id")[:limit])
