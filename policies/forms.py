"""The per-rule override form of the policy editor: the value input follows the rule's type."""

from __future__ import annotations

from typing import Any

from django import forms

from .registry import RuleDef

BOOL_CHOICES = [("true", "是"), ("false", "否")]


def form_prefix(key: str) -> str:
    return "r-" + key.replace(".", "-").replace("_", "-")


class PolicyRuleForm(forms.Form):
    """Set one rule on the user's own policy: a value, the clause it rests on, optionally the quote and a note."""

    value = forms.CharField(label="取值")
    clause = forms.CharField(
        label="依据条款",
        max_length=120,
        help_text="例如 [000 §4(4)]",
        error_messages={"required": "请注明依据的文件条款，例如 [000 §4(4)]。"},
    )
    quote = forms.CharField(label="原文摘录", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, rule: RuleDef, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", form_prefix(rule.key))
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.fields["value"] = self.value_field(rule)
        for field in self.fields.values():
            widget = field.widget
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    @staticmethod
    def value_field(rule: RuleDef) -> forms.Field:
        unit = f"（{rule.unit}）" if rule.unit else ""
        label = f"取值{unit}"
        required = {"required": "请填写取值。"}
        if rule.type == "int":
            return forms.CharField(
                label=label,
                error_messages=required,
                widget=forms.NumberInput(attrs={"step": "1", "min": "0", "inputmode": "numeric"}),
            )
        if rule.type == "decimal":
            return forms.CharField(
                label=label,
                error_messages=required,
                widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
            )
        if rule.type == "bool":
            return forms.ChoiceField(label=label, choices=BOOL_CHOICES, error_messages=required)
        if rule.type == "choice":
            return forms.ChoiceField(
                label=label, choices=list(rule.choices), error_messages={**required, "invalid_choice": "不是可选的值。"}
            )
        if rule.type == "list":
            return forms.CharField(
                label=label, error_messages=required, help_text="每行一项", widget=forms.Textarea(attrs={"rows": 4})
            )
        if rule.type == "map":
            return forms.CharField(
                label=label,
                error_messages=required,
                help_text='JSON 对象，例如 {"third_party": "0.60", "county_bureau": "0.30"}',
                widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            )
        return forms.CharField(label=label, max_length=300, error_messages=required)

    def clean_value(self) -> Any:
        raw = self.cleaned_data["value"]
        try:
            return self.rule.validate(raw)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
