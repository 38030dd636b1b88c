"""The indicator API for machines: ``/api/v1/indicators/`` (the definitions) and ``/api/v1/indicator-values/``
(``?indicator=<code>&period=YYYY-MM|YYYY[&division=<code>][&level=province|city|county|township|1-4]``), JSON or
CSV (``format=csv``), keyset (cursor) pagination on the division code, ``ETag``/``If-None-Match`` and
``Last-Modified`` (an unchanged pull answers 304), throttled per account. Rows come through for_user only."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from typing import Any

from django.db.models import Count, Max
from django.http import HttpResponse
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.http import authed_user

from ..indicators import Period, indicators
from ..selectors import LEVELS, values, with_targets

MAX_LIMIT = 5000
DEFAULT_LIMIT = 1000


class CSVRenderer(BaseRenderer):
    """``?format=csv``: the view writes the CSV itself; an error answer (a dict) is rendered as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        import json

        if isinstance(data, bytes | str):
            return data.encode() if isinstance(data, str) else data
        return json.dumps(data, ensure_ascii=False).encode()


class DashboardIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(label="指标代码")
    name = serializers.CharField(label="指标名称")
    unit = serializers.CharField(label="单位（share：比例）")
    kind = serializers.CharField(label="stock：时点数；flow：期间累计")
    numerator = serializers.CharField(label="分子")
    denominator = serializers.CharField(label="分母")
    periods = serializers.ListField(child=serializers.CharField(), label="支持的期间（month、year）")
    target = serializers.CharField(allow_null=True, label="对照的政策目标规则")


class IndicatorValueRowSerializer(serializers.Serializer):
    division = serializers.CharField(label="区划代码")
    name = serializers.CharField(label="区划名称")
    level = serializers.IntegerField(label="层级（1 省、2 市、3 县、4 乡镇）")
    numerator = serializers.DecimalField(max_digits=18, decimal_places=2, label="分子")
    denominator = serializers.DecimalField(max_digits=18, decimal_places=2, label="分母")
    value = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, label="指标值")
    target = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, label="年度目标")
    short = serializers.BooleanField(label="未达目标")
    computed_at = serializers.DateTimeField(label="计算时间")


class IndicatorValuesPageSerializer(serializers.Serializer):
    indicator = serializers.CharField(label="指标代码")
    period = serializers.CharField(label="期间")
    results = IndicatorValueRowSerializer(many=True)
    next = serializers.URLField(allow_null=True, label="下一页")


class IndicatorListView(APIView):
    @extend_schema(summary="指标定义", tags=["数据看板"], responses={200: DashboardIndicatorSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response([i.to_json() for i in indicators().values()])


def _cursor(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        text = base64.urlsafe_b64decode(raw.encode() + b"==").decode()
    except (ValueError, UnicodeDecodeError):
        raise ValidationError({"cursor": ["分页游标无效，请使用上一页返回的 next 链接。"]}) from None
    if not text.isdigit() or len(text) > 12:
        raise ValidationError({"cursor": ["分页游标无效，请使用上一页返回的 next 链接。"]})
    return text


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= 10**6:
        raise ValidationError({"limit": ["每页条数应为正整数。"]})
    return min(int(raw), MAX_LIMIT)


class IndicatorValueView(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "indicator_values"

    @extend_schema(
        summary="指标值（按区划和期间）",
        tags=["数据看板"],
        parameters=[
            OpenApiParameter("indicator", str, required=True, description="指标代码，见 /api/v1/indicators/"),
            OpenApiParameter("period", str, required=True, description="YYYY-MM（月）或 YYYY（年）"),
            OpenApiParameter("division", str, description="区划代码：只取该区划及其下级"),
            OpenApiParameter("level", str, description="province、city、county、township 或 1–4"),
            OpenApiParameter("cursor", str, description="上一页返回的游标"),
            OpenApiParameter("limit", int, description=f"每页条数，最多 {MAX_LIMIT}"),
            OpenApiParameter("format", str, description="json（默认）或 csv"),
        ],
        responses={(200, "application/json"): IndicatorValuesPageSerializer, (200, "text/csv"): str, 304: None},
    )
    def get(self, request: Request) -> Any:
        params = request.query_params
        code = params.get("indicator") or ""
        definition = indicators().get(code)
        if definition is None:
            raise ValidationError({"indicator": ["请提供有效的指标代码（见 /api/v1/indicators/）。"]})
        try:
            period = Period.parse(params.get("period") or "")
        except ValueError as exc:
            raise ValidationError({"period": [str(exc)]}) from None
        qs = values(authed_user(request), code, period.text)
        division = params.get("division")
        if division is not None:
            if not division.isdigit() or len(division) not in (2, 4, 6, 9):
                raise ValidationError({"division": ["区划代码应为 2、4、6 或 9 位数字。"]})
            qs = qs.filter(division__code__startswith=division)
        level = params.get("level")
        if level is not None:
            number = LEVELS.get(level) or (int(level) if level.isdigit() and 1 <= int(level) <= 4 else None)
            if number is None:
                raise ValidationError({"level": ["层级应为 province、city、county、township 或 1 至 4。"]})
            qs = qs.filter(level=number)
        after, limit = _cursor(params.get("cursor")), _limit(params.get("limit"))
        fmt = params.get("format", "json")
        if fmt not in ("json", "csv"):
            raise ValidationError({"format": ["格式应为 json 或 csv。"]})
        stamp = qs.aggregate(last=Max("computed_at"), n=Count("pk"))
        tag = hashlib.sha256(
            f"{request.get_full_path()}|{stamp['last']}|{stamp['n']}|{authed_user(request).pk}".encode()
        ).hexdigest()[:32]
        etag = f'"{tag}"'
        if request.headers.get("If-None-Match") == etag:
            response: Any = HttpResponse(status=304)
            response["ETag"] = etag
            return response
        page = list(qs.filter(division_id__gt=after).select_related("division").order_by("division_id")[: limit + 1])
        more = len(page) > limit
        rows = with_targets(definition, period, page[:limit])
        next_url = None
        if more:
            token = base64.urlsafe_b64encode(rows[-1].division.encode()).decode().rstrip("=")
            query = params.copy()
            query["cursor"] = token
            next_url = request.build_absolute_uri(request.path + "?" + query.urlencode())
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["division", "name", "level", "numerator", "denominator", "value", "target", "computed_at"])
            for r in rows:
                d = r.to_json()
                writer.writerow(
                    [d[k] for k in ("division", "name", "level", "numerator", "denominator", "value")]
                    + [d["target"] or "", d["computed_at"]]
                )
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
            if next_url:
                response["Link"] = f'<{next_url}>; rel="next"'
        else:
            response = Response(
                {
                    "indicator": definition.code,
                    "period": period.text,
                    "results": [r.to_json() for r in rows],
                    "next": next_url,
                }
            )
        response["ETag"] = etag
        if stamp["last"] is not None:
            response["Last-Modified"] = http_date(stamp["last"].timestamp())
        response["Cache-Control"] = "private, no-cache"
        return response
