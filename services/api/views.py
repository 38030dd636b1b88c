"""API for the service catalogue (public reference data, still read through ``for_user``)."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import authed_user
from accounts.models import User
from core.actions import verbs_of
from core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, run_action, validated
from core.filters import subtree_filter
from core.personal.api import UnmaskActionMixin
from services import actions
from services.filtersets import ServiceItemFilterSet
from services.models import (
    Beneficiary,
    Case,
    Escalation,
    IncubatedOrganisation,
    Referral,
    ServiceCatalogue,
    ServiceDomain,
    ServiceItem,
    ServicePhoto,
    ServiceRecord,
    StationServiceList,
    Visit,
    VolunteerTeam,
)
from services.selectors import due_this_week
from staffing.models import SocialWorker
from stations.models import Division, Station

from .serializers import (
    AdvanceSerializer,
    BeneficiarySerializer,
    BeneficiaryWriteSerializer,
    CaseCreateSerializer,
    CaseSerializer,
    CommentsSerializer,
    DueSerializer,
    EscalationSerializer,
    IncubatedOrganisationCreateSerializer,
    IncubatedOrganisationSerializer,
    ItemsSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    ResolveSerializer,
    ResponseSerializer,
    ServiceCatalogueSerializer,
    ServiceItemSerializer,
    ServiceRecordCreateSerializer,
    ServiceRecordSerializer,
    StationServiceListCreateSerializer,
    StationServiceListSerializer,
    VisitCreateSerializer,
    VisitSerializer,
    VolunteerTeamCreateSerializer,
    VolunteerTeamSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="服务项目列表", description="各服务清单中的服务项目及其操作指引。"),
    retrieve=extend_schema(summary="服务项目详情"),
)
@extend_schema(tags=["服务清单"])
class ServiceItemViewSet(ScopedReadOnlyViewSet):
    # Domain and catalogue joined in the page query: no N+1.
    queryset = ServiceItem.objects.select_related("domain__catalogue")
    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilterSet


@extend_schema_view(
    list=extend_schema(summary="服务清单列表", description="服务清单及其服务领域（含各领域服务项目数）。"),
    retrieve=extend_schema(summary="服务清单详情"),
)
@extend_schema(tags=["服务清单"])
class ServiceCatalogueViewSet(ScopedReadOnlyViewSet):
    queryset = ServiceCatalogue.objects.all()
    serializer_class = ServiceCatalogueSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[ServiceCatalogue]:
        # Domains of the whole page in one query, with their item counts annotated (no N+1).
        domains = (
            ServiceDomain.objects.for_user(self.request.user).annotate(item_count=Count("items")).order_by("order")
        )
        return super().get_queryset().prefetch_related(Prefetch("domains", queryset=domains))


# --- station service lists, beneficiaries, records, visits, cases, referrals (issue 10) ----------------------


def _station(user: User, pk: Any) -> Station:
    station = Station.objects.for_user(user).filter(pk=pk).first()
    if station is None:
        raise NotFound("站点不存在或不在您的权限范围内。")
    return station


def _beneficiary(user: User, public_id: Any) -> Beneficiary:
    person = Beneficiary.objects.for_user(user).filter(public_id=public_id).first()
    if person is None:
        raise NotFound("服务对象不存在或不在您的权限范围内。")
    return person


def _workers(user: User, ids: list[int] | None) -> list[SocialWorker] | None:
    if ids is None:
        return None
    found = list(SocialWorker.objects.for_user(user).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise serializers.ValidationError({"workers": "社工不存在或不在您的权限范围内。"})
    return found


class _Fresh:
    """Answer the object as the list would show it (re-read through for_user, with its allowed actions)."""

    def _fresh(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        view: Any = self
        user = view.request.user
        qs = view.queryset.all().for_user(user)
        verbs = verbs_of(qs.model)
        fresh = qs.with_permissions(user, verbs).get(pk=obj.pk) if verbs else qs.get(pk=obj.pk)
        return Response(view.get_serializer_class()(fresh, context=view.get_serializer_context()).data, status=code)


@extend_schema_view(
    list=extend_schema(
        summary="站点服务清单列表", description="各站从所适用的服务清单中选定的本站服务项目及确认情况。"
    ),
    retrieve=extend_schema(summary="站点服务清单详情"),
)
@extend_schema(tags=["服务记录"])
class StationServiceListViewSet(_Fresh, ScopedModelViewSet):
    queryset = StationServiceList.objects.select_related("station", "catalogue").prefetch_related(
        Prefetch("items", queryset=ServiceItem.objects.only("id"))
    )
    serializer_class = StationServiceListSerializer
    write_actions = {
        "create": actions.service_list_create,
        "partial_update": actions.service_list_update,
        "submit": actions.service_list_submit,
        "confirm": actions.service_list_confirm,
        "return_list": actions.service_list_return,
    }

    def _items(self, ids: list[int]) -> list[ServiceItem]:
        items = list(ServiceItem.objects.for_user(self.request.user).filter(pk__in=ids))
        if len(items) != len(set(ids)):
            raise serializers.ValidationError({"items": "服务项目不存在。"})
        return items

    @extend_schema(
        request=StationServiceListCreateSerializer, responses=StationServiceListSerializer, summary="制定站点服务清单"
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(StationServiceListCreateSerializer, request)
        station = _station(authed_user(request), data["station"])
        catalogue = ServiceCatalogue.objects.for_user(request.user).filter(code=data["catalogue"]).first()
        if catalogue is None:
            raise serializers.ValidationError({"catalogue": "服务清单不存在。"})
        items = self._items(data["items"])
        obj = run_action(
            lambda: actions.service_list_create(
                acting_user=authed_user(request), station=station, year=data["year"], catalogue=catalogue, items=items
            )
        )
        return self._fresh(obj, status.HTTP_201_CREATED)

    @extend_schema(request=ItemsSerializer, responses=StationServiceListSerializer, summary="修改服务项目")
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = cast(StationServiceList, self.get_object())
        items = self._items(validated(ItemsSerializer, request)["items"])
        run_action(lambda: actions.service_list_update(acting_user=authed_user(request), service_list=obj, items=items))
        return self._fresh(obj)

    @extend_schema(request=None, responses=StationServiceListSerializer, summary="报送县民政局和乡镇")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        obj = cast(StationServiceList, self.get_object())
        run_action(lambda: actions.service_list_submit(acting_user=authed_user(request), service_list=obj))
        return self._fresh(obj)

    @extend_schema(request=None, responses=StationServiceListSerializer, summary="确认服务清单")
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        obj = cast(StationServiceList, self.get_object())
        run_action(lambda: actions.service_list_confirm(acting_user=authed_user(request), service_list=obj))
        return self._fresh(obj)

    @extend_schema(request=CommentsSerializer, responses=StationServiceListSerializer, summary="退回服务清单")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_list(self, request: Request, pk: Any = None) -> Response:
        obj = cast(StationServiceList, self.get_object())
        comments = validated(CommentsSerializer, request)["comments"]
        run_action(
            lambda: actions.service_list_return(acting_user=authed_user(request), service_list=obj, comments=comments)
        )
        return self._fresh(obj)


class BeneficiaryFilterSet(django_filters.FilterSet):
    station = django_filters.NumberFilter(field_name="station_id", label="服务站点")
    division = subtree_filter("division__pk")
    category = django_filters.CharFilter(method="by_category", label="服务对象类别代码", max_length=30)

    class Meta:
        model = Beneficiary
        fields = ["station", "division", "category", "risk_level", "active"]

    def by_category(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(categories__contains=[value])


@extend_schema_view(
    list=extend_schema(
        summary="服务对象列表", description="身份证号码、电话、住址默认脱敏；不满十四周岁儿童只对服务儿童的角色可见。"
    ),
    retrieve=extend_schema(summary="服务对象详情"),
)
@extend_schema(tags=["服务记录"])
class BeneficiaryViewSet(_Fresh, UnmaskActionMixin, ScopedModelViewSet):
    queryset = Beneficiary.objects.all()
    serializer_class = BeneficiarySerializer
    filterset_class = BeneficiaryFilterSet
    write_actions = {
        "create": actions.beneficiary_create,
        "partial_update": actions.beneficiary_update,
        "unmask": "services.beneficiary.unmask",  # core.personal's declared unmask (ServicesConfig.ready)
    }

    @extend_schema(request=BeneficiaryWriteSerializer, responses=BeneficiarySerializer, summary="登记服务对象")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(BeneficiaryWriteSerializer, request)
        if "station" not in data or "division" not in data or "name" not in data:
            raise serializers.ValidationError({"station": "请填写服务站点、所在村（社区）和姓名。"})
        station = _station(authed_user(request), data.pop("station"))
        division = Division.objects.for_user(request.user).filter(code=data.pop("division")).first()
        if division is None:
            raise serializers.ValidationError({"division": "村（社区）不存在或不在您的权限范围内。"})
        obj = run_action(
            lambda: actions.beneficiary_create(
                acting_user=authed_user(request), station=station, division=division, data=data
            )
        )
        return self._fresh(obj, status.HTTP_201_CREATED)

    @extend_schema(request=BeneficiaryWriteSerializer, responses=BeneficiarySerializer, summary="修改服务对象")
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = cast(Beneficiary, self.get_object())
        data = validated(BeneficiaryWriteSerializer, request)
        if "station" in data or "division" in data:
            raise serializers.ValidationError({"station": "服务站点和所在村（社区）不能在此修改。"})
        run_action(lambda: actions.beneficiary_update(acting_user=authed_user(request), beneficiary=obj, data=data))
        return self._fresh(obj)


class ServiceRecordFilterSet(django_filters.FilterSet):
    station = django_filters.NumberFilter(field_name="station_id", label="社工站")
    kind = django_filters.ChoiceFilter(choices=ServiceRecord.Kind.choices, label="工作类型")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="起始日期")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="截止日期")

    class Meta:
        model = ServiceRecord
        fields = ["station", "kind", "date_from", "date_to"]


@extend_schema_view(
    list=extend_schema(summary="服务记录列表", description="个案、小组、社区活动、走访探视和行政事务记录。"),
    retrieve=extend_schema(summary="服务记录详情"),
)
@extend_schema(tags=["服务记录"])
class ServiceRecordViewSet(_Fresh, ScopedModelViewSet):
    queryset = ServiceRecord.objects.select_related("station", "item").prefetch_related(
        Prefetch("workers", queryset=SocialWorker.objects.only("id"))
    )
    serializer_class = ServiceRecordSerializer
    filterset_class = ServiceRecordFilterSet
    write_actions = {"create": actions.record_create, "photos": actions.photo_add}

    def get_queryset(self) -> QuerySet[ServiceRecord]:
        visible = ServicePhoto.objects.for_user(self.request.user)
        return super().get_queryset().prefetch_related(Prefetch("photos", queryset=visible, to_attr="visible_photos"))

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses=PhotoSerializer,
        summary="添加照片",
        description="JPG 或 PNG；按内容识别格式、限制大小与像素，重新编码并去除拍摄位置等元数据。",
    )
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: Any = None) -> Response:
        obj = cast(ServiceRecord, self.get_object())
        upload = request.FILES.get("photo")
        photo = run_action(lambda: actions.photo_add(acting_user=authed_user(request), record=obj, upload=upload))
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ServiceRecordCreateSerializer, responses=ServiceRecordSerializer, summary="登记服务记录")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(ServiceRecordCreateSerializer, request)
        user = authed_user(request)
        station = _station(user, data.pop("station"))
        people = [_beneficiary(user, pid) for pid in data.pop("beneficiaries", [])]
        client_key = data.pop("client_key", None)
        workers = _workers(user, data.pop("workers", None))
        item_id = data.pop("item", None)
        if item_id:
            data["item"] = ServiceItem.objects.for_user(user).filter(pk=item_id).first()
            if data["item"] is None:
                raise serializers.ValidationError({"item": "服务项目不存在。"})
        village = data.pop("village", "")
        if village:
            data["village"] = Division.objects.for_user(user).filter(code=village, level=5).first()
            if data["village"] is None:
                raise serializers.ValidationError({"village": "村（社区）不存在或不在您的权限范围内。"})
        obj = run_action(
            lambda: actions.record_create(
                acting_user=user,
                station=station,
                data=data,
                beneficiaries=people,
                workers=workers,
                client_key=client_key,
            )
        )
        return self._fresh(obj, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="探访记录列表",
        description="分散供养特困人员的探访记录；?due=this_week 改为列出尚未达到探访频次的服务对象：按政策规定的"
        "次数和自然周期（周一至周日的自然周，或自然月、季度、年度）计。",
        parameters=[OpenApiParameter("due", str, enum=["this_week"], description="this_week：本周尚未探访的人员")],
    ),
    retrieve=extend_schema(summary="探访记录详情"),
)
@extend_schema(tags=["服务记录"])
class VisitViewSet(_Fresh, ScopedModelViewSet):
    queryset = Visit.objects.select_related("beneficiary")
    serializer_class = VisitSerializer
    write_actions = {"create": actions.visit_create}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        due = request.query_params.get("due")
        if due is None:
            return super().list(request, *args, **kwargs)
        if due != "this_week":
            raise serializers.ValidationError({"due": "只支持 this_week（本自然周）。"})
        people = due_this_week(authed_user(request), timezone.localdate())
        page = self.paginate_queryset(people)
        rows = DueSerializer(page if page is not None else people, many=True).data
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    @extend_schema(request=VisitCreateSerializer, responses=VisitSerializer, summary="登记探访")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(VisitCreateSerializer, request)
        person = _beneficiary(authed_user(request), data.pop("beneficiary"))
        data["workers"] = _workers(authed_user(request), data.pop("workers", None))
        obj = run_action(lambda: actions.visit_create(acting_user=authed_user(request), beneficiary=person, **data))
        return self._fresh(obj, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="巡访问题处置列表", description="探访中发现问题后须跟进的处置，登记处置结果后关闭。"),
    retrieve=extend_schema(summary="巡访问题处置详情"),
)
@extend_schema(tags=["服务记录"])
class EscalationViewSet(_Fresh, ScopedModelViewSet):
    queryset = Escalation.objects.select_related("beneficiary")
    serializer_class = EscalationSerializer
    filterset_fields = ["status"]
    write_actions = {"resolve": actions.escalation_resolve}

    @extend_schema(request=ResolveSerializer, responses=EscalationSerializer, summary="登记处置结果")
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Escalation, self.get_object())
        data = validated(ResolveSerializer, request)
        run_action(lambda: actions.escalation_resolve(acting_user=authed_user(request), escalation=obj, **data))
        return self._fresh(obj)


@extend_schema_view(
    list=extend_schema(summary="个案列表", description="接案 → 预估 → 计划 → 介入 → 评估 → 结案。"),
    retrieve=extend_schema(summary="个案详情"),
)
@extend_schema(tags=["服务记录"])
class CaseViewSet(_Fresh, ScopedModelViewSet):
    queryset = Case.objects.select_related("beneficiary")
    serializer_class = CaseSerializer
    filterset_fields = ["stage", "station"]
    write_actions = {"create": actions.case_open, "advance": actions.case_advance}

    @extend_schema(request=CaseCreateSerializer, responses=CaseSerializer, summary="接案")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(CaseCreateSerializer, request)
        person = _beneficiary(authed_user(request), data.pop("beneficiary"))
        obj = run_action(lambda: actions.case_open(acting_user=authed_user(request), beneficiary=person, **data))
        return self._fresh(obj, status.HTTP_201_CREATED)

    @extend_schema(request=AdvanceSerializer, responses=CaseSerializer, summary="进入下一阶段")
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Case, self.get_object())
        data = validated(AdvanceSerializer, request)
        run_action(lambda: actions.case_advance(acting_user=authed_user(request), case=obj, **data))
        return self._fresh(obj)


@extend_schema_view(
    list=extend_schema(summary="转介列表", description="本站转出的转介，以及转给本机构、待接收或已答复的转介。"),
    retrieve=extend_schema(summary="转介详情"),
)
@extend_schema(tags=["服务记录"])
class ReferralViewSet(_Fresh, ScopedModelViewSet):
    queryset = Referral.objects.select_related("to_agency")
    serializer_class = ReferralSerializer
    filterset_fields = ["status"]
    write_actions = {
        "create": actions.referral_create,
        "accept": actions.referral_accept,
        "decline": actions.referral_decline,
    }

    @extend_schema(request=ReferralCreateSerializer, responses=ReferralSerializer, summary="转介个案")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(ReferralCreateSerializer, request)
        case = Case.objects.for_user(request.user).filter(pk=data["case"]).first()
        station = Station.objects.filter(pk=data["to_station"]).first()
        if case is None or station is None:
            raise serializers.ValidationError({"case": "个案或转入站点不存在。"})
        obj = run_action(
            lambda: actions.referral_create(
                acting_user=authed_user(request), case=case, to_station=station, reason=data["reason"]
            )
        )
        return self._fresh(obj, status.HTTP_201_CREATED)

    @extend_schema(request=ResponseSerializer, responses=ReferralSerializer, summary="接收转介")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Referral, self.get_object())
        data = validated(ResponseSerializer, request)
        run_action(lambda: actions.referral_accept(acting_user=authed_user(request), referral=obj, **data))
        return self._fresh(obj)

    @extend_schema(request=ResponseSerializer, responses=ReferralSerializer, summary="拒绝转介")
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: Any = None) -> Response:
        obj = cast(Referral, self.get_object())
        data = validated(ResponseSerializer, request)
        run_action(lambda: actions.referral_decline(acting_user=authed_user(request), referral=obj, **data))
        return self._fresh(obj)


@extend_schema_view(
    list=extend_schema(
        summary="志愿服务队列表",
        description="各站组建的志愿服务队及志愿者人数（不保存志愿者个人信息）；?year=YYYY 按组建年份筛选。",
        parameters=[OpenApiParameter("year", int, description="组建年份")],
    ),
    retrieve=extend_schema(summary="志愿服务队详情"),
)
@extend_schema(tags=["志愿服务"])
class VolunteerTeamViewSet(_Fresh, ScopedModelViewSet):
    queryset = VolunteerTeam.objects.select_related("station")
    serializer_class = VolunteerTeamSerializer
    filterset_fields = ["station"]
    write_actions = {"create": actions.team_create}

    def get_queryset(self) -> QuerySet[VolunteerTeam]:
        return _by_year(super().get_queryset(), self.request, "founded_on")

    @extend_schema(request=VolunteerTeamCreateSerializer, responses=VolunteerTeamSerializer, summary="登记志愿服务队")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(VolunteerTeamCreateSerializer, request)
        user = authed_user(request)
        station = _station(user, data.pop("station"))
        obj = run_action(lambda: actions.team_create(acting_user=user, station=station, **data))
        return self._fresh(obj, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="孵化社会组织列表",
        description="各站孵化并登记注册的社会组织；?year=YYYY 按登记年份筛选。",
        parameters=[OpenApiParameter("year", int, description="登记年份")],
    ),
    retrieve=extend_schema(summary="孵化社会组织详情"),
)
@extend_schema(tags=["志愿服务"])
class IncubatedOrganisationViewSet(_Fresh, ScopedModelViewSet):
    queryset = IncubatedOrganisation.objects.select_related("station")
    serializer_class = IncubatedOrganisationSerializer
    filterset_fields = ["station"]
    write_actions = {"create": actions.organisation_register}

    def get_queryset(self) -> QuerySet[IncubatedOrganisation]:
        return _by_year(super().get_queryset(), self.request, "registered_on")

    @extend_schema(
        request=IncubatedOrganisationCreateSerializer,
        responses=IncubatedOrganisationSerializer,
        summary="登记孵化的社会组织",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(IncubatedOrganisationCreateSerializer, request)
        user = authed_user(request)
        station = _station(user, data.pop("station"))
        obj = run_action(lambda: actions.organisation_register(acting_user=user, station=station, **data))
        return self._fresh(obj, status.HTTP_201_CREATED)


def _by_year(qs: Any, request: Any, field: str) -> Any:
    """``?year=YYYY`` on a date field; anything but a four-digit year is a Chinese 400."""
    year = request.query_params.get("year")
    if year is None:
        return qs
    if not (len(year) == 4 and year.isdigit()):
        raise serializers.ValidationError({"year": "年份须为四位数字，例如 2026。"})
    return qs.filter(**{f"{field}__year": int(year)})
