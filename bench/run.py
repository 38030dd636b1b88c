"""Run every benchmark module ``bench/bench_*.py`` in turn: ``python -m bench.run`` (``make bench``).

Each module runs in its own interpreter (``python -m bench.<name>``) so that one benchmark's memory
does not count against the next. The exit status is non-zero when any benchmark fails.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main() -> int:
    modules = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if not modules:
        print("bench: no bench/bench_*.py modules found", file=sys.stderr)
        return 1
    results: list[tuple[str, int, float]] = []
    for module in modules:
        print(f"\n### bench.{module}", flush=True)
        started = time.perf_counter()
        code = subprocess.run(  # noqa: S603 - our own interpreter and modules
            [sys.executable, "-m", f"bench.{module}"], cwd=BENCH_DIR.parent, check=False
        ).returncode
        results.append((module, code, time.perf_counter() - started))
    print("\n### summary")
    for module, code, seconds in results:
        print(f"  {'PASS' if code == 0 else 'FAIL'}  bench.{module}  ({seconds:.1f} s, exit {code})")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
