"""Every benchmark module is listed by ``python -m bench list`` and runs through ``main(argv)``."""

from __future__ import annotations

import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import bench
from bench.__main__ import available

ROOT = Path(bench.__file__).resolve().parent


def _modules() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules([str(ROOT)]) if not info.name.startswith("_"))


def test_every_benchmark_module_is_listed():
    names = _modules()
    assert names, "no benchmark modules found"
    assert sorted(available()) == names


def test_every_benchmark_takes_argv_in_main():
    for name, module in ((n, __import__(f"bench.{n}", fromlist=["main"])) for n in _modules()):
        parameters = list(inspect.signature(module.main).parameters)
        assert parameters == ["argv"], f"bench.{name}.main{parameters}"
        assert module.__doc__ and module.__doc__.strip(), f"bench.{name} has no docstring for the list"


def test_python_m_bench_list_prints_every_benchmark():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "list"], cwd=ROOT.parent, capture_output=True, text=True, check=True
    )
    for name in _modules():
        assert f"  {name} " in result.stdout


def test_an_unknown_benchmark_is_refused():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "nonesuch"], cwd=ROOT.parent, capture_output=True, text=True
    )
    assert result.returncode == 2 and "nonesuch" in result.stderr


def test_a_benchmark_refuses_a_database_not_named_bench(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/gongzhi_working.db")
    result = subprocess.run(
        [sys.executable, "-m", "bench", "services_load", "--runs", "1"],
        cwd=ROOT.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "Refusing to benchmark" in (result.stdout + result.stderr)
