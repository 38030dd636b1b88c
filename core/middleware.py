"""Absolute session limit (SECURITY.md: 12 hours); the 30-minute idle limit is the
session cookie age, renewed on every request (SESSION_SAVE_EVERY_REQUEST)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SESSION_START_KEY = "zhanwu_login_at"


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            started = request.session.get(SESSION_START_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_START_KEY] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(settings.LOGIN_URL)
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages of a logged-in user may carry personal data (ASVS 14.3.2).
            response.setdefault("Cache-Control", "no-store")
        return response
