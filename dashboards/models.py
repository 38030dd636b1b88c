"""Pre-aggregated indicator values (DOMAIN §5, issue 14): one row per indicator, division (province, city, county,
township) and period (``YYYY-MM`` or ``YYYY``), with the numerator and denominator it was computed from and when.
Refreshed set-based by the system actor (dashboards.refresh); pages and the API read only these rows."""

from __future__ import annotations

from django.db import models

from core.scoping import Role, ScopedManager, ScopeRule
from stations.models import Division

# Tables opt in to each role explicitly: aggregates mix every agency's work in a place, so agencies and evaluators
# do not see them; bureaus see their subtree, a township its own figures.
VIEWERS = frozenset({Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP})


class IndicatorValue(models.Model):
    indicator = models.CharField("指标", max_length=40)
    division = models.ForeignKey(Division, verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField("区划层级", choices=Division.Level.choices)
    period = models.CharField("期间", max_length=7)  # "2026-05" or "2026"
    numerator = models.DecimalField("分子", max_digits=18, decimal_places=2)
    denominator = models.DecimalField("分母", max_digits=18, decimal_places=2)
    value = models.DecimalField("指标值", max_digits=12, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField("计算时间")

    objects = ScopedManager()
    scoping = ScopeRule(division="division_id", viewers=VIEWERS)

    class Meta:
        verbose_name = "指标值"
        verbose_name_plural = "指标值"
        ordering = ["indicator", "period", "division_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "division", "period"], name="%(app_label)s_%(class)s_one_per_place_period"
            )
        ]
        indexes = [models.Index(fields=["indicator", "period", "level"], name="dash_value_ind_period_level")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.division_id} {self.period}"
