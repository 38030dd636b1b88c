"""Calendar pages: a year's holidays and make-up workdays, the deadline calculator, and the system
administrator's page to enter a year's arrangement. Reads go through ``for_user`` (reference data: every known
role reads it); a user without a role, and anyone but the administrator on the arrangement page, gets 404."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts.http import authed_user
from core import audit
from core.scoping import Action, Role, scope_of

from .actions import save_arrangement
from .arrangement import STANDARD_HOLIDAYS, check_rows, parse_notice
from .counting import UNIT_LABELS, weekday_label
from .forms import (
    DeadlineForm,
    HolidayFormSet,
    YearForm,
    attach_problems,
    format_workdays,
    rows_from_formset,
)
from .models import MAX_YEAR, MIN_YEAR, CalendarDay, CalendarYear
from .seed import notice_title
from .selectors import due_date, holidays_of


class KnownRoleMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and scope_of(request.user).role == Role.NONE:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _year_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        return None
    return int(raw)


def month_grid(year: int, days: dict[dt.date, CalendarDay]) -> list[dict[str, Any]]:
    """Twelve months, weeks from Monday, each cell: date (None outside the month), kind, name."""
    months = []
    cal = _calendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = []
        for week in cal.monthdatescalendar(year, month):
            cells: list[dict[str, Any]] = []
            for day in week:
                if day.month != month:
                    cells.append({"date": None})
                    continue
                entry = days.get(day)
                kind = entry.kind if entry else ("rest" if day.weekday() >= 5 else "work")
                cells.append({"date": day, "kind": kind, "name": entry.name if entry else ""})
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    return months


class CalendarYearView(KnownRoleMixin, TemplateView):
    template_name = "workdays/calendar_year.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = _year_param(self.request)
        context["bad_year"] = year is None
        if year is None:
            year = timezone.localdate().year
        row = CalendarYear.objects.for_user(user, Action.VIEW).filter(year=year).first()
        days = list(CalendarDay.objects.for_user(user, Action.VIEW).filter(year_id=year).order_by("date"))
        holidays = holidays_of(days)
        context.update(
            year=year,
            year_row=row,
            covered=bool(row and row.complete),
            holidays=[
                {
                    "holiday": h,
                    "workdays": [(d, weekday_label(d)) for d in h.workdays],
                }
                for h in holidays
            ],
            months=month_grid(year, {d.date: d for d in days}),
            known_years=list(
                CalendarYear.objects.for_user(user, Action.VIEW).filter(complete=True).values_list("year", flat=True)
            ),
            prev_year=year - 1 if year > MIN_YEAR else None,
            next_year=year + 1 if year < MAX_YEAR else None,
            is_admin=scope_of(user).role == Role.ADMIN,
            weekday_names=list("一二三四五六日"),
        )
        return context


class DeadlineCalculatorView(KnownRoleMixin, TemplateView):
    template_name = "workdays/deadline.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        submitted = any(key in self.request.GET for key in ("start", "amount", "unit"))
        form = DeadlineForm(self.request.GET if submitted else None)
        context["form"] = form
        if submitted and form.is_valid():
            data = form.cleaned_data
            context["deadline"] = due_date(data["start"], data["amount"], data["unit"])
            context["unit_label"] = UNIT_LABELS[data["unit"]]
        return context


class ArrangementView(LoginRequiredMixin, View):
    """Only the system administrator enters a year's arrangement; everyone else gets 404."""

    template_name = "workdays/arrangement.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and scope_of(request.user).role != Role.ADMIN:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _initial(self, year: int) -> tuple[dict[str, Any], list[dict[str, Any]], CalendarYear | None]:
        row = CalendarYear.objects.for_user(self.request.user, Action.VIEW).filter(year=year).first()
        if row is None:
            year_initial = {"year": year, "source": notice_title(year), "complete": True}
            rows: list[dict[str, Any]] = [{"name": name} for name in STANDARD_HOLIDAYS]
        else:
            year_initial = {"year": year, "notice": row.notice, "source": row.source, "complete": row.complete}
            days = list(CalendarDay.objects.for_user(self.request.user, Action.VIEW).filter(year=row))
            rows = [
                {"name": h.name, "first": h.first, "last": h.last, "workdays": format_workdays(h.workdays)}
                for h in holidays_of(days)
            ]
        return year_initial, rows, row

    def _render(
        self, request: HttpRequest, year_form: YearForm, formset: Any, existing: CalendarYear | None
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"year_form": year_form, "formset": formset, "existing": existing},
            status=400 if (year_form.is_bound and (year_form.errors or formset.total_error_count())) else 200,
        )

    @staticmethod
    def _padded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return rows + [{} for _ in range(max(2, 9 - len(rows)))]

    def get(self, request: HttpRequest) -> HttpResponse:
        year = _year_param(request) or timezone.localdate().year + 1
        if "year" not in request.GET:
            year = timezone.localdate().year + 1  # the next year is what the administrator usually adds
        year_initial, rows, existing = self._initial(year)
        return self._render(
            request, YearForm(initial=year_initial), HolidayFormSet(initial=self._padded(rows)), existing
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        year_form = YearForm(request.POST)
        year = None
        if year_form.is_valid():
            year = year_form.cleaned_data["year"]
        existing = CalendarYear.objects.for_user(request.user, Action.VIEW).filter(year=year).first() if year else None
        if request.POST.get("action") == "parse":
            return self._parse(request, year_form, year, existing)
        formset = HolidayFormSet(request.POST)
        for form in formset.forms:
            form.year = year
        if not (year_form.is_valid() and formset.is_valid()):
            return self._render(request, year_form, formset, existing)
        assert year is not None  # noqa: S101
        rows, where = rows_from_formset(formset)
        problems = check_rows(year, rows)
        if problems:
            attach_problems(problems, year_form, formset, where)
            return self._render(request, year_form, formset, existing)
        data = year_form.cleaned_data
        try:
            save_arrangement(
                acting_user=authed_user(request),
                year=year,
                notice=data["notice"],
                source=data["source"],
                complete=data["complete"],
                holidays=rows,
                ip=audit.client_ip(request),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for message in exc.messages:
                year_form.add_error(None, message)
            return self._render(request, year_form, formset, existing)
        messages.success(request, f"{year}年的节假日安排已保存，共{len(rows)}项。")
        return redirect(f"{reverse('calendar-year')}?year={year}")

    def _parse(
        self, request: HttpRequest, year_form: YearForm, year: int | None, existing: CalendarYear | None
    ) -> HttpResponse:
        """Read the pasted notice into the rows; nothing is saved until the administrator checks and saves."""
        formset = HolidayFormSet(request.POST)
        if year is None:
            return self._render(request, year_form, formset, existing)
        rows = parse_notice(year_form.cleaned_data.get("notice_text", ""), year)
        if not rows:
            year_form.add_error(
                "notice_text",
                "未能从粘贴的文本中识别出放假安排，请粘贴通知中“一、元旦：……放假……”等各项，或直接填写下表。",
            )
            return self._render(request, year_form, formset, existing)
        initial = [
            {"name": r.name, "first": r.first, "last": r.last, "workdays": format_workdays(r.workdays)} for r in rows
        ]
        unbound = YearForm(
            initial={
                "year": year,
                "notice": year_form.cleaned_data.get("notice", ""),
                "source": year_form.cleaned_data.get("source") or notice_title(year),
                "complete": year_form.cleaned_data.get("complete", True),
                "notice_text": year_form.cleaned_data.get("notice_text", ""),
            }
        )
        messages.info(request, f"已从通知文本识别出{len(rows)}项，请逐项核对后点“保存”。")
        return self._render(request, unbound, HolidayFormSet(initial=self._padded(initial)), existing)
