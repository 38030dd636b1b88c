"""Login, logout and password change (the accounts domain)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from core import audit
from core.scoping import Role

from . import second_factor
from .forms import LoginForm, PasswordChangeForm, SecondFactorCodeForm


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
        messages.success(self.request, "密码已修改；已签发的 API 令牌随之失效。")
        return response


RECOVERY_SESSION_KEY = "zhanwu_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _to(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


class SecondFactorSetupView(LoginRequiredMixin, View):
    """Set up the authenticator: a QR code and the secret, confirmed with a first code; then recovery codes.

    Replacing an authenticator that is already set up needs a session verified with it (or a recovery code),
    so a password alone never moves the second factor to another phone.
    """

    template_name = "accounts/otp_setup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if (
            request.user.is_authenticated
            and second_factor.has_second_factor(request.user)
            and not _is_verified(request)
        ):
            return redirect(_to("otp-verify", reverse("otp-setup")))
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request: HttpRequest, form: SecondFactorCodeForm) -> HttpResponse:
        device = second_factor.pending_totp(request.user)
        context = {
            "form": form,
            "qr_svg": second_factor.qr_svg(device),
            "secret": second_factor.secret_text(device),
            "replacing": second_factor.has_second_factor(request.user),
            "next": _next_url(request),
        }
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, SecondFactorCodeForm(digits_only=True))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondFactorCodeForm(request.POST, digits_only=True)
        if not form.is_valid():
            return self._render(request, form)
        device = second_factor.pending_totp(request.user)
        ip = audit.client_ip(request)
        code = form.cleaned_data["code"]
        if not second_factor.confirm_totp(acting_user=request.user, device=device, code=code, ip=ip):
            form.add_error("code", "验证码不正确。请确认手机时间准确，并输入身份验证器上当前显示的 6 位数字。")
            return self._render(request, form)
        device.refresh_from_db()
        django_otp.login(request, device)
        request.session[RECOVERY_SESSION_KEY] = second_factor.new_recovery_codes(acting_user=request.user, ip=ip)
        messages.success(request, "身份验证器已启用。请保存下面的恢复码。")
        return redirect(_to("otp-recovery", _next_url(request)))


class SecondFactorVerifyView(LoginRequiredMixin, View):
    """After the password: the authenticator's code, or a recovery code (each works once)."""

    template_name = "accounts/otp_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not second_factor.has_second_factor(request.user):
            return redirect(_to("otp-setup", _next_url(request)))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if _is_verified(request):
            return redirect(_next_url(request))
        return render(request, self.template_name, {"form": SecondFactorCodeForm(), "next": _next_url(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondFactorCodeForm(request.POST)
        if form.is_valid():
            result = second_factor.check_code(
                request.user, form.cleaned_data["code"], ip=audit.client_ip(request), channel="网页"
            )
            if result.device is not None:
                django_otp.login(request, result.device)
                if result.recovery:
                    messages.warning(
                        request,
                        f"已使用一个恢复码，还剩 {result.remaining} 个。"
                        "恢复码用完前，请在“第二因素”页面重新设置身份验证器或生成新的恢复码。",
                    )
                return redirect(_next_url(request))
            form.add_error("code", result.error)
        return render(request, self.template_name, {"form": form, "next": _next_url(request)})


class RecoveryCodesView(LoginRequiredMixin, View):
    """Recovery codes are shown once, right after they are made; a verified user can replace them."""

    template_name = "accounts/otp_recovery.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        codes = request.session.pop(RECOVERY_SESSION_KEY, None)
        return self._render(request, codes)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not (_is_verified(request) and second_factor.has_second_factor(request.user)):
            messages.error(request, "请先用身份验证器完成验证，再生成新的恢复码。")
            return redirect(_to("otp-verify", reverse("otp-recovery")))
        codes = second_factor.new_recovery_codes(acting_user=request.user, ip=audit.client_ip(request))
        messages.success(request, "已生成新的恢复码，旧恢复码全部作废。")
        return self._render(request, codes)

    def _render(self, request: HttpRequest, codes: list[str] | None) -> HttpResponse:
        context = {
            "codes": codes,
            "can_regenerate": _is_verified(request) and second_factor.has_second_factor(request.user),
            "has_device": second_factor.has_second_factor(request.user),
            "next": _next_url(request),
        }
        return render(request, self.template_name, context)
