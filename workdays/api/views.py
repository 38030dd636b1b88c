"""The calendar API: count a deadline, list a year's days. Reference data: every known role may read it;
a user without a role gets 404 like any other object outside its scope."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.scoping import Action, Role, scope_of
from workdays.counting import MAX_AMOUNT, UNIT_LABELS, UNITS, weekday_label
from workdays.models import CalendarDay, CalendarYear
from workdays.selectors import due_date

from .serializers import DaysQuerySerializer, DeadlineQuerySerializer, DeadlineSerializer, YearDaysSerializer


def _require_role(request: Request) -> None:
    if scope_of(request.user).role == Role.NONE:
        raise NotFound("未找到。")


def _amount_param(unit: str) -> OpenApiParameter:
    return OpenApiParameter(
        unit,
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        required=False,
        description=f"按{UNIT_LABELS[unit]}计算的期间长度（1–{MAX_AMOUNT[unit]}）；四个期间参数只能提供一个。",
    )


@extend_schema(tags=["工作日历"])
class DeadlineView(APIView):
    @extend_schema(
        summary="计算期限",
        description=(
            "起算日当日不计入、自次日起算（民法典第二百零一条）；按月、年计算的，到期月的对应日为最后一日，"
            "没有对应日的为月末日（第二百零二条）；按自然日、月、年计算的最后一日是休息日的，顺延至其后第一个"
            "工作日（第二百零三条）。工作日跳过周末和法定节假日、计入调休上班日。计算需要尚未公布节假日安排的"
            "年度时，due 为 null，unknown_years 列出所需年度。"
        ),
        parameters=[
            OpenApiParameter(
                "start",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="起算事件发生之日，YYYY-MM-DD",
            ),
            *[_amount_param(unit) for unit in UNITS],
        ],
        responses={
            200: DeadlineSerializer,
            400: OpenApiResponse(description="缺少参数、同时提供多个期间参数、日期无效或数值超出范围"),
        },
        examples=[
            OpenApiExample(
                "国庆节前签订，15个工作日内备案",
                value={"start": "2026-09-28", "working_days": 15, "due": "2026-10-23", "unknown_years": []},
                response_only=True,
            ),
            OpenApiExample(
                "次年安排尚未公布",
                value={"start": "2026-12-20", "working_days": 15, "due": None, "unknown_years": [2027]},
                response_only=True,
            ),
        ],
    )
    def get(self, request: Request) -> Response:
        _require_role(request)
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        unit = data["unit"]
        deadline = due_date(data["start"], data["amount"], unit)
        answer = {
            "start": deadline.start,
            unit: deadline.amount,
            "due": deadline.due,
            "unknown_years": list(deadline.unknown_years),
        }
        return Response(DeadlineSerializer(answer).data)


@extend_schema(tags=["工作日历"])
class YearDaysView(APIView):
    @extend_schema(
        summary="年度放假与调休日",
        description="列出该年度的放假日和调休上班日，以及该年度的安排是否已完整收录（covered）。",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True, description="年度"),
        ],
        responses={200: YearDaysSerializer, 400: OpenApiResponse(description="缺少或无效的 year 参数")},
    )
    def get(self, request: Request) -> Response:
        _require_role(request)
        query = DaysQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year_number: int = query.validated_data["year"]
        year = CalendarYear.objects.for_user(request.user, Action.VIEW).filter(year=year_number).first()
        days = list(
            CalendarDay.objects.for_user(request.user, Action.VIEW).filter(year_id=year_number).order_by("date")
        )

        def rows(kind: str) -> list[dict[str, Any]]:
            return [{"date": d.date, "name": d.name, "weekday": weekday_label(d.date)} for d in days if d.kind == kind]

        answer = {
            "year": year_number,
            "covered": bool(year and year.complete),
            "notice": year.notice if year else "",
            "source": year.source if year else "",
            "off_days": rows(CalendarDay.Kind.OFF),
            "workdays": rows(CalendarDay.Kind.WORKDAY),
        }
        return Response(YearDaysSerializer(answer).data)
