"""Identity numbers (GB 11643-1999), ages counted as the Civil Code counts them, phones, addresses, masks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.personal import idnumber as idn
from core.personal.masking import mask_address, mask_id_number, mask_phone

# GB 11643-1999 Appendix A example: 11010519491231002X (a woman born 31 December 1949 in Beijing).
STANDARD_EXAMPLE = "11010519491231002X"


def test_standard_example_and_its_derived_facts() -> None:
    parsed = idn.parse_id_number(STANDARD_EXAMPLE)
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F" and parsed.sex_display == "女"
    assert parsed.region == "110105"


def test_check_digit_valid_invalid_and_x() -> None:
    assert idn.check_character("11010519491231002") == "X"
    assert idn.is_valid_id_number("11010519491231002x")  # lower-case x normalised
    body = "35042519900101123"
    good = body + idn.check_character(body)
    assert idn.is_valid_id_number(good)
    wrong = body + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        idn.parse_id_number(wrong)
    assert exc.value.code == "id_check"
    assert "校验位" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("3504251990010112", "id_length"),
        ("35042519900101123A", "id_format"),
        ("99042519900101123" + idn.check_character("99042519900101123"), "id_region"),
        ("35042519900230123" + idn.check_character("35042519900230123"), "id_birth"),  # 30 February
        ("35042518500101123" + idn.check_character("35042518500101123"), "id_birth"),  # before 1900
        ("35042521000101123" + idn.check_character("35042521000101123"), "id_birth"),  # in the future
    ],
)
def test_invalid_numbers_name_the_reason(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        idn.parse_id_number(value)
    assert exc.value.code == code


def test_sex_from_the_seventeenth_digit() -> None:
    man = "35042519900101121"
    assert idn.parse_id_number(man + idn.check_character(man)).sex == "M"
    woman = "35042519900101122"
    assert idn.parse_id_number(woman + idn.check_character(woman)).sex == "F"


def test_age_goes_up_the_day_after_the_birthday() -> None:
    birth = dt.date(1986, 3, 2)
    assert idn.age_on(birth, dt.date(2026, 3, 1)) == 39
    assert idn.age_on(birth, dt.date(2026, 3, 2)) == 39  # the birthday itself is not counted (民法典 第二百零一条)
    assert idn.age_on(birth, dt.date(2026, 3, 3)) == 40


def test_forty_year_old_passes_forty_and_under() -> None:
    """“40岁以下” includes 40 (民法典 第一千二百五十九条); a 41-year-old does not pass."""
    birth = dt.date(1986, 3, 2)
    assert idn.at_most(birth, 40, dt.date(2026, 6, 1))  # 40
    assert idn.at_most(birth, 40, dt.date(2027, 3, 2))  # still 40 on the 41st birthday
    assert not idn.at_most(birth, 40, dt.date(2027, 3, 3))  # 41
    assert idn.at_least(birth, 40, dt.date(2026, 6, 1))
    assert not idn.under(birth, 40, dt.date(2026, 6, 1))


def test_born_on_29_february() -> None:
    birth = dt.date(2012, 2, 29)
    assert idn.age_on(birth, dt.date(2026, 2, 28)) == 13
    assert idn.age_on(birth, dt.date(2026, 3, 1)) == 14
    assert idn.age_on(birth, dt.date(2028, 2, 29)) == 15
    assert idn.age_on(birth, dt.date(2028, 3, 1)) == 16


def test_sql_cutoff_agrees_with_age_for_every_day_of_four_years() -> None:
    """``earliest_birth_under`` (used by the minors scope filter) says the same as ``under`` for every pair."""
    births = [dt.date(2010, 1, 1) + dt.timedelta(days=n) for n in range(0, 4 * 366, 3)] + [dt.date(2012, 2, 29)]
    for day in [dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2028, 2, 29), dt.date(2028, 3, 1)]:
        cutoff = idn.earliest_birth_under(14, day)
        for birth in births:
            assert (birth >= cutoff) == idn.under(birth, 14, day), (birth, day)


@pytest.mark.parametrize(
    "value", ["13812345678", "+86 138 1234 5678", "0598-7221234", "05987221234", "010-88886666-12"]
)
def test_valid_phones(value: str) -> None:
    idn.validate_phone(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "7221234", "abc", "0598-123"])
def test_invalid_phones(value: str) -> None:
    with pytest.raises(ValidationError, match="手机号码"):
        idn.validate_phone(value)


def test_addresses() -> None:
    idn.validate_address("福建省三明市大田县均溪镇许思坑村3组12号")
    with pytest.raises(ValidationError):
        idn.validate_address("x" * 201)
    with pytest.raises(ValidationError):
        idn.validate_address("No. 12 Some Road")


def test_masks() -> None:
    assert mask_id_number("350425199001011234") == "350425********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0598-7221234") == "0598-***1234"
    assert mask_address("福建省三明市大田县均溪镇许思坑村3组12号") == "福建省三明市大田县均溪镇许思坑村****"
    assert mask_address("北京市朝阳区建国路街道光华里社区5号楼") == "北京市朝阳区建国路街道光华里社区****"
    assert mask_address("大田县城关某路12号") == "大田县****"
    assert mask_address("福建省三明市大田县均溪镇白岩居委会5组103号") == "福建省三明市大田县均溪镇白岩居委会****"
    assert mask_address("大田县石牌镇石牌村委会2号") == "大田县石牌镇石牌村委会****"
    assert mask_address("某某路12号") == "****"
