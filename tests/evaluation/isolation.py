"""Isolation checks for evaluations and renewal decisions (tests/checks.py explains the contribution)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Organisation
from contracts.models import Contract
from evaluation.models import Evaluation, EvaluationTemplate, Renewal
from tests import oracle as common
from tests.checks import DetailCheck, ListCheck, RolePageCheck, api_ids, html_ids

from . import oracle
from .support import OTHER_COUNTY, bureau, contract, evaluation, template, user


def _str(f):  # type: ignore[no-untyped-def]
    return lambda u: {str(x) for x in f(u)}


def _xlsx_ids(client, url):  # type: ignore[no-untyped-def]
    """The evaluation ids of the score export (first column, a text cell)."""
    import io

    from openpyxl import load_workbook

    response = client.get(url)
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


def seed() -> None:
    """Evaluations the evaluator is and is not assigned, in two townships, and renewal decisions."""
    evaluation()  # 均溪镇, assigned to the demo evaluator
    shipai = Contract.objects.get(number="DT-2026-101")
    evaluation(shipai, granted=False)  # 石牌镇, assigned to nobody the evaluator is
    other = Organisation.objects.create(kind=Organisation.Kind.EVALUATOR, name="隔离测试评估机构", division_id="3504")
    evaluation(Contract.objects.get(number="DT-2026-110"), evaluator=other)  # 和谐's agreement
    evaluation(contract(OTHER_COUNTY))  # 清流县: the evaluator is assigned, Datian's bureau is not
    template()  # Datian's bureau
    template(bureau(OTHER_COUNTY), "luzhou-2021")  # 清流县's: the province and city see it, Datian does not
    Renewal.objects.create(
        previous=Contract.objects.get(number="DT-2025-100"),
        service_year=2025,
        by_hand=True,
        passed=False,
        reason="隔离测试",
        outcome=Renewal.Outcome.REPROCURE,
        decided_by=user("datian_bureau"),
    )


def outside() -> None:
    """An evaluation and a renewal decision in 白沙, outside every Fujian account."""
    baisha = Contract.objects.get(number="BS-2026-HQ")
    local = Organisation.objects.create(kind=Organisation.Kind.EVALUATOR, name="白沙评估机构", division_id="469025")
    Evaluation.objects.create(
        contract=baisha, service_year=2026, stage="final", evaluator=local, created_by=user("admin")
    )
    template(bureau("469025"))
    Renewal.objects.create(
        previous=baisha,
        service_year=2026,
        by_hand=True,
        passed=True,
        reason="隔离测试",
        outcome=Renewal.Outcome.RENEWED,
        decided_by=user("admin"),
        decided_at=timezone.now(),
    )


LISTS = [
    ListCheck("api:evaluation-list", "/api/v1/evaluations/", api_ids(), _str(oracle.evaluation_ids)),
    ListCheck("evaluation-list", "/evaluations/", html_ids(r'href="/evaluations/(\d+)/"'), _str(oracle.evaluation_ids)),
    ListCheck("evaluation-list", "/evaluations/?export=xlsx", _xlsx_ids, _str(oracle.evaluation_ids)),
    ListCheck("api:evaluation-template-list", "/api/v1/evaluation-templates/", api_ids(), _str(oracle.template_ids)),
    # The page shows one division (the caller's own, or the county of its first station): nothing foreign.
    ListCheck(
        "station-ratings",
        "/evaluations/ratings/?year=2026",
        html_ids(r'id="rating-(\d+)"'),
        _str(common.station_ids),
        complete=False,
    ),
    ListCheck("api:renewal-list", "/api/v1/renewals/", api_ids(), _str(oracle.renewal_ids)),
    ListCheck("renewal-list", "/evaluations/renewals/", html_ids(r'id="renewal-(\d+)"'), _str(oracle.renewal_ids)),
]

DETAILS = [
    DetailCheck(
        "api:evaluation-detail", lambda e: f"/api/v1/evaluations/{e.pk}/", Evaluation.objects.all, oracle.evaluation_ids
    ),
    DetailCheck("evaluation-detail", lambda e: f"/evaluations/{e.pk}/", Evaluation.objects.all, oracle.evaluation_ids),
    DetailCheck(
        "evaluation-detail",
        lambda e: f"/evaluations/{e.pk}/?export=pdf",
        lambda: [*Evaluation.objects.order_by("pk")[:2], *Evaluation.objects.order_by("-pk")[:2]],  # PDFs are slow
        oracle.evaluation_ids,
    ),
    DetailCheck(
        "api:evaluation-template-detail",
        lambda t: f"/api/v1/evaluation-templates/{t.pk}/",
        EvaluationTemplate.objects.all,
        oracle.template_ids,
    ),
    DetailCheck("api:renewal-detail", lambda r: f"/api/v1/renewals/{r.pk}/", Renewal.objects.all, oracle.renewal_ids),
]


def _bureau_or_admin(u):  # type: ignore[no-untyped-def]
    return u.is_superuser or (u.organisation is not None and u.organisation.kind == Organisation.Kind.BUREAU)


ROLE_PAGES = [
    RolePageCheck(
        "evaluation-template",
        "/evaluations/template/",
        _bureau_or_admin,
        r'id="template-(\d+)"',
        _str(oracle.template_ids),
    ),
]

_POST = "POST only, a declared action: tests/test_write_matrix.py (tests/evaluation/write_cases.py) and "
EXEMPT = {
    "evaluation-create": _POST + "tests/evaluation/test_workflow.py",
    "evaluation-pass-mark": _POST + "tests/evaluation/test_workflow.py",
    "evaluation-self": _POST + "tests/evaluation/test_self_evaluation.py test_self_evaluation_page",
    "api:evaluation-self-evaluate": _POST + "tests/evaluation/test_self_evaluation.py",
    "evaluation-score": _POST + "tests/evaluation/test_workflow.py test_pages_by_role",
    "evaluation-finalize": _POST + "tests/evaluation/test_workflow.py",
    "renewal-create": _POST + "tests/evaluation/test_renewal.py",
    "api:evaluation-enter-score": _POST + "tests/evaluation/test_workflow.py",
    "api:evaluation-finalize": _POST + "tests/evaluation/test_workflow.py",
    "api:evaluation-pass-mark": _POST + "tests/evaluation/test_workflow.py",
    "evaluation-template-adopt": _POST + "tests/evaluation/test_templates.py test_template_page_and_api",
    "evaluation-template-edit": _POST + "tests/evaluation/test_templates.py test_template_page_and_api",
    "api:evaluation-template-presets": "the shipped policy templates (evaluation/data/templates), the same for "
    "every known role and no tenant's rows: tests/evaluation/test_templates.py test_template_page_and_api",
    "star-rules": _POST + "tests/evaluation/test_ratings.py",
    "star-ratings-publish": _POST
    + "tests/evaluation/test_ratings.py test_publishing_makes_the_ratings_the_stations_recorded_stars",
    "api:station-ratings-publish": _POST
    + "tests/evaluation/test_ratings.py test_publishing_makes_the_ratings_the_stations_recorded_stars",
    "api:station-ratings": "a division's ratings through report_division (404 outside the caller's divisions) and "
    "for_user stations: tests/evaluation/test_ratings.py test_ratings_api_scope",
    "api:evaluation-score": "a read-only POST on a division: tests/evaluation/test_scoring.py "
    "test_score_api_silent_policy_and_scope (404 outside the caller's divisions)",
}
