"""Filters for obligations (API and the list page); they only narrow a queryset already scoped by for_user."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from core.filters import subtree_filter

from .models import Notification, Obligation
from .registry import kinds


def kind_choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in sorted(kinds().values(), key=lambda k: k.key)]


class ObligationFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=Obligation.State.choices, label="状态（可多选）")
    kind = django_filters.ChoiceFilter(choices=kind_choices, label="事项类型")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label="截止日期不晚于")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label="截止日期不早于")
    division = subtree_filter()

    class Meta:
        model = Obligation
        fields = ["state", "kind", "due_before", "due_after", "division"]


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread", label="只看未读")

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset: QuerySet[Notification], name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)
