"""The daily beat job for the obligations sweep, set up idempotently after every ``migrate`` (post_migrate).

One PeriodicTask named 每日待办巡检 runs ``obligations.sweep`` every day at settings.OBLIGATIONS_SWEEP_HOUR:00
Asia/Shanghai (django_celery_beat's DatabaseScheduler reads it). get_or_create by name: running migrate again,
or two installs racing, never makes a second one; an administrator's later change of the time in the admin is
kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

TASK_NAME = "每日待办巡检"
SWEEP_TASK = "obligations.sweep"


def setup_schedules(**kwargs: Any) -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    try:
        with transaction.atomic():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute="0",
                hour=str(settings.OBLIGATIONS_SWEEP_HOUR),
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Asia/Shanghai",
            )
            PeriodicTask.objects.get_or_create(
                name=TASK_NAME,
                defaults={
                    "task": SWEEP_TASK,
                    "crontab": crontab,
                    "enabled": True,
                    "description": "生成待办事项、更新状态、发送提醒（以系统任务账号运行）",
                },
            )
    except IntegrityError:
        pass  # another process created it first
