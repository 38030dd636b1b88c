"""The per-rule form of the policy editor: one proper widget per rule type, the same validation as the API
(``RuleDef.validate``), and the strength, condition and 不适用 of the value."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from .registry import RuleDef, label_of, percent_text, render_template, vocabulary

BOOL_CHOICES = [("true", "是"), ("false", "否")]
SIGNAGE_PATTERNS = ["{county}{township}社会工作服务站", "{township}社会工作服务站", "{county}{township}社工站"]
SERIES_ROWS = 6
STAFFING_ROWS = 2
BLANK = [("", "—")]


def form_prefix(key: str) -> str:
    return "r-" + key.replace(".", "-").replace("_", "-")


def _options(name: str) -> list[tuple[str, str]]:
    return list(vocabulary(name).items())


def _num(attrs: dict[str, str] | None = None, **kw: Any) -> forms.CharField:
    widget_attrs = {"inputmode": "decimal", "step": "any", "min": "0", **(attrs or {})}
    return forms.CharField(required=False, widget=forms.NumberInput(attrs=widget_attrs), **kw)


def _percent(value: Any) -> str:
    try:
        return format((Decimal(str(value)) * 100).normalize(), "f")
    except (InvalidOperation, TypeError):
        return ""


def _share(text: str) -> str | None:
    """A percentage typed by a person (25) as the stored share ("0.25"); the registry checks the range."""
    text = (text or "").strip().rstrip("%")
    if not text:
        return None
    try:
        return format((Decimal(text) / 100).normalize(), "f")
    except InvalidOperation:
        return text  # the registry explains what is wrong


class PolicyRuleForm(forms.Form):
    """Set one rule on the user's own policy: a value (or 不适用), its strength and condition, and the clause."""

    strength = forms.ChoiceField(label="约束强度", choices=_options("strengths"), initial="must")
    condition = forms.CharField(
        label="适用条件（文字）",
        max_length=200,
        required=False,
        help_text="只在某种情况下适用时填写，例如“后期社工站经费基础标准提高时”",
    )
    condition_code = forms.ChoiceField(label="平台可核对的条件", choices=BLANK + _options("conditions"), required=False)
    not_applicable = forms.BooleanField(label="本级不适用（上级的这项规定在本区划不适用）", required=False)
    clause = forms.CharField(
        label="依据文件及条款",
        max_length=120,
        help_text="例如 田政办〔2021〕25号 第四部分第（四）项",
        error_messages={"required": "请注明依据的文件及条款。"},
    )
    quote = forms.CharField(label="原文摘录", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, rule: RuleDef, names: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", form_prefix(rule.key))
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.names = names or {}
        self.value_names: list[str] = []
        getattr(self, f"_f_{rule.type}")()
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    # --- fields per type ---------------------------------------------------------------------------------

    def _add(self, name: str, field: forms.Field) -> None:
        self.fields[name] = field
        self.value_names.append(name)

    def _unit_label(self, label: str = "取值") -> str:
        return f"{label}（{self.rule.unit}）" if self.rule.unit else label

    def _f_int(self) -> None:
        attrs = {"step": "1", "inputmode": "numeric"}
        if self.rule.max is not None:
            attrs["max"] = str(self.rule.max)
        self._add("value", _num(attrs, label=self._unit_label()))

    def _f_decimal(self) -> None:
        self._add("value", _num(label=self._unit_label()))

    def _f_share(self) -> None:
        self._add("value", _num({"max": "100"}, label="比例（%）"))

    def _f_bool(self) -> None:
        self._add("value", forms.ChoiceField(label="取值", choices=BOOL_CHOICES, required=False))

    def _f_text(self) -> None:
        if self.rule.placeholders:
            current = self.initial.get("value") or ""
            patterns = SIGNAGE_PATTERNS + ([current] if current and current not in SIGNAGE_PATTERNS else [])
            choices = [(p, render_template(p, self.names)) for p in patterns]
            self._add("value", forms.ChoiceField(label="本地的挂牌名称", choices=choices, required=False))
        else:
            self._add("value", forms.CharField(label="取值", max_length=300, required=False))

    def _f_choice(self) -> None:
        choices = BLANK + list(self.rule.options.items())
        self._add("value", forms.ChoiceField(label="取值", choices=choices, required=False))

    def _f_list(self) -> None:
        self._add(
            "value",
            forms.CharField(
                label="取值", required=False, help_text="每行一项", widget=forms.Textarea(attrs={"rows": 3})
            ),
        )

    def _f_vocab_list(self) -> None:
        self._add(
            "value",
            forms.MultipleChoiceField(
                label="取值（可多选）",
                choices=list(self.rule.options.items()),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            ),
        )

    def _f_vocab_map(self) -> None:
        for code, label in self.rule.options.items():
            self._add(
                f"value_{code}",
                forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})),
            )

    def _f_date(self) -> None:
        self._add(
            "value", forms.CharField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
        )

    def _f_yearly_date(self) -> None:
        self._add(
            "value_month",
            forms.ChoiceField(label="月", choices=BLANK + [(str(m), f"{m}月") for m in range(1, 13)], required=False),
        )
        self._add(
            "value_day",
            forms.ChoiceField(label="日", choices=BLANK + [(str(d), f"{d}日") for d in range(1, 32)], required=False),
        )

    def _f_duration(self) -> None:
        self._add(
            "value_amount", _num({"step": "1", "min": "1", "inputmode": "numeric"}, label=f"{self.rule.anchor}（数量）")
        )
        self._add(
            "value_unit",
            forms.ChoiceField(label="计算方法", choices=BLANK + _options("duration_units"), required=False),
        )

    def _f_frequency(self) -> None:
        self._add("value_per", forms.ChoiceField(label="每", choices=BLANK + _options("periods"), required=False))
        self._add("value_times", _num({"step": "1", "min": "1"}, label="不少于（次）"))

    def _f_percent_of(self) -> None:
        self._add("value_percent", _num({"max": "100"}, label="百分比（%）"))
        self._add(
            "value_base", forms.ChoiceField(label="计算基数", choices=BLANK + _options("base_amounts"), required=False)
        )

    def _f_weights(self) -> None:
        for code, label in self.rule.options.items():
            self._add(f"value_{code}", _num({"max": "100", "data-weight": "1"}, label=f"{label}（%）"))

    def _f_matrix(self) -> None:
        self._add(
            "value_parties",
            forms.MultipleChoiceField(
                label="评估方",
                choices=_options("evaluation_parties"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            ),
        )
        self._add(
            "value_aspects",
            forms.CharField(label="评估内容（每行一项）", required=False, widget=forms.Textarea(attrs={"rows": 3})),
        )
        self._add(
            "value_stages",
            forms.MultipleChoiceField(
                label="评估阶段",
                choices=_options("evaluation_stages"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            ),
        )

    def _f_series(self) -> None:
        kind = self.rule.series_kind
        for i in range(SERIES_ROWS):
            self._add(f"value_year{i}", _num({"step": "1", "min": "2000", "max": "2100"}, label="年份"))
            if kind == "text":
                field: forms.Field = forms.CharField(label="目标", required=False, max_length=200)
            else:
                field = _num(label="目标（%）" if kind == "share" else self._unit_label("目标"))
            self._add(f"value_target{i}", field)

    def _f_staffing(self) -> None:
        for n in range(1, STAFFING_ROWS + 1):
            p = f"value_a{n}_"
            self._add(
                p + "kind", forms.ChoiceField(label="人员类别", choices=BLANK + _options("staff_kinds"), required=False)
            )
            self._add(p + "minimum", _num({"step": "1", "min": "1"}, label="最少人数"))
            self._add(p + "per", _num({"step": "1", "min": "1"}, label="每多少个单位配 1 人"))
            self._add(
                p + "unit",
                forms.ChoiceField(label="计算单位", choices=BLANK + _options("counted_units"), required=False),
            )
            self._add(
                p + "certificate",
                forms.ChoiceField(
                    label="须持证书（及以上）", choices=BLANK + _options("certificate_levels"), required=False
                ),
            )
            self._add(p + "head_counted", forms.BooleanField(label="站长计入人数", required=False))
            self._add(p + "with_volunteers", forms.BooleanField(label="另配若干志愿者", required=False))
            self._add(p + "basis", forms.CharField(label="配备依据（文字）", max_length=200, required=False))

    # --- from a stored value to the widgets, and back ----------------------------------------------------

    @staticmethod
    def initial_for(rule: RuleDef, value: Any) -> dict[str, Any]:
        if value is None:
            return {"value_a1_head_counted": True} if rule.type == "staffing" else {}
        t = rule.type
        if t == "share":
            return {"value": _percent(value)}
        if t == "bool":
            return {"value": "true" if value else "false"}
        if t == "list":
            return {"value": "\n".join(value)}
        if t in {"vocab_list", "int", "decimal", "text", "choice", "date"}:
            return {"value": value}
        if t == "vocab_map":
            return {f"value_{k}": v for k, v in value.items()}
        if t == "yearly_date":
            month, day = (int(p) for p in value.split("-"))
            return {"value_month": str(month), "value_day": str(day)}
        if t == "weights":
            return {f"value_{k}": _percent(v) for k, v in value.items()}
        if t == "matrix":
            return {
                "value_parties": value["parties"],
                "value_aspects": "\n".join(value["aspects"]),
                "value_stages": value["stages"],
            }
        if t == "series":
            out: dict[str, Any] = {}
            for i, year in enumerate(sorted(value)[:SERIES_ROWS]):
                target = value[year]
                out[f"value_year{i}"] = year
                out[f"value_target{i}"] = _percent(target) if rule.series_kind == "share" else target
            return out
        if t == "staffing":
            out = {}
            for n, alt in enumerate(value["alternatives"][:STAFFING_ROWS], start=1):
                for field in (
                    "kind",
                    "minimum",
                    "per",
                    "unit",
                    "certificate",
                    "head_counted",
                    "with_volunteers",
                    "basis",
                ):
                    out[f"value_a{n}_{field}"] = alt.get(field) if alt.get(field) is not None else ""
            return out
        return {f"value_{k}": v for k, v in value.items()} if isinstance(value, dict) else {"value": value}

    def raw_value(self) -> Any:
        """The value assembled from the widgets (before the registry checks it)."""
        d = self.cleaned_data
        t = self.rule.type
        if t in {"int", "decimal", "text", "choice", "date", "bool", "list", "vocab_list"}:
            v = d.get("value")
            return v if v not in ("", None, []) else None
        if t == "share":
            return _share(d.get("value", ""))
        if t == "vocab_map":
            out = {code: d.get(f"value_{code}", "").strip() for code in self.rule.options}
            return {k: v for k, v in out.items() if v} or None
        if t == "yearly_date":
            month, day = d.get("value_month"), d.get("value_day")
            return f"{month}-{day}" if month and day else None
        if t == "duration":
            if not d.get("value_amount") and not d.get("value_unit"):
                return None
            return {"amount": d.get("value_amount"), "unit": d.get("value_unit")}
        if t == "frequency":
            if not d.get("value_times") and not d.get("value_per"):
                return None
            return {"times": d.get("value_times"), "per": d.get("value_per")}
        if t == "percent_of":
            if not d.get("value_percent") and not d.get("value_base"):
                return None
            return {"percent": d.get("value_percent"), "base": d.get("value_base")}
        if t == "weights":
            out = {code: _share(d.get(f"value_{code}", "")) for code in self.rule.options}
            return {k: v for k, v in out.items() if v is not None} or None
        if t == "matrix":
            return {
                "parties": d.get("value_parties") or [],
                "aspects": (d.get("value_aspects") or "").splitlines(),
                "stages": d.get("value_stages") or [],
            }
        if t == "series":
            series: dict[str, Any] = {}
            for i in range(SERIES_ROWS):
                year, target = (d.get(f"value_year{i}") or "").strip(), d.get(f"value_target{i}") or ""
                if not year and not str(target).strip():
                    continue
                if self.rule.series_kind == "share":
                    target = _share(str(target))
                series[year or "（未填年份）"] = target
            return series or None
        if t == "staffing":
            alternatives = []
            for n in range(1, STAFFING_ROWS + 1):
                p = f"value_a{n}_"
                if not d.get(p + "kind"):
                    continue
                alternatives.append(
                    {
                        "kind": d.get(p + "kind"),
                        "minimum": d.get(p + "minimum") or None,
                        "per": d.get(p + "per") or None,
                        "unit": d.get(p + "unit") or None,
                        "certificate": d.get(p + "certificate") or None,
                        "head_counted": bool(d.get(p + "head_counted")),
                        "with_volunteers": bool(d.get(p + "with_volunteers")),
                        "basis": d.get(p + "basis") or "",
                    }
                )
            return {"alternatives": alternatives} if alternatives else None
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("strength") is None:
            return cleaned
        target = self.value_names[0] if self.value_names else None
        if cleaned.get("not_applicable"):
            cleaned["value"] = None
            return cleaned
        raw = self.raw_value()
        if raw is None:
            self.add_error(target, "请填写取值，或勾选“本级不适用”。")
            return cleaned
        try:
            cleaned["value"] = self.rule.validate(raw)
        except ValueError as exc:
            self.add_error(target, str(exc))
        return cleaned

    # --- for the template --------------------------------------------------------------------------------

    @property
    def value_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.value_names]

    @property
    def staffing_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[n] for n in self.value_names if n.startswith(f"value_a{i}_")] for i in range(1, STAFFING_ROWS + 1)
        ]

    @property
    def series_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"value_year{i}"], self[f"value_target{i}"]) for i in range(SERIES_ROWS)]

    @property
    def weight_sum(self) -> str:
        total = Decimal(0)
        for code in self.rule.options:
            raw = self[f"value_{code}"].value()
            try:
                total += Decimal(str(raw or 0))
            except InvalidOperation:
                return "—"
        return percent_text(total / 100)


def condition_text(code: str, words: str) -> str:
    return words or (label_of("conditions", code) if code else "")
