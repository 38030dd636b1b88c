"""Enforcement of the second factor on every page and the admin (SECURITY.md: two factors for administrators
and bureau accounts). Runs after django-otp's OTPMiddleware, which tells whether this session was verified."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .second_factor import has_second_factor, second_factor_required

# Pages a user must reach before the second factor: logging in and out, setting it up, verifying, and the
# static files those pages load. The token endpoint asks for the second factor itself.
EXEMPT_URL_NAMES = ("login", "logout", "admin:logout", "otp-setup", "otp-verify", "otp-recovery", "api:auth-token")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not second_factor_required(user) or user.is_verified():
            return self.get_response(request)
        if self._exempt(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/v1/"):
            # A browser session of such a user reaches the API only verified. A request that sends a token is
            # authenticated by the token alone (TokenAuthentication comes first and refuses a bad token without
            # falling back to the session), and tokens are issued only after the second factor.
            if request.META.get("HTTP_AUTHORIZATION", "").startswith("Token "):
                return self.get_response(request)
            return JsonResponse({"detail": "请先完成第二因素（动态口令）验证。"}, status=403)
        target = "otp-verify" if has_second_factor(user) else "otp-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _exempt(path: str) -> bool:
        if path.startswith(settings.STATIC_URL):
            return True
        return any(path == reverse(name) for name in EXEMPT_URL_NAMES)
