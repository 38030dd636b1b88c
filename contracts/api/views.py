"""API for procurements and three-party agreements: reads through ``for_user``, writes through declared actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

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
from core.api import ScopedModelViewSet, run_action, validated
from core.scoping import ScopedQuerySet
from stations.models import Station

from .serializers import (
    AmendSerializer,
    AwardSerializer,
    BidderCreateSerializer,
    CareAgreementSerializer,
    CareAgreementWriteSerializer,
    CareEndSerializer,
    CareSignSerializer,
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
        data = validated(ProcurementCreateSerializer, request)
        procurement = Procurement(buyer_id=cast(int, getattr(request.user, "organisation_id", None)), **data)
        run_action(lambda: actions.procurement_create(acting_user=authed_user(request), procurement=procurement))
        return self._fresh(procurement.pk, status.HTTP_201_CREATED)

    @extend_schema(request=BidderCreateSerializer, responses=ProcurementSerializer, summary="登记响应供应商")
    @action(detail=True, methods=["post"])
    def bidders(self, request: Request, pk: Any = None) -> Response:
        procurement = cast(Procurement, self.get_object())
        data = validated(BidderCreateSerializer, request)
        run_action(
            lambda: actions.procurement_add_bidder(acting_user=authed_user(request), procurement=procurement, **data)
        )
        return self._fresh(procurement.pk)

    @extend_schema(request=AwardSerializer, responses=ProcurementSerializer, summary="确定成交供应商")
    @action(detail=True, methods=["post"])
    def award(self, request: Request, pk: Any = None) -> Response:
        procurement = cast(Procurement, self.get_object())
        data = validated(AwardSerializer, request)
        bidder = procurement.bidders.filter(pk=data.pop("bidder")).first()
        if bidder is None:
            raise serializers.ValidationError({"bidder": "成交供应商须为本项目的响应供应商。"})
        run_action(
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
        data = validated(payload, request) if payload is not None else {}
        run_action(lambda: func(acting_user=request.user, contract=contract, **data))
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
        data = validated(AmendSerializer, request)
        ids = [*data["stations_added"], *data["stations_removed"]]
        stations = {s.pk: s for s in Station.objects.for_user(request.user).filter(pk__in=ids)}
        if any(i not in stations for i in ids):
            raise serializers.ValidationError({"stations_added": "站点不存在或不在您的权限范围内。"})
        data["stations_added"] = [stations[i] for i in data["stations_added"]]
        data["stations_removed"] = [stations[i] for i in data["stations_removed"]]
        run_action(lambda: actions.contract_amend(acting_user=authed_user(request), contract=contract, **data))
        return self._fresh(contract.pk)

    @extend_schema(request=TaskBookSerializer, responses=ContractDetailSerializer, summary="编写项目任务书")
    @action(detail=True, methods=["post"], url_path="task-book")
    def task_book(self, request: Request, pk: Any = None) -> Response:
        contract = cast(Contract, self.get_object())
        data = validated(TaskBookSerializer, request)
        run_action(lambda: actions.task_book_save(acting_user=authed_user(request), contract=contract, sections=data))
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


def care_queryset() -> ScopedQuerySet:
    return CareAgreement.objects.select_related("township", "village", "station", "worker", "beneficiary")


def _care_parties(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """The model's values from the API's: each party looked up in the caller's own scope (one query each); an id
    outside it answers like one that does not exist. The village decides the township, as on the page."""
    from accounts.models import Organisation
    from services.models import Beneficiary
    from staffing.models import SocialWorker
    from stations.models import Division

    user = request.user
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    missing = "不存在或不在您的权限范围内。"
    if "village" in data:
        village = Division.objects.for_user(user).filter(pk=data.pop("village"), level=Division.Level.VILLAGE).first()
        township = (
            Organisation.objects.for_user(user)
            .filter(kind=Organisation.Kind.TOWNSHIP, division_id=village.code[:9])
            .order_by("pk")
            .first()
            if village is not None
            else None
        )
        if village is None:
            errors["village"] = f"村（社区）{missing}"
        elif township is None:
            errors["village"] = "该村（社区）所在乡镇（街道）尚未在平台登记单位。"
        else:
            out["village_id"], out["township_id"] = village.code, township.pk
    lookups: list[tuple[str, Any, str, str]] = [
        ("station", Station.objects.filter(level=Station.Level.TOWNSHIP), "pk", "社工站"),
        ("worker", SocialWorker.objects.all(), "public_id", "工作人员"),
        ("beneficiary", Beneficiary.objects.all(), "public_id", "服务对象"),
    ]
    for name, qs, key, label in lookups:
        if name in data:
            pk = qs.for_user(user).filter(**{key: data.pop(name)}).values_list("pk", flat=True).first()
            if pk is None:
                errors[name] = f"{label}{missing}"
            else:
                out[f"{name}_id"] = pk
    if errors:
        raise serializers.ValidationError(errors)
    for name in ("number", "station_credit_code", "station_head_name"):
        if name in data:
            data[name] = data[name].strip().upper() if name == "station_credit_code" else data[name].strip()
    return {**data, **out}


@extend_schema_view(
    list=extend_schema(
        summary="四方服务协议列表",
        description="当前用户权限范围内的四方服务协议（乡镇、村、社工站工作人员、分散特困供养人员）；"
        "人员姓名脱敏，不满十四周岁者的协议只对县民政局和承接机构可见。?state= 按状态筛选。"
        "每条协议的 allowed_actions 列出当前用户此时可执行的操作。",
        parameters=[
            OpenApiParameter("state", str, enum=[v for v, _ in CareAgreement.Status.choices], description="状态")
        ],
    ),
    retrieve=extend_schema(summary="四方服务协议详情"),
)
@extend_schema(tags=["三方协议"])
class CareAgreementViewSet(ScopedModelViewSet):
    """Read in scope; write through the declared actions: create (draft), PATCH (a draft only), sign, end."""

    queryset = care_queryset()
    serializer_class = CareAgreementSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    write_actions = {
        "create": actions.care_agreement_create,
        "partial_update": actions.care_agreement_update,
        "sign": actions.care_agreement_sign,
        "end": actions.care_agreement_end,
    }

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        state = self.request.query_params.get("state", "")
        if state:
            if state not in CareAgreement.Status.values:
                raise serializers.ValidationError({"state": "状态取值无效。"})
            qs = qs.filter(status=state)
        return qs.order_by("-start_date", "number", "pk")

    def _fresh(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        obj = care_queryset().for_user(user).with_permissions(user, ["change"]).get(pk=pk)
        return Response(CareAgreementSerializer(obj, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=CareAgreementWriteSerializer, responses={201: CareAgreementSerializer}, summary="新建四方服务协议草稿"
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from rest_framework.exceptions import NotFound

        from core.actions import spec_of
        from core.scoping import scope_of

        if not spec_of("care_agreements.create").role_may(scope_of(request.user).role):
            raise NotFound("未找到。")  # a role that may not create learns nothing from the party lookups
        values = _care_parties(request, validated(CareAgreementWriteSerializer, request))
        agreement = CareAgreement(**values)
        run_action(lambda: actions.care_agreement_create(acting_user=authed_user(request), agreement=agreement))
        return self._fresh(agreement.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=CareAgreementWriteSerializer(partial=True),
        responses=CareAgreementSerializer,
        summary="修改四方服务协议草稿（仅草拟状态）",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = cast(CareAgreement, self.get_object())
        payload = CareAgreementWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        start = data.get("start_date", agreement.start_date)
        if data.get("end_date", agreement.end_date) < start:
            raise serializers.ValidationError({"end_date": "服务结束日期不能早于开始日期。"})
        values = _care_parties(request, data)
        run_action(
            lambda: actions.care_agreement_update(acting_user=authed_user(request), agreement=agreement, data=values)
        )
        return self._fresh(agreement.pk)

    @extend_schema(request=CareSignSerializer, responses=CareAgreementSerializer, summary="签订四方服务协议")
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: Any = None) -> Response:
        agreement = cast(CareAgreement, self.get_object())
        data = validated(CareSignSerializer, request)
        run_action(lambda: actions.care_agreement_sign(acting_user=authed_user(request), agreement=agreement, **data))
        return self._fresh(agreement.pk)

    @extend_schema(request=CareEndSerializer, responses=CareAgreementSerializer, summary="终止四方服务协议")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: Any = None) -> Response:
        agreement = cast(CareAgreement, self.get_object())
        data = validated(CareEndSerializer, request)
        run_action(lambda: actions.care_agreement_end(acting_user=authed_user(request), agreement=agreement, **data))
        return self._fresh(agreement.pk)
