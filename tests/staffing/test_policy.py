"""Each preset's staffing decisions at their edges (issue 9, deliverable 7)."""

from __future__ import annotations

import datetime as dt

import pytest

from staffing.policy import Candidate, StaffMember, adequacy, eligibility, hiring_age, requirement
from tests.staffing.support import BAISHA_TOWN, DATIAN_TOWN, LUZHOU_TOWN, NANTONG_TOWN, places

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _places(demo: None) -> None:
    places()


def _cand(division: str, birth: dt.date, on: dt.date, **kw: object) -> Candidate:
    return Candidate(division=division, on=on, birth_date=birth, education=kw.pop("education", "junior_college"), **kw)  # type: ignore[arg-type]


def _outcome(result, rule: str) -> str:  # type: ignore[no-untyped-def]
    return next(f.outcome for f in result.findings if f.rule_key == rule)


def test_hiring_age_goes_up_on_the_birthday() -> None:
    birth = dt.date(1985, 3, 2)
    assert hiring_age(birth, dt.date(2026, 3, 1)) == 40
    assert hiring_age(birth, dt.date(2026, 3, 2)) == 41
    assert hiring_age(dt.date(1984, 2, 29), dt.date(2025, 2, 28)) == 41
    assert hiring_age(dt.date(1984, 2, 29), dt.date(2025, 2, 27)) == 40


def test_datian_forty_includes_forty_until_the_41st_birthday() -> None:
    birth = dt.date(1985, 3, 2)  # 41st birthday on 2026-03-02
    before = eligibility(_cand(DATIAN_TOWN, birth, dt.date(2026, 3, 1)))
    on_day = eligibility(_cand(DATIAN_TOWN, birth, dt.date(2026, 3, 2)))
    assert _outcome(before, "staff.max_age") == "pass" and before.eligible
    assert _outcome(on_day, "staff.max_age") == "fail" and not on_day.eligible
    assert "田政办" in next(f.citation for f in on_day.findings if f.rule_key == "staff.max_age")


def test_baisha_forty_five_and_certificate_grace() -> None:
    birth = dt.date(1980, 6, 10)  # 46th birthday on 2026-06-10
    ok = eligibility(_cand(BAISHA_TOWN, birth, dt.date(2026, 6, 9)))
    assert ok.eligible
    (condition,) = ok.conditions
    assert condition.rule == "staff.certificate_grace_years"
    assert condition.due is not None and condition.due >= dt.date(2028, 6, 9)
    late = eligibility(_cand(BAISHA_TOWN, birth, dt.date(2026, 6, 10)))
    assert not late.eligible
    certified = eligibility(
        _cand(
            BAISHA_TOWN, birth, dt.date(2026, 6, 9), certificate_level="assistant", certificate_date=dt.date(2020, 1, 1)
        )
    )
    assert certified.eligible and not certified.conditions


def test_education_below_junior_college_fails_and_preferences_only_rank() -> None:
    birth = dt.date(1995, 1, 1)
    low = eligibility(_cand(DATIAN_TOWN, birth, dt.date(2026, 1, 5), education="high_school"))
    assert _outcome(low, "staff.min_education") == "fail" and not low.eligible
    local = eligibility(_cand(DATIAN_TOWN, birth, dt.date(2026, 1, 5), household_division="350425101000"))
    outsider = eligibility(_cand(DATIAN_TOWN, birth, dt.date(2026, 1, 5), household_division="350102001000"))
    assert local.eligible and outsider.eligible
    assert local.preference_score > outsider.preference_score


def test_luzhou_part_time_experience() -> None:
    birth = dt.date(1995, 1, 1)
    short = eligibility(_cand(LUZHOU_TOWN, birth, dt.date(2026, 1, 5), employment="part_time", experience_months=11))
    enough = eligibility(_cand(LUZHOU_TOWN, birth, dt.date(2026, 1, 5), employment="part_time", experience_months=12))
    assert not short.eligible and enough.eligible


@pytest.mark.parametrize(
    ("villages", "workers"), [(12, 3), (17, 3), (18, 3), (19, 4), (24, 4), (25, 5), (1, 3), (0, 3)]
)
def test_nantong_one_per_six_villages_at_least_three(villages: int, workers: int) -> None:
    r = requirement(NANTONG_TOWN, villages)
    assert (r.head, r.workers) == (1, workers)
    team = [StaffMember("head")] + [StaffMember("full_time")] * workers
    assert adequacy(NANTONG_TOWN, team, villages).adequate
    short = [StaffMember("head")] + [StaffMember("full_time")] * (workers - 1)
    assert not adequacy(NANTONG_TOWN, short, villages).adequate


def test_nantong_real_village_count() -> None:
    from staffing.selectors import village_count

    assert village_count(NANTONG_TOWN) == 13
    assert requirement(NANTONG_TOWN, None).workers is None  # the formula needs the number of villages
    assert requirement(NANTONG_TOWN, 13).workers == 3


def test_baisha_three_residents_head_counted() -> None:
    r = requirement(BAISHA_TOWN, None)
    assert (r.head, r.workers) == (0, 3)
    assert adequacy(
        BAISHA_TOWN, [StaffMember("head"), StaffMember("full_time"), StaffMember("full_time")], None
    ).adequate
    assert not adequacy(BAISHA_TOWN, [StaffMember("full_time")] * 2, None).adequate


def test_luzhou_head_and_certified_or_part_time_alternative() -> None:
    r = requirement(LUZHOU_TOWN, None)
    assert (r.head, r.workers, r.certified_full_time) == (1, 1, 2)
    good = [StaffMember("head", "assistant"), StaffMember("full_time", "intermediate")]
    assert adequacy(LUZHOU_TOWN, good, None).adequate
    uncertified = [StaffMember("head", "assistant"), StaffMember("full_time", None)]
    assert not adequacy(LUZHOU_TOWN, uncertified, None).adequate
    no_head = [StaffMember("full_time", "assistant"), StaffMember("full_time", "assistant")]
    assert not adequacy(LUZHOU_TOWN, no_head, None).adequate
    part_time = [StaffMember("head"), StaffMember("part_time"), StaffMember("part_time")]
    assert adequacy(LUZHOU_TOWN, part_time, None, volunteers=5).adequate
    assert not adequacy(LUZHOU_TOWN, part_time, None, volunteers=0).adequate
