"""The indicator API for machines: ``/api/v1/indicators/`` (the definitions) and ``/api/v1/indicator-values/``
(``?indicator=<code>&period=YYYY-MM|YYYYQn|YYYY[&division=<code>][&level=province|city|county|township|1-4|station]``),
JSON or CSV (``format=csv``), keyset (cursor) pagination on the division code, ``ETag``/``If-None-Match`` and
``Last-Modified`` (an unchanged pull answers 304), throttled per account. Rows come through for_user only;
``level=station`` gives each station's own figures (an agency: only its own stations)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from typing import Any, cast

from django.db.models import Count, Max
from django.http import HttpResponse
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.exports import csv_safe

from ..indicators import Period, indicators
from ..keys import ServiceKeyAuthentication
from ..selectors import LEVELS, request_actor, station_rows, station_values, values, with_targets

MAX_LIMIT = 5000
PERIOD_NAMES = {"month": "月", "quarter": "季度", "year": "年"}
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
    periods = serializers.ListField(child=serializers.CharField(), label="支持的期间（month、quarter、year）")
    target = serializers.CharField(allow_null=True, label="对照的政策目标规则")
    ceiling = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, label="上限（指标值超过即为未达标，如救助资金超上限）"
    )
    by_station = serializers.BooleanField(label="是否按站点计算（level=station 可取各站点数值）")
    agency_view = serializers.BooleanField(
        label="社工机构可否读取其站点的数值（由其他机构的记录算出的指标不提供给机构）"
    )


class IndicatorValueRowSerializer(serializers.Serializer):
    division = serializers.CharField(label="区划代码（站点：所在区划）")
    name = serializers.CharField(label="区划或站点名称")
    level = serializers.IntegerField(label="层级（1 省、2 市、3 县、4 乡镇、0 站点）")
    station = serializers.IntegerField(required=False, label="站点编号（仅 level=station）")
    numerator = serializers.DecimalField(max_digits=18, decimal_places=2, label="分子")
    denominator = serializers.DecimalField(max_digits=18, decimal_places=2, label="分母")
    value = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, label="指标值")
    target = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, label="年度目标")
    short = serializers.BooleanField(label="未达目标，或超过指标的上限")
    computed_at = serializers.DateTimeField(label="计算时间")


class IndicatorValuesPageSerializer(serializers.Serializer):
    indicator = serializers.CharField(label="指标代码")
    period = serializers.CharField(label="期间")
    results = IndicatorValueRowSerializer(many=True)
    next = serializers.URLField(allow_null=True, label="下一页")


# A service account's key first (dashboards.keys: only these two endpoints accept it), then the usual ones.
AUTHENTICATION: list[type[BaseAuthentication]] = [
    ServiceKeyAuthentication,
    *cast(list[type[BaseAuthentication]], api_settings.DEFAULT_AUTHENTICATION_CLASSES),
]


class IndicatorListView(APIView):
    authentication_classes = AUTHENTICATION

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
    authentication_classes = AUTHENTICATION
    renderer_classes = [JSONRenderer, CSVRenderer]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "indicator_values"

    @extend_schema(
        summary="指标值（按区划和期间）",
        tags=["数据看板"],
        parameters=[
            OpenApiParameter("indicator", str, required=True, description="指标代码，见 /api/v1/indicators/"),
            OpenApiParameter("period", str, required=True, description="YYYY-MM（月）、YYYYQn（季度）或 YYYY（年）"),
            OpenApiParameter("division", str, description="区划代码：只取该区划及其下级"),
            OpenApiParameter("level", str, description="province、city、county、township、1–4 或 station（各站点）"),
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
        if period.kind not in definition.periods:
            raise ValidationError({"period": [f"该指标不按{PERIOD_NAMES[period.kind]}统计。"]})
        user = request_actor(request)
        level = params.get("level")
        per_station = level == "station"
        if per_station and not definition.by_station:
            raise ValidationError({"level": ["该指标不按站点计算。"]})
        qs: Any = station_values(user, code, period.text) if per_station else values(user, code, period.text)
        division = params.get("division")
        if division is not None:
            if not division.isdigit() or len(division) not in (2, 4, 6, 9):
                raise ValidationError({"division": ["区划代码应为 2、4、6 或 9 位数字。"]})
            qs = qs.filter(
                **{"station__division__code__startswith" if per_station else "division__code__startswith": division}
            )
        if level is not None and not per_station:
            number = LEVELS.get(level) or (int(level) if level.isdigit() and 1 <= int(level) <= 4 else None)
            if number is None:
                raise ValidationError({"level": ["层级应为 province、city、county、township、station 或 1 至 4。"]})
            qs = qs.filter(level=number)
        after, limit = _cursor(params.get("cursor")), _limit(params.get("limit"))
        fmt = params.get("format", "json")
        if fmt not in ("json", "csv"):
            raise ValidationError({"format": ["格式应为 json 或 csv。"]})
        stamp = qs.aggregate(last=Max("computed_at"), n=Count("pk"))
        tag = hashlib.sha256(f"{request.get_full_path()}|{stamp['last']}|{stamp['n']}|{user.pk}".encode()).hexdigest()[
            :32
        ]
        etag = f'"{tag}"'
        if request.headers.get("If-None-Match") == etag:
            response: Any = HttpResponse(status=304)
            response["ETag"] = etag
            return response
        if per_station:
            start = {"station_id__gt": int(after)} if after else {}
            page = list(qs.filter(**start).select_related("station").order_by("station_id")[: limit + 1])
        else:
            page = list(
                qs.filter(division_id__gt=after).select_related("division").order_by("division_id")[: limit + 1]
            )
        more = len(page) > limit
        rows = station_rows(page[:limit]) if per_station else with_targets(definition, period, page[:limit])
        next_url = None
        if more:
            last = str(page[limit - 1].station_id) if per_station else rows[-1].division
            token = base64.urlsafe_b64encode(last.encode()).decode().rstrip("=")
            query = params.copy()
            query["cursor"] = token
            next_url = request.build_absolute_uri(request.path + "?" + query.urlencode())
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            head = ["division", "name", "level", "numerator", "denominator", "value"]
            writer.writerow([*head, "target", "computed_at"] + (["station"] if per_station else []))
            for r in rows:
                d = r.to_json()
                d["name"] = csv_safe(d["name"])  # a name a bureau typed is never a spreadsheet formula
                writer.writerow(
                    [d[k] for k in head]
                    + [d["target"] or "", d["computed_at"]]
                    + ([d["station"]] if per_station else [])
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
