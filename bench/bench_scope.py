"""Province-scale scoping benchmark on PostgreSQL: ``python -m bench.bench_scope``.

1. (Re)creates the benchmark database (``zhanwu_bench_scope`` on the server of ``DATABASE_URL``, default
   postgres://postgres@127.0.0.1:5432/zhanwu_bench_scope; override the whole URL with
   ``ZHANWU_BENCH_SCOPE_DATABASE_URL``) and migrates it.
2. Imports the shipped divisions (every province, city and county, plus the seed regions the policy presets
   need), then Hunan (prefix 43: 2,008 townships, 29,534 villages) from ``../shared/data/divisions``
   (env ``ZHANWU_DIVISIONS_DIR``), and loads the policy presets.
3. Builds Hunan-scale tenant data with ``bulk_create``: a bureau per county, per city and for the province,
   a township government and a township station per township, a county headquarters per county, a village
   point in every 4th village, two agencies per county splitting its townships with this year's active
   contracts (one per township, covering its township station and village points), and an evaluator with
   20 guardian grants. Then ``VACUUM ANALYZE``, as a database in service would be.
4. For a province, city (4301), county (430121), township, agency and evaluator user (and the system
   administrator for reference) measures, 1 warm-up + 5 runs each, median time and query count of:
   (a) ``Station.objects.for_user(user).count()``, (b) ``GET /api/v1/stations/?limit=50`` (APIClient,
   force_authenticate), (c) ``GET /stations/`` (test Client, force_login), (d)
   ``Division.objects.for_user(user).filter(level=5).count()``, (e) ``effective_policy(<Hunan township>)``.
   Every run gets a fresh user object, so the scope (organisation, contracts, grants) is computed each time
   and its queries are counted, as in a real request.
5. EXPLAIN ANALYZE of the subtree station count (province, city, county user). With Hunan alone, ``LIKE '43%'``
   matches every station and a sequential scan is the right plan; so
6. part 2 (skip with ``--hunan-only``) imports the rest of the country, adds a township station in every
   township outside Hunan (~39,000) and measures everything again: the query counts must not change, and the
   province's count must now use the ``varchar_pattern_ops`` index on ``stations_station.division_id``.

Exit status 1 when a query count shows an N+1 (a cap is exceeded, the province user needs more queries than
the township user, the API needs more queries for 50 rows than for 5, or a count grows with the data in
part 2), an index is not used, or a result is wrong. About 45 s in all (part 1 alone about 15 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import DEFAULT_DIVISIONS, bench_database_url, recreate_database, report, setup_django, table

BENCH_DB = "zhanwu_bench_scope"
SHIPPED_DIVISIONS = Path(__file__).resolve().parents[1] / "stations/data/divisions"
PROVINCE = "43"
CITY = "4301"
COUNTY = "430121"  # 长沙县
RUNS = 5
VILLAGE_EVERY = 4
EVALUATOR_GRANTS = 20
ROOMS = ["社工办公室", "个案工作室", "社工服务中心", "志愿服务中心"]

# Query-count caps (per call, scope computation included). Each is a fixed number: none may depend on how much
# data the user sees. Beyond them an N+1 (or a scope computed per row) has crept in.
CAPS = {"count": 6, "api": 15, "html": 20, "divisions": 6, "policy": 1}
# The province user sees ~2,000x the rows of the township user; same code path, so the same number of queries
# (the HTML page may run one more for the township: its county/township dropdown, which the province skips).
SCALE_SLACK = 1

MEASURES = {
    "count": "(a) Station.objects.for_user(u).count()",
    "api": "(b) GET /api/v1/stations/?limit=50",
    "html": "(c) GET /stations/ (HTML)",
    "divisions": "(d) Division.for_user(u).filter(level=5).count()",
}


# --- data ---------------------------------------------------------------------------------------------


@dataclass
class Built:
    counts: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)  # label -> user pk
    township_code: str = ""
    seconds: float = 0.0


def build_data() -> Built:  # noqa: C901 - a linear script
    from django.db import transaction
    from django.utils import timezone
    from guardian.shortcuts import assign_perm

    from accounts.models import Organisation, User
    from contracts.models import Contract
    from home.demo import credit_code
    from stations.models import Division, Station

    started = time.perf_counter()
    built = Built()
    with transaction.atomic():
        divisions = list(
            Division.objects.filter(code__startswith=PROVINCE).order_by("code").values_list("code", "name", "level")
        )
        names = {code: name for code, name, _ in divisions}
        by_level: dict[int, list[str]] = defaultdict(list)
        for code, _, level in divisions:
            by_level[level].append(code)
        cities, counties, townships, villages = by_level[2], by_level[3], by_level[4], by_level[5]
        townships_of: dict[str, list[str]] = defaultdict(list)
        for t in townships:
            townships_of[t[:6]].append(t)

        # Organisations: bureaus (province, cities, counties), township governments, agencies, one evaluator.
        Kind = Organisation.Kind
        orgs = [Organisation(kind=Kind.BUREAU, name="湖南省民政厅", division_id=PROVINCE)]
        orgs += [Organisation(kind=Kind.BUREAU, name=f"{names[c]}民政局", division_id=c) for c in cities]
        orgs += [Organisation(kind=Kind.BUREAU, name=f"{names[c]}民政局", division_id=c) for c in counties]
        orgs += [Organisation(kind=Kind.TOWNSHIP, name=f"{names[t]}人民政府", division_id=t) for t in townships]
        for c in counties:
            for n in (1, 2):
                orgs.append(
                    Organisation(
                        kind=Kind.AGENCY,
                        name=f"{names[c]}第{n}社会工作服务中心",
                        division_id=c,
                        credit_code=credit_code(f"52{c}MJB{n:06d}"),
                        rating="4A" if n == 1 else "3A",
                    )
                )
        orgs.append(
            Organisation(
                kind=Kind.EVALUATOR,
                name="长沙明德社会评估中心",
                division_id=CITY,
                credit_code=credit_code(f"52{CITY}00MJE000001"),
            )
        )
        orgs = Organisation.objects.bulk_create(orgs, batch_size=2_000)
        gov = {(o.kind, o.division_id): o for o in orgs if o.kind in (Kind.BUREAU, Kind.TOWNSHIP)}
        agencies: dict[str, list[Organisation]] = defaultdict(list)
        for o in orgs:
            if o.kind == Kind.AGENCY:
                agencies[o.division_id].append(o)
        evaluator_org = next(o for o in orgs if o.kind == Kind.EVALUATOR)

        # Stations: a county headquarters per county, a station per township, a point in every 4th village.
        plaque = dt.date(2022, 6, 1)
        stations = [
            Station(
                division_id=c,
                level=Station.Level.COUNTY_HQ,
                name=f"{names[c]}社会工作服务总站",
                address=f"湖南省{names[c]}",
                floor_area=Decimal("300.00"),
                rooms=ROOMS,
                plaque_date=plaque,
                status=Station.Status.OPERATING,
                star_rating=4,
            )
            for c in counties
        ]
        stations += [
            Station(
                division_id=t,
                level=Station.Level.TOWNSHIP,
                name=f"{names[t[:6]]}{names[t]}社会工作服务站",
                address=f"湖南省{names[t[:6]]}{names[t]}",
                floor_area=Decimal("150.00") if i % 10 else None,
                rooms=ROOMS,
                plaque_date=plaque if i % 10 else None,
                status=Station.Status.OPERATING if i % 10 else Station.Status.PREPARING,
                star_rating=(3 + i % 3) if i % 10 else None,
            )
            for i, t in enumerate(townships)
        ]
        stations += [
            Station(
                division_id=v,
                level=Station.Level.VILLAGE,
                name=f"{names[v[:9]]}{names[v]}社会工作服务点",
                address=f"湖南省{names[v[:6]]}{names[v[:9]]}{names[v]}",
                floor_area=Decimal("40.00"),
                rooms=ROOMS[:2],
                plaque_date=plaque,
                status=Station.Status.OPERATING,
            )
            for v in villages[::VILLAGE_EVERY]
        ]
        stations = Station.objects.bulk_create(stations, batch_size=2_000)
        township_station = {s.division_id: s for s in stations if s.level == Station.Level.TOWNSHIP}
        points_of: dict[str, list[int]] = defaultdict(list)
        for s in stations:
            if s.level == Station.Level.VILLAGE:
                points_of[s.division_id[:9]].append(s.pk)

        # This year's contracts: per township, the county bureau buys from one of its two agencies
        # (first half of the county's townships from the first, the rest from the second).
        today = timezone.localdate()
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
        contracts: list[Contract] = []
        covered: list[list[int]] = []
        for c in counties:
            towns = townships_of.get(c, [])
            if not towns:
                continue
            half = (len(towns) + 1) // 2
            for i, t in enumerate(towns):
                contracts.append(
                    Contract(
                        number=f"HN-{today.year}-{t}",
                        buyer=gov[(Kind.BUREAU, c)],
                        division_id=t,
                        township=gov[(Kind.TOWNSHIP, t)],
                        agency=agencies[c][0 if i < half else 1],
                        procurement_method=Contract.Method.OPEN_TENDER,
                        signed_date=start,
                        start_date=start,
                        end_date=end,
                        status=Contract.Status.ACTIVE,
                    )
                )
                covered.append([township_station[t].pk, *points_of.get(t, [])])
        contracts = Contract.objects.bulk_create(contracts, batch_size=2_000)
        Through = Contract.stations.through
        through = [
            Through(contract_id=k.pk, station_id=sid) for k, ids in zip(contracts, covered, strict=True) for sid in ids
        ]
        Through.objects.bulk_create(through, batch_size=5_000)

        # Users: one per role, the county being 长沙县 (or the first county of 长沙市 if the data lacks it).
        county = COUNTY if COUNTY in names else next(c for c in counties if c.startswith(CITY))
        township = townships_of[county][0]

        def user(label: str, username: str, org: Organisation | None, superuser: bool = False) -> User:
            u = User(
                username=username,
                organisation=org,
                full_name=label,
                is_superuser=superuser,
                is_staff=superuser,
                password_changed_at=timezone.now(),
            )
            u.set_unusable_password()
            u.save()
            built.users[label] = u.pk
            return u

        user("省厅 43", "hn_province", gov[(Kind.BUREAU, PROVINCE)])
        user(f"市局 {CITY}", "hn_city", gov[(Kind.BUREAU, CITY)])
        user(f"县局 {county}", "hn_county", gov[(Kind.BUREAU, county)])
        user(f"乡镇 {township}", "hn_township", gov[(Kind.TOWNSHIP, township)])
        user(f"机构 {county}#1", "hn_agency", agencies[county][0])
        ev = user(f"评估 ×{EVALUATOR_GRANTS}", "hn_evaluator", evaluator_org)
        user("管理员（参照）", "hn_admin", None, superuser=True)
        township_stations = sorted(township_station.values(), key=lambda s: s.division_id)
        step = len(township_stations) // EVALUATOR_GRANTS
        for s in township_stations[::step][:EVALUATOR_GRANTS]:
            assign_perm("stations.view_station", ev, s)

        built.township_code = township
        built.counts = {
            "乡镇": len(townships),
            "村": len(villages),
            "机构": len(orgs),
            "站点": len(stations),
            "  其中村级服务点": sum(len(v) for v in points_of.values()),
            "协议": len(contracts),
            "协议-站点": len(through),
        }
    built.seconds = time.perf_counter() - started
    return built


def add_national_background(directory: Path) -> int:
    """Import the rest of the country and put a township station in every township outside Hunan."""
    from django.db import transaction

    from stations.importer import import_divisions
    from stations.models import Division, Station

    import_divisions(directory, prefix=None, progress=False)
    with transaction.atomic():
        rows = (
            Division.objects.filter(level=Division.Level.TOWNSHIP)
            .exclude(code__startswith=PROVINCE)
            .values_list("code", "name")
        )
        stations = [
            Station(
                division_id=code,
                level=Station.Level.TOWNSHIP,
                name=f"{name}社会工作服务站",
                floor_area=Decimal("150.00"),
                rooms=ROOMS,
                status=Station.Status.OPERATING,
            )
            for code, name in rows
        ]
        Station.objects.bulk_create(stations, batch_size=5_000)
    return len(stations)


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table_name in (
            "stations_division",
            "stations_station",
            "accounts_organisation",
            "contracts_contract",
            "contracts_contract_stations",
            "stations_stationuserobjectpermission",
            "policies_policy",
            "policies_policyrule",
        ):
            cursor.execute(f"VACUUM ANALYZE {table_name}")


# --- measuring ----------------------------------------------------------------------------------------


@dataclass
class Measured:
    ms: float  # median
    queries: int  # the largest count over the runs (they should all be equal)
    result: Any
    sql: list[str]


def measure(fn: Callable[[Any], Any], setup: Callable[[], Any] = lambda: None) -> Measured:
    """1 warm-up run, then ``RUNS`` runs; ``setup`` (not timed, queries not counted) makes each run's argument."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: list[float] = []
    queries: list[int] = []
    result: Any = None
    sql: list[str] = []
    for run in range(RUNS + 1):
        arg = setup()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            result = fn(arg)
            elapsed = (time.perf_counter() - t0) * 1000
        if run:
            times.append(elapsed)
            queries.append(len(ctx.captured_queries))
            sql = [q["sql"] for q in ctx.captured_queries]
    return Measured(statistics.median(times), max(queries), result, sql)


HOST = {"SERVER_NAME": "127.0.0.1"}


def fresh_user(pk: int) -> Callable[[], Any]:
    from accounts.models import User

    return lambda: User.objects.get(pk=pk)


def api_client(pk: int) -> Callable[[], Any]:
    from rest_framework.test import APIClient

    from accounts.models import User

    def make() -> APIClient:
        client = APIClient()
        client.force_authenticate(user=User.objects.get(pk=pk))
        return client

    return make


def html_client(pk: int) -> Callable[[], Any]:
    from django.test import Client

    from accounts.models import User

    def make() -> Client:
        client = Client()
        client.force_login(User.objects.get(pk=pk), backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


def api_page(limit: int) -> Callable[[Any], Any]:
    return lambda client: client.get(f"/api/v1/stations/?limit={limit}", **HOST)


def measure_users(users: dict[str, int], expected: dict[str, int]) -> tuple[dict[str, dict[str, Measured]], list[str]]:
    """(a)–(d) for every user, and a list of wrong results (status, counts that disagree, unexpected scope)."""
    from stations.models import Division, Station

    results: dict[str, dict[str, Measured]] = {}
    problems: list[str] = []
    for label, pk in users.items():
        r = {
            "count": measure(lambda u: Station.objects.for_user(u).count(), fresh_user(pk)),
            "api": measure(api_page(50), api_client(pk)),
            "html": measure(lambda c: c.get("/stations/", **HOST), html_client(pk)),
            "divisions": measure(
                lambda u: Division.objects.for_user(u).filter(level=Division.Level.VILLAGE).count(), fresh_user(pk)
            ),
        }
        results[label] = r
        visible = r["count"].result
        api, html = r["api"].result, r["html"].result
        if api.status_code != 200:
            problems.append(f"{label}: API 状态 {api.status_code}")
        else:
            body = api.json()
            if body["count"] != visible or len(body["results"]) != min(50, visible):
                problems.append(f"{label}: API {body['count']}/{len(body['results'])} 条 ≠ {visible}")
        if html.status_code != 200:
            problems.append(f"{label}: HTML 状态 {html.status_code}")
        elif html.content.count(b'<a href="/stations/') < min(25, visible):
            problems.append(f"{label}: HTML 页面少列了站点")
        if label in expected and visible != expected[label]:
            problems.append(f"{label}: 可见站点 {visible:,} ≠ {expected[label]:,}")
        if not visible:
            problems.append(f"{label}: 看不到任何站点")
    return results, problems


def results_table(results: dict[str, dict[str, Measured]], before: dict[str, dict[str, Measured]] | None) -> str:
    head: tuple[str, ...] = ("用户", "可见站点", "(a) ms", "q", "(b) API ms", "q", "状态", "(c) HTML ms", "q", "状态")
    head += ("(d) 村", "ms", "q")
    if before is not None:
        head += ("(a) 时间比", "(b)", "(c)", "(d)")
    rows: list[tuple[str, ...]] = [head]
    for label, r in results.items():
        row: tuple[str, ...] = (label, f"{r['count'].result:,}")
        row += (f"{r['count'].ms:.2f}", str(r["count"].queries))
        row += (f"{r['api'].ms:.1f}", str(r["api"].queries), str(r["api"].result.status_code))
        row += (f"{r['html'].ms:.1f}", str(r["html"].queries), str(r["html"].result.status_code))
        row += (f"{r['divisions'].result:,}", f"{r['divisions'].ms:.2f}", str(r["divisions"].queries))
        if before is not None:
            row += tuple(f"×{r[k].ms / before[label][k].ms:.1f}" for k in MEASURES)
        rows.append(row)
    return table(rows)


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def uses_prefix_index(plan: str) -> bool:
    # The subtree is sought in an index on the division code: either the varchar_pattern_ops index
    # serving LIKE 'xx%' (range condition ~>=~ / ~<~) or the plain b-tree serving the explicit range
    # code >= 'xx' AND code < 'xy' that core.scoping adds beside the LIKE.
    seek = "~>=~" in plan or ("Index Cond" in plan and ">= '" in plan and "< '" in plan)
    return "Index" in plan and seek and "Seq Scan" not in plan


def print_plan(title: str, sql: str, plan: str, lines: int = 8) -> None:
    print(f"EXPLAIN ANALYZE — {title}：{sql}")
    print("\n".join("    " + line for line in plan.splitlines()[:lines]))


# --- main ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - a linear script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hunan-only", action="store_true", help="skip part 2 (the rest of the country)")
    parser.add_argument("--sql", action="store_true", help="print the SQL of each measured call (province, evaluator)")
    args = parser.parse_args(argv)

    total_started = time.perf_counter()
    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_scope: division data not found at {directory} (set ZHANWU_DIVISIONS_DIR)", file=sys.stderr)
        return 1
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_SCOPE_DATABASE_URL", "bench_scope")
    print(f"== 省级规模权限范围基准 (database {urlsplit(url).path.lstrip('/')}, data {directory})")

    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"数据库已重建并迁移：{time.perf_counter() - started:.1f} 秒")
    if "127.0.0.1" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]

    from policies.actions import adopt_own_documents, load_presets
    from policies.policy import effective_policy
    from stations.importer import import_divisions

    started = time.perf_counter()
    import_divisions(SHIPPED_DIVISIONS, prefix=None, progress=False)
    import_divisions(directory, prefix=PROVINCE, progress=False)
    presets = load_presets()
    adopt_own_documents()
    print(f"区划导入（随附数据 + 湖南）与 {len(presets)} 个预置政策方案：{time.perf_counter() - started:.1f} 秒")

    built = build_data()
    started = time.perf_counter()
    vacuum_analyze()
    print(
        f"造数（bulk_create）：{built.seconds:.1f} 秒；VACUUM ANALYZE {time.perf_counter() - started:.1f} 秒\n  "
        + "，".join(f"{k.strip()} {v:,}" for k, v in built.counts.items())
    )

    labels = list(built.users)
    province, city, county, township, agency, evaluator, admin = labels
    hunan_stations = built.counts["站点"]
    expected = {province: hunan_stations, evaluator: EVALUATOR_GRANTS, admin: hunan_stations}

    # --- part 1: Hunan ---------------------------------------------------------------------------------
    results, problems = measure_users(built.users, expected)
    policy = measure(lambda _: effective_policy(built.township_code))
    probe = {n: measure(api_page(n), api_client(built.users[province])) for n in (5, 50)}

    print()
    print(f"== 第 1 部分：湖南（全表 {hunan_stations:,} 个站点）")
    print(f"每项：预热 1 次 + {RUNS} 次取中位数（ms）；q = 查询数，含权限范围的计算（组织、协议、授权）。")
    print(results_table(results, None))
    print()
    p_n, t_n = results[province]["count"].result, results[township]["count"].result
    print(f"比值（省厅 / 乡镇，可见站点 {p_n:,} / {t_n:,} = ×{p_n / t_n:,.0f}）：")
    ratio_rows: list[tuple[str, ...]] = [("测量", "省厅 ms", "乡镇 ms", "时间比", "省厅 q", "乡镇 q")]
    for key, title in MEASURES.items():
        p, t = results[province][key], results[township][key]
        ratio_rows.append((title, f"{p.ms:.2f}", f"{t.ms:.2f}", f"×{p.ms / t.ms:.1f}", str(p.queries), str(t.queries)))
    print(table(ratio_rows))
    print()
    sources = policy.result.sources()
    print(
        f"(e) effective_policy({built.township_code!r})：{policy.ms:.2f} ms，{policy.queries} 次查询，"
        f"{len(policy.result.rules)} 条规则，来源区划 {sources}"
    )
    if not sources:
        problems.append("effective_policy：湖南乡镇未继承省级方案")
    print(f"N+1 探针（省厅 API）：limit=5 → {probe[5].queries} 次查询，limit=50 → {probe[50].queries} 次查询")

    if args.sql:
        for who in (province, evaluator):
            for key, title in MEASURES.items():
                print(f"\n-- {title}（{who}）")
                print("\n".join(f"  {i}. {s[:400]}" for i, s in enumerate(results[who][key].sql, 1)))

    # EXPLAIN ANALYZE of the count statement itself (the last one of (a); psycopg2 interpolates client-side).
    print()
    plans = {who: explain(results[who]["count"].sql[-1]) for who in (province, city, county)}
    for who, plan in plans.items():
        print_plan(f"{who} 的站点计数", results[who]["count"].sql[-1], plan)
    if not uses_prefix_index(plans[province]):
        print(
            f"  （省厅的 LIKE '43%' 命中全表 {hunan_stations:,} 个站点中的 {p_n:,} 个：顺序扫描是正确的计划"
            + ("。）" if args.hunan_only else "；第 2 部分在全国数据下再看一次。）")
        )

    checks: list[tuple[str, str, str, bool]] = []
    for key, title in MEASURES.items():
        worst = max(results[who][key].queries for who in labels)
        checks.append((f"{title} q（最多）", str(worst), f"≤ {CAPS[key]}", worst <= CAPS[key]))
    checks.append(("(e) effective_policy q", str(policy.queries), f"= {CAPS['policy']}", policy.queries == 1))
    for key, title in MEASURES.items():
        diff = results[province][key].queries - results[township][key].queries
        checks.append((f"{title} 省厅 q − 乡镇 q", str(diff), f"≤ {SCALE_SLACK}", diff <= SCALE_SLACK))
    diff = probe[50].queries - probe[5].queries
    checks.append(("API limit=50 与 limit=5 的 q 之差", str(diff), "= 0", diff == 0))
    for who in (city, county):
        ok = uses_prefix_index(plans[who])
        checks.append((f"{who} 计数走区划代码前缀索引", "是" if ok else "否", "是", ok))

    # --- part 2: the rest of the country ---------------------------------------------------------------
    if not args.hunan_only:
        started = time.perf_counter()
        added = add_national_background(directory)
        vacuum_analyze()
        total = hunan_stations + added
        print()
        print(
            f"== 第 2 部分：导入全国区划并在湖南以外每个乡镇各建 1 个站点（+{added:,}，全表 {total:,}），"
            f"{time.perf_counter() - started:.1f} 秒"
        )
        print("湖南的数据与用户不变；最后四列为本部分时间 / 第 1 部分时间。")
        national, more = measure_users(built.users, {**expected, admin: total})
        problems += [f"全国：{p}" for p in more]
        print(results_table(national, results))
        print()
        sql = national[province]["count"].sql[-1]
        plan = explain(sql)
        print_plan(f"{province} 的站点计数（全国数据）", sql, plan)
        ok = uses_prefix_index(plan)
        checks.append((f"{province} 计数走前缀索引（全国数据）", "是" if ok else "否", "是", ok))
        for key, title in MEASURES.items():
            grew = [
                f"{who} {results[who][key].queries}→{national[who][key].queries}"
                for who in labels
                if national[who][key].queries > results[who][key].queries
            ]
            checks.append((f"{title} q 随数据量增长", "; ".join(grew) or "无", "无", not grew))

    checks.append(("结果与状态核对", "; ".join(problems) or "全部正确", "全部正确", not problems))
    print(f"\n总用时 {time.perf_counter() - total_started:.0f} 秒")
    return report(checks, "PASS: no N+1, every check met")


if __name__ == "__main__":
    sys.exit(main())
