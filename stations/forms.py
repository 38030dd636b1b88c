"""Station edit form: Chinese labels, errors next to each field; the write itself is stations.actions.station_update."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User

from .models import FUNCTIONAL_ROOMS, Division, Station, validate_rooms

ROOM_SEPARATORS = [",", "，", "、", ";", "；", "\n"]


def split_rooms(text: str) -> list[str]:
    for sep in ROOM_SEPARATORS[1:]:
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def apply_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put an action's ValidationError next to the fields it names; anything else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


class StationForm(forms.ModelForm):
    rooms_standard = forms.MultipleChoiceField(
        label="标准功能室（两室两中心）",
        choices=[(r, r) for r in FUNCTIONAL_ROOMS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rooms_other = forms.CharField(
        label="其他功能室",
        required=False,
        max_length=300,
        help_text="多个功能室用逗号分隔，例如：心理咨询室，儿童活动室",
    )
    covered_townships = forms.ModelMultipleChoiceField(
        label="覆盖乡镇",
        queryset=Division.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="仅区域性中心社工站：本县范围内由该中心覆盖的乡镇（街道）。",
    )

    class Meta:
        model = Station
        fields = ["name", "address", "floor_area", "plaque_date", "status", "star_rating"]
        labels = {
            "name": "标准挂牌名称",
            "address": "地址",
            "floor_area": "场地面积（m²）",
            "plaque_date": "挂牌日期",
            "status": "运营状态",
            "star_rating": "星级",
        }
        widgets = {
            "plaque_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "floor_area": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }
        error_messages = {
            "name": {"required": "请填写标准挂牌名称。", "max_length": "名称不能超过 %(limit_value)d 个字。"},
            "floor_area": {"invalid": "请输入数字，例如 150 或 150.5。"},
            "plaque_date": {"invalid": "请输入有效日期，格式为 YYYY-MM-DD。"},
        }

    def __init__(self, *args: Any, user: User, standard_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        station: Station = self.instance
        self.standard_name = standard_name
        if not station.name and standard_name:
            self.initial["name"] = standard_name
        rooms = list(station.rooms or [])
        self.initial["rooms_standard"] = [r for r in rooms if r in FUNCTIONAL_ROOMS]
        self.initial["rooms_other"] = "，".join(r for r in rooms if r not in FUNCTIONAL_ROOMS)

        # Status: the current one and the moves the lifecycle allows (DOMAIN §2).
        current = Station.Status(station.status)
        allowed = {current, *Station.TRANSITIONS[current]}
        status_field = cast(forms.ChoiceField, self.fields["status"])
        status_field.choices = [(v, label) for v, label in Station.Status.choices if v in allowed]
        self.fields["status"].help_text = "状态按 规划中 → 筹建中 → 运营中 → 暂停运营/已关闭 的顺序变更。"

        star = self.fields["star_rating"]
        star_choices = [("", "未评星")] + [(str(n), f"{'★' * n}（{n} 星）") for n in range(1, 6)]
        self.fields["star_rating"] = forms.TypedChoiceField(
            label=star.label,
            choices=star_choices,
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.fields["floor_area"].error_messages["min_value"] = "场地面积不能为负数。"
        self.fields["floor_area"].error_messages["max_digits"] = "场地面积数值过大。"
        self.fields["floor_area"].error_messages["max_decimal_places"] = "场地面积最多保留两位小数。"

        if station.level == Station.Level.REGIONAL:
            cast(forms.ModelMultipleChoiceField, self.fields["covered_townships"]).queryset = (
                Division.objects.for_user(user)
                .filter(level=Division.Level.TOWNSHIP, code__startswith=station.county_code)
                .order_by("code")
            )
            self.initial["covered_townships"] = list(station.covered_townships.values_list("code", flat=True))
        else:
            del self.fields["covered_townships"]

        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if field.required:
                widget.attrs["required"] = True

    def clean_name(self) -> str:
        return (self.cleaned_data.get("name") or "").strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        rooms = list(data.get("rooms_standard") or [])
        for room in split_rooms(data.get("rooms_other") or ""):
            if room not in rooms:
                rooms.append(room)
        try:
            validate_rooms(rooms)
        except ValidationError as exc:
            self.add_error("rooms_other", exc)
        data["rooms"] = rooms
        return data

    def action_data(self) -> dict[str, Any]:
        """The fields station_update accepts, from the cleaned data."""
        data = {name: self.cleaned_data.get(name) for name in self._meta.fields}  # type: ignore[union-attr]
        data["rooms"] = self.cleaned_data["rooms"]
        return data

    def action_covered_townships(self) -> list[Division] | None:
        if "covered_townships" not in self.fields:
            return None
        return list(self.cleaned_data.get("covered_townships") or [])


# The station level a new station defaults to, from the level of the place picked (issue 13 item 5).
DEFAULT_LEVEL_FOR = {
    Division.Level.CITY: Station.Level.CITY_CENTRE,
    Division.Level.COUNTY: Station.Level.COUNTY_HQ,
    Division.Level.TOWNSHIP: Station.Level.TOWNSHIP,
    Division.Level.VILLAGE: Station.Level.VILLAGE,
}


# Levels with one open station per place (the model's one_open_per_division_level constraint).
ONE_OPEN_PER_PLACE = {Station.Level.COUNTY_HQ, Station.Level.TOWNSHIP, Station.Level.VILLAGE}


def default_level(division: Division | None) -> str:
    return DEFAULT_LEVEL_FOR.get(division.level, "") if division is not None else ""  # type: ignore[call-overload]


def creatable_divisions(user: User) -> Any:
    """Places where a user may create a station: its own subtree (not the ancestors it can see), county and below.

    Division.objects.for_user also returns the way up the tree, which is for reading only.
    """
    from django.db.models import Q

    from core.scoping import scope_of

    qs = Division.objects.for_user(user).filter(level__gte=Division.Level.COUNTY)
    scope = scope_of(user)
    if scope.is_global:
        return qs
    roots = [code for code in scope.roots if code]
    if not roots:
        return qs.none()
    q = Q()
    for code in roots:
        q |= Q(code__startswith=code)
    return qs.filter(q)


class StationCreateForm(forms.Form):
    """A new station: where (picked from the tree or found by name) and at which level; the rest comes later."""

    division = forms.CharField(
        label="地点",
        max_length=12,
        error_messages={"required": "请先选择要建站的地点：在上方按名称查找，或逐级展开选择。"},
        widget=forms.HiddenInput,
    )
    level = forms.ChoiceField(
        label="站点层级",
        choices=[("", "按所选地点自动确定"), *Station.Level.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="县（市、区）默认建县级社工总站，乡镇（街道）默认建乡镇（街道）社工站，村（社区）默认建服务点。",
    )
    name = forms.CharField(
        label="挂牌名称",
        required=False,
        max_length=120,
        help_text="留空则按本地政策规定的标准挂牌名称自动生成。",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_division(self) -> Division:
        code = self.cleaned_data["division"].strip()
        division = (
            creatable_divisions(self.user).select_related("parent").filter(code=code).first()
            if code.isdigit()
            else None
        )
        if division is None:
            raise ValidationError("没有找到这个地点，或它不在您可以新建站点的范围内。请重新选择。")
        return division

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        division = data.get("division")
        if isinstance(division, Division) and not data.get("level"):
            data["level"] = default_level(division)
            if not data["level"]:
                self.add_error("level", "请选择站点层级。")
        level = data.get("level")
        if isinstance(division, Division) and level in ONE_OPEN_PER_PLACE:
            # The database constraint says “已有同层级的在用站点”; say which one, in plain words.
            existing = (
                Station.objects.filter(division=division, level=level)
                .exclude(status=Station.Status.CLOSED)
                .only("name")
                .first()
            )
            if existing is not None:
                self.add_error(
                    "division",
                    f"{division.name}已经有在用的{Station.Level(level).label}“{existing.name}”，不能再建一个。"
                    "如需另建区域性中心社工站，请把层级改为“区域性中心社工站”。",
                )
        return data
