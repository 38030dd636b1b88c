"""Login, logout and password change (the accounts domain)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView

from core import audit
from core.scoping import Role

from .actions import can_manage_org_users, org_user_create, org_user_reset_password, org_user_set_active, org_users
from .forms import LoginForm, OrgUserCreateForm, OrgUserPasswordForm, PasswordChangeForm, apply_validation_error
from .models import User


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


# --- a bureau manager's own accounts (issue 13 item 10b) -----------------------------------------------------


class OrgUserMixin(LoginRequiredMixin):
    """Only a bureau manager reaches these pages, and only its own organisation's accounts (others: 404)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_manage_org_users(request.user):
            raise Http404("无权管理账号。")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class OrgUserListView(OrgUserMixin, ListView):
    template_name = "accounts/org_user_list.html"
    context_object_name = "users"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return org_users(self.request.user).order_by("-is_active", "username")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["organisation"] = self.request.user.organisation  # type: ignore[union-attr]
        return context


class OrgUserCreateView(OrgUserMixin, FormView):
    template_name = "accounts/org_user_form.html"
    form_class = OrgUserCreateForm

    def form_valid(self, form: OrgUserCreateForm) -> HttpResponse:  # type: ignore[override]
        try:
            user = org_user_create(
                acting_user=self.request.user,
                organisation=self.request.user.organisation,  # type: ignore[union-attr]
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
        user = org_users(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if user is None:
            raise Http404("不存在或无权查看该账号。")
        return user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("target", self.target())
        context.setdefault("password_form", OrgUserPasswordForm())
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
