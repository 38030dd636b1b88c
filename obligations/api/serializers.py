"""Serializers for obligations and notifications: they render; writes go through obligations.actions."""

from __future__ import annotations

from rest_framework import serializers

from obligations.models import Notification, Obligation
from obligations.registry import label_of


class ObligationSerializer(serializers.ModelSerializer):
    kind_display = serializers.SerializerMethodField(label="事项类型名称")
    state_display = serializers.CharField(source="get_state_display", read_only=True, label="状态名称")
    object_type = serializers.CharField(source="content_type.model", read_only=True, label="对象类型")
    owner = serializers.IntegerField(source="owner_id", read_only=True, allow_null=True, label="责任单位编号")
    owner_name = serializers.CharField(source="owner.name", read_only=True, allow_null=True, label="责任单位")
    division = serializers.CharField(source="division_id", read_only=True, label="所属区划代码")
    notify_division = serializers.CharField(
        source="notify_division_id", read_only=True, allow_null=True, label="督办区划代码"
    )

    class Meta:
        model = Obligation
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "object_type",
            "object_id",
            "period",
            "owner",
            "owner_name",
            "division",
            "notify_division",
            "due_date",
            "state",
            "state_display",
            "rule_key",
            "clause",
            "link",
            "done_at",
            "waived_at",
            "waive_reason",
        ]
        read_only_fields = fields

    def get_kind_display(self, obj: Obligation) -> str:
        return label_of(obj.kind)


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(label="免除理由", max_length=300, allow_blank=False)


class NotificationSerializer(serializers.ModelSerializer):
    obligation = serializers.IntegerField(source="obligation_id", read_only=True, allow_null=True, label="事项编号")
    is_read = serializers.SerializerMethodField(label="已读")

    class Meta:
        model = Notification
        fields = ["id", "text", "link", "obligation", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None
