"""The per-role home page: what this role has to do next (STYLE.md "The interface").

The top floor: it reads every app, and every count and list on it goes through ``Model.objects.for_user``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, QuerySet
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.http import authed_user
from accounts.views import password_change_due
from contracts.models import Contract
from core.scoping import Action, Role
from evaluation.reports.home import home_context as reports_home
from obligations.selectors import todo
from policies.actions import can_edit_policy_of
from policies.models import Policy
from policies.policy import effective_policy
from stations.models import Division, Station
from stations.selectors import incomplete_q, with_current_contract

from .overview import area_summary

CONTRACT_WARNING_DAYS = 60
LIST_LIMIT = 20


def status_counts(stations: QuerySet[Station]) -> list[dict[str, Any]]:
    counts = dict(stations.order_by().values_list("status").annotate(n=Count("pk")))
    return [{"value": value, "label": label, "count": counts.get(value, 0)} for value, label in Station.Status.choices]


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = authed_user(self.request)
        role = user.role
        context["role"] = str(role)
        context["today"] = timezone.localdate()
        context["password_due"] = password_change_due(user)
        builder = {
            Role.ADMIN: self.overview,
            Role.PROVINCE_BUREAU: self.overview,
            Role.CITY_BUREAU: self.overview,
            Role.COUNTY_BUREAU: self.county,
            Role.TOWNSHIP: self.township,
            Role.VILLAGE: self.village,
            Role.AGENCY: self.agency,
            Role.EVALUATOR: self.evaluator,
        }.get(role)
        if builder is not None:
            # Every role's page opens with its 待办: overdue first, then due soon, then what is coming.
            context["todo"] = todo(user)
            context.update(builder())
        return context

    # -- helpers ---------------------------------------------------------
    def stations(self, action: str = Action.VIEW) -> QuerySet[Station]:
        return Station.objects.for_user(self.request.user, action)

    def contracts(self) -> QuerySet[Contract]:
        return Contract.objects.for_user(self.request.user)

    def ending_contracts(self) -> QuerySet[Contract]:
        today = timezone.localdate()
        return (
            self.contracts()
            .filter(
                status=Contract.Status.ACTIVE,
                end_date__gte=today,
                end_date__lte=today + dt.timedelta(days=CONTRACT_WARNING_DAYS),
            )
            .select_related("agency", "division")
            .annotate(station_count=Count("stations", distinct=True))
            .order_by("end_date", "number")
        )

    def own_division(self) -> Division | None:
        code = getattr(authed_user(self.request).organisation, "division_id", None)
        if not code:
            return None
        return Division.objects.for_user(self.request.user).filter(pk=code).first()

    # -- per role ----------------------------------------------------------
    def county(self) -> dict[str, Any]:
        user = authed_user(self.request)
        stations = self.stations()
        division = self.own_division()
        incomplete = stations.filter(incomplete_q()).select_related("division").order_by("division_id", "level")
        in_build = stations.filter(status__in=[Station.Status.PLANNED, Station.Status.PREPARING]).select_related(
            "division"
        )
        undersized: list[Station] = []
        min_area = None
        if division is not None:
            min_area = effective_policy(division.code).get("station.regional_centre_min_area")
            if min_area is not None:
                undersized = list(
                    stations.filter(level=Station.Level.REGIONAL, floor_area__lt=min_area)
                    .exclude(status=Station.Status.CLOSED)
                    .select_related("division")
                )
        covered = (
            stations.filter(level__in=[Station.Level.TOWNSHIP, Station.Level.REGIONAL])
            .exclude(status=Station.Status.CLOSED)
            .values("division_id")
        )
        townships = Division.objects.for_user(user).filter(level=Division.Level.TOWNSHIP)
        if division is not None:
            townships = townships.filter(code__startswith=division.code)
        uncovered = townships.exclude(code__in=covered).order_by("code")
        policy = None
        if division is not None:
            policy = (
                Policy.objects.for_user(user)
                .filter(division_id=division.code)
                .annotate(rule_count=Count("rules"))
                .first()
            )
        draft_contracts = self.contracts().filter(status=Contract.Status.DRAFT).select_related("agency", "division")
        return {
            "division": division,
            "status_counts": status_counts(stations),
            "station_total": stations.count(),
            "incomplete": list(incomplete[:LIST_LIMIT]),
            "incomplete_count": incomplete.count(),
            "in_build": list(in_build[:LIST_LIMIT]),
            "undersized": undersized,
            "regional_min_area": min_area,
            "uncovered": list(uncovered[:LIST_LIMIT]),
            "uncovered_count": uncovered.count(),
            "ending_contracts": list(self.ending_contracts()),
            "draft_contracts": list(draft_contracts[:LIST_LIMIT]),
            "warning_days": CONTRACT_WARNING_DAYS,
            "policy": policy,
            "can_edit_policy": division is not None and can_edit_policy_of(user, division.code),
            **reports_home(user),
        }

    def township(self) -> dict[str, Any]:
        stations = (
            self.stations()
            .select_related("division")
            .annotate(incomplete=ExpressionWrapper(incomplete_q(), output_field=BooleanField()))
            .order_by("division_id", "level")
        )
        today = timezone.localdate()
        contracts = (
            self.contracts()
            .filter(status=Contract.Status.ACTIVE, start_date__lte=today, end_date__gte=today)
            .select_related("agency")
            .annotate(station_count=Count("stations", distinct=True))
            .order_by("end_date")
        )
        return {
            "division": self.own_division(),
            "station_list": list(stations),
            "status_counts": status_counts(self.stations()),
            "active_contracts": list(contracts),
            "ending_contracts": list(self.ending_contracts()),
            "warning_days": CONTRACT_WARNING_DAYS,
            **reports_home(authed_user(self.request)),
        }

    def village(self) -> dict[str, Any]:
        """A township's village civil-affairs worker: its village (the scope's only root) and where to look."""
        code = authed_user(self.request).village_id
        return {"village": Division.objects.for_user(self.request.user).filter(pk=code).first() if code else None}

    def agency(self) -> dict[str, Any]:
        user = authed_user(self.request)
        today = timezone.localdate()
        visible = self.stations().select_related("division").order_by("division_id", "level")
        contracts = (
            self.contracts()
            .filter(status=Contract.Status.ACTIVE, start_date__lte=today, end_date__gte=today)
            .select_related("division", "buyer")
            .prefetch_related(Prefetch("stations", queryset=visible, to_attr="visible_stations"))
            .order_by("end_date", "number")
        )
        rows = []
        for contract in contracts:
            days_left = (contract.end_date - today).days
            for station in contract.visible_stations:
                rows.append(
                    {
                        "station": station,
                        "contract": contract,
                        "days_left": days_left,
                        "ending": days_left <= CONTRACT_WARNING_DAYS,
                    }
                )
        return {
            "contract_rows": rows,
            "contract_count": len(contracts),
            "station_total": Station.objects.for_user(user).count(),
            "ending_contracts": [c for c in contracts if (c.end_date - today).days <= CONTRACT_WARNING_DAYS],
            "warning_days": CONTRACT_WARNING_DAYS,
            **reports_home(user),
        }

    def evaluator(self) -> dict[str, Any]:
        stations = self.stations().select_related("division", "division__parent").order_by("division_id", "level")
        # Each granted station with the contract in force for it (number, agency, dates): what is evaluated.
        return {"station_list": list(with_current_contract(stations))}

    def overview(self) -> dict[str, Any]:
        """Province, city (and system administrators): their children side by side, with drill-down."""
        division = self.own_division()
        return {
            **area_summary(authed_user(self.request), division),
            "division": division,
            "incomplete_count": self.stations().filter(incomplete_q()).count(),
        }
