"""System checks for the personal-data keys (registered in CoreConfig.ready(); no database)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@checks.register(checks.Tags.security)
def check_data_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Keys that are set must parse; missing keys are an error outside development and tests."""
    data = getattr(settings, "ZHANWU_DATA_KEYS", "")
    lookup = getattr(settings, "ZHANWU_LOOKUP_KEY", "")
    if data or lookup:
        try:
            crypto.parse_keys(data, lookup)
        except ImproperlyConfigured as exc:
            return [checks.Error(str(exc), id="core.E101")]
        if not (data and lookup):
            return [checks.Error("set both ZHANWU_DATA_KEYS and ZHANWU_LOOKUP_KEY", id="core.E102")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_data_keys_deploy(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "ZHANWU_DATA_KEYS", "") and getattr(settings, "ZHANWU_LOOKUP_KEY", ""):
        return []
    return [
        checks.Error(
            "ZHANWU_DATA_KEYS and ZHANWU_LOOKUP_KEY are not set: personal data would be sealed with the public "
            "development keys",
            hint="python manage.py rotate_data_keys --generate",
            id="core.E103",
        )
    ]


@checks.register(checks.Tags.models)
def check_personal_managers(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every model holding personal data writes through PersonalQuerySet (its bulk paths keep hashes in step)."""
    from django.apps import apps

    from .models import PersonalQuerySet, PersonalRecord

    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if issubclass(model, PersonalRecord) and not isinstance(model._default_manager.all(), PersonalQuerySet):
            errors.append(
                checks.Error(
                    f"{model._meta.label} holds personal data but its default manager is not a PersonalManager",
                    hint="objects = core.personal.models.PersonalManager()",
                    obj=model,
                    id="core.E104",
                )
            )
    return errors
