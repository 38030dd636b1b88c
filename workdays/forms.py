"""Forms of the calendar pages: the deadline calculator and the administrator's arrangement of a year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from .arrangement import HolidayRow, Problems, parse_dates
from .counting import MAX_AMOUNT, MAX_START, MIN_START, UNIT_LABELS, UNITS
from .models import MAX_YEAR, MIN_YEAR

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class DeadlineForm(forms.Form):
    start = forms.DateField(
        label="起算日期",
        widget=DATE_INPUT,
        help_text="事件发生之日（如协议签订日）；当日不计入，自次日起算。",
        error_messages={"required": "请选择起算日期。", "invalid": "请填写有效日期。"},
    )
    amount = forms.IntegerField(
        label="期间长度",
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"required": "请填写期间长度。", "invalid": "请填写整数。", "min_value": "期间长度至少为 1。"},
    )
    unit = forms.ChoiceField(
        label="单位",
        choices=[
            (u, {"working_days": "个工作日", "calendar_days": "日（自然日）", "months": "个月", "years": "年"}[u])
            for u in UNITS
        ],
        initial="working_days",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_start(self) -> dt.date:
        start: dt.date = self.cleaned_data["start"]
        if not MIN_START <= start <= MAX_START:
            raise forms.ValidationError(f"起算日期须在{MIN_START.year}年至{MAX_START.year}年之间。")
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, amount = data.get("unit"), data.get("amount")
        if unit in MAX_AMOUNT and amount is not None and amount > MAX_AMOUNT[unit]:
            self.add_error("amount", f"按{UNIT_LABELS[unit]}计算时期间长度不超过 {MAX_AMOUNT[unit]}。")
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={
            "required": "请填写年度。",
            "invalid": "请填写四位数年度。",
            "min_value": f"年度须在{MIN_YEAR}年至{MAX_YEAR}年之间。",
            "max_value": f"年度须在{MIN_YEAR}年至{MAX_YEAR}年之间。",
        },
    )
    notice = forms.CharField(
        label="通知文号",
        max_length=60,
        required=False,
        help_text="如 国办发明电〔2025〕7号",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    source = forms.CharField(
        label="通知标题或来源",
        max_length=200,
        help_text="如 国务院办公厅关于2027年部分节假日安排的通知",
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": "请填写通知标题或来源。"},
    )
    complete = forms.BooleanField(
        label="本年度各节日的安排已全部录入（用于计算期限）",
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    notice_text = forms.CharField(
        label="粘贴通知正文（可选）",
        required=False,
        help_text="粘贴国务院办公厅通知中“一、元旦：……”起的各项，点“识别通知”后系统填入下表，核对后保存。",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )


class HolidayRowForm(forms.Form):
    name = forms.CharField(
        label="节日名称", max_length=60, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    first = forms.DateField(
        label="放假开始", required=False, widget=DATE_INPUT, error_messages={"invalid": "请填写有效日期。"}
    )
    last = forms.DateField(
        label="放假结束", required=False, widget=DATE_INPUT, error_messages={"invalid": "请填写有效日期。"}
    )
    workdays = forms.CharField(
        label="调休上班日",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如 9月20日、10月10日"}),
    )

    year: int | None = None  # set by the view before validation, to read “9月20日” in the right year

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("first") or data.get("last") or (data.get("workdays") or "").strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data  # an unused row (its name may be pre-filled)
        if not (data.get("name") or "").strip():
            self.add_error("name", "请填写节日名称。")
        if not data.get("first") and "first" not in self.errors:
            self.add_error("first", "请填写放假开始日期。")
        if not data.get("last") and "last" not in self.errors:
            data["last"] = data.get("first")  # a single day off
        dates, errors = parse_dates(data.get("workdays") or "", self.year or timezone.localdate().year)
        for error in errors:
            self.add_error("workdays", error)
        data["workday_dates"] = tuple(dates)
        return data

    def row(self) -> HolidayRow:
        data = self.cleaned_data
        return HolidayRow(data["name"].strip(), data["first"], data["last"], data.get("workday_dates", ()))


HolidayFormSet = forms.formset_factory(HolidayRowForm, extra=0, max_num=30, absolute_max=30)


def rows_from_formset(formset: Any) -> tuple[list[HolidayRow], list[int]]:
    """The filled rows and, for each, its index in the formset (to put errors back next to the field)."""
    rows: list[HolidayRow] = []
    where: list[int] = []
    for index, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        rows.append(form.row())
        where.append(index)
    return rows, where


def attach_problems(problems: Problems, year_form: YearForm, formset: Any, where: list[int]) -> None:
    for message in problems.general:
        year_form.add_error(None, message)
    for row_index, fields in problems.rows.items():
        form = formset.forms[where[row_index]]
        for name, messages in fields.items():
            for message in messages:
                form.add_error(name, message)


def format_workdays(days: tuple[dt.date, ...] | list[dt.date]) -> str:
    return "、".join(f"{d.month}月{d.day}日" for d in days)
