"""Serializers for divisions and stations. Thin: they render, and validate input for the actions."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from rest_framework import serializers

from accounts.models import User
from core.api import AllowedActionsField
from stations.actions import EDITABLE_FIELDS
from stations.models import MAX_ROOM_NAME, MAX_ROOMS, Division, Station


def with_has_children(queryset: QuerySet[Division], user: User) -> QuerySet[Division]:
    """Annotate ``has_children`` with one EXISTS subquery (no N+1), counting only children the user may see,
    so a tree widget never offers to expand a node into nothing."""
    children = Division.objects.for_user(user).filter(parent_id=OuterRef("pk"))
    return queryset.annotate(has_children=Exists(children))


class DivisionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True, label="层级名称")
    # (Declared fields are popped off the class by DRF, so the names may shadow Field attributes.)
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent_id", read_only=True, allow_null=True, label="上级区划代码"
    )
    # Annotated by ``with_has_children``; the serializer never queries for it.
    has_children = serializers.BooleanField(read_only=True, label="有下级区划")

    class Meta:
        model = Division
        fields = ["code", "name", "level", "level_display", "parent", "has_children"]
        read_only_fields = fields


class StationSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True, label="区划代码")
    division_name = serializers.CharField(source="division.name", read_only=True, label="区划名称")
    level_display = serializers.CharField(source="get_level_display", read_only=True, label="站点层级名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    rooms = serializers.ListField(child=serializers.CharField(), read_only=True, label="功能室")
    # Codes from the prefetched relation (the view prefetches ``covered_townships``).
    covered_townships = serializers.SerializerMethodField(label="覆盖乡镇区划代码")
    allowed_actions = AllowedActionsField(label="可执行的操作")
    next_statuses = serializers.SerializerMethodField(label="可改为的状态")

    class Meta:
        model = Station
        fields = [
            "id",
            "division",
            "division_name",
            "level",
            "level_display",
            "name",
            "address",
            "floor_area",
            "rooms",
            "plaque_date",
            "status",
            "status_display",
            "star_rating",
            "covered_townships",
            "allowed_actions",
            "next_statuses",
        ]
        read_only_fields = fields

    def get_next_statuses(self, obj: Station) -> list[str]:
        """The statuses this caller may move the station to now (Station.TRANSITIONS), if it may change it."""
        if not getattr(obj, "_may_change", False):
            return []
        return sorted(str(s) for s in Station.TRANSITIONS[Station.Status(obj.status)])

    def get_covered_townships(self, obj: Station) -> list[str]:
        """Only the covered townships the user may open itself (a nested field obeys the scope of what it
        names). The visible ones are read once per answer through the one door, whatever the page size."""
        visible = self.context.get("_visible_covered")
        if visible is None:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            visible = set(
                Division.objects.for_user(user).filter(regional_centres__isnull=False).values_list("code", flat=True)
            )
            self.context["_visible_covered"] = visible  # type: ignore[index]  # the root's context dict
        return sorted(d.pk for d in obj.covered_townships.all() if d.pk in visible)


class StationUpdateSerializer(serializers.Serializer):
    """PATCH input: only the fields ``stations.actions.station_update`` accepts (plus covered townships)."""

    name = serializers.CharField(max_length=120, required=False, label="标准挂牌名称")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, label="地址")
    floor_area = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, min_value=0, label="场地面积（m²）"
    )
    rooms = serializers.ListField(
        child=serializers.CharField(max_length=MAX_ROOM_NAME), required=False, max_length=MAX_ROOMS, label="功能室"
    )
    plaque_date = serializers.DateField(required=False, allow_null=True, label="挂牌日期")
    status = serializers.ChoiceField(choices=Station.Status.choices, required=False, label="状态")
    star_rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5, label="星级")
    covered_townships = serializers.ListField(
        child=serializers.RegexField(r"^\d{9}$", error_messages={"invalid": "乡镇区划代码应为 9 位数字。"}),
        required=False,
        max_length=100,
        label="覆盖乡镇区划代码（仅区域性中心）",
    )

    def validate_covered_townships(self, codes: list[str]) -> list[Division]:
        """Resolve codes to divisions through the one door; unknown or out-of-scope codes are errors."""
        request = self.context["request"]
        wanted = sorted(set(codes))
        found = Division.objects.for_user(request.user).in_bulk(wanted)
        missing = [c for c in wanted if c not in found]
        if missing:
            raise serializers.ValidationError(f"区划不存在或不在您的权限范围内：{'、'.join(missing)}")
        return [found[c] for c in wanted]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("请至少提供一个要修改的字段。")
        return attrs

    @staticmethod
    def split(validated: dict[str, Any]) -> tuple[dict[str, Any], list[Division] | None]:
        """The ``data`` and ``covered_townships`` arguments of ``station_update``."""
        data = {k: v for k, v in validated.items() if k in EDITABLE_FIELDS}
        return data, validated.get("covered_townships")
