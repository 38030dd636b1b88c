"""API for procurements and three-party agreements: reads through ``for_user``, writes through declared actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import authed_user
from contracts import actions
from contracts.filtersets import ContractFilterSet, ProcurementFilterSet
from contracts.models import Amendment, Bidder, CareAgreement, Contract, Procurement
from core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, translate_django_errors
from core.scoping import ScopedQuerySet
from stations.models import Station

from .serializers import (
    AmendSerializer,
    AwardSerializer,
    BidderCreateSerializer,
    CareAgreementSerializer,
    ContractDetailSerializer,
    ContractSerializer,
    FileSerializer,
    ProcurementCreateSerializer,
    ProcurementSerializer,
    ReceiveFilingSerializer,
    SignSerializer,
    TaskBookSerializer,
    TerminateSerializer,
    TermsSerializer,
)


def contract_queryset() -> ScopedQuerySet:
    # Parties and division joined in the page query, station ids and amendments in prefetches: no N+1.
    return Contract.objects.select_related("buyer", "township", "agency", "division", "task_book").prefetch_related(
        Prefetch("stations", queryset=Station.objects.only("id")),
        Prefetch(
            "amendments",
            queryset=Amendment.objects.prefetch_related(
                Prefetch("stations_added", queryset=Station.objects.only("id")),
                Prefetch("stations_removed", queryset=Station.objects.only("id")),
            ),
        ),
    )


def procurement_queryset() -> ScopedQuerySet:
    return Procurement.objects.select_related("buyer", "division").prefetch_related(
        Prefetch("bidders", queryset=Bidder.objects.select_related("agency"))
    )


def _run(func: Callable[[], Any]) -> Any:
    try:
        return func()
    except (DjangoValidationError, DjangoPermissionDenied) as exc:
        raise translate_django_errors(exc) from exc


def _payload(cls: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    payload = cls(data=request.data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


@extend_schema_view(
    list=extend_schema(summary="政府采购项目列表", description="当前用户权限范围内的采购项目（民政部门）。"),
    retrieve=extend_schema(summary="政府采购项目详情"),
)
@extend_schema(tags=["三方协议"])
class ProcurementViewSet(ScopedModelViewSet):
    queryset = procurement_queryset()
    serializer_class = ProcurementSerializer
    filterset_class = ProcurementFilterSet
    write_actions = {
        "create": actions.procurement_create,
        "bidders": actions.procurement_add_bidder,
        "award": actions.procurement_award,
    }

    def _fresh(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        obj = procurement_queryset().for_user(user).with_permissions(user, ["change"]).get(pk=pk)
        return Response(ProcurementSerializer(obj, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ProcurementCreateSerializer, responses=ProcurementSerializer, summary="新建采购项目")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _payload(ProcurementCreateSerializer, request)
        procurement = Procurement(buyer_id=cast(int, getattr(request.user, "organisation_id", None)), **data)
        _run(lambda: actions.procurement_create(acting_user=authed_user(request), procurement=procurement))
        return self._fresh(procurement.pk, status.HTTP_201_CREATED)

    @extend_schema(request=BidderCreateSerializer, responses=ProcurementSerializer, summary="登记响应供应商")
    @action(detail=True, methods=["post"])
    def bidders(self, request: Request, pk: Any = None) -> Response:
        procurement = cast(Procurement, self.get_object())
        data = _payload(BidderCreateSerializer, request)
        _run(lambda: actions.procurement_add_bidder(acting_user=authed_user(request), procurement=procurement, **data))
        return self._fresh(procurement.pk)

    @extend_schema(request=AwardSerializer, responses=ProcurementSerializer, summary="确定成交供应商")
    @action(detail=True, methods=["post"])
    def award(self, request: Request, pk: Any = None) -> Response:
        procurement = cast(Procurement, self.get_object())
        data = _payload(AwardSerializer, request)
        bidder = procurement.bidders.filter(pk=data.pop("bidder")).first()
        if bidder is None:
            raise serializers.ValidationError({"bidder": "成交供应商须为本项目的响应供应商。"})
        _run(
            lambda: actions.procurement_award(
                acting_user=authed_user(request), procurement=procurement, bidder=bidder, **data
            )
        )
        return self._fresh(procurement.pk)


@extend_schema_view(
    list=extend_schema(
        summary="三方服务协议列表", description="当前用户权限范围内的协议；社工机构只看到本机构承接的协议。"
    ),
    retrieve=extend_schema(summary="三方服务协议详情（含按工作日历计算的期限）"),
)
@extend_schema(tags=["三方协议"])
class ContractViewSet(ScopedModelViewSet):
    queryset = contract_queryset()
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    write_actions = {
        "sign": actions.contract_sign,
        "file": actions.contract_file,
        "activate": actions.contract_activate,
        "expire": actions.contract_expire,
        "terminate": actions.contract_terminate,
        "amend": actions.contract_amend,
        "task_book": actions.task_book_save,
        "confirm_task_book": actions.task_book_confirm,
        "receive_filing": actions.contract_receive_filing,
        "terms": actions.terms_save,
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ContractDetailSerializer if self.action == "retrieve" else ContractSerializer

    def _fresh(self, pk: int) -> Response:
        user = self.request.user
        obj = contract_queryset().for_user(user).with_permissions(user, ["change"]).get(pk=pk)
        return Response(ContractDetailSerializer(obj, context=self.get_serializer_context()).data)

    def _act(
        self, request: Request, func: Callable[..., Any], payload: type[serializers.Serializer] | None
    ) -> Response:
        contract = cast(Contract, self.get_object())
        data = _payload(payload, request) if payload is not None else {}
        _run(lambda: func(acting_user=request.user, contract=contract, **data))
        return self._fresh(contract.pk)

    @extend_schema(request=SignSerializer, responses=ContractDetailSerializer, summary="签订协议")
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.contract_sign, SignSerializer)

    @extend_schema(request=FileSerializer, responses=ContractDetailSerializer, summary="报备协议")
    @action(detail=True, methods=["post"])
    def file(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.contract_file, FileSerializer)

    @extend_schema(request=None, responses=ContractDetailSerializer, summary="协议生效")
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.contract_activate, None)

    @extend_schema(request=None, responses=ContractDetailSerializer, summary="协议到期")
    @action(detail=True, methods=["post"])
    def expire(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.contract_expire, None)

    @extend_schema(request=TerminateSerializer, responses=ContractDetailSerializer, summary="终止协议")
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.contract_terminate, TerminateSerializer)

    @extend_schema(request=AmendSerializer, responses=ContractDetailSerializer, summary="变更协议（补充协议）")
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: Any = None) -> Response:
        contract = cast(Contract, self.get_object())
        data = _payload(AmendSerializer, request)
        ids = [*data["stations_added"], *data["stations_removed"]]
        stations = {s.pk: s for s in Station.objects.for_user(request.user).filter(pk__in=ids)}
        if any(i not in stations for i in ids):
            raise serializers.ValidationError({"stations_added": "站点不存在或不在您的权限范围内。"})
        data["stations_added"] = [stations[i] for i in data["stations_added"]]
        data["stations_removed"] = [stations[i] for i in data["stations_removed"]]
        _run(lambda: actions.contract_amend(acting_user=authed_user(request), contract=contract, **data))
        return self._fresh(contract.pk)

    @extend_schema(request=TaskBookSerializer, responses=ContractDetailSerializer, summary="编写项目任务书")
    @action(detail=True, methods=["post"], url_path="task-book")
    def task_book(self, request: Request, pk: Any = None) -> Response:
        contract = cast(Contract, self.get_object())
        data = _payload(TaskBookSerializer, request)
        _run(lambda: actions.task_book_save(acting_user=authed_user(request), contract=contract, sections=data))
        return self._fresh(contract.pk)

    @extend_schema(request=None, responses=ContractDetailSerializer, summary="确认项目任务书")
    @action(detail=True, methods=["post"], url_path="task-book/confirm")
    def confirm_task_book(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.task_book_confirm, None)

    @extend_schema(
        request=TermsSerializer, responses=ContractDetailSerializer, summary="拨付安排、绩效指标与违约责任（草拟时）"
    )
    @action(detail=True, methods=["post"])
    def terms(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.terms_save, TermsSerializer)

    @extend_schema(
        request=ReceiveFilingSerializer, responses=ContractDetailSerializer, summary="确认收到报备（市、省民政部门）"
    )
    @action(detail=True, methods=["post"], url_path="receive-filing")
    def receive_filing(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, actions.contract_receive_filing, ReceiveFilingSerializer)

    @extend_schema(request=None, responses={200: dict}, summary="协议的 OCDS 1.1 发布包（release package）")
    @action(detail=True, methods=["get"])
    def ocds(self, request: Request, pk: Any = None) -> Response:
        from contracts.ocds import release_package

        contract = cast(Contract, self.get_object())
        return Response(release_package(contract, request.build_absolute_uri()))


@extend_schema_view(
    list=extend_schema(
        summary="四方服务协议列表",
        description="当前用户权限范围内的四方服务协议（乡镇、村、社工站工作人员、分散特困供养人员）；"
        "人员姓名脱敏，不满十四周岁者的协议只对县民政局和承接机构可见。?state= 按状态筛选。",
        parameters=[
            OpenApiParameter("state", str, enum=[v for v, _ in CareAgreement.Status.choices], description="状态")
        ],
    ),
    retrieve=extend_schema(summary="四方服务协议详情"),
)
@extend_schema(tags=["三方协议"])
class CareAgreementViewSet(ScopedReadOnlyViewSet):
    queryset = CareAgreement.objects.select_related("township", "village", "station", "worker", "beneficiary")
    serializer_class = CareAgreementSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        state = self.request.query_params.get("state", "")
        if state:
            if state not in CareAgreement.Status.values:
                raise serializers.ValidationError({"state": "状态取值无效。"})
            qs = qs.filter(status=state)
        return qs.order_by("-start_date", "number", "pk")
