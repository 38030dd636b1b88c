"""Staffing at province scale: ``python -m bench.bench_staffing``.

1. (Re)creates the benchmark database (``zhanwu_bench_staffing`` on the server of ``DATABASE_URL``; override the
   whole URL with ``ZHANWU_BENCH_STAFFING_DATABASE_URL``), migrates it and imports Hunan (prefix 43: 2,008
   townships and their villages) from ``../shared/data/divisions`` (env ``ZHANWU_DIVISIONS_DIR``).
2. Policy: the Hunan preset adopted by the province, plus a staffing formula on the province (one worker per six
   villages, at least three, head not counted: Nantong's formula, so the village counts matter).
3. A township station in every township with a team of 2 to 5 (head, full-time, part-time; half of them
   certified), built with ``bulk_create`` (ID numbers and phones sealed with SM4 as in production).
4. Adequacy of every township station (``staffing.selectors.station_adequacy``, the code of the API and the page):
   time and query count at county scale and at province scale — the count must not grow with the stations.
5. The roster export of 100,000 workers (``staffing.roster.export_bytes`` over ``export_queryset``, write-only
   workbook, masked): time, rows per second, peak resident memory of the process and query count, which must be
   the same for 1,000 and for 100,000 rows.

Exit status 1 when a query count grows with the rows.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import DEFAULT_DIVISIONS, bench_database_url, recreate_database, report, setup_django, table

BENCH_DB = "zhanwu_bench_staffing"
SHIPPED_DIVISIONS = Path(__file__).resolve().parents[1] / "stations/data/divisions"
PROVINCE = "43"
SMALL_COUNTY = "430121"  # 长沙县
EXPORT_ROWS = int(os.environ.get("ZHANWU_BENCH_EXPORT_ROWS", "100000"))


def _keys() -> None:
    """Fresh keys for the run (the benchmark runs without DEBUG, like production)."""
    if not os.environ.get("ZHANWU_DATA_KEYS"):
        from core.personal.crypto import generate_key_text

        data, lookup = generate_key_text("bench")
        os.environ["ZHANWU_DATA_KEYS"], os.environ["ZHANWU_LOOKUP_KEY"] = data, lookup


def _id_number(n: int, region: str = "430121") -> str:
    from core.personal.idnumber import check_character

    birth = dt.date(1980, 1, 1) + dt.timedelta(days=n // 1000)  # unique with the sequence number
    first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + check_character(first17)


def build(today: dt.date) -> tuple[int, int]:
    """Agency, policy, a station per township, teams; returns (stations, workers)."""
    from accounts.models import Organisation
    from policies.actions import load_presets, preset_adopt
    from policies.models import PolicyPreset, PolicyRule
    from staffing.models import Assignment, Certificate, SocialWorker
    from stations.models import Division, Station

    load_presets()
    policy = preset_adopt.__wrapped__(  # type: ignore[attr-defined]
        acting_user=None, preset=PolicyPreset.objects.get(code="hunan-2021"), division=Division.objects.get(code="43")
    )
    PolicyRule.objects.create(
        policy=policy,
        key="staff.formula",
        value={
            "alternatives": [
                {
                    "kind": "fulltime",
                    "minimum": 3,
                    "per": 6,
                    "unit": "villages",
                    "head_counted": False,
                    "certificate": None,
                    "with_volunteers": False,
                    "basis": "",
                }
            ]
        },  # fmt: skip
        strength="must",
        clause="[004 §3(4)]",
    )
    agency = Organisation.objects.create(kind="agency", name="湖南基准社工中心", division_id="43", credit_code=None)
    townships = list(Division.objects.filter(code__startswith=PROVINCE, level=4).order_by("code"))
    stations = Station.objects.bulk_create(
        [Station(division=t, level="township", name=f"{t.name}社会工作服务站", status="operating") for t in townships],
        batch_size=2000,
    )
    rng = random.Random(43)  # noqa: S311 - test data
    workers: list[Any] = []
    roles: list[tuple[Any, str]] = []
    for s in stations:
        for j in range(rng.randint(2, 5)):
            n = len(workers)
            workers.append(
                SocialWorker(
                    agency=agency,
                    division_id=s.division_id,
                    station=s,
                    name=f"社工{n}",
                    id_number=_id_number(n, s.division_id[:6]),
                    phone=f"139{n:08d}",
                    birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=n % 7000),
                    sex="M" if n % 2 else "F",
                    education="bachelor",
                    hired_on=dt.date(2025, 1, 1),
                )
            )
            roles.append((s, "head" if j == 0 else ("part_time" if j == 4 else "full_time")))
    for w in workers:
        w.id_number_hash = SocialWorker.hash_field_for("id_number").hash_of(w.id_number) or ""
        w.phone_hash = SocialWorker.hash_field_for("phone").hash_of(w.phone) or ""
    workers = SocialWorker.objects.bulk_create(workers, batch_size=2000)
    Assignment.objects.bulk_create(
        [
            Assignment(worker=w, station=s, agency=agency, role=r, start_date=dt.date(2025, 1, 2))
            for w, (s, r) in zip(workers, roles, strict=True)
        ],
        batch_size=2000,
    )
    Certificate.objects.bulk_create(
        [
            Certificate(worker=w, level="assistant", number=f"HN{w.pk}", obtained_on=dt.date(2024, 6, 1))
            for w in workers
            if w.pk % 2
        ],
        batch_size=2000,
    )
    return len(stations), len(workers)


def add_export_workers(total: int) -> None:
    """More workers (unplaced) until the roster holds ``total``."""
    from accounts.models import Organisation
    from staffing.models import SocialWorker

    agency = Organisation.objects.get(name="湖南基准社工中心")
    have = SocialWorker.objects.count()
    id_hash, phone_hash = SocialWorker.hash_field_for("id_number"), SocialWorker.hash_field_for("phone")
    batch: list[SocialWorker] = []
    for n in range(have, total):
        w = SocialWorker(
            agency=agency,
            division_id="430121",
            name=f"花名册{n}",
            id_number=_id_number(n + 500_000),
            phone=f"137{n:08d}",
            birth_date=dt.date(1985, 5, 5),
            sex="F",
            education="junior_college",
            hired_on=dt.date(2025, 3, 1),
        )
        w.id_number_hash, w.phone_hash = id_hash.hash_of(w.id_number) or "", phone_hash.hash_of(w.phone) or ""
        batch.append(w)
        if len(batch) == 5000:
            SocialWorker.objects.bulk_create(batch)
            batch = []
    if batch:
        SocialWorker.objects.bulk_create(batch)


def measure_adequacy(prefix: str) -> tuple[int, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from staffing.selectors import station_adequacy
    from stations.models import Station

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        stations = list(Station.objects.filter(level="township", division__code__startswith=prefix).order_by("pk"))
        rows = station_adequacy(stations)
        seconds = time.perf_counter() - started
    adequate = sum(1 for _, _, r, _ in rows if r.adequate)
    return len(rows), seconds, len(ctx.captured_queries), adequate


def measure_export(limit: int) -> tuple[int, float, float, int, int]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from staffing.models import SocialWorker
    from staffing.roster import export_bytes, export_queryset

    ids = SocialWorker.objects.order_by("pk").values_list("pk", flat=True)[limit - 1 : limit]
    last = ids[0] if ids else 10**12
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:  # server-side cursors need a transaction
        started = time.perf_counter()
        qs = export_queryset(SocialWorker.objects.filter(pk__lte=last))
        content = export_bytes(qs.iterator(chunk_size=2000), clear=False)
        seconds = time.perf_counter() - started
    # Peak resident memory of the process so far (tracemalloc would slow the pure-Python XML writer several-fold).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return limit, seconds, peak / 1024 / 1024, len(ctx.captured_queries), len(content)


def main() -> int:
    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_staffing: division data not found at {directory} (set ZHANWU_DIVISIONS_DIR)", file=sys.stderr)
        return 1
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_STAFFING_DATABASE_URL", "bench_staffing")
    print(f"== 驻站社工基准 (database {urlsplit(url).path.lstrip('/')}, data {directory})")
    started = time.perf_counter()
    recreate_database(url)
    if str(Path(__file__).resolve().parents[1]) not in sys.path:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    _keys()
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from stations.importer import import_divisions

    call_command("migrate", verbosity=0)
    import_divisions(SHIPPED_DIVISIONS, prefix=None, progress=False)
    import_divisions(directory, prefix=PROVINCE, progress=False)
    n_stations, n_workers = build(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"建库、导入与造数：{time.perf_counter() - started:.1f} 秒；{n_stations:,} 个乡镇站点，{n_workers:,} 名在岗社工"
    )

    checks: list[tuple[str, str, str, bool]] = []
    small = measure_adequacy(SMALL_COUNTY)
    big = measure_adequacy(PROVINCE)
    rows: list[tuple[str, ...]] = [("范围", "站点", "用时", "查询数", "符合")]
    for label, (n, s, q, ok) in (("县级（长沙县）", small), ("省级（湖南）", big)):
        rows.append((label, f"{n:,}", f"{s:.2f} 秒", str(q), f"{ok:,}"))
    print(table(rows))
    checks.append(("配备核对查询数（县级 → 省级）", f"{small[2]} → {big[2]}", "相同", small[2] == big[2]))
    checks.append(("省级配备核对用时", f"{big[1]:.2f} 秒", "记录", True))

    add_export_workers(EXPORT_ROWS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    few = measure_export(1000)
    many = measure_export(EXPORT_ROWS)
    rows = [("行数", "用时", "每秒行数", "进程峰值内存", "查询数", "文件大小")]
    for n, s, peak, q, size in (few, many):
        rows.append(
            (f"{n:,}", f"{s:.2f} 秒", f"{n / s:,.0f}", f"{peak:.1f} MB", str(q), f"{size / 1024 / 1024:.1f} MB")
        )
    print(table(rows))
    checks.append(("花名册导出查询数（1,000 → 全部）", f"{few[3]} → {many[3]}", "相同", few[3] == many[3]))
    checks.append((f"{EXPORT_ROWS:,} 名社工导出用时", f"{many[1]:.1f} 秒", "记录", True))
    return report(checks, "bench_staffing: OK — 配备核对与花名册导出的查询数固定，与行数无关。")


if __name__ == "__main__":
    sys.exit(main())
