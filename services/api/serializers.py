"""Serializers for the service catalogue."""

from __future__ import annotations

from rest_framework import serializers

from services.models import ServiceCatalogue, ServiceDomain, ServiceItem


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
