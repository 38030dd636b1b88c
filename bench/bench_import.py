"""Whole-country division import benchmark on PostgreSQL: ``python -m bench.bench_import [--code PREFIX]``.

1. (Re)creates the benchmark database (``zhanwu_bench`` on the server of ``DATABASE_URL``, default
   postgres://postgres@127.0.0.1:5432/zhanwu_bench; override the whole URL with ``ZHANWU_BENCH_DATABASE_URL``)
   and migrates it.
2. Imports the divisions from ``../shared/data/divisions`` (env ``ZHANWU_DIVISIONS_DIR``) in a child
   process, so that the wall time and peak RSS are those of the import alone.
3. Imports a second time: nothing may be created or updated.
4. Counts the villages under Hunan (prefix 43) and shows the EXPLAIN plan.

Targets: import ≤ 60 s and ≤ 500 MB peak RSS. Exit status 1 when a target or check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import DEFAULT_DIVISIONS, REPO, bench_database_url, recreate_database, report, setup_django, table

BENCH_DB = "zhanwu_bench"
TARGET_SECONDS = 60.0
TARGET_MB = 500.0
EXPECTED_COUNTRY = {1: 31, 2: 342, 3: 2_978, 4: 41_352, 5: 620_573}
LEVEL_LABELS = {1: "省级", 2: "地级", 3: "县级", 4: "乡级", 5: "村级"}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# --- child: one import, result as JSON on stdout ------------------------------------------------------


def child_import(directory: str, prefix: str | None) -> None:
    setup_django(os.environ["DATABASE_URL"])
    from stations.importer import DivisionImportError, import_divisions

    try:
        result = import_divisions(Path(directory), prefix=prefix, progress=False)
    except DivisionImportError as exc:
        print(exc.text(), file=sys.stderr)
        sys.exit(2)
    print(
        json.dumps(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "seconds": result.seconds,
                "peak_mb": peak_mb(),
            }
        )
    )


def run_import(url: str, directory: Path, prefix: str | None) -> dict:
    command = [sys.executable, "-m", "bench.bench_import", "--child-import", str(directory)]
    if prefix:
        command += ["--code", prefix]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        command, cwd=REPO, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        sys.exit(f"bench_import: the import failed (exit {done.returncode})")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["wall"] = wall
    for key in ("created", "updated", "unchanged"):
        data[key] = {int(k): v for k, v in data[key].items()}
    return data


# --- report -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - a linear script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default=None, help="import only this subtree (and its ancestors)")
    parser.add_argument("--subtree", default=None, help="prefix of the subtree query (default 43, Hunan)")
    parser.add_argument("--child-import", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_import:
        child_import(args.child_import, args.code)
        return 0

    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_import: division data not found at {directory} (set ZHANWU_DIVISIONS_DIR)", file=sys.stderr)
        return 1
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_DATABASE_URL", "bench_import")
    subtree = args.subtree or ("43" if not args.code or args.code.startswith("43") else args.code)
    print(
        f"== 行政区划导入基准 (database {urlsplit(url).path.lstrip('/')}, data {directory}"
        f"{', --code ' + args.code if args.code else ''})"
    )

    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started
    print(f"数据库已重建并迁移：{migrate_seconds:.1f} 秒")

    first = run_import(url, directory, args.code)
    second = run_import(url, directory, args.code)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stations.models import Division

    db_counts = {level: Division.objects.filter(level=level).count() for level in LEVEL_LABELS}
    rows: list[tuple[str, ...]] = [("层级", "新增(首次)", "更新(首次)", "新增(重跑)", "更新(重跑)", "数据库行数")]
    for level, label in LEVEL_LABELS.items():
        rows.append(
            (
                label,
                f"{first['created'][level]:,}",
                f"{first['updated'][level]:,}",
                f"{second['created'][level]:,}",
                f"{second['updated'][level]:,}",
                f"{db_counts[level]:,}",
            )
        )
    print()
    print(table(rows))

    qs = Division.objects.filter(code__startswith=subtree, level=Division.Level.VILLAGE)
    qs.count()  # warm the cache once, then time the query
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        villages = qs.count()
        query_ms = (time.perf_counter() - t0) * 1000
    # EXPLAIN the very statement that ran (psycopg2 interpolates client-side, so the captured SQL is exact).
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + ctx.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index_used = "Index" in plan and "Seq Scan" not in plan

    print()
    print(f"子树查询：Division.objects.filter(code__startswith={subtree!r}, level=5).count()")
    print(f"  结果 {villages:,} 个村级区划，{query_ms:.1f} ms，{len(ctx.captured_queries)} 次查询")
    print(f"  SQL: {ctx.captured_queries[0]['sql']}")
    print("  EXPLAIN ANALYZE:")
    print("\n".join("    " + line for line in plan.splitlines()))

    checks: list[tuple[str, str, str, bool]] = [
        (
            "首次导入用时（子进程）",
            f"{first['wall']:.1f} s（导入本身 {first['seconds']:.1f} s）",
            f"≤ {TARGET_SECONDS:.0f} s",
            first["wall"] <= TARGET_SECONDS,
        ),
        ("首次导入峰值内存", f"{first['peak_mb']:.0f} MB", f"≤ {TARGET_MB:.0f} MB", first["peak_mb"] <= TARGET_MB),
        (
            "重跑用时（子进程）",
            f"{second['wall']:.1f} s（导入本身 {second['seconds']:.1f} s）",
            f"≤ {TARGET_SECONDS:.0f} s",
            second["wall"] <= TARGET_SECONDS,
        ),
        ("重跑峰值内存", f"{second['peak_mb']:.0f} MB", f"≤ {TARGET_MB:.0f} MB", second["peak_mb"] <= TARGET_MB),
        (
            "重跑幂等（新增+更新）",
            f"{sum(second['created'].values()) + sum(second['updated'].values())}",
            "= 0",
            sum(second["created"].values()) + sum(second["updated"].values()) == 0,
        ),
        ("子树查询使用索引", "是" if index_used else "否", "是", index_used),
        ("子树查询次数", str(len(ctx.captured_queries)), "= 1", len(ctx.captured_queries) == 1),
    ]
    if not args.code:
        checks.append(
            (
                "全国行数",
                f"{sum(db_counts.values()):,}",
                f"= {sum(EXPECTED_COUNTRY.values()):,}",
                db_counts == EXPECTED_COUNTRY,
            )
        )
    print(f"\n（基准主进程含迁移的峰值内存 {peak_mb():.0f} MB，未计入目标）")
    return report(checks, "PASS: all targets met")


if __name__ == "__main__":
    sys.exit(main())
