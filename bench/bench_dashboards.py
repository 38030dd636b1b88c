"""Dashboards at Hunan scale and the national pull: ``python -m bench.bench_dashboards``.

1. (Re)creates ``zhanwu_bench_dashboards`` on the server of ``DATABASE_URL`` (override the whole URL with
   ``ZHANWU_BENCH_DASHBOARDS_DATABASE_URL``), migrates it, imports Hunan (prefix 43: 2,008 townships, 29,534
   villages) from ``../shared/data/divisions`` (env ``ZHANWU_DIVISIONS_DIR``).
2. Builds a year (2025) of Hunan records with ``bulk_create``: a township station in every township (stars on most),
   village points in a quarter of the villages, an agreement per county, 24,096 monthly briefs (bench_reports'
   builder), 100 service records per township station, an approved budget per station with a relief line and
   12 approved expenditures, a relief base per county, two determined evaluations per agreement.
3. Full rebuild of the year (12 months + 4 quarters + the year, every indicator): time and rows.
4. The province dashboard for the year (every indicator: the cities side by side, the province's own figure and
   the monthly trend) read from the aggregates, against the same figures computed from the base tables (every
   indicator's set-based computation, rolled up): both times, the ratio, query counts; the city figures must be
   equal.
5. The incremental refresh after one day's records (2,008 service records, 500 briefs handed in, 2,008
   expenditures): this month, this quarter and this year, as the nightly job does.
6. The national pull: the whole country's divisions imported, one month of ``township_coverage`` refreshed
   (41,352 townships), then pulled page by page (``level=township&limit=5000``, keyset cursor) through the API
   view as a national administrator: time, pages, peak Python memory (tracemalloc) and the process's peak RSS;
   and Hunan's townships pulled with a province service account's API key through the whole stack.

Exit status 1 when aggregates and base tables disagree, a pull misses rows, or a query count grows with the size.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import DEFAULT_DIVISIONS, bench_database_url, recreate_database, report, setup_django, table

BENCH_DB = "zhanwu_bench_dashboards"
SHIPPED_DIVISIONS = Path(__file__).resolve().parents[1] / "stations/data/divisions"
PROVINCE = "43"
YEAR = 2025
NATIONAL_TOWNSHIPS = 41_352


def build() -> dict[str, int]:
    from django.db import transaction

    from accounts.models import Organisation, User
    from bench.bench_reports import build as build_briefs
    from contracts.models import Contract
    from evaluation.models import Evaluation
    from funding.models import Budget, BudgetLine, Expenditure, ReliefBase
    from services.models import ServiceRecord
    from stations.models import Division, Station

    counts = build_briefs()  # bureaus, agencies, township stations, agreements, a year of briefs
    rng = random.Random(14)  # noqa: S311 - reproducible test data, not a secret
    province = Organisation.objects.create(kind="bureau", name="湖南省民政厅", division_id=PROVINCE)
    officer = User.objects.create_user("bench_province", password=None, organisation=province)
    with transaction.atomic():
        stations = list(Station.objects.filter(level="township").order_by("pk"))
        for s in stations:
            s.star_rating = rng.choice([None, 1, 2, 3, 3, 4, 4, 5])
        Station.objects.bulk_update(stations, ["star_rating"], batch_size=2_000)
        villages = list(Division.objects.filter(code__startswith=PROVINCE, level=5).values_list("code", "name"))
        points = Station.objects.bulk_create(
            [
                Station(division_id=c, level="village", name=f"{n}社工服务点", status="operating")
                for c, n in villages
                if rng.random() < 0.25
            ],
            batch_size=5_000,
        )
        kinds = ["case", "group", "community", "visit", "admin", "admin", "training"]
        records: list[ServiceRecord] = []
        for s in stations:
            for k in range(100):
                day = dt.date(YEAR, 1, 1) + dt.timedelta(days=(k * 3 + s.pk) % 334)  # January to November
                records.append(
                    ServiceRecord(
                        station=s,
                        kind=kinds[k % len(kinds)],
                        date=day,
                        hours=Decimal(rng.choice(["1.00", "1.50", "2.00", "3.00"])),
                        title="基准记录",
                        recorded_by=officer,
                    )
                )
        ServiceRecord.objects.bulk_create(records, batch_size=10_000)
        budgets = Budget.objects.bulk_create(
            [
                Budget(station=s, year=YEAR, status="approved", created_by=officer, approved_by=officer)
                for s in stations
            ],
            batch_size=2_000,
        )
        lines = BudgetLine.objects.bulk_create(
            [
                line
                for b in budgets
                for line in (
                    BudgetLine(budget=b, kind="labour", category="labour", source="county", amount=Decimal("200000")),
                    BudgetLine(budget=b, kind="operations", source="relief", amount=Decimal("10000")),
                )
            ],
            batch_size=5_000,
        )
        spend = [
            Expenditure(
                budget_id=line.budget_id,
                line=line,
                category="labour",
                amount=Decimal("12000.00"),
                spent_on=dt.date(YEAR, m, 10),
                payee="基准收款方",
                description="基准支出",
                receipt="bench/receipt.pdf",
                receipt_type="application/pdf",
                receipt_extension="pdf",
                receipt_size=1000,
                receipt_sha256="0" * 64,
                status="approved",
                recorded_by=officer,
            )
            for line in lines
            if line.kind == "labour"
            for m in range(1, 12)
        ]
        Expenditure.objects.bulk_create(spend, batch_size=10_000)
        counties = sorted({s.division_id[:6] for s in stations})
        ReliefBase.objects.bulk_create(
            [
                ReliefBase(division_id=c, year=YEAR, amount=Decimal("5000000"), basis="当年预算", entered_by=officer)
                for c in counties
            ]
        )
        evaluator = Organisation.objects.create(kind="evaluator", name="基准评估机构", division_id=PROVINCE)
        evaluations = [
            Evaluation(
                contract=c,
                service_year=YEAR,
                stage=stage,
                evaluator=evaluator,
                state="final",
                total=Decimal("75"),
                passed=rng.random() < 0.8,
                finalized_at=dt.datetime(YEAR, month, 20, 2, tzinfo=dt.UTC),
                created_by=officer,
            )
            for c in Contract.objects.all()
            for stage, month in (("midterm", 6), ("final", 11))
        ]
        Evaluation.objects.bulk_create(evaluations)
    return {
        **counts,
        "village_points": len(points),
        "records": len(records),
        "budgets": len(budgets),
        "expenditures": len(spend),
        "evaluations": len(evaluations),
    }


def timed(func: Any) -> tuple[float, int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return time.perf_counter() - t0, len(ctx.captured_queries), result


def dashboard_from_aggregates(user: Any, period: Any) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """What the province's page reads for every indicator: the cities, its own figure, the monthly trend."""
    from dashboards.indicators import indicators
    from dashboards.selectors import children, own, trend

    out = {}
    for code, definition in indicators().items():
        if period.kind not in definition.periods:
            continue
        rows = children(user, definition, period, PROVINCE)
        own(user, definition, period, PROVINCE)
        trend(user, definition, PROVINCE, period.first.year)
        out[code] = {r.division: (r.numerator, r.denominator) for r in rows}
    return out


def dashboard_from_base(period: Any) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """The same city figures computed from the base tables (each indicator's grouped queries, rolled up)."""
    from dashboards.indicators import compute, indicators
    from dashboards.refresh import roll_up

    out = {}
    for code, definition in indicators().items():
        if period.kind not in definition.periods:
            continue
        totals = roll_up(compute(definition, period).places)
        out[code] = {k: v for k, v in totals.items() if len(k) == 4 and k.startswith(PROVINCE)}
    return out


def one_day(day: dt.date) -> int:
    from django.utils import timezone

    from accounts.models import User
    from evaluation.reports.models import MonthlyBrief
    from funding.models import BudgetLine, Expenditure
    from services.models import ServiceRecord
    from stations.models import Station

    officer = User.objects.get(username="bench_province")
    stations = list(Station.objects.filter(level="township").order_by("pk"))
    ServiceRecord.objects.bulk_create(
        [
            ServiceRecord(station=s, kind="case", date=day, hours=Decimal("2.00"), title="一天", recorded_by=officer)
            for s in stations
        ],
        batch_size=5_000,
    )
    drafts = list(
        MonthlyBrief.objects.filter(period=f"{day:%Y-%m}", first_submitted_at__isnull=True).values_list("pk", flat=True)
    )[:500]
    now = timezone.make_aware(dt.datetime.combine(day, dt.time(16)))
    MonthlyBrief.objects.filter(pk__in=drafts).update(state="submitted", first_submitted_at=now, submitted_at=now)
    lines = BudgetLine.objects.filter(kind="labour", budget__year=day.year)
    Expenditure.objects.bulk_create(
        [
            Expenditure(
                budget_id=line.budget_id,
                line=line,
                category="labour",
                amount=Decimal("500.00"),
                spent_on=day,
                payee="一天",
                description="一天",
                receipt="bench/receipt.pdf",
                receipt_type="application/pdf",
                receipt_extension="pdf",
                receipt_size=1000,
                receipt_sha256="0" * 64,
                status="approved",
                recorded_by=officer,
            )
            for line in lines
        ],
        batch_size=5_000,
    )
    return len(stations) * 2 + len(drafts)


def national_pull(period: str) -> tuple[float, int, int, float, float]:
    """Every township of the country for one month, page by page, through the API view as a national administrator
    (DRF request, scope, ETag, JSON rendering; the session/second-factor middleware is left out)."""
    from rest_framework.test import APIRequestFactory, force_authenticate

    from accounts.models import User
    from dashboards.api.views import IndicatorValueView

    admin = User.objects.create_superuser("bench_admin", password=None)
    view = IndicatorValueView.as_view()
    factory = APIRequestFactory()
    url = f"/api/v1/indicator-values/?indicator=township_coverage&period={period}&level=township&limit=5000"
    rows = pages = 0
    tracemalloc.start()
    t0 = time.perf_counter()
    next_url: str | None = url
    while next_url:
        request = factory.get(next_url)
        force_authenticate(request, user=admin)
        response = view(request)
        response.render()
        assert response.status_code == 200, response.content[:300]
        body = response.data
        rows += len(body["results"])
        pages += 1
        next_url = body["next"]
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return seconds, rows, pages, peak / 2**20, rss


def key_pull(period: str) -> tuple[float, int, int]:
    """Hunan's townships with a province service account's key, through the whole stack (middleware included)."""
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from dashboards.actions import service_account_create
    from stations.models import Division

    _, key = service_account_create(
        acting_user=User.objects.get(username="bench_province"),
        name="基准看板系统",
        division=Division.objects.get(code=PROVINCE),
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    client = Client()
    url: str | None = f"/api/v1/indicator-values/?indicator=township_coverage&period={period}&level=township&limit=1000"
    rows = 0
    t0 = time.perf_counter()
    etag = ""
    while url:
        response = client.get(url, HTTP_AUTHORIZATION=f"ApiKey {key}")
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        etag = etag or response["ETag"]
        rows += len(body["results"])
        url = body["next"]
    seconds = time.perf_counter() - t0
    first = f"/api/v1/indicator-values/?indicator=township_coverage&period={period}&level=township&limit=1000"
    unchanged = client.get(first, HTTP_AUTHORIZATION=f"ApiKey {key}", HTTP_IF_NONE_MATCH=etag).status_code
    return seconds, rows, unchanged


def main() -> int:  # noqa: C901 - one linear script
    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_dashboards: division data not found at {directory} (set ZHANWU_DIVISIONS_DIR)", file=sys.stderr)
        return 1
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_DASHBOARDS_DATABASE_URL", "bench_dashboards")
    print(f"== 数据看板基准 (database {urlsplit(url).path.lstrip('/')}, data {directory})")
    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from stations.importer import import_divisions

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's and factory's host
    call_command("migrate", verbosity=0)
    import_divisions(SHIPPED_DIVISIONS, prefix=None, progress=False)
    import_divisions(directory, prefix=PROVINCE, progress=False)
    counts = build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"数据库重建、区划导入与造数：{time.perf_counter() - started:.1f} 秒；{counts}", flush=True)

    from accounts.models import User
    from dashboards.indicators import Period
    from dashboards.models import IndicatorValue, StationIndicatorValue
    from dashboards.refresh import refresh

    periods = [f"{YEAR}-{m:02d}" for m in range(1, 13)] + [f"{YEAR}Q{q}" for q in range(1, 5)] + [str(YEAR)]
    full_s, full_q, _ = timed(lambda: [refresh(p) for p in periods])
    full_rows = IndicatorValue.objects.count() + StationIndicatorValue.objects.count()
    print(f"全年重建：{full_s:.1f} 秒，{full_q} 次查询，{full_rows:,} 行", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    officer = User.objects.get(username="bench_province")
    year = Period.parse(str(YEAR))
    dashboard_from_aggregates(officer, year)  # warm-up
    agg_s, agg_q, agg = timed(lambda: dashboard_from_aggregates(officer, year))
    dashboard_from_base(year)  # warm-up
    base_s, base_q, base = timed(lambda: dashboard_from_base(year))
    same = agg == base
    if not same:
        for code in sorted(set(agg) | set(base)):
            if agg.get(code) != base.get(code):
                print(f"  不一致：{code}", file=sys.stderr)
    print(
        f"省级看板 全年：预聚合表 {agg_s:.3f} 秒 {agg_q} 次查询；基础表 {base_s:.3f} 秒 {base_q} 次查询；一致 {same}",
        flush=True,
    )
    month = Period.parse(f"{YEAR}-06")
    magg_s, magg_q, magg = timed(lambda: dashboard_from_aggregates(officer, month))
    mbase_s, mbase_q, mbase = timed(lambda: dashboard_from_base(month))
    same_month = magg == mbase
    print(
        f"省级看板 6 月：预聚合表 {magg_s:.3f} 秒 {magg_q} 次；基础表 {mbase_s:.3f} 秒 {mbase_q} 次；一致 {same_month}",
        flush=True,
    )

    day = dt.date(YEAR, 12, 15)
    added = one_day(day)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    inc_s, inc_q, inc = timed(lambda: {p: refresh(p) for p in (f"{day:%Y-%m}", f"{YEAR}Q4", str(YEAR))})
    inc_rows = sum(sum(v.values()) for v in inc.values())
    print(f"一天后增量刷新：{inc_s:.1f} 秒，{inc_q} 次查询，新增 {added:,} 条，写 {inc_rows:,} 行", flush=True)

    imp0 = time.perf_counter()
    import_divisions(directory, prefix=None, progress=False)
    imp_s = time.perf_counter() - imp0
    ref_s, _, written = timed(lambda: refresh(f"{YEAR}-06", ["township_coverage"]))
    townships = IndicatorValue.objects.filter(indicator="township_coverage", period=f"{YEAR}-06", level=4).count()
    print(f"全国区划导入 {imp_s:.1f} 秒；全国一个月刷新 {ref_s:.1f} 秒，乡镇 {townships:,} 行", flush=True)
    pull_s, pulled, pages, peak_mb, rss_mb = national_pull(f"{YEAR}-06")
    print(
        f"全国拉取：{pull_s:.2f} 秒，{pulled:,} 行，{pages} 页，Python 峰值 {peak_mb:.0f} MB，RSS {rss_mb:.0f} MB",
        flush=True,
    )
    key_s, key_rows, unchanged = key_pull(f"{YEAR}-06")

    print()
    print(
        table(
            [
                ("测量", "秒", "查询", "说明"),
                ("全年重建（12 月 + 4 季 + 全年）", f"{full_s:.1f}", str(full_q), f"{full_rows:,} 行"),
                ("省级看板 全年·预聚合表", f"{agg_s:.3f}", str(agg_q), f"{len(agg)} 个指标：各市、本省、逐月趋势"),
                ("省级看板 全年·基础表", f"{base_s:.3f}", str(base_q), "同样的各市数字，从基础表按集合计算"),
                ("省级看板 6 月·预聚合表", f"{magg_s:.3f}", str(magg_q), ""),
                ("省级看板 6 月·基础表", f"{mbase_s:.3f}", str(mbase_q), ""),
                (
                    "一天后增量刷新（本月、本季、本年）",
                    f"{inc_s:.1f}",
                    str(inc_q),
                    f"新增 {added:,} 条记录，写 {inc_rows:,} 行",
                ),
                ("导入全国区划", f"{imp_s:.1f}", "", ""),
                ("全国一个月 township_coverage 刷新", f"{ref_s:.1f}", "", f"{sum(written.values()):,} 行"),
                (
                    "全国乡镇一个月拉取（接口）",
                    f"{pull_s:.2f}",
                    "",
                    f"{pulled:,} 行，{pages} 页，Python 峰值 {peak_mb:.0f} MB，进程峰值 RSS {rss_mb:.0f} MB",
                ),
                ("湖南乡镇拉取（省级服务账号密钥）", f"{key_s:.2f}", "", f"{key_rows:,} 行；再拉答 {unchanged}"),
            ]
        )
    )
    ratio = base_s / agg_s if agg_s else float("inf")
    checks = [
        ("全年：预聚合表与基础表各市数字一致", "一致" if same else "不一致", "一致", same),
        ("6 月：预聚合表与基础表各市数字一致", "一致" if same_month else "不一致", "一致", same_month),
        ("基础表用时 / 预聚合表用时（全年）", f"{ratio:.1f} 倍", "记录", True),
        (
            "全国乡镇行数",
            f"{townships:,} / 拉取 {pulled:,}",
            f"{NATIONAL_TOWNSHIPS:,}",
            pulled == townships == NATIONAL_TOWNSHIPS,
        ),
        ("服务账号拉取湖南乡镇", f"{key_rows:,}", "2,008", key_rows == 2008),
        ("未变化的拉取", str(unchanged), "304", unchanged == 304),
    ]
    return report(checks, "bench_dashboards: OK — 看板读预聚合表，数字与基础表一致；全国拉取完整。")


if __name__ == "__main__":
    sys.exit(main())
