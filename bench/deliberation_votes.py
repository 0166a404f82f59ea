"""Benchmark: 2,000 members casting votes concurrently on one agenda item through the HTTP API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench_delib .venv/bin/python -m bench.deliberation_votes

Sets up a body of 2,000 voting members, an open meeting with all of them signed in and an open secret vote,
and a bearer token per member. Starts gunicorn on 127.0.0.1 (4 workers × 8 threads) and sends the 2,000
votes from 64 client threads. Checks every vote was recorded (201 for each, 2,000 cast rows, 2,000 vote
rows), then times the tally (the close-vote action: counting, the majority rule, the resolution). Target:
all recorded, tally ≤ 1 s. Baseline in the same run: the same client sending 200 GET /api/v1/me.
Without DATABASE_URL it runs on SQLite in a temporary folder (writers queue on SQLite's single lock).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

VOTERS = int(os.environ.get("BENCH_VOTERS", "2000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "64"))
ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["GONGZHI_VAR_DIR"] = tempfile.mkdtemp(prefix="gongzhi-bench-votes-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("GONGZHI_ENV", "development")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def build() -> tuple[int, list[str], object, object]:
    """Create the body, members, tokens and the open vote; return (item id, tokens, staff, item)."""
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.deliberation import actions
    from gongzhi.deliberation.models import (
        Attendance,
        AttendanceMethod,
        Body,
        BodyLevel,
        BodyMember,
        Invitee,
        MeetingKind,
    )
    from gongzhi.people.actions import TOKEN_PREFIX, hash_token
    from gongzhi.people.models import ApiToken, RoleGrant, User
    from gongzhi.people.roles import Role
    from gongzhi.units.models import Unit, UnitKind

    stamp = int(time.time())
    with transaction.atomic():
        city = Unit.objects.add_root(dict(name="表决基准市", kind=UnitKind.CITY, code=f"97{stamp % 100:02d}00000000"))
        unit = Unit.objects.add_child(
            city, dict(name="表决基准区", kind=UnitKind.DISTRICT, code=f"97{stamp % 100:02d}01000000")
        )
        staff = User.objects.create(username=f"bench_staff_{stamp}", display_name="基准工作人员")
        RoleGrant.objects.create(user=staff, role=Role.STREET_STAFF, unit=unit, anchor_path=unit.path)
        body = Body.objects.create(unit=unit, name="两千人代表大会", level=BodyLevel.DISTRICT_JOINT)
        users = User.objects.bulk_create(
            [User(username=f"bench_voter_{stamp}_{i}", display_name=f"代表{i}") for i in range(VOTERS)]
        )
        BodyMember.objects.bulk_create([BodyMember(body=body, user=u, term_start=dt.date(2026, 1, 1)) for u in users])
        tokens = []
        rows = []
        for user in users:
            prefix = secrets.token_hex(6)
            secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"  # the shape token_create issues
            tokens.append(secret)
            rows.append(ApiToken(user=user, name="bench", prefix=prefix, token_hash=hash_token(secret)))
        ApiToken.objects.bulk_create(rows)
    meeting = actions.meeting_create(
        actor=staff,
        body=body,
        kind=MeetingKind.VILLAGER_REPRESENTATIVES,
        title="两千人表决",
        starts_at=timezone.now() + dt.timedelta(hours=1),
        place="体育馆",
    )
    item = actions.meeting_add_item(actor=staff, meeting=meeting, title="年度预算")
    actions.meeting_send_notice(actor=staff, meeting=meeting, urgent=True, urgent_reason="基准测试")
    actions.meeting_open(actor=staff, meeting=meeting)
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting, user=u, is_voting_member=True, method=AttendanceMethod.STAFF, recorded_by=staff
            )
            for u in users
        ]
    )
    assert Invitee.objects.filter(meeting=meeting).count() == VOTERS
    actions.item_open_vote(actor=staff, item=item, secret=True)
    return item.pk, tokens, staff, item


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, token: str, body: dict | None = None) -> tuple[int, float]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")  # noqa: S310
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310 - loopback only
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    global VOTERS, CLIENTS
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--voters", type=int, default=VOTERS, help="voting members (default 2,000)")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="concurrent client threads (default 64)")
    args = parser.parse_args(argv or [])
    VOTERS, CLIENTS = args.voters, args.clients
    engine = setup_django()
    from gongzhi.deliberation import actions
    from gongzhi.deliberation.models import Vote, VoteCast

    item_id, tokens, staff, item = build()
    port = free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "GONGZHI_ENV": "development"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gongzhi.wsgi", "-b", f"127.0.0.1:{port}", "-w", "4", "--threads", "8",
         "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 - loopback only
                break
            except OSError:
                time.sleep(0.2)
        with ThreadPoolExecutor(CLIENTS) as pool:
            baseline = [ms for _s, ms in pool.map(lambda t: request(f"{base}/api/v1/me", t), tokens[:200])]
        url = f"{base}/api/v1/deliberation/items/{item_id}/votes"
        choices = ["for", "for", "for", "against", "abstain"]
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = list(
                pool.map(lambda pair: request(url, pair[1], {"choice": choices[pair[0] % 5]}), enumerate(tokens))
            )
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    statuses = {s: sum(1 for code, _ in results if code == s) for s in {code for code, _ in results}}
    latencies = [ms for _, ms in results]
    cast = VoteCast.objects.filter(item_id=item_id).count()
    recorded = Vote.objects.filter(item_id=item_id).count()
    tally_start = time.perf_counter()
    actions.item_close_vote(actor=staff, item=item)
    tally_ms = (time.perf_counter() - tally_start) * 1000
    item.refresh_from_db()
    print(f"database: {engine}; voters: {VOTERS}; client threads: {CLIENTS}; server: gunicorn 4×8")
    base_p95 = sorted(baseline)[int(0.95 * len(baseline))]
    vote_p95 = sorted(latencies)[int(0.95 * len(latencies))]
    print(f"baseline GET /api/v1/me: p50 {statistics.median(baseline):.1f} ms, p95 {base_p95:.1f} ms")
    print(f"votes: {len(results)} sent in {elapsed:.1f}s ({len(results) / elapsed:.0f}/s); statuses {statuses}")
    print(f"vote latency: p50 {statistics.median(latencies):.1f} ms, p95 {vote_p95:.1f} ms")
    print(f"recorded: {cast} cast rows, {recorded} vote rows; tally {tally_ms:.1f} ms → {item.result} "
          f"({item.votes_for} for / {item.votes_against} against / {item.votes_abstain} abstain)")  # fmt: skip
    ok = statuses.get(201, 0) == VOTERS and cast == VOTERS and recorded == VOTERS and tally_ms <= 1000
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
