"""Employment duties as obligations of the employer agency, raised by the daily sweep: the labour contract in force,
each month's pay and insurance by the policy's deadline, pay against the multiple of the county's average wage,
training and supervision hours, the certificate within the grace period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organisation
from obligations.models import Obligation
from obligations.sweep import run_sweep
from policies.actions import preset_adopt
from policies.models import PolicyPreset
from staffing.demo import id_number
from staffing.duties import MONTHLY_PAY_KIND, PAY_TARGET_KIND, PERFORMANCE_KIND, PROBATION_KIND, TRAINING_KIND
from staffing.employment import employment_findings
from staffing.models import AverageWage, Certificate, LabourContract, PayRecord, SocialWorker, TrainingRecord
from stations.models import Division
from tests.staffing.support import NANTONG_TOWN, places
from tests.staffing.write_cases import fresh_worker, placed_worker

pytestmark = pytest.mark.django_db

KINDS = [
    MONTHLY_PAY_KIND,
    PAY_TARGET_KIND,
    TRAINING_KIND,
    PROBATION_KIND,
    PERFORMANCE_KIND,
    "staffing.labour_contract",
    "staffing.certificate",
]
_n = iter(range(1, 10_000))


def _created(result, key: str) -> int:  # type: ignore[no-untyped-def]
    return next(k.created for k in result.kinds if k.kind == key)


def _ob(worker: SocialWorker, kind: str, period: str = "") -> Obligation | None:
    return Obligation.objects.filter(kind=kind, object_id=worker.pk, period=period).first()


def _hunan() -> tuple[Division, Organisation]:
    preset = PolicyPreset.objects.get(code="hunan-2021")
    preset_adopt.__wrapped__(acting_user=None, preset=preset, division=Division.objects.get(code="43"))  # type: ignore[attr-defined]
    county = Division.objects.filter(code__startswith="43", level=3).order_by("code").first()
    assert county is not None
    agency, _ = Organisation.objects.get_or_create(kind="agency", name="湖南职责社工中心", division=county)
    return county, agency


def _worker(division: Division, agency: Organisation, hired: dt.date) -> SocialWorker:
    n = next(_n)
    return SocialWorker.objects.create(
        agency=agency,
        division=division,
        name=f"职责社工{n}",
        id_number=id_number(division.code[:6], dt.date(1990, 1, 1) + dt.timedelta(days=n), 100 + n % 800),
        education="bachelor",
        hired_on=hired,
    )


# --- monthly pay and insurance --------------------------------------------------------------------------------------


def test_month_pay_owed_by_the_policy_deadline_and_settled_month_by_month(demo: None) -> None:
    """Datian [000 §6(3)]: November 2026's pay and 五险, due one month after 30 November → 30 December."""
    today = dt.date(2026, 12, 10)
    on_last_day = fresh_worker()
    on_last_day.hired_on = dt.date(2026, 11, 30)
    on_last_day.save()
    next_day = fresh_worker()
    next_day.hired_on = dt.date(2026, 12, 1)
    next_day.save()
    left_before = fresh_worker()
    left_before.left_on, left_before.status = dt.date(2026, 10, 31), SocialWorker.Status.LEFT
    left_before.save()

    run_sweep(today=dt.date(2026, 11, 30), kind_keys=[MONTHLY_PAY_KIND])
    assert _ob(on_last_day, MONTHLY_PAY_KIND, "2026-11") is None  # the month is not over yet
    result = run_sweep(today=today, kind_keys=[MONTHLY_PAY_KIND])
    ob = _ob(on_last_day, MONTHLY_PAY_KIND, "2026-11")
    assert ob is not None and ob.due_date == dt.date(2026, 12, 30)
    assert ob.owner_id == on_last_day.agency_id and "第六部分第（三）项" in ob.clause
    assert "2026年11月" in ob.title and "五险" in ob.title
    assert _ob(next_day, MONTHLY_PAY_KIND, "2026-11") is None  # hired after the month
    assert _ob(left_before, MONTHLY_PAY_KIND, "2026-11") is None  # left before it
    assert _created(result, MONTHLY_PAY_KIND) >= 1

    again = run_sweep(today=today, kind_keys=[MONTHLY_PAY_KIND])
    assert _created(again, MONTHLY_PAY_KIND) == 0
    assert Obligation.objects.filter(kind=MONTHLY_PAY_KIND, object_id=on_last_day.pk).count() == 1

    # Pay without the insurance Datian asks does not settle the month; December's pay does not settle November.
    record = PayRecord.objects.create(worker=on_last_day, month=dt.date(2026, 11, 1), gross_pay=Decimal("4800"))
    PayRecord.objects.create(
        worker=on_last_day, month=dt.date(2026, 12, 1), gross_pay=Decimal("4800"), insurance_paid=True
    )
    run_sweep(today=today, kind_keys=[MONTHLY_PAY_KIND])
    ob.refresh_from_db()
    assert ob.state != Obligation.State.DONE
    record.insurance_paid = True
    record.save()
    run_sweep(today=today, kind_keys=[MONTHLY_PAY_KIND])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE

    # The next month is its own obligation, and a month already settled is never raised.
    run_sweep(today=dt.date(2027, 1, 5), kind_keys=[MONTHLY_PAY_KIND])
    assert _ob(on_last_day, MONTHLY_PAY_KIND, "2026-12") is None  # recorded with insurance before it was owed
    assert _ob(next_day, MONTHLY_PAY_KIND, "2026-12") is not None


def test_nantong_month_needs_the_housing_fund_too(demo: None) -> None:
    places()
    town = Division.objects.get(code=NANTONG_TOWN)
    agency = Organisation.objects.create(kind="agency", name="如皋职责社工中心", division_id="320682")
    worker = _worker(town, agency, dt.date(2026, 1, 5))
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=[MONTHLY_PAY_KIND])
    ob = _ob(worker, MONTHLY_PAY_KIND, "2026-02")
    assert ob is not None and "五险一金" in ob.title and "第三部分第（六）项" in ob.clause
    record = PayRecord.objects.create(
        worker=worker, month=dt.date(2026, 2, 1), gross_pay=Decimal("5000"), insurance_paid=True
    )
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=[MONTHLY_PAY_KIND])
    ob.refresh_from_db()
    assert ob.state != Obligation.State.DONE
    record.housing_fund_paid = True
    record.save()
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=[MONTHLY_PAY_KIND])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE


def test_no_pay_obligation_where_the_policy_sets_no_deadline(demo: None) -> None:
    """Baisha's document says nothing on pay: nothing is owed there."""
    places()
    agency = Organisation.objects.create(kind="agency", name="白沙职责社工中心", division_id="469025")
    worker = _worker(Division.objects.get(code="469025"), agency, dt.date(2026, 1, 5))
    run_sweep(today=dt.date(2026, 3, 2), kind_keys=[MONTHLY_PAY_KIND])
    assert _ob(worker, MONTHLY_PAY_KIND, "2026-02") is None


# --- pay against the multiple of the average wage ---------------------------------------------------------------------


def test_pay_below_the_multiple_of_the_county_average_wage(demo: None) -> None:
    """Hunan [003 §3(8)]: 1.2 × 2025's wage of 120,000 → 12,000 a month in 2026; exactly that is not below."""
    county, agency = _hunan()
    today = dt.date(2026, 3, 15)
    at_edge = _worker(county, agency, dt.date(2025, 1, 1))
    below = _worker(county, agency, dt.date(2025, 1, 1))
    for month in (1, 2):
        PayRecord.objects.create(worker=at_edge, month=dt.date(2026, month, 1), gross_pay=Decimal("12000.00"))
        PayRecord.objects.create(worker=below, month=dt.date(2026, month, 1), gross_pay=Decimal("11999.99"))

    run_sweep(today=today, kind_keys=[PAY_TARGET_KIND])
    assert not Obligation.objects.filter(kind=PAY_TARGET_KIND, object_id__in=[at_edge.pk, below.pk]).exists()

    AverageWage.objects.create(division_id=county.code, year=2025, amount=Decimal("120000"))
    run_sweep(today=today, kind_keys=[PAY_TARGET_KIND])
    assert _ob(at_edge, PAY_TARGET_KIND, "2026") is None
    ob = _ob(below, PAY_TARGET_KIND, "2026")
    assert ob is not None and ob.due_date == dt.date(2026, 12, 31) and ob.owner_id == agency.pk
    assert "第三部分第（八）项" in ob.clause and "平均工资的1.2倍" in ob.title
    assert _created(run_sweep(today=today, kind_keys=[PAY_TARGET_KIND]), PAY_TARGET_KIND) == 0

    PayRecord.objects.create(worker=below, month=dt.date(2026, 3, 1), gross_pay=Decimal("12000.05"))
    run_sweep(today=today, kind_keys=[PAY_TARGET_KIND])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE


# --- training and supervision hours ---------------------------------------------------------------------------------


def _train(worker: SocialWorker, kind: str, level: str, hours: str, day: dt.date) -> TrainingRecord:
    return TrainingRecord.objects.create(
        worker=worker, date=day, kind=kind, level=level, hours=Decimal(hours), topic="年度培训"
    )


def test_training_hours_below_the_minimum_by_year_end(demo: None) -> None:
    """Hunan [003 §3(8)]: training 20 h (city) and 40 h (county), supervision 12 h and 24 h a year."""
    county, agency = _hunan()
    today = dt.date(2026, 6, 1)
    met = _worker(county, agency, dt.date(2025, 1, 1))
    short = _worker(county, agency, dt.date(2025, 1, 1))
    T, S = TrainingRecord.Kind.TRAINING, TrainingRecord.Kind.SUPERVISION
    city, cnty = TrainingRecord.Level.CITY, TrainingRecord.Level.COUNTY
    for w, supervision in ((met, "12"), (short, "11.5")):
        _train(w, T, city, "20", dt.date(2026, 3, 1))
        _train(w, T, cnty, "20", dt.date(2026, 4, 1))
        _train(w, T, cnty, "20", dt.date(2026, 4, 2))
        _train(w, S, cnty, "24", dt.date(2026, 5, 1))
        _train(w, S, city, supervision, dt.date(2026, 5, 2))
    _train(short, S, city, "8", dt.date(2025, 5, 2))  # last year's hours do not count

    run_sweep(today=today, kind_keys=[TRAINING_KIND])
    assert _ob(met, TRAINING_KIND, "2026") is None
    ob = _ob(short, TRAINING_KIND, "2026")
    assert ob is not None and ob.due_date == dt.date(2026, 12, 31) and "第三部分第（八）项" in ob.clause
    assert ob.owner_id == agency.pk
    assert _created(run_sweep(today=today, kind_keys=[TRAINING_KIND]), TRAINING_KIND) == 0

    _train(short, S, city, "0.5", dt.date(2026, 5, 20))
    run_sweep(today=today, kind_keys=[TRAINING_KIND])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE


def test_training_minimum_in_class_hours_nantong(demo: None) -> None:
    places()
    town = Division.objects.get(code=NANTONG_TOWN)
    agency = Organisation.objects.create(kind="agency", name="如皋培训社工中心", division_id="320682")
    worker = _worker(town, agency, dt.date(2026, 1, 5))
    _train(worker, TrainingRecord.Kind.TRAINING, TrainingRecord.Level.OTHER, "24", dt.date(2026, 2, 1))
    run_sweep(today=dt.date(2026, 3, 1), kind_keys=[TRAINING_KIND])
    ob = _ob(worker, TRAINING_KIND, "2026")
    assert ob is not None and "第四部分第（二）项" in ob.clause
    _train(worker, TrainingRecord.Kind.TRAINING, TrainingRecord.Level.CITY, "6", dt.date(2026, 2, 20))
    run_sweep(today=dt.date(2026, 3, 1), kind_keys=[TRAINING_KIND])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE


# --- labour contract in force, certificate within the grace period ---------------------------------------------------


def test_labour_contract_in_force_for_a_worker_in_post(demo: None) -> None:
    """Datian [000 §6(1)]: a worker placed at a station needs a labour contract in force today."""
    today = timezone.localdate()
    unplaced = fresh_worker()
    placed = placed_worker()
    run_sweep(kind_keys=["staffing.labour_contract"])
    assert _ob(unplaced, "staffing.labour_contract") is None  # not in post
    ob = _ob(placed, "staffing.labour_contract")
    assert ob is not None and ob.due_date == placed.hired_on and "第六部分第（一）项" in ob.clause

    lapsed = LabourContract.objects.create(
        worker=placed, start_date=placed.hired_on, end_date=today - dt.timedelta(days=1)
    )
    run_sweep(kind_keys=["staffing.labour_contract"])
    ob.refresh_from_db()
    assert ob.state != Obligation.State.DONE and ob.due_date == lapsed.end_date  # ended yesterday: still owed

    lapsed.end_date = today  # in force through today
    lapsed.save()
    run_sweep(kind_keys=["staffing.labour_contract"])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE
    assert _created(run_sweep(kind_keys=["staffing.labour_contract"]), "staffing.labour_contract") == 0


def test_certificate_within_nantong_grace_period(demo: None) -> None:
    """Nantong [004 §4(2)]: within three years of hiring; Datian only prefers certified workers."""
    from staffing.policy import grace_due

    places()
    town = Division.objects.get(code=NANTONG_TOWN)
    agency = Organisation.objects.create(kind="agency", name="如皋证书社工中心", division_id="320682")
    worker = _worker(town, agency, dt.date(2026, 1, 5))
    datian = fresh_worker()
    run_sweep(kind_keys=["staffing.certificate"])
    ob = _ob(worker, "staffing.certificate")
    assert ob is not None and ob.due_date == grace_due(dt.date(2026, 1, 5), 3)[0] and "第四部分第（二）项" in ob.clause
    assert _ob(datian, "staffing.certificate") is None
    Certificate.objects.create(worker=worker, level="assistant", number="RG-1", obtained_on=dt.date(2027, 6, 1))
    run_sweep(kind_keys=["staffing.certificate"])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE


# --- set-based ---------------------------------------------------------------------------------------------------


def _sweep_queries(today: dt.date) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run_sweep(today=today, kind_keys=KINDS)
    return len(ctx.captured_queries)


def test_sweep_queries_do_not_grow_with_workers(demo: None) -> None:
    county, agency = _hunan()
    AverageWage.objects.create(division_id=county.code, year=2025, amount=Decimal("120000"))
    today = dt.date(2026, 3, 15)

    def add(n: int) -> None:
        for _ in range(n):
            w = _worker(county, agency, dt.date(2025, 1, 1))
            PayRecord.objects.create(worker=w, month=dt.date(2026, 1, 1), gross_pay=Decimal("3000"))
            fresh_worker()

    add(2)
    _sweep_queries(today)  # the first run creates; compare runs that create in the same way
    add(2)
    few = _sweep_queries(today)
    add(20)
    many = _sweep_queries(today)
    assert many == few
    assert Obligation.objects.filter(kind=PAY_TARGET_KIND).count() >= 24


def test_recruitment_plan_filed_for_the_agreement(demo: None) -> None:
    """Datian [000 §6(3)]: the agency files its recruitment plan with the county bureau; a draft does not count."""
    from contracts.models import Contract
    from staffing.duties import PLAN_KIND
    from staffing.models import RecruitmentPlan

    today = timezone.localdate()
    run_sweep(kind_keys=[PLAN_KIND])
    harmony = (
        Contract.objects.filter(
            agency__name__contains="和谐",
            division__code__startswith="350425",
            status__in=["signed", "filed", "active"],
            end_date__gte=today,
        )
        .order_by("pk")
        .first()
    )
    assert harmony is not None
    ob = Obligation.objects.get(kind=PLAN_KIND, object_id=harmony.pk)
    assert ob.owner_id == harmony.agency_id and ob.due_date == harmony.start_date
    assert "第六部分第（三）项" in ob.clause and ob.notify_division_id == "350425"
    assert _created(run_sweep(kind_keys=[PLAN_KIND]), PLAN_KIND) == 0

    year = harmony.start_date.year
    plan = RecruitmentPlan.objects.create(
        agency_id=harmony.agency_id,
        division_id="350425",
        year=year,
        full_time=2,
        announce_on=dt.date(year, 1, 5),
        start_on=dt.date(year, 2, 1),
    )
    run_sweep(kind_keys=[PLAN_KIND])
    ob.refresh_from_db()
    assert ob.state != Obligation.State.DONE  # a draft is not filed
    plan.state = RecruitmentPlan.State.FILED
    plan.save()
    run_sweep(kind_keys=[PLAN_KIND])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE


def test_the_worker_page_lists_its_open_duties(user_client) -> None:  # type: ignore[no-untyped-def]
    worker = placed_worker()
    run_sweep(kind_keys=["staffing.labour_contract"])
    page = user_client("agency_sunshine").get(worker.get_absolute_url()).content.decode()
    assert "待办事项" in page and "签订劳动合同（在岗但无有效劳动合同）" in page and "第六部分第（一）项" in page


# --- probation limit, performance hold-back, pro-rated training (issue 9 item 4) -------------------------------------


def _preset_rule(code: str, key: str) -> dict | None:  # type: ignore[type-arg]
    preset = PolicyPreset.objects.get(code=code)
    return next((r for r in preset.rules if r["key"] == key), None)


def test_presets_pin_the_probation_limit_and_the_hold_back() -> None:
    """Only Nantong's document sets a probation limit (不超过六个月 [004 §3(7)]) and a performance hold-back
    (提取一定的比例 [004 §4(5)]); it gives no share, so no preset sets one: the bureau decides."""
    from policies.actions import load_presets

    load_presets()
    probation = _preset_rule("nantong-2022", "staff.probation_max_months")
    assert probation is not None and probation["value"] == 6 and probation["clause"] == "[004 §3(7)]"
    hold_back = _preset_rule("nantong-2022", "staff.performance_pay_withheld")
    assert hold_back is not None and hold_back["value"] is True and hold_back["clause"] == "[004 §4(5)]"
    for code in ("datian-2021", "luzhou-2021", "baisha-2023", "hunan-2021", "nantong-2022"):
        assert _preset_rule(code, "staff.performance_pay_share_min") is None
        if code != "nantong-2022":
            assert _preset_rule(code, "staff.probation_max_months") is None
            assert _preset_rule(code, "staff.performance_pay_withheld") is None


def _nantong_worker(hired: dt.date) -> SocialWorker:
    places()
    agency, _ = Organisation.objects.get_or_create(kind="agency", name="如皋用工社工中心", division_id="320682")
    return _worker(Division.objects.get(code=NANTONG_TOWN), agency, hired)


def test_probation_beyond_nantongs_limit_is_owed_by_the_agency(demo: None) -> None:
    """不超过六个月 admits six; seven is owed from the first contract's start; a renewal's term is not the first
    contract's; the agency settles it by recording the changed contract (same start date)."""
    from staffing.actions import labour_contract_add
    from staffing.duties import PROBATION_KIND

    today = dt.date(2026, 6, 1)
    six, seven = _nantong_worker(dt.date(2026, 1, 5)), _nantong_worker(dt.date(2026, 1, 5))
    LabourContract.objects.create(worker=six, start_date=dt.date(2026, 1, 5), end_date=dt.date(2028, 12, 31),
                                  probation_months=6)  # fmt: skip
    LabourContract.objects.create(worker=seven, start_date=dt.date(2026, 1, 5), end_date=dt.date(2028, 12, 31),
                                  probation_months=7)  # fmt: skip
    datian = fresh_worker()  # Datian's document sets no limit
    LabourContract.objects.create(worker=datian, start_date=datian.hired_on, probation_months=12)

    run_sweep(today=today, kind_keys=[PROBATION_KIND])
    assert _ob(six, PROBATION_KIND) is None and _ob(datian, PROBATION_KIND) is None
    ob = _ob(seven, PROBATION_KIND)
    assert ob is not None and ob.rule_key == "staff.probation_max_months" and ob.owner_id == seven.agency_id
    assert ob.due_date == dt.date(2026, 1, 5) and ob.state == Obligation.State.OVERDUE
    assert "试用期7个月" in ob.title and "上限6个月" in ob.title and "第三部分第（七）项" in ob.clause
    assert _created(run_sweep(today=today, kind_keys=[PROBATION_KIND]), PROBATION_KIND) == 0

    # A later contract with a longer probation does not move the first contract's limit (and six stays six).
    LabourContract.objects.create(worker=six, start_date=dt.date(2029, 1, 1), probation_months=8)
    run_sweep(today=today, kind_keys=[PROBATION_KIND])
    assert _ob(six, PROBATION_KIND) is None

    findings = employment_findings(seven, 2026, today)
    probation = next(f for f in findings if f.rule_key == "staff.probation_max_months")
    assert probation.outcome == "fail" and "首份劳动合同" in probation.message

    labour_contract_add(acting_user=_employer(seven), worker=seven, start_date=dt.date(2026, 1, 5),  # type: ignore[attr-defined]
                                    end_date=dt.date(2028, 12, 31), probation_months=6)  # fmt: skip
    assert LabourContract.objects.filter(worker=seven).count() == 1  # changed in place, not a second contract
    run_sweep(today=today, kind_keys=[PROBATION_KIND])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE


def _employer(worker: SocialWorker):  # type: ignore[no-untyped-def]
    from accounts.models import User

    user, _ = User.objects.get_or_create(username=f"employer_{worker.agency_id}", organisation_id=worker.agency_id)
    return user


def _set_share(value: str) -> None:
    from policies.models import Policy, PolicyRule

    PolicyRule.objects.update_or_create(
        policy=Policy.objects.get(division_id="320682"),
        key="staff.performance_pay_share_min",
        defaults={"value": value, "strength": "must", "clause": "如皋市民政局关于绩效考核工资的通知 第二条"},
    )


def test_performance_hold_back_below_what_nantong_asks(demo: None) -> None:
    """[004 §4(5)] 在工资中提取一定的比例进行考核发放: nothing held back fails, any share passes until the bureau
    sets the least share; then the share itself passes (10% of 5,000 is 500) and a cent less fails."""
    from staffing.duties import PAY_DEADLINE, PERFORMANCE_KIND, pay_due
    from workdays.selectors import work_calendar

    today = dt.date(2026, 4, 10)
    worker = _nantong_worker(dt.date(2026, 1, 5))
    datian = fresh_worker()  # no hold-back asked in Datian
    for w in (worker, datian):
        PayRecord.objects.create(worker=w, month=dt.date(2026, 1, 1), gross_pay=Decimal("5000"))
    PayRecord.objects.create(worker=worker, month=dt.date(2026, 2, 1), gross_pay=Decimal("5000"),
                             performance_withheld=Decimal("0.01"))  # fmt: skip
    PayRecord.objects.create(worker=worker, month=dt.date(2026, 3, 1), gross_pay=Decimal("5000"),
                             performance_withheld=Decimal("500.00"))  # fmt: skip
    run_sweep(today=today, kind_keys=[PERFORMANCE_KIND])
    assert _ob(datian, PERFORMANCE_KIND, "2026-01") is None
    assert _ob(worker, PERFORMANCE_KIND, "2026-02") is None and _ob(worker, PERFORMANCE_KIND, "2026-03") is None
    january = _ob(worker, PERFORMANCE_KIND, "2026-01")
    assert january is not None and january.rule_key == "staff.performance_pay_withheld"
    assert "第四部分第（五）项" in january.clause and "2026年1月" in january.title and "未提取" in january.title
    from policies.policy import effective_policy

    deadline = effective_policy(NANTONG_TOWN).get(PAY_DEADLINE)
    assert january.due_date == pay_due(dt.date(2026, 1, 31), deadline, work_calendar())

    _set_share("0.1")
    run_sweep(today=today, kind_keys=[PERFORMANCE_KIND])
    february = _ob(worker, PERFORMANCE_KIND, "2026-02")
    assert february is not None and "0.00%" in february.title and "10%" in february.title
    assert "如皋市民政局" in february.clause
    assert _ob(worker, PERFORMANCE_KIND, "2026-03") is None  # exactly 10%: the share included
    PayRecord.objects.filter(worker=worker, month=dt.date(2026, 3, 1)).update(performance_withheld=Decimal("499.99"))
    run_sweep(today=today, kind_keys=[PERFORMANCE_KIND])
    assert _ob(worker, PERFORMANCE_KIND, "2026-03") is not None
    finding = next(f for f in employment_findings(worker, 2026, today) if "绩效" in f.message)
    assert finding.outcome == "fail" and "1月 0.00%" in finding.message and "3月 9.99%" in finding.message

    # Re-recording January's pay corrects it (one record per month) and settles that month only.
    from staffing.actions import pay_add

    pay_add(acting_user=_employer(worker), worker=worker, month=dt.date(2026, 1, 20), gross_pay=Decimal("5000"),  # type: ignore[attr-defined]
                        insurance_paid=True, housing_fund_paid=True, performance_withheld=Decimal("500"))  # fmt: skip
    assert PayRecord.objects.filter(worker=worker, month=dt.date(2026, 1, 1)).count() == 1
    run_sweep(today=today, kind_keys=[PERFORMANCE_KIND])
    january.refresh_from_db()
    february.refresh_from_db()
    assert january.state == Obligation.State.DONE and february.state != Obligation.State.DONE


def test_training_minimum_pro_rated_for_a_worker_hired_during_the_year(demo: None) -> None:
    """Hunan [003 §3(8)], hired on 15 August: employed five months (August to December), so 40 h of county
    training become 40 × 5/12 = 16.67, i.e. 16.7 h at the tenth hours are recorded in; 16.6 h is short."""
    county, agency = _hunan()
    today = dt.date(2026, 9, 1)
    T, S = TrainingRecord.Kind.TRAINING, TrainingRecord.Kind.SUPERVISION
    city, cnty = TrainingRecord.Level.CITY, TrainingRecord.Level.COUNTY
    met = _worker(county, agency, dt.date(2026, 8, 15))
    short = _worker(county, agency, dt.date(2026, 8, 15))
    whole_year = _worker(county, agency, dt.date(2026, 1, 1))  # January: the whole minimum
    for w, county_hours in ((met, "16.7"), (short, "16.6"), (whole_year, "16.7")):
        _train(w, T, city, "8.4", dt.date(2026, 8, 20))  # 20 × 5/12 = 8.33 → 8.4
        _train(w, T, cnty, county_hours, dt.date(2026, 8, 21))
        _train(w, S, city, "5", dt.date(2026, 8, 22))  # 12 × 5/12 = 5
        _train(w, S, cnty, "10", dt.date(2026, 8, 23))  # 24 × 5/12 = 10

    run_sweep(today=today, kind_keys=[TRAINING_KIND])
    assert _ob(met, TRAINING_KIND, "2026") is None
    ob = _ob(short, TRAINING_KIND, "2026")
    assert ob is not None and "年内在职5个月" in ob.title and "第三部分第（八）项" in ob.clause
    assert ob.rule_key == "training"
    whole = _ob(whole_year, TRAINING_KIND, "2026")
    assert whole is not None and "折算" not in whole.title

    findings = {f.rule_key: f for f in employment_findings(short, 2026, today)}
    county_training = findings["training.hours_county"]
    assert county_training.outcome == "unknown"  # short, but the year is not over
    assert "2026年8月入职" in county_training.message and "本年在职5个月" in county_training.message
    assert "40 × 5/12 = 16.7" in county_training.message and "实际 16.6" in county_training.message
    assert findings["training.hours_city"].outcome == "pass" and "8.4" in findings["training.hours_city"].message
    after = {f.rule_key: f for f in employment_findings(short, 2026, dt.date(2027, 1, 5))}
    assert after["training.hours_county"].outcome == "fail" and after["training.hours_city"].outcome == "pass"

    _train(short, T, cnty, "0.1", dt.date(2026, 8, 30))
    run_sweep(today=today, kind_keys=[TRAINING_KIND])
    ob.refresh_from_db()
    assert ob.state == Obligation.State.DONE


def test_probation_and_hold_back_sweep_queries_do_not_grow_with_workers(demo: None) -> None:
    from staffing.duties import PERFORMANCE_KIND, PROBATION_KIND

    today = dt.date(2026, 4, 10)

    def add(n: int) -> None:
        for _ in range(n):
            w = _nantong_worker(dt.date(2026, 1, 5))
            LabourContract.objects.create(worker=w, start_date=dt.date(2026, 1, 5), probation_months=9)
            for month in (1, 2, 3):
                PayRecord.objects.create(worker=w, month=dt.date(2026, month, 1), gross_pay=Decimal("5000"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            run_sweep(today=today, kind_keys=[PROBATION_KIND, PERFORMANCE_KIND])
        return len(ctx.captured_queries)

    add(2)
    queries()
    add(2)
    few = queries()
    add(15)
    assert queries() == few
    assert Obligation.objects.filter(kind=PROBATION_KIND).count() == 19
    assert Obligation.objects.filter(kind=PERFORMANCE_KIND).count() == 19 * 3
