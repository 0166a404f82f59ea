"""Benchmarks and load generators: run with ``python -m bench [NAME] [options]`` (never timed tests).

Each benchmark loads its own data into a separate database (a name containing "bench": SQLite
``var/bench.db`` by default, or the PostgreSQL database that DATABASE_URL names), measures through
the same entry points users hit, and prints p50/p95 next to a baseline measured in the same run.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def setup_django(sqlite_name: str = "bench.db") -> str:
    """Point Django at a benchmark database (never the working one), create it if needed, and set up."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        var = Path(os.environ.get("GONGZHI_VAR_DIR") or ROOT / "var")
        var.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{var / sqlite_name}"
        os.environ["DATABASE_URL"] = url
    parsed = urlparse(url)
    name = Path(parsed.path).name if parsed.scheme == "sqlite" else parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(
            f"Refusing to benchmark in {name!r}: benchmarks bulk-load data. Use a database whose name "
            "contains 'bench', e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench"
        )
    if parsed.scheme.startswith("postgres"):
        _create_postgres_database(parsed, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    return url


def _create_postgres_database(parsed, name: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo = {
        "host": parsed.hostname or "",
        "port": parsed.port or 5432,
        "user": parsed.username or "",
        "password": parsed.password or "",
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v != ""}) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Creating PostgreSQL database {name}…")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def measure(call: Callable[[], object], *, rounds: int, warmup: int = 3) -> list[float]:
    """Return the wall times of `rounds` calls in milliseconds, after a few unmeasured warm-up calls."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(times: list[float], q: float) -> float:
    """Return the q-th percentile (0–100) with linear interpolation."""
    if len(times) == 1:
        return times[0]
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[int(q) - 1]
