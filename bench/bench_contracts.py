"""Contracts at province scale: the register (/contracts/) and the city bureau's filings page (/contracts/filings/).

Hunan as bench_scope builds it (2,008 township stations, one agreement per township this year), plus the two
previous yearly terms of every township (expired, filed and received), an amendment on every tenth agreement and
a document row on every agreement: 6,024 agreements. For the province, a city and a county user it measures the
HTML register and the filings page (first page of 50) with their query counts, against the raw SQL that returns
the same rows. It fails if a page's query count differs between the users (a count growing with the data).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.bench_scope import (
    CITY,
    PROVINCE,
    SHIPPED_DIVISIONS,
    build_data,
    html_client,
    measure,
    vacuum_analyze,
)
from bench.common import DEFAULT_DIVISIONS, bench_database_url, recreate_database, setup_django, table

BENCH_DB = "zhanwu_bench_contracts"
HOST = {"SERVER_NAME": "127.0.0.1"}

RAW_REGISTER = """
SELECT c.id, c.number, c.start_date, c.end_date, c.status, d.name, a.name, t.name
FROM contracts_contract c
JOIN stations_division d ON d.code = c.division_id
JOIN accounts_organisation a ON a.id = c.agency_id
LEFT JOIN accounts_organisation t ON t.id = c.township_id
WHERE c.division_id LIKE %s
ORDER BY c.start_date DESC, c.number
LIMIT 50
"""
RAW_FILINGS = """
SELECT c.id, c.number, c.signed_date, c.filed_date, c.filing_received_date, d.name, b.name, a.name
FROM contracts_contract c
JOIN stations_division d ON d.code = c.division_id
JOIN accounts_organisation a ON a.id = c.agency_id
JOIN accounts_organisation b ON b.id = c.buyer_id
WHERE c.division_id LIKE %s AND c.signed_date IS NOT NULL AND c.status <> 'draft'
ORDER BY c.filing_received_date ASC NULLS LAST, c.filed_date DESC, c.signed_date DESC, c.number
LIMIT 50
"""


def add_terms() -> dict[str, int]:
    """Two previous yearly terms per township, amendments and document rows."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from contracts.models import Amendment, Contract, ContractDocument

    today = timezone.localdate()
    with transaction.atomic():
        current = list(Contract.objects.all())
        older: list[Contract] = []
        for back in (1, 2):
            year = today.year - back
            for c in current:
                older.append(
                    Contract(
                        number=f"HN-{year}-{c.division_id}",
                        buyer_id=c.buyer_id,
                        division_id=c.division_id,
                        township_id=c.township_id,
                        agency_id=c.agency_id,
                        procurement_method=c.procurement_method,
                        signed_date=dt.date(year - 1, 12, 20),
                        filed_date=dt.date(year, 1, 5),
                        filed_with="市民政局",
                        filing_received_date=dt.date(year, 1, 8),
                        start_date=dt.date(year, 1, 1),
                        end_date=dt.date(year, 12, 31),
                        status=Contract.Status.EXPIRED,
                    )
                )
        Contract.objects.filter(pk__in=[c.pk for c in current]).update(
            filed_date=dt.date(today.year, 1, 10), filed_with="市民政局"
        )
        older = Contract.objects.bulk_create(older, batch_size=2_000)
        everything = current + older
        amendments = [
            Amendment(
                contract=c,
                signed_date=c.start_date,
                effective_date=c.start_date + dt.timedelta(days=90),
                reason="年度资金调整",
            )
            for c in everything[::10]
        ]
        Amendment.objects.bulk_create(amendments, batch_size=2_000)
        uploader = User.objects.filter(is_superuser=True).first()
        assert uploader is not None
        documents = [
            ContractDocument(
                contract=c,
                kind=ContractDocument.Kind.SIGNED_SCAN,
                title="协议签字盖章扫描件",
                original_name="scan.pdf",
                file=f"{c.pk}/bench.pdf",
                content_type="application/pdf",
                extension=".pdf",
                size=1024,
                sha256="0" * 64,
                uploaded_by=uploader,
            )
            for c in everything
        ]
        ContractDocument.objects.bulk_create(documents, batch_size=2_000)
    return {"协议": len(everything), "补充协议": len(amendments), "文件": len(documents)}


def raw(sql: str, prefix: str) -> Any:
    from django.db import connection

    def run(_: Any) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [prefix + "%"])
            return cursor.fetchall()

    return run


def page(url: str) -> Any:
    def get(client: Any) -> Any:
        response = client.get(url, **HOST)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def main() -> int:
    directory = Path(os.environ.get("ZHANWU_DIVISIONS_DIR") or DEFAULT_DIVISIONS)
    if not directory.is_dir():
        print(f"bench_contracts: division data not found at {directory}", file=sys.stderr)
        return 1
    url = bench_database_url(BENCH_DB, "ZHANWU_BENCH_CONTRACTS_DATABASE_URL", "bench_contracts")
    print(f"== 协议登记与报备页面基准 (database {urlsplit(url).path.lstrip('/')})")
    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The pages are measured, not the sign-in: the second factor is the login's business (as in the tests).
    settings.REQUIRE_SECOND_FACTOR = False
    if "127.0.0.1" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    from policies.actions import adopt_own_documents, load_presets
    from stations.importer import import_divisions

    import_divisions(SHIPPED_DIVISIONS, prefix=None, progress=False)
    import_divisions(directory, prefix=PROVINCE, progress=False)
    load_presets()
    adopt_own_documents()
    built = build_data()
    counts = add_terms()
    vacuum_analyze()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE contracts_contract")
        cursor.execute("VACUUM ANALYZE contracts_contractdocument")
    print(f"造数 {time.perf_counter() - started:.1f} 秒：" + "，".join(f"{k} {v:,}" for k, v in counts.items()))

    labels = list(built.users)
    province, city, county = labels[0], labels[1], labels[2]
    from accounts.models import User

    county_code = User.objects.get(pk=built.users[county]).organisation.division_id  # type: ignore[union-attr]
    rows: list[tuple[str, ...]] = [("页面", "用户", "中位数 ms", "查询数", "原始 SQL ms", "倍数")]
    problems: list[str] = []
    for name, url_path, sql, users in (
        (
            "协议登记 /contracts/",
            "/contracts/",
            RAW_REGISTER,
            [(province, PROVINCE), (city, CITY), (county, county_code)],
        ),
        ("报备 /contracts/filings/", "/contracts/filings/", RAW_FILINGS, [(province, PROVINCE), (city, CITY)]),
    ):
        counts_seen: set[int] = set()
        for label, prefix in users:
            measured = measure(page(url_path), html_client(built.users[label]))
            baseline = measure(raw(sql, prefix))
            counts_seen.add(measured.queries)
            ratio = measured.ms / baseline.ms if baseline.ms else float("inf")
            rows.append(
                (name, label, f"{measured.ms:.1f}", str(measured.queries), f"{baseline.ms:.2f}", f"{ratio:.0f}×")
            )
        if len(counts_seen) != 1:
            problems.append(f"{name}: query counts differ between users: {sorted(counts_seen)}")
    print(table(rows))
    for p in problems:
        print("FAIL", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
