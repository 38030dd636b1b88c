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
   equal), and the same for the whole year against one hand-written statement over the year's twelve months;
4. Builds a year of Hunan-scale service records with SQL (``PEOPLE`` beneficiaries, ``RECORDS`` records over the
   year, each linked to a person of its station, a monthly visit to every tenth person with its record) and measures
   the pre-fill of one brief (``evaluation.reports.prefill.brief_figures``, the code of the page, the API and the
   PDF): time, a query count that does not depend on how many records there are (a month with records and one
   without), and the same service figures as one hand-written SQL statement, with the ratio to it.

Exit status 1 when the numbers differ from raw SQL or a query count differs between county and province (or the
pre-fill's between a full month and an empty one).
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
PEOPLE = 100_000  # about 50 beneficiaries a township station
RECORDS = 480_000  # a year of service records: about 20 a station a month
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

RAW_SQL_YEAR = """
WITH bounds AS (
  SELECT m, make_date(%(year)s, m, 1) AS first,
         (make_date(%(year)s, m, 1) + interval '1 month' - interval '1 day')::date AS last
  FROM generate_series(1, 12) m
), expected AS (
  SELECT substr(s.division_id, 1, 4) AS g, count(DISTINCT (s.id, b.m)) AS n
  FROM bounds b
  JOIN contracts_contract c ON c.start_date <= b.last AND c.end_date >= b.first
       AND c.status IN ('active', 'expired', 'terminated')
  JOIN contracts_contract_stations cs ON cs.contract_id = c.id
  JOIN stations_station s ON s.id = cs.station_id
  WHERE s.division_id LIKE %(prefix)s
  GROUP BY 1
), handed AS (
  SELECT substr(b.division_id, 1, 4) AS g, count(*) AS n,
         count(*) FILTER (WHERE (b.first_submitted_at AT TIME ZONE 'Asia/Shanghai')::date <= b.due_date) AS on_time
  FROM evaluation_monthlybrief b
  WHERE b.period LIKE %(year_prefix)s AND b.division_id LIKE %(prefix)s AND b.first_submitted_at IS NOT NULL
  GROUP BY 1
)
SELECT e.g, e.n, coalesce(h.n, 0), coalesce(h.on_time, 0) FROM expected e LEFT JOIN handed h ON h.g = e.g
"""
# The service figures of one station's month, as the brief's pre-fill shows them.
RAW_SQL_PREFILL = """
WITH r AS (
  SELECT id, kind, hours, participants FROM services_servicerecord
  WHERE station_id = %(station)s AND date >= %(first)s AND date <= %(last)s
)
SELECT (SELECT count(*) FROM r),
       (SELECT coalesce(sum(hours), 0) FROM r),
       (SELECT coalesce(sum(hours) FILTER (WHERE kind IN ('case', 'group', 'community', 'visit')), 0) FROM r),
       (SELECT count(DISTINCT rb.beneficiary_id) FROM services_servicerecord_beneficiaries rb
         WHERE rb.servicerecord_id IN (SELECT id FROM r)),
       (SELECT coalesce(sum(participants), 0) FROM r),
       (SELECT count(*) FROM services_visit v
         WHERE v.station_id = %(station)s AND v.date >= %(first)s AND v.date <= %(last)s),
       (SELECT count(*) FROM services_escalation e WHERE e.station_id = %(station)s AND e.status = 'open')
"""


def build_records(recorder_pk: int) -> dict[str, int]:
    """A year of service records for every Hunan township station, in a few SQL statements (like
    bench_services): beneficiaries, records spread over the year each linked to a person of its station, and a
    monthly visit (with its record) to every tenth person."""
    from django.db import connection

    from services.models import Beneficiary, ServiceRecord, Visit

    start = dt.date(YEAR, 1, 1)
    through = ServiceRecord.beneficiaries.through._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE bench_st AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, division_id "
            "FROM stations_station WHERE level = 'township' AND division_id LIKE '43%%'"
        )
        cur.execute("SELECT count(*) FROM bench_st")
        stations = cur.fetchone()[0]
        cur.execute(
            f"INSERT INTO {Beneficiary._meta.db_table} (public_id, station_id, division_id, name, id_number, phone, "  # noqa: S608 - table names from model metadata, values as parameters
            "address, birth_date, sex, categories, household, household_size, risk_level, self_care, consent, "
            "consent_by, consent_date, guardian_name, last_visit_date, active, created_at) "
            "SELECT gen_random_uuid(), s.id, s.division_id, '服务对象' || g, '', '', '', "
            "DATE '1950-01-01' + (g %% 9000), '', "
            "CASE WHEN g %% 5 = 0 THEN ARRAY['tekun_scattered'] ELSE ARRAY['dibao'] END::varchar[], '', 1, 'low', '', "
            "true, 'self', %s, '', NULL, true, now() "
            "FROM generate_series(1, %s) g JOIN bench_st s ON s.n = g %% %s",
            [start, PEOPLE, stations],
        )
        cur.execute(
            f"INSERT INTO {ServiceRecord._meta.db_table} (station_id, kind, date, hours, admin_function, "  # noqa: S608 - table names from model metadata, values as parameters
            "participants, title, notes, recorded_by_id, created_at) "
            "SELECT s.id, (ARRAY['case','group','community','visit','admin'])[1 + g %% 5], %s + ((g / %s) %% 365), "
            "1.5 + (g %% 3), '', g %% 20, '服务', '', %s, now() "
            "FROM generate_series(1, %s) g JOIN bench_st s ON s.n = g %% %s",
            [start, stations, recorder_pk, RECORDS, stations],
        )
        cur.execute(f"ANALYZE {Beneficiary._meta.db_table}")  # noqa: S608 - table name from model metadata
        # Each record serves one person of its station (the people of a station in a row-numbered list).
        cur.execute(
            f"CREATE TEMP TABLE bench_people AS SELECT id, station_id, "  # noqa: S608 - table name from model metadata
            f"row_number() OVER (PARTITION BY station_id ORDER BY id) - 1 AS k, "
            f"count(*) OVER (PARTITION BY station_id) AS size FROM {Beneficiary._meta.db_table}"
        )
        cur.execute("CREATE INDEX ON bench_people (station_id, k)")
        cur.execute(
            f"INSERT INTO {through} (servicerecord_id, beneficiary_id) "  # noqa: S608 - table names from model metadata
            f"SELECT r.id, p.id FROM {ServiceRecord._meta.db_table} r "
            "JOIN (SELECT DISTINCT station_id, size FROM bench_people) z ON z.station_id = r.station_id "
            "JOIN bench_people p ON p.station_id = r.station_id AND p.k = r.id % z.size"
        )
        cur.execute(
            f"WITH people AS (SELECT b.id, b.station_id, m FROM {Beneficiary._meta.db_table} b, "  # noqa: S608 - table names from model metadata, values as parameters
            "generate_series(1, 12) m WHERE b.id %% 10 = 0), "
            f"rec AS (INSERT INTO {ServiceRecord._meta.db_table} (station_id, kind, date, hours, admin_function, "
            "participants, title, notes, recorded_by_id, created_at) "
            "SELECT station_id, 'visit', make_date(%s, m, 10), 0.5, '', 1, 'v' || id || '-' || m, '', %s, now() "
            "FROM people RETURNING id, title, station_id, date) "
            f"INSERT INTO {Visit._meta.db_table} (beneficiary_id, station_id, date, week, checks, notes, record_id, "
            "recorded_by_id, created_at) "
            "SELECT split_part(substr(rec.title, 2), '-', 1)::bigint, rec.station_id, rec.date, "
            "to_char(rec.date, 'IYYY-\"W\"IW'), '{}'::jsonb, '', rec.id, %s, now() FROM rec",
            [YEAR, recorder_pk, recorder_pk],
        )
        for t in (Beneficiary, ServiceRecord, Visit):
            cur.execute(f"VACUUM ANALYZE {t._meta.db_table}")
        cur.execute(f"VACUUM ANALYZE {through}")
    return {
        "服务对象": Beneficiary.objects.count(),
        "服务记录": ServiceRecord.objects.count(),
        "探访": Visit.objects.count(),
    }


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
    ry_s, ry_rows = raw_year()
    ours = {r.key: (r.expected, r.submitted, r.on_time) for r in p_res.rows if r.expected}  # type: ignore[attr-defined]
    ours_year = {r.key: (r.expected, r.submitted, r.on_time) for r in y_res.rows if r.expected}  # type: ignore[attr-defined]

    t0 = time.perf_counter()
    from accounts.models import Organisation, User

    recorder = User.objects.create(
        username="bench_recorder", organisation=Organisation.objects.filter(kind=Organisation.Kind.AGENCY).first()
    )
    records = build_records(recorder.pk)
    print(f"一年的服务记录造数：{time.perf_counter() - t0:.1f} 秒；{records}")
    pre = measure_prefill(month)

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
                (f"原生 SQL 湖南省 {YEAR} 全年", f"{ry_s:.3f}", "1", "", "", ""),
                (f"简报预填（1 份，{month}）", f"{pre['ours_s']:.4f}", str(pre["queries"]), "", "", ""),
                ("简报预填（1 份，无记录的月份）", "", str(pre["empty_queries"]), "", "", ""),
                (f"原生 SQL 简报预填服务数据 {month}", f"{pre['raw_s']:.4f}", "1", "", "", ""),
            ]
        )
    )
    print(f"简报预填（服务开展）：{pre['ours_figures']}")
    ratio = p_s / r_s if r_s else float("inf")
    ratio_year = y_s / ry_s if ry_s else float("inf")
    ratio_pre = pre["ours_s"] / pre["raw_s"] if pre["raw_s"] else float("inf")
    checks = [
        ("省级与原生 SQL 结果一致（按市，月）", "一致" if ours == r_rows else "不一致", "一致", ours == r_rows),
        (
            "省级与原生 SQL 结果一致（按市，全年）",
            "一致" if ours_year == ry_rows else "不一致",
            "一致",
            ours_year == ry_rows,
        ),
        ("查询数：县级 → 省级（月）", f"{c_q} → {p_q}", "相同", c_q == p_q),
        ("全年查询数", str(y_q), f"= 1 + 2×12 = {1 + 24}", y_q == 1 + 24),
        (
            "全年应报简报",
            f"{ytotal.expected:,}",
            f"{counts['stations'] * 12:,}",
            ytotal.expected == counts["stations"] * 12,
        ),
        ("省级一个月用时 / 原生 SQL", f"{ratio:.1f} 倍", "记录", True),
        ("省级全年用时 / 原生 SQL", f"{ratio_year:.1f} 倍", "记录", True),
        (
            "简报预填与原生 SQL 服务数据一致",
            "一致" if pre["ours_figures"] == pre["raw_figures"] else f"不一致：{pre['raw_figures']}",
            "一致",
            pre["ours_figures"] == pre["raw_figures"],
        ),
        (
            "简报预填查询数：有记录的月份 → 无记录的月份",
            f"{pre['queries']} → {pre['empty_queries']}",
            "相同",
            pre["queries"] == pre["empty_queries"],
        ),
        ("简报预填用时 / 原生 SQL", f"{ratio_pre:.1f} 倍", "记录", True),
    ]
    return report(checks, "bench_reports: OK — 报送情况与简报预填按集合计算，查询数固定，结果与原生 SQL 一致。")


def raw_year(rounds: int = 3) -> tuple[float, dict[str, tuple[int, int, int]]]:
    from django.db import connection

    params: dict[str, Any] = {"year": YEAR, "prefix": f"{PROVINCE}%", "year_prefix": f"{YEAR}-%"}
    times = []
    rows: dict[str, tuple[int, int, int]] = {}
    for _ in range(rounds + 1):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL_YEAR, params)
            rows = {g: (n, s, o) for g, n, s, o in cursor.fetchall()}
        times.append(time.perf_counter() - t0)
    times = times[1:]
    return sorted(times)[len(times) // 2], rows


PREFILL_LABELS = (
    "服务记录（条）",
    "服务时长（小时）",
    "专业服务时长（小时）",
    "服务对象（人）",
    "活动参与（人次）",
    "巡访探视（次）",
    "未处置的探访异常",
)


def measure_prefill(month: str, rounds: int = 20) -> dict[str, Any]:
    """The pre-fill of one brief (the first station's, ``month``) over the year's records: median time and query
    count, the query count for a month without records, and the same service figures by one raw SQL statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.reports.calendar import month_end
    from evaluation.reports.prefill import brief_figures
    from stations.models import Station

    station = Station.objects.filter(division__pk__startswith=PROVINCE, level=Station.Level.TOWNSHIP).order_by("pk")[0]

    def service_figures(answer: dict[str, Any]) -> tuple[str, ...]:
        rows = next(s["rows"] for s in answer["sections"] if s["title"] == "服务开展")
        values = {r["label"]: r["value"] for r in rows}
        return tuple(values[label] for label in PREFILL_LABELS)

    brief_figures(station, month)  # warm-up
    times = []
    answer: dict[str, Any] = {}
    queries = 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            answer = brief_figures(station, month)
        times.append(time.perf_counter() - t0)
        queries = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        brief_figures(station, f"{YEAR + 1}-06")
    empty_queries = len(ctx.captured_queries)
    year, m = (int(x) for x in month.split("-"))
    params: dict[str, Any] = {"station": station.pk, "first": dt.date(year, m, 1), "last": month_end(year, m)}
    raw_times = []
    row: Any = None
    for _ in range(rounds + 1):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL_PREFILL, params)
            row = cursor.fetchone()
        raw_times.append(time.perf_counter() - t0)
    raw_times = raw_times[1:]
    n, hours, professional, served, participants, visits, escalations = row
    raw_figures = (
        str(n),
        f"{hours:.1f}",
        f"{professional:.1f}",
        str(served),
        str(participants),
        str(visits),
        str(escalations),
    )
    return {
        "ours_s": sorted(times)[len(times) // 2],
        "queries": queries,
        "empty_queries": empty_queries,
        "raw_s": sorted(raw_times)[len(raw_times) // 2],
        "ours_figures": service_figures(answer),
        "raw_figures": raw_figures,
    }


if __name__ == "__main__":
    sys.exit(main())
