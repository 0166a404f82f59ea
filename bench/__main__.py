"""List the benchmarks, or run one: ``python -m bench people_residents --help``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> dict[str, str]:
    """Return {name: first docstring line} for every benchmark module in this package."""
    found = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "main"):
            found[info.name] = (module.__doc__ or "").strip().splitlines()[0]
    return found


def main(argv: list[str]) -> int:
    benchmarks = available()
    if not argv or argv[0] in {"-h", "--help", "list"}:
        print("Benchmarks (python -m bench NAME [options]; make bench runs them all):")
        for name, summary in sorted(benchmarks.items()):
            print(f"  {name:<24} {summary}")
        return 0
    if argv[0] == "all":
        return max((benchmarks_main(name, argv[1:]) for name in sorted(benchmarks)), default=0)
    if argv[0] not in benchmarks:
        print(f"Unknown benchmark {argv[0]!r}; available: {', '.join(sorted(benchmarks))}", file=sys.stderr)
        return 2
    return benchmarks_main(argv[0], argv[1:])


def benchmarks_main(name: str, argv: list[str]) -> int:
    return importlib.import_module(f"bench.{name}").main(argv) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
