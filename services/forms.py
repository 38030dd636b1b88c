"""Forms of the services pages: phone-first, every choice a widget, every code a Chinese name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from policies.registry import vocabulary
from stations.models import Division, Station

from .models import Beneficiary, Case, Escalation, ServiceItem, ServiceRecord, Visit


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.CheckboxInput)):
            widget.attrs.setdefault("class", "form-check-input")
            continue
        # Never ``form.errors`` here: it would validate before the caller has set the querysets.
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ServiceListForm(StyledForm):
    station = forms.ModelChoiceField(queryset=Station.objects.none(), label="社工站", empty_label="请选择站点")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    items = forms.ModelMultipleChoiceField(
        queryset=ServiceItem.objects.none(), label="本站服务项目", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, stations: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        self.fields["items"].queryset = items  # type: ignore[attr-defined]
        self.fields["items"].label_from_instance = lambda i: f"{i.domain.name}：{i.code} {i.name}"  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class ItemsForm(StyledForm):
    items = forms.ModelMultipleChoiceField(
        queryset=ServiceItem.objects.none(), label="本站服务项目", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items  # type: ignore[attr-defined]
        self.fields["items"].label_from_instance = lambda i: f"{i.domain.name}：{i.code} {i.name}"  # type: ignore[attr-defined]


class CommentsForm(StyledForm):
    comments = forms.CharField(label="退回意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class BeneficiaryForm(StyledForm):
    station = forms.ModelChoiceField(queryset=Station.objects.none(), label="服务站点", empty_label="请选择站点")
    division = forms.ModelChoiceField(
        queryset=Division.objects.none(), label="所在村（社区）", empty_label="请选择村（社区）"
    )
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(
        label="身份证号码", max_length=18, required=False, help_text="填写后自动得出出生日期和性别。"
    )
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="住址", max_length=120, required=False)
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput())
    categories = forms.MultipleChoiceField(label="服务对象类别", widget=forms.CheckboxSelectMultiple, choices=[])
    household = forms.CharField(label="户主或户号", max_length=50, required=False)
    household_size = forms.IntegerField(label="家庭人口", min_value=1, max_value=50, required=False)
    risk_level = forms.ChoiceField(label="风险等级", choices=Beneficiary.Risk.choices)
    self_care = forms.ChoiceField(
        label="自理能力评估", choices=[("", "未评估"), *Beneficiary.SelfCare.choices], required=False
    )
    consent = forms.BooleanField(label="本人或监护人已同意处理其个人信息", required=False)
    consent_by = forms.ChoiceField(label="同意人", choices=[("", "—"), *Beneficiary.ConsentBy.choices], required=False)
    consent_date = forms.DateField(label="同意日期", required=False, widget=DateInput())
    guardian_name = forms.CharField(
        label="监护人姓名", max_length=50, required=False, help_text="不满十四周岁的须由监护人同意。"
    )

    def __init__(self, *args: Any, stations: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        self.fields["division"].queryset = villages  # type: ignore[attr-defined]
        self.fields["categories"].choices = list(vocabulary("beneficiary_categories").items())  # type: ignore[attr-defined]


class VisitForm(StyledForm):
    """A home visit in under a minute: the date defaults to today, each check defaults to 正常."""

    date = forms.DateField(label="探访日期", widget=DateInput())
    hours = forms.DecimalField(
        label="时长（小时）",
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        max_digits=4,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        help_text="计入专业服务时长；默认为您上一次探访的时长。",
    )
    notes = forms.CharField(label="情况说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput())

    # The form's own default before the worker's first visit (a short home visit); never assumed by the action.
    FIRST_VISIT_HOURS = Decimal("0.5")

    def __init__(self, *args: Any, checklist: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for code, label in checklist.items():
            self.fields[f"check_{code}"] = forms.ChoiceField(
                label=label,
                choices=Visit.Check.choices,
                initial=Visit.Check.OK,
                # Bootstrap's toggle buttons: one tap per check (the label is the button).
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
        self.fields["date"].initial = timezone.localdate()
        _style(self)

    def checks(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"check_{code}"] for code in self.checklist}

    def check_fields(self) -> list[Any]:
        return [self[f"check_{code}"] for code in self.checklist]


class RecordForm(StyledForm):
    station = forms.ModelChoiceField(queryset=Station.objects.none(), label="社工站", empty_label="请选择站点")
    kind = forms.ChoiceField(label="工作类型", choices=ServiceRecord.Kind.choices)
    date = forms.DateField(label="日期", widget=DateInput())
    hours = forms.DecimalField(label="时长（小时）", min_value=0, max_digits=5, decimal_places=2)
    title = forms.CharField(label="主题", max_length=100)
    item = forms.ModelChoiceField(
        queryset=ServiceItem.objects.none(),
        label="服务项目",
        required=False,
        empty_label="（不属于服务清单：只能记为行政事务）",
    )
    admin_function = forms.ChoiceField(label="所涉行政职能", required=False, choices=[])
    village = forms.ModelChoiceField(queryset=Division.objects.none(), label="村（社区）", required=False)
    participants = forms.IntegerField(label="参与人数", min_value=0, max_value=100000, required=False)
    workers = forms.ModelMultipleChoiceField(
        queryset=Station.objects.none(),
        label="服务社工",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则记为录入账号本人（如其为社工）。",
    )
    notes = forms.CharField(label="记录", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput())

    def __init__(
        self,
        *args: Any,
        stations: Any,
        items: Any,
        villages: Any,
        functions: list[str],
        workers: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if workers is not None:
            self.fields["workers"].queryset = workers  # type: ignore[attr-defined]
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        self.fields["item"].label_from_instance = lambda i: f"{i.code} {i.name}"  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["admin_function"].choices = [("", "不涉及"), *[(f, f) for f in functions]]  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()


class ResolveForm(StyledForm):
    outcome = forms.ChoiceField(label="处置结果", choices=[("", "请选择"), *Escalation.Outcome.choices])
    note = forms.CharField(label="处置说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CaseOpenForm(StyledForm):
    beneficiary = forms.ModelChoiceField(queryset=Beneficiary.objects.none(), label="服务对象", empty_label="请选择")
    title = forms.CharField(label="个案名称", max_length=100)
    intake_date = forms.DateField(label="接案日期", widget=DateInput())
    intake_note = forms.CharField(label="接案情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = people  # type: ignore[attr-defined]
        self.fields["intake_date"].initial = timezone.localdate()


class AdvanceForm(StyledForm):
    date = forms.DateField(label="日期", widget=DateInput())
    text = forms.CharField(label="本阶段工作内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = case.next_stage
        if target:
            self.fields["text"].label = f"{Case.Stage(target).label}：工作内容"
            self.fields["date"].label = f"{Case.Stage(target).label}日期"
        self.fields["date"].initial = timezone.localdate()


class ReferralForm(StyledForm):
    to_station = forms.ModelChoiceField(queryset=Station.objects.none(), label="转入站点", empty_label="请选择站点")
    reason = forms.CharField(label="转介原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, stations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_station"].queryset = stations  # type: ignore[attr-defined]


class RespondForm(StyledForm):
    response = forms.CharField(
        label="答复意见", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(StyledForm):
    station = forms.ModelChoiceField(queryset=Station.objects.none(), label="服务站点", empty_label="请选择站点")
    file = forms.FileField(label="Excel 文件（.xlsx）", help_text="请使用下载的模板；不超过 2 MB、2000 行。")

    def __init__(self, *args: Any, stations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]


def month_of(value: str | None) -> tuple[int, int]:
    """``YYYY-MM`` from a query string, this month when missing or malformed."""
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(f"{value}-01") if value else today
    except ValueError:
        day = today
    if not 2000 <= day.year <= 2100:
        day = today
    return day.year, day.month


class TeamForm(StyledForm):
    station = forms.ModelChoiceField(queryset=Station.objects.none(), label="社工站", empty_label="请选择站点")
    name = forms.CharField(label="服务队名称", max_length=100)
    founded_on = forms.DateField(label="组建日期", widget=DateInput())
    members = forms.IntegerField(label="志愿者人数", min_value=1, max_value=100000)
    party_members = forms.BooleanField(label="党员志愿服务队", required=False)

    def __init__(self, *args: Any, stations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]


class OrganisationForm(StyledForm):
    station = forms.ModelChoiceField(queryset=Station.objects.none(), label="孵化站点", empty_label="请选择站点")
    name = forms.CharField(label="社会组织名称", max_length=120)
    registered_on = forms.DateField(label="登记注册日期", widget=DateInput())
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)

    def __init__(self, *args: Any, stations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
