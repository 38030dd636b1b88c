"""Endpoints of money: budgets, spending and disbursements (scoped viewsets), and what the policy says about money
(``/api/v1/funding/relief-cap/``, ``…/categories/``, ``…/estimate/``: the division loaded through the door)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import authed_user
from core.api import ScopedModelViewSet, run_action, validated
from stations.api.params import division_code_param
from stations.models import Division, Station
from stations.selectors import access_division

from .. import actions
from ..models import Budget, Disbursement, Expenditure, ReliefBase
from ..policy import categories, estimate, relief_cap
from .serializers import (
    BudgetCreateSerializer,
    BudgetLinesSerializer,
    BudgetSerializer,
    DisbursementSerializer,
    ExpenditureCreateSerializer,
    ExpenditureSerializer,
    PaySerializer,
    ReliefBaseCreateSerializer,
    ReliefBaseSerializer,
    ReturnSerializer,
)

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


# --- budgets, spending, disbursements ------------------------------------------------------------------------------


def _year_filter(qs: Any, request: Request, field: str) -> Any:
    year = request.query_params.get("year")
    if year is None:
        return qs
    if not (len(year) == 4 and year.isdigit()):
        raise ValidationError({"year": ["年份须为四位数字，例如 2026。"]})
    return qs.filter(**{field: int(year)})


class _Fresh:
    def _fresh(self, obj: Any, code: int = 200) -> Response:
        view: Any = self
        user = view.request.user
        qs = view.get_queryset_for(user)
        return Response(
            view.get_serializer_class()(qs.get(pk=obj.pk), context=view.get_serializer_context()).data, status=code
        )


def _lines_with_totals() -> Any:
    from django.db.models import DecimalField, Prefetch, Q, Sum, Value
    from django.db.models.functions import Coalesce

    from ..models import BudgetLine, Expenditure

    zero = Value(Decimal("0.00"), output_field=DecimalField())

    def total(status: str) -> Any:
        return Coalesce(
            Sum("expenditures__amount", filter=Q(expenditures__status=status)), zero, output_field=DecimalField()
        )

    return Prefetch(
        "lines",
        queryset=BudgetLine.objects.annotate(
            approved=total(Expenditure.Status.APPROVED), pending=total(Expenditure.Status.RECORDED)
        ).order_by("kind", "pk"),
    )


class BudgetFilterSet(django_filters.FilterSet):
    station = django_filters.NumberFilter(field_name="station_id", label="站点 id")
    status = django_filters.ChoiceFilter(choices=Budget.Status.choices, label="状态")

    class Meta:
        model = Budget
        fields = ["station", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="站点年度经费预算列表",
        description="每站每年的预算科目（按科目、支出类别、资金来源）及执行情况；?year=YYYY 按年度筛选。金额单位：元。",
        parameters=[OpenApiParameter("year", int, description="预算年度")],
    ),
    retrieve=extend_schema(summary="站点年度经费预算详情"),
)
@extend_schema(tags=["项目经费"])
class BudgetViewSet(_Fresh, ScopedModelViewSet):
    queryset = Budget.objects.select_related("station")
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilterSet
    write_actions = {
        "create": actions.budget_propose,
        "lines": actions.budget_update,
        "approve": actions.budget_approve,
    }

    def get_queryset(self) -> QuerySet[Budget]:
        return _year_filter(super().get_queryset().prefetch_related(_lines_with_totals()), self.request, "year")

    def get_queryset_for(self, user: Any) -> QuerySet[Budget]:
        return Budget.objects.select_related("station").prefetch_related(_lines_with_totals()).for_user(user)  # type: ignore[attr-defined,no-any-return]

    @extend_schema(request=BudgetCreateSerializer, responses=BudgetSerializer, summary="按政策标准编制预算草稿")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(BudgetCreateSerializer, request)
        user = authed_user(request)
        station = Station.objects.for_user(user).filter(pk=data["station"]).first()  # type: ignore[attr-defined]
        if station is None:
            raise NotFound("站点不存在或不在您的权限范围内。")
        obj = run_action(
            lambda: actions.budget_propose(
                acting_user=user, station=station, year=data["year"], first_year=data.get("first_year")
            )
        )
        return self._fresh(obj, 201)

    @extend_schema(request=BudgetLinesSerializer, responses=BudgetSerializer, summary="修改预算科目（整体替换）")
    @action(detail=True, methods=["post"])
    def lines(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Budget, self.get_object())
        rows = validated(BudgetLinesSerializer, request)["lines"]
        lines = [{**dict(r), "amount": str(r["amount"])} for r in rows]
        run_action(lambda: actions.budget_update(acting_user=authed_user(request), budget=obj, lines=lines))
        return self._fresh(obj)

    @extend_schema(request=None, responses=BudgetSerializer, summary="批准预算（核对救助资金上限和人力成本占比）")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Budget, self.get_object())
        run_action(lambda: actions.budget_approve(acting_user=authed_user(request), budget=obj))
        return self._fresh(obj)


class ExpenditureFilterSet(django_filters.FilterSet):
    budget = django_filters.NumberFilter(field_name="budget_id", label="预算 id")
    status = django_filters.ChoiceFilter(choices=Expenditure.Status.choices, label="状态")

    class Meta:
        model = Expenditure
        fields = ["budget", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="经费支出列表",
        description="机构登记的支出及其票据、审核状态；?year=YYYY 按预算年度筛选。金额单位：元。",
        parameters=[OpenApiParameter("year", int, description="预算年度")],
    ),
    retrieve=extend_schema(summary="经费支出详情"),
)
@extend_schema(tags=["项目经费"])
class ExpenditureViewSet(_Fresh, ScopedModelViewSet):
    queryset = Expenditure.objects.select_related("budget__station")
    serializer_class = ExpenditureSerializer
    filterset_class = ExpenditureFilterSet
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    write_actions = {
        "create": actions.expenditure_record,
        "approve": actions.expenditure_approve,
        "return_expenditure": actions.expenditure_return,
    }

    def get_queryset(self) -> QuerySet[Expenditure]:
        return _year_filter(super().get_queryset(), self.request, "budget__year")

    def get_queryset_for(self, user: Any) -> QuerySet[Expenditure]:
        return Expenditure.objects.select_related("budget__station").for_user(user)  # type: ignore[attr-defined,no-any-return]

    @extend_schema(
        request={"multipart/form-data": ExpenditureCreateSerializer},
        responses=ExpenditureSerializer,
        summary="登记经费支出（附票据）",
        description="政策禁止的支出类别（如泸州的水电费、物业费、装修改造、固定资产）会被拒绝并说明条款。",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(ExpenditureCreateSerializer, request)
        user = authed_user(request)
        budget = Budget.objects.for_user(user).filter(pk=data.pop("budget")).first()  # type: ignore[attr-defined]
        if budget is None:
            raise NotFound("预算不存在或不在您的权限范围内。")
        line = budget.lines.filter(pk=data.pop("line")).first()
        if line is None:
            raise ValidationError({"line": ["请选择本预算的科目。"]})
        obj = run_action(lambda: actions.expenditure_record(acting_user=user, budget=budget, line=line, **data))
        return self._fresh(obj, 201)

    @extend_schema(request=None, responses=ExpenditureSerializer, summary="核准支出")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Expenditure, self.get_object())
        run_action(lambda: actions.expenditure_approve(acting_user=authed_user(request), expenditure=obj))
        return self._fresh(obj)

    @extend_schema(request=ReturnSerializer, responses=ExpenditureSerializer, summary="退回支出")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_expenditure(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Expenditure, self.get_object())
        note = validated(ReturnSerializer, request)["note"]
        run_action(lambda: actions.expenditure_return(acting_user=authed_user(request), expenditure=obj, note=note))
        return self._fresh(obj)


class DisbursementFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Disbursement.Kind.choices, label="类别")
    status = django_filters.ChoiceFilter(choices=Disbursement.Status.choices, label="状态")

    class Meta:
        model = Disbursement
        fields = ["kind", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="资金拨付列表",
        description="协议各期拨付和南通分散特困人员探视照料补贴（按人数和自理能力测算）；?year=YYYY 按年度筛选。",
        parameters=[OpenApiParameter("year", int, description="年度")],
    ),
    retrieve=extend_schema(summary="资金拨付详情"),
)
@extend_schema(tags=["项目经费"])
class DisbursementViewSet(_Fresh, ScopedModelViewSet):
    queryset = Disbursement.objects.select_related("division", "contract")
    serializer_class = DisbursementSerializer
    filterset_class = DisbursementFilterSet
    write_actions = {"pay": actions.disbursement_pay}

    def get_queryset(self) -> QuerySet[Disbursement]:
        return _year_filter(super().get_queryset(), self.request, "year")

    def get_queryset_for(self, user: Any) -> QuerySet[Disbursement]:
        return Disbursement.objects.select_related("division", "contract").for_user(user)  # type: ignore[attr-defined,no-any-return]

    @extend_schema(request=PaySerializer, responses=DisbursementSerializer, summary="登记已拨付")
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Disbursement, self.get_object())
        data = validated(PaySerializer, request)
        run_action(lambda: actions.disbursement_pay(acting_user=authed_user(request), disbursement=obj, **data))
        return self._fresh(obj)


class ReliefBaseFilterSet(django_filters.FilterSet):
    division = django_filters.CharFilter(field_name="division_id", label="县级区划代码")

    class Meta:
        model = ReliefBase
        fields = ["division"]


@extend_schema_view(
    list=extend_schema(
        summary="救助资金计算基数列表",
        description="县级民政部门填报的困难群众救助资金计算基数（本地政策规定的基数：大田为当年救助资金预算，"
        "泸州为上年度救助资金支出），及夜间核对的已批准使用额和上限；?year=YYYY 按年度筛选。只有民政部门可见。",
        parameters=[OpenApiParameter("year", int, description="年度")],
    ),
    retrieve=extend_schema(summary="救助资金计算基数详情"),
)
@extend_schema(tags=["项目经费"])
class ReliefBaseViewSet(_Fresh, ScopedModelViewSet):
    queryset = ReliefBase.objects.select_related("division")
    serializer_class = ReliefBaseSerializer
    filterset_class = ReliefBaseFilterSet
    write_actions = {"create": actions.relief_base_set}

    def get_queryset(self) -> QuerySet[ReliefBase]:
        return _year_filter(super().get_queryset(), self.request, "year")

    def get_queryset_for(self, user: Any) -> QuerySet[ReliefBase]:
        return ReliefBase.objects.select_related("division").for_user(user)  # type: ignore[attr-defined,no-any-return]

    @extend_schema(
        request=ReliefBaseCreateSerializer,
        responses=ReliefBaseSerializer,
        summary="填报救助资金计算基数（同一县同一年度再次填报即替换）",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(ReliefBaseCreateSerializer, request)
        user = authed_user(request)
        try:
            county = access_division(user, data["division"])
        except Http404:
            raise NotFound("区划不存在或不在您的权限范围内。") from None
        obj = run_action(
            lambda: actions.relief_base_set(
                acting_user=user,
                division=county,
                year=data["year"],
                amount=data["amount"],
                document=data.get("document", ""),
            )
        )
        return self._fresh(obj, 201)
