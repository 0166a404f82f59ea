"""Three rates and rankings (三率考核) from daily rollups: the dashboards never scan the appeals table.

``rollup(first, last)`` rebuilds DailyStat and DailyCategoryStat for a range of days from the appeals,
ratings and summonses of those days (a periodic task does the recent weeks every night; the ``rollup``
command does any range). Reports read only the rollup tables, through the access scope.

Definitions (also shown on the dashboard):
- response rate 响应率 = appeals answered (the resident contacted) within the response deadline
  ÷ appeals first dispatched, both counted on the day of first dispatch;
- resolution rate 解决率 = ratings saying "resolved" ÷ ratings, counted on the day of rating;
- satisfaction rate 满意率 = (satisfied + basically satisfied) ÷ ratings, on the day of rating;
- overdue 超期 = appeals that passed a deadline on that day;
- score 综合得分 = 20% response + 40% resolution + 40% satisfaction (weights of the rates available).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

from gongzhi import access
from gongzhi.appeals.models import (
    Appeal,
    Category,
    DailyCategoryStat,
    DailyStat,
    Rating,
    RollupRun,
    Satisfaction,
    WhistleSummons,
)
from gongzhi.appeals.workflow import Status, SummonsStatus
from gongzhi.lib.errors import InvalidInput
from gongzhi.units.models import Department, Unit, UnitKind

WEIGHTS = {"response_rate": 0.2, "resolution_rate": 0.4, "satisfaction_rate": 0.4}
COUNTERS = [
    "received",
    "dispatched",
    "responded",
    "responded_on_time",
    "resolved",
    "resolved_on_time",
    "rated",
    "rated_resolved",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "overdue",
    "closed",
    "summoned",
    "checked_in_on_time",
    "checked_in_late",
    "check_in_missed",
]
RECENT_DAYS = 45

DEFINITIONS = [
    (
        gettext_lazy("响应率"),
        gettext_lazy("按时响应数 ÷ 派单数：当月首次派单的诉求中，承办部门在响应时限内联系诉求人的比例。"),
    ),
    (gettext_lazy("解决率"), gettext_lazy("“已解决”评价数 ÷ 评价数：当月诉求人评价中认为问题已解决的比例。")),
    (
        gettext_lazy("满意率"),
        gettext_lazy("（满意 + 基本满意）÷ 评价数：当月诉求人评价中满意和基本满意的比例。"),
    ),
    (gettext_lazy("超期数"), gettext_lazy("当月超过响应时限或办结时限的诉求数（按超期发生日统计）。")),
    (
        gettext_lazy("综合得分"),
        gettext_lazy(
            "响应率×20% + 解决率×40% + 满意率×40%；当月无派单时按其余两项折算；当月没有评价的单位不参与排名。"
        ),
    ),
    (
        gettext_lazy("报到"),
        gettext_lazy("吹哨后部门按时报到、迟到和未报到的次数，计入被召集部门。"),
    ),
    (
        gettext_lazy("每月一题"),
        gettext_lazy("当月各单位收到诉求最多的分类，作为每月一题的候选。"),
    ),
]


# --- rollup ---------------------------------------------------------------------------------------


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min), tz),
    )


class _Reporting:
    """Map any unit to its reporting unit: its street or township, or itself when higher up.

    Streets are the level that is ranked (and departments); a finer grain would multiply the rollup
    rows (day × community × department is nearly one row per appeal event at city scale).
    """

    def __init__(self) -> None:
        self.units = {u["pk"]: u for u in Unit.objects.values("pk", "path", "kind")}
        self.by_path = {u["path"]: u for u in self.units.values()}
        self._cache: dict[int, dict[str, Any]] = {}

    def of(self, unit_id: int) -> dict[str, Any]:
        found = self._cache.get(unit_id)
        if found is not None:
            return found
        unit = self.units[unit_id]
        result = unit
        if unit["kind"] in (UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.GRID, UnitKind.BUILDING):
            step = Unit.steplen
            for end in range(len(unit["path"]) - step, 0, -step):
                ancestor = self.by_path.get(unit["path"][:end])
                if ancestor and ancestor["kind"] in (UnitKind.STREET, UnitKind.TOWNSHIP):
                    result = ancestor
                    break
        self._cache[unit_id] = result
        return result


def _grouped(qs: QuerySet, day_field: str, dims: list[str], **aggregates: Any) -> Iterable[dict[str, Any]]:
    return qs.annotate(day=TruncDate(day_field)).values("day", *dims).annotate(**aggregates).order_by()


@transaction.atomic
def rollup(first: dt.date, last: dt.date) -> int:
    """Rebuild the daily rollups for the days first..last (inclusive); return the rows written."""
    if last < first:
        raise InvalidInput(fields={"last": _("结束日期不能早于开始日期。")})
    start, end = _bounds(first, last)
    run = RollupRun.objects.create(first_day=first, last_day=last)
    reporting = _Reporting()
    stats: dict[tuple[dt.date, int, int | None], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    categories: dict[tuple[dt.date, int, int], int] = defaultdict(int)

    def add(day: dt.date, unit_id: int, department_id: int | None, **counts: int) -> None:
        row = stats[(day, reporting.of(unit_id)["pk"], department_id)]
        for name, value in counts.items():
            row[name] += value or 0

    appeals = Appeal.objects.all()
    for row in _grouped(
        appeals.filter(submitted_at__gte=start, submitted_at__lt=end),
        "submitted_at",
        ["unit_id", "department_id", "category_id"],
        n=Count("id"),
    ):
        add(row["day"], row["unit_id"], row["department_id"], received=row["n"])
        categories[(row["day"], reporting.of(row["unit_id"])["pk"], row["category_id"])] += row["n"]
    for row in _grouped(
        appeals.filter(first_dispatched_at__gte=start, first_dispatched_at__lt=end),
        "first_dispatched_at",
        ["unit_id", "department_id"],
        n=Count("id"),
        responded=Count("id", filter=Q(responded_at__isnull=False)),
        on_time=Count("id", filter=Q(responded_on_time=True)),
    ):
        add(
            row["day"],
            row["unit_id"],
            row["department_id"],
            dispatched=row["n"],
            responded=row["responded"],
            responded_on_time=row["on_time"],
        )
    for row in _grouped(
        appeals.filter(resolved_at__gte=start, resolved_at__lt=end),
        "resolved_at",
        ["unit_id", "department_id"],
        n=Count("id"),
        on_time=Count("id", filter=Q(resolved_on_time=True)),
    ):
        add(row["day"], row["unit_id"], row["department_id"], resolved=row["n"], resolved_on_time=row["on_time"])
    for row in _grouped(
        appeals.filter(overdue_at__gte=start, overdue_at__lt=end),
        "overdue_at",
        ["unit_id", "department_id"],
        n=Count("id"),
    ):
        add(row["day"], row["unit_id"], row["department_id"], overdue=row["n"])
    for row in _grouped(
        appeals.filter(closed_at__gte=start, closed_at__lt=end, status=Status.CLOSED),
        "closed_at",
        ["unit_id", "department_id"],
        n=Count("id"),
    ):
        add(row["day"], row["unit_id"], row["department_id"], closed=row["n"])
    for row in _grouped(
        Rating.objects.filter(rated_at__gte=start, rated_at__lt=end),
        "rated_at",
        ["unit_id", "department_id"],
        n=Count("id"),
        yes=Count("id", filter=Q(resolved=True)),
        satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basic=Count("id", filter=Q(satisfaction=Satisfaction.BASIC)),
        unsatisfied=Count("id", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    ):
        add(
            row["day"],
            row["unit_id"],
            row["department_id"],
            rated=row["n"],
            rated_resolved=row["yes"],
            satisfied=row["satisfied"],
            basically_satisfied=row["basic"],
            unsatisfied=row["unsatisfied"],
        )
    for row in _grouped(
        WhistleSummons.objects.filter(due_at__gte=start, due_at__lt=end),
        "due_at",
        ["whistle__appeal__unit_id", "department_id"],
        n=Count("id"),
        on_time=Count("id", filter=Q(status=SummonsStatus.ON_TIME)),
        late=Count("id", filter=Q(status=SummonsStatus.LATE)),
        missed=Count("id", filter=Q(status=SummonsStatus.MISSED)),
    ):
        add(
            row["day"],
            row["whistle__appeal__unit_id"],
            row["department_id"],
            summoned=row["n"],
            checked_in_on_time=row["on_time"],
            checked_in_late=row["late"],
            check_in_missed=row["missed"],
        )

    DailyStat.objects.filter(day__gte=first, day__lte=last).delete()
    DailyCategoryStat.objects.filter(day__gte=first, day__lte=last).delete()
    rows = [
        {
            "day": day,
            "unit_id": unit_id,
            "unit_path": reporting.units[unit_id]["path"],
            "department_id": department_id,
            **counts,
        }
        for (day, unit_id, department_id), counts in stats.items()
    ]
    _write(DailyStat, rows)
    category_rows = [
        {
            "day": day,
            "unit_id": unit_id,
            "unit_path": reporting.units[unit_id]["path"],
            "category_id": category_id,
            "received": n,
        }
        for (day, unit_id, category_id), n in categories.items()
    ]
    _write(DailyCategoryStat, category_rows)
    run.rows = len(rows) + len(category_rows)
    run.finished_at = timezone.now()
    run.save(update_fields=["rows", "finished_at"])
    return run.rows


def _write(model: type[DailyStat] | type[DailyCategoryStat], rows: list[dict[str, Any]]) -> None:
    """Insert rollup rows: COPY on PostgreSQL (a rebuild of two years writes millions), bulk insert elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = list(rows[0])
        names = ", ".join(model._meta.get_field(c.removesuffix("_id")).column for c in columns)
        with connection.cursor() as cursor:
            with (
                cursor.connection.cursor() as raw,
                raw.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        return
    model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)


def rollup_recent(days: int = RECENT_DAYS, today: dt.date | None = None) -> int:
    """Rebuild the last `days` days (ratings and responses arrive after the day they count for)."""
    last = today or timezone.localdate()
    return rollup(last - dt.timedelta(days=days - 1), last)


# --- reading --------------------------------------------------------------------------------------


def parse_month(value: str | None) -> dt.date:
    """Return the first day of a "YYYY-MM" month (default: the current month)."""
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise InvalidInput(fields={"month": _("月份格式应为YYYY-MM。")}) from None


def month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _rate(numerator: int, denominator: int, *, exact: bool = False) -> float | None:
    if not denominator:
        return None
    return numerator / denominator if exact else round(numerator / denominator, 4)


@dataclass
class Figures:
    """Summed counters for a scope, with the rates computed from them."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def add(self, row: dict[str, Any]) -> None:
        for name in COUNTERS:
            self.counts[name] += row.get(name) or 0

    def rates(self, *, exact: bool = False) -> dict[str, float | None]:
        c = self.counts
        return {
            "response_rate": _rate(c["responded_on_time"], c["dispatched"], exact=exact),
            "resolution_rate": _rate(c["rated_resolved"], c["rated"], exact=exact),
            "satisfaction_rate": _rate(c["satisfied"] + c["basically_satisfied"], c["rated"], exact=exact),
        }

    @property
    def response_rate(self) -> float | None:
        return self.rates()["response_rate"]

    @property
    def resolution_rate(self) -> float | None:
        return self.rates()["resolution_rate"]

    @property
    def satisfaction_rate(self) -> float | None:
        return self.rates()["satisfaction_rate"]

    @property
    def score(self) -> float | None:
        """Return the weighted score out of 100, from the exact rates (rounded once, at the end).

        Without any rating in the period there is no score: residents' ratings carry 80% of the weight, and a
        unit must not rank first merely because nobody has rated it yet.
        """
        if not self.counts["rated"]:
            return None
        exact = self.rates(exact=True)
        total = weight = 0.0
        for name, w in WEIGHTS.items():
            value = exact[name]
            if value is not None:
                total += value * w
                weight += w
        return round(total / weight * 100, 2) if weight else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "score": self.score,
        }


class FiguresOut(Schema):
    received: int
    dispatched: int
    responded: int
    responded_on_time: int
    resolved: int
    resolved_on_time: int
    rated: int
    rated_resolved: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    overdue: int
    closed: int
    summoned: int
    checked_in_on_time: int
    checked_in_late: int
    check_in_missed: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    score: float | None


class LeagueRow(FiguresOut):
    rank: int | None
    id: int
    name: str


class CategoryCount(Schema):
    code: str
    name: str
    received: int


class ThemeCandidates(Schema):
    unit_id: int
    unit_name: str
    categories: list[CategoryCount]


class Definition(Schema):
    name: str
    text: str


class MetricsOut(Schema):
    month: str
    scope: str
    updated_at: dt.datetime | None
    totals: FiguresOut
    streets: list[LeagueRow]
    units: list[LeagueRow]
    departments: list[LeagueRow]
    top_categories: list[CategoryCount]
    themes: list[ThemeCandidates]
    definitions: list[Definition]


class TrendPoint(FiguresOut):
    month: str


_SUMS = {name: Sum(name) for name in COUNTERS}


def _stats(actor: Any, first: dt.date, last: dt.date, unit: Unit | None) -> QuerySet[DailyStat]:
    qs = access.scope(actor, "appeals.metrics", DailyStat.objects.filter(day__gte=first, day__lte=last))
    if unit is not None:
        qs = qs.filter(unit_path__startswith=unit.path)
    return qs


def _rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    scored = sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0), -r["dispatched"], r["name"]))
    rank = 0
    for row in scored:
        if row["score"] is None:
            row["rank"] = None
        else:
            rank += 1
            row["rank"] = rank
    return scored


def _league_by_prefix(qs: QuerySet[DailyStat], units: list[Unit]) -> list[dict[str, Any]]:
    """Sum the rollups under each unit (one grouped query per path length)."""
    rows: list[dict[str, Any]] = []
    by_length: dict[int, dict[str, Unit]] = defaultdict(dict)
    for unit in units:
        by_length[len(unit.path)][unit.path] = unit
    for length, paths in by_length.items():
        grouped = (
            qs.annotate(prefix=Substr("unit_path", 1, length))
            .filter(prefix__in=list(paths))
            .values("prefix")
            .annotate(**_SUMS)
            .order_by()
        )
        seen = set()
        for row in grouped:
            figures = Figures()
            figures.add(row)
            unit = paths[row["prefix"]]
            seen.add(unit.path)
            rows.append({"id": unit.pk, "name": unit.name, **figures.as_dict()})
        for path, unit in paths.items():
            if path not in seen:
                rows.append({"id": unit.pk, "name": unit.name, **Figures().as_dict()})
    return _rank(rows)


def _reach(actor: Any, unit: Unit | None) -> list[Unit]:
    """Return the top units of the report: the given unit, or the actor's reach for metrics."""
    if unit is not None:
        return [unit]
    if access.is_global(actor, "appeals.metrics"):
        return list(Unit.objects.filter(depth=1))
    paths = access.units_for(actor, "appeals.metrics")
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def month_report(actor: Any, *, month: dt.date, unit: Unit | None = None) -> dict[str, Any]:
    """Return the month's figures, street/unit/department league tables and 每月一题 candidates."""
    access.check_any(actor, "appeals.metrics")
    first, last = month, month_end(month)
    qs = _stats(actor, first, last, unit)
    totals = Figures()
    totals.add(qs.aggregate(**_SUMS))
    tops = _reach(actor, unit)
    top_paths = [u.path for u in tops]

    def under_reach(q: QuerySet[Unit]) -> QuerySet[Unit]:
        condition = Q()
        for path in top_paths:
            condition |= Q(path__startswith=path)
        return q.filter(condition) if top_paths else q.none()

    streets = list(under_reach(Unit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWNSHIP])).order_by("path"))
    # The level just below the report's top unit (communities of a street, streets of a district...).
    children: list[Unit] = []
    if len(tops) == 1:
        children = list(
            Unit.objects.filter(path__startswith=tops[0].path, depth=tops[0].depth + 1)
            # Streets are the street league already; rollups do not go below streets.
            .filter(kind__in=[UnitKind.CITY, UnitKind.DISTRICT])
            .order_by("path")
        )
    department_rows = []
    for row in qs.exclude(department__isnull=True).values("department_id").annotate(**_SUMS).order_by():
        figures = Figures()
        figures.add(row)
        department_rows.append({"id": row["department_id"], **figures.as_dict()})
    names = dict(Department.objects.filter(pk__in=[r["id"] for r in department_rows]).values_list("pk", "name"))
    for row in department_rows:
        row["name"] = names.get(row["id"], "")

    category_qs = access.scope(
        actor, "appeals.metrics", DailyCategoryStat.objects.filter(day__gte=first, day__lte=last)
    )
    if unit is not None:
        category_qs = category_qs.filter(unit_path__startswith=unit.path)
    category_names = {c.pk: (c.code, c.label()) for c in Category.objects.all()}
    top_categories = [
        {"code": category_names[r["category_id"]][0], "name": category_names[r["category_id"]][1], "received": r["n"]}
        for r in category_qs.values("category_id").annotate(n=Sum("received")).order_by("-n", "category_id")[:10]
    ]
    theme_units = children or streets
    themes = []
    if theme_units:
        length_groups: dict[int, dict[str, Unit]] = defaultdict(dict)
        for theme_unit in theme_units:
            length_groups[len(theme_unit.path)][theme_unit.path] = theme_unit
        per_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for length, paths in length_groups.items():
            grouped = (
                category_qs.annotate(prefix=Substr("unit_path", 1, length))
                .filter(prefix__in=list(paths))
                .values("prefix", "category_id")
                .annotate(n=Sum("received"))
                .order_by("prefix", "-n", "category_id")
            )
            for row in grouped:
                theme_unit = paths[row["prefix"]]
                if len(per_unit[theme_unit.pk]) < 3:
                    code, name = category_names[row["category_id"]]
                    per_unit[theme_unit.pk].append({"code": code, "name": name, "received": row["n"]})
        themes = [
            {"unit_id": u.pk, "unit_name": u.name, "categories": per_unit[u.pk]} for u in theme_units if per_unit[u.pk]
        ]
    last_run = RollupRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    return {
        "month": f"{month:%Y-%m}",
        "scope": "、".join(u.name for u in tops),
        "updated_at": last_run.finished_at if last_run else None,
        "totals": totals.as_dict(),
        "streets": _league_by_prefix(qs, streets) if streets else [],
        "units": _league_by_prefix(qs, children) if children else [],
        "departments": _rank(department_rows),
        "top_categories": top_categories,
        "themes": themes,
        "definitions": [{"name": str(name), "text": str(text)} for name, text in DEFINITIONS],
    }


def trend(actor: Any, *, months: int = 12, unit: Unit | None = None, until: dt.date | None = None) -> list[dict]:
    """Return the monthly figures of the last `months` months (one grouped query)."""
    access.check_any(actor, "appeals.metrics")
    if not 1 <= months <= 36:
        raise InvalidInput(fields={"months": _("月数应在1到36之间。")})
    last_month = (until or timezone.localdate()).replace(day=1)
    first = last_month
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    qs = _stats(actor, first, month_end(last_month), unit)
    per_month: dict[str, Figures] = {}
    cursor = first
    while cursor <= last_month:
        per_month[f"{cursor:%Y-%m}"] = Figures()
        cursor = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    from django.db.models.functions import TruncMonth

    for row in qs.annotate(m=TruncMonth("day")).values("m").annotate(**_SUMS).order_by():
        key = f"{row['m']:%Y-%m}"
        if key in per_month:
            per_month[key].add(row)
    return [{"month": key, **figures.as_dict()} for key, figures in per_month.items()]


def department_month(actor: Any, department: Department, month: dt.date) -> dict[str, Any]:
    """Return one department's figures for a month (for its desk)."""
    qs = access.scope(
        actor,
        "appeals.metrics",
        DailyStat.objects.filter(department=department, day__gte=month, day__lte=month_end(month)),
    )
    figures = Figures()
    figures.add(qs.aggregate(**_SUMS))
    return figures.as_dict()
