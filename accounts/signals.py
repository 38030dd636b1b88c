"""Audit receivers for authentication events (every failure is logged, SECURITY.md)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from core.audit import client_ip, record
    from core.middleware import SESSION_START_KEY

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_START_KEY] = timezone.now().timestamp()
    division = getattr(user.organisation, "division_id", "") or ""  # the bureau's audit page shows its logins
    record(acting_user=user, event="login", obj=user, ip=client_ip(request), division_code=division)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from core.audit import client_ip, record

    if user is not None:
        division = getattr(user.organisation, "division_id", "") or ""
        record(acting_user=user, event="logout", obj=user, ip=client_ip(request), division_code=division)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    from core.audit import client_ip, record

    record(
        acting_user=None,
        event="login_failed",
        username=str(credentials.get("username", ""))[:150],
        object_type="accounts.User",
        ip=client_ip(request),
        success=False,
    )
