"""Typed requests: views behind login receive an ``AuthedRequest`` whose ``user`` is a ``User``
(django-stubs types ``HttpRequest.user`` as ``User | AnonymousUser``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from rest_framework.request import Request

from .models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


class AuthedAPIRequest(Request):
    user: User  # type: ignore[assignment]


def authed_user(request: HttpRequest) -> User:
    """The logged-in ``User`` of a request behind login (typed; anything else is refused as not found)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404("未找到。")
    return user
