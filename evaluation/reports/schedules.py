"""The daily beat job that opens reporting periods, set up idempotently after every ``migrate`` (post_migrate),
like obligations.schedules: one PeriodicTask named 每日开启报告期, run by django_celery_beat's DatabaseScheduler
(the one ``beat`` service of docker-compose.yml) an hour before the obligations sweep
(settings.OBLIGATIONS_SWEEP_HOUR), so the sweep finds the reports it dates and reminds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

TASK_NAME = "每日开启报告期"
TASK = "evaluation.reports.open_periods"


def setup_schedules(**kwargs: Any) -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    try:
        with transaction.atomic():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute="0",
                hour=str((settings.OBLIGATIONS_SWEEP_HOUR - 1) % 24),
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
                    "description": "按各地方案生成本期应报送的月度简报和定期报告（以系统任务账号运行）",
                },
            )
    except IntegrityError:
        pass
