"""Filters of the policies lists (API and pages), applied to querysets already scoped by for_user."""

from __future__ import annotations

import django_filters

from core.filters import division_code
from policies.models import Policy


class PolicyFilterSet(django_filters.FilterSet):
    division = django_filters.CharFilter(
        field_name="division_id", label="适用区划代码（精确匹配）", validators=[division_code]
    )

    class Meta:
        model = Policy
        fields = ["division"]
