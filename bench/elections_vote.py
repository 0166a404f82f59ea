"""Elections: 2,000 voters casting at once through the API (gunicorn on PostgreSQL), all recorded; tally ≤ 1 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_elections_bench .venv/bin/python -m bench elections_vote

(Without DATABASE_URL it uses that database on this machine; with a SQLite DATABASE_URL it is skipped.)

What it does, in one run:
1. migrates a scratch PostgreSQL database (created if missing, emptied of election data first) and builds a
   community with N adult residents, each with an account and an API token, a body and an election with five
   candidates whose voting window is open;
2. starts gunicorn (gthread workers) on that database;
3. baseline: N concurrent GET /api/v1/elections/{id} (authenticated read of the same election) — released
   together from a barrier;
4. N concurrent POST /api/v1/elections/{id}/ballots, one per voter, released together;
5. checks every vote is recorded exactly once (receipts = ballots = N), closes (seals) and tallies through the
   API and reports the request latencies (p50/p95/max), throughput, and the seal and tally times.

Options: --voters (2000), --workers (4), --threads (8), --port (a free one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import percentile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongzhi_elections_bench"


def _setup(voters: int) -> dict:
    """Build the community, accounts, tokens and an election open for voting; return ids and tokens."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from gongzhi.deliberation.models import Body, BodyLevel
    from gongzhi.elections import actions
    from gongzhi.elections.models import Election
    from gongzhi.people.actions import TOKEN_PREFIX, hash_token
    from gongzhi.people.models import ApiToken, Household, Resident, RoleGrant, User
    from gongzhi.people.roles import Role
    from gongzhi.units.models import Unit, UnitKind

    stamp = secrets.token_hex(3)
    with transaction.atomic():
        prefix = f"98{stamp}"[:9]
        start = dt.date(2020, 1, 1)
        root = Unit.objects.add_root(
            {"name": f"压测区{stamp}", "kind": UnitKind.DISTRICT, "code": prefix + "900", "valid_from": start}
        )
        street = Unit.objects.add_child(
            root, {"name": "压测街道", "kind": UnitKind.STREET, "code": prefix + "901", "valid_from": start}
        )
        community = Unit.objects.add_child(
            street, {"name": "压测社区", "kind": UnitKind.COMMUNITY, "code": prefix + "902", "valid_from": start}
        )
        grid = Unit.objects.add_child(
            community, {"name": "压测网格", "kind": UnitKind.GRID, "code": prefix + "90201", "valid_from": start}
        )
        staff = []
        for role in (Role.COMMUNITY_WORKER, Role.COMMUNITY_HEAD):
            user = User.objects.create(username=f"bench-{role}-{stamp}", display_name=str(role))
            RoleGrant.objects.create(user=user, role=role, unit=community, anchor_path=community.path)
            staff.append(user)
        worker, head = staff
        users = User.objects.bulk_create(
            [User(username=f"bv{stamp}-{i}", display_name=f"选民{i}", password="!") for i in range(voters)],
            batch_size=1000,
        )
        households = Household.objects.bulk_create(
            [Household(unit=grid, number=f"B{stamp}-{i}", address=f"{i}号") for i in range(voters)], batch_size=1000
        )
        Resident.objects.bulk_create(
            [
                Resident(
                    unit=grid,
                    name=f"选民{i:04d}",
                    gender="F" if i % 2 else "M",
                    birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=i * 7),
                    household=households[i],
                    user=users[i],
                )
                for i in range(voters)
            ],
            batch_size=1000,
        )
        tokens = []
        rows = []
        for user in [*users, head]:
            prefix = secrets.token_hex(6)
            secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(24)}"
            rows.append(ApiToken(user=user, name="bench", prefix=prefix, token_hash=hash_token(secret)))
            tokens.append(secret)
        ApiToken.objects.bulk_create(rows, batch_size=1000)
        body = Body.objects.create(unit=community, name="压测社区议事会", level=BodyLevel.COMMUNITY_COMMITTEE)
    now = timezone.now()
    election = actions.election_create(
        actor=worker,
        body=body,
        title="压测选举",
        seats=3,
        term_start=dt.date(2027, 1, 1),
        term_end=dt.date(2029, 12, 31),
        electorate="adult_residents",
        voting_starts_at=now + dt.timedelta(days=1),
        voting_ends_at=now + dt.timedelta(days=1, hours=2),
        nomination_threshold=5,
    )
    election = actions.election_open(actor=worker, election=election)
    entries = list(election.roll.select_related("resident__user").order_by("number")[:5])
    for entry in entries:
        nomination = actions.nomination_by_body(actor=head, election=election, nominee=entry, body_decision="压测")
        actions.nomination_accept(actor=entry.resident.user, nomination=nomination)
    Election.objects.filter(pk=election.pk).update(
        voting_starts_at=now - dt.timedelta(minutes=1), voting_ends_at=now + dt.timedelta(hours=2)
    )
    election = actions.voting_open(actor=worker, election=Election.objects.get(pk=election.pk))
    candidates = [c.pk for c in actions.candidates_of(election)]
    return {
        "election": election.pk,
        "candidates": candidates,
        "voter_tokens": tokens[:-1],
        "head_token": tokens[-1],
        "voters": election.voters_count,
    }


def _request(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        payload = json.dumps(body) if body is not None else None
        headers = {"Authorization": f"Bearer {token}", "Host": "127.0.0.1"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, time.perf_counter() - started, data
    finally:
        conn.close()


def _burst(port: int, jobs: list[tuple[str, str, str, dict | None]]) -> tuple[list[int], list[float], float]:
    """Fire every job at once (threads released by a barrier); return statuses, latencies and wall time."""
    threading.stack_size(256 * 1024)
    barrier = threading.Barrier(len(jobs) + 1)
    statuses: list[int] = [0] * len(jobs)
    latencies: list[float] = [0.0] * len(jobs)

    def run(index: int) -> None:
        method, path, token, body = jobs[index]
        barrier.wait()
        try:
            statuses[index], latencies[index], _ = _request(port, method, path, token, body)
        except Exception:  # a failed request is reported as status 0
            statuses[index] = 0

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return statuses, latencies, time.perf_counter() - started


def _pct(values: list[float], q: float) -> float:
    return percentile([v * 1000 for v in values], q * 100)


def _line(name: str, statuses: list[int], latencies: list[float], wall: float, ok: int) -> str:
    good = sum(1 for s in statuses if s == ok)
    return (
        f"{name:<34} {good:>5}/{len(statuses):<5} ok   p50 {_pct(latencies, 0.5):8.1f} ms   "
        f"p95 {_pct(latencies, 0.95):8.1f} ms   max {max(latencies) * 1000:8.1f} ms   "
        f"wall {wall:6.2f} s   {len(statuses) / wall:7.1f} req/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("elections_vote: skipped — concurrent voting is measured on PostgreSQL (DATABASE_URL=postgres://…)")
        return 0
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "GONGZHI_VAR_DIR": var_dir,
        "GONGZHI_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from bench import setup_django

    setup_django()

    print(f"Setting up {args.voters} voters with accounts and tokens on {url.rsplit('@', 1)[-1]} …", flush=True)
    t0 = time.perf_counter()
    data = _setup(args.voters)
    print(f"  ready in {time.perf_counter() - t0:.1f} s: election #{data['election']}, roll {data['voters']}")

    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gongzhi.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--backlog",
            "4096",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            if server.poll() is not None:
                print("gunicorn exited (is the port taken?)", file=sys.stderr)
                return 1
            try:
                status, _lat, _ = _request(args.port, "GET", "/healthz", "")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            print("gunicorn did not start", file=sys.stderr)
            return 1
        election = data["election"]
        tokens = data["voter_tokens"]
        print(f"gunicorn: {args.workers} workers × {args.threads} threads; {len(tokens)} clients released at once\n")

        base = _burst(args.port, [("GET", f"/api/v1/elections/{election}", t, None) for t in tokens])
        print(_line("baseline: read the election", *base, ok=200))
        picks = data["candidates"]
        jobs = [
            ("POST", f"/api/v1/elections/{election}/ballots", t, {"choices": [picks[i % 5], picks[(i + 2) % 5]]})
            for i, t in enumerate(tokens)
        ]
        votes = _burst(args.port, jobs)
        print(_line("cast a ballot", *votes, ok=201))
        failures = sorted({s for s in votes[0] if s != 201})

        from gongzhi.elections.models import Ballot, Election, VoteReceipt

        receipts = VoteReceipt.objects.filter(election_id=election).count()
        ballots = Ballot.objects.filter(election_id=election).count()
        print(f"\nrecorded: {receipts} receipts, {ballots} ballots (expected {len(tokens)} each)")
        again = _request(args.port, "POST", f"/api/v1/elections/{election}/ballots", tokens[0], {"choices": []})
        print(f"a second ballot from voter 1: HTTP {again[0]}")

        Election.objects.filter(pk=election).update(
            voting_starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3),
            voting_ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
        )
        head = data["head_token"]
        status, seal_time, _ = _request(args.port, "POST", f"/api/v1/elections/{election}/voting/close", head)
        print(f"close and seal the box (API):       HTTP {status}  {seal_time * 1000:8.1f} ms")
        status, tally_time, body = _request(args.port, "POST", f"/api/v1/elections/{election}/tally", head)
        result = json.loads(body) if status == 200 else {}
        votes_by = {r["name"]: r["votes"] for r in result.get("results", [])}
        print(f"tally (API):                        HTTP {status}  {tally_time * 1000:8.1f} ms  {votes_by}")
        ok = (
            receipts == ballots == len(tokens)
            and not failures
            and again[0] == 409
            and status == 200
            and tally_time <= 1.0
            and result.get("ballots") == len(tokens)
        )
        print("\nRESULT:", "OK" if ok else f"NOT OK (failures {failures})")
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
