"""Pages of the reports: briefs (list, queue, editor, workflow, PDF), periodic reports, the calendar and the
completeness table (with its Excel export). Reads through ``for_user``; writes through the declared actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View

from accounts.http import authed_user
from accounts.models import User
from core.access import access
from core.actions import available_actions
from core.personal.exports import pdf_response
from core.scoping import Action, Role, scope_of
from core.views import ScopedDetailView, ScopedListView
from core.xlsx import xlsx_bytes
from stations.models import Division

from . import actions
from .api import shown_figures
from .calendar import calendar_for
from .models import BriefUnlock, MonthlyBrief, PeriodicReport
from .selectors import completeness, overdue_briefs, report_division, review_queue

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_LABELS = [
    ("narrative", "本月工作概述"),
    ("highlights", "亮点与成效"),
    ("problems", "存在问题"),
    ("next_plan", "下月工作计划"),
]


def _messages_from(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.error(request, str(exc) or "您无权进行此操作。")


def default_division(user: User) -> Division | None:
    org = getattr(user, "organisation", None)
    code = getattr(org, "division_id", None)
    qs = Division.objects.for_user(user, Action.VIEW)
    if code:
        found = qs.filter(code=code).first()
        if found is not None:
            return found
    return qs.filter(level=Division.Level.COUNTY).order_by("code").first() or qs.order_by("code").first()


def _chosen_division(request: HttpRequest) -> Division | None:
    code = (request.GET.get("division") or "").strip()
    if code:
        return report_division(request.user, code)
    found = default_division(authed_user(request))
    if found is None:
        return None
    try:
        return report_division(request.user, found.code)
    except Http404:
        return None


class BriefListView(ScopedListView):
    model = MonthlyBrief
    template_name = "evaluation/reports/brief_list.html"
    context_object_name = "briefs"

    def get_queryset(self) -> QuerySet[MonthlyBrief]:
        qs = super().get_queryset().select_related("station", "agency")
        state = self.request.GET.get("state", "")
        if state in MonthlyBrief.State.values:
            qs = qs.filter(state=state)
        period = self.request.GET.get("period", "")
        if len(period) == 7:
            qs = qs.filter(period=period)
        return qs.order_by("-period", "division_id", "station__name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["states"] = MonthlyBrief.State.choices
        context["state"] = self.request.GET.get("state", "")
        context["period"] = self.request.GET.get("period", "")
        return context


class BriefQueueView(LoginRequiredMixin, View):
    """The caller's waiting briefs (township: to review; county bureau: to accept) and the overdue ones."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        return TemplateResponse(
            request,
            "evaluation/reports/queue.html",
            {"queue": list(review_queue(user)[:200]), "overdue": list(overdue_briefs(user)[:200])},
        )


class BriefDetailView(ScopedDetailView):
    model = MonthlyBrief
    template_name = "evaluation/reports/brief_detail.html"
    context_object_name = "brief"

    def get_queryset(self) -> QuerySet[MonthlyBrief]:
        return (
            super()
            .get_queryset()
            .select_related(
                "station", "agency", "contract", "submitted_by", "reviewed_by", "accepted_by", "returned_by"
            )
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "pdf":
            # The brief as a Chinese PDF (WeasyPrint), the same scope as the page.
            brief = self.get_object()
            context = {
                "brief": brief,
                "figures": shown_figures(brief),
                "texts": [(label, getattr(brief, name)) for name, label in TEXT_LABELS],
            }
            name = f"{brief.station.name}{brief.period_label}月度工作简报.pdf"
            return pdf_response(name, "evaluation/reports/brief_pdf.html", context)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        brief: MonthlyBrief = self.object
        allowed = {a["action"]: a["label"] for a in available_actions(self.request.user, brief)}
        unlocks = list(BriefUnlock.objects.for_user(self.request.user).filter(brief=brief).select_related("granted_by"))
        active_unlock = next((u for u in unlocks if u.active), None)
        if brief.state == MonthlyBrief.State.ACCEPTED and active_unlock is None:
            allowed.pop("reports.brief_edit", None)
        context.update(
            allowed=allowed,
            figures=shown_figures(brief),
            texts=[(label, getattr(brief, name)) for name, label in TEXT_LABELS],
            unlocks=unlocks,
            active_unlock=active_unlock,
            default_expiry=(timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        )
        return context


class BriefEditView(LoginRequiredMixin, View):
    """The agency's editor (phone-friendly: one column of text areas); numbers are shown, never typed."""

    def _brief(self, request: HttpRequest, pk: int) -> MonthlyBrief:
        brief = access(
            MonthlyBrief, request.user, pk, Action.CHANGE, queryset=MonthlyBrief.objects.select_related("station")
        )
        if not any(a["action"] == "reports.brief_edit" for a in available_actions(request.user, brief)):
            raise Http404("未找到。")
        if brief.state == MonthlyBrief.State.ACCEPTED and not actions.has_active_unlock(brief):
            raise Http404("未找到。")  # locked: the editor opens only under the bureau's unexpired exception
        return brief

    def _render(self, request: HttpRequest, brief: MonthlyBrief, values: dict[str, str]) -> HttpResponse:
        fields = [(name, label, values.get(name, getattr(brief, name))) for name, label in TEXT_LABELS]
        return TemplateResponse(
            request,
            "evaluation/reports/brief_edit.html",
            {"brief": brief, "fields": fields, "figures": shown_figures(brief), "max": actions.TEXT_MAX},
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._brief(request, pk), {})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        brief = self._brief(request, pk)
        data = {name: request.POST.get(name, "") for name, _ in TEXT_LABELS}
        try:
            actions.brief_edit(acting_user=authed_user(request), brief=brief, data=data)
            if request.POST.get("then") == "submit":
                actions.brief_submit(acting_user=authed_user(request), brief=brief)
                messages.success(request, "简报已报送。")
            else:
                messages.success(request, "已保存。")
        except (PermissionDenied, ValidationError) as exc:
            _messages_from(request, exc)
            return self._render(request, brief, data)
        return redirect("report-brief-detail", pk=brief.pk)


class BriefTransitionView(LoginRequiredMixin, View):
    http_method_names = ["post"]
    STEPS = {
        "submit": (actions.brief_submit, ()),
        "review": (actions.brief_review, ()),
        "return-township": (actions.brief_return_township, ("comment",)),
        "return-bureau": (actions.brief_return_bureau, ("comment",)),
        "accept": (actions.brief_accept, ()),
        "unlock": (actions.brief_unlock, ("reason", "expires_at")),
    }

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        if step not in self.STEPS:
            raise Http404("未找到。")
        brief = access(MonthlyBrief, request.user, pk, Action.CHANGE)
        func, fields = self.STEPS[step]
        values: dict[str, Any] = {}
        try:
            for name in fields:
                raw = request.POST.get(name, "").strip()
                if name == "expires_at":
                    try:
                        values[name] = timezone.make_aware(dt.datetime.fromisoformat(raw))
                    except ValueError:
                        raise ValidationError({name: "请填写正确的有效期。"}) from None
                else:
                    values[name] = raw
            func(acting_user=authed_user(request), brief=brief, **values)  # type: ignore[operator]
        except (PermissionDenied, ValidationError) as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, "已保存。")
        return redirect("report-brief-detail", pk=brief.pk)


class PeriodicListView(ScopedListView):
    model = PeriodicReport
    template_name = "evaluation/reports/periodic_list.html"
    context_object_name = "reports"

    def get_queryset(self) -> QuerySet[PeriodicReport]:
        return super().get_queryset().select_related("division", "station", "owner").order_by("due_date", "pk")


class PeriodicDetailView(ScopedDetailView):
    model = PeriodicReport
    template_name = "evaluation/reports/periodic_detail.html"
    context_object_name = "report"

    def get_queryset(self) -> QuerySet[PeriodicReport]:
        return super().get_queryset().select_related("division", "station", "owner", "recipient", "submitted_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report: PeriodicReport = self.object
        user = self.request.user
        context["may_submit"] = (
            report.state == PeriodicReport.State.DRAFT
            and (getattr(user, "is_superuser", False) or report.owner_id == getattr(user, "organisation_id", None))
            and any(a["action"] == "reports.report_submit" for a in available_actions(user, report))
        )
        return context


class PeriodicSubmitView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = access(PeriodicReport, request.user, pk, Action.CHANGE)
        try:
            actions.report_submit(
                acting_user=authed_user(request), report=report, content=request.POST.get("content", "")
            )
        except (PermissionDenied, ValidationError) as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, "报告已报送。")
        return redirect("report-periodic-detail", pk=report.pk)


class CalendarPageView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        if scope_of(user).role == Role.NONE:
            raise Http404("未找到。")
        division = _chosen_division(request)
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        year = min(max(year, 2000), 2100)
        items = calendar_for(user, division.code, year) if division is not None else []
        return TemplateResponse(
            request,
            "evaluation/reports/calendar.html",
            {"division": division, "year": year, "items": items, "years": [year - 1, year, year + 1]},
        )


class CompletenessPageView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = authed_user(request)
        if scope_of(user).role == Role.NONE:
            raise Http404("未找到。")
        division = _chosen_division(request)
        period = request.GET.get("period") or timezone.localdate().strftime("%Y-%m")
        result = None
        error = ""
        if division is not None:
            try:
                result = completeness(user, division, period)
            except ValueError:
                error = "期间格式为“年-月”（如 2026-05）或年份。"
        if result is not None and request.GET.get("export") == "xlsx":
            headers = ["区划或站点", "应报", "已报", "按时报送", "报送率（%）", "及时率（%）"]
            rows = [
                [r.name, r.expected, r.submitted, r.on_time, r.submitted_rate or "—", r.on_time_rate or "—"]
                for r in [*result.rows, result.total]
            ]
            content = xlsx_bytes(headers, rows, title="简报报送情况", widths=[28, 10, 10, 10, 12, 12])
            response = HttpResponse(content, content_type=XLSX_TYPE)
            from urllib.parse import quote

            name = quote(f"{division.name}{period}简报报送情况.xlsx" if division else "简报报送情况.xlsx")
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
            response["Cache-Control"] = "no-store"
            return response
        return TemplateResponse(
            request,
            "evaluation/reports/completeness.html",
            {"division": division, "period": period, "result": result, "error": error},
        )
