"""Page forms for the agreement's structured terms (payment schedule, indicators, breach terms); the declared
action ``contracts.terms_save`` validates and saves them."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import BreachTerm

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
    due_date = forms.DateField(label="拨付时间", required=False, widget=forms.DateInput(attrs={"type": "date"}))
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
