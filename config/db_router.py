"""Database routing: reads of the dashboards' pre-aggregated tables go to the read replica when one is configured
(``REPLICA_DATABASE_URL`` → ``DATABASES["replica"]``); everything else, and every write, stays on the primary.
Without a replica the router says nothing and Django uses ``default``."""

from __future__ import annotations

from typing import Any

from django.conf import settings

# The pre-aggregated tables only: service accounts (the API keys) are read on the primary, so a revoked key is
# refused at once, whatever the replica's lag.
REPLICA_MODELS = frozenset({"dashboards.indicatorvalue", "dashboards.stationindicatorvalue"})


def has_replica() -> bool:
    return "replica" in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if model._meta.label_lower in REPLICA_MODELS and has_replica():
            return "replica"
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica mirrors the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db == "default"
