"""Typed requests: views behind login receive an ``AuthedRequest`` whose ``user`` is a ``User``
(django-stubs types ``HttpRequest.user`` as ``User | AnonymousUser``)."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from .models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


class AuthedAPIRequest(Request):
    user: User  # type: ignore[assignment]
