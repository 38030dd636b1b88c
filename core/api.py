"""API base classes: every viewset gets its queryset through ``for_user`` with the scope verb of what the
request does (NetBox ``BaseViewSet.initial``), out of scope is 404, and no write bypasses a declared action.

* Reads: GET/HEAD/OPTIONS scope with ``view``.
* Writes: a viewset maps each of its write handlers (``create``, ``partial_update``, ``destroy`` or a custom
  ``@action`` name) to a declared action in ``write_actions``; the object is then looked up through
  ``for_user(user, <that action's verb>)``. A POST, PUT, PATCH or DELETE that reaches a handler with no
  declared action is refused (405) before anything is read, and DRF's generic ``perform_create``,
  ``perform_update`` and ``perform_destroy`` raise: the only way to write is to call the action.
* Each serialised object can say which actions the caller may take next (``AllowedActionsField``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from .actions import ActionSpec, available_actions, spec_of, verbs_of
from .scoping import Action

METHOD_ACTIONS = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
}


def translate_django_errors(exc: Exception) -> Exception:
    """A django ValidationError becomes a DRF 400; PermissionDenied becomes 404 (never reveal existence)."""
    if isinstance(exc, DjangoValidationError):
        return serializers.ValidationError(serializers.as_serializer_error(exc))
    if isinstance(exc, DjangoPermissionDenied):
        return NotFound("未找到。")
    return exc


def run_action(func: Callable[[], Any]) -> Any:
    """Call a declared action from an API handler: its refusals answer as the API answers (400 with the
    action's Chinese messages; 404 for a permission refusal or a missing object, never revealing existence)."""
    try:
        return func()
    except (DjangoValidationError, DjangoPermissionDenied, Http404) as exc:
        if isinstance(exc, Http404):
            raise NotFound("未找到。") from exc
        raise translate_django_errors(exc) from exc


def validated(cls: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The request body read through an input serializer: its validated data, or a 400 naming each field."""
    payload = cls(data=request.data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


class ScopedViewSetMixin:
    queryset: Any
    request: Any
    # DRF handler name -> declared action (its name or the decorated function).
    write_actions: ClassVar[dict[str, Any]] = {}
    # POST handlers that only read (a question too large or too private for a URL, e.g. facts to check
    # against a policy): scoped with "view", and they must not write.
    read_only_posts: ClassVar[frozenset[str]] = frozenset()

    def write_spec(self) -> ActionSpec | None:
        target = self.write_actions.get(getattr(self, "action", None) or "")
        return spec_of(target) if target is not None else None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method not in SAFE_METHODS and self.write_spec() is None and not self._reads_by_post():
            raise MethodNotAllowed(request.method or "")

    def _reads_by_post(self) -> bool:
        return self.request.method == "POST" and getattr(self, "action", None) in self.read_only_posts

    def scope_verb(self) -> str:
        spec = self.write_spec()
        if spec is not None and self.request.method not in SAFE_METHODS:
            return spec.verb
        return METHOD_ACTIONS.get(self.request.method, Action.VIEW)

    def get_queryset(self) -> QuerySet:
        # ``queryset`` is a ScopedQuerySet: the declared select_related/prefetch survive the scoping.
        qs = self.queryset.all().for_user(self.request.user, self.scope_verb())
        if self.request.method not in SAFE_METHODS and self.write_spec() is None and not self._reads_by_post():
            return qs.none()  # a write no declared action takes reaches nothing (initial() answers 405 first)
        verbs = verbs_of(qs.model)
        if verbs and self.request.method in SAFE_METHODS:
            qs = qs.with_permissions(self.request.user, verbs)
        return qs

    def handle_exception(self, exc: Exception) -> Any:
        # An action that refuses (role, scope) answers 404 like a missing object, never 403 (STYLE.md).
        if isinstance(exc, DjangoPermissionDenied):
            exc = NotFound("未找到。")
        return super().handle_exception(exc)  # type: ignore[misc]

    def get_object(self) -> Model:
        # The same answer whether the id does not exist or is out of scope, and no model name in it.
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            raise NotFound("未找到。") from None

    # DRF's generic writes would save a serializer without an action: never allowed.
    def perform_create(self, serializer: Any) -> None:
        raise ImproperlyConfigured("writes go through a declared action (core.actions)")

    def perform_update(self, serializer: Any) -> None:
        raise ImproperlyConfigured("writes go through a declared action (core.actions)")

    def perform_destroy(self, instance: Any) -> None:
        raise ImproperlyConfigured("writes go through a declared action (core.actions)")


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Read like ScopedReadOnlyViewSet; write only through the handlers a subclass defines and maps in
    ``write_actions`` (e.g. ``write_actions = {"partial_update": station_update}``)."""


class AllowedActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="操作代码")
    label = serializers.CharField(help_text="操作名称")  # type: ignore[assignment]


@extend_schema_field(AllowedActionSerializer(many=True))
class AllowedActionsField(serializers.Field):
    """``allowed_actions``: the declared actions the caller may take on this object now
    (``[{"action": "stations.update", "label": "修改站点"}]``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "当前用户此时可对该对象执行的操作")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Model) -> list[dict[str, str]]:
        request = self.context.get("request")
        if request is None:
            return []
        return available_actions(request.user, value)
