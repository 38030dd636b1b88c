"""Serializers for three-party service contracts (read-only for now)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import OrganisationBriefSerializer
from contracts.models import Contract


class ContractSerializer(serializers.ModelSerializer):
    # Parties and division come from select_related, station ids from one prefetch: no N+1.
    buyer = OrganisationBriefSerializer(read_only=True, label="购买主体")
    township = OrganisationBriefSerializer(read_only=True, allow_null=True, label="项目落地方")
    agency = OrganisationBriefSerializer(read_only=True, label="承接主体")
    division = serializers.CharField(source="division_id", read_only=True, label="项目落地区划代码")
    division_name = serializers.CharField(source="division.name", read_only=True, label="项目落地区划名称")
    stations = serializers.SerializerMethodField(label="服务站点 id")
    # Declared so the schema's enum includes the empty value the API returns for an unrecorded method.
    procurement_method = serializers.ChoiceField(
        choices=Contract.Method.choices, allow_blank=True, read_only=True, label="采购方式"
    )
    procurement_method_display = serializers.CharField(
        source="get_procurement_method_display", read_only=True, label="采购方式名称"
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "buyer",
            "township",
            "agency",
            "division",
            "division_name",
            "stations",
            "procurement_method",
            "procurement_method_display",
            "signed_date",
            "start_date",
            "end_date",
            "status",
            "status_display",
        ]
        read_only_fields = fields

    def get_stations(self, obj: Contract) -> list[int]:
        return sorted(s.pk for s in obj.stations.all())
