"""Pre-aggregated indicator values (DOMAIN §5, issue 14): one row per indicator, division (province, city, county,
township) and period (``YYYY-MM``, ``YYYYQn`` or ``YYYY``), with the numerator and denominator it was computed from
and when; and each station's own figures for the indicators computed per station.
Refreshed set-based by the system actor (dashboards.refresh); pages and the API read only these rows."""

from __future__ import annotations

from typing import Any

from django.db import models

from core.scoping import Role, ScopedManager, ScopeRule
from stations.models import Division, Station

# Tables opt in to each role explicitly: aggregates mix every agency's work in a place, so agencies and evaluators
# do not see them; bureaus see their subtree, a township its own figures.
VIEWERS = frozenset({Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP})
# A station's own figures: the same places, and an agency the stations its agreements in force give it (by station,
# never by place). An evaluator sees nothing.
STATION_VIEWERS = VIEWERS | {Role.AGENCY}
BUREAUS = frozenset({Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU})


class IndicatorValue(models.Model):
    indicator = models.CharField("指标", max_length=40)
    division = models.ForeignKey(Division, verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField("区划层级", choices=Division.Level.choices)
    period = models.CharField("期间", max_length=7)  # "2026-05", "2026Q2" or "2026"
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


class StationIndicatorValue(models.Model):
    """One station's own figures for an indicator computed per station (what an agency sees of its work)."""

    indicator = models.CharField("指标", max_length=40)
    station = models.ForeignKey(Station, verbose_name="社工站", on_delete=models.CASCADE, related_name="+")
    period = models.CharField("期间", max_length=7)
    numerator = models.DecimalField("分子", max_digits=18, decimal_places=2)
    denominator = models.DecimalField("分母", max_digits=18, decimal_places=2)
    value = models.DecimalField("指标值", max_digits=12, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField("计算时间")

    objects = ScopedManager()
    scoping = ScopeRule(division="station__division_id", station="station_id", viewers=STATION_VIEWERS)

    class Meta:
        verbose_name = "站点指标值"
        verbose_name_plural = "站点指标值"
        ordering = ["indicator", "period", "station_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "station", "period"], name="%(app_label)s_%(class)s_one_per_station_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.station_id} {self.period}"


class ServiceAccount(models.Model):
    """A read-only service account of a provincial (or city, county) dashboard system: it pulls the indicator API
    for one division's subtree with an API key that expires. Created and revoked by a bureau over that division
    (audited); the key is shown once and only its SHA-256 digest is kept (dashboards.keys)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        REVOKED = "revoked", "已吊销"

    name = models.CharField("名称", max_length=100)
    bureau = models.ForeignKey(
        "accounts.Organisation", verbose_name="创建单位", on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(Division, verbose_name="数据范围", on_delete=models.PROTECT, related_name="+")
    key_prefix = models.CharField("密钥前缀", max_length=16, unique=True)
    key_digest = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField("有效期至")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey("accounts.User", verbose_name="创建人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_by = models.ForeignKey(
        "accounts.User", verbose_name="吊销人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ScopedManager()
    # Bureaus see and manage the accounts whose scope lies in their subtree; nobody else sees them.
    scoping = ScopeRule(
        division="division_id",
        viewers=BUREAUS,
        writers={"add": BUREAUS, "revoke": BUREAUS},
    )

    class Meta:
        verbose_name = "数据接口服务账号"
        verbose_name_plural = "数据接口服务账号"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_prefix}…）"

    def revocable_by(self, user: Any) -> bool:
        """Its creating bureau or a bureau above it revokes it — never a bureau below, whose data it reads (a county
        cutting off the province's feed)."""
        home: str = getattr(getattr(user, "organisation", None), "division_id", None) or ""
        return bool(home) and self.bureau.division_id.startswith(home)
