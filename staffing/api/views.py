"""API of resident social workers and of the staffing questions (eligibility, requirement, adequacy)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import authed_user
from accounts.models import User
from core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, run_action, validated
from core.personal.api import UnmaskActionMixin
from core.scoping import Action, Role, scope_of
from staffing import actions
from staffing.models import Assignment, Certificate, RecruitmentPlan, SocialWorker
from staffing.policy import Candidate, StaffMember, adequacy, eligibility, requirement
from staffing.selectors import station_adequacy, village_count
from stations.models import Station
from stations.selectors import access_division

from .serializers import (
    AdequacyQuestionSerializer,
    AssignSerializer,
    CertificateWriteSerializer,
    EligibilityQuestionSerializer,
    LabourContractWriteSerializer,
    PayWriteSerializer,
    RecruitmentPlanSerializer,
    ReleaseSerializer,
    SocialWorkerDetailSerializer,
    SocialWorkerSerializer,
    TrainingWriteSerializer,
    WorkerWriteSerializer,
)


def worker_queryset() -> Any:
    return SocialWorker.objects.select_related("agency").prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("obtained_on", "pk")),
        Prefetch("assignments", queryset=Assignment.objects.select_related("station").order_by("-start_date", "pk")),
    )


@extend_schema_view(
    list=extend_schema(
        summary="驻站社工列表",
        description="社工机构：本机构的社工；乡镇：在本乡镇站点工作的社工；民政部门：辖区内；评估机构：获授权的社工。身份证号码和电话已脱敏。",
    ),
    retrieve=extend_schema(summary="驻站社工详情（含证书和派驻记录）"),
)
@extend_schema(tags=["驻站社工"])
class SocialWorkerViewSet(UnmaskActionMixin, ScopedModelViewSet):
    queryset = worker_queryset()
    serializer_class = SocialWorkerSerializer
    write_actions = {
        "create": actions.worker_create,
        "partial_update": actions.worker_update,
        "assign": actions.worker_assign,
        "release": actions.worker_release,
        "certificates": actions.certificate_add,
        "unmask": "staffing.socialworker.unmask",  # declared by core.personal (StaffingConfig.ready)
        "labour_contracts": actions.labour_contract_add,
        "pay": actions.pay_add,
        "training": actions.training_add,
    }

    def get_serializer_class(self) -> Any:
        return SocialWorkerDetailSerializer if self.action == "retrieve" else SocialWorkerSerializer

    def _fresh(self, worker: SocialWorker, code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        obj = worker_queryset().for_user(user).with_permissions(user, ["change", "unmask"]).get(pk=worker.pk)
        return Response(SocialWorkerDetailSerializer(obj, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=WorkerWriteSerializer, responses=SocialWorkerDetailSerializer, summary="登记驻站社工")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = WorkerWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated()
        worker = run_action(lambda: actions.worker_create(acting_user=authed_user(request), data=data))
        return self._fresh(worker, status.HTTP_201_CREATED)

    @extend_schema(
        request=WorkerWriteSerializer(partial=True), responses=SocialWorkerDetailSerializer, summary="修改社工信息"
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        worker = cast(SocialWorker, self.get_object())
        payload = WorkerWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated()
        run_action(lambda: actions.worker_update(acting_user=authed_user(request), worker=worker, data=data))
        return self._fresh(worker)

    @extend_schema(request=AssignSerializer, responses=SocialWorkerDetailSerializer, summary="派驻到站")
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, public_id: Any = None) -> Response:
        worker = cast(SocialWorker, self.get_object())
        data = validated(AssignSerializer, request)
        station = Station.objects.for_user(request.user).filter(pk=data["station"]).first()
        if station is None:
            raise ValidationError({"station": "只能派驻到本机构承接（协议履行中）的站点。"})
        run_action(
            lambda: actions.worker_assign(
                acting_user=authed_user(request),
                worker=worker,
                station=station,
                role=data["role"],
                start_date=data["start_date"],
            )
        )
        return self._fresh(worker)

    @extend_schema(request=ReleaseSerializer, responses=SocialWorkerDetailSerializer, summary="离岗或更换")
    @action(detail=True, methods=["post"])
    def release(self, request: Request, public_id: Any = None) -> Response:
        worker = cast(SocialWorker, self.get_object())
        data = validated(ReleaseSerializer, request)
        successor = None
        if data.get("successor"):
            successor = (
                SocialWorker.objects.for_user(request.user, Action.CHANGE).filter(public_id=data["successor"]).first()
            )
            if successor is None:
                raise ValidationError({"successor": "接替人不存在或不是本机构的社工。"})
        data["successor"] = successor
        run_action(lambda: actions.worker_release(acting_user=authed_user(request), worker=worker, **data))
        return self._fresh(worker)

    @extend_schema(request=CertificateWriteSerializer, responses=SocialWorkerDetailSerializer, summary="登记证书")
    @action(detail=True, methods=["post"])
    def certificates(self, request: Request, public_id: Any = None) -> Response:
        worker = cast(SocialWorker, self.get_object())
        data = validated(CertificateWriteSerializer, request)
        run_action(lambda: actions.certificate_add(acting_user=authed_user(request), worker=worker, **data))
        return self._fresh(worker)

    @extend_schema(
        request=LabourContractWriteSerializer,
        responses=SocialWorkerDetailSerializer,
        summary="登记劳动合同",
        description="开始日期与已登记合同相同的，视为变更该合同（如将试用期缩短到政策上限以内），留有审计记录。",
    )
    @action(detail=True, methods=["post"], url_path="labour-contracts")
    def labour_contracts(self, request: Request, public_id: Any = None) -> Response:
        worker = cast(SocialWorker, self.get_object())
        data = validated(LabourContractWriteSerializer, request)
        run_action(
            lambda: actions.labour_contract_add(
                acting_user=authed_user(request),
                worker=worker,
                start_date=data["start_date"],
                end_date=data.get("end_date"),
                probation_months=data["probation_months"],
            )
        )
        return self._fresh(worker)

    @extend_schema(
        request=PayWriteSerializer,
        responses=SocialWorkerDetailSerializer,
        summary="登记工资与社保",
        description="该月已登记的，再次登记即更正该月记录（如补记提取的绩效考核工资），留有审计记录。",
    )
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, public_id: Any = None) -> Response:
        worker = cast(SocialWorker, self.get_object())
        data = validated(PayWriteSerializer, request)
        run_action(lambda: actions.pay_add(acting_user=authed_user(request), worker=worker, **data))
        return self._fresh(worker)

    @extend_schema(request=TrainingWriteSerializer, responses=SocialWorkerDetailSerializer, summary="登记培训与督导")
    @action(detail=True, methods=["post"])
    def training(self, request: Request, public_id: Any = None) -> Response:
        worker = cast(SocialWorker, self.get_object())
        data = validated(TrainingWriteSerializer, request)
        run_action(lambda: actions.training_add(acting_user=authed_user(request), worker=worker, **data))
        return self._fresh(worker)

    @extend_schema(
        summary="用工情况核对",
        description="按生效政策核对该社工某年度的劳动合同、工资与社保、薪酬目标、培训督导时长；year 默认为本年。",
        parameters=[OpenApiParameter("year", int, required=False, description="年度")],
        responses={200: dict},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def employment(self, request: Request, public_id: Any = None) -> Response:
        from django.utils import timezone

        from staffing.employment import employment_findings
        from staffing.policy import finding_json

        worker = cast(SocialWorker, self.get_object())
        today = timezone.localdate()
        raw = request.query_params.get("year") or str(today.year)
        if not raw.isdigit() or not 2000 <= int(raw) <= today.year:
            raise ValidationError({"year": [f"年度应在 2000 至 {today.year} 之间。"]})
        findings = employment_findings(worker, int(raw), today)
        return Response({"year": int(raw), "findings": [finding_json(f) for f in findings]})

    def get_queryset(self) -> QuerySet[SocialWorker]:
        qs = super().get_queryset()
        station = self.request.query_params.get("station")
        if station and station.isdigit() and len(station) < 10 and self.action == "list":
            qs = qs.filter(station_id=int(station))
        return qs


def _division_or_404(user: User, code: str) -> Any:
    try:
        return access_division(user, code)
    except Http404:
        raise NotFound("区划不存在或不在您的权限范围内。") from None


class EligibilityView(APIView):
    """``POST /api/v1/staffing/eligibility/``: screen a candidate against the effective policy (nothing is stored)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["驻站社工"],
        summary="驻站社工招聘资格审查",
        description="按区划生效政策逐条审查年龄、学历、证书（或取证期限）、兼职经验，并列出优先条件；不保存任何数据。",
        request=EligibilityQuestionSerializer,
        responses={200: dict},
    )
    def post(self, request: Request) -> Response:
        data = validated(EligibilityQuestionSerializer, request)
        _division_or_404(authed_user(request), data["division"])
        cert = data.get("certificate") or {}
        result = eligibility(
            Candidate(
                division=data["division"],
                on=data["on"],
                birth_date=data["birth_date"],
                education=data["education"],
                major=data.get("major", ""),
                social_work_major=data.get("social_work_major", False),
                certificate_level=cert.get("level"),
                certificate_date=cert.get("date"),
                household_division=data.get("household_division") or "",
                employment=data["employment"],
                experience_months=data.get("experience_months"),
                graduation_year=data.get("graduation_year"),
            )
        )
        response = Response(result.to_json())
        response["Cache-Control"] = "no-store"
        return response


def _township(user: User, code: str) -> str:
    if not (code.isdigit() and len(code) == 9):
        raise ValidationError({"division": ["请提供乡镇（街道）的 9 位区划代码。"]})
    return _division_or_404(user, code).code


class RequirementView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["驻站社工"],
        summary="乡镇社工站人员配备需求",
        description=(
            "按生效政策计算乡镇（街道）社工站应配备的站长、社工（不含站长）和持证专职人数；villages 可用于规划。"
        ),
        parameters=[
            OpenApiParameter("division", str, required=True, description="乡镇（街道）9 位区划代码"),
            OpenApiParameter("villages", int, required=False, description="按此村（社区）数规划（默认取实际数）"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        code = _township(authed_user(request), (request.query_params.get("division") or "").strip())
        raw = request.query_params.get("villages")
        if raw not in (None, ""):
            if not str(raw).isdigit() or int(str(raw)) > 1000:
                raise ValidationError({"villages": ["村（社区）数应为 0 至 1000 的整数。"]})
            villages = int(str(raw))
        else:
            villages = village_count(code)
        return Response(requirement(code, villages).to_json())


class AdequacyCheckView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["驻站社工"],
        summary="核对一支队伍是否符合配备标准",
        request=AdequacyQuestionSerializer,
        responses={200: dict},
    )
    def post(self, request: Request) -> Response:
        data = validated(AdequacyQuestionSerializer, request)
        code = _township(authed_user(request), data["division"])
        villages = data.get("villages")
        if villages is None:
            villages = village_count(code)
        staff = [StaffMember(role=m["role"], certificate=m.get("certificate")) for m in data["staff"]]
        return Response(adequacy(code, staff, villages, volunteers=data.get("volunteers") or 0).to_json())


class AdequacyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["驻站社工"],
        summary="辖区内各社工站人员配备情况",
        parameters=[OpenApiParameter("division", str, required=True, description="区划代码（须在权限范围内）")],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        code = (request.query_params.get("division") or "").strip()
        if not (code.isdigit() and len(code) in (2, 4, 6, 9)):
            raise ValidationError({"division": ["区划代码应为 2、4、6 或 9 位数字。"]})
        _division_or_404(authed_user(request), code)
        stations = list(
            Station.objects.for_user(request.user)
            .filter(level=Station.Level.TOWNSHIP, division__pk__startswith=code)
            .exclude(status=Station.Status.CLOSED)
            .order_by("division_id")
        )
        rows = [
            {
                "station": s.pk,
                "name": s.name,
                "division": s.division_id,
                "villages": villages,
                "staff": len(members),
                **result.to_json(),
            }
            for s, members, result, villages in station_adequacy(stations)
        ]
        return Response({"division": code, "stations": rows, "adequate": all(r["adequate"] for r in rows)})


@extend_schema_view(
    list=extend_schema(
        summary="驻站社工招聘方案列表",
        description=(
            "社工机构：本机构的方案（含草稿）；民政部门：辖区内已报备的方案；乡镇（街道）：列有本乡镇站点的已报备方案"
            "（只读）。stations 只列调用者可查看的站点，other_stations 为方案所列的其他站点数。按年度倒序。"
        ),
    ),
    retrieve=extend_schema(summary="驻站社工招聘方案详情"),
)
@extend_schema(tags=["驻站社工"])
class RecruitmentPlanViewSet(ScopedReadOnlyViewSet):
    """Read only: plans are made, filed and acknowledged on the pages (declared actions)."""

    queryset = RecruitmentPlan.objects.select_related("agency", "division")
    serializer_class = RecruitmentPlanSerializer

    def get_queryset(self) -> QuerySet[RecruitmentPlan]:
        qs = super().get_queryset()
        if scope_of(self.request.user).role not in (Role.AGENCY, Role.ADMIN):
            qs = qs.exclude(state=RecruitmentPlan.State.DRAFT)  # a draft is the agency's own until filed
        # The stations named that the caller sees (a township: its own), and how many there are in all.
        seen = Station.objects.for_user(self.request.user).order_by("division_id", "pk")
        return (
            qs.prefetch_related(Prefetch("stations", queryset=seen))
            .annotate(station_count=Count("stations"))
            .order_by("-year", "division_id", "pk")
        )
