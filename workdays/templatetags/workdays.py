"""Dates in prose for the calendar pages: 2026年10月9日, 10月9日, 周五."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from workdays.counting import weekday_label, zh_date

register = template.Library()


@register.filter
def zh_full_date(value: Any) -> str:
    return zh_date(value) if isinstance(value, dt.date) else "—"


@register.filter
def zh_month_day(value: Any) -> str:
    return f"{value.month}月{value.day}日" if isinstance(value, dt.date) else "—"


@register.filter
def zh_weekday(value: Any) -> str:
    return weekday_label(value) if isinstance(value, dt.date) else ""
