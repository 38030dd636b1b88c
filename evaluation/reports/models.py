"""Monthly briefs and the other periodic reports (DOMAIN §6).

- 月度工作简报 / 每月项目实施进展情况 [000 §5(4)], [001 annex 2 item 17(4)], [002 §9(2)]: one per station under an
  agreement in force and month (``MonthlyBrief``), written by the agency, reviewed by the township, accepted by
  the county bureau; accepted briefs are locked unless the bureau grants an unexpired exception
  (``BriefUnlock``).
- The other reports of the calendar (mid-term and final reports, the agency's self-evaluations, the county's
  half-yearly report and yearly self-evaluation to the city) are ``PeriodicReport`` rows: written and submitted
  by the organisation that owes them, received by the one they are owed to.

Both are created by the daily job of ``evaluation.reports.tasks`` when their period opens, and each is an
obligation kind (evaluation/reports/obligations.py) the daily sweep dates, reminds and flags.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.scoping import BUREAU_ROLES, Role, ScopedManager, ScopeRule

SYSTEM = frozenset({Role.SYSTEM})
BRIEF_WRITERS = frozenset({Role.AGENCY, Role.TOWNSHIP, Role.COUNTY_BUREAU}) | SYSTEM

__all__ = ["BriefUnlock", "MonthlyBrief", "PeriodicReport"]


class MonthlyBrief(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送，待乡镇审核"
        REVIEWED = "reviewed", "乡镇已审核，待县民政局验收"
        ACCEPTED = "accepted", "已验收"
        RETURNED = "returned", "已退回修改"

    # States in which the brief has been handed in (the obligation is done).
    HANDED_IN = (State.SUBMITTED, State.REVIEWED, State.ACCEPTED)

    station = models.ForeignKey(
        "stations.Station", verbose_name="社工站", on_delete=models.PROTECT, related_name="monthly_briefs"
    )
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name="服务协议", on_delete=models.PROTECT, related_name="monthly_briefs"
    )
    agency = models.ForeignKey(
        "accounts.Organisation", verbose_name="承接机构", on_delete=models.PROTECT, related_name="monthly_briefs"
    )
    division = models.ForeignKey(
        "stations.Division", verbose_name="所属区划", on_delete=models.PROTECT, related_name="monthly_briefs"
    )
    period = models.CharField("月份", max_length=7)  # "2026-05"
    due_date = models.DateField("报送截止日期", db_index=True)
    rule_key = models.CharField("依据规则", max_length=80, blank=True)
    clause = models.CharField("依据条款", max_length=120, blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    # What the agency writes; numbers come from the records (evaluation.reports.prefill), never typed.
    narrative = models.TextField("本月工作概述", blank=True)
    highlights = models.TextField("亮点与成效", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_plan = models.TextField("下月工作计划", blank=True)
    # The figures as they stood when the brief was last handed in (shown once locked).
    figures = models.JSONField("报送时的数据", default=dict, blank=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("乡镇审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="乡镇审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="验收人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="退回人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_comment = models.TextField("退回意见", blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    # Bureaus and townships see their subtree; an agency only its own briefs; evaluators none. Each step's
    # roles are narrowed by its declared action (evaluation/reports/actions.py).
    scoping = ScopeRule(
        division="division_id",
        agency="agency_id",
        writers={"add": SYSTEM | BUREAU_ROLES, "change": BRIEF_WRITERS},
    )

    class Meta:
        verbose_name = "月度工作简报"
        verbose_name_plural = "月度工作简报"
        ordering = ["-period", "division_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["station", "period"], name="reports_brief_one_per_station_month"),
        ]
        indexes = [models.Index(fields=["period", "division"], name="reports_brief_period_div")]

    def __str__(self) -> str:
        return f"{self.station}·{self.period_label}月度工作简报"

    @property
    def period_label(self) -> str:
        year, month = self.period.split("-")
        return f"{year}年{int(month)}月"

    @property
    def on_time(self) -> bool:
        return self.first_submitted_at is not None and timezone.localdate(self.first_submitted_at) <= self.due_date


class BriefUnlock(models.Model):
    """A bureau's exception to an accepted brief's lock: edits are allowed until ``expires_at``."""

    brief = models.ForeignKey(MonthlyBrief, verbose_name="简报", on_delete=models.CASCADE, related_name="unlocks")
    division = models.ForeignKey(
        "stations.Division", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("理由", max_length=300)
    expires_at = models.DateTimeField("有效期至")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("批准时间", default=timezone.now)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="division_id",
        agency="brief__agency_id",
        writers={"add": frozenset({Role.COUNTY_BUREAU})},
    )

    class Meta:
        verbose_name = "简报解锁"
        verbose_name_plural = "简报解锁"
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.brief}：{self.reason}"

    @property
    def active(self) -> bool:
        return self.expires_at > timezone.now()


class PeriodicReport(models.Model):
    class Kind(models.TextChoices):
        MID_TERM = "mid_term_report", "中期工作报告"
        FINAL = "final_report", "末期工作报告"
        SELF_EVALUATION = "self_evaluation", "自评报告"
        COUNTY_HALF_YEAR = "county_half_year_report", "半年项目实施情况报告"
        COUNTY_SELF_EVALUATION = "county_self_evaluation", "年度绩效自评报告"

    class State(models.TextChoices):
        DRAFT = "draft", "待报送"
        SUBMITTED = "submitted", "已报送"

    kind = models.CharField("报告种类", max_length=30, choices=Kind.choices)
    period = models.CharField("期间代码", max_length=20)
    period_label = models.CharField("期间", max_length=40, blank=True)  # in words, e.g. 2026年上半年
    station = models.ForeignKey(
        "stations.Station", verbose_name="社工站", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name="服务协议", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        "accounts.Organisation", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="承接机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="报送对象",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    division = models.ForeignKey(
        "stations.Division", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    notify_division = models.ForeignKey(
        "stations.Division", verbose_name="督办区划", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField("报送截止日期")
    rule_key = models.CharField("依据规则", max_length=80, blank=True)
    clause = models.CharField("依据条款", max_length=120, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    content = models.TextField("报告正文", blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("生成时间", default=timezone.now)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="division_id",
        agency="agency_id",
        owner="owner_id",
        writers={"add": SYSTEM | BUREAU_ROLES, "change": frozenset({Role.AGENCY}) | BUREAU_ROLES | SYSTEM},
    )

    class Meta:
        verbose_name = "定期报告"
        verbose_name_plural = "定期报告"
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner", "division", "station", "contract", "period"],
                name="reports_periodic_one_per_period",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        where = self.station.name if self.station_id and self.station else self.division.name
        return f"{where}·{self.period}{self.get_kind_display()}"
