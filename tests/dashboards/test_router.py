"""The read-replica router: dashboards' reads go to the replica when one is configured; writes, other apps and
migrations stay on the primary."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from config import db_router
from config.db_router import ReplicaRouter
from dashboards.models import IndicatorValue, ServiceAccount, StationIndicatorValue


def test_reads_of_the_aggregates_go_to_the_replica_when_configured(monkeypatch: Any) -> None:
    router = ReplicaRouter()
    assert router.db_for_read(IndicatorValue) is None  # no replica: Django's default
    monkeypatch.setattr(db_router, "has_replica", lambda: True)
    assert router.db_for_read(IndicatorValue) == "replica"
    assert router.db_for_read(StationIndicatorValue) == "replica"
    assert router.db_for_read(User) is None
    assert router.db_for_read(ServiceAccount) is None  # keys: on the primary (a revocation counts at once)
    assert router.db_for_write(IndicatorValue) == "default"
    assert router.allow_migrate("replica", "dashboards") is False and router.allow_migrate("default", "dashboards")
