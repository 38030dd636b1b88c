"""Serializers of the staffing API: workers masked by default; the screening and adequacy questions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from core.api import AllowedActionsField
from core.personal.api import MaskedField
from core.personal.idnumber import parse_id_number
from staffing.models import (
    Assignment,
    Certificate,
    CertificateLevel,
    Education,
    RecruitmentPlan,
    Replacement,
    SocialWorker,
    StaffRole,
)
from staffing.policy import certificate_code, education_code


def _plausible(value: dt.date | None) -> None:
    if value is not None and not (dt.date(1900, 1, 1) <= value <= dt.date(2100, 12, 31)):
        raise serializers.ValidationError("日期应在 1900 年至 2100 年之间。")


def _date(**kwargs: Any) -> serializers.DateField:
    return serializers.DateField(validators=[_plausible], **kwargs)


class CertificateSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Certificate
        fields = ["level", "level_label", "number", "obtained_on"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Assignment
        fields = ["station", "station_name", "role", "role_label", "start_date", "end_date", "end_reason"]
        read_only_fields = fields


class SocialWorkerSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = MaskedField()
    phone = MaskedField()
    agency = serializers.IntegerField(source="agency_id", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    station = serializers.IntegerField(source="station_id", read_only=True, allow_null=True)
    division = serializers.CharField(source="division_id", read_only=True)
    household_division = serializers.CharField(source="household_division_id", read_only=True, allow_null=True)
    education_label = serializers.CharField(source="get_education_display", read_only=True)
    certificates = CertificateSerializer(many=True, read_only=True)
    allowed_actions = AllowedActionsField()

    class Meta:
        model = SocialWorker
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "birth_date",
            "sex",
            "education",
            "education_label",
            "major",
            "social_work_major",
            "graduation_year",
            "household_division",
            "agency",
            "agency_name",
            "station",
            "division",
            "hired_on",
            "status",
            "left_on",
            "certificates",
            "allowed_actions",
        ]
        read_only_fields = fields


class SocialWorkerDetailSerializer(SocialWorkerSerializer):
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta(SocialWorkerSerializer.Meta):
        fields = [*SocialWorkerSerializer.Meta.fields, "assignments"]
        read_only_fields = fields


class EducationField(serializers.CharField):
    """An education level by its code or its Chinese name (大专, 本科 …)."""

    def to_internal_value(self, data: Any) -> str:
        code = education_code(str(super().to_internal_value(data)))
        if code is None:
            raise serializers.ValidationError("无法识别的学历，请填写如“大专”“本科”。")
        return code


class WorkerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    education = EducationField()
    major = serializers.CharField(max_length=60, required=False, allow_blank=True)
    social_work_major = serializers.BooleanField(required=False)
    graduation_year = serializers.IntegerField(required=False, allow_null=True, min_value=1950, max_value=2100)
    household_division = serializers.RegexField(r"^\d{6}(\d{3}(\d{3})?)?$", required=False, allow_null=True)
    hired_on = _date()

    def validated(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "household_division" in data:
            data["household_division_id"] = data.pop("household_division")
        return data


class AssignSerializer(serializers.Serializer):
    station = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    role = serializers.ChoiceField(choices=StaffRole.choices)
    start_date = _date()


class ReleaseSerializer(serializers.Serializer):
    end_date = _date()
    reason = serializers.ChoiceField(choices=Replacement.Reason.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    successor = serializers.UUIDField(required=False, allow_null=True)
    leaves_agency = serializers.BooleanField(required=False, default=False)


class CertificateWriteSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=CertificateLevel.choices)
    number = serializers.CharField(max_length=40)
    obtained_on = _date()


# --- questions -------------------------------------------------------------------------------------------------


class CertificateFactSerializer(serializers.Serializer):
    level = serializers.CharField()
    date = _date(required=False, allow_null=True)

    def validate_level(self, value: str) -> str:
        code = certificate_code(value)
        if code is None:
            raise serializers.ValidationError("证书等级应为助理社会工作师、社会工作师或高级社会工作师。")
        return code


class EligibilityQuestionSerializer(serializers.Serializer):
    division = serializers.RegexField(r"^\d{6}(\d{3}(\d{3})?)?$")
    on = _date(required=False, allow_null=True)
    birth_date = _date(required=False, allow_null=True)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    education = EducationField()
    major = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    social_work_major = serializers.BooleanField(required=False, default=False)
    certificate = CertificateFactSerializer(required=False, allow_null=True)
    household_division = serializers.RegexField(r"^\d{6}(\d{3}(\d{3})?)?$", required=False, allow_blank=True)
    employment = serializers.ChoiceField(choices=[("full_time", "专职"), ("part_time", "兼职")], default="full_time")
    experience_months = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1200)
    graduation_year = serializers.IntegerField(required=False, allow_null=True, min_value=1950, max_value=2100)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("id_number"):
            try:
                parsed = parse_id_number(attrs["id_number"])
            except Exception as exc:  # noqa: BLE001 - the Chinese message of the ID check
                raise serializers.ValidationError({"id_number": list(getattr(exc, "messages", [str(exc)]))}) from None
            if attrs.get("birth_date") and attrs["birth_date"] != parsed.birth_date:
                raise serializers.ValidationError({"birth_date": "出生日期与身份证号码不一致。"})
            attrs["birth_date"] = parsed.birth_date
        if not attrs.get("birth_date"):
            raise serializers.ValidationError({"birth_date": "请提供出生日期或身份证号码。"})
        attrs["on"] = attrs.get("on") or timezone.localdate()
        major = attrs.get("major") or ""
        if "社会工作" in major or "社工" in major:
            attrs["social_work_major"] = True
        return attrs


class StaffFactSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=StaffRole.choices)
    certificate = serializers.CharField(required=False, allow_null=True, allow_blank=True)

    def validate_certificate(self, value: str | None) -> str | None:
        if not value:
            return None
        code = certificate_code(value)
        if code is None:
            raise serializers.ValidationError("证书等级应为助理社会工作师、社会工作师或高级社会工作师。")
        return code


class AdequacyQuestionSerializer(serializers.Serializer):
    division = serializers.RegexField(r"^\d{9}$", error_messages={"invalid": "请提供乡镇（街道）的 9 位区划代码。"})
    villages = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
    volunteers = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10000)
    staff = serializers.ListField(child=StaffFactSerializer(), max_length=500)


EDUCATION_CHOICES = Education.choices


class LabourContractWriteSerializer(serializers.Serializer):
    start_date = _date()
    end_date = _date(required=False, allow_null=True)
    probation_months = serializers.IntegerField(min_value=0, max_value=12, default=0)


class PayWriteSerializer(serializers.Serializer):
    month = _date(help_text="该月任一天")
    gross_pay = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, coerce_to_string=True)
    performance_withheld = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, default=Decimal("0.00"), coerce_to_string=True
    )
    insurance_paid = serializers.BooleanField()
    housing_fund_paid = serializers.BooleanField(required=False, default=False)


class TrainingWriteSerializer(serializers.Serializer):
    date = _date()
    kind = serializers.ChoiceField(choices=[("training", "专业培训"), ("supervision", "专业督导")])
    level = serializers.ChoiceField(choices=[("county", "县级"), ("city", "市级"), ("other", "其他")], default="county")
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0, max_value=24)
    topic = serializers.CharField(max_length=200)


class PlanStationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class RecruitmentPlanSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="agency_id", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    division = serializers.CharField(source="division_id", read_only=True, help_text="县（市、区）区划代码")
    division_name = serializers.CharField(source="division.name", read_only=True)
    stations = PlanStationSerializer(many=True, read_only=True, help_text="方案所列、调用者可查看的站点")
    other_stations = serializers.SerializerMethodField(help_text="方案所列、不在调用者查看范围内的站点数")
    positions = serializers.IntegerField(read_only=True, help_text="招聘岗位合计（人）")
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    allowed_actions = AllowedActionsField()

    class Meta:
        model = RecruitmentPlan
        fields = [
            "id",
            "agency",
            "agency_name",
            "division",
            "division_name",
            "stations",
            "other_stations",
            "year",
            "heads",
            "full_time",
            "part_time",
            "positions",
            "announce_on",
            "interview_on",
            "start_on",
            "conditions",
            "state",
            "state_label",
            "filed_on",
            "acknowledged_on",
            "acknowledge_note",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_other_stations(self, plan: RecruitmentPlan) -> int:
        return int(getattr(plan, "station_count", 0)) - len(plan.stations.all())
