"""The bureau's page for the read-only service accounts of the indicator API: the accounts over its subtree, a form
to create one (the key is shown once, in the answer to the form) and a button to revoke one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from accounts.http import authed_user
from core.access import access
from core.scoping import Action, scope_of
from stations.models import Division

from .actions import service_account_create, service_account_revoke
from .forms import ServiceAccountForm
from .models import ServiceAccount


def _allowed(request: HttpRequest) -> Any:
    user = authed_user(request)
    if not ServiceAccount.scoping.may(scope_of(user).role, Action.ADD) or user.organisation is None:
        raise Http404("未找到。")
    return user


class ServiceAccountsView(LoginRequiredMixin, View):
    template_name = "dashboards/service_accounts.html"

    def page(self, request: HttpRequest, form: ServiceAccountForm, **extra: Any) -> HttpResponse:
        user = authed_user(request)
        accounts = (
            ServiceAccount.objects.for_user(user)  # type: ignore[attr-defined]
            .select_related("division", "bureau", "created_by", "revoked_by")
            .order_by("-created_at", "-pk")[:200]
        )
        accounts = list(accounts)
        for a in accounts:
            a.may_revoke = a.status == ServiceAccount.Status.ACTIVE and a.revocable_by(user)
        context = {"form": form, "accounts": accounts, "now": timezone.now(), **extra}
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, ServiceAccountForm(user=_allowed(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _allowed(request)
        form = ServiceAccountForm(request.POST, user=user)
        if not form.is_valid():
            return self.page(request, form)
        division = Division.objects.get(code=form.cleaned_data["division"])
        try:
            account, key = service_account_create(
                acting_user=user,
                name=form.cleaned_data["name"],
                division=division,
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.page(request, form)
        # The key in this answer only: it is kept as a digest and never shown again.
        response = self.page(request, ServiceAccountForm(user=user), created=account, key=key)
        response["Cache-Control"] = "no-store"
        return response


class ServiceAccountRevokeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _allowed(request)
        account = access(ServiceAccount, user, pk, "revoke")
        try:
            service_account_revoke(acting_user=user, account=account)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已吊销“{account.name}”，其接口密钥立即失效。")
        return redirect("dashboards:service-accounts")
