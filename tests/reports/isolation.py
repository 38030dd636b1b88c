"""Isolation checks of the reports pages and API (collected by tests/test_isolation.py)."""

from __future__ import annotations

from collections.abc import Iterable

from evaluation.reports.models import MonthlyBrief, PeriodicReport
from tests.checks import DetailCheck, ListCheck, api_ids, html_ids

from . import factories as f
from . import oracle


def _str(fn):  # type: ignore[no-untyped-def]
    return lambda user: {str(x) for x in fn(user)}


def _brief_sample() -> Iterable[MonthlyBrief]:
    """One brief per agency (and the one outside Fujian): PDFs are slow to render for every brief."""
    seen: dict[int, MonthlyBrief] = {}
    for brief in MonthlyBrief.objects.order_by("pk"):
        seen.setdefault(brief.agency_id, brief)
    return list(seen.values())


LISTS = [
    ListCheck("api:report-brief-list", "/api/v1/reports/briefs/", api_ids(), _str(oracle.brief_ids)),
    ListCheck("report-brief-list", "/reports/", html_ids(r'href="/reports/briefs/(\d+)/"'), _str(oracle.brief_ids)),
    ListCheck("api:report-periodic-list", "/api/v1/reports/periodic/", api_ids(), _str(oracle.periodic_ids)),
    ListCheck(
        "report-periodic-list",
        "/reports/periodic/",
        html_ids(r'href="/reports/periodic/(\d+)/"'),
        _str(oracle.periodic_ids),
    ),
    ListCheck(
        "report-queue",
        "/reports/queue/",
        html_ids(r'href="/reports/briefs/(\d+)/"'),
        _str(oracle.queue_ids),
        complete=False,
    ),
]

DETAILS = [
    DetailCheck(
        "api:report-brief-detail",
        lambda b: f"/api/v1/reports/briefs/{b.pk}/",
        MonthlyBrief.objects.all,
        oracle.brief_ids,
    ),
    DetailCheck(
        "report-brief-detail", lambda b: f"/reports/briefs/{b.pk}/", MonthlyBrief.objects.all, oracle.brief_ids
    ),
    DetailCheck(
        "report-brief-detail", lambda b: f"/reports/briefs/{b.pk}/?export=pdf", _brief_sample, oracle.brief_ids
    ),
    DetailCheck(
        "report-brief-edit", lambda b: f"/reports/briefs/{b.pk}/edit/", MonthlyBrief.objects.all, oracle.brief_edit_ids
    ),
    DetailCheck(
        "api:report-periodic-detail",
        lambda r: f"/api/v1/reports/periodic/{r.pk}/",
        PeriodicReport.objects.all,
        oracle.periodic_ids,
    ),
    DetailCheck(
        "report-periodic-detail",
        lambda r: f"/reports/periodic/{r.pk}/",
        PeriodicReport.objects.all,
        oracle.periodic_ids,
    ),
]

_POST = "POST only, a declared action: tests/reports/write_cases.py (every role) and tests/reports/test_reports.py"
EXEMPT = {
    "report-brief-step": _POST,
    "report-periodic-submit": _POST,
    **{
        f"api:{name}": _POST
        for name in (
            "report-brief-submit",
            "report-brief-review",
            "report-brief-return-township",
            "report-brief-return-bureau",
            "report-brief-accept",
            "report-brief-unlock",
            "report-periodic-submit",
        )
    },
    "api:report-calendar": "a division's calendar: the division is read through core.access (404 outside), "
    "rows only from for_user; tests/reports/test_reports.py test_calendar_refuses_outside_and_bad_input",
    "api:completeness": "a division's table through core.access (404 outside) and for_user counts; "
    "tests/reports/test_reports.py test_completeness_counts_and_rates",
    "report-calendar-page": "the calendar API's page: tests/reports/test_reports.py test_pages_for_each_role and "
    "test_division_pages_refuse_outside",
    "report-completeness": "the completeness API's page and Excel: tests/reports/test_reports.py "
    "test_division_pages_refuse_outside",
}


def outside() -> None:
    """A brief and a report in 白沙 (Hainan), outside every Fujian account."""
    contract = f.baisha_contract()
    f.brief(MonthlyBrief.State.SUBMITTED, contract=contract)
    f.periodic(contract.buyer, f.BAISHA)
