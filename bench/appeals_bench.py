"""Measure appeals at scale on PostgreSQL, side by side in one run, against the same server's trivial endpoint.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench \\
        .venv/bin/python -m bench.appeals_bench --seconds 20

Run bench.appeals_generate first (it writes the API tokens to var/bench_tokens.txt). The script starts
gunicorn with two workers (four threads each, as `manage.py serve`) in production settings
(GONGZHI_ENV=production, DEBUG off, persistent database connections), then measures with several client
processes over keep-alive connections:

1. the trivial JSON endpoint GET /healthz (the baseline),
2. intake: POST /api/v1/appeals with a fresh Idempotency-Key each time (routing, deadlines, audit, ...),
3. a street's work list, the first page and a deep page (keyset cursor 20,000 rows in),
4. the district dashboard: the month report and the 12-month trend (JSON) and the HTML page,
5. Open311: GET /open311/v2/requests.json as an anonymous client (the last 90 days, up to 1,000 requests),

and prints throughput with p50/p95/p99, the targets and whether each is met. Nothing here is a test:
the numbers depend on the machine, and on what else runs on it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

HOST, PORT = "127.0.0.1", 8791
TARGETS = {
    "intake_rate": 300.0,
    "intake_p99_ms": 200.0,
    "intake_ratio": 0.35,
    "list_p95_ms": 150.0,
    "dashboard_p95_ms": 300.0,
    "open311_p95_ms": 200.0,
}


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _worker(args: tuple) -> tuple[int, list[float], dict[int, int]]:
    """One client process: `threads` keep-alive connections hammering one request kind for `seconds`."""
    kind, seconds, threads, headers, payloads, path = args
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    rng = random.Random(os.getpid())

    def run() -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        local: list[float] = []
        codes: dict[int, int] = {}
        while time.monotonic() < deadline:
            body = None
            request_headers = dict(headers)
            method = "GET"
            if kind == "intake":
                method = "POST"
                payload = dict(rng.choice(payloads))
                # Each call is a different caller (a repeat caller would be flagged as a likely duplicate).
                payload["contact"] = {"name": "热线来电", "mobile": f"13{rng.randint(0, 999999999):09d}"}
                body = json.dumps(payload, ensure_ascii=False).encode()
                request_headers["Idempotency-Key"] = uuid.uuid4().hex
                request_headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=request_headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
                status = 0
            local.append((time.perf_counter() - started) * 1000)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(local)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies), latencies, statuses


def cpu_seconds(marker: str) -> float:
    """Return the CPU time (user + system) of every process whose command line contains the marker (Linux)."""
    total = 0
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() not in handle.read():
                    continue
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.0


def load(kind: str, path: str, *, seconds: float, processes: int, threads: int, headers: dict, payloads=None) -> dict:
    """Run the load; return throughput, latency percentiles and the CPU per request of each side."""
    server0, database0 = cpu_seconds("gunicorn"), cpu_seconds("postgres:")
    client0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with multiprocessing.Pool(processes) as pool:
        results = pool.map(_worker, [(kind, seconds, threads, headers, payloads or [], path)] * processes)
    elapsed = time.monotonic() - started
    client1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    server1, database1 = cpu_seconds("gunicorn"), cpu_seconds("postgres:")
    latencies = [v for _n, values, _s in results for v in values]
    statuses: dict[int, int] = {}
    for _n, _values, codes in results:
        for code, n in codes.items():
            statuses[code] = statuses.get(code, 0) + n
    ok = sum(n for code, n in statuses.items() if 200 <= code < 300)
    client = (client1.ru_utime + client1.ru_stime) - (client0.ru_utime + client0.ru_stime)
    per = 1000 / max(len(latencies), 1)
    return {
        "requests": len(latencies),
        "ok": ok,
        "cpu_ms": (per * (server1 - server0), per * (database1 - database0), per * client),
        "cores": ((server1 - server0) + (database1 - database0) + client) / elapsed,
        "statuses": statuses,
        "rate": ok / max(elapsed - 0.5, 0.001),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }


def sequential(path: str, headers: dict, *, count: int) -> dict:
    """Time one request kind from a single client (latency, not throughput)."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    latencies, statuses = [], {}
    for _ in range(count):
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[response.status] = statuses.get(response.status, 0) + 1
    return {
        "requests": count,
        "statuses": statuses,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "mean": statistics.fmean(latencies),
    }


def tokens(path: str) -> dict[str, str]:
    values = {}
    with open(path) as handle:
        for line in handle:
            name, _sep, secret = line.strip().partition("=")
            if secret:
                values[name] = secret
    return values


def session_cookie(username: str, password: str) -> str:
    """Sign in through the login page and return the Cookie header for the HTML dashboard."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = response.getheader("Set-Cookie").split(";")[0]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "username": username, "password": password})
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://{HOST}:{PORT}/",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies = [c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or []]
    session = next((c for c in cookies if c.startswith("sessionid=")), None)
    if session is None:
        raise SystemExit("could not sign in for the HTML dashboard")
    return session


def production_env() -> dict[str, str]:
    """Return the environment of a production-like server: GONGZHI_ENV=production, DEBUG off, keys from var/.

    TLS ends at the reverse proxy in production; the benchmark talks plain HTTP to gunicorn, so the
    HTTPS redirect is off (nothing else about the settings changes).
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "GONGZHI_LOG_LEVEL": "WARNING",
        "GONGZHI_ENV": "production",
        "GONGZHI_DEBUG": "false",
        "GONGZHI_SSL_REDIRECT": "false",
    }
    var = os.environ.get("GONGZHI_VAR_DIR") or "var"
    # Production takes its keys from the environment: the field key the data was generated with, and a
    # signing key of production length for this run (sessions are made fresh).
    if "GONGZHI_FIELD_KEY" not in env:
        with open(os.path.join(var, "field_key")) as handle:
            env["GONGZHI_FIELD_KEY"] = handle.read().strip()
    env.setdefault("GONGZHI_SECRET_KEY", secrets.token_urlsafe(48))
    env.setdefault("ALLOWED_HOSTS", f"{HOST},localhost")
    env.setdefault("CSRF_TRUSTED_ORIGINS", f"http://{HOST}:{PORT}")
    return env


def start_server(workers: int, threads: int) -> subprocess.Popen:
    env = production_env()
    # As `make run`: the pages need the collected, hashed static files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True
    )
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "gongzhi.wsgi:application", "--bind", f"{HOST}:{PORT}",
            "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
            "--log-level", "warning", "--timeout", "120",
        ],
        env=env,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not start")


def intake_payloads(limit: int = 2000) -> list[dict]:
    """Realistic bodies: leaf categories and grids of the generated city, a caller's mobile."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    django.setup()
    from gongzhi.appeals.models import Category
    from gongzhi.units.models import Unit

    rng = random.Random(7)
    # Leaves without required extra fields (the API client of a hotline does not fill those in).
    leaves = list(
        Category.objects.filter(numchild=0, is_active=True)
        .exclude(attributes__required=True)
        .values_list("code", flat=True)
    )
    grids = list(Unit.objects.filter(kind="grid").values_list("pk", flat=True)[:5000])
    return [
        {
            "category": rng.choice(leaves),
            "description": "小区门口垃圾桶满溢，请尽快清运。" + str(n),
            "unit_id": rng.choice(grids),
            "channel": "phone",
            "contact": {"name": "热线来电", "mobile": f"139{rng.randint(0, 99999999):08d}"},
        }
        for n in range(limit)
    ]


def deep_cursor(street_headers: dict, pages: int) -> str:
    """Walk the street's work list to a deep page (200 rows a page) and return that page's cursor."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    cursor = None
    for _ in range(pages):
        path = "/api/v1/appeals?limit=200" + (f"&cursor={cursor}" if cursor else "")
        conn.request("GET", path, headers=street_headers)
        data = json.loads(conn.getresponse().read())
        cursor = data["next_cursor"]
        if cursor is None:
            break
    return cursor or ""


def report(name: str, result: dict, target: str = "") -> None:
    rate = f"{result['rate']:8.1f}/s " if "rate" in result else " " * 11
    print(
        f"{name:<34} {rate} p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  p99 {result['p99']:7.1f} ms"
        f"  n={result['requests']} {result['statuses']} {target}"
    )


def cpu(name: str, result: dict) -> None:
    """Print where the CPU went per request: the app server, PostgreSQL and this load generator."""
    server, database, client = result["cpu_ms"]
    print(
        f"  CPU per request: gunicorn {server:.2f} ms, PostgreSQL {database:.2f} ms, load generator {client:.2f} ms"
        f" ({result['cores']:.2f} of {os.cpu_count()} cores busy)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=8, help="connections per client process")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--tokens", default=os.environ.get("GONGZHI_BENCH_TOKENS", "var/bench_tokens.txt"))
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.path.exists(args.tokens):
        print("appeals_bench: skipped; run bench.appeals_generate on PostgreSQL first (it writes the API tokens)")
        return 0
    secrets = tokens(args.tokens)
    payloads = intake_payloads()
    intake = {"Authorization": f"Bearer {secrets['bench_intake']}"}
    street = {"Authorization": f"Bearer {secrets['bench_street']}"}
    district = {"Authorization": f"Bearer {secrets['bench_district']}"}
    server = start_server(args.workers, args.server_threads)
    try:
        common = {"seconds": args.seconds, "processes": args.processes, "threads": args.threads}
        # Warm both workers (imports, the routing cache, the jieba dictionary).
        load("intake", "/api/v1/appeals", seconds=3, processes=1, threads=4, headers=intake, payloads=payloads)
        load("get", "/healthz", seconds=2, processes=1, threads=4, headers={})
        print(
            f"server: gunicorn {args.workers} workers x {args.server_threads} threads; "
            f"client: {args.processes} processes x {args.threads} connections; {args.seconds:.0f} s each"
        )
        trivial = load("get", "/healthz", headers={}, **common)
        report("trivial GET /healthz", trivial)
        cpu("trivial GET /healthz", trivial)
        posted = load("intake", "/api/v1/appeals", headers=intake, payloads=payloads, **common)
        ratio = posted["rate"] / trivial["rate"] if trivial["rate"] else 0.0
        report(
            "intake POST /api/v1/appeals",
            posted,
            f"(ratio {ratio:.2f}; targets ≥{TARGETS['intake_rate']:.0f}/s, p99 ≤{TARGETS['intake_p99_ms']:.0f} ms, "
            f"ratio ≥{TARGETS['intake_ratio']})",
        )
        cpu("intake POST /api/v1/appeals", posted)
        first = sequential("/api/v1/appeals?limit=50", street, count=200)
        report("street work list, first page", first, f"(target p95 ≤{TARGETS['list_p95_ms']:.0f} ms)")
        open_first = sequential("/api/v1/appeals?limit=50&open=true", street, count=200)
        report("street work list, open, first page", open_first)
        cursor = deep_cursor(street, 100)
        deep = sequential(f"/api/v1/appeals?limit=50&cursor={cursor}", street, count=200)
        report("street work list, 20,000 rows deep", deep, f"(target p95 ≤{TARGETS['list_p95_ms']:.0f} ms)")
        month = sequential("/api/v1/appeal-metrics", district, count=100)
        report("district dashboard: month (JSON)", month, f"(target p95 ≤{TARGETS['dashboard_p95_ms']:.0f} ms)")
        trend = sequential("/api/v1/appeal-metrics/trend", district, count=100)
        report("district dashboard: 12-month trend", trend)
        street_month = sequential("/api/v1/appeal-metrics", street, count=100)
        report("street dashboard: month with its communities (JSON)", street_month)
        cookie = session_cookie("bench_district", "bench-password-2026")
        page = sequential("/appeals/dashboard/", {"Cookie": cookie}, count=60)
        report("district dashboard page (HTML)", page, f"(target p95 ≤{TARGETS['dashboard_p95_ms']:.0f} ms)")
        open311 = sequential("/open311/v2/requests.json", {}, count=30)
        report("Open311 GET requests.json (90 days)", open311, f"(target p95 ≤{TARGETS['open311_p95_ms']:.0f} ms)")
        checks = {
            "intake ≥ 300/s": posted["rate"] >= TARGETS["intake_rate"],
            "intake p99 ≤ 200 ms": posted["p99"] <= TARGETS["intake_p99_ms"],
            "intake ≥ 0.35 × trivial": ratio >= TARGETS["intake_ratio"],
            "lists p95 ≤ 150 ms": max(first["p95"], deep["p95"]) <= TARGETS["list_p95_ms"],
            "dashboard p95 ≤ 300 ms": max(month["p95"], page["p95"]) <= TARGETS["dashboard_p95_ms"],
            "Open311 GET p95 ≤ 200 ms": open311["p95"] <= TARGETS["open311_p95_ms"],
        }
        for name, met in checks.items():
            print(f"  {'met ' if met else 'MISS'} {name}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
