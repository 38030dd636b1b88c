from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from obligations.registry import label_of

register = template.Library()

STATE_CLASSES = {
    "overdue": "text-bg-danger",
    "due_soon": "text-bg-warning",
    "upcoming": "text-bg-secondary",
    "done": "text-bg-success",
    "waived": "text-bg-light border",
}


@register.filter
def cn_date(value: Any) -> str:
    """A date in prose: 2026年11月24日."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        return "—"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def state_class(value: Any) -> str:
    return STATE_CLASSES.get(str(value), "text-bg-light border")


@register.filter
def kind_label(value: Any) -> str:
    return label_of(str(value))


@register.filter
def due_words(value: Any) -> str:
    """“逾期 12 天” / “今天到期” / “还有 5 天”."""
    if not isinstance(value, dt.date):
        return ""
    days = (value - timezone.localdate()).days
    if days < 0:
        return f"逾期 {-days} 天"
    if days == 0:
        return "今天到期"
    return f"还有 {days} 天"
