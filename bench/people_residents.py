"""Scoped resident list through the API: 100,000 residents in 5,000 units, first and deep keyset pages.

Loads (once; ``--fresh`` to reload) a city with one district, 10 streets and townships, 500 communities
and villages and their grids (5,000 units), about 40,000 households and 100,000 residents with
encrypted identity and mobile numbers and their blind indexes — by bulk creation, not through the
actions, so loading takes a minute instead of hours. Then, for a district admin, a street staff member
and a grid worker, it requests ``GET /api/v1/residents`` (the first page, and a keyset page 90% of the
way through their scope) through Django's full request stack with a session, and prints p50/p95 and
the number of SQL queries, next to the trivial ``GET /api/v1/me`` and ``/healthz`` measured in the same
run. Target: p95 ≤ 100 ms for every list.

    python -m bench people_residents                       # SQLite: var/bench.db
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench python -m bench people_residents
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from dataclasses import dataclass
from typing import Any

from bench import measure, percentile, setup_django

TARGET_P95_MS = 100.0
STREETS = 10
COMMUNITIES_PER_STREET = 50
BENCH_PASSWORD = "bench-password-not-secret"


@dataclass
class Row:
    actor: str
    what: str
    p50: float
    p95: float
    queries: int
    rows: int


def _path(parent_path: str, position: int) -> str:
    from gongzhi.units.models import Unit

    depth = len(parent_path) // Unit.steplen + 1
    return Unit._get_path(parent_path, depth, position)


def load(*, residents: int, units: int, seed: int = 7, log: Any = print) -> None:
    """Bulk-create the tree, households, residents (encrypted, indexed) and three staff accounts."""
    from django.db import transaction

    from gongzhi.lib import crypto
    from gongzhi.lib.validators import identity_check_digit
    from gongzhi.people.actions import identity_lookup, mobile_lookup
    from gongzhi.people.models import Household, Resident, ResidentTag, ResidentTagKind, RoleGrant, User
    from gongzhi.people.roles import Role
    from gongzhi.units.models import Unit, UnitKind

    rng = random.Random(seed)
    start = time.perf_counter()
    since = dt.date(2020, 1, 1)
    fixed = {"valid_from": since, "numchild": 0}

    with transaction.atomic():
        # The tree: city › district › 10 streets/townships › 500 communities/villages › grids up to `units`.
        city = Unit(name="基准市", kind=UnitKind.CITY, code="980100000000", path=_path("", 1), depth=1, **fixed)
        district = Unit(
            name="基准区", kind=UnitKind.DISTRICT, code="980102000000", path=_path(city.path, 1), depth=2, **fixed
        )
        tree = [city, district]
        streets, communities = [], []
        for s in range(1, STREETS + 1):
            township = s > STREETS - 2
            street = Unit(
                name=f"第{s}{'镇' if township else '街道'}",
                kind=UnitKind.TOWNSHIP if township else UnitKind.STREET,
                code=f"980102{s:03d}000",
                path=_path(district.path, s),
                depth=3,
                **fixed,
            )
            streets.append(street)
            for c in range(1, COMMUNITIES_PER_STREET + 1):
                communities.append(
                    Unit(
                        name=f"{street.name}第{c}{'村' if township else '社区'}",
                        kind=UnitKind.VILLAGE if township else UnitKind.COMMUNITY,
                        code=f"980102{s:03d}{c:03d}",
                        path=_path(street.path, c),
                        depth=4,
                        **fixed,
                    )
                )
        tree += streets + communities
        grids_wanted = units - len(tree)
        if grids_wanted < len(communities):
            raise SystemExit(f"--units must be at least {len(tree) + len(communities)}")
        grids = []
        for index, community in enumerate(communities):
            count = grids_wanted // len(communities) + (1 if index < grids_wanted % len(communities) else 0)
            for g in range(1, count + 1):
                grids.append(
                    Unit(
                        name=f"{community.name}第{g}网格",
                        kind=UnitKind.GRID,
                        code=f"{community.code}{g:02d}",
                        path=_path(community.path, g),
                        depth=5,
                        **fixed,
                    )
                )
        tree += grids
        # numchild as treebeard keeps it.
        children: dict[str, int] = {}
        for unit in tree:
            parent = unit.path[: -Unit.steplen]
            if parent:
                children[parent] = children.get(parent, 0) + 1
        for unit in tree:
            unit.numchild = children.get(unit.path, 0)
        Unit.objects.bulk_create(tree, batch_size=1000)
        grids = list(Unit.objects.filter(kind=UnitKind.GRID).order_by("path"))
        log(f"  {len(tree):,} units ({len(grids):,} grids) in {time.perf_counter() - start:.1f} s")

        # Households of one to five, then their members, spread evenly over the grids.
        households: list[Household] = []
        sizes: list[int] = []
        remaining = residents
        per_grid = residents / len(grids)
        for index, grid in enumerate(grids):
            quota = round(per_grid * (index + 1)) - round(per_grid * index)
            quota = min(quota, remaining)
            number = 0
            while quota > 0:
                size = min(quota, rng.choice([1, 2, 2, 3, 3, 3, 4, 5]))
                number += 1
                households.append(
                    Household(
                        number=f"{grid.code}-{number:03d}",
                        unit=grid,
                        address=f"{grid.name}{number // 6 + 1}号楼{number % 6 + 1}0{rng.randint(1, 4)}室",
                    )
                )
                sizes.append(size)
                quota -= size
                remaining -= size
        Household.objects.bulk_create(households, batch_size=5000)
        households = list(Household.objects.order_by("id"))
        log(f"  {len(households):,} households in {time.perf_counter() - start:.1f} s")

        used_numbers: set[str] = set()
        today = dt.date(2026, 11, 1)
        batch: list[Resident] = []
        tags: list[tuple[int, str]] = []  # (index in the whole load, tag)
        surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
        given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇轩晨欣怡佳"
        total = 0
        for household, size in zip(households, sizes, strict=True):
            surname = rng.choice(surnames)
            for member in range(size):
                age = rng.randint(25, 90) if member == 0 else rng.randint(1, 90)
                birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
                male = rng.random() < 0.5
                # Fictitious region 980102 with sequence numbers 900–999: never a real person's number.
                while True:
                    seq = 900 + rng.randint(0, 49) * 2 + (1 if male else 0)
                    body = f"980102{birth:%Y%m%d}{seq:03d}"
                    number = body + identity_check_digit(body)
                    if number not in used_numbers:
                        used_numbers.add(number)
                        break
                    birth -= dt.timedelta(days=1)
                mobile = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}" if age >= 16 else ""
                batch.append(
                    Resident(
                        name=surname + "".join(rng.choice(given) for _ in range(rng.choice([1, 2]))),
                        gender="M" if male else "F",
                        birth_date=birth,
                        identity_encrypted=crypto.encrypt(number),
                        identity_index=identity_lookup(number),
                        mobile_encrypted=crypto.encrypt(mobile) if mobile else "",
                        mobile_index=mobile_lookup(mobile) if mobile else "",
                        address=household.address,
                        unit_id=household.unit_id,
                        household=household,
                        relation="head" if member == 0 else rng.choice(["spouse", "child", "parent", "other"]),
                        moved_out_on=today - dt.timedelta(days=rng.randint(1, 900)) if rng.random() < 0.02 else None,
                    )
                )
                if age >= 60:
                    tags.append((total, ResidentTagKind.ELDERLY))
                    if size == 1:
                        tags.append((total, ResidentTagKind.ELDERLY_ALONE))
                if age >= 18 and rng.random() < 0.08:
                    tags.append((total, ResidentTagKind.PARTY_MEMBER))
                total += 1
                if len(batch) >= 5000:
                    Resident.objects.bulk_create(batch)
                    batch = []
        Resident.objects.bulk_create(batch)
        ids = list(Resident.objects.order_by("id").values_list("id", flat=True))
        ResidentTag.objects.bulk_create(
            [ResidentTag(resident_id=ids[index], tag=tag) for index, tag in tags], batch_size=5000
        )
        log(f"  {len(ids):,} residents, {len(tags):,} tags in {time.perf_counter() - start:.1f} s")

        # Three staff accounts at three depths of the tree.
        middle_grid = grids[len(grids) // 2]
        for username, role, unit in (
            ("bench_district_admin", Role.DISTRICT_ADMIN, district),
            ("bench_street_staff", Role.STREET_STAFF, streets[STREETS // 2]),
            ("bench_grid_worker", Role.GRID_WORKER, middle_grid),
        ):
            user = User(username=username, display_name=username)
            user.set_password(BENCH_PASSWORD)
            user.save()
            RoleGrant.objects.create(user=user, role=role, unit=unit, anchor_path=unit.path, valid_from=since)
    _analyze()
    log(f"  loaded in {time.perf_counter() - start:.1f} s")


def _analyze() -> None:
    """Refresh planner statistics, as autovacuum (PostgreSQL) or PRAGMA optimize (SQLite) would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _loaded(residents: int, units: int) -> bool:
    from gongzhi.people.models import Resident, User
    from gongzhi.units.models import Unit

    return (
        Unit.objects.filter(code__startswith="9801").count() >= units
        and Resident.objects.count() >= residents
        and User.objects.filter(username="bench_grid_worker").exists()
    )


def _wipe() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def run(*, rounds: int, limit: int, explain: bool, log: Any = print) -> list[Row]:
    """Measure the baseline and the scoped lists for each actor; return the rows of the table."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongzhi.lib.pagination import encode_cursor
    from gongzhi.people import queries
    from gongzhi.people.models import User

    def request(client: Client, url: str) -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        return response

    results: list[Row] = []
    anonymous = Client()
    times = measure(lambda: request(anonymous, "/healthz"), rounds=rounds)
    with CaptureQueriesContext(connection) as ctx:
        request(anonymous, "/healthz")
    results.append(Row("—", "GET /healthz (baseline)", percentile(times, 50), percentile(times, 95), len(ctx), 0))

    for username in ("bench_district_admin", "bench_street_staff", "bench_grid_worker"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        role = username.removeprefix("bench_")

        times = measure(lambda c=client: request(c, "/api/v1/me"), rounds=rounds)
        with CaptureQueriesContext(connection) as ctx:
            request(client, "/api/v1/me")
        results.append(
            Row(role, "GET /api/v1/me (baseline)", percentile(times, 50), percentile(times, 95), len(ctx), 0)
        )

        # The deep page starts 90% of the way through the actor's scope (as if they had paged that far).
        scoped = queries.resident_filter(user).order_by("id").values_list("id", flat=True)
        in_scope = scoped.count()
        deep_after = scoped[max(0, int(in_scope * 0.9) - 1)] if in_scope > limit else None
        pages = [("first page", f"/api/v1/residents?limit={limit}")]
        if deep_after is not None:
            pages.append(("deep page (90%)", f"/api/v1/residents?limit={limit}&cursor={encode_cursor([deep_after])}"))
        for what, url in pages:
            times = measure(lambda c=client, u=url: request(c, u), rounds=rounds)
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                body = request(client, url).json()
            results.append(
                Row(
                    role,
                    f"residents {what}",
                    percentile(times, 50),
                    percentile(times, 95),
                    len(ctx),
                    len(body["items"]),
                )
            )
            if explain:
                _explain(ctx.captured_queries, log=log, title=f"{role} · {what} ({in_scope:,} in scope)")
    return results


def _explain(captured: list[dict[str, str]], *, log: Any, title: str) -> None:
    """Print the plan of every query over people_resident that the page ran."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    log(f"\n-- {title}")
    for query in captured:
        sql = query["sql"]
        if 'FROM "people_resident"' not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            plan = cursor.fetchall()
        where = sql[sql.index(' FROM "people_resident"') :]
        log(f"SELECT …{where}")
        for row in plan:
            log("   " + " ".join(str(c) for c in row))


def report(rows: list[Row], *, backend: str, residents: int, units: int, log: Any = print) -> bool:
    log(f"\nScoped resident list — {backend}, {residents:,} residents, {units:,} units (times in ms)")
    log(f"{'actor':<18} {'request':<30} {'p50':>8} {'p95':>8} {'queries':>8} {'rows':>5}  target")
    ok = True
    for row in rows:
        verdict = ""
        if row.what.startswith("residents"):
            passed = row.p95 <= TARGET_P95_MS
            ok &= passed
            verdict = f"p95 ≤ {TARGET_P95_MS:.0f}: {'ok' if passed else 'MISSED'}"
        log(
            f"{row.actor:<18} {row.what:<30} {row.p50:>8.1f} {row.p95:>8.1f} {row.queries:>8} {row.rows:>5}  {verdict}"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench people_residents", description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=60, help="measured requests per line (after 3 warm-ups)")
    parser.add_argument("--limit", type=int, default=50, help="page size")
    parser.add_argument("--fresh", action="store_true", help="empty the benchmark database and load again")
    parser.add_argument("--explain", action="store_true", help="print the query plan of each list's main query")
    args = parser.parse_args(argv)

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    print(f"Benchmark database: {connection.settings_dict['NAME']} ({connection.vendor})")
    call_command("migrate", interactive=False, verbosity=0)
    if args.fresh or not _loaded(args.residents, args.units):
        _wipe()
        print(f"Loading {args.residents:,} residents in {args.units:,} units…")
        load(residents=args.residents, units=args.units)
    else:
        print("Data already loaded (use --fresh to reload).")
    rows = run(rounds=args.rounds, limit=args.limit, explain=args.explain)
    ok = report(rows, backend=connection.vendor, residents=args.residents, units=args.units)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
