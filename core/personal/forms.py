"""The reason form shown before clear values (unmask page, clear export)."""

from __future__ import annotations

from typing import Any

from django import forms

from .access import REASON_TEXT_MAX, REASONS


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label="查看事由",
        choices=[("", "请选择事由"), *REASONS],
        error_messages={"required": "请选择查看明文的事由。", "invalid_choice": "请从列表中选择事由。"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason_text = forms.CharField(
        label="具体说明",
        max_length=REASON_TEXT_MAX,
        help_text="写明为哪件事需要完整信息，例如“上门走访前电话预约”。将与您的姓名一起记入审计日志。",
        error_messages={"required": "请具体说明事由，将记入审计日志。", "max_length": "说明不能超过 200 个字。"},
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if self.errors.get(name) if self.is_bound else False:
                field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " is-invalid"


class LookupForm(forms.Form):
    """Exact search by identity number or phone, sent by POST so the number never lands in a URL or a log
    (SECURITY.md; ASVS 14.2.1)."""

    id_number = forms.CharField(label="身份证号码", max_length=18, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("id_number") or "").strip() and not (data.get("phone") or "").strip():
            raise forms.ValidationError("请输入身份证号码或联系电话。")
        return data
