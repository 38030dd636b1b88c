from __future__ import annotations

from typing import Any

from django import forms

from .models import CertificateLevel, Education, Replacement, StaffRole

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-check-input"
                if isinstance(widget, forms.CheckboxInput)
                else ("form-select" if isinstance(widget, forms.Select) else "form-control")
            )
            widget.attrs["class"] = css


class WorkerForm(Styled):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号码", max_length=18)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    education = forms.ChoiceField(label="最高学历", choices=Education.choices)
    major = forms.CharField(label="所学专业", max_length=60, required=False)
    social_work_major = forms.BooleanField(label="社会工作相关专业", required=False)
    graduation_year = forms.IntegerField(label="毕业年份", required=False, min_value=1950, max_value=2100)
    household_division = forms.RegexField(
        label="户籍所在地区划代码",
        regex=r"^\d{6}(\d{3}(\d{3})?)?$",
        required=False,
        help_text="6、9 或 12 位统计用区划代码，用于判断是否本地户籍",
        error_messages={"invalid": "请填写 6、9 或 12 位区划代码。"},
    )
    hired_on = forms.DateField(label="入职日期", widget=DATE)

    def data_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["household_division_id"] = data.pop("household_division") or None
        return data


class AssignForm(Styled):
    station: forms.ModelChoiceField = forms.ModelChoiceField(label="站点", queryset=None)  # type: ignore[arg-type]
    role = forms.ChoiceField(label="岗位", choices=StaffRole.choices)
    start_date = forms.DateField(label="到岗日期", widget=DATE)

    def __init__(self, *args: Any, stations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]


class ReleaseForm(Styled):
    end_date = forms.DateField(label="离岗日期", widget=DATE)
    reason = forms.ChoiceField(label="原因", choices=Replacement.Reason.choices)
    note = forms.CharField(label="说明", max_length=300, required=False)
    successor: forms.ModelChoiceField = forms.ModelChoiceField(
        label="接替人（可不选）",
        queryset=None,  # type: ignore[arg-type]
        required=False,
    )
    leaves_agency = forms.BooleanField(label="同时办理离职", required=False)

    def __init__(self, *args: Any, successors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successors  # type: ignore[attr-defined]


class CertificateForm(Styled):
    level = forms.ChoiceField(label="证书等级", choices=CertificateLevel.choices)
    number = forms.CharField(label="证书编号", max_length=40)
    obtained_on = forms.DateField(label="取得日期", widget=DATE)


class ScreeningForm(Styled):
    division = forms.ChoiceField(label="拟派驻乡镇（街道）")
    on = forms.DateField(label="拟聘用日期", widget=DATE, required=False, help_text="不填则按今天")
    id_number = forms.CharField(label="身份证号码", max_length=18, required=False, help_text="与出生日期二选一；不保存")
    birth_date = forms.DateField(label="出生日期", widget=DATE, required=False)
    education = forms.ChoiceField(label="最高学历", choices=Education.choices)
    major = forms.CharField(label="所学专业", max_length=60, required=False)
    social_work_major = forms.BooleanField(label="社会工作相关专业", required=False)
    certificate_level = forms.ChoiceField(
        label="证书等级", choices=[("", "未持证"), *CertificateLevel.choices], required=False
    )
    certificate_date = forms.DateField(label="取得证书日期", widget=DATE, required=False)
    household_division = forms.RegexField(
        label="户籍所在地区划代码",
        regex=r"^\d{6}(\d{3}(\d{3})?)?$",
        required=False,
        error_messages={"invalid": "请填写 6、9 或 12 位区划代码。"},
    )
    employment = forms.ChoiceField(label="用工方式", choices=[("full_time", "专职"), ("part_time", "兼职")])
    experience_months = forms.IntegerField(label="相关工作经验（月）", min_value=0, max_value=1200, required=False)
    graduation_year = forms.IntegerField(label="毕业年份", min_value=1950, max_value=2100, required=False)

    def __init__(self, *args: Any, townships: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = townships  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("id_number") and not data.get("birth_date"):
            self.add_error("birth_date", "请填写出生日期或身份证号码。")
        return data


class PlanForm(Styled):
    division = forms.ChoiceField(label="乡镇（街道）")
    villages = forms.IntegerField(label="村（社区）数（规划用，可不填）", min_value=0, max_value=1000, required=False)

    def __init__(self, *args: Any, townships: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = townships  # type: ignore[attr-defined]


class ImportForm(Styled):
    file = forms.FileField(label="花名册文件（Excel）")


class LabourContractForm(Styled):
    start_date = forms.DateField(
        label="合同开始日期", widget=DATE, help_text="与已登记合同的开始日期相同的，视为变更该合同（如缩短试用期）。"
    )
    end_date = forms.DateField(label="合同结束日期（无固定期限留空）", widget=DATE, required=False)
    probation_months = forms.IntegerField(label="试用期（月）", min_value=0, max_value=12, initial=0)


class PayForm(Styled):
    month = forms.DateField(
        label="月份（填该月任一天）", widget=DATE, help_text="该月已登记的，再次登记即更正该月记录。"
    )
    gross_pay = forms.DecimalField(label="应发工资（元）", max_digits=10, decimal_places=2, min_value=0)
    performance_withheld = forms.DecimalField(
        label="提取的绩效考核工资（元）", max_digits=10, decimal_places=2, min_value=0, required=False
    )
    insurance_paid = forms.BooleanField(label="已缴五项社会保险", required=False)
    housing_fund_paid = forms.BooleanField(label="已缴住房公积金", required=False)


class TrainingForm(Styled):
    date = forms.DateField(label="日期", widget=DATE)
    kind = forms.ChoiceField(label="类型", choices=[("training", "专业培训"), ("supervision", "专业督导")])
    level = forms.ChoiceField(label="组织层级", choices=[("county", "县级"), ("city", "市级"), ("other", "其他")])
    hours = forms.DecimalField(label="时长（小时/学时）", max_digits=6, decimal_places=1, min_value=0.5, max_value=24)
    topic = forms.CharField(label="内容", max_length=200)


class WageForm(Styled):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = forms.DecimalField(label="年平均工资（元）", max_digits=12, decimal_places=2, min_value=1)
    source = forms.CharField(label="数据来源", max_length=200, required=False, help_text="如：县统计局公报")


class RecruitmentPlanForm(Styled):
    division = forms.ChoiceField(label="县（市、区）")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    heads = forms.IntegerField(label="站长岗位（人）", min_value=0, max_value=500, initial=0)
    full_time = forms.IntegerField(label="专职社工岗位（人）", min_value=0, max_value=5000, initial=0)
    part_time = forms.IntegerField(label="兼职社工岗位（人）", min_value=0, max_value=5000, initial=0)
    announce_on = forms.DateField(label="发布招聘公告日期", widget=DATE)
    interview_on = forms.DateField(label="笔试、面试日期", widget=DATE, required=False)
    start_on = forms.DateField(label="计划到岗日期", widget=DATE)
    stations: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="招聘站点", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    conditions = forms.CharField(
        label="招聘条件和程序",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="如：学历、证书、年龄要求，报名、笔试、面试、体检、公示等环节",
    )

    def __init__(self, *args: Any, counties: list[tuple[str, str]], stations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = counties  # type: ignore[attr-defined]
        self.fields["stations"].queryset = stations  # type: ignore[attr-defined]
        self.fields["stations"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(k) == 0 for k in ("heads", "full_time", "part_time")):
            raise forms.ValidationError("至少填写一个招聘岗位。")
        return data

    def plan_data(self) -> tuple[dict[str, Any], Any]:
        d = dict(self.cleaned_data)
        stations = d.pop("stations")
        d["division_id"] = d.pop("division")
        return d, stations


class AcknowledgeForm(Styled):
    note = forms.CharField(label="县民政局意见（可不填）", max_length=300, required=False)
