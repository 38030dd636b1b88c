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

from accounts.http import authed_user
from core.models import AuditLog
from core.scoping import scope_of
from core.views import ScopedDetailView, ScopedListView
from stations.forms import apply_validation_error
from stations.models import Division
from stations.selectors import access_division
from stations.views import breadcrumbs, user_roots

from .actions import can_edit_policy_of, policy_get_or_create, policy_rule_clear, policy_rule_set, preset_adopt
from .findings import NO_POLICY_NOTICE
from .forms import PolicyRuleForm, form_prefix
from .models import Policy, PolicyPreset, PolicyRule
from .policy import EffectivePolicy, EffectiveRule, effective_policy
from .registry import SECTION_LABELS, RuleDef, cite, document_name, label_of, rules, strength_label

AUDIT_OBJECT_TYPES = ["policies.PolicyRule", "policies.Policy"]
CHANGE_FIELD_LABELS = {
    "value": "取值",
    "clause": "依据条款",
    "quote": "原文",
    "note": "说明",
    "name": "方案名称",
    "strength": "约束强度",
    "condition": "适用条件",
    "condition_code": "可核对的条件",
    "not_applicable": "本级不适用",
    "issuer": "发文单位",
    "year": "年份",
    "seed": "来源文件",
    "preset": "采用的预置方案",
}
PICKER_LIMIT = 20


def place_names(division: Division) -> dict[str, str]:
    """Names of the division and its ancestors by level, for name templates ({county}{township}…).

    Above township level the first township below stands in as an example, so that a county clerk sees a real
    name (大田县均溪镇社会工作服务站) rather than a template.
    """
    codes = [*division.ancestor_codes, division.code]
    names = {d.level: d.name for d in Division.objects.filter(code__in=codes)}
    if division.level < Division.Level.TOWNSHIP:
        example = (
            Division.objects.filter(code__startswith=division.code, level=Division.Level.TOWNSHIP)
            .order_by("code")
            .first()
        )
        if example is not None:
            names.update(
                {d.level: d.name for d in Division.objects.filter(code__in=[*example.ancestor_codes, example.code])}
            )
    keys = {1: "province", 2: "city", 3: "county", 4: "township", 5: "village"}
    return {keys[level]: name for level, name in names.items() if level in keys}


def display_value(rule: RuleDef, value: Any, names: dict[str, str] | None = None) -> str:
    return rule.display(value, names)


@dataclass
class RuleRow:
    """One rule as the pages show it: value, where it comes from, which clause, what it overrides."""

    effective: EffectiveRule
    division_code: str
    form: PolicyRuleForm | None = None
    own: PolicyRule | None = None
    saved: bool = False
    names: dict[str, str] | None = None

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
    def applies(self) -> bool:
        return self.effective.applies

    @property
    def display(self) -> str:
        if self.effective.not_applicable:
            return "本级不适用"
        return display_value(self.rule, self.effective.value, self.names)

    @property
    def citation(self) -> str:
        return self.effective.citation_text

    @property
    def strength_label(self) -> str:
        return self.effective.strength_label

    @property
    def strength_help(self) -> str:
        return label_of("strengths", self.effective.strength) if self.effective.strength else ""

    @property
    def condition(self) -> str:
        return self.effective.condition

    @property
    def note(self) -> str:
        return self.effective.source.note if self.effective.source else ""

    @property
    def overridden(self) -> list[str]:
        out = []
        for s in self.effective.overridden:
            shown = "不适用" if s.not_applicable else display_value(self.rule, s.value, self.names)
            out.append(f"覆盖了 {s.division_name} 的规定：{shown}（{s.citation}）")
        return out


def grouped(rows: list[RuleRow]) -> list[tuple[str, str, list[RuleRow]]]:
    """Rows by registry section, in the order of the section labels."""
    order = list(SECTION_LABELS)
    sections: dict[str, list[RuleRow]] = {}
    for row in rows:
        sections.setdefault(row.rule.section, []).append(row)
    keys = sorted(sections, key=lambda s: order.index(s) if s in order else len(order))
    return [(key, SECTION_LABELS.get(key, key), sections[key]) for key in keys]


def change_lines(changes: Any, rule: RuleDef | None = None) -> list[dict[str, Any]]:
    """An audit row's changes as lines: label, before, after (None = not set); values in the rule's words."""
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
        if field == "value" and rule is not None:
            before = rule.display(before) if before is not None else None
            after = rule.display(after) if after is not None else None
        lines.append(
            {
                "label": label,
                "before": _text(before, field),
                "after": _text(after, field),
                "has_before": before is not None,
            }
        )
    return lines


def _text(value: Any, field: str = "") -> str | None:
    if value is None:
        return None
    if field == "strength":
        return strength_label(str(value))
    if field == "condition_code":
        return label_of("conditions", value) if value else ""
    if field == "clause":
        return cite(str(value))
    if field == "preset":
        # The preset's document name, never its internal code.
        # Presets are public reference data (ScopeRule(public=True)): every role reads every one.
        preset = PolicyPreset.objects.filter(code=str(value)).only("name").first()
        return preset.name if preset is not None else "预置方案"
    if field == "seed":
        return document_name(str(value)) if value else ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def rule_rows(policy: EffectivePolicy, names: dict[str, str] | None = None) -> list[RuleRow]:
    return [RuleRow(effective=r, division_code=policy.division_code, names=names) for r in policy.rules.values()]


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
        user = authed_user(self.request)
        code = getattr(user.organisation, "division_id", None)
        context["can_edit_own"] = can_edit_policy_of(user, code) if code else False
        context["presets"] = list(PolicyPreset.objects.for_user(user).order_by("code"))
        names = {p.code: p.name for p in context["presets"]}
        for p in context["policies"]:
            p.preset_name = names.get(p.preset, "")
        return context


class PolicyEffectiveView(ScopedDetailView):
    """``?division=<code>``: the effective policy of a division the user can see; a search box picks another."""

    model = Division
    template_name = "policies/policy_effective.html"
    context_object_name = "division"

    def default_code(self) -> str | None:
        code = getattr(authed_user(self.request).organisation, "division_id", None)
        if code and Division.objects.for_user(self.request.user).filter(code=code).exists():
            return code
        roots = user_roots(authed_user(self.request))
        return roots[0] if roots else None

    def get_object(self, queryset: QuerySet[Division] | None = None) -> Division | None:  # type: ignore[override]
        code = self.request.GET.get("division", "").strip() or self.default_code()
        if not code:
            return None
        return access_division(authed_user(self.request), code)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = authed_user(self.request)
        division: Division | None = self.object
        q = self.request.GET.get("q", "").replace("\x00", "").strip()[:50]
        context["q"] = q
        if q:
            found = Division.objects.for_user(user)
            found = found.filter(code__startswith=q) if q.isdigit() else found.filter(name__icontains=q)
            context["picker_results"] = list(found.select_related("parent").order_by("level", "code")[:PICKER_LIMIT])
        if division is not None:
            policy = effective_policy(division.code)
            rows = rule_rows(policy, place_names(division))
            context["show_all"] = self.request.GET.get("all") == "1"
            shown = rows if context["show_all"] else [r for r in rows if r.is_set]
            context["sections"] = grouped(shown)
            context["has_policy"] = policy.has_policy
            context["no_policy_notice"] = NO_POLICY_NOTICE
            context["set_count"] = sum(1 for r in rows if r.is_set)
            context["unset_count"] = sum(1 for r in rows if not r.is_set)
            context["to_decide"] = [r.rule.label for r in rows if r.rule.ask_bureau and not r.is_set]
            context["rule_total"] = len(rows)
            context["breadcrumbs"] = breadcrumbs(user, division)
            sources = Policy.objects.for_user(user).filter(division_id__in=policy.sources()).select_related("division")
            context["source_policies"] = list(sources.order_by("division_id"))
            context["can_edit"] = can_edit_policy_of(user, division.code) and not scope_of(user).is_global
            context["is_admin"] = scope_of(user).is_global
        return context


# --- editor ------------------------------------------------------------------------------------------------


class PolicyEditView(LoginRequiredMixin, View):
    """The editor for the user's own division's policy (county/city/province bureau); anyone else gets 404."""

    template_name = "policies/policy_edit.html"
    partial_template = "policies/_rule_editor.html"

    def division(self, request: HttpRequest) -> Division:
        user = authed_user(request)
        code = getattr(user.organisation, "division_id", None)
        if not code and scope_of(user).is_global:
            code = (request.POST.get("division") or request.GET.get("division") or "").strip()
        if not code or not can_edit_policy_of(user, code):
            raise Http404("无权修改该区划的政策方案。")
        return access_division(user, code)

    def own_policy(self, request: HttpRequest, division: Division) -> Policy | None:
        return Policy.objects.for_user(request.user).filter(division_id=division.code).first()

    def rows(
        self, request: HttpRequest, division: Division, bound: dict[str, PolicyRuleForm] | None = None, saved: str = ""
    ) -> list[RuleRow]:
        policy = self.own_policy(request, division)
        own = {r.key: r for r in PolicyRule.objects.for_user(request.user).filter(policy=policy)} if policy else {}
        names = place_names(division)
        rows = rule_rows(effective_policy(division.code), names)
        for row in rows:
            key = row.rule.key
            row.own = own.get(key)
            row.saved = key == saved
            if bound and key in bound:
                row.form = bound[key]
                continue
            initial = PolicyRuleForm.initial_for(row.rule, row.effective.value)
            source = row.effective.source
            if source is not None:
                initial.update(
                    strength=source.strength, condition=source.condition, condition_code=source.condition_code
                )
            if row.own is not None:
                initial.update(
                    clause=cite(row.own.clause),
                    quote=row.own.quote,
                    note=row.own.note,
                    not_applicable=row.own.not_applicable,
                )
            row.form = PolicyRuleForm(rule=row.rule, initial=initial, names=names)
        return rows

    def audit_rows(self, request: HttpRequest, division: Division) -> list[AuditLog]:
        logs = list(
            AuditLog.objects.for_user(request.user)
            .filter(object_type__in=AUDIT_OBJECT_TYPES, division_code=division.code)
            .select_related("user")[:50]
        )
        by_label = {r.label: r for r in rules().values()}
        for log in logs:
            rule = by_label.get(log.object_repr.split(" · ", 1)[-1])
            log.display_changes = change_lines(log.changes, rule)  # type: ignore[attr-defined]
        return logs

    def context(self, request: HttpRequest, division: Division, rows: list[RuleRow]) -> dict[str, Any]:
        return {
            "division": division,
            "policy": self.own_policy(request, division),
            "sections": grouped(rows),
            # Sections open where this level sets something (or a form has errors); the rest one click away.
            "open_sections": {r.rule.section for r in rows if r.is_own or (r.form is not None and r.form.errors)},
            "own_counts": {
                section: sum(1 for r in rows if r.rule.section == section and r.is_own) for section in SECTION_LABELS
            },
            "audit_rows": self.audit_rows(request, division),
            "field_labels": CHANGE_FIELD_LABELS,
            "set_count": sum(1 for r in rows if r.is_own),
            "rule_total": len(rows),
            "presets": list(PolicyPreset.objects.for_user(request.user).order_by("code")),
            "has_policy": any(r.is_set for r in rows),
            "no_policy_notice": NO_POLICY_NOTICE,
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
        form = PolicyRuleForm(request.POST, rule=rule, names=place_names(division))
        ok = False
        try:
            if op == "clear":
                policy = self.own_policy(request, division)
                cleared = policy is not None and policy_rule_clear(
                    acting_user=authed_user(request), policy=policy, key=key
                )
                message = f"已恢复继承：{rule.label}" if cleared else f"{rule.label} 本级未设置，无需恢复。"
                ok = True
            elif form.is_valid():
                policy = policy_get_or_create(acting_user=authed_user(request), division=division)
                policy_rule_set(
                    acting_user=authed_user(request),
                    policy=policy,
                    key=key,
                    value=form.cleaned_data["value"],
                    clause=form.cleaned_data["clause"],
                    quote=form.cleaned_data["quote"],
                    note=form.cleaned_data["note"],
                    strength=form.cleaned_data["strength"],
                    condition=form.cleaned_data["condition"],
                    condition_code=form.cleaned_data["condition_code"],
                    not_applicable=form.cleaned_data["not_applicable"],
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


class PolicyAdoptView(PolicyEditView):
    """POST: the bureau adopts a preset for its own division (values copied with their clauses, audited)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        raise Http404

    def post(self, request: HttpRequest) -> HttpResponse:
        division = self.division(request)
        preset = PolicyPreset.objects.for_user(request.user).filter(code=request.POST.get("preset", "")).first()
        if preset is None:
            raise Http404("没有这个预置方案。")
        try:
            preset_adopt(acting_user=authed_user(request), preset=preset, division=division)
        except PermissionDenied:
            raise Http404("无权修改该区划的政策方案。") from None
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request, f"已采用《{preset.name}》的 {len(preset.rules)} 条规定作为本级方案的起点，可逐条修改。"
            )
        query = f"?division={division.code}" if scope_of(request.user).is_global else ""
        return redirect(reverse("policy-edit") + query)
