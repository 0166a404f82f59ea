"""Three rates and rankings (三率考核) from daily rollups: the dashboards never scan the appeals table.

``rollup(first, last)`` rebuilds the rollups for a range of days from the appeals, ratings, summonses and
whistle ratings of those days (a periodic task does the recent weeks every night; the ``rollup`` command does
any range), at two grains: per street/township (DailyStat, DailyCategoryStat: what district and city reports
read) and per community/village (DailyCommunityStat, DailyCommunityCategoryStat: what a street's drill-down
to its communities and a community's own figures read). Reports read only the rollup tables, through the
access scope.

Definitions (also shown on the dashboard):
- response rate 响应率 = appeals answered (the resident contacted) within the response deadline
  ÷ appeals first dispatched, both counted on the day of first dispatch;
- resolution rate 解决率 = ratings saying "resolved" ÷ ratings, counted on the day of rating;
- satisfaction rate 满意率 = (satisfied + basically satisfied) ÷ ratings, on the day of rating;
- overdue 超期 = appeals that passed a deadline on that day;
- score 综合得分 = 20% response + 40% resolution + 40% satisfaction (weights of the rates available);
- whistle rating 吹哨评价 = the mean of the 1–5 scores a department got from the whistling streets and
  communities (counted for the department), or a street/community got from the summoned departments for
  its organisation of the work (counted for the unit), on the day of rating. It is shown next to the three
  rates and does not enter the score.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
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
    DailyCommunityCategoryStat,
    DailyCommunityStat,
    DailyStat,
    Rating,
    RollupRun,
    Satisfaction,
    WhistleRating,
    WhistleRatingSide,
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
    "rated_by_units",
    "rated_by_units_total",
    "rated_by_departments",
    "rated_by_departments_total",
]
RECENT_DAYS = 45
# Units at these levels are reported from the community grain (their rows are few: a prefix under a street).
FINE_KINDS = frozenset(
    {UnitKind.STREET, UnitKind.TOWNSHIP, UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.GRID, UnitKind.BUILDING}
)
COMMUNITY_KINDS = frozenset({UnitKind.COMMUNITY, UnitKind.VILLAGE})

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
        gettext_lazy("吹哨后部门按时报到、迟到和未报到的次数，计入被召集部门（按报到时限所在日统计）。"),
    ),
    (
        gettext_lazy("吹哨评价（部门）"),
        gettext_lazy(
            "诉求办结或收哨后，吹哨的街道、社区对每个被召集部门的报到处置评分（1至5分）；"
            "部门的吹哨评价为当月所得评分的平均分，不计入综合得分。"
        ),
    ),
    (
        gettext_lazy("组织评价（街道、社区）"),
        gettext_lazy(
            "诉求办结或收哨后，已报到的部门对吹哨的街道、社区的组织协调评分（1至5分）；"
            "单位的组织评价为当月所得评分的平均分（含其下级社区吹哨所得），不计入综合得分。"
        ),
    ),
    (
        gettext_lazy("统计层级"),
        gettext_lazy(
            "区、市按街道（乡镇）汇总；街道及以下按社区（村）汇总，网格的诉求计入所在社区。各项按发生日计入当月。"
        ),
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
    """Map any unit to its reporting unit at a grain: its street or township (``kinds`` = streets), or its
    community or village (``kinds`` = communities); a unit above that level reports as itself.

    District and city reports read the street grain only: the community grain has many more rows (day ×
    community × department) and is read only under one street or community, by a unit-path prefix.
    """

    def __init__(
        self,
        kinds: frozenset[str] = frozenset({UnitKind.STREET, UnitKind.TOWNSHIP}),
        units: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        self.kinds = kinds
        self.units = units if units is not None else {u["pk"]: u for u in Unit.objects.values("pk", "path", "kind")}
        self.by_path = {u["path"]: u for u in self.units.values()}
        self._cache: dict[int, dict[str, Any]] = {}

    def of(self, unit_id: int) -> dict[str, Any]:
        found = self._cache.get(unit_id)
        if found is not None:
            return found
        unit = self.units[unit_id]
        result = unit
        if unit["kind"] not in self.kinds:
            step = Unit.steplen
            for end in range(len(unit["path"]) - step, 0, -step):
                ancestor = self.by_path.get(unit["path"][:end])
                if ancestor and ancestor["kind"] in self.kinds:
                    result = ancestor
                    break
        self._cache[unit_id] = result
        return result


def _counters() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


@dataclass
class _Grain:
    """One grain of the rollup: its two tables, its unit mapping, and the rows being summed."""

    stat_model: type[models.Model]
    category_model: type[models.Model]
    reporting: _Reporting
    stats: dict[tuple[dt.date, int, int | None], dict[str, int]] = field(
        default_factory=lambda: defaultdict(_counters)
    )
    categories: dict[tuple[dt.date, int, int], int] = field(default_factory=lambda: defaultdict(int))


def _grouped(qs: QuerySet, day_field: str, dims: list[str], **aggregates: Any) -> Iterable[dict[str, Any]]:
    return qs.annotate(day=TruncDate(day_field)).values("day", *dims).annotate(**aggregates).order_by()


@transaction.atomic
def rollup(first: dt.date, last: dt.date) -> int:
    """Rebuild the daily rollups for the days first..last (inclusive); return the rows written."""
    if last < first:
        raise InvalidInput(fields={"last": _("结束日期不能早于开始日期。")})
    start, end = _bounds(first, last)
    run = RollupRun.objects.create(first_day=first, last_day=last)
    streets = _Reporting()
    grains = [
        _Grain(DailyStat, DailyCategoryStat, streets),
        _Grain(DailyCommunityStat, DailyCommunityCategoryStat, _Reporting(COMMUNITY_KINDS, units=streets.units)),
    ]

    def add(day: dt.date, unit_id: int, department_id: int | None, **counts: int) -> None:
        for grain in grains:
            row = grain.stats[(day, grain.reporting.of(unit_id)["pk"], department_id)]
            for name, value in counts.items():
                row[name] += value or 0

    def add_category(day: dt.date, unit_id: int, category_id: int, n: int) -> None:
        for grain in grains:
            grain.categories[(day, grain.reporting.of(unit_id)["pk"], category_id)] += n

    appeals = Appeal.objects.all()
    for row in _grouped(
        appeals.filter(submitted_at__gte=start, submitted_at__lt=end),
        "submitted_at",
        ["unit_id", "department_id", "category_id"],
        n=Count("id"),
    ):
        add(row["day"], row["unit_id"], row["department_id"], received=row["n"])
        add_category(row["day"], row["unit_id"], row["category_id"], row["n"])
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

    for row in _grouped(
        WhistleRating.objects.filter(rated_at__gte=start, rated_at__lt=end),
        "rated_at",
        ["unit_id", "department_id", "side"],
        n=Count("id"),
        total=Sum("score"),
    ):
        # Both sides' ratings sit on the (whistling unit, summoned department) row; which counter says who was rated.
        if row["side"] == WhistleRatingSide.UNIT:
            add(
                row["day"],
                row["unit_id"],
                row["department_id"],
                rated_by_units=row["n"],
                rated_by_units_total=row["total"],
            )
        else:
            add(
                row["day"],
                row["unit_id"],
                row["department_id"],
                rated_by_departments=row["n"],
                rated_by_departments_total=row["total"],
            )

    written = 0
    for grain in grains:
        grain.stat_model.objects.filter(day__gte=first, day__lte=last).delete()
        grain.category_model.objects.filter(day__gte=first, day__lte=last).delete()
        units = grain.reporting.units
        rows = [
            {
                "day": day,
                "unit_id": unit_id,
                "unit_path": units[unit_id]["path"],
                "department_id": department,
                **counts,
            }
            for (day, unit_id, department), counts in grain.stats.items()
        ]
        _write(grain.stat_model, rows)
        category_rows = [
            {
                "day": day,
                "unit_id": unit_id,
                "unit_path": units[unit_id]["path"],
                "category_id": category,
                "received": n,
            }
            for (day, unit_id, category), n in grain.categories.items()
        ]
        _write(grain.category_model, category_rows)
        written += len(rows) + len(category_rows)
    run.rows = written
    run.finished_at = timezone.now()
    run.save(update_fields=["rows", "finished_at"])
    return run.rows


def _write(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
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
    def whistle_rating(self) -> float | None:
        """Return the mean 1–5 score the department(s) got from the whistling units."""
        c = self.counts
        return round(c["rated_by_units_total"] / c["rated_by_units"], 2) if c["rated_by_units"] else None

    @property
    def organising_rating(self) -> float | None:
        """Return the mean 1–5 score the unit(s) got from the summoned departments for organising the work."""
        c = self.counts
        return (
            round(c["rated_by_departments_total"] / c["rated_by_departments"], 2)
            if c["rated_by_departments"]
            else None
        )

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
            "whistle_rating": self.whistle_rating,
            "organising_rating": self.organising_rating,
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
    rated_by_units: int
    rated_by_units_total: int
    rated_by_departments: int
    rated_by_departments_total: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    score: float | None
    whistle_rating: float | None
    organising_rating: float | None


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
    grain: str
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


STREET_GRAIN = "street"
COMMUNITY_GRAIN = "community"


def grain_for(tops: list[Unit]) -> str:
    """Return the rollup grain a report over these top units reads: communities when all are a street or lower."""
    return COMMUNITY_GRAIN if tops and all(u.kind in FINE_KINDS for u in tops) else STREET_GRAIN


def _tables(grain: str) -> tuple[type[models.Model], type[models.Model]]:
    if grain == COMMUNITY_GRAIN:
        return DailyCommunityStat, DailyCommunityCategoryStat
    return DailyStat, DailyCategoryStat


def _stats(actor: Any, first: dt.date, last: dt.date, unit: Unit | None, grain: str = STREET_GRAIN) -> QuerySet:
    model = _tables(grain)[0]
    qs = access.scope(actor, "appeals.metrics", model.objects.filter(day__gte=first, day__lte=last))
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


def _league_by_prefix(qs: QuerySet, units: list[Unit]) -> list[dict[str, Any]]:
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
    tops = _reach(actor, unit)
    top_paths = [u.path for u in tops]
    grain = grain_for(tops)
    qs = _stats(actor, first, last, unit, grain)
    totals = Figures()
    totals.add(qs.aggregate(**_SUMS))

    def under_reach(q: QuerySet[Unit]) -> QuerySet[Unit]:
        condition = Q()
        for path in top_paths:
            condition |= Q(path__startswith=path)
        return q.filter(condition) if top_paths else q.none()

    streets = list(under_reach(Unit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWNSHIP])).order_by("path"))
    # The level just below the report's top unit (communities of a street, districts of a city...). Streets
    # are the street league already; rollups do not go below communities (grids count for their community).
    children: list[Unit] = []
    if len(tops) == 1:
        kinds = sorted(COMMUNITY_KINDS) if grain == COMMUNITY_GRAIN else [UnitKind.CITY, UnitKind.DISTRICT]
        children = list(
            Unit.objects.filter(path__startswith=tops[0].path, depth=tops[0].depth + 1, kind__in=kinds).order_by(
                "path"
            )
        )
    department_rows = []
    for row in qs.exclude(department__isnull=True).values("department_id").annotate(**_SUMS).order_by():
        figures = Figures()
        figures.add(row)
        department_rows.append({"id": row["department_id"], **figures.as_dict()})
    names = dict(Department.objects.filter(pk__in=[r["id"] for r in department_rows]).values_list("pk", "name"))
    for row in department_rows:
        row["name"] = names.get(row["id"], "")

    category_model = _tables(grain)[1]
    category_qs = access.scope(actor, "appeals.metrics", category_model.objects.filter(day__gte=first, day__lte=last))
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
        "grain": grain,
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
    qs = _stats(actor, first, month_end(last_month), unit, grain_for(_reach(actor, unit)))
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
