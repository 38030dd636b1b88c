"""Display helpers for every page: stars, money in 元, masked phones and ID numbers, dates, query strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.http import QueryDict
from django.utils import timezone

from core.personal import masking

register = template.Library()


@register.filter
def stars(value: Any, out_of: int = 5) -> str:
    """3 → ★★★☆☆; empty → “未评星”."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return "未评星"
    n = max(0, min(n, out_of))
    return "★" * n + "☆" * (out_of - n)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


@register.filter
def yuan(value: Any) -> str:
    """Money in 元 with two decimals and thousands separators: 220000 → “220,000.00 元”."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{number.quantize(Decimal('0.01')):,.2f} 元"


@register.filter
def wan(value: Any) -> str:
    """Yuan as a bare 万元 figure, as budget tables print it: 162000 → “16.2”, 2420000 → “242”."""
    number = _decimal(value)
    if number is None:
        return "—"
    text = f"{(number / Decimal(10000)).quantize(Decimal('0.0001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def wan_yuan(value: Any) -> str:
    """Money in 万元 for summary tables: 2420000 → “242.00 万元”."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{(number / Decimal(10000)).quantize(Decimal('0.01')):,.2f} 万元"


@register.filter
def mask_phone(value: Any) -> str:
    """13812345678 → 138****5678 (SECURITY.md: phones are masked on screen)."""
    return masking.mask_phone(value)


@register.filter
def mask_id(value: Any) -> str:
    """350425199001011234 → 350425********1234 (the first six and last four characters stay)."""
    return masking.mask_id_number(value)


@register.filter
def mask_address(value: Any) -> str:
    """An address down to the township and village: 均溪镇许思坑村3组12号 → 均溪镇许思坑村****."""
    return masking.mask_address(value)


@register.filter
def masked(obj: Any, field_name: str) -> str:
    """``{{ person|masked:"id_number" }}``: a personal record's field, masked by its kind."""
    return str(obj.masked(field_name)) if hasattr(obj, "masked") else masking.mask_name(getattr(obj, field_name, ""))


def _local_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, dt.date):
        return value
    return None


@register.filter
def cn_date(value: Any) -> str:
    """A date in prose and detail pages: 2026-11-24 → “2026年11月24日” (STYLE.md); empty → “—”.

    Tables use the short form ``ymd`` (2026-11-24) so that columns line up; everything else uses this one.
    """
    if value is None or value == "":
        return "—"
    day = _local_date(value)
    if day is None:
        return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


@register.filter
def cn_datetime(value: Any) -> str:
    """A moment in prose: “2026年11月24日 09:05” in the local zone."""
    if not isinstance(value, dt.datetime):
        return cn_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{cn_date(value)} {value:%H:%M}"


@register.filter
def ymd(value: Any) -> str:
    """The short form for table cells: a date (or aware datetime, local zone) as YYYY-MM-DD; empty → “—”."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


@register.filter
def ymd_hm(value: Any) -> str:
    """A datetime as YYYY-MM-DD HH:MM in the local zone."""
    if not isinstance(value, dt.datetime):
        return ymd(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


@register.filter
def area(value: Any) -> str:
    """Floor area in m²: 150.00 → “150 m²”, 150.50 → “150.5 m²”."""
    number = _decimal(value)
    if number is None:
        return "—"
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} m²"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def query(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (None or "" removes one): ``?{% query page=2 %}``."""
    request = context.get("request")
    params: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return params.urlencode()


@register.simple_tag(takes_context=True)
def sort_query(context: dict[str, Any], field: str) -> str:
    """Query string that sorts by ``field``, toggling the direction when it is already the sort key."""
    request = context.get("request")
    current = request.GET.get("sort", "") if request is not None else ""
    new = f"-{field}" if current == field else field
    return query(context, sort=new, page=None)


@register.simple_tag(takes_context=True)
def nav_active(context: dict[str, Any], *prefixes: str) -> str:
    """“active” when the current path starts with one of the prefixes (“/” matches only the home page);
    a prefix written “!/stations/grants/” excludes that part (it belongs to another menu)."""
    request = context.get("request")
    path = request.path if request is not None else ""
    if any(p.startswith("!") and path.startswith(p[1:]) for p in prefixes):
        return ""
    for prefix in prefixes:
        if prefix.startswith("!"):
            continue
        if (prefix == "/" and path == "/") or (prefix != "/" and path.startswith(prefix)):
            return "active"
    return ""


STATUS_CLASSES = {
    "planned": "text-bg-secondary",
    "preparing": "text-bg-info",
    "operating": "text-bg-success",
    "suspended": "text-bg-warning",
    "closed": "text-bg-dark",
    "draft": "text-bg-secondary",
    "active": "text-bg-success",
    "terminated": "text-bg-dark",
    "expired": "text-bg-light border",
}


@register.filter
def status_class(value: Any) -> str:
    """Bootstrap badge classes (with readable text colour) for a station or contract status."""
    return STATUS_CLASSES.get(str(value), "text-bg-light border")


@register.filter
def days_until(value: Any) -> int | None:
    """Days from today (Asia/Shanghai) to a date; negative when past."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        return None
    return (value - timezone.localdate()).days
