"""Policy pages: the visible policies, the effective policy of a division, and the editor of one's own policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from core.models import AuditLog
from core.scoping import scope_of
from core.views import ScopedDetailView, ScopedListView
from stations.forms import apply_validation_error
from stations.models import Division, Station
from stations.views import breadcrumbs, user_roots

from .actions import can_edit_policy_of, policy_get_or_create, policy_rule_clear, policy_rule_set
from .forms import PolicyRuleForm, form_prefix
from .models import Policy, PolicyRule
from .policy import EffectivePolicy, EffectiveRule, effective_policy
from .registry import SECTION_LABELS, RuleDef, rules

AUDIT_OBJECT_TYPES = ["policies.PolicyRule", "policies.Policy"]
CHANGE_FIELD_LABELS = {"value": "取值", "clause": "依据条款", "quote": "原文", "note": "说明", "name": "方案名称"}
PICKER_LIMIT = 20
# Rules whose list values are codes of a model's choices: shown with their Chinese labels.
VALUE_LABELS: dict[str, dict[str, str]] = {"station.levels": dict(Station.Level.choices)}


def display_value(rule: RuleDef, value: Any) -> str:
    labels = VALUE_LABELS.get(rule.key)
    if labels and isinstance(value, list):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    return rule.display(value)


@dataclass
class RuleRow:
    """One rule as the pages show it: value, where it comes from, which clause, what it overrides."""

    effective: EffectiveRule
    division_code: str
    form: PolicyRuleForm | None = None
    own: PolicyRule | None = None
    saved: bool = False

    @property
    def rule(self) -> RuleDef:
        return self.effective.rule

    @property
    def anchor(self) -> str:
        return form_prefix(self.rule.key)

    @property
    def is_set(self) -> bool:
        return self.effective.source is not None

    @property
    def is_own(self) -> bool:
        return self.is_set and self.effective.source.division_code == self.division_code  # type: ignore[union-attr]

    @property
    def source_label(self) -> str:
        if not self.is_set:
            return "未规定"
        return "本级" if self.is_own else self.effective.source.division_name  # type: ignore[union-attr]

    @property
    def display(self) -> str:
        return display_value(self.rule, self.effective.value)

    @property
    def overridden(self) -> list[str]:
        return [f"覆盖了 {s.division_name} 的 {display_value(self.rule, s.value)}" for s in self.effective.overridden]


def grouped(rows: list[RuleRow]) -> list[tuple[str, str, list[RuleRow]]]:
    """Rows by registry section, in the order of the section labels."""
    order = list(SECTION_LABELS)
    sections: dict[str, list[RuleRow]] = {}
    for row in rows:
        sections.setdefault(row.rule.section, []).append(row)
    keys = sorted(sections, key=lambda s: order.index(s) if s in order else len(order))
    return [(key, SECTION_LABELS.get(key, key), sections[key]) for key in keys]


def change_lines(changes: Any) -> list[dict[str, Any]]:
    """An audit row's changes as lines: label, before, after (None = not set)."""
    if not isinstance(changes, dict):
        return [{"label": "", "before": None, "after": str(changes), "has_before": False}]
    lines = []
    for field, change in changes.items():
        label = CHANGE_FIELD_LABELS.get(field, field)
        if isinstance(change, dict) and set(change) <= {"before", "after"}:
            before, after = change.get("before"), change.get("after")
        else:
            before, after = None, change
        if before in (None, "") and after in (None, ""):
            continue
        lines.append({"label": label, "before": _text(before), "after": _text(after), "has_before": before is not None})
    return lines


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def rule_rows(policy: EffectivePolicy) -> list[RuleRow]:
    return [RuleRow(effective=r, division_code=policy.division_code) for r in policy.rules.values()]


# --- list and effective policy ------------------------------------------------------------------------------


class PolicyListView(ScopedListView):
    model = Policy
    template_name = "policies/policy_list.html"
    context_object_name = "policies"

    def get_queryset(self) -> QuerySet[Policy]:
        return (
            super()
            .get_queryset()
            .select_related("division")
            .annotate(rule_count=Count("rules"))
            .order_by("division_id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        code = getattr(user.organisation, "division_id", None)  # type: ignore[union-attr]
        context["can_edit_own"] = can_edit_policy_of(user, code) if code else False
        return context


class PolicyEffectiveView(ScopedDetailView):
    """``?division=<code>``: the effective policy of a division the user can see; a search box picks another."""

    model = Division
    template_name = "policies/policy_effective.html"
    context_object_name = "division"

    def default_code(self) -> str | None:
        code = getattr(self.request.user.organisation, "division_id", None)  # type: ignore[union-attr]
        if code and Division.objects.for_user(self.request.user).filter(code=code).exists():
            return code
        roots = user_roots(self.request.user)
        return roots[0] if roots else None

    def get_object(self, queryset: QuerySet[Division] | None = None) -> Division | None:  # type: ignore[override]
        code = self.request.GET.get("division", "").strip() or self.default_code()
        if not code:
            return None
        if not code.isdigit():
            raise Http404
        division = self.get_queryset().filter(code=code).first()
        if division is None:
            raise Http404("不存在或无权查看该区划。")
        return division

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        division: Division | None = self.object
        q = self.request.GET.get("q", "").replace("\x00", "").strip()[:50]
        context["q"] = q
        if q:
            found = Division.objects.for_user(user)
            found = found.filter(code__startswith=q) if q.isdigit() else found.filter(name__icontains=q)
            context["picker_results"] = list(found.select_related("parent").order_by("level", "code")[:PICKER_LIMIT])
        if division is not None:
            policy = effective_policy(division.code)
            rows = rule_rows(policy)
            context["only_set"] = self.request.GET.get("set") == "1"
            shown = [r for r in rows if r.is_set] if context["only_set"] else rows
            context["sections"] = grouped(shown)
            context["set_count"] = sum(1 for r in rows if r.is_set)
            context["rule_total"] = len(rows)
            context["breadcrumbs"] = breadcrumbs(user, division)
            sources = Policy.objects.for_user(user).filter(division_id__in=policy.sources()).select_related("division")
            context["source_policies"] = list(sources.order_by("division_id"))
            context["can_edit"] = can_edit_policy_of(user, division.code) and not scope_of(user).is_global
        return context


# --- editor ------------------------------------------------------------------------------------------------


class PolicyEditView(LoginRequiredMixin, View):
    """The editor for the user's own division's policy (county/city/province bureau); anyone else gets 404."""

    template_name = "policies/policy_edit.html"
    partial_template = "policies/_rule_editor.html"

    def division(self, request: HttpRequest) -> Division:
        user = request.user
        code = getattr(user.organisation, "division_id", None)  # type: ignore[union-attr]
        if not code and scope_of(user).is_global:
            code = (request.POST.get("division") or request.GET.get("division") or "").strip()
        if not code or not can_edit_policy_of(user, code):
            raise Http404("无权修改该区划的政策方案。")
        division = Division.objects.for_user(user).filter(code=code).first()
        if division is None:
            raise Http404("不存在或无权查看该区划。")
        return division

    def own_policy(self, request: HttpRequest, division: Division) -> Policy | None:
        return Policy.objects.for_user(request.user).filter(division_id=division.code).first()

    def rows(
        self, request: HttpRequest, division: Division, bound: dict[str, PolicyRuleForm] | None = None, saved: str = ""
    ) -> list[RuleRow]:
        policy = self.own_policy(request, division)
        own = {r.key: r for r in PolicyRule.objects.for_user(request.user).filter(policy=policy)} if policy else {}
        rows = rule_rows(effective_policy(division.code))
        for row in rows:
            key = row.rule.key
            row.own = own.get(key)
            row.saved = key == saved
            if bound and key in bound:
                row.form = bound[key]
                continue
            initial = {"value": row.rule.to_input(row.effective.value)}
            if row.own is not None:
                initial.update(clause=row.own.clause, quote=row.own.quote, note=row.own.note)
            row.form = PolicyRuleForm(rule=row.rule, initial=initial)
        return rows

    def audit_rows(self, request: HttpRequest, division: Division) -> list[AuditLog]:
        logs = list(
            AuditLog.objects.for_user(request.user)
            .filter(object_type__in=AUDIT_OBJECT_TYPES, division_code=division.code)
            .select_related("user")[:50]
        )
        for log in logs:
            log.display_changes = change_lines(log.changes)  # type: ignore[attr-defined]
        return logs

    def context(self, request: HttpRequest, division: Division, rows: list[RuleRow]) -> dict[str, Any]:
        return {
            "division": division,
            "policy": self.own_policy(request, division),
            "sections": grouped(rows),
            "audit_rows": self.audit_rows(request, division),
            "field_labels": CHANGE_FIELD_LABELS,
            "set_count": sum(1 for r in rows if r.is_own),
            "rule_total": len(rows),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        division = self.division(request)
        return render(request, self.template_name, self.context(request, division, self.rows(request, division)))

    def post(self, request: HttpRequest) -> HttpResponse:
        division = self.division(request)
        key = request.POST.get("key", "")
        rule = rules().get(key)
        if rule is None:
            raise Http404("未知的规则。")
        op = request.POST.get("op", "set")
        form = PolicyRuleForm(request.POST, rule=rule)
        ok = False
        try:
            if op == "clear":
                policy = self.own_policy(request, division)
                cleared = policy is not None and policy_rule_clear(acting_user=request.user, policy=policy, key=key)
                message = f"已恢复继承：{rule.label}" if cleared else f"{rule.label} 本级未设置，无需恢复。"
                ok = True
            elif form.is_valid():
                policy = policy_get_or_create(acting_user=request.user, division=division)
                policy_rule_set(
                    acting_user=request.user,
                    policy=policy,
                    key=key,
                    value=form.cleaned_data["value"],
                    clause=form.cleaned_data["clause"],
                    quote=form.cleaned_data["quote"],
                    note=form.cleaned_data["note"],
                )
                message = f"已保存：{rule.label}"
                ok = True
        except PermissionDenied:
            raise Http404("无权修改该区划的政策方案。") from None
        except ValidationError as exc:
            apply_validation_error(form, exc)

        if request.headers.get("HX-Request"):
            rows = self.rows(request, division, bound=None if ok else {key: form}, saved=key if ok else "")
            row = next(r for r in rows if r.rule.key == key)
            context = self.context(request, division, rows)
            context.update(row=row, message=message if ok else "", oob=True)
            return render(request, self.partial_template, context)
        if ok:
            messages.success(request, message)
            query = f"?division={division.code}" if scope_of(request.user).is_global else ""
            return redirect(reverse("policy-edit") + query + f"#{form_prefix(key)}")
        rows = self.rows(request, division, bound={key: form})
        return render(request, self.template_name, self.context(request, division, rows), status=400)
