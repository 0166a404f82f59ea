"""Generate a city's worth of appeals for benchmarks: 1,000,000 by default, 10,000,000 with --appeals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench \\
        .venv/bin/python -m bench.appeals_generate --appeals 1000000 --fresh

A fresh PostgreSQL database gets the schema (migrate), a city of 8 districts, 80 streets, 960 communities
and 4,800 grids, about 300 departments with a handler each, routing rules, and then the appeals over
the last two years: more on weekdays and in working hours, a slow growth, a skewed spread over grids
(busy places get many more) and over categories, and the states an appeal of that age would be in
(old ones closed, rated or not; recent ones queued, dispatched, in work, overdue). Lead assignments and
ratings come with them. Rows are written with COPY (not through the actions: this is a load generator),
then the daily rollups are built by the real rollup code, and the tables are analysed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from bisect import bisect
from itertools import accumulate

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")

TZ = dt.timezone(dt.timedelta(hours=8))
DISTRICTS, STREETS, COMMUNITIES, GRIDS = 8, 10, 12, 5
# Relative frequency of the top categories in a city hotline (city management and property lead).
CATEGORY_WEIGHTS = {
    "UC": 22, "PM": 16, "UT": 12, "NO": 9, "TR": 8, "HO": 6, "SS": 5, "HE": 3, "ED": 3, "LA": 4,
    "MK": 5, "EN": 3, "PS": 2, "CA": 5, "AG": 1, "OT": 4,
}  # fmt: skip


def setup() -> None:
    import django

    django.setup()


def fresh_database() -> None:
    """Drop and recreate the benchmark database, then migrate it."""
    import psycopg
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("the benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = db["NAME"]
    if not name.startswith("gongzhi_bench"):
        sys.exit(f"refusing to drop {name!r}: the benchmark database name must start with gongzhi_bench")
    dsn = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def step(n: int) -> str:
    from gongzhi.appeals.taxonomy import path_step

    return path_step(n)


def build_city(rng: random.Random) -> dict:
    """Create the units, departments, handlers and routing rules (bulk, with treebeard paths)."""
    from gongzhi.appeals.models import Category, RoutingRule
    from gongzhi.people.models import RoleGrant, User
    from gongzhi.people.roles import Role
    from gongzhi.units.models import Department, DepartmentKind, Unit, UnitKind

    today = dt.date(2020, 1, 1)
    units: list[Unit] = []

    def unit(path: str, name: str, kind: str, code: str, children: int) -> Unit:
        u = Unit(path=path, depth=len(path) // 4, numchild=children, name=name, kind=kind, code=code, valid_from=today)
        units.append(u)
        return u

    city = unit(step(1), "基准市", UnitKind.CITY, "980100000000", DISTRICTS)
    districts, streets, communities, grids = [], [], [], []
    for d in range(1, DISTRICTS + 1):
        district = unit(city.path + step(d), f"第{d}区", UnitKind.DISTRICT, f"9801{d:02d}000000", STREETS)
        districts.append(district)
        for s in range(1, STREETS + 1):
            kind = UnitKind.TOWNSHIP if s > 8 else UnitKind.STREET
            street = unit(
                district.path + step(s),
                f"{d}区{s}{'镇' if s > 8 else '街道'}",
                kind,
                f"9801{d:02d}{s:03d}000",
                COMMUNITIES,
            )
            streets.append(street)
            for c in range(1, COMMUNITIES + 1):
                community = unit(
                    street.path + step(c),
                    f"{street.name}{c}{'村' if s > 8 else '社区'}",
                    UnitKind.VILLAGE if s > 8 else UnitKind.COMMUNITY,
                    f"9801{d:02d}{s:03d}{c:03d}",
                    GRIDS,
                )
                communities.append(community)
                for g in range(1, GRIDS + 1):
                    grids.append(
                        unit(
                            community.path + step(g),
                            f"{community.name}{g}网格",
                            UnitKind.GRID,
                            f"{community.code}{g:02d}",
                            0,
                        )
                    )
    Unit.objects.bulk_create(units, batch_size=2000)
    by_code = {u.code: u for u in Unit.objects.all()}

    departments: list[Department] = []
    bureaus = [
        ("CGW", "城市管理委员会"), ("ZJW", "住房和城乡建设委员会"), ("SCJ", "市场监督管理局"),
        ("MZJ", "民政局"), ("RSJ", "人力资源和社会保障局"), ("WJW", "卫生健康委员会"),
    ]  # fmt: skip
    for district in districts:
        d = by_code[district.code]
        for code, name in bureaus:
            departments.append(
                Department(
                    name=f"{d.name}{name}",
                    kind=DepartmentKind.DISTRICT_BUREAU,
                    code=f"B-{d.code[:6]}-{code}",
                    unit=d,
                    jurisdiction=d,
                )
            )
    for street in streets:
        s = by_code[street.code]
        for code, name, kind in (
            ("CGK", "城市管理科", DepartmentKind.STREET_SECTION),
            ("ZFD", "综合执法队", DepartmentKind.ENFORCEMENT),
            ("PCS", "派出所", DepartmentKind.POLICE),
        ):
            departments.append(
                Department(name=f"{s.name}{name}", kind=kind, code=f"S-{s.code[:9]}-{code}", unit=s, jurisdiction=s)
            )
    c = by_code[city.code]
    departments.append(
        Department(name="基准供电公司", kind=DepartmentKind.UTILITY, code="U-POWER", unit=c, jurisdiction=c)
    )
    departments.append(
        Department(name="基准自来水集团", kind=DepartmentKind.UTILITY, code="U-WATER", unit=c, jurisdiction=c)
    )
    Department.objects.bulk_create(departments, batch_size=1000)
    depts = {d.code: d for d in Department.objects.all()}

    password = User(username="x")
    password.set_password("bench-password-2026")
    users = [
        User(username=f"h-{code}", display_name=f"{d.name}承办人", password=password.password)
        for code, d in depts.items()
    ]
    users += [
        User(username="bench_intake", display_name="12345热线接口", password=password.password),
        User(username="bench_street", display_name="街道干部（基准）", password=password.password),
        User(username="bench_district", display_name="区管理员（基准）", password=password.password),
    ]
    User.objects.bulk_create(users, batch_size=1000)
    by_name = {u.username: u for u in User.objects.all()}
    grants = [
        RoleGrant(
            user=by_name[f"h-{code}"], role=Role.DEPARTMENT_HANDLER, department=d, anchor_path=d.jurisdiction.path
        )
        for code, d in depts.items()
    ]
    first_street, first_district = by_code[streets[0].code], by_code[districts[0].code]
    grants += [
        RoleGrant(user=by_name["bench_intake"], role=Role.DISPATCHER, unit=c, anchor_path=c.path),
        RoleGrant(
            user=by_name["bench_street"], role=Role.STREET_STAFF, unit=first_street, anchor_path=first_street.path
        ),
        RoleGrant(
            user=by_name["bench_district"],
            role=Role.DISTRICT_ADMIN,
            unit=first_district,
            anchor_path=first_district.path,
        ),
    ]
    RoleGrant.objects.bulk_create(grants)

    categories = {cat.code: cat for cat in Category.objects.all()}
    rules = []
    for street in streets:
        s = by_code[street.code]
        for code, dept in (("UC", "CGK"), ("UC04", "ZFD"), ("NO", "ZFD"), ("PS01", "PCS")):
            rules.append(RoutingRule(category=categories[code], unit=s, department=depts[f"S-{s.code[:9]}-{dept}"]))
    for district in districts:
        d = by_code[district.code]
        for code, dept in (
            ("PM", "ZJW"), ("HO", "ZJW"), ("MK", "SCJ"), ("SS", "MZJ"), ("CA", "MZJ"), ("LA", "RSJ"), ("HE", "WJW"),
            ("UT03", "CGW"), ("UT04", "CGW"), ("TR", "CGW"), ("EN", "CGW"),
        ):  # fmt: skip
            rules.append(RoutingRule(category=categories[code], unit=d, department=depts[f"B-{d.code[:6]}-{dept}"]))
    for code, dept in (("UT01", "U-WATER"), ("UT05", "U-WATER"), ("UT02", "U-POWER"), ("AG04", "U-POWER")):
        rules.append(RoutingRule(category=categories[code], unit=c, department=depts[dept]))
    RoutingRule.objects.bulk_create(rules)
    return {
        "city": c,
        "grids": [by_code[g.code] for g in grids],
        "departments": depts,
        "categories": categories,
        "users": by_name,
    }


def department_for(category_code: str, grid_code: str, depts: dict) -> str:
    """Mimic the routing rules: which department a generated appeal of this category and place went to."""
    street, district = grid_code[:9], grid_code[:6]
    top = category_code[:2]
    if category_code in ("UT01", "UT05"):
        return "U-WATER"
    if category_code in ("UT02", "AG04"):
        return "U-POWER"
    if category_code in ("UC04",) or top == "NO":
        return f"S-{street}-ZFD"
    if top == "UC":
        return f"S-{street}-CGK"
    if category_code == "PS01":
        return f"S-{street}-PCS"
    table = {"PM": "ZJW", "HO": "ZJW", "MK": "SCJ", "SS": "MZJ", "CA": "MZJ", "LA": "RSJ", "HE": "WJW"}
    return f"B-{district}-{table.get(top, 'CGW')}"


def _row(columns: list[str], values: dict) -> tuple:
    """Return the values in column order: a tuple, not a dict (10,000,000 appeals keep ~17M child rows in memory)."""
    return tuple(values[c] for c in columns)


def generate(count: int, city: dict, rng: random.Random, *, days: int = 730) -> dict[str, int]:
    """Write `count` appeals with lead assignments and ratings by COPY; return row counts."""
    from django.db import connection

    from gongzhi.appeals.models import Appeal, AppealCounter, Assignment, Rating

    grids = city["grids"]
    # Busy places: a Zipf-like weight over grids.
    weights = [1.0 / (i + 1) ** 0.6 for i in range(len(grids))]
    rng.shuffle(weights)
    grid_cum = list(accumulate(weights))
    leaves = [c for c in city["categories"].values() if c.numchild == 0]
    leaf_weights = [
        CATEGORY_WEIGHTS.get(c.code[:2], 1) / max(1, sum(1 for x in leaves if x.code[:2] == c.code[:2]))
        for c in leaves
    ]
    leaf_cum = list(accumulate(leaf_weights))
    depts = city["departments"]
    dept_ids = {code: d.pk for code, d in depts.items()}
    now = dt.datetime.now(TZ).replace(microsecond=0)
    start = now - dt.timedelta(days=days)
    # Submission times: more recent days are busier (growth), weekdays and working hours more than nights.
    day_weights = []
    for n in range(days):
        day = (start + dt.timedelta(days=n)).date()
        day_weights.append((0.7 + 0.6 * n / days) * (1.0 if day.weekday() < 5 else 0.55))
    day_cum = list(accumulate(day_weights))
    hour_weights = [
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        1.2,
        2.5,
        3.2,
        3.3,
        2.8,
        1.8,
        2.2,
        3.0,
        3.1,
        2.8,
        2.2,
        1.6,
        1.4,
        1.3,
        1.0,
        0.7,
        0.4,
    ]
    hour_cum = list(accumulate(hour_weights))
    moments = []
    for _ in range(count):
        day = bisect(day_cum, rng.random() * day_cum[-1])
        hour = bisect(hour_cum, rng.random() * hour_cum[-1])
        moments.append(
            start + dt.timedelta(days=day, hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        )
    moments.sort()

    appeal_cols = [f.column for f in Appeal._meta.concrete_fields]
    assignment_cols = [f.column for f in Assignment._meta.concrete_fields]
    rating_cols = [f.column for f in Rating._meta.concrete_fields]
    seq_by_year: dict[int, int] = {}
    counts = {"appeals": 0, "assignments": 0, "ratings": 0}
    channels = ["web"] * 3 + ["phone"] * 5 + ["api"] * 3 + ["walk_in", "grid_patrol", "open311"]
    kinds = ["request"] * 6 + ["complaint"] * 3 + ["suggestion", "enquiry", "praise"]
    with connection.cursor() as cursor:
        raw = cursor.connection
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY appeals_appeal ({', '.join(appeal_cols)}) FROM STDIN") as copy_appeals,
        ):
            assignments, ratings = [], []
            for pk, submitted in enumerate(moments, start=1):
                grid = grids[bisect(grid_cum, rng.random() * grid_cum[-1])]
                category = leaves[bisect(leaf_cum, rng.random() * leaf_cum[-1])]
                year = submitted.year
                seq = seq_by_year[year] = seq_by_year.get(year, 0) + 1
                age = (now - submitted).total_seconds() / 86400
                r = rng.random()
                department_code = department_for(category.code, grid.code, depts)
                dispatched = responded = resolved = closed = None
                status, close_reason, on_time, solved_on_time = "submitted", "", None, None
                overdue_at, is_overdue = None, False
                if r < 0.03:
                    status = "rejected"
                elif r < 0.05:
                    status = "merged"
                else:
                    dispatched = submitted + dt.timedelta(minutes=rng.randint(2, 240))
                    late = rng.random() < 0.1
                    responded = dispatched + dt.timedelta(
                        hours=rng.uniform(0.3, 20) if not late else rng.uniform(25, 60)
                    )
                    on_time = not late
                    resolved = responded + dt.timedelta(
                        days=rng.uniform(0.2, 8) if rng.random() < 0.9 else rng.uniform(10, 25)
                    )
                    solved_on_time = (resolved - dispatched).days <= 9
                    if late or not solved_on_time:
                        overdue_at = dispatched + (dt.timedelta(hours=24) if late else dt.timedelta(days=9))
                    if age < 0.2:
                        status, responded, resolved, dispatched = "submitted", None, None, None
                    elif resolved > now:
                        status = "responded" if responded <= now else "dispatched"
                        if responded > now:
                            responded = None
                        resolved = None
                        is_overdue = overdue_at is not None and overdue_at <= now
                    else:
                        closed = resolved + dt.timedelta(days=rng.uniform(0.1, 7))
                        status = "closed" if closed <= now else "resolved"
                        close_reason = ("rated" if rng.random() < 0.8 else "not_rated") if status == "closed" else ""
                        if status == "resolved":
                            closed = None
                    if overdue_at is not None and overdue_at > now:
                        overdue_at = None
                response_due = dispatched + dt.timedelta(hours=24) if dispatched else None
                resolution_due = dispatched + dt.timedelta(days=9) if dispatched else None
                dept_id = dept_ids[department_code] if dispatched else None
                values = {
                    "id": pk,
                    "number": f"{year}-{seq:06d}",
                    "year": year,
                    "seq": seq,
                    "channel": rng.choice(channels),
                    "kind": rng.choice(kinds),
                    "category_id": category.pk,
                    "description": f"{category.name}问题，位置在{grid.name}附近，请尽快处理。（{pk}）",
                    "attributes": "{}",
                    "address": f"{grid.name}{rng.randint(1, 30)}号楼",
                    "latitude": None,
                    "longitude": None,
                    "unit_id": grid.pk,
                    "unit_path": grid.path,
                    "reporter_id": None,
                    "reporter_resident_id": None,
                    "reporter_key": f"m:{rng.randint(1, count // 3):064x}"[:66],
                    "contact_name": "",
                    "contact_mobile_encrypted": "",
                    "contact_mobile_index": "",
                    "contact_email_encrypted": "",
                    "contact_email_index": "",
                    "entered_by_id": None,
                    "is_public": rng.random() < 0.3,
                    "status": status,
                    "version": 1,
                    "department_id": dept_id,
                    "submitted_at": submitted,
                    "first_dispatched_at": dispatched,
                    "dispatched_at": dispatched,
                    "accepted_at": dispatched + dt.timedelta(minutes=30)
                    if dispatched and status != "dispatched"
                    else None,
                    "responded_at": responded,
                    "responded_on_time": on_time if responded else None,
                    "resolved_at": resolved,
                    "resolved_on_time": solved_on_time if resolved else None,
                    "closed_at": closed
                    if status == "closed"
                    else (submitted + dt.timedelta(hours=1) if status in ("merged",) else None),
                    "close_reason": close_reason,
                    "response_due": response_due,
                    "resolution_due": resolution_due,
                    "is_overdue": is_overdue,
                    "overdue_at": overdue_at,
                    "escalation_level": 1 if is_overdue and rng.random() < 0.3 else 0,
                    "escalated_at": None,
                    "escalated_to_id": None,
                    "reopen_count": 0,
                    "return_count": 0,
                    "result": "已处理完毕。" if resolved else "",
                    "rejection_reason": "不属于受理范围。" if status == "rejected" else "",
                    "merged_into_id": None,
                    "likely_duplicate_of_id": None,
                    "updated_at": closed or resolved or responded or dispatched or submitted,
                }
                copy_appeals.write_row([values[c] for c in appeal_cols])
                counts["appeals"] += 1
                if dispatched:
                    assignments.append(
                        _row(
                            assignment_cols,
                            {
                                "id": len(assignments) + 1,
                                "appeal_id": pk,
                                "department_id": dept_id,
                                "role": "lead",
                                "status": "done"
                                if resolved
                                else ("accepted" if status in ("responded",) else "pending"),
                                "task": "",
                                "dispatched_by_id": None,
                                "dispatched_at": dispatched,
                                "accepted_by_id": None,
                                "accepted_at": values["accepted_at"],
                                "done_by_id": None,
                                "done_at": resolved,
                                "result": values["result"],
                                "return_reason": "",
                                "via_rule_id": None,
                            },
                        )
                    )
                if close_reason == "rated":
                    satisfaction = rng.choices(["satisfied", "basic", "unsatisfied"], weights=[72, 18, 10])[0]
                    ratings.append(
                        _row(
                            rating_cols,
                            {
                                "id": len(ratings) + 1,
                                "appeal_id": pk,
                                "round": 1,
                                "resolved": satisfaction != "unsatisfied" or rng.random() < 0.3,
                                "satisfaction": satisfaction,
                                "comment": "",
                                "rated_by_id": None,
                                "rated_at": closed,
                                "department_id": dept_id,
                                "unit_id": grid.pk,
                                "unit_path": grid.path,
                            },
                        )
                    )
                if pk % 100000 == 0:
                    print(f"  appeals {pk:,}/{count:,}", flush=True)
        with raw.cursor() as cur:
            with cur.copy(f"COPY appeals_assignment ({', '.join(assignment_cols)}) FROM STDIN") as copy:
                for row in assignments:
                    copy.write_row(row)
            with cur.copy(f"COPY appeals_rating ({', '.join(rating_cols)}) FROM STDIN") as copy:
                for row in ratings:
                    copy.write_row(row)
            for table in ("appeals_appeal", "appeals_assignment", "appeals_rating"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608 - fixed names
        counts["assignments"], counts["ratings"] = len(assignments), len(ratings)
    AppealCounter.objects.bulk_create([AppealCounter(year=y, last=n) for y, n in seq_by_year.items()])
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=1_000_000, help="how many appeals (10000000 for the big run)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the gongzhi_bench* database first")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "/gongzhi_bench" not in url:
        print("appeals_generate: skipped; set DATABASE_URL=postgres://…/gongzhi_bench_… (a database it may fill)")
        return 0
    setup()
    from django.db import connection

    from gongzhi.appeals import metrics
    from gongzhi.people.actions import token_create

    started = time.monotonic()
    if args.fresh:
        fresh_database()
    rng = random.Random(args.seed)
    city = build_city(rng)
    elapsed = time.monotonic() - started
    print(f"city: {len(city['grids']):,} grids, {len(city['departments']):,} departments ({elapsed:.0f}s)")
    counts = generate(args.appeals, city, rng)
    print(f"rows: {counts} ({time.monotonic() - started:.0f}s)")
    first = (dt.datetime.now(TZ) - dt.timedelta(days=731)).date()
    t = time.monotonic()
    rows, day = 0, first
    while day <= dt.date.today():  # a month per transaction keeps memory flat
        end = min(dt.date.today(), day + dt.timedelta(days=30))
        rows += metrics.rollup(day, end)
        day = end + dt.timedelta(days=1)
    print(f"rollups: {rows:,} rows in {time.monotonic() - t:.0f}s")
    connection.close()
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    dsn = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in (
            "appeals_appeal",
            "appeals_assignment",
            "appeals_rating",
            "appeals_dailystat",
            "appeals_dailycategorystat",
            "appeals_dailycommunitystat",
            "appeals_dailycommunitycategorystat",
        ):
            conn.execute(f"VACUUM ANALYZE {table}")
    tokens = {}
    for username in ("bench_intake", "bench_street", "bench_district"):
        _token, secret = token_create(actor=city["users"][username], name="benchmark")
        tokens[username] = secret
    path = os.environ.get("GONGZHI_BENCH_TOKENS", "var/bench_tokens.txt")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as handle:
        for username, secret in tokens.items():
            handle.write(f"{username}={secret}\n")
    print(f"tokens written to {path}; total {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
