"""The nightly budget check at province scale: ``python -m bench.bench_funding``.

1. (Re)creates the benchmark database (``zhanwu_bench_funding`` on the server of ``DATABASE_URL``; override the
   whole URL with ``ZHANWU_BENCH_FUNDING_DATABASE_URL``), migrates it and imports Hunan (prefix 43: 2,008
   townships) from ``../shared/data/divisions`` (env ``ZHANWU_DIVISIONS_DIR``).
2. Policy: the Hunan preset adopted by the province and the province's alert share (0.9, a bureau decision).
3. One approved budget per township station for the year (labour, operations, relief-funded operations) and a
   year of spending: ``ZHANWU_BENCH_FUNDING_ROWS`` expenditure lines (default 200,000), drawn so that some lines
   come near their limit and some go over.
4. The nightly check (the daily sweep's funding kinds, as the system actor): time and query count for one county
   and for the province — the count must not grow with the budgets; a second run must raise nothing; and the
   ratio of its time to one raw SQL statement that finds the same over and near budgets (the sets must agree).

Exit status 1 when a query count grows with the rows, a re-run raises anything, or the sets differ.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import DEFAULT_DIVISIONS, bench_database_url, recreate_database, report, setup_django, table

BENCH_DB = "zhanwu_bench_funding"
SHIPPED_DIVISIONS = Path(__file__).resolve().parents[1] / "stations/data/divisions"
PROVINCE = "43"
SMALL_COUNTY = "430121"  # 长沙县
ROWS = int(os.environ.get("ZHANWU_BENCH_FUNDING_ROWS", "200000"))
KINDS = ["funding.over", "funding.near", "funding.labour_share", "funding.care_surplus", "funding.relief_cap"]

RAW_SQL = """
WITH spent AS (
    SELECT line_id, SUM(amount) AS s FROM funding_expenditure
    WHERE status IN ('recorded', 'approved') GROUP BY line_id
)
SELECT b.id,
       BOOL_OR(COALESCE(spent.s, 0) > l.amount) AS over,
       BOOL_OR(l.amount > 0 AND COALESCE(spent.s, 0) >= l.amount * 0.9) AS near
FROM funding_budget b
JOIN funding_budgetline l ON l.budget_id = b.id
LEFT JOIN spent ON spent.line_id = l.id
WHERE b.status = 'approved'
GROUP BY b.id
"""


def build(county: str | None, year: int, rows_per_station: int) -> tuple[int, int]:
    """Stations, approved budgets and spending for the townships under ``county`` (None: the rest of the
    province); returns (budgets, expenditure rows)."""
    from accounts.models import Organisation, User
    from funding.models import Budget, BudgetLine, Expenditure
    from stations.models import Division, Station

    bureau = User.objects.get(username="bench_bureau")
    townships = Division.objects.filter(code__startswith=county or PROVINCE, level=4)
    if county is None:
        townships = townships.exclude(code__startswith=SMALL_COUNTY)
    stations = Station.objects.bulk_create(
        [
            Station(division=t, level="township", name=f"{t.name}社会工作服务站", status="operating")
            for t in townships.order_by("code")
        ],
        batch_size=2000,
    )
    budgets = Budget.objects.bulk_create(
        [
            Budget(station=s, year=year, status="approved", created_by=bureau, approved_by=bureau, basis="基准")
            for s in stations
        ],
        batch_size=2000,
    )
    lines = BudgetLine.objects.bulk_create(
        [
            line
            for b in budgets
            for line in (
                BudgetLine(budget=b, kind="labour", category="labour", source="county", amount=Decimal("200000.00")),
                BudgetLine(budget=b, kind="operations", source="county", amount=Decimal("80000.00")),
                BudgetLine(budget=b, kind="operations", source="relief", amount=Decimal("10000.00")),
            )
        ],
        batch_size=5000,
    )
    rng = random.Random(43)  # noqa: S311 - test data
    by_budget: dict[int, list[BudgetLine]] = {}
    for line in lines:
        by_budget.setdefault(line.budget_id, []).append(line)
    agency = Organisation.objects.get(name="湖南基准社工中心")
    worker = User.objects.get(username="bench_agency")
    out: list[Expenditure] = []
    written = 0
    for b in budgets:
        # A budget's spending share of each line: most well within, some near, a few over.
        pressure = rng.choice([0.3] * 14 + [0.93] * 4 + [1.05] * 2)
        for line in by_budget[b.pk]:
            n = -(-rows_per_station // 3)
            each = line.amount * Decimal(str(pressure)) / n
            for k in range(n):
                out.append(
                    Expenditure(
                        budget=b,
                        line=line,
                        category="labour" if line.kind == "labour" else "transport",
                        amount=each.quantize(Decimal("0.01")),
                        spent_on=dt.date(year, 1 + k % 12, 1 + k % 28),
                        payee="基准收款方",
                        description="基准支出",
                        receipt="bench/receipt.pdf",
                        receipt_type="application/pdf",
                        receipt_extension="pdf",
                        receipt_size=1000,
                        receipt_sha256="0" * 64,
                        status="approved" if k % 3 else "recorded",
                        recorded_by=worker,
                    )
                )
            if len(out) >= 20000:
                Expenditure.objects.bulk_create(out, batch_size=5000)
                written += len(out)
                out = []
    Expenditure.objects.bulk_create(out, batch_size=5000)
    written += len(out)
    del agency
    return len(budgets), written


def sweep() -> tuple[float, int, int]:
    """(seconds, queries, obligations created) of the funding kinds of the daily sweep."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from obligations.sweep import run_sweep

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        result = run_sweep(kind_keys=KINDS)
    return time.perf_counter() - started, len(ctx.captured_queries), sum(k.created for k in result.kinds)


def raw() -> tuple[float, set[str], set[str]]:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL)
        found = cursor.fetchall()
    seconds = time.perf_counter() - started
    return (
        seconds,
        {str(pk) for pk, over, _near in found if over},
        {str(pk) for pk, over, near in found if near and not over},
    )


def main() -> int:
    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_funding: division data not found at {directory} (set ZHANWU_DIVISIONS_DIR)", file=sys.stderr)
        return 1
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_FUNDING_DATABASE_URL", "bench_funding")
    print(f"== 经费夜间核对基准 (database {urlsplit(url).path.lstrip('/')}, data {directory})")
    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organisation, User
    from obligations.models import Obligation
    from policies.actions import load_presets, preset_adopt
    from policies.models import PolicyPreset, PolicyRule
    from stations.importer import import_divisions
    from stations.models import Division, Station

    call_command("migrate", verbosity=0)
    import_divisions(SHIPPED_DIVISIONS, prefix=None, progress=False)
    import_divisions(directory, prefix=PROVINCE, progress=False)
    load_presets()
    policy = preset_adopt.__wrapped__(  # type: ignore[attr-defined]
        acting_user=None, preset=PolicyPreset.objects.get(code="hunan-2021"), division=Division.objects.get(code="43")
    )
    PolicyRule.objects.create(
        policy=policy, key="funding.alert_near_share", value="0.9", strength="must", clause="基准：省厅确定"
    )
    bureau_org = Organisation.objects.create(kind="bureau", name="湖南省民政厅", division_id="43")
    User.objects.create(username="bench_bureau", organisation=bureau_org)
    agency = Organisation.objects.create(kind="agency", name="湖南基准社工中心", division_id="43", credit_code=None)
    User.objects.create(username="bench_agency", organisation=agency)
    year = timezone.localdate().year
    townships = Division.objects.filter(code__startswith=PROVINCE, level=4).count()
    per_station = max(3, -(-ROWS // max(townships, 1)))  # rounded up: at least ROWS lines in all

    sweep()  # warm the process (content types, the calendar) so both measured runs start alike
    small_budgets, small_rows = build(SMALL_COUNTY, year, per_station)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    small = sweep()
    print(f"县级（长沙县）：{small_budgets:,} 份预算，{small_rows:,} 条支出")

    big_budgets, big_rows = build(None, year, per_station)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total_budgets, total_rows = small_budgets + big_budgets, small_rows + big_rows
    print(
        f"建库、导入与造数：{time.perf_counter() - started:.1f} 秒；"
        f"{Station.objects.count():,} 个站点，{total_budgets:,} 份预算，{total_rows:,} 条支出"
    )
    big = sweep()
    again = sweep()
    raw_seconds, raw_over, raw_near = raw()
    open_ = Obligation.objects.exclude(state__in=["done", "waived"])
    over = {str(pk) for pk in open_.filter(kind="funding.over").values_list("object_id", flat=True)}
    near = {str(pk) for pk in open_.filter(kind="funding.near").values_list("object_id", flat=True)}

    rows: list[tuple[str, ...]] = [("范围", "预算", "支出", "用时", "查询数", "新增待办")]
    rows.append(
        ("县级（长沙县）", f"{small_budgets:,}", f"{small_rows:,}", f"{small[0]:.2f} 秒", str(small[1]), str(small[2]))
    )
    rows.append(("省级（湖南）", f"{total_budgets:,}", f"{total_rows:,}", f"{big[0]:.2f} 秒", str(big[1]), str(big[2])))
    rows.append(
        ("省级再跑一次", f"{total_budgets:,}", f"{total_rows:,}", f"{again[0]:.2f} 秒", str(again[1]), str(again[2]))
    )
    rows.append(("同样结果的一条原始 SQL", f"{total_budgets:,}", f"{total_rows:,}", f"{raw_seconds:.2f} 秒", "1", "—"))
    print(table(rows))
    print(f"超支 {len(over):,} 份、接近预算 {len(near):,} 份；夜间核对 / 原始 SQL = {big[0] / raw_seconds:.1f} 倍")
    checks = [
        ("核对查询数（县级 → 省级）", f"{small[1]} → {big[1]}", "不随预算增长", big[1] <= small[1]),
        ("再跑一次新增待办", str(again[2]), "0", again[2] == 0),
        ("超支预算与原始 SQL 一致", f"{len(over):,} / {len(raw_over):,}", "相同", over == raw_over),
        ("接近预算与原始 SQL 一致", f"{len(near):,} / {len(raw_near):,}", "相同", near == raw_near),
        ("省级夜间核对用时", f"{big[0]:.1f} 秒", "记录", True),
    ]
    return report(checks, "bench_funding: OK — 夜间核对的查询数固定，重跑不重复提醒，结果与原始 SQL 一致。")


if __name__ == "__main__":
    sys.exit(main())
