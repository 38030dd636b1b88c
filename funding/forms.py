from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from staffing.forms import Styled


class EstimateForm(Styled):
    division = forms.ChoiceField(label="县（市、区）")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    stations = forms.IntegerField(label="拟建站点数（规划用，可不填）", min_value=1, max_value=1000, required=False)
    base = forms.DecimalField(
        label="困难群众救助资金计算基数（元，可不填）",
        min_value=0,
        max_digits=15,
        decimal_places=2,
        required=False,
        help_text="当年预算或上年支出，以本地政策规定的基数为准。",
    )

    def __init__(self, *args: Any, counties: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = counties  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year + 1
