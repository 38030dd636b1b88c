"""The nightly refresh of the indicator tables, set up idempotently after every ``migrate`` (post_migrate), like
obligations.schedules: one PeriodicTask run by django_celery_beat's DatabaseScheduler after the obligations sweep."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

TASK_NAME = "每日刷新统计指标"
TASK = "dashboards.refresh_indicators"


def setup_schedules(**kwargs: Any) -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    try:
        with transaction.atomic():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute="30",
                hour=str((settings.OBLIGATIONS_SWEEP_HOUR + 1) % 24),
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Asia/Shanghai",
            )
            PeriodicTask.objects.get_or_create(
                name=TASK_NAME,
                defaults={
                    "task": TASK,
                    "crontab": crontab,
                    "enabled": True,
                    "description": "刷新本月和本年的统计指标（以系统任务账号运行）",
                },
            )
    except IntegrityError:
        pass
