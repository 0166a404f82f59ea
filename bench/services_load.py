"""Benchmark: a point's work list and certificate verification at 200,000 applications and 50,000 certificates.

Run on SQLite (var/services_bench.db) or PostgreSQL (DATABASE_URL, a database named *bench*), e.g.:

    .venv/bin/python -m bench services_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_services_bench .venv/bin/python -m bench.services_load

It creates the database content once (``--rebuild`` to start again), then times, through the real API with the
middleware, access scope and serialization:
  * GET /api/v1/services/applications?point_id=…   (first page, a later keyset page, and open ones only)
  * GET /api/v1/services/verify/<code>              (valid, revoked and forged codes)
and prints p50/p95 next to a baseline measured in the same run (a primary-key lookup through the same stack:
GET /api/v1/services/items/<id>). Targets: work list p95 ≤ 150 ms, verification p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Callable

from bench import measure, percentile, setup_django

APPLICATIONS = 200_000
CERTIFICATES = 50_000
RUNS = 200


def timed(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """Return the p50 and p95 wall times of `runs` calls in milliseconds."""
    samples = measure(fn, rounds=runs, warmup=5)
    return percentile(samples, 50), percentile(samples, 95)


def build(rebuild: bool) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.services.actions.common import verification_code
    from gongzhi.services.models import Application, Certificate, Mode
    from gongzhi.services.workflow import ApplicationStatus

    if rebuild:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    from gongzhi.people.models import User

    if not User.objects.filter(username="community_worker").exists():
        from tests.factories import build_world
        from tests.services.conftest import build_services

        with transaction.atomic():
            world = build_world()
            build_services(world)
    from gongzhi.services.models import CertificateType, ServiceItem, ServicePoint
    from gongzhi.units.models import Unit

    points = list(ServicePoint.objects.select_related("unit").order_by("id"))
    items = list(ServiceItem.objects.order_by("id"))
    community = Unit.objects.get(name="光明社区")
    street = Unit.objects.get(name="和平街道")
    have = Application.objects.count()
    rng = random.Random(7)
    statuses = [s for s, _label in ApplicationStatus.choices if s not in ("refused", "accepted_pending")]
    now = timezone.now()
    if have < APPLICATIONS:
        print(f"creating {APPLICATIONS - have} applications…", flush=True)
        batch = []
        for n in range(have, APPLICATIONS):
            point = points[0] if n % 10 < 6 else rng.choice(points)  # the doorstep station takes 60 %
            status = rng.choice(statuses)
            submitted = now - timezone.timedelta(minutes=n)
            batch.append(
                Application(
                    number=f"BENCH{n:09d}",
                    item=rng.choice(items),
                    unit=point.unit if point.unit.depth >= community.depth else community,
                    point=point,
                    handling_unit=street,
                    channel="desk",
                    mode=rng.choice([Mode.DIRECT, Mode.DIRECT, Mode.PROXY, Mode.ACCOMPANY]),
                    status=status,
                    applicant_name=f"居民{n}",
                    submitted_at=submitted,
                    deadline=submitted + timezone.timedelta(days=7) if status != "submitted" else None,
                    visits=rng.choice([0, 1, 1, 1, 2]),
                )
            )
            if len(batch) == 5000:
                Application.objects.bulk_create(batch)
                batch = []
        if batch:
            Application.objects.bulk_create(batch)
    have = Certificate.objects.count()
    if have < CERTIFICATES:
        print(f"creating {CERTIFICATES - have} certificates…", flush=True)
        ctype = CertificateType.objects.order_by("id").first()
        issuer = User.objects.get(username="community_worker")
        batch = []
        for n in range(have, CERTIFICATES):
            revoked = n % 20 == 0
            batch.append(
                Certificate(
                    serial=f"BENCH-{n:08d}",
                    code=verification_code(),
                    type=ctype,
                    unit=community,
                    holder_name=f"居民{n}",
                    purpose="x",
                    content="x",
                    evidence="x",
                    issued_by=issuer,
                    issued_at=now,
                    valid_until=(now + timezone.timedelta(days=90)).date(),
                    revoked_at=now if revoked else None,
                    revoked_by=issuer if revoked else None,
                    revoked_reason="bench" if revoked else "",
                )
            )
            if len(batch) == 5000:
                Certificate.objects.bulk_create(batch)
                batch = []
        if batch:
            Certificate.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    codes = list(Certificate.objects.values_list("code", flat=True)[:: max(1, CERTIFICATES // 500)])
    return {"point": points[0], "item": items[0], "codes": codes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="flush the database and create the data again")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("GONGZHI_DEBUG", "0")
    # Refuses any database whose name lacks "bench": --rebuild flushes it.
    setup_django("services_bench.db")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    data = build(args.rebuild)
    from gongzhi.people.models import User
    from gongzhi.services.models import Application

    worker = Client()
    worker.force_login(User.objects.get(username="community_worker"))
    anonymous = Client()
    point = data["point"]
    rng = random.Random(11)
    codes = data["codes"]
    first = worker.get(f"/api/v1/services/applications?point_id={point.pk}&limit=50").json()
    cursor = first["next_cursor"]
    for _ in range(20):  # go 20 pages deep for the "later page" case
        cursor = worker.get(f"/api/v1/services/applications?point_id={point.pk}&limit=50&cursor={cursor}").json()[
            "next_cursor"
        ]

    def check(response) -> None:
        assert response.status_code == 200, (response.status_code, response.content[:300])

    cases = [
        ("baseline: item by id", lambda: check(anonymous.get(f"/api/v1/services/items/{data['item'].pk}")), None),
        (
            "work list, first page",
            lambda: check(worker.get(f"/api/v1/services/applications?point_id={point.pk}&limit=50")),
            150,
        ),
        (
            "work list, page 21 (keyset)",
            lambda: check(worker.get(f"/api/v1/services/applications?point_id={point.pk}&limit=50&cursor={cursor}")),
            150,
        ),
        (
            "work list, open only",
            lambda: check(worker.get(f"/api/v1/services/applications?point_id={point.pk}&status=open&limit=50")),
            150,
        ),
        ("verify a real code", lambda: check(anonymous.get(f"/api/v1/services/verify/{rng.choice(codes)}")), 50),
        ("verify a forged code", lambda: check(anonymous.get("/api/v1/services/verify/ZZZZ9999ZZZZ9999ZZZZ")), 50),
    ]
    print(
        f"\n{connection.vendor}: {Application.objects.count():,} applications "
        f"({Application.objects.filter(point=point).count():,} at {point.name}), "
        f"{len(codes)} sample codes of {CERTIFICATES:,} certificates, {args.runs} runs each\n"
    )
    print(f"{'case':34} {'p50 ms':>8} {'p95 ms':>8} {'target':>8}  {'x baseline p95':>14}")
    baseline = None
    failed = False
    for name, fn, target in cases:
        p50, p95 = timed(fn, args.runs)
        baseline = baseline or p95
        verdict = "" if target is None else ("ok" if p95 <= target else "SLOW")
        failed |= verdict == "SLOW"
        print(f"{name:34} {p50:8.1f} {p95:8.1f} {target or '-':>8}  {p95 / baseline:14.1f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
