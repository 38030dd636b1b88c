"""Keep evaluator users in their organisation's grant group (stations.actions: evaluator grants)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="stations_sync_evaluator_membership")
def sync_evaluator_membership_on_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if raw or (update_fields is not None and not {"organisation", "is_active"} & set(update_fields)):
        return  # e.g. the last_login update on every login
    from .actions import sync_evaluator_membership

    sync_evaluator_membership(instance)
