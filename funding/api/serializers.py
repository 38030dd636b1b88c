"""Serializers of the funding API: money as strings of yuan with two places (DRF's DecimalField), codes with
their Chinese names."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import AllowedActionsField

from ..models import Budget, BudgetLine, Disbursement, Expenditure, LineKind, ReliefBase, Source


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class BudgetLineSerializer(serializers.ModelSerializer):
    kind_name = serializers.CharField(source="get_kind_display", read_only=True, label="科目名称")
    category_name = serializers.CharField(read_only=True, label="支出类别名称")
    source_name = serializers.CharField(source="get_source_display", read_only=True, label="资金来源名称")
    amount = _money(read_only=True, label="预算（元）")
    approved = _money(read_only=True, label="已核准支出（元）")
    pending = _money(read_only=True, label="待审核支出（元）")

    class Meta:
        model = BudgetLine
        fields = ["id", "kind", "kind_name", "category", "category_name", "source", "source_name", "amount", "note"]
        fields += ["approved", "pending"]


class BudgetSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True, label="站点名称")
    division = serializers.CharField(source="station.division_id", read_only=True, label="站点区划代码")
    status_name = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    lines = BudgetLineSerializer(many=True, read_only=True, label="预算科目")
    total = serializers.SerializerMethodField(label="预算合计（元）")
    labour = serializers.SerializerMethodField(label="人力服务费用合计（元）")
    findings = serializers.JSONField(read_only=True, label="批准时的核对结果")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Budget
        fields = [
            "id",
            "station",
            "station_name",
            "division",
            "year",
            "first_year",
            "status",
            "status_name",
            "basis",
            "total",
            "labour",
            "lines",
            "findings",
            "over_limit",
            "near_limit",
            "labour_short",
            "checked_on",
            "approved_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_total(self, obj: Budget) -> str:
        return f"{sum((line.amount for line in obj.lines.all()), start=0):.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_labour(self, obj: Budget) -> str:
        return f"{sum((line.amount for line in obj.lines.all() if line.kind == LineKind.LABOUR), start=0):.2f}"


class BudgetCreateSerializer(serializers.Serializer):
    station = serializers.IntegerField(label="站点 id", min_value=1, max_value=2**31 - 1)
    year = serializers.IntegerField(label="年度", min_value=2000, max_value=2100)
    first_year = serializers.BooleanField(label="新建站当年（不填按挂牌日期判断）", required=False, allow_null=True)


class LineInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices, label="科目")
    category = serializers.CharField(label="支出类别代码", required=False, allow_blank=True, max_length=30)
    source = serializers.ChoiceField(choices=Source.choices, label="资金来源")  # type: ignore[assignment]
    amount = _money(min_value=0, label="金额（元）")
    note = serializers.CharField(label="说明", required=False, allow_blank=True, max_length=200)


class BudgetLinesSerializer(serializers.Serializer):
    lines = LineInputSerializer(many=True, label="预算科目（整体替换）", max_length=50)  # type: ignore[call-arg]


class ExpenditureSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="budget.station.name", read_only=True, label="站点名称")
    year = serializers.IntegerField(source="budget.year", read_only=True, label="预算年度")
    category_name = serializers.CharField(read_only=True, label="支出类别名称")
    status_name = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    amount = _money(read_only=True, label="金额（元）")
    receipt_url = serializers.SerializerMethodField(label="票据地址（按权限查看）")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Expenditure
        fields = [
            "id",
            "budget",
            "station_name",
            "year",
            "line",
            "category",
            "category_name",
            "amount",
            "spent_on",
            "payee",
            "description",
            "clause",
            "receipt_type",
            "receipt_size",
            "receipt_url",
            "status",
            "status_name",
            "decision_note",
            "recorded_at",
            "decided_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_receipt_url(self, obj: Expenditure) -> str:
        return reverse("funding:expenditure-receipt", args=[obj.pk])


class ExpenditureCreateSerializer(serializers.Serializer):
    budget = serializers.IntegerField(label="预算 id", min_value=1, max_value=2**31 - 1)
    line = serializers.IntegerField(label="预算科目 id", min_value=1, max_value=2**31 - 1)
    category = serializers.CharField(label="支出类别代码", max_length=30)
    amount = _money(min_value=0, label="金额（元）")
    spent_on = serializers.DateField(label="支出日期")
    payee = serializers.CharField(label="收款方", max_length=100)
    description = serializers.CharField(label="用途说明", max_length=300)
    receipt = serializers.FileField(label="票据（PDF、JPG 或 PNG）")


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(label="退回理由", max_length=300)


class DisbursementSerializer(serializers.ModelSerializer):
    kind_name = serializers.CharField(source="get_kind_display", read_only=True, label="类别名称")
    division_name = serializers.CharField(source="division.name", read_only=True, label="拨付到")
    contract_number = serializers.CharField(source="contract.number", read_only=True, default=None, label="协议编号")
    status_name = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    amount = _money(read_only=True, label="金额（元）")
    surplus = _money(read_only=True, allow_null=True, label="年度结余（元）")
    computation = serializers.JSONField(read_only=True, label="测算明细")
    allowed_actions = AllowedActionsField()

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "kind",
            "kind_name",
            "division",
            "division_name",
            "station",
            "contract",
            "contract_number",
            "year",
            "sequence",
            "due_date",
            "amount",
            "computation",
            "basis",
            "status",
            "status_name",
            "paid_on",
            "line",
            "surplus",
            "allowed_actions",
        ]
        read_only_fields = fields


class PaySerializer(serializers.Serializer):
    paid_on = serializers.DateField(label="拨付日期")


class ReliefBaseSerializer(serializers.ModelSerializer):
    division_name = serializers.CharField(source="division.name", read_only=True, label="县（市、区）名称")
    amount = _money(read_only=True, label="计算基数（元）")
    used = _money(read_only=True, allow_null=True, label="已批准预算使用（元，夜间核对）")
    cap = _money(read_only=True, allow_null=True, label="上限（元，夜间核对）")

    class Meta:
        model = ReliefBase
        fields = [
            "id",
            "division",
            "division_name",
            "year",
            "amount",
            "basis",
            "document",
            "used",
            "cap",
            "over_cap",
            "entered_at",
        ]
        read_only_fields = fields


class ReliefBaseCreateSerializer(serializers.Serializer):
    division = serializers.RegexField(
        r"^\d{6}$", label="县级区划代码（6 位）", error_messages={"invalid": "请提供县级区划代码（6 位）。"}
    )
    year = serializers.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = _money(min_value=0, label="计算基数（元）：本地政策规定的基数（当年救助资金预算或上年支出）")
    document = serializers.CharField(label="依据文件", required=False, allow_blank=True, max_length=200)
