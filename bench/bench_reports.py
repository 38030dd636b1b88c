"""Province-scale benchmark of brief completeness and timeliness: ``python -m bench.bench_reports``.

1. (Re)creates ``zhanwu_bench_reports`` on the server of ``DATABASE_URL`` (override the whole URL with
   ``ZHANWU_BENCH_REPORTS_DATABASE_URL``), migrates it, imports the shipped divisions and Hunan (prefix 43:
   2,008 townships) from ``../shared/data/divisions`` (env ``ZHANWU_DIVISIONS_DIR``).
2. Builds, with ``bulk_create``: a bureau and an agency per county, a township station in every township, one
   agreement in force all year per county covering its stations, and a year of monthly briefs (2,008 × 12 =
   24,096): most handed in (some late), some still drafts.
3. Measures ``evaluation.reports.selectors.completeness`` (the code of the API and the page) for the province
   for a month and for the year, and for one county: time and query count (the query count must not depend on
   the size of the subtree), against one hand-written SQL statement giving the same numbers per city (checked
   equal); and the pre-fill of one brief (``evaluation.reports.prefill.brief_figures``).

Exit status 1 when the numbers differ from raw SQL or a query count differs between county and province.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import DEFAULT_DIVISIONS, bench_database_url, recreate_database, report, setup_django, table

BENCH_DB = "zhanwu_bench_reports"
SHIPPED_DIVISIONS = Path(__file__).resolve().parents[1] / "stations/data/divisions"
PROVINCE = "43"
COUNTY = "430121"  # 长沙县
YEAR = 2025
RAW_SQL = """
WITH expected AS (
  SELECT substr(s.division_id, 1, 4) AS g, count(DISTINCT s.id) AS n
  FROM stations_station s
  JOIN contracts_contract_stations cs ON cs.station_id = s.id
  JOIN contracts_contract c ON c.id = cs.contract_id
  WHERE s.division_id LIKE %(prefix)s AND c.status IN ('active', 'expired', 'terminated')
    AND c.start_date <= %(last)s AND c.end_date >= %(first)s
  GROUP BY 1
), handed AS (
  SELECT substr(b.division_id, 1, 4) AS g, count(*) AS n,
         count(*) FILTER (WHERE (b.first_submitted_at AT TIME ZONE 'Asia/Shanghai')::date <= b.due_date) AS on_time
  FROM evaluation_monthlybrief b
  WHERE b.period = %(period)s AND b.division_id LIKE %(prefix)s AND b.first_submitted_at IS NOT NULL
  GROUP BY 1
)
SELECT e.g, e.n, coalesce(h.n, 0), coalesce(h.on_time, 0) FROM expected e LEFT JOIN handed h ON h.g = e.g
"""


def build() -> dict[str, int]:
    from django.db import transaction

    from accounts.models import Organisation
    from contracts.models import Contract
    from evaluation.reports.calendar import month_end
    from evaluation.reports.models import MonthlyBrief
    from stations.models import Division, Station

    rng = random.Random(11)  # noqa: S311 - reproducible test data, not a secret
    with transaction.atomic():
        divisions = list(Division.objects.filter(code__startswith=PROVINCE).values_list("code", "name", "level"))
        names = {c: n for c, n, _ in divisions}
        counties = [c for c, _, level in divisions if level == 3]
        townships = [c for c, _, level in divisions if level == 4]
        Kind = Organisation.Kind
        bureaus = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.BUREAU, name=f"{names[c]}民政局", division_id=c) for c in counties]
        )
        agencies = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.AGENCY, name=f"{names[c]}社工中心", division_id=c) for c in counties]
        )
        stations = Station.objects.bulk_create(
            [
                Station(division_id=t, level=Station.Level.TOWNSHIP, name=f"{names[t]}社工站", status="operating")
                for t in townships
            ],
            batch_size=2_000,
        )
        contracts = Contract.objects.bulk_create(
            [
                Contract(
                    number=f"HN-{YEAR}-{c}",
                    buyer=b,
                    division_id=c,
                    agency=a,
                    start_date=dt.date(YEAR, 1, 1),
                    end_date=dt.date(YEAR, 12, 31),
                    status=Contract.Status.ACTIVE,
                )
                for c, b, a in zip(counties, bureaus, agencies, strict=True)
            ]
        )
        by_county = {c.division_id: c for c in contracts}
        through = Contract.stations.through
        through.objects.bulk_create(
            [
                through(contract_id=by_county[s.division_id[:6]].pk, station_id=s.pk)
                for s in stations
                if s.division_id[:6] in by_county
            ],
            batch_size=5_000,
        )
        briefs = []
        for s in stations:
            contract = by_county.get(s.division_id[:6])
            if contract is None:
                continue
            for month in range(1, 13):
                due = dt.date(YEAR, month, 26) if month != 2 else dt.date(YEAR, 2, 26)
                roll = rng.random()
                handed = None
                if roll < 0.85:  # handed in; a fifth of them late
                    delta = rng.randint(-10, -1) if rng.random() < 0.8 else rng.randint(1, 10)
                    handed = dt.datetime.combine(due + dt.timedelta(days=delta), dt.time(10), tzinfo=dt.UTC)
                briefs.append(
                    MonthlyBrief(
                        station_id=s.pk,
                        contract_id=contract.pk,
                        agency_id=contract.agency_id,
                        division_id=s.division_id,
                        period=f"{YEAR}-{month:02d}",
                        due_date=min(due, month_end(YEAR, month)),
                        state="accepted" if handed else "draft",
                        first_submitted_at=handed,
                        submitted_at=handed,
                    )
                )
        MonthlyBrief.objects.bulk_create(briefs, batch_size=5_000)
    return {"counties": len(counties), "stations": len(stations), "briefs": len(briefs)}


def measure(code: str, period: str, rounds: int = 5) -> tuple[float, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.system import system_actor
    from evaluation.reports.selectors import completeness
    from stations.models import Division

    actor = system_actor()
    division = Division.objects.get(code=code)
    completeness(actor, division, period)  # warm-up
    times = []
    result = None
    queries = 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            result = completeness(actor, division, period)
        times.append(time.perf_counter() - t0)
        queries = len(ctx.captured_queries)
    return sorted(times)[len(times) // 2], queries, result


def raw(period: str, rounds: int = 5) -> tuple[float, dict[str, tuple[int, int, int]]]:
    from django.db import connection

    from evaluation.reports.calendar import month_end

    year, month = (int(x) for x in period.split("-"))
    params: dict[str, Any] = {
        "prefix": f"{PROVINCE}%",
        "period": period,
        "first": dt.date(year, month, 1),
        "last": month_end(year, month),
    }
    times = []
    rows: dict[str, tuple[int, int, int]] = {}
    for _ in range(rounds + 1):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, params)
            rows = {g: (n, s, o) for g, n, s, o in cursor.fetchall()}
        times.append(time.perf_counter() - t0)
    times = times[1:]
    return sorted(times)[len(times) // 2], rows


def main() -> int:
    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_reports: division data not found at {directory} (set ZHANWU_DIVISIONS_DIR)", file=sys.stderr)
        return 1
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_REPORTS_DATABASE_URL", "bench_reports")
    print(f"== 省级规模简报报送情况基准 (database {urlsplit(url).path.lstrip('/')}, data {directory})")
    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from stations.importer import import_divisions

    call_command("migrate", verbosity=0)
    import_divisions(SHIPPED_DIVISIONS, prefix=None, progress=False)
    import_divisions(directory, prefix=PROVINCE, progress=False)
    counts = build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"数据库重建、区划导入与造数：{time.perf_counter() - started:.1f} 秒；{counts}")

    month = f"{YEAR}-06"
    p_s, p_q, p_res = measure(PROVINCE, month)
    y_s, y_q, y_res = measure(PROVINCE, str(YEAR), rounds=3)
    c_s, c_q, _ = measure(COUNTY, month)
    r_s, r_rows = raw(month)
    ours = {r.key: (r.expected, r.submitted, r.on_time) for r in p_res.rows if r.expected}  # type: ignore[attr-defined]

    from django.test.utils import CaptureQueriesContext

    from core.system import system_actor  # noqa: F401
    from evaluation.reports.models import MonthlyBrief
    from evaluation.reports.prefill import brief_figures

    brief = MonthlyBrief.objects.select_related("station").order_by("pk").first()
    assert brief is not None
    brief_figures(brief.station, brief.period)
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(20):
            brief_figures(brief.station, brief.period)
    pre_s = (time.perf_counter() - t0) / 20
    pre_q = len(ctx.captured_queries) // 20

    total = p_res.total  # type: ignore[attr-defined]
    ytotal = y_res.total  # type: ignore[attr-defined]
    print()
    print(
        table(
            [
                ("计算", "秒", "查询", "应报", "已报", "按时"),
                (
                    f"湖南省 {month}",
                    f"{p_s:.3f}",
                    str(p_q),
                    f"{total.expected:,}",
                    f"{total.submitted:,}",
                    f"{total.on_time:,}",
                ),
                (
                    f"湖南省 {YEAR} 全年",
                    f"{y_s:.3f}",
                    str(y_q),
                    f"{ytotal.expected:,}",
                    f"{ytotal.submitted:,}",
                    f"{ytotal.on_time:,}",
                ),
                (f"长沙县 {month}", f"{c_s:.3f}", str(c_q), "", "", ""),
                (f"原生 SQL 湖南省 {month}", f"{r_s:.3f}", "1", "", "", ""),
                ("简报预填（1 份）", f"{pre_s:.4f}", str(pre_q), "", "", ""),
            ]
        )
    )
    ratio = p_s / r_s if r_s else float("inf")
    checks = [
        ("省级与原生 SQL 结果一致（按市）", "一致" if ours == r_rows else "不一致", "一致", ours == r_rows),
        ("查询数：县级 → 省级（月）", f"{c_q} → {p_q}", "相同", c_q == p_q),
        ("全年查询数", str(y_q), f"= 1 + 2×12 = {1 + 24}", y_q == 1 + 24),
        (
            "全年应报简报",
            f"{ytotal.expected:,}",
            f"{counts['stations'] * 12:,}",
            ytotal.expected == counts["stations"] * 12,
        ),
        ("省级一个月用时 / 原生 SQL", f"{ratio:.1f} 倍", "记录", True),
        ("简报预填查询数", str(pre_q), "≤ 3", pre_q <= 3),
    ]
    return report(checks, "bench_reports: OK — 报送情况按集合计算，查询数固定，结果与原生 SQL 一致。")


if __name__ == "__main__":
    sys.exit(main())
