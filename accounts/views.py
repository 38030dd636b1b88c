"""Login, logout and password change (the accounts domain)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils import timezone

from core import audit
from core.scoping import Role

from .forms import LoginForm, PasswordChangeForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); the nav bar submits a small form."""


PASSWORD_PROMPT_ROLES = frozenset({Role.ADMIN, Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU})


def password_change_due(user: Any) -> bool:
    """Bureau and administrator accounts are prompted to change the password every 90 days (等保, SECURITY.md)."""
    if user.role not in PASSWORD_PROMPT_ROLES:
        return False
    changed = user.password_changed_at
    return changed is None or timezone.now() - changed > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> Any:
        response = super().form_valid(form)
        user = form.user  # the logged-in user whose password this form changed
        audit.record(
            acting_user=user,
            event="update",
            obj=user,
            changes={"password": {"before": "******", "after": "****** (本人修改)"}},
            ip=audit.client_ip(self.request),
        )
        messages.success(self.request, "密码已修改。您在其他设备或程序中的登录需用新密码重新登录。")
        return response
