from __future__ import annotations

from django import forms


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label="免除理由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "maxlength": 300}),
        error_messages={"required": "请写明免除的理由。", "max_length": "理由不能超过 300 个字。"},
        help_text="例如：该站点已并入区域性中心社工站，不再单独挂牌。理由将记入操作日志。",
    )
