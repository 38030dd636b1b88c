"""Loading one protected object by its key: ``access(Model, user, key, action)`` answers the object or 404.

Each app wraps it once per model in its ``selectors.py`` (``access_station``, ``access_division``, …), and
every view, form, serializer and task that loads a protected object by a key from outside uses that
wrapper: nothing re-types "by code, or 404". The answer is the same whether the key does not exist, is
malformed or is out of scope, so nobody can probe which keys exist (Zulip ``access_stream_common``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from .actor import Actor
from .scoping import Action

M = TypeVar("M", bound=models.Model)

NOT_FOUND = "不存在或不在您的权限范围内。"


def access(
    model: type[M],
    user: Actor | None,
    key: Any,
    action: str = Action.VIEW,
    *,
    field: str = "pk",
    queryset: models.QuerySet[M] | None = None,
) -> M:
    """The object of ``model`` whose ``field`` is ``key``, inside ``user``'s scope for ``action``; else 404.

    ``queryset`` (a queryset of ``model``, e.g. with select_related) is scoped here, never trusted as is."""
    if key is None or key == "":
        raise Http404(NOT_FOUND)
    base = queryset if queryset is not None else model._default_manager.all()
    try:
        obj = base.for_user(user, action).filter(**{field: key}).first()  # type: ignore[attr-defined]
    except (ValueError, TypeError):  # a malformed key (e.g. text for an integer id)
        obj = None
    if obj is None:
        raise Http404(NOT_FOUND)
    return obj
