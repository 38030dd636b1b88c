"""Base classes that apply the one scoping mechanism to every page (STYLE.md "Scoping is applied in base classes").

A view names its model and gets its queryset from ``Model.objects.for_user(request.user, action)``;
anything outside it answers 404. Subclasses never build a tenant query of their own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.generic import DetailView, ListView, UpdateView

from .scoping import Action


class ScopedMixin(LoginRequiredMixin):
    model: Any
    scope_action: str = Action.VIEW

    def scoped_queryset(self, action: str | None = None) -> QuerySet:
        return self.model.objects.for_user(self.request.user, action or self.scope_action)  # type: ignore[attr-defined]

    def get_queryset(self) -> QuerySet:
        return self.scoped_queryset()


class ScopedListView(ScopedMixin, ListView):
    paginate_by = 50


class ScopedDetailView(ScopedMixin, DetailView):
    pass


class ScopedUpdateView(ScopedMixin, UpdateView):
    """Edit pages: the object must be in the user's scope for ``change`` or the page is 404."""

    scope_action = Action.CHANGE


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form was stale or cookies were blocked; say so in Chinese and link home."""
    response = TemplateResponse(request, "403_csrf.html", {"reason": reason}, status=403)
    return response.render()
