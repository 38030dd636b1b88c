"""API base classes: every viewset gets its queryset through ``for_user`` with the action
matching the HTTP method (NetBox ``BaseViewSet.initial``); out of scope is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import viewsets
from rest_framework.exceptions import NotFound

from core.scoping import Action

METHOD_ACTIONS = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.ADD,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}


class ScopedViewSetMixin:
    queryset: Any
    request: Any

    def get_queryset(self) -> QuerySet:
        action = METHOD_ACTIONS.get(self.request.method, Action.VIEW)
        # ``queryset`` is a ScopedQuerySet: the declared select_related/prefetch survive the scoping.
        return self.queryset.all().for_user(self.request.user, action)  # type: ignore[attr-defined]

    def get_object(self) -> Model:
        # The same answer whether the id does not exist or is out of scope, and no model name in it.
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            raise NotFound("未找到。") from None


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
