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
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core import audit
from core.scoping import Role

from . import second_factor
from .actions import (
    can_manage_org_users,
    org_user_create,
    org_user_reset_password,
    org_user_set_active,
    org_user_set_village,
    org_users,
)
from .forms import (
    LoginForm,
    OrgUserCreateForm,
    OrgUserPasswordForm,
    OrgUserVillageForm,
    PasswordChangeForm,
    SecondFactorCodeForm,
    apply_validation_error,
    township_villages,
)
from .http import authed_user
from .models import User


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); the nav bar submits a small form."""


PASSWORD_PROMPT_ROLES = frozenset({Role.ADMIN, Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU})


def password_change_due(user: User) -> bool:
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
        device = second_factor.pending_totp(authed_user(request))
        context = {
            "form": form,
            "qr_svg": second_factor.qr_svg(device),
            "secret": second_factor.secret_text(device),
            "replacing": second_factor.has_second_factor(authed_user(request)),
            "next": _next_url(request),
        }
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, SecondFactorCodeForm(digits_only=True))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondFactorCodeForm(request.POST, digits_only=True)
        if not form.is_valid():
            return self._render(request, form)
        device = second_factor.pending_totp(authed_user(request))
        ip = audit.client_ip(request)
        code = form.cleaned_data["code"]
        if not second_factor.confirm_totp(acting_user=authed_user(request), device=device, code=code, ip=ip):
            form.add_error("code", "验证码不正确。请确认手机时间准确，并输入身份验证器上当前显示的 6 位数字。")
            return self._render(request, form)
        device.refresh_from_db()
        django_otp.login(request, device)
        request.session[RECOVERY_SESSION_KEY] = second_factor.new_recovery_codes(
            acting_user=authed_user(request), ip=ip
        )
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
                authed_user(request), form.cleaned_data["code"], ip=audit.client_ip(request), channel="网页"
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
        if not (_is_verified(request) and second_factor.has_second_factor(authed_user(request))):
            messages.error(request, "请先用身份验证器完成验证，再生成新的恢复码。")
            return redirect(_to("otp-verify", reverse("otp-recovery")))
        codes = second_factor.new_recovery_codes(acting_user=authed_user(request), ip=audit.client_ip(request))
        messages.success(request, "已生成新的恢复码，旧恢复码全部作废。")
        return self._render(request, codes)

    def _render(self, request: HttpRequest, codes: list[str] | None) -> HttpResponse:
        context = {
            "codes": codes,
            "can_regenerate": _is_verified(request) and second_factor.has_second_factor(authed_user(request)),
            "has_device": second_factor.has_second_factor(authed_user(request)),
            "next": _next_url(request),
        }
        return render(request, self.template_name, context)


# --- a bureau manager's own accounts (issue 13 item 10b) -----------------------------------------------------


class OrgUserMixin(LoginRequiredMixin):
    """Only a bureau's or a township government's manager reaches these pages, and only its own organisation's
    accounts (others: 404)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_manage_org_users(request.user):
            raise Http404("无权管理账号。")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class OrgUserListView(OrgUserMixin, ListView):
    template_name = "accounts/org_user_list.html"
    context_object_name = "users"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return org_users(authed_user(self.request)).select_related("village").order_by("-is_active", "username")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["organisation"] = authed_user(self.request).organisation
        return context


class OrgUserCreateView(OrgUserMixin, FormView):
    template_name = "accounts/org_user_form.html"
    form_class = OrgUserCreateForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "manager": authed_user(self.request)}

    def form_valid(self, form: OrgUserCreateForm) -> HttpResponse:  # type: ignore[override]
        try:
            user = org_user_create(
                acting_user=authed_user(self.request),
                organisation=authed_user(self.request).organisation,
                **form.cleaned_data,
            )
        except PermissionDenied:
            raise Http404("无权开设账号。") from None
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"已开设账号“{user.username}”（{user.full_name}）。请把初始密码告知本人。")
        return redirect("org-user-list")


class OrgUserDetailView(OrgUserMixin, TemplateView):
    template_name = "accounts/org_user_detail.html"

    def target(self) -> User:
        user = org_users(authed_user(self.request)).select_related("village").filter(pk=self.kwargs["pk"]).first()
        if user is None:
            raise Http404("不存在或无权查看该账号。")
        return user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("target", self.target())
        context.setdefault("password_form", OrgUserPasswordForm())
        manager = authed_user(self.request)
        if township_villages(manager) is not None:
            initial = {"village": context["target"].village_id}
            context.setdefault("village_form", OrgUserVillageForm(manager=manager, initial=initial))
        context["is_self"] = context["target"].pk == self.request.user.pk
        return context

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.target()
        action = request.POST.get("action")
        try:
            if action in ("deactivate", "activate"):
                org_user_set_active(acting_user=request.user, user=target, active=action == "activate")
                messages.success(request, f"已{'启用' if action == 'activate' else '停用'}账号“{target.username}”。")
                return redirect("org-user-detail", pk=target.pk)
            if action == "village" and township_villages(request.user) is not None:
                village_form = OrgUserVillageForm(request.POST, manager=request.user)
                if not village_form.is_valid():
                    return self.render_to_response(self.get_context_data(target=target, village_form=village_form))
                try:
                    org_user_set_village(
                        acting_user=request.user, user=target, village=village_form.cleaned_data["village"]
                    )
                except ValidationError as exc:
                    apply_validation_error(village_form, exc)
                    return self.render_to_response(self.get_context_data(target=target, village_form=village_form))
                messages.success(request, f"已更新“{target.username}”负责的村（社区）。")
                return redirect("org-user-detail", pk=target.pk)
            if action == "reset":
                form = OrgUserPasswordForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(target=target, password_form=form))
                try:
                    org_user_reset_password(
                        acting_user=request.user, user=target, password=form.cleaned_data["password"]
                    )
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                    return self.render_to_response(self.get_context_data(target=target, password_form=form))
                messages.success(request, f"已为“{target.username}”设置临时密码；本人下次登录后会被提示修改。")
                return redirect("org-user-detail", pk=target.pk)
        except PermissionDenied:
            raise Http404("不存在或无权管理该账号。") from None
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("org-user-detail", pk=target.pk)
        raise Http404("未知的操作。")
