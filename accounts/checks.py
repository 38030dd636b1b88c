"""Deployment checks of the accounts app (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_enforced(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "REQUIRE_SECOND_FACTOR", True):
        return []
    return [
        Warning(
            "REQUIRE_SECOND_FACTOR is off: administrators and bureau accounts log in with a password only.",
            hint="Unset REQUIRE_SECOND_FACTOR (or set it to 1) in production; 等保 2.0 level 3 requires two factors "
            "for administrators (SECURITY.md).",
            id="accounts.W001",
        )
    ]
