"""Page forms for the agreement's structured terms (payment schedule, indicators, breach terms); the declared
action ``contracts.terms_save`` validates and saves them."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import BreachTerm

# An <input type="date"> takes only ISO dates: a filled-in form (the draft edit pages) must not render the
# localised "2026/01/01", which the browser shows as empty.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

EXTRA_ROWS = 3


class _Row(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class PaymentForm(_Row):
    due_date = forms.DateField(label="拨付时间", required=False, widget=DATE)
    amount = forms.DecimalField(label="金额（元）", required=False, max_digits=14, decimal_places=2, min_value=0)
    condition = forms.CharField(label="拨付条件", required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [k for k in ("due_date", "amount", "condition") if data.get(k) not in (None, "")]
        if filled and (data.get("due_date") is None or data.get("amount") is None):
            raise forms.ValidationError("请同时填写拨付时间和金额。")
        return data


class IndicatorForm(_Row):
    name = forms.CharField(label="指标", required=False, max_length=120)
    target = forms.CharField(label="目标值", required=False, max_length=60)
    unit = forms.CharField(label="单位", required=False, max_length=20)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("name") or data.get("target") or data.get("unit")) and not (
            data.get("name") and data.get("target")
        ):
            raise forms.ValidationError("请同时填写指标和目标值。")
        return data


class BreachForm(_Row):
    party = forms.ChoiceField(label="违约方", required=False, choices=[("", "—"), *BreachTerm.Party.choices])
    text = forms.CharField(label="违约情形及责任", required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("party") or data.get("text")) and not (data.get("party") and data.get("text")):
            raise forms.ValidationError("请同时选择违约方并填写违约情形及责任。")
        return data


PaymentFormSet = forms.formset_factory(PaymentForm, extra=EXTRA_ROWS, max_num=60, validate_max=True)
IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=EXTRA_ROWS, max_num=60, validate_max=True)
BreachFormSet = forms.formset_factory(BreachForm, extra=EXTRA_ROWS, max_num=60, validate_max=True)


def filled_rows(formset: forms.BaseFormSet, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data or {}
        if any(data.get(k) not in (None, "") for k in keys):
            rows.append({k: data.get(k) if data.get(k) is not None else "" for k in keys})
    return rows


# --- procurement and amendment pages ---------------------------------------------------------------------


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field, forms.MultipleChoiceField):
                field.widget.attrs.setdefault("class", "form-select")
                field.widget.attrs.setdefault("size", "6")
            elif isinstance(field, forms.ChoiceField):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")


class ProcurementForm(_Styled):
    number = forms.CharField(label="采购项目编号", max_length=60)
    title = forms.CharField(label="采购项目名称", max_length=200)
    division = forms.ChoiceField(label="项目区划")
    method = forms.ChoiceField(label="采购方式")
    rationale = forms.CharField(label="采用该方式的依据", max_length=300, required=False)
    budget = forms.DecimalField(label="预算金额（元）", max_digits=14, decimal_places=2, min_value=0)
    announced_date = forms.DateField(label="公告（邀请）日期", widget=DATE)
    bid_deadline = forms.DateField(label="响应截止日期", widget=DATE)

    def __init__(self, *args: Any, divisions: list[tuple[str, str]], methods: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["division"].choices = divisions  # type: ignore[attr-defined]
        self.fields["method"].choices = methods  # type: ignore[attr-defined]


class BidderForm(_Styled):
    agency = forms.ChoiceField(label="供应商（社工机构）")
    price = forms.DecimalField(label="报价（元）", max_digits=14, decimal_places=2, min_value=0)
    registered_social_work = forms.BooleanField(label="在民政部门登记、章程明确社会工作服务宗旨", required=False)
    finance_qualified = forms.BooleanField(label="财务纳税规范、有固定场所和专业团队", required=False)
    no_violation = forms.BooleanField(label="无违法违规记录", required=False)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]


class AwardForm(_Styled):
    bidder = forms.ChoiceField(label="成交供应商")
    award_date = forms.DateField(label="成交日期", widget=DATE)
    reason = forms.CharField(label="例外理由（如适用）", max_length=300, required=False)

    def __init__(self, *args: Any, bidders: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["bidder"].choices = bidders  # type: ignore[attr-defined]


class AmendmentForm(_Styled):
    signed_date = forms.DateField(label="补充协议签订日期", widget=DATE)
    effective_date = forms.DateField(label="生效日期", widget=DATE)
    reason = forms.CharField(label="变更原因", max_length=300)
    stations_added = forms.MultipleChoiceField(label="增加的站点", required=False)
    stations_removed = forms.MultipleChoiceField(label="减少的站点", required=False)
    amount_per_year = forms.DecimalField(
        label="变更后的年度金额（元）", max_digits=14, decimal_places=2, min_value=0, required=False
    )

    def __init__(self, *args: Any, addable: list[tuple[str, str]], removable: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["stations_added"].choices = addable  # type: ignore[attr-defined]
        self.fields["stations_removed"].choices = removable  # type: ignore[attr-defined]


class ContractForm(_Styled):
    """新建服务协议 (a draft): the buyer is the caller's own bureau; the other parties and the stations come from
    the caller's scope as dropdowns. The declared action ``contracts.create`` decides and saves."""

    number = forms.CharField(label="协议编号", max_length=60, help_text="本局对该协议的编号")
    township = forms.ChoiceField(label="项目落地方（乡镇人民政府）", required=False)
    agency = forms.ChoiceField(label="承接主体（社工机构）")
    procurement = forms.ChoiceField(label="采购项目（已确定承接机构的）", required=False)
    stations = forms.MultipleChoiceField(label="服务站点")
    service_items = forms.MultipleChoiceField(
        label="服务内容（服务清单项目）",
        required=False,
        help_text="从本地政策指定的服务清单中选择；政策未指定时列出平台收录的各地服务清单。",
    )
    cycle_start = forms.DateField(label="项目周期开始日期", required=False, widget=DATE)
    cycle_end = forms.DateField(label="项目周期结束日期", required=False, widget=DATE)
    start_date = forms.DateField(label="本期（年度）服务开始日期", widget=DATE)
    end_date = forms.DateField(label="本期（年度）服务结束日期", widget=DATE)
    amount_per_year = forms.DecimalField(
        label="年度金额（元）", max_digits=14, decimal_places=2, min_value=0, required=False
    )
    resident_workers = forms.IntegerField(label="每站驻站社工人数", min_value=0, max_value=99, required=False)
    station_head_required = forms.BooleanField(label="须配备站长", required=False)
    staffing_note = forms.CharField(label="人员配备要求说明", max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        townships: list[tuple[str, str]],
        agencies: list[tuple[str, str]],
        procurements: list[tuple[str, str]],
        stations: list[tuple[str, str]],
        service_items: list[tuple[str, str]] | None = None,
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        self.fields["service_items"].choices = service_items or []  # type: ignore[attr-defined]
        self.fields["township"].choices = [("", "不设落地乡镇（县级项目）"), *townships]  # type: ignore[attr-defined]
        self.fields["agency"].choices = [("", "请选择"), *agencies]  # type: ignore[attr-defined]
        self.fields["procurement"].choices = [("", "不关联采购项目"), *procurements]  # type: ignore[attr-defined]
        self.fields["stations"].choices = stations  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            field.error_messages.setdefault("required", f"请填写{field.label}。")
            if name in {"township", "agency", "procurement", "stations", "service_items"}:
                field.error_messages["required"] = f"请选择{field.label}。"
                field.error_messages["invalid_choice"] = "所选项不在可选范围内，请重新选择。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "请填写正确的日期。"
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                field.error_messages["invalid"] = "请填写数字。"
                field.error_messages["min_value"] = "不能小于 %(limit_value)s。"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "服务结束日期不能早于开始日期。")
        cycle_start, cycle_end = data.get("cycle_start"), data.get("cycle_end")
        if (cycle_start is None) != (cycle_end is None):
            self.add_error("cycle_end", "请同时填写项目周期的开始和结束日期。")
        elif cycle_start and cycle_end:
            if cycle_end < cycle_start:
                self.add_error("cycle_end", "项目周期结束日期不能早于开始日期。")
            elif start and end and not cycle_start <= start <= end <= cycle_end:
                self.add_error("start_date", "本期服务期须在项目周期之内。")
        return data


class CareAgreementForm(_Styled):
    """新建四方服务协议: the village decides the township; the station, worker and cared-for person are dropdowns
    of the caller's scope. The declared action ``care_agreements.create`` checks and saves."""

    number = forms.CharField(label="协议编号", max_length=60)
    village = forms.ChoiceField(label="村（社区）")
    station = forms.ChoiceField(label="社工站")
    worker = forms.ChoiceField(label="社工站工作人员")
    beneficiary = forms.ChoiceField(label="分散特困供养人员")
    start_date = forms.DateField(label="服务开始日期", widget=DATE)
    end_date = forms.DateField(label="服务结束日期", widget=DATE)
    station_legal_person = forms.BooleanField(label="社工站已登记为民办非企业单位（社会服务机构）", required=False)
    station_credit_code = forms.CharField(label="社工站统一社会信用代码", max_length=18, required=False)
    station_head_name = forms.CharField(label="社工站站长（法人代表）姓名", max_length=50, required=False)
    station_head_civil_affairs = forms.BooleanField(
        label="站长为乡镇（街道）从事民政工作的事业性质人员", required=False
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kw: Any):
        super().__init__(*args, **kw)
        for name in ("village", "station", "worker", "beneficiary"):
            field = self.fields[name]
            field.choices = [("", "请选择"), *choices[name]]  # type: ignore[attr-defined]
            field.error_messages["required"] = f"请选择{field.label}。"
            field.error_messages["invalid_choice"] = "所选项不在可选范围内，请重新选择。"
        for name in ("number", "start_date", "end_date"):
            self.fields[name].error_messages["required"] = f"请填写{self.fields[name].label}。"
        for name in ("start_date", "end_date"):
            self.fields[name].error_messages["invalid"] = "请填写正确的日期。"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "服务结束日期不能早于开始日期。")
        return data
