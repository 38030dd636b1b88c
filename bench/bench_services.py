"""Services at Hunan scale: ``python -m bench.bench_services`` (issue 10 item 11).

1. (Re)creates ``zhanwu_bench_services`` (override with ``ZHANWU_BENCH_SERVICES_DATABASE_URL``), migrates it,
   imports the shipped divisions and Hunan, and builds the Hunan tenant data of ``bench.bench_scope`` (2,008
   township stations, bureaus, townships, agencies with contracts in force).
2. Adds, with set-based SQL: 100,000 beneficiaries over the township stations (every 5th a scattered 特困
   person), 1,000,000 service records over this year (one station sees ~500), a visit this calendar week for
   half the scattered persons (each with its service record), and the weekly visit rule on Hunan
   (``service.visit_frequency``, as the province's policy).
3. Measures (1 warm-up + 5 runs, median; queries counted, the scope computation included):
   (a) a station's record list as the agency: the scoped ORM list (50 rows) against raw SQL with the same scope,
       and the whole ``GET /api/v1/service-records/?station=<id>&limit=50`` for reference (query cap only);
   (b) the weekly not-yet-visited list of a county, ``due_this_week(<county bureau>)`` evaluated;
   (c) a county's monthly summary, ``monthly_summary(ServiceRecord.for_user(<county bureau>), y, m)`` (counts by
       domain and item, hours, professional hours and share);
   each against the raw SQL computing the same rows (the agency's scope written into it). The ORM calls are timed
   with the user's scope already computed (once per request, shared by every query of the request); the scope's
   own cost and the whole API request are printed too. Fails (exit 1) when a call exceeds its query cap or takes
   more than 3x its raw SQL, or the results differ.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import DEFAULT_DIVISIONS, bench_database_url, recreate_database, report, setup_django, table

BENCH_DB = "zhanwu_bench_services"
PEOPLE = 100_000
RECORDS = 1_000_000
CAPS = {"records": 2, "with_scope": 8, "api": 12, "due": 3, "summary": 3}
RATIO = 3.0


def build(agency_pk: int) -> dict[str, int]:
    from django.db import connection
    from django.utils import timezone

    from services.models import Beneficiary, ServiceRecord, Visit

    today = timezone.localdate()
    start = dt.date(today.year, 1, 1)
    days = max((today - start).days, 1)
    year, week, _ = today.isocalendar()
    monday = today - dt.timedelta(days=today.weekday())
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
            "SELECT s.id, (ARRAY['case','group','community','visit','admin'])[1 + g %% 5], %s + (g %% %s), "
            "1.5 + (g %% 3), '', g %% 20, '服务', '', %s, now() "
            "FROM generate_series(1, %s) g JOIN bench_st s ON s.n = g %% %s",
            [start, days, agency_pk, RECORDS, stations],
        )
        # A visit this week for every second scattered person, each with its service record of kind visit.
        cur.execute(
            f"WITH people AS (SELECT id, station_id, division_id FROM {Beneficiary._meta.db_table} "  # noqa: S608 - table names from model metadata, values as parameters
            "WHERE categories @> ARRAY['tekun_scattered']::varchar[] AND id %% 2 = 0), "
            f"rec AS (INSERT INTO {ServiceRecord._meta.db_table} (station_id, kind, date, hours, admin_function, "
            "participants, title, notes, recorded_by_id, created_at) "
            "SELECT station_id, 'visit', %s, 0.5, '', 1, 'v' || id, '', %s, now() FROM people RETURNING id, title) "
            f"INSERT INTO {Visit._meta.db_table} (beneficiary_id, station_id, date, week, checks, notes, record_id, "
            "recorded_by_id, created_at) "
            "SELECT p.id, p.station_id, %s, %s, '{}'::jsonb, '', rec.id, %s, now() "
            "FROM rec JOIN people p ON 'v' || p.id = rec.title",
            [monday, agency_pk, monday, f"{year}-W{week:02d}", agency_pk],
        )
        cur.execute(
            f"UPDATE {Beneficiary._meta.db_table} b SET last_visit_date = %s "  # noqa: S608 - table names from model metadata, values as parameters
            f"FROM {Visit._meta.db_table} v WHERE v.beneficiary_id = b.id",
            [monday],
        )
        for t in (Beneficiary, ServiceRecord, Visit):
            cur.execute(f"VACUUM ANALYZE {t._meta.db_table}")
    return {
        "服务对象": Beneficiary.objects.count(),
        "服务记录": ServiceRecord.objects.count(),
        "本周探访": Visit.objects.count(),
        "乡镇站点": stations,
    }


def scoped_user(pk: int) -> Any:
    """A fresh user whose scope is computed in the (untimed) setup: what every query of a request after the first
    pays. The scope's own cost is measured separately (``scope`` row)."""
    from accounts.models import User
    from core.scoping import scope_of

    def make() -> Any:
        user = User.objects.get(pk=pk)
        scope_of(user)
        return user

    return make


def timed_sql(sql: str, params: list[Any]) -> tuple[float, list[tuple[Any, ...]]]:
    import statistics

    from django.db import connection

    from bench.bench_scope import RUNS

    times, rows = [], []
    for run in range(RUNS + 1):
        with connection.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(sql, params)
            rows = cur.fetchall()
            if run:
                times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), rows


def main() -> int:  # noqa: C901 - a linear script
    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_services: division data not found at {directory}", file=sys.stderr)
        return 1
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_SERVICES_DATABASE_URL", "bench_services")
    print(f"== 服务记录基准 (database {urlsplit(url).path.lstrip('/')})")
    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if "127.0.0.1" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]

    from accounts.models import User
    from bench.bench_scope import HOST, PROVINCE, SHIPPED_DIVISIONS, api_client, build_data, fresh_user, measure
    from policies.actions import adopt_own_documents, load_presets, policy_get_or_create, policy_rule_set
    from services.models import ServiceRecord
    from services.selectors import due_this_week, monthly_summary
    from stations.importer import import_divisions
    from stations.models import Division, Station

    import_divisions(SHIPPED_DIVISIONS, prefix=None, progress=False)
    import_divisions(directory, prefix=PROVINCE, progress=False)
    load_presets()
    adopt_own_documents()
    built = build_data()
    users = built.users
    labels = list(users)
    county_user, agency_user, admin_user = users[labels[2]], users[labels[4]], users[labels[6]]
    admin = User.objects.get(pk=admin_user)
    policy = policy_get_or_create(acting_user=admin, division=Division.objects.get(code=PROVINCE))
    policy_rule_set(
        acting_user=admin,
        policy=policy,
        key="service.visit_frequency",
        value={"times": 1, "per": "week"},
        clause="[004 §2]",
        strength="as_a_rule",
    )
    t0 = time.perf_counter()
    counts = build(agency_user)
    print(f"造数：{time.perf_counter() - t0:.1f} 秒；" + "，".join(f"{k} {v:,}" for k, v in counts.items()))

    agency = User.objects.get(pk=agency_user)
    station = Station.objects.for_user(agency).filter(level="township").order_by("pk").first()
    assert station is not None
    county = User.objects.get(pk=county_user).organisation.division_id  # type: ignore[union-attr]
    from django.utils import timezone

    today = timezone.localdate()
    year, week, _ = today.isocalendar()
    checks = []
    rows_out: list[tuple[str, ...]] = [("测量", "ORM ms", "查询数", "原生 SQL ms", "倍数", "行数")]

    # (a) a station's record list: the scoped ORM list a page or the API runs (the agency's scope computed each
    # time), against raw SQL with the same scope (the stations of the agency's contracts in force); the whole API
    # request (middleware, serializer, paging count, allowed actions) is shown too, for information.
    columns = [
        "pk",
        "station_id",
        "station__name",
        "kind",
        "date",
        "hours",
        "item_id",
        "item__name",
        "admin_function",
        "village_id",
        "participants",
        "title",
        "notes",
        "client_key",
    ]

    def station_list(u: Any) -> list[int]:
        # The same 14 columns as the raw SQL (a page builds model objects from them: ``objects`` row below).
        rows = (
            ServiceRecord.objects.for_user(u)
            .filter(station_id=station.pk)
            .order_by("-date", "-pk")
            .values_list(*columns)[:50]
        )
        return [r[0] for r in rows]

    objects = measure(
        lambda u: [
            r.pk
            for r in ServiceRecord.objects.for_user(u)
            .filter(station_id=station.pk)
            .select_related("station", "item")
            .order_by("-date", "-pk")[:50]
        ],
        scoped_user(agency_user),
    )

    from core.scoping import scope_of

    orm = measure(station_list, scoped_user(agency_user))
    with_scope = measure(station_list, fresh_user(agency_user))
    scope_cost = measure(scope_of, fresh_user(agency_user))
    raw_ms, raw_rows = timed_sql(
        "SELECT r.id, r.station_id, s.name, r.kind, r.date, r.hours, r.item_id, i.name, r.admin_function, "
        "r.village_id, r.participants, r.title, r.notes, r.client_key FROM services_servicerecord r "
        "JOIN stations_station s ON s.id = r.station_id LEFT JOIN services_serviceitem i ON i.id = r.item_id "
        "WHERE r.station_id = %s AND r.station_id IN (SELECT cs.station_id FROM contracts_contract_stations cs "
        "JOIN contracts_contract c ON c.id = cs.contract_id WHERE c.agency_id = %s AND c.status = 'active' "
        "AND c.start_date <= %s AND c.end_date >= %s) ORDER BY r.date DESC, r.id DESC LIMIT 50",
        [station.pk, agency.organisation_id, today, today],
    )
    api = measure(
        lambda c: c.get(f"/api/v1/service-records/?station={station.pk}&limit=50", **HOST), api_client(agency_user)
    )
    ids = [row["id"] for row in api.result.json()["results"]]
    same = ids == [r[0] for r in raw_rows] == orm.result
    checks.append(("(a) 站点记录列表结果一致", f"{len(ids)} 行", "与原生 SQL 相同", same))
    rows_out.append(
        (
            "(a) 站点服务记录列表（50 行）",
            f"{orm.ms:.1f}",
            str(orm.queries),
            f"{raw_ms:.1f}",
            f"×{orm.ms / raw_ms:.1f}",
            str(len(orm.result)),
        )
    )
    rows_out.append(("    同上，取完整对象（页面所用）", f"{objects.ms:.1f}", str(objects.queries), "—", "—", "50"))
    rows_out.append(
        ("    同上，含本次请求的权限范围计算", f"{with_scope.ms:.1f}", str(with_scope.queries), "—", "—", "50")
    )
    rows_out.append(
        ("    其中权限范围计算（每个请求一次）", f"{scope_cost.ms:.1f}", str(scope_cost.queries), "—", "—", "—")
    )
    rows_out.append(("    同上，整个 API 请求（参考）", f"{api.ms:.1f}", str(api.queries), "—", "—", str(len(ids))))

    # (b) the county's weekly not-yet-visited list.
    due = measure(lambda u: list(due_this_week(u, today).values_list("pk", flat=True)), scoped_user(county_user))
    due_objects = measure(lambda u: [p.pk for p in due_this_week(u, today)], scoped_user(county_user))
    due_ms, due_rows = timed_sql(
        "SELECT b.id FROM services_beneficiary b JOIN stations_division d ON d.code = b.division_id "
        "JOIN stations_station s ON s.id = b.station_id "
        "WHERE b.active AND b.categories @> ARRAY['tekun_scattered']::varchar[] AND b.division_id LIKE %s "
        "AND NOT EXISTS (SELECT 1 FROM services_visit v WHERE v.beneficiary_id = b.id AND v.week = %s) "
        "ORDER BY b.last_visit_date NULLS LAST, b.division_id, b.name, b.id",
        [county + "%", f"{year}-W{week:02d}"],
    )
    checks.append(
        ("(b) 本周未探访名单一致", f"{len(due.result)} 人", "与原生 SQL 相同", due.result == [r[0] for r in due_rows])
    )
    rows_out.append(
        (
            "(b) 县本周未探访名单",
            f"{due.ms:.1f}",
            str(due.queries),
            f"{due_ms:.1f}",
            f"×{due.ms / due_ms:.1f}",
            str(len(due.result)),
        )
    )
    rows_out.append(
        ("    同上，取完整对象（页面所用）", f"{due_objects.ms:.1f}", str(due_objects.queries), "—", "—", "—")
    )

    # (c) the county's monthly summary, for the last complete month of the data (records run from 1 January to
    # today): in the first days of a month the month so far holds a few hundred rows, and the ratio would measure
    # the ORM's fixed cost of a millisecond query rather than the summary.
    month = today.month - 1 or 1
    summary = measure(
        lambda u: monthly_summary(ServiceRecord.objects.for_user(u), today.year, month), scoped_user(county_user)
    )
    sum_ms, sum_rows = timed_sql(
        "SELECT count(*), sum(r.hours), sum(r.hours) FILTER (WHERE r.kind <> 'admin') FROM services_servicerecord r "
        "JOIN stations_station s ON s.id = r.station_id WHERE s.division_id LIKE %s "
        "AND r.date >= %s AND r.date < %s",
        [
            county + "%",
            dt.date(today.year, month, 1),
            (dt.date(today.year, month, 28) + dt.timedelta(days=4)).replace(day=1),
        ],
    )
    by_ms, _ = timed_sql(
        "SELECT d.name, i.code, i.name, r.kind, count(*), sum(r.hours) FROM services_servicerecord r "
        "JOIN stations_station s ON s.id = r.station_id LEFT JOIN services_serviceitem i ON i.id = r.item_id "
        "LEFT JOIN services_servicedomain d ON d.id = i.domain_id WHERE s.division_id LIKE %s "
        "AND r.date >= %s AND r.date < %s GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 4",
        [
            county + "%",
            dt.date(today.year, month, 1),
            (dt.date(today.year, month, 28) + dt.timedelta(days=4)).replace(day=1),
        ],
    )
    raw_total = sum_ms + by_ms
    got = summary.result
    same = got["records"] == sum_rows[0][0] and got["professional_hours"] == (sum_rows[0][2] or 0)
    checks.append(("(c) 月度汇总一致", f"{got['records']:,} 条，占比 {got['share']}", "与原生 SQL 相同", same))
    rows_out.append(
        (
            "(c) 县月度汇总（领域、项目、时长、专业占比）",
            f"{summary.ms:.1f}",
            str(summary.queries),
            f"{raw_total:.1f}",
            f"×{summary.ms / raw_total:.1f}",
            str(got["records"]),
        )
    )

    print(table(rows_out))
    checks.append(("records API 查询数", str(api.queries), f"≤ {CAPS['api']}", api.queries <= CAPS["api"]))
    checks.append(
        (
            "records 含权限范围查询数",
            str(with_scope.queries),
            f"≤ {CAPS['with_scope']}",
            with_scope.queries <= CAPS["with_scope"],
        )
    )
    for key, m, raw in (("records", orm, raw_ms), ("due", due, due_ms), ("summary", summary, raw_total)):
        checks.append((f"{key} 查询数", str(m.queries), f"≤ {CAPS[key]}", m.queries <= CAPS[key]))
        checks.append((f"{key} 时间倍数", f"×{m.ms / raw:.1f}", f"≤ ×{RATIO:.0f}", m.ms <= RATIO * raw))
    print(f"共用时 {time.perf_counter() - started:.0f} 秒")
    return report(checks, "服务记录基准通过。")


if __name__ == "__main__":
    sys.exit(main())
