"""Serializers for accounts: the token request, the current user and organisations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from accounts.models import Organisation, User
from accounts.second_factor import check_code, has_second_factor, second_factor_required
from core.audit import client_ip


class AccountLocked(APIException):
    """django-axes refused the attempt: too many failures for this username (SECURITY.md)."""

    status_code = 429
    default_detail = "登录失败次数过多，账号已被锁定 30 分钟。请稍后再试，或联系管理员解锁。"
    default_code = "account_locked"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", write_only=True, max_length=150)
    password = serializers.CharField(
        label="密码", write_only=True, trim_whitespace=False, style={"input_type": "password"}, max_length=128
    )
    otp = serializers.CharField(
        label="动态口令",
        help_text="系统管理员和民政部门账号必填：身份验证器上的 6 位数字，或一个 8 位恢复码（每个只能用一次）。",
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=32,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request: Request = self.context["request"]
        # ``request`` is passed so django-axes counts this failure and can refuse a locked account
        # (AxesStandaloneBackend raises without it). Axes flags the DRF request object, which the
        # view turns into a JSON 429 (the HTML lockout page of AxesMiddleware never sees the flag).
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise AccountLocked()
            raise serializers.ValidationError("用户名或密码错误。", code="authorization")
        if second_factor_required(user):
            # Tokens for administrators and bureaus only after the second factor (SECURITY.md).
            if not has_second_factor(user):
                raise serializers.ValidationError(
                    {"otp": ["该账号须使用第二因素，请先登录网页完成身份验证器设置。"]}, code="otp_not_set_up"
                )
            if not attrs.get("otp"):
                raise serializers.ValidationError(
                    {"otp": ["该账号须提供动态口令（otp）：身份验证器上的 6 位数字或一个恢复码。"]}, code="otp_required"
                )
            result = check_code(user, attrs["otp"], ip=client_ip(request), channel="API 令牌")
            if result.device is None:
                raise serializers.ValidationError({"otp": [result.error]}, code="otp_invalid")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, label="令牌（请求头 Authorization: Token <令牌>）")


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    # Declared so the schema's enum includes the empty value the API returns for an unrated organisation.
    rating = serializers.ChoiceField(
        choices=Organisation.Rating.choices, allow_blank=True, read_only=True, label="社会组织评估等级"
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="类型名称")
    division = serializers.CharField(source="division_id", read_only=True, label="所在区划代码")
    division_name = serializers.CharField(source="division.name", read_only=True, label="所在区划名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "division",
            "division_name",
            "credit_code",
            "rating",
            "is_local",
            "status",
            "status_display",
        ]
        read_only_fields = fields


class MeOrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="类型名称")
    division = serializers.CharField(source="division_id", read_only=True, label="所在区划代码")
    division_name = serializers.CharField(source="division.name", read_only=True, label="所在区划名称")

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "kind_display", "division", "division_name"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, label="角色")
    role_label = serializers.CharField(read_only=True, label="角色名称")
    organisation = MeOrganisationSerializer(read_only=True, allow_null=True, label="所属机构")

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "role_label", "organisation"]
        read_only_fields = fields
