"""Benchmark: the public topic list and a body's screening queue with 100,000 topics across units.

    .venv/bin/python -m bench.deliberation_topics                       # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench_delib .venv/bin/python -m bench.deliberation_topics

Builds a district of 10 streets × 10 communities with a council each (plus a street centre), fills 100,000
topics (bulk inserts: the data set is the subject here, not the actions), then times requests through the
real URL stack (Django test client, no network): the public API list (first page, a unit filter, a stage
filter, a deep page), the public HTML list, and a council's screening queue as its community worker.
A baseline request (/api/v1/me) is timed in the same run. Target: p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TOPICS = int(os.environ.get("BENCH_TOPICS", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
TARGET_MS = 150.0


def setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["GONGZHI_VAR_DIR"] = tempfile.mkdtemp(prefix="gongzhi-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    # Static files are served from the finders (no collectstatic manifest is needed for the HTML pages).
    os.environ.setdefault("GONGZHI_ENV", "test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def build() -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.deliberation.models import Body, BodyLevel, Topic, TopicSource
    from gongzhi.deliberation.workflow import TOPIC_PUBLIC, TOPIC_STAGE, TopicStatus
    from gongzhi.people.models import RoleGrant, User
    from gongzhi.people.roles import Role
    from gongzhi.units.models import Unit, UnitKind

    if Topic.objects.count() >= TOPICS:
        council = Body.objects.filter(level=BodyLevel.COMMUNITY_COMMITTEE).order_by("id").first()
        return {"council": council, "worker": User.objects.get(username="bench_worker"), "unit": council.unit}
    rng = random.Random(4)
    with transaction.atomic():
        city = Unit.objects.add_root(dict(name="基准市", kind=UnitKind.CITY, code="980100000000"))
        district = Unit.objects.add_child(city, dict(name="基准区", kind=UnitKind.DISTRICT, code="980102000000"))
        communities = []
        for s in range(10):
            street = Unit.objects.add_child(
                district, dict(name=f"第{s}街道", kind=UnitKind.STREET, code=f"980102{s + 1:03d}000")
            )
            for c in range(10):
                communities.append(
                    Unit.objects.add_child(
                        street,
                        dict(name=f"第{s}-{c}社区", kind=UnitKind.COMMUNITY, code=f"980102{s + 1:03d}{c + 1:03d}"),
                    )
                )
        worker = User.objects.create(username="bench_worker", display_name="基准社区工作者")
        RoleGrant.objects.create(
            user=worker, role=Role.COMMUNITY_WORKER, unit=communities[0], anchor_path=communities[0].path
        )
        proposer = User.objects.create(username="bench_resident", display_name="基准居民")
        bodies = [
            Body.objects.create(unit=unit, name=f"{unit.name}议事会", level=BodyLevel.COMMUNITY_COMMITTEE)
            for unit in communities
        ]
    statuses = [
        (TopicStatus.SUBMITTED, 10),
        (TopicStatus.COLLECTING, 15),
        (TopicStatus.PUBLISHED, 20),
        (TopicStatus.RESOLVED, 20),
        (TopicStatus.CLOSED, 20),
        (TopicStatus.REJECTED, 10),
        (TopicStatus.NOT_ADOPTED, 5),
    ]
    population = [s for s, weight in statuses for _ in range(weight)]
    now = timezone.now()
    batch: list[Topic] = []
    for n in range(TOPICS):
        body = bodies[rng.randrange(len(bodies))]
        status = rng.choice(population)
        batch.append(
            Topic(
                number=f"YT2026{n + 1:07d}",
                unit=body.unit,
                unit_path=body.unit.path,
                body=body,
                level=body.level,
                title=f"议题{n}：{rng.choice(['停车', '加装电梯', '垃圾分类', '绿化', '照明', '养犬'])}",
                description="基准数据",
                source=TopicSource.RESIDENT,
                proposer=proposer,
                status=status,
                stage=TOPIC_STAGE[status],
                is_public=status in TOPIC_PUBLIC,
                cosign_required=3,
                published_at=now,
            )
        )
        if len(batch) == 5000:
            Topic.objects.bulk_create(batch)
            batch = []
    Topic.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"council": bodies[0], "worker": worker, "unit": communities[0]}


def timed(client, path: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return samples


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    global TOPICS, REQUESTS
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--topics", type=int, default=TOPICS, help="topics to create (default 100,000)")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="requests per case (default 200)")
    args = parser.parse_args(argv or [])
    TOPICS, REQUESTS = args.topics, args.requests
    engine = setup_django()
    from django.test import Client

    from gongzhi.deliberation.models import Topic

    started = time.perf_counter()
    ctx = build()
    print(f"database: {engine}; topics: {Topic.objects.count():,} (prepared in {time.perf_counter() - started:.1f}s)")
    visitor = Client()
    worker = Client()
    worker.force_login(ctx["worker"])
    deep_cursor = visitor.get("/api/v1/deliberation/topics?limit=50").json()["next_cursor"]
    for _ in range(20):  # let the database warm its pages
        visitor.get(f"/api/v1/deliberation/topics?limit=50&cursor={deep_cursor}")
    cases = [
        ("baseline /api/v1/me", worker, "/api/v1/me"),
        ("public topics, first page (API)", visitor, "/api/v1/deliberation/topics?limit=50"),
        ("public topics, next page (API)", visitor, f"/api/v1/deliberation/topics?limit=50&cursor={deep_cursor}"),
        (
            "public topics, one community (API)",
            visitor,
            f"/api/v1/deliberation/topics?limit=50&unit_id={ctx['unit'].pk}",
        ),
        ("public topics, stage=resolve (API)", visitor, "/api/v1/deliberation/topics?limit=50&stage=resolve"),
        ("public topics (HTML page)", visitor, "/deliberation/?stage=consult"),
        (
            "screening queue of a council (API)",
            worker,
            f"/api/v1/deliberation/bodies/{ctx['council'].pk}/queue?limit=50",
        ),
        ("screening queue of a council (HTML)", worker, f"/deliberation/bodies/{ctx['council'].pk}/queue/"),
    ]
    failed = False
    print(f"{'request':42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    baseline = None
    for label, client, path in cases:
        samples = timed(client, path, REQUESTS)
        p50, p95 = statistics.median(samples), p(samples, 0.95)
        if baseline is None:
            baseline = p95
        verdict = "" if label.startswith("baseline") else ("ok" if p95 <= TARGET_MS else "SLOW")
        failed |= verdict == "SLOW"
        print(f"{label:42} {p50:8.1f} {p95:8.1f} {max(samples):8.1f}  {verdict}")
    print(f"target p95 ≤ {TARGET_MS:.0f} ms; baseline p95 {baseline:.1f} ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main(sys.argv[1:]))
