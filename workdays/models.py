"""The working-day calendar: which years are known, and each year's off days and make-up workdays.

A year is *covered* when its ``CalendarYear`` row exists and says ``complete``: then every day of that year
is known (an off day or a make-up workday is stored; any other day is a working day from Monday to Friday and
a rest day on Saturday and Sunday). For a year that is not covered nothing is assumed (workdays.counting).
Reference data: every known role reads it; only the system administrator writes it (workdays.actions).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import ExtractYear

from core.scoping import ScopedManager, ScopeRule

MIN_YEAR = 1900
MAX_YEAR = 2199


class CalendarYear(models.Model):
    class Origin(models.TextChoices):
        LIBRARY = "library", "随系统提供的节假日数据"
        ADMIN = "admin", "系统管理员录入"

    year = models.PositiveSmallIntegerField(
        "年度", primary_key=True, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    notice = models.CharField("通知文号", max_length=60, blank=True, help_text="如 国办发明电〔2025〕7号")
    source = models.CharField("来源", max_length=200, help_text="如 国务院办公厅关于2026年部分节假日安排的通知")
    complete = models.BooleanField(
        "安排完整", default=True, help_text="全年各节日的放假与调休上班日均已录入；不完整的年度不用于计算期限。"
    )
    origin = models.CharField("录入方式", max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(public=True)

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"

    @property
    def covered(self) -> bool:
        return self.complete


class CalendarDay(models.Model):
    """One day that differs from the ordinary week: a day off (放假) or a make-up workday (调休上班)."""

    class Kind(models.TextChoices):
        OFF = "off", "放假"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name="年度")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=60)

    objects = ScopedManager()
    scoping = ScopeRule(public=True)

    class Meta:
        verbose_name = "放假或调休日"
        verbose_name_plural = "放假与调休日"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year=ExtractYear("date")),
                name="%(app_label)s_%(class)s_date_in_year",
                violation_error_message="日期须在所属年度之内。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}{self.get_kind_display()}"
