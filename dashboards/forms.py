"""The bureau's form for a new read-only service account of the indicator API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from stations.models import Division


def scope_choices(user: User) -> list[tuple[str, str]]:
    """The bureau's own division and the places right below it (what a service account may be limited to)."""
    home = user.organisation.division_id if user.organisation is not None else None
    if not home:
        return []
    rows = (
        Division.objects.for_user(user)  # type: ignore[attr-defined]
        .filter(code__startswith=home, level__lte=4)
        .filter(code__regex=rf"^{home}(\d{{0,{ {2: 2, 4: 2, 6: 3}.get(len(home), 0) }}})$")
        .order_by("code")
        .values_list("code", "name")
    )
    return [(code, f"{name}（{code}）" + ("（本级全部）" if code == home else "")) for code, name in rows]


class ServiceAccountForm(forms.Form):
    name = forms.CharField(
        label="名称",
        max_length=100,
        help_text="例如：省民政厅社工站数据看板系统。",
        error_messages={"required": "请填写服务账号的名称。"},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    division = forms.ChoiceField(
        label="数据范围",
        help_text="该账号只能读取此区划及其下级的统计指标。",
        error_messages={"required": "请选择数据范围。", "invalid_choice": "请从列表中选择数据范围。"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    expires_on = forms.DateField(
        label="有效期至",
        help_text=f"当天 24 时失效，最长 {settings.SERVICE_KEY_MAX_DAYS} 天。",
        error_messages={"required": "请填写有效期。", "invalid": "请按 年-月-日 填写有效期，例如 2027-06-30。"},
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = scope_choices(user)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + dt.timedelta(days=90))
