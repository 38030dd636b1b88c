"""Pages: the to-do list (待办), one obligation with its waive form, and the inbox."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.http import authed_user
from core.views import ScopedDetailView, ScopedListView

from .actions import can_waive, notification_mark_read, notifications_mark_all_read, obligation_waive
from .filtersets import ObligationFilterSet, kind_choices
from .forms import WaiveForm
from .models import Notification, Obligation
from .registry import get as get_kind


class ObligationListView(ScopedListView):
    model = Obligation
    template_name = "obligations/obligation_list.html"
    context_object_name = "obligations"

    def get_queryset(self) -> QuerySet[Obligation]:
        self.filterset = ObligationFilterSet(self.request.GET or None, queryset=super().get_queryset())
        qs = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else super().get_queryset()
        if not self.request.GET.get("state"):
            qs = qs.filter(state__in=Obligation.OPEN_STATES)
        return qs.select_related("owner", "division").order_by("due_date", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["states"] = Obligation.State.choices
        context["kinds"] = kind_choices()
        context["current_state"] = self.request.GET.get("state", "")
        return context


class ObligationDetailView(ScopedDetailView):
    model = Obligation
    template_name = "obligations/obligation_detail.html"
    context_object_name = "obligation"

    def get_queryset(self) -> QuerySet[Obligation]:
        return super().get_queryset().select_related("owner", "division", "notify_division", "waived_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obligation = self.object
        kind = get_kind(obligation.kind)
        context["kind"] = kind
        context["can_waive"] = can_waive(authed_user(self.request), obligation)
        context.setdefault("form", WaiveForm())
        context["notified"] = obligation.notifications.filter(recipient=self.request.user).order_by("created_at")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = WaiveForm(request.POST)
        if form.is_valid():
            try:
                obligation_waive(
                    acting_user=authed_user(request),
                    obligation_id=self.object.pk,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as exc:
                for message in exc.message_dict.get("reason", exc.messages):
                    if self.object.is_open:
                        form.add_error("reason", message)
                    else:  # no form is shown for a closed item: say it above the page
                        messages.error(request, message)
            else:
                messages.success(request, "已免除该事项，理由已记录。")
                return HttpResponseRedirect(reverse("obligation-detail", args=[self.object.pk]))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class NotificationListView(ScopedListView):
    model = Notification
    template_name = "obligations/notification_list.html"
    context_object_name = "notifications"

    def get_queryset(self) -> QuerySet[Notification]:
        qs = super().get_queryset().select_related("obligation")
        if self.request.GET.get("unread") == "1":
            qs = qs.filter(read_at__isnull=True)
        return qs


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one message read, then go to its link (``next``) or back to the inbox."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = notification_mark_read(acting_user=authed_user(request), notification_id=pk, request=request)
        target = request.POST.get("next") or ""
        if target == "link" and notification.link:
            target = notification.link
        if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse("notification-list")
        return HttpResponseRedirect(target)


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        count = notifications_mark_all_read(acting_user=authed_user(request), request=request)
        messages.success(request, f"已将 {count} 条消息标为已读。" if count else "没有未读消息。")
        return HttpResponseRedirect(reverse("notification-list"))
