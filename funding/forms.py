from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from contracts.models import Contract
from staffing.forms import Styled
from stations.models import Division, Station

from .models import BudgetLine


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


class BudgetProposeForm(Styled):
    station = forms.ModelChoiceField(label="站点", queryset=Station.objects.none(), empty_label="请选择站点")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    first_year = forms.ChoiceField(
        label="是否新建站当年",
        choices=[("", "按挂牌日期判断"), ("1", "是，新建站当年"), ("0", "否")],
        required=False,
    )

    def __init__(self, *args: Any, stations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year + 1


class BudgetLineForm(Styled):
    kind = forms.ChoiceField(label="科目")
    category = forms.ChoiceField(label="支出类别", required=False)
    source = forms.ChoiceField(label="资金来源")
    amount = forms.DecimalField(label="金额（元）", min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from policies.registry import vocabulary

        from .models import LineKind, Source

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择"), *LineKind.choices]  # type: ignore[attr-defined]
        self.fields["source"].choices = [("", "请选择"), *Source.choices]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", "（不限）"), *vocabulary("spending_categories").items()]  # type: ignore[attr-defined]


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=2, max_num=50, validate_max=True, can_delete=True)


class ReliefBaseForm(Styled):
    division = forms.ChoiceField(label="县（市、区）")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = forms.DecimalField(label="计算基数（元）", min_value=0, max_digits=14, decimal_places=2)
    document = forms.CharField(label="依据文件（如预算批复文号）", max_length=200, required=False)

    def __init__(self, *args: Any, counties: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = counties  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class ExpenditureForm(Styled):
    line = forms.ModelChoiceField(label="预算科目", queryset=BudgetLine.objects.none(), empty_label="请选择预算科目")
    category = forms.ChoiceField(label="支出类别")
    amount = forms.DecimalField(label="金额（元）", min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    spent_on = forms.DateField(label="支出日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    payee = forms.CharField(label="收款方", max_length=100)
    description = forms.CharField(label="用途说明", max_length=300)
    receipt = forms.FileField(
        label="票据（发票或收据）", help_text="PDF、JPG 或 PNG，不超过 10 MB；照片会去除拍摄位置等信息。"
    )

    def __init__(self, *args: Any, lines: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", "请选择"), *categories]  # type: ignore[attr-defined]
        self.fields["receipt"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"


class ReturnForm(Styled):
    note = forms.CharField(label="退回理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class TranchesForm(Styled):
    contract = forms.ModelChoiceField(label="协议", queryset=Contract.objects.none(), empty_label="请选择协议")

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]


class CareSubsidyForm(Styled):
    township = forms.ModelChoiceField(
        label="镇（街道）", queryset=Division.objects.none(), empty_label="请选择镇（街道）"
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    half = forms.IntegerField(label="期次", min_value=1)
    due_date = forms.DateField(label="计划拨付日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, townships: Any, per_year: int | None = None, **kwargs: Any) -> None:
        """``per_year``: the instalments a year the townships' policy sets (``funding.disbursements_per_year``);
        the instalment is then one of them, otherwise a number the action checks against each township's policy."""
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year
        if per_year:
            self.fields["half"] = forms.TypedChoiceField(
                label="期次",
                coerce=int,
                choices=[(str(n), f"第 {n} 次（每年 {per_year} 次）") for n in range(1, per_year + 1)],
            )
            self.fields["half"].widget.attrs["class"] = "form-select"


class PayForm(Styled):
    paid_on = forms.DateField(label="拨付日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
