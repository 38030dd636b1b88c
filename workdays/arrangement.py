"""A year's holiday arrangement as the State Council notice states it: rows of holiday name, days off
(first to last) and make-up workdays. Validation and the reading of a pasted notice live here, shared by the
administrator's page (workdays.forms) and the action that saves (workdays.actions). Pure: no database."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MAX_RUN_DAYS = 31  # no arrangement has more than a few weeks off in one go; longer is a typing mistake

STANDARD_HOLIDAYS = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


@dataclass(frozen=True)
class HolidayRow:
    name: str
    first: dt.date
    last: dt.date
    workdays: tuple[dt.date, ...] = ()

    def days_off(self) -> list[dt.date]:
        if self.last < self.first:
            return []
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass
class Problems:
    """Errors by row index and field ("name", "first", "last", "workdays"), plus errors of the whole form."""

    rows: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, index: int, name: str, message: str) -> None:
        messages = self.rows.setdefault(index, {}).setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.rows or self.general)

    def messages(self) -> list[str]:
        out = list(self.general)
        for index, fields in sorted(self.rows.items()):
            for messages in fields.values():
                out.extend(f"第{index + 1}行：{m}" for m in messages)
        return out


def _zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_rows(year: int, rows: list[HolidayRow]) -> Problems:
    """Every date in ``year``, each range ordered and at most a month long, make-up workdays on a Saturday or
    Sunday, no day both off and a workday, no day in two rows, at least one holiday."""
    problems = Problems()
    if not rows:
        problems.general.append("请至少填写一个节日的放假安排。")
        return problems
    off_by_day: dict[dt.date, int] = {}
    work_by_day: dict[dt.date, int] = {}
    for index, row in enumerate(rows):
        if not row.name.strip():
            problems.add(index, "name", "请填写节日名称。")
        for key, day in (("first", row.first), ("last", row.last)):
            if day.year != year:
                problems.add(index, key, f"日期须在{year}年之内（{_zh(day)}不在该年）。")
        if row.last < row.first:
            problems.add(index, "last", "放假结束日期不能早于开始日期。")
        elif (row.last - row.first).days + 1 > MAX_RUN_DAYS:
            problems.add(index, "last", f"一次放假不超过{MAX_RUN_DAYS}天，请检查日期。")
        for day in row.days_off():
            if day in off_by_day and off_by_day[day] != index:
                problems.add(index, "first", f"{_zh(day)}已在第{off_by_day[day] + 1}行放假，不能重复。")
            off_by_day.setdefault(day, index)
        for day in row.workdays:
            if day.year != year:
                problems.add(index, "workdays", f"调休上班日须在{year}年之内（{_zh(day)}不在该年）。")
            if day.weekday() < 5:
                problems.add(index, "workdays", f"调休上班日应为周六或周日，{_zh(day)}是工作日。")
            if day in work_by_day and work_by_day[day] != index:
                problems.add(index, "workdays", f"{_zh(day)}已在第{work_by_day[day] + 1}行列为调休上班日。")
            work_by_day.setdefault(day, index)
    for day, index in work_by_day.items():
        if day in off_by_day:
            problems.add(index, "workdays", f"{_zh(day)}既是放假日又是调休上班日，请改正其一。")
    return problems


# --- reading dates ---------------------------------------------------------------------------------------

_DATE = re.compile(r"(?:(\d{4})\s*[年\-/.])?\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")


def parse_dates(text: str, year: int) -> tuple[list[dt.date], list[str]]:
    """Dates written as 9月20日, 2027年9月20日, 2027-09-20 or 9/20, separated by 、，, spaces or new lines
    (the weekday in brackets, as the notices write it, is ignored). Returns the dates and the Chinese errors."""
    cleaned = re.sub(r"[（(][^）)]*[）)]", " ", text or "")
    dates: list[dt.date] = []
    errors: list[str] = []
    rest = cleaned
    for match in _DATE.finditer(cleaned):
        y = int(match.group(1)) if match.group(1) else year
        try:
            dates.append(dt.date(y, int(match.group(2)), int(match.group(3))))
        except ValueError:
            errors.append(f"“{match.group(0).strip()}”不是有效日期。")
        rest = rest.replace(match.group(0), " ", 1)
    leftover = re.sub(r"[\s、，,；;和及与上班]+", "", rest)
    if leftover:
        errors.append(f"无法识别“{leftover[:20]}”，请按“9月20日、10月10日”的格式填写。")
    return sorted(set(dates)), errors


_SECTION = re.compile(r"(?:^|\n|。)\s*[一二三四五六七八九十]+\s*[、.．]\s*([^：:\n]{1,40})[：:]")
_RANGE = re.compile(
    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日\s*(?:至\s*(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日)?\s*放假"
)


def parse_notice(text: str, year: int) -> list[HolidayRow]:
    """Rows from the pasted text of a notice (国务院办公厅关于某年部分节假日安排的通知), e.g.
    “七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。”
    Sections that state no days off are skipped; the page shows the rows for checking before anything is saved."""
    text = re.sub(r"[（(][^）)]*[）)]", "", text or "")
    matches = list(_SECTION.finditer(text))
    rows: list[HolidayRow] = []
    for i, match in enumerate(matches):
        body = text[match.end() : matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        found = _RANGE.search(body)
        if not found:
            continue
        y1 = int(found.group(1) or year)
        try:
            first = dt.date(y1, int(found.group(2)), int(found.group(3)))
            if found.group(6):
                y2 = int(found.group(4)) if found.group(4) else y1
                month = int(found.group(5) or first.month)
                last = dt.date(y2, month, int(found.group(6)))
            else:
                last = first
        except ValueError:
            continue
        workdays: list[dt.date] = []
        for sentence in re.split(r"[。；;]", body[found.end() :]):
            if "上班" in sentence:
                workdays.extend(parse_dates(sentence.replace("上班", ""), year)[0])
        rows.append(HolidayRow(match.group(1).strip(), first, last, tuple(sorted(set(workdays)))))
    return rows
