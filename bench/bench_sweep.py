"""Province-scale benchmark of the daily obligations sweep: ``python -m bench.bench_sweep``.

1. (Re)creates the benchmark database (``zhanwu_bench_sweep`` on the server of ``DATABASE_URL``; override the
   whole URL with ``ZHANWU_BENCH_SWEEP_DATABASE_URL``), migrates it, imports the shipped divisions and Hunan
   (prefix 43: 2,008 townships) from ``../shared/data/divisions`` (env ``ZHANWU_DIVISIONS_DIR``).
2. Builds Hunan's governments and users with ``bulk_create``: the provincial, 14 city and 122 county bureaus
   and 2,008 township governments, one user each (every other one with an email address), and a township
   station in every township, a third of them still planned, a third preparing, a third operating with their
   plaque, address and floor area recorded.
3. Policy: the three station-setup milestones (``milestone.signage_done``, ``milestone.staff_deployed``,
   ``milestone.site_secured``) set on the province and overridden by each city with dates spread over a year
   (the 14 cities' dates run from three months ago to nine months ahead), so a year of obligations of three
   kinds falls due: overdue, due soon and upcoming.
4. Measures, per kind, time and query count of ``sweep_kind`` (the code the beat job and
   ``sweep_obligations`` run) first at county scale (one county's stations), then, from empty again, at
   province scale: the query counts must be the same (fixed per kind, not growing with rows). Then a re-run
   the same day must change nothing (nothing created, moved, reminded or emailed), and the next day, after 100
   stations record their plaque, exactly those 100 obligations turn done.

Exit status 1 when a query count differs between county and province scale, or the re-run changes anything.
Set ZHANWU_BENCH_SLOWEST=1 to print the three slowest statements of each kind in each run.
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

BENCH_DB = "zhanwu_bench_sweep"
SHIPPED_DIVISIONS = Path(__file__).resolve().parents[1] / "stations/data/divisions"
PROVINCE = "43"
SMALL_COUNTY = "430121"  # 长沙县
MILESTONES = {
    "milestone.signage_done": ("完成挂牌（揭牌）", 0),
    "milestone.staff_deployed": ("驻站社工到岗、开展驻站服务", 10),
    "milestone.site_secured": ("落实社工站场地", -30),
}
KINDS = ["station.opening", "station.signage", "station.site"]


def ensure_rule_keys() -> None:
    """The typed registry (policies) declares the milestone keys; add them only where this branch lacks them."""
    from policies.registry import RuleDef, rules

    registry = rules()
    for key, (label, _) in MILESTONES.items():
        if key not in registry:
            registry[key] = RuleDef(key=key, label=label, type="text", section="stations")


def build_people_and_stations(today: dt.date) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import Organisation, User
    from stations.models import Division

    with transaction.atomic():
        divisions = list(Division.objects.filter(code__startswith=PROVINCE).values_list("code", "name", "level"))
        names = {c: n for c, n, _ in divisions}
        bureaus = [c for c, _, level in divisions if level in (1, 2, 3)]
        townships = [c for c, _, level in divisions if level == 4]
        Kind = Organisation.Kind
        orgs = [Organisation(kind=Kind.BUREAU, name=f"{names[c]}民政部门", division_id=c) for c in bureaus]
        orgs += [Organisation(kind=Kind.TOWNSHIP, name=f"{names[t]}人民政府", division_id=t) for t in townships]
        orgs = Organisation.objects.bulk_create(orgs, batch_size=2_000)
        password = make_password("Zhanwu@2026")
        User.objects.bulk_create(
            [
                User(
                    username=f"u{o.division_id}{o.kind[0]}",
                    organisation=o,
                    password=password,
                    email=f"u{o.division_id}@example.org" if i % 2 == 0 else "",
                )
                for i, o in enumerate(orgs)
            ],
            batch_size=2_000,
        )
        policies = set_milestones(today)
    return {"bureaus": len(bureaus), "townships": len(townships), "policy sources": policies}


def set_milestones(today: dt.date) -> int:
    from policies.models import Policy, PolicyRule
    from stations.models import Division

    cities = list(Division.objects.filter(code__startswith=PROVINCE, level=2).order_by("code"))
    policy = Policy.objects.create(division_id=PROVINCE, name="湖南省测试方案（基准）")
    rules = [
        PolicyRule(
            policy=policy, key=key, value=(today + dt.timedelta(days=60 + shift)).isoformat(), clause="[基准 §1]"
        )
        for key, (_, shift) in MILESTONES.items()
    ]
    for i, city in enumerate(cities):
        p = Policy.objects.create(division=city, name=f"{city.name}测试方案（基准）")
        base = today + dt.timedelta(days=-90 + i * 26)  # three months ago … nine months ahead
        rules += [
            PolicyRule(
                policy=p, key=key, value=(base + dt.timedelta(days=shift)).isoformat(), clause=f"[基准 §{i + 2}]"
            )
            for key, (_, shift) in MILESTONES.items()
        ]
    PolicyRule.objects.bulk_create(rules)
    return 1 + len(cities)


def build_stations(prefix: str) -> int:
    from stations.models import Division, Station

    townships = list(Division.objects.filter(code__startswith=prefix, level=4).order_by("code"))
    statuses = [Station.Status.PLANNED, Station.Status.PREPARING, Station.Status.OPERATING]
    stations = []
    for i, d in enumerate(townships):
        status = statuses[i % 3]
        done = status == Station.Status.OPERATING
        stations.append(
            Station(
                division=d,
                level=Station.Level.TOWNSHIP,
                name=f"{d.name}社会工作服务站",
                status=status,
                plaque_date=dt.date(2021, 9, 1) if done else None,
                address=f"{d.name}政府大院" if done else "",
                floor_area=120 if done else None,
            )
        )
    Station.objects.bulk_create(stations, batch_size=2_000)
    return len(stations)


def clear() -> None:
    from obligations.models import Notification, Obligation, Reminder
    from stations.models import Station

    Notification.objects.all().delete()
    Reminder.objects.all().delete()
    Obligation.objects.all().delete()
    Station.objects.all().delete()


def sweep_once(today: dt.date) -> tuple[dict[str, Any], int, float, int]:
    """{kind: (seconds, queries, result)}, emails sent, total seconds, total queries."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from core.system import system_actor
    from obligations.registry import get
    from obligations.sweep import send_pending_emails, sweep_kind

    actor = system_actor()
    now = timezone.now()
    for key in KINDS:  # Django caches content types per process: look them up before measuring
        ContentType.objects.get_for_model(get(key).model)  # type: ignore[union-attr]
    out: dict[str, Any] = {}
    started = time.perf_counter()
    queries = 0
    for key in KINDS:
        kind = get(key)
        assert kind is not None
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            result = sweep_kind(kind, actor=actor, today=today, now=now)
        out[key] = (time.perf_counter() - t0, len(ctx.captured_queries), result)
        if os.environ.get("ZHANWU_BENCH_SLOWEST"):
            slow = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
            for q in slow:
                print(f"  {key} {q['time']} s  {q['sql'][:110]}")
        queries += len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        emailed = send_pending_emails(actor, now)
    queries += len(ctx.captured_queries)
    return out, emailed, time.perf_counter() - started, queries


def print_run(title: str, run: dict[str, Any], emailed: int, seconds: float, queries: int) -> None:
    print(f"\n{title}：{seconds:.2f} 秒，{queries} 条查询，邮件 {emailed} 封")
    rows: list[tuple[str, ...]] = [
        ("事项类型", "秒", "查询", "新增", "更新", "完成", "免除", "状态变化", "提醒", "消息")
    ]
    for key, (secs, n, r) in run.items():
        rows.append(
            (
                key,
                f"{secs:.2f}",
                str(n),
                f"{r.created:,}",
                str(r.updated),
                str(r.done),
                str(r.voided),
                f"{r.moved:,}",
                f"{r.reminders:,}",
                f"{r.notifications:,}",
            )
        )
    print(table(rows))


def main() -> int:  # noqa: C901 - a linear script
    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_sweep: division data not found at {directory} (set ZHANWU_DIVISIONS_DIR)", file=sys.stderr)
        return 1
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # count, do not send
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_SWEEP_DATABASE_URL", "bench_sweep")
    print(f"== 省级规模每日待办巡检基准 (database {urlsplit(url).path.lstrip('/')}, data {directory})")
    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from stations.importer import import_divisions
    from stations.models import Station

    call_command("migrate", verbosity=0)
    import_divisions(SHIPPED_DIVISIONS, prefix=None, progress=False)
    import_divisions(directory, prefix=PROVINCE, progress=False)
    ensure_rule_keys()
    mail.outbox = []
    today = timezone.localdate()
    counts = build_people_and_stations(today)
    print(f"数据库重建、区划导入与造数：{time.perf_counter() - started:.1f} 秒；{counts}")

    checks: list[tuple[str, str, str, bool]] = []

    # County scale first, for the query counts at a small number of rows.
    small_n = build_stations(SMALL_COUNTY)
    small, small_mail, small_s, small_q = sweep_once(today)
    print_run(f"县级规模（{small_n} 个站点）首次巡检", small, small_mail, small_s, small_q)
    clear()

    big_n = build_stations(PROVINCE)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    first, first_mail, first_s, first_q = sweep_once(today)
    print_run(f"省级规模（{big_n:,} 个站点）首次巡检", first, first_mail, first_s, first_q)
    created = sum(r.created for _, _, r in first.values())
    for key in KINDS:
        checks.append(
            (
                f"{key} 查询数（县级 → 省级）",
                f"{small[key][1]} → {first[key][1]}",
                "相同",
                small[key][1] == first[key][1],
            )
        )

    again, again_mail, again_s, again_q = sweep_once(today)
    print_run("同日再次巡检", again, again_mail, again_s, again_q)
    changed = sum(
        r.created + r.updated + r.done + r.voided + r.moved + r.reminders + r.notifications
        for _, _, r in again.values()
    )
    checks.append(("同日再次巡检的变化", str(changed + again_mail), "0", changed == 0 and again_mail == 0))

    to_finish = list(
        Station.objects.filter(plaque_date__isnull=True, status=Station.Status.PREPARING)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    Station.objects.filter(pk__in=to_finish).update(plaque_date=today)
    nxt, nxt_mail, nxt_s, nxt_q = sweep_once(today + dt.timedelta(days=1))
    print_run("次日巡检（100 个站点已挂牌）", nxt, nxt_mail, nxt_s, nxt_q)
    checks.append(
        ("次日：挂牌完成的事项", str(nxt["station.signage"][2].done), "100", nxt["station.signage"][2].done == 100)
    )
    checks.append(("省级首次巡检生成事项", f"{created:,}", "> 0", created > 0))
    checks.append(("省级首次巡检用时", f"{first_s:.2f} 秒", "记录", True))
    return report(checks, "bench_sweep: OK — 每类事项的查询数固定，与行数无关；同日重跑不改变任何数据。")


if __name__ == "__main__":
    sys.exit(main())
