"""API answers are JSON even when no view answered: a path under /api/v1/ that matches no URL pattern (an id
that is not a number, a code with letters) gets Django's HTML 404 page from the resolver; this middleware
turns it into the same JSON 404 the views give (``{"detail": "未找到。"}``), as the OpenAPI document says."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/v1/"


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in (404, 405)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = "未找到。" if response.status_code == 404 else "不支持该请求方法。"
            json_response = JsonResponse({"detail": detail}, status=response.status_code)
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            return json_response
        return response
