"""Employment duties as findings: contract, monthly pay and insurance, pay against the multiple of the county's
average wage, training hours; entered through the worker page."""

from __future__ import annotations

import datetime as dt

import pytest

from policies.actions import preset_adopt
from policies.models import PolicyPreset
from staffing.demo import id_number
from staffing.employment import employment_findings
from staffing.models import AverageWage, LabourContract, PayRecord, SocialWorker, TrainingRecord
from stations.models import Division

pytestmark = pytest.mark.django_db


def _hunan_worker() -> SocialWorker:
    """A worker in a Hunan county (the Hunan preset adopted by the province)."""
    from accounts.models import Organisation

    preset = PolicyPreset.objects.get(code="hunan-2021")
    preset_adopt.__wrapped__(acting_user=None, preset=preset, division=Division.objects.get(code="43"))  # type: ignore[attr-defined]
    county = Division.objects.filter(code__startswith="43", level=3).order_by("code").first()
    assert county is not None
    agency = Organisation.objects.create(kind="agency", name="湖南测试社工中心", division=county)
    return SocialWorker.objects.create(
        agency=agency,
        division=county,
        name="湘社工",
        id_number=id_number(county.code, dt.date(1994, 4, 4), 321),
        education="bachelor",
        hired_on=dt.date(2025, 1, 1),
    )


def _outcome(findings, key):  # type: ignore[no-untyped-def]
    return next(f.outcome for f in findings if f.rule_key == key)


def test_hunan_pay_target_insurance_and_training(demo: None) -> None:
    worker = _hunan_worker()
    today = dt.date(2026, 3, 15)
    findings = employment_findings(worker, 2025, today)
    assert _outcome(findings, "staff.labour_contract") == "fail"
    assert _outcome(findings, "staff.pay_multiplier") == "unknown"  # no average wage entered yet
    AverageWage.objects.create(division_id=worker.division_id, year=2024, amount="60000.00")
    LabourContract.objects.create(worker=worker, start_date=dt.date(2025, 1, 1), end_date=dt.date(2027, 12, 31))
    for m in range(1, 13):
        PayRecord.objects.create(worker=worker, month=dt.date(2025, m, 1), gross_pay="6000.00", insurance_paid=m != 7)
    findings = employment_findings(worker, 2025, today)
    assert _outcome(findings, "staff.labour_contract") == "pass"
    assert _outcome(findings, "staff.pay_multiplier") == "pass"  # 72,000 / 60,000 = 1.2, the bound included
    insurance = next(f for f in findings if f.rule_key == "staff.social_insurance")
    assert insurance.outcome == "fail" and "7月" in insurance.message
    PayRecord.objects.filter(worker=worker).update(gross_pay="5990.00")
    assert _outcome(employment_findings(worker, 2025, today), "staff.pay_multiplier") == "fail"
    TrainingRecord.objects.create(worker=worker, date=dt.date(2025, 5, 1), kind="training", level="county", hours="24",
                                  topic="个案工作")  # fmt: skip
    TrainingRecord.objects.create(worker=worker, date=dt.date(2025, 6, 1), kind="training", level="county", hours="16",
                                  topic="小组工作")  # fmt: skip
    findings = employment_findings(worker, 2025, today)
    assert _outcome(findings, "training.hours_county") == "pass"  # 40 hours, the minimum included
    assert _outcome(findings, "training.supervision_hours_county") == "fail"


def test_agency_enters_duties_through_the_page(user_client) -> None:  # type: ignore[no-untyped-def]
    worker = SocialWorker.objects.filter(agency__name__contains="阳光").first()
    assert worker is not None
    client = user_client("agency_sunshine")
    url = worker.get_absolute_url()
    r = client.post(url, {"do": "contract", "lc-start_date": "2026-01-01", "lc-end_date": "2028-12-31",
                          "lc-probation_months": "2"})  # fmt: skip
    assert r.status_code == 302
    r = client.post(url, {"do": "pay", "pay-month": "2026-02-10", "pay-gross_pay": "4200.00",
                          "pay-insurance_paid": "on"})  # fmt: skip
    assert r.status_code == 302
    assert PayRecord.objects.filter(worker=worker, month=dt.date(2026, 2, 1), gross_pay=4200).exists()
    r = client.post(url, {"do": "training", "tr-date": "2026-03-01", "tr-kind": "supervision", "tr-level": "county",
                          "tr-hours": "30", "tr-topic": "督导"})  # fmt: skip
    assert r.status_code == 400 and "24" in r.content.decode()
    page = client.get(url).content.decode()
    assert "用工情况" in page and "签订劳动合同" in page
    assert (
        user_client("junxi_town").post(url, {"do": "pay", "pay-month": "2026-03-01", "pay-gross_pay": "1"}).status_code
        == 404
    )


def test_county_bureau_enters_the_average_wage(user_client) -> None:  # type: ignore[no-untyped-def]
    r = user_client("datian_bureau").post(
        "/staffing/wages/", {"year": 2025, "amount": "82000.00", "source": "统计公报"}
    )
    assert r.status_code == 302
    assert AverageWage.objects.get(division_id="350425", year=2025).amount == 82000
    assert user_client("junxi_town").post("/staffing/wages/", {"year": 2025, "amount": "1"}).status_code == 404
    assert (
        "82,000.00" in user_client("agency_sunshine").get("/staffing/wages/").content.decode()
        or "82000" in user_client("agency_sunshine").get("/staffing/wages/").content.decode()
    )


def test_recording_a_month_again_corrects_it_through_the_api(user_client) -> None:  # type: ignore[no-untyped-def]
    """One record per month: the second POST for the month corrects it (audited), never a duplicate or a 500."""
    from core.audit import AuditLog

    worker = SocialWorker.objects.filter(agency__name__contains="阳光").order_by("pk").first()
    assert worker is not None
    client = user_client("agency_sunshine")
    url = f"/api/v1/social-workers/{worker.public_id}/pay/"
    body = {"month": "2026-02-01", "gross_pay": "4200.00", "insurance_paid": True}
    assert client.post(url, body, content_type="application/json").status_code in (200, 201)
    again = {**body, "month": "2026-02-15", "performance_withheld": "420.00"}
    assert client.post(url, again, content_type="application/json").status_code in (200, 201)
    record = PayRecord.objects.get(worker=worker, month=dt.date(2026, 2, 1))
    assert record.performance_withheld == 420 and record.gross_pay == 4200
    assert AuditLog.objects.filter(object_type__icontains="payrecord", event="update").exists()
