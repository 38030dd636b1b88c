"""Demo rows of the dashboards app: the figures of the current month, quarter and year, and one read-only service
account of the Datian bureau for the city's dashboard system (its key is not kept: only the digest)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def load(county_code: str) -> None:
    from accounts.models import User

    from .actions import service_account_create
    from .models import ServiceAccount
    from .refresh import refresh_current

    refresh_current()  # the nightly job keeps them fresh
    if not ServiceAccount.objects.filter(division_id=county_code).exists():
        from stations.models import Division

        service_account_create(
            acting_user=User.objects.get(username="datian_bureau"),
            name="三明市社工站数据看板系统（演示）",
            division=Division.objects.get(code=county_code),
            expires_on=timezone.localdate() + dt.timedelta(days=90),
        )
