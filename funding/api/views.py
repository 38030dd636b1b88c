"""Read endpoints of what the policy says about money: ``/api/v1/funding/relief-cap/``, ``…/categories/`` and
``…/estimate/``. The division is loaded through the door (404 outside the caller's scope); nothing is stored."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import authed_user
from stations.api.params import division_code_param
from stations.models import Division
from stations.selectors import access_division

from ..policy import categories, estimate, relief_cap

MAX_YUAN = Decimal("1000000000000")  # a trillion yuan: beyond any county's fund
MAX_PLANNED = 1000


def _division(request: Request, levels: tuple[int, ...] | None = None) -> Division:
    code = division_code_param(request)
    if levels is not None and len(code) not in levels:
        raise ValidationError({"division": ["请提供县级区划代码（6 位）。"]})
    try:
        return access_division(authed_user(request), code)
    except Http404:
        raise NotFound("区划不存在或不在您的权限范围内。") from None


def parse_yuan(raw: Any, name: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: ["金额应为数字（元），如 1000000 或 1000000.00。"]}) from None
    if not value.is_finite() or value < 0 or value >= MAX_YUAN or value != value.quantize(Decimal("0.01")):
        raise ValidationError({name: ["金额应为不小于 0 的数字（元），最多两位小数。"]})
    return value


def parse_year(raw: Any) -> int:
    text = str(raw or "").strip()
    if not text:
        return timezone.localdate().year + 1  # the table plans next year
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationError({"year": ["年份应为 2000 至 2100 的四位数字。"]})
    return int(text)


def parse_planned(raw: Any) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_PLANNED:
        raise ValidationError({"stations": [f"站点数应为 1 至 {MAX_PLANNED} 的整数。"]})
    return int(text)


DIVISION = OpenApiParameter("division", str, required=True, description="区划代码")


class ReliefCapView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["项目经费"],
        summary="困难群众救助资金用于购买服务的上限",
        description="按生效政策的比例和计算基数（元）算出上限（含本数，按分向下取整）；spent 可核对一笔用款。",
        parameters=[
            DIVISION,
            OpenApiParameter("base", str, required=True, description="计算基数（元），如年度预算或上年支出"),
            OpenApiParameter("spent", str, required=False, description="拟用于购买服务的金额（元）"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        division = _division(request)
        if "base" not in request.query_params:
            raise ValidationError({"base": ["请提供计算基数（base，元）。"]})
        base = parse_yuan(request.query_params["base"], "base")
        raw_spent = request.query_params.get("spent")
        spent = parse_yuan(raw_spent, "spent") if raw_spent not in (None, "") else None
        return Response(relief_cap(division.code, base, spent=spent).to_json())


class CategoriesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["项目经费"],
        summary="经费支出类别：允许、禁止与条件",
        parameters=[DIVISION],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        division = _division(request)
        return Response(categories(division.code))


class EstimateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["项目经费"],
        summary="县级社工站经费测算表",
        description="按县内乡镇社工站（尚无站点时按乡镇）和政策标准测算；stations 可按拟建站点数规划。金额单位：元。",
        parameters=[
            OpenApiParameter("division", str, required=True, description="县级区划代码（6 位）"),
            OpenApiParameter("year", int, required=False, description="年度（默认下一年）"),
            OpenApiParameter("stations", int, required=False, description="拟建站点数"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        division = _division(request, levels=(6,))
        year = parse_year(request.query_params.get("year"))
        planned = parse_planned(request.query_params.get("stations"))
        return Response(estimate(division, year, planned, user=authed_user(request)).to_json())
