"""API for accounts: token issuance (with django-axes lockout), the current user, organisations."""

from __future__ import annotations

from typing import Any, cast

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import update_last_login
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import renderers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.auth import touch
from accounts.filtersets import OrganisationFilterSet
from accounts.models import Organisation, User
from core import audit
from core.api import ScopedReadOnlyViewSet
from core.parsers import DEFAULT_PARSERS

from .serializers import MeSerializer, OrganisationSerializer, TokenRequestSerializer, TokenSerializer


class ObtainTokenView(ObtainAuthToken):
    """``POST {"username", "password"[, "otp"]}`` → ``{"token"}``; 5 failures lock the username (django-axes).

    Administrators and bureau accounts also send ``otp`` (accounts/second_factor.py)."""

    serializer_class = TokenRequestSerializer
    # No session or token needed (nor CSRF, which only applies to session-authenticated requests).
    authentication_classes = ()
    permission_classes = ()
    parser_classes = DEFAULT_PARSERS  # bounded size and JSON depth, like every other endpoint
    renderer_classes = (renderers.JSONRenderer,)

    @extend_schema(
        summary="获取 API 令牌",
        description="用户名与密码换取令牌，之后在请求头中使用 `Authorization: Token <令牌>`。"
        "系统管理员和民政部门账号还须提供 `otp`（身份验证器上的 6 位数字或一个恢复码）。"
        "连续 5 次失败将锁定该账号 30 分钟（返回 429）。",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="用户名或密码错误，或动态口令缺失、错误"),
            429: OpenApiResponse(description="账号已被锁定"),
        },
        auth=[],
        tags=["认证"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = serializer.validated_data["user"]
        # A fresh token on every login; the old one stops working (accounts/api/auth.py).
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        touch(token.key)
        # What a session login does through the user_logged_in signal, without creating a session:
        # reset the axes failure count, stamp last_login and write the audit row.
        if settings.AXES_RESET_ON_SUCCESS:
            axes_reset(username=user.get_username())
        update_last_login(User, user)
        audit.record(
            acting_user=user, event="login", obj=user, object_repr=f"{user}（API 令牌）", ip=audit.client_ip(request)
        )
        return Response({"token": token.key})


class LogoutView(APIView):
    """``POST`` revokes the caller's API token (every token of the account, like a web logout does)."""

    @extend_schema(
        summary="注销 API 令牌",
        description="使当前账号的 API 令牌立即失效；之后的请求需重新获取令牌。",
        request=None,
        responses={204: OpenApiResponse(description="令牌已失效"), 401: OpenApiResponse(description="未登录")},
        tags=["认证"],
    )
    def post(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated: never anonymous here
        Token.objects.filter(user=user).delete()
        audit.record(
            acting_user=user, event="logout", obj=user, object_repr=f"{user}（API 令牌）", ip=audit.client_ip(request)
        )
        return Response(status=204)


@extend_schema(tags=["当前用户"])
class MeView(APIView):
    """The logged-in user. Not tenant data of others, so no for_user: it is always ``request.user``."""

    @extend_schema(summary="当前用户", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = User.objects.select_related("organisation__division").get(username=request.user.get_username())
        return Response(MeSerializer(user, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(summary="机构列表", description="当前用户权限范围内的机构（含本机构）。"),
    retrieve=extend_schema(summary="机构详情"),
)
@extend_schema(tags=["机构"])
class OrganisationViewSet(ScopedReadOnlyViewSet):
    # Division joined in the page query: no N+1.
    queryset = Organisation.objects.select_related("division")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
