"""Serializers for the service catalogue."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import AllowedActionsField
from core.personal.api import MaskedField
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


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, label="代码")
    name = serializers.CharField(read_only=True, label="名称")


class ServiceItemSerializer(serializers.ModelSerializer):
    # domain and catalogue come from select_related("domain__catalogue"): no query per row.
    domain = CodeNameSerializer(read_only=True, label="服务领域")
    catalogue = CodeNameSerializer(source="domain.catalogue", read_only=True, label="服务清单")

    class Meta:
        model = ServiceItem
        fields = ["id", "code", "name", "guideline", "targets", "domain", "catalogue"]
        read_only_fields = fields


class ServiceDomainSerializer(serializers.ModelSerializer):
    # Annotated by the view (Count), not counted per row.
    item_count = serializers.IntegerField(read_only=True, label="服务项目数")

    class Meta:
        model = ServiceDomain
        fields = ["code", "name", "description", "clause", "order", "item_count"]
        read_only_fields = fields


class ServiceCatalogueSerializer(serializers.ModelSerializer):
    domains = ServiceDomainSerializer(many=True, read_only=True, label="服务领域")

    class Meta:
        model = ServiceCatalogue
        fields = ["id", "code", "name", "seed", "clause", "domains"]
        read_only_fields = fields


# --- station service lists, beneficiaries, records, visits, cases, referrals (issue 10) ----------------------


class StationServiceListSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True, label="社工站")
    catalogue = serializers.CharField(source="catalogue.code", read_only=True, label="服务清单")
    items: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, label="服务项目"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状态")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = StationServiceList
        fields = [
            "id",
            "station",
            "station_name",
            "year",
            "catalogue",
            "items",
            "status",
            "status_label",
            "submitted_at",
            "bureau_confirmed_at",
            "township_confirmed_at",
            "comments",
            "allowed_actions",
        ]
        read_only_fields = fields


class StationServiceListCreateSerializer(serializers.Serializer):
    station = serializers.IntegerField(label="社工站")
    year = serializers.IntegerField(min_value=2000, max_value=2100, label="年度")
    catalogue = serializers.CharField(max_length=40, label="服务清单代码")
    items = serializers.ListField(child=serializers.IntegerField(), max_length=200, label="服务项目")


class ItemsSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.IntegerField(), max_length=200, label="服务项目")


class CommentsSerializer(serializers.Serializer):
    comments = serializers.CharField(max_length=2000, label="退回意见")


class BeneficiarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = MaskedField()
    phone = MaskedField()
    address = MaskedField()
    division = serializers.CharField(source="division_id", read_only=True, label="所在村（社区）")
    station = serializers.IntegerField(source="station_id", read_only=True, label="服务站点")
    category_labels = serializers.ListField(child=serializers.CharField(), read_only=True, label="类别名称")
    # Choices that may be blank (unknown, not assessed, no consent yet): documented with the empty value.
    sex = serializers.ChoiceField(choices=Beneficiary.Sex.choices, allow_blank=True, read_only=True, label="性别")
    self_care = serializers.ChoiceField(
        choices=Beneficiary.SelfCare.choices, allow_blank=True, read_only=True, label="自理能力（未评估为空）"
    )
    consent_by = serializers.ChoiceField(
        choices=Beneficiary.ConsentBy.choices, allow_blank=True, read_only=True, label="同意人（未同意为空）"
    )
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Beneficiary
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "address",
            "birth_date",
            "sex",
            "division",
            "station",
            "categories",
            "category_labels",
            "household",
            "household_size",
            "risk_level",
            "self_care",
            "consent",
            "consent_by",
            "consent_date",
            "guardian_name",
            "last_visit_date",
            "active",
            "allowed_actions",
        ]
        read_only_fields = fields


class BeneficiaryWriteSerializer(serializers.Serializer):
    """The fields a worker fills in (the ID number, phone and address are written in clear and stored sealed)."""

    station = serializers.IntegerField(required=False, label="服务站点")
    division = serializers.CharField(max_length=12, required=False, label="所在村（社区）代码")
    name = serializers.CharField(max_length=50, required=False, label="姓名")
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, label="身份证号码")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, label="联系电话")
    address = serializers.CharField(max_length=120, required=False, allow_blank=True, label="住址")
    birth_date = serializers.DateField(required=False, allow_null=True, label="出生日期")
    sex = serializers.ChoiceField(choices=Beneficiary.Sex.choices, required=False, allow_blank=True, label="性别")
    categories = serializers.ListField(
        child=serializers.CharField(max_length=30), max_length=11, required=False, label="服务对象类别"
    )
    household = serializers.CharField(max_length=50, required=False, allow_blank=True, label="户主或户号")
    household_size = serializers.IntegerField(min_value=1, max_value=50, required=False, allow_null=True)
    risk_level = serializers.ChoiceField(choices=Beneficiary.Risk.choices, required=False, label="风险等级")
    self_care = serializers.ChoiceField(
        choices=Beneficiary.SelfCare.choices, required=False, allow_blank=True, label="自理能力"
    )
    consent = serializers.BooleanField(required=False, label="已同意")
    consent_by = serializers.ChoiceField(
        choices=Beneficiary.ConsentBy.choices, required=False, allow_blank=True, label="同意人"
    )
    consent_date = serializers.DateField(required=False, allow_null=True, label="同意日期")
    guardian_name = serializers.CharField(max_length=50, required=False, allow_blank=True, label="监护人姓名")
    active = serializers.BooleanField(required=False, label="在册")


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(label="照片地址")

    class Meta:
        model = ServicePhoto
        fields = ["id", "url", "content_type", "width", "height", "size", "uploaded_at"]

    def get_url(self, obj: ServicePhoto) -> str:
        return obj.get_absolute_url()


class PhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(label="照片（JPG 或 PNG）")


class ServiceRecordSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="工作类型")
    station_name = serializers.CharField(source="station.name", read_only=True, label="社工站")
    item_name = serializers.CharField(source="item.name", read_only=True, default="", label="服务项目")
    is_professional = serializers.BooleanField(read_only=True, label="专业服务")
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, label="时长（小时）")
    workers: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, label="服务社工"
    )
    photos = serializers.SerializerMethodField(label="照片")
    allowed_actions = AllowedActionsField()

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj: ServiceRecord) -> list[dict[str, object]]:
        # Only the photos the caller may see: the list prefetches them scoped (``visible_photos``); a single
        # record read any other way asks the door itself.
        photos = getattr(obj, "visible_photos", None)
        if photos is None:
            photos = list(ServicePhoto.objects.for_user(self.context["request"].user).filter(record=obj))
        return [PhotoSerializer(p).data for p in photos]

    class Meta:
        model = ServiceRecord
        fields = [
            "photos",
            "id",
            "station",
            "station_name",
            "kind",
            "kind_label",
            "date",
            "hours",
            "item",
            "item_name",
            "admin_function",
            "village",
            "participants",
            "title",
            "notes",
            "workers",
            "is_professional",
            "client_key",
            "allowed_actions",
        ]
        read_only_fields = fields


class ServiceRecordCreateSerializer(serializers.Serializer):
    station = serializers.IntegerField(label="社工站")
    kind = serializers.ChoiceField(choices=ServiceRecord.Kind.choices, label="工作类型")
    date = serializers.DateField(label="日期")
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, label="时长（小时）")
    item = serializers.IntegerField(required=False, allow_null=True, label="服务项目")
    admin_function = serializers.CharField(max_length=10, required=False, allow_blank=True, label="所涉行政职能")
    village = serializers.CharField(max_length=12, required=False, allow_blank=True, label="村（社区）代码")
    participants = serializers.IntegerField(min_value=0, max_value=100000, required=False, label="参与人数")
    beneficiaries = serializers.ListField(
        child=serializers.UUIDField(), max_length=500, required=False, label="服务对象编号"
    )
    title = serializers.CharField(max_length=100, label="主题")
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, label="记录")
    workers = serializers.ListField(
        child=serializers.IntegerField(), max_length=20, required=False, label="服务社工（不填为录入账号本人）"
    )
    client_key = serializers.UUIDField(required=False, allow_null=True, label="离线草稿编号")


class EscalationSerializer(serializers.ModelSerializer):
    beneficiary = serializers.UUIDField(source="beneficiary.public_id", read_only=True, label="服务对象")
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True, label="服务对象姓名")
    check_label = serializers.CharField(read_only=True, label="查看事项")
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状态")
    outcome = serializers.ChoiceField(
        choices=Escalation.Outcome.choices, allow_blank=True, read_only=True, label="处置结果（未处置为空）"
    )
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "visit",
            "beneficiary",
            "beneficiary_name",
            "station",
            "check_code",
            "check_label",
            "required",
            "clause",
            "status",
            "status_label",
            "outcome",
            "outcome_note",
            "resolved_at",
            "created_at",
            "allowed_actions",
        ]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Escalation.Outcome.choices, label="处置结果")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", label="处置说明")


class VisitSerializer(serializers.ModelSerializer):
    beneficiary = serializers.UUIDField(source="beneficiary.public_id", read_only=True, label="服务对象")
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True, label="服务对象姓名")
    failed_checks = serializers.ListField(child=serializers.CharField(), read_only=True, label="发现问题的事项")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "beneficiary",
            "beneficiary_name",
            "station",
            "date",
            "week",
            "checks",
            "failed_checks",
            "notes",
            "record",
            "client_key",
            "allowed_actions",
        ]
        read_only_fields = fields


class DueSerializer(serializers.ModelSerializer):
    """A scattered 特困 person still to be visited this calendar week."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    division = serializers.CharField(source="division_id", read_only=True, label="所在村（社区）")
    village = serializers.CharField(source="division.name", read_only=True, label="村（社区）名称")
    station = serializers.IntegerField(source="station_id", read_only=True, label="服务站点")

    class Meta:
        model = Beneficiary
        fields = ["id", "name", "division", "village", "station", "last_visit_date", "risk_level"]
        read_only_fields = fields


class VisitCreateSerializer(serializers.Serializer):
    beneficiary = serializers.UUIDField(label="服务对象编号")
    date = serializers.DateField(label="探访日期")
    checks = serializers.DictField(child=serializers.ChoiceField(choices=Visit.Check.choices), label="查看情况")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", label="情况说明")
    hours = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        required=False,
        allow_null=True,
        label="时长（小时）",
        help_text="计入专业服务时长；不填为本账号上一次探访的时长（首次探访须填写）。",
    )
    workers = serializers.ListField(
        child=serializers.IntegerField(), max_length=20, required=False, label="服务社工（不填为录入账号本人）"
    )
    client_key = serializers.UUIDField(required=False, allow_null=True, label="离线草稿编号")


class CaseSerializer(serializers.ModelSerializer):
    beneficiary = serializers.UUIDField(source="beneficiary.public_id", read_only=True, label="服务对象")
    stage_label = serializers.CharField(source="get_stage_display", read_only=True, label="阶段")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Case
        fields = [
            "id",
            "beneficiary",
            "station",
            "title",
            "stage",
            "stage_label",
            "intake_date",
            "intake_note",
            "assessment_date",
            "assessment",
            "plan_date",
            "plan",
            "intervention_date",
            "intervention",
            "evaluation_date",
            "evaluation",
            "closed_date",
            "closure",
            "allowed_actions",
        ]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    beneficiary = serializers.UUIDField(label="服务对象编号")
    title = serializers.CharField(max_length=100, label="个案名称")
    intake_date = serializers.DateField(label="接案日期")
    intake_note = serializers.CharField(max_length=4000, label="接案情况")


class AdvanceSerializer(serializers.Serializer):
    date = serializers.DateField(label="日期")
    text = serializers.CharField(max_length=4000, label="本阶段工作内容")


class ReferralSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状态")
    to_agency_name = serializers.CharField(source="to_agency.name", read_only=True, label="接收机构")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "from_station",
            "to_station",
            "to_agency",
            "to_agency_name",
            "reason",
            "status",
            "status_label",
            "response",
            "responded_at",
            "created_at",
            "allowed_actions",
        ]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(label="个案")
    to_station = serializers.IntegerField(label="转入站点")
    reason = serializers.CharField(max_length=2000, label="转介原因")


class ResponseSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", label="答复意见")


# --- volunteers and incubated organisations [001 §5(5)] ----------------------------------------------------


class VolunteerTeamSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True, label="社工站")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = VolunteerTeam
        fields = ["id", "station", "station_name", "name", "founded_on", "members", "party_members", "allowed_actions"]


class VolunteerTeamCreateSerializer(serializers.Serializer):
    station = serializers.IntegerField(min_value=1, label="社工站编号")
    name = serializers.CharField(max_length=100, label="服务队名称")
    founded_on = serializers.DateField(label="组建日期")
    members = serializers.IntegerField(min_value=1, max_value=100000, label="志愿者人数")
    party_members = serializers.BooleanField(default=False, label="党员志愿服务队")


class IncubatedOrganisationSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True, label="孵化站点")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = IncubatedOrganisation
        fields = ["id", "station", "station_name", "name", "registered_on", "credit_code", "allowed_actions"]


class IncubatedOrganisationCreateSerializer(serializers.Serializer):
    station = serializers.IntegerField(min_value=1, label="孵化站点编号")
    name = serializers.CharField(max_length=120, label="社会组织名称")
    registered_on = serializers.DateField(label="登记注册日期")
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True, label="统一社会信用代码")
