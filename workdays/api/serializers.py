"""Serializers of the calendar API: the query of a deadline (validated, Chinese errors) and the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from workdays.counting import MAX_AMOUNT, MAX_START, MIN_START, UNIT_LABELS, UNITS
from workdays.models import MAX_YEAR, MIN_YEAR


def _amount_field(unit: str) -> serializers.IntegerField:
    limit = MAX_AMOUNT[unit]
    message = f"{UNIT_LABELS[unit]}数须为 1 至 {limit} 之间的整数。"
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=limit,
        help_text=f"按{UNIT_LABELS[unit]}计算的期间长度（1–{limit}）。与其他期间参数只能提供一个。",
        error_messages={"invalid": message, "min_value": message, "max_value": message, "max_string_length": message},
    )


class DeadlineQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        help_text="起算事件发生之日（如签订日），格式 YYYY-MM-DD；当日不计入（民法典第二百零一条）。",
        error_messages={
            "required": "请提供起算日期（start 参数，格式 YYYY-MM-DD）。",
            "invalid": "起算日期格式应为 YYYY-MM-DD，且须为有效日期。",
            "null": "请提供起算日期（start 参数，格式 YYYY-MM-DD）。",
        },
    )
    working_days = _amount_field("working_days")
    calendar_days = _amount_field("calendar_days")
    months = _amount_field("months")
    years = _amount_field("years")

    def validate_start(self, value: Any) -> Any:
        if not MIN_START <= value <= MAX_START:
            raise serializers.ValidationError(f"起算日期须在 {MIN_START.year} 年至 {MAX_START.year} 年之间。")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [unit for unit in UNITS if attrs.get(unit) is not None]
        if len(given) != 1:
            raise serializers.ValidationError(
                "请且只请提供一个期间参数：working_days（工作日）、calendar_days（自然日）、"
                "months（月）或 years（年）。"
            )
        attrs["unit"] = given[0]
        attrs["amount"] = attrs[given[0]]
        return attrs


class DeadlineSerializer(serializers.Serializer):
    """The answer carries the counting parameter that was given, under its own name, and only that one."""

    start = serializers.DateField(help_text="起算事件发生之日")
    working_days = serializers.IntegerField(required=False, help_text="按工作日计算时出现")
    calendar_days = serializers.IntegerField(required=False, help_text="按自然日计算时出现")
    months = serializers.IntegerField(required=False, help_text="按月计算时出现")
    years = serializers.IntegerField(required=False, help_text="按年计算时出现")
    due = serializers.DateField(
        allow_null=True,
        help_text="期间的最后一日；计算需要尚未公布（或尚未录入）节假日安排的年度时为 null，绝不猜测。",
    )
    unknown_years = serializers.ListField(
        child=serializers.IntegerField(), help_text="计算所需而日历尚未收录的年度；能确定到期日时为空列表。"
    )


class DaysQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text="年度，如 2026",
        error_messages={
            "required": "请提供年度（year 参数，如 2026）。",
            "invalid": f"年度须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的整数。",
            "min_value": f"年度须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的整数。",
            "max_value": f"年度须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的整数。",
            "null": "请提供年度（year 参数，如 2026）。",
        },
    )


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(help_text="节日名称，如 国庆节")
    weekday = serializers.CharField(help_text="星期，如 周六")


class YearDaysSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    covered = serializers.BooleanField(help_text="该年度的放假安排已完整收录，可用于计算期限")
    notice = serializers.CharField(help_text="通知文号，如 国办发明电〔2025〕7号；未收录时为空")
    source = serializers.CharField(help_text="来源；未收录时为空")  # type: ignore[assignment]
    off_days = DaySerializer(many=True, help_text="放假日（含落在周末的放假日）")
    workdays = DaySerializer(many=True, help_text="调休上班日（周末上班）")
