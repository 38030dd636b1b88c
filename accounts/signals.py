"""Audit receivers for authentication events (every failure is logged, SECURITY.md)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import User


def revoke_tokens(user: User) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    from core.audit import client_ip, record
    from core.middleware import SESSION_START_KEY

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_START_KEY] = timezone.now().timestamp()
    division = getattr(user.organisation, "division_id", "") or ""  # the bureau's audit page shows its logins
    # A new login (web page or admin) revokes the API token issued before it (README, security).
    revoke_tokens(user)
    record(acting_user=user, event="login", obj=user, ip=client_ip(request), division_code=division)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    from core.audit import client_ip, record

    if user is not None:
        division = getattr(user.organisation, "division_id", "") or ""
        revoke_tokens(user)  # logging out ends the API token too
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


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A saved user (a new organisation, deactivated, made superuser) drops the scope cached on that object,
    so the next for_user() on it computes the scope again (core.scoping.forget_scope)."""
    from core.scoping import forget_scope

    forget_scope(instance)
