"""Evaluation pages: the list (a bureau's evaluations, an evaluator's assigned ones, a township's and an agency's),
the scoring page, the pass mark and the renewal gate. Reads through ``for_user``; every POST calls the declared
action the API calls too (evaluation.actions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts.http import authed_user
from accounts.models import Organisation, User
from contracts.models import Contract
from core.access import access
from core.actions import available_actions, spec_of
from core.scoping import Action, Role, scope_of
from core.views import ScopedDetailView, ScopedListView
from policies.policy import effective_policy

from . import actions
from .api.serializers import visible_parties
from .indicators import aspect_totals, parse_max_score, presets
from .models import (
    Evaluation,
    EvaluationTemplate,
    IndicatorScore,
    PartyScore,
    PassMark,
    Renewal,
    SelfEvaluation,
    SelfIndicatorScore,
)
from .scoring import parse_score, policy_mark


def _errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.error(request, str(exc) or "您无权进行此操作。")


def _may_create(user: User) -> bool:
    return spec_of(actions.evaluation_create).role_may(scope_of(user).role)


class EvaluationListView(ScopedListView):
    model = Evaluation
    template_name = "evaluation/evaluation_list.html"
    context_object_name = "evaluations"

    def get_queryset(self) -> QuerySet[Evaluation]:
        return (
            super()
            .get_queryset()
            .select_related("contract__division", "evaluator")
            .order_by("-service_year", "contract__number", "stage", "pk")
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            # Every evaluation of the list (same scope, every page) with the scores the caller may read.
            from core.xlsx import XLSX_TYPE

            from .exports import scores_xlsx

            rows = (
                self.get_queryset()
                .select_related("self_evaluation")
                .prefetch_related(
                    Prefetch("self_evaluation__items", queryset=SelfIndicatorScore.objects.order_by("position", "pk")),
                    Prefetch("scores", queryset=PartyScore.objects.order_by("party")),
                    Prefetch("scores__items", queryset=IndicatorScore.objects.order_by("position", "pk")),
                )
            )
            response = HttpResponse(scores_xlsx(authed_user(request), rows), content_type=XLSX_TYPE)
            response["Content-Disposition"] = (
                "attachment; filename*=UTF-8''%E7%BB%A9%E6%95%88%E8%AF%84%E4%BC%B0%E8%AF%84%E5%88%86.xlsx"
            )
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = authed_user(self.request)
        ctx["may_create"] = _may_create(user) and user.organisation is not None
        ctx["show_template_link"] = scope_of(user).role in {
            Role.COUNTY_BUREAU,
            Role.CITY_BUREAU,
            Role.PROVINCE_BUREAU,
            Role.ADMIN,
        }
        if ctx["may_create"]:
            org = user.organisation
            assert org is not None  # noqa: S101 - checked just above
            ctx["contracts"] = (
                Contract.objects.for_user(user, Action.CHANGE)
                .filter(buyer=org, status__in=[Contract.Status.ACTIVE, Contract.Status.EXPIRED])
                .select_related("division")
                .order_by("-start_date", "number")
            )
            ctx["evaluators"] = Organisation.objects.filter(kind=Organisation.Kind.EVALUATOR).order_by("name")
            ctx["stages"] = Evaluation.Stage.choices
            ctx["this_year"] = timezone.localdate().year
            policy = effective_policy(org.division_id)
            ctx["policy_mark"] = policy_mark(policy)
            ctx["pass_mark"] = PassMark.objects.select_related("set_by").filter(bureau=org).first()
        return ctx


class EvaluationDetailView(ScopedDetailView):
    model = Evaluation
    template_name = "evaluation/evaluation_detail.html"
    context_object_name = "evaluation"

    def get_queryset(self) -> QuerySet[Evaluation]:
        return (
            super()
            .get_queryset()
            .select_related(
                "contract__division",
                "contract__buyer",
                "contract__township",
                "contract__agency",
                "evaluator",
                "finalized_by",
                "self_evaluation__submitted_by",
            )
            .prefetch_related(
                Prefetch("self_evaluation__items", queryset=SelfIndicatorScore.objects.order_by("position", "pk")),
                Prefetch("scores", queryset=PartyScore.objects.select_related("entered_by")),
                Prefetch("scores__items", queryset=IndicatorScore.objects.order_by("position", "pk")),
            )
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "pdf":
            # The evaluation report as a Chinese PDF (WeasyPrint), the same scope and shares as the page.
            from core.personal.exports import pdf_response

            from .pdf import report_context

            evaluation = self.get_object()
            context = report_context(authed_user(request), evaluation)
            return pdf_response(f"{context['title']}.pdf", "evaluation/evaluation_pdf.html", context)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        evaluation: Evaluation = self.object
        user = authed_user(self.request)
        allowed = {a["action"] for a in available_actions(user, evaluation)}
        party = actions.party_of(user, evaluation)
        shown = visible_parties(user, evaluation)
        scores = {s.party: s for s in evaluation.scores.all()}
        ctx["rows"] = [
            {
                "label": label,
                "party": code,
                "entry": scores.get(code),
                "aspects": aspect_totals(scores[code].items.all()) if code in scores else [],
                "items": list(scores[code].items.all()) if code in scores else [],
            }
            for code, label in PartyScore.Party.choices
            if shown is None or code in shown
        ]
        template = actions.template_for(evaluation)
        ctx["template"] = template
        if template is not None:
            mine = {i.indicator_id: i.score for i in scores[party].items.all()} if party in scores else {}
            ctx["indicator_rows"] = [
                {"indicator": ind, "value": mine.get(ind.pk, "")} for ind in template.indicators.all()
            ]
            ctx["template_ready"] = all(ind.max_score is not None for ind in template.indicators.all())
        try:
            ctx["self_eval"] = evaluation.self_evaluation
        except SelfEvaluation.DoesNotExist:
            ctx["self_eval"] = None
        if ctx["self_eval"] is not None:
            ctx["self_aspects"] = aspect_totals(ctx["self_eval"].items.all())
        ctx["may_self"] = "evaluation.self_evaluate" in allowed and (
            scope_of(user).is_global or user.organisation_id == evaluation.contract.agency_id
        )
        if ctx["may_self"] and template is not None:
            ctx["self_rows"] = list(template.indicators.all())
        ctx["my_party"] = party
        ctx["my_party_label"] = PartyScore.Party(party).label if party else ""
        ctx["may_score"] = "evaluation.score" in allowed and party is not None
        ctx["may_finalize"] = "evaluation.finalize" in allowed
        if shown is None and evaluation.state == Evaluation.State.OPEN:
            policy, result = actions.current_score(evaluation)
            ctx["preview"] = result
            ctx["mark"] = actions.applicable_mark(policy, evaluation.contract.buyer_id)
        return ctx


class EvaluationCreateView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        try:
            contract = access(Contract, user, request.POST.get("contract") or None, Action.CHANGE)
        except Http404:
            messages.error(request, "请选择协议。")
            return redirect("evaluation-list")
        evaluator = Organisation.objects.filter(
            pk=request.POST.get("evaluator") or None, kind=Organisation.Kind.EVALUATOR
        ).first()
        try:
            year = int(request.POST.get("service_year", ""))
        except ValueError:
            messages.error(request, "请填写服务年度。")
            return redirect("evaluation-list")
        if evaluator is None:
            messages.error(request, "请选择第三方评估机构。")
            return redirect("evaluation-list")
        try:
            evaluation = actions.evaluation_create(
                acting_user=user,
                contract=contract,
                service_year=year,
                stage=request.POST.get("stage", ""),
                evaluator=evaluator,
            )
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
            return redirect("evaluation-list")
        messages.success(request, "已新建评估，并已指派第三方评估机构。")
        return redirect("evaluation-detail", pk=evaluation.pk)


class EvaluationScoreView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        evaluation = access(Evaluation, user, pk)
        try:
            given = {k[4:]: v for k, v in request.POST.items() if k.startswith("ind-")}
            if given:
                actions.evaluation_score(acting_user=user, evaluation=evaluation, indicator_scores=given)
            else:
                score = parse_score(request.POST.get("score", ""))
                if score is None:
                    raise ValidationError("请填写评分。")
                actions.evaluation_score(acting_user=user, evaluation=evaluation, score=score)
        except ValueError as exc:
            messages.error(request, str(exc))
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存本方评分。")
        return redirect("evaluation-detail", pk=evaluation.pk)


class EvaluationSelfView(LoginRequiredMixin, View):
    """The agency submits its self-evaluation (evaluation.self_evaluate)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        evaluation = access(Evaluation, user, pk)
        given = {k[4:]: v for k, v in request.POST.items() if k.startswith("ind-")}
        comments = {k[5:]: str(v) for k, v in request.POST.items() if k.startswith("note-")}
        summary = request.POST.get("summary", "")
        try:
            if given:
                actions.self_evaluate(
                    acting_user=user, evaluation=evaluation, summary=summary, indicator_scores=given, comments=comments
                )
            else:
                score = parse_score(request.POST.get("score", ""))
                if score is None:
                    raise ValidationError("请填写自评得分。")
                actions.self_evaluate(acting_user=user, evaluation=evaluation, summary=summary, score=score)
        except ValueError as exc:
            messages.error(request, str(exc).replace("评分", "自评得分"))
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已提交机构自评，评估进入各评估方评分阶段。")
        return redirect("evaluation-detail", pk=evaluation.pk)


class EvaluationFinalizeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        evaluation = access(Evaluation, user, pk)
        try:
            actions.evaluation_finalize(acting_user=user, evaluation=evaluation)
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已认定评估结果。")
        return redirect("evaluation-detail", pk=evaluation.pk)


class PassMarkView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        try:
            mark = parse_score(request.POST.get("mark", ""))
            if mark is None:
                raise ValidationError("请填写合格分数线。")
            actions.pass_mark_set(acting_user=user, mark=mark, basis=request.POST.get("basis", ""))
        except ValueError as exc:
            messages.error(request, str(exc).replace("评分", "分数线"))
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已确定合格分数线。")
        return redirect("evaluation-list")


class RenewalListView(LoginRequiredMixin, TemplateView):
    """Renewal decisions in scope; for the buyer bureau, its terms awaiting a decision with what the gate says."""

    template_name = "evaluation/renewal_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = authed_user(self.request)
        if scope_of(user).role == Role.NONE:
            raise Http404("未找到。")
        ctx["renewals"] = (
            Renewal.objects.for_user(user).select_related("previous", "next", "decided_by").order_by("-decided_at")
        )
        pending: list[dict[str, Any]] = []
        if spec_of(actions.renew).role_may(scope_of(user).role) and user.organisation_id is not None:
            terms = (
                Contract.objects.for_user(user, Action.CHANGE)
                .filter(buyer_id=user.organisation_id, status__in=sorted(actions.RENEWABLE), renewal__isnull=True)
                .select_related("division")
                .order_by("end_date", "number")
            )
            for contract in terms:
                evaluation = actions.final_evaluation(contract)
                pending.append({"contract": contract, "evaluation": evaluation})
        ctx["pending"] = pending
        ctx["today"] = timezone.localdate().isoformat()
        return ctx


class RenewView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        contract = access(Contract, user, pk, Action.CHANGE)
        raw_hand = request.POST.get("passed_by_hand", "")
        passed_by_hand = {"pass": True, "fail": False}.get(raw_hand)
        try:
            signed = dt.date.fromisoformat(request.POST.get("signed_date", ""))
        except ValueError:
            messages.error(request, "请填写正确的签订日期。")
            return redirect("renewal-list")
        try:
            renewal = actions.renew(
                acting_user=user,
                contract=contract,
                signed_date=signed,
                passed_by_hand=passed_by_hand,
                reason=request.POST.get("reason", ""),
            )
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
            return redirect("renewal-list")
        for finding in renewal.findings:
            (messages.success if renewal.outcome == Renewal.Outcome.RENEWED else messages.error)(
                request, finding["message"]
            )
        return redirect("renewal-list")


class EvaluationTemplatePage(LoginRequiredMixin, TemplateView):
    """评估指标体系: a county bureau's own template (adopt one of the shipped policy templates, set maximum scores,
    add indicators); a city or province bureau sees the templates of its subtree. Other roles: 404."""

    template_name = "evaluation/template.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = authed_user(self.request)
        templates = (
            EvaluationTemplate.objects.for_user(user)
            .select_related("bureau", "adopted_by", "changed_by")
            .prefetch_related("indicators")
            .order_by("bureau__division_id", "pk")
        )
        role = scope_of(user).role
        if role not in {Role.COUNTY_BUREAU, Role.CITY_BUREAU, Role.PROVINCE_BUREAU, Role.ADMIN}:
            raise Http404("未找到。")
        ctx["templates"] = templates
        ctx["presets"] = list(presets().values())
        own = None
        if role == Role.COUNTY_BUREAU and user.organisation_id is not None:
            own = next((t for t in templates if t.bureau_id == user.organisation_id), None)
            ctx["may_adopt"] = own is None and spec_of(actions.template_adopt).role_may(role)
        ctx["own"] = own
        if own is not None:
            ctx["may_edit"] = any(a["action"] == "evaluation.edit_template" for a in available_actions(user, own))
            ctx["aspects"] = list(dict.fromkeys(i.aspect for i in own.indicators.all()))
            ctx["max_total"] = sum((i.max_score for i in own.indicators.all() if i.max_score is not None), start=0)
        return ctx


class TemplateAdoptView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        try:
            actions.template_adopt(acting_user=user, preset=request.POST.get("preset", ""))
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已采用评估指标体系，请设定各指标的满分。")
        return redirect("evaluation-template")


class TemplateEditView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        template = access(EvaluationTemplate, user, pk, Action.CHANGE)
        try:
            names = {i.pk: i.name for i in template.indicators.all()}
            maxima = {
                ind_pk: parse_max_score(request.POST.get(f"max-{ind_pk}", ""), name) for ind_pk, name in names.items()
            }
            new = []
            new_name = request.POST.get("new_name", "").strip()
            if new_name:
                new.append(
                    {
                        "aspect": request.POST.get("new_aspect", ""),
                        "name": new_name,
                        "max_score": parse_max_score(request.POST.get("new_max", ""), new_name),
                    }
                )
            actions.template_edit(acting_user=user, template=template, maxima=maxima, new=new)
        except ValueError as exc:
            messages.error(request, str(exc))
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存评估指标体系。")
        return redirect("evaluation-template")


def _default_division(user: User) -> str:
    org = user.organisation
    if org is not None and org.kind in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP):
        # The root of the caller's scope: its organisation's division, or a village worker's village.
        roots = scope_of(user).roots
        return roots[0] if roots else org.division_id
    from stations.models import Station

    code = Station.objects.for_user(user).order_by("division_id").values_list("division_id", flat=True).first()
    return (code or "")[:6]


class StationRatingPage(LoginRequiredMixin, TemplateView):
    """站点星级: every station the caller sees in a division, rated for a year by its county bureau's criteria; the
    county bureau records its criteria here; a county's five-star township stations against its policy's targets."""

    template_name = "evaluation/ratings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from evaluation.reports.selectors import report_division

        from .ratings import five_star_targets, station_ratings

        ctx = super().get_context_data(**kwargs)
        user = authed_user(self.request)
        if scope_of(user).role == Role.NONE:
            raise Http404("未找到。")
        raw_year = self.request.GET.get("year", "")
        year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else timezone.localdate().year
        division = report_division(user, self.request.GET.get("division") or _default_division(user))
        ratings = station_ratings(user, division, year)
        ctx.update(division=division, year=year, ratings=ratings)
        ctx["targets"] = (
            five_star_targets(effective_policy(division.code), ratings, year) if len(division.code) == 6 else []
        )
        ctx["may_set"] = (
            spec_of(actions.star_rules_set).role_may(scope_of(user).role)
            and len(getattr(user.organisation, "division_id", "")) == 6
        )
        ctx["to_publish"] = sum(1 for r in ratings if r.differs) if ctx["may_set"] else 0
        if ctx["may_set"]:
            from .models import StarRule

            own = {r.stars: r for r in StarRule.objects.for_user(user).filter(bureau_id=user.organisation_id)}
            ctx["levels"] = [{"stars": n, "rule": own.get(n)} for n in range(5, 0, -1)]
            ctx["basis"] = next(iter(own.values())).basis if own else ""
        return ctx


class StarRatingsPublishView(LoginRequiredMixin, View):
    """The county bureau publishes a year's ratings as its stations' recorded star levels (``star_ratings_publish``)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("year", "")
        year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None
        if year is None:
            messages.error(request, "请填写正确的年度（四位数字）。")
            return redirect("station-ratings")
        try:
            changed = actions.star_ratings_publish(acting_user=authed_user(request), year=year)
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已按{year}年度评定结果更新 {len(changed)} 个站点的星级。")
        return redirect(f"{reverse('station-ratings')}?year={year}")


class StarRulesView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        levels: dict[int, dict[str, Any]] = {}
        try:
            for n in range(1, 6):
                total = parse_score(request.POST.get(f"total-{n}", ""))
                rate = parse_score(request.POST.get(f"rate-{n}", ""))
                if total is None:
                    if rate is not None:
                        raise ValueError(f"{n}星级填写了报送率下限，请同时填写末期评估总分下限。")
                    continue
                levels[n] = {"min_total": total, "min_brief_rate": rate}
            actions.star_rules_set(acting_user=user, levels=levels, basis=request.POST.get("basis", ""))
        except ValueError as exc:
            messages.error(request, str(exc).replace("评分", "下限"))
        except (PermissionDenied, ValidationError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已确定星级评定标准。")
        return redirect("station-ratings")
