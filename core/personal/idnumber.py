"""Identity numbers (GB 11643-1999), ages (民法典), phone numbers and addresses.

Pure functions, no database: the field types, forms, serializers and policy checks of every app use them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

# GB 11643-1999 §8.2: the check character is ISO 7064 MOD 11-2 over the first 17 digits.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# Province-level codes of GB/T 2260 (the first two digits of the address code), plus 81/82/83 used by the
# residence permits of Hong Kong, Macao and Taiwan residents. Old county codes stay valid in the ID numbers of
# people registered before a county was renamed, so nothing below the province is checked.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip

_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landline: area code 0 + 2-3 digits, subscriber number 7-8 digits, optional extension.
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(?:-\d{1,6})?$")

EARLIEST_BIRTH = dt.date(1900, 1, 1)


def normalize_id_number(value: str) -> str:
    """Strip spaces and upper-case the check character ("x" → "X"), so equal numbers hash equally."""
    return "".join(str(value).split()).upper()


def check_character(first17: str) -> str:
    """The GB 11643 check character (0–9 or X) of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-character citizen identity number and what it tells."""

    value: str
    region: str
    birth_date: dt.date
    sequence: str

    @property
    def sex(self) -> str:
        """M or F: the 17th digit (the sequence code) is odd for men, even for women (GB 11643 §5.3)."""
        return "M" if int(self.sequence[-1]) % 2 else "F"

    @property
    def sex_display(self) -> str:
        return "男" if self.sex == "M" else "女"

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate an identity number and split it; raises ValidationError with a Chinese message."""
    text = normalize_id_number(value)
    if len(text) != 18:
        raise ValidationError("身份证号码应为 18 位。", code="id_length")
    if not _ID_RE.match(text):
        raise ValidationError("身份证号码前 17 位应为数字，最后一位为数字或 X。", code="id_format")
    if text[:2] not in PROVINCE_CODES:
        raise ValidationError("身份证号码前两位不是有效的省级行政区划代码。", code="id_region")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效。", code="id_birth") from None
    limit = today or timezone.localdate()  # Asia/Shanghai: a child born today is not "in the future"
    if birth < EARLIEST_BIRTH or birth > limit:
        raise ValidationError("身份证号码中的出生日期无效。", code="id_birth")
    if check_character(text[:17]) != text[17]:
        raise ValidationError("身份证号码校验位不正确，请核对。", code="id_check")
    return IdNumber(value=text, region=text[:6], birth_date=birth, sequence=text[14:17])


def validate_id_number(value: str) -> None:
    """Django validator."""
    parse_id_number(value)


def is_valid_id_number(value: str) -> bool:
    try:
        parse_id_number(value)
    except ValidationError:
        return False
    return True


# --- age ----------------------------------------------------------------------------------------------------
# 周岁 are counted by the calendar (民法典 第二百零一条: the day an event happens is not counted, the period runs
# from the next day; 第二百零二条: a period that ends on a day the month lacks ends on the month's last day). A
# person born on 2 March 1986 has completed 40 years at the end of 2 March 2026 and is 40 from 3 March 2026 —
# the rule the courts apply to ages too (最高人民法院《关于审理未成年人刑事案件具体应用法律若干问题的解释》
# 第二条: 周岁…从周岁生日的第二天起算). Someone born on 29 February completes a year on 28 February.
# "以上、以下、以内、届满" include the number itself (民法典 第一千二百五十九条): "40岁以下" admits a person
# who is 40, and "60岁以上" admits a person who is 60.


def anniversary(birth: dt.date, years: int) -> dt.date:
    """The day on which ``years`` full years since ``birth`` are completed (29 Feb → 28 Feb in common years)."""
    year = birth.year + years
    try:
        return birth.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years (周岁) on ``day``: the count goes up on the day after the birthday."""
    if day <= birth:
        return 0
    years = day.year - birth.year
    while years > 0 and anniversary(birth, years) >= day:
        years -= 1
    return years


def at_most(birth: dt.date, limit: int, day: dt.date) -> bool:
    """``limit`` 岁以下 on ``day`` (the number itself included)."""
    return age_on(birth, day) <= limit


def at_least(birth: dt.date, limit: int, day: dt.date) -> bool:
    """``limit`` 岁以上 on ``day`` (the number itself included)."""
    return age_on(birth, day) >= limit


def under(birth: dt.date, limit: int, day: dt.date) -> bool:
    """不满 ``limit`` 周岁 on ``day`` (the number excluded): minors under 14 (个人信息保护法 第二十八条)."""
    return age_on(birth, day) < limit


def earliest_birth_under(limit: int, day: dt.date) -> dt.date:
    """A person is under ``limit`` on ``day`` exactly when born on or after the returned date (for SQL filters)."""
    year = day.year - limit
    try:
        return day.replace(year=year)
    except ValueError:  # day is 29 February and year is common: 1 March ends nobody's year
        return dt.date(year, 3, 1)


# --- phones -------------------------------------------------------------------------------------------------


def normalize_phone(value: str) -> str:
    """Drop spaces, a leading +86 / 0086 and the hyphens of a mobile number."""
    text = "".join(str(value).split())
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip("-")
    if text.replace("-", "").startswith("1"):
        text = text.replace("-", "")
    return text


def validate_phone(value: str) -> None:
    """A mainland mobile (1[3-9] and 9 digits) or a landline with area code (0598-1234567, extension allowed)."""
    text = normalize_phone(value)
    if _MOBILE_RE.match(text) or _LANDLINE_RE.match(text):
        return
    raise ValidationError("请输入 11 位手机号码，或带区号的固定电话（如 0598-7221234）。", code="phone")


def is_mobile(value: str) -> bool:
    return bool(_MOBILE_RE.match(normalize_phone(value)))


# --- addresses ----------------------------------------------------------------------------------------------

ADDRESS_MAX_LENGTH = 200


def validate_address(value: str) -> None:
    text = str(value).strip()
    if len(text) > ADDRESS_MAX_LENGTH:
        raise ValidationError(f"地址不能超过 {ADDRESS_MAX_LENGTH} 个字。", code="address_length")
    if text and not re.search(r"[\u4e00-\u9fff]", text):
        raise ValidationError("地址应以中文书写（省、市、县、乡镇、村）。", code="address_format")
