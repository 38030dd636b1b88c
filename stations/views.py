"""Division tree and station pages. Every read goes through ``for_user`` (core.views); writes call actions."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, F, QuerySet
from django.db.models.functions import Substr
from django.forms import ModelForm
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView

from contracts.models import Contract
from core import audit
from core.exports import csv_safe  # noqa: F401  (re-exported: stations.views.csv_safe)
from core.scoping import Action, scope_of
from core.views import ScopedDetailView, ScopedListView, ScopedUpdateView
from policies.models import Policy
from stations.selectors import incomplete_q

from .actions import standard_name, station_create, station_update
from .filtersets import StationFilterSet
from .forms import StationCreateForm, StationForm, apply_validation_error
from .models import Division, Station

CHILDREN_PER_PAGE = 30
TOWNSHIP_OPTIONS_MAX = 300


def station_counts_by_prefix(stations: QuerySet[Station], codes: Iterable[str]) -> dict[str, int]:
    """Stations (of an already scoped queryset) under each division code: one grouped query per code length."""
    by_length: dict[int, list[str]] = defaultdict(list)
    for code in codes:
        by_length[len(code)].append(code)
    counts: dict[str, int] = {}
    for length, group in by_length.items():
        rows = (
            stations.order_by()
            .annotate(prefix=Substr("division_id", 1, length))
            .filter(prefix__in=group)
            .values_list("prefix")
            .annotate(n=Count("pk"))
        )
        counts.update(dict(rows))
    return counts


def breadcrumbs(user: Any, division: Division | None) -> list[Division]:
    """The visible ancestors of a division, root first (Division.objects.for_user includes the way up)."""
    if division is None:
        return []
    return list(Division.objects.for_user(user).filter(code__in=division.ancestor_codes).order_by("code"))


def user_roots(user: Any) -> list[str]:
    """The tops of the user's subtrees with nested ones dropped; empty for system administrators (everything)."""
    roots = sorted(scope_of(user).roots, key=lambda c: (len(c), c))
    kept: list[str] = []
    for code in roots:
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return kept


# --- divisions --------------------------------------------------------------------------------------------


class DivisionListView(ScopedListView):
    model = Division
    template_name = "stations/division_list.html"
    context_object_name = "divisions"
    paginate_by = 50

    def query(self) -> str:
        return self.request.GET.get("q", "").replace("\x00", "").strip()[:50]

    def get_queryset(self) -> QuerySet[Division]:
        qs = super().get_queryset().select_related("parent")
        q = self.query()
        if q:
            qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__icontains=q)
            return qs.order_by("level", "code")
        if scope_of(self.request.user).is_global:
            return qs.filter(level=Division.Level.PROVINCE).order_by("code")
        return qs.filter(code__in=user_roots(self.request.user)).order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        divisions = list(context["object_list"])
        stations = Station.objects.for_user(user)
        context["q"] = self.query()
        context["q_is_code"] = self.query().isdigit()
        context["station_counts"] = station_counts_by_prefix(stations, [d.code for d in divisions])
        if not self.query():
            children = (
                Division.objects.for_user(user).filter(parent_id__in=[d.code for d in divisions]).order_by("code")
            )
            children_by_parent: dict[str, list[Division]] = defaultdict(list)
            for child in children:
                children_by_parent[child.parent_id].append(child)
            child_counts = station_counts_by_prefix(stations, [c.code for c in children])
            above = Division.objects.for_user(user).in_bulk(
                sorted({a for d in divisions for a in d.ancestor_codes}), field_name="code"
            )
            context["roots"] = [
                {
                    "division": d,
                    "breadcrumbs": [above[a] for a in d.ancestor_codes if a in above],
                    "children": [(c, child_counts.get(c.code, 0)) for c in children_by_parent.get(d.code, [])],
                    "count": context["station_counts"].get(d.code, 0),
                }
                for d in divisions
            ]
        return context


class DivisionDetailView(ScopedDetailView):
    model = Division
    template_name = "stations/division_detail.html"
    context_object_name = "division"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_object(self, queryset: QuerySet[Division] | None = None) -> Division:
        code = self.kwargs["code"]
        if not code.isdigit():
            raise Http404
        division = self.get_queryset().select_related("parent").filter(code=code).first()
        if division is None:
            raise Http404("不存在或无权查看该区划。")
        return division

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        division: Division = self.object
        stations = Station.objects.for_user(user)
        children = Division.objects.for_user(user).filter(parent_id=division.code).order_by("code")
        page = Paginator(children, CHILDREN_PER_PAGE).get_page(self.request.GET.get("page"))
        context["children_page"] = page
        counts = station_counts_by_prefix(stations, [c.code for c in page.object_list])
        context["children"] = [(c, counts.get(c.code, 0)) for c in page.object_list]
        context["breadcrumbs"] = breadcrumbs(user, division)
        context["own_stations"] = list(stations.filter(division_id=division.code).order_by("level", "name"))
        context["subtree_count"] = stations.filter(division__code__startswith=division.code).count()
        context["can_add_station"] = Station.scoping.may(scope_of(user).role, Action.ADD)
        context["policy"] = (
            Policy.objects.for_user(user).filter(division_id=division.code).annotate(rule_count=Count("rules")).first()
        )
        context["level_label"] = Division.Level(division.level).label
        return context


# --- stations ---------------------------------------------------------------------------------------------

SORTS = {
    "name": "name",
    "division": "division_id",
    "level": "level",
    "status": "status",
    "star": "star_rating",
    "area": "floor_area",
    "plaque": "plaque_date",
}
EXPORT_COLUMNS = [
    "名称",
    "站点层级",
    "区划代码",
    "所在区划",
    "地址",
    "场地面积（m²）",
    "功能室",
    "挂牌日期",
    "状态",
    "星级",
]


class StationListView(ScopedListView):
    model = Station
    template_name = "stations/station_list.html"
    context_object_name = "stations"
    paginate_by = 25

    def filters(self) -> dict[str, str]:
        get = self.request.GET
        division = get.get("division", "").strip()
        return {
            "q": get.get("q", "").replace("\x00", "").strip()[:50],
            "level": get.get("level", "") if get.get("level", "") in Station.Level.values else "",
            "status": get.get("status", "") if get.get("status", "") in Station.Status.values else "",
            "division": division if division.isdigit() and len(division) <= 12 else "",
            "incomplete": "1" if get.get("incomplete") == "1" else "",
            "sort": get.get("sort", "") if get.get("sort", "").lstrip("-") in SORTS else "",
        }

    def get_queryset(self) -> QuerySet[Station]:
        f = self.filters()
        scoped = super().get_queryset().select_related("division", "division__parent")
        # The same filters as the API (stations.filtersets), applied to the already scoped queryset.
        qs = StationFilterSet(data={k: f[k] for k in ("q", "level", "status", "division") if f[k]}, queryset=scoped).qs
        if f["incomplete"]:
            qs = qs.filter(incomplete_q())
        qs = qs.annotate(incomplete=ExpressionWrapper(incomplete_q(), output_field=BooleanField()))
        if f["sort"]:
            desc = f["sort"].startswith("-")
            field = SORTS[f["sort"].lstrip("-")]
            key = F(field).desc(nulls_last=True) if desc else F(field).asc(nulls_last=True)
            return qs.order_by(key, "division_id", "pk")
        return qs.order_by("division_id", "level", "pk")

    def division_options(self) -> list[Division] | None:
        """Counties and townships that hold a visible station, or None when there are too many for a select."""
        stations = Station.objects.for_user(self.request.user).order_by()
        codes = set(
            stations.annotate(p=Substr("division_id", 1, 9))
            .values_list("p", flat=True)
            .distinct()[: TOWNSHIP_OPTIONS_MAX + 1]
        )
        if len(codes) > TOWNSHIP_OPTIONS_MAX:
            return None
        codes |= {c[:6] for c in codes}
        wanted = [c for c in codes if len(c) in (6, 9)]
        return list(Division.objects.for_user(self.request.user).filter(code__in=wanted).order_by("code"))

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "csv":
            return self.export_csv()
        return super().get(request, *args, **kwargs)

    def export_csv(self) -> HttpResponse:
        rows = list(self.get_queryset())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="stations-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
        writer = csv.writer(response)
        writer.writerow(EXPORT_COLUMNS)
        for s in rows:
            writer.writerow(
                [
                    csv_safe(v)
                    for v in [
                        s.name,
                        s.get_level_display(),
                        s.division_id,
                        s.division.name,
                        s.address,
                        s.floor_area if s.floor_area is not None else "",
                        "、".join(s.rooms or []),
                        s.plaque_date.strftime("%Y-%m-%d") if s.plaque_date else "",
                        s.get_status_display(),
                        s.star_rating or "",
                    ]
                ]
            )
        audit.record(
            acting_user=self.request.user,
            event="export",
            object_type="stations.Station",
            object_repr=f"社工站列表导出（{len(rows)} 条）",
            division_code=getattr(self.request.user.organisation, "division_id", "") or "",  # type: ignore[union-attr]
            changes={"filters": {k: v for k, v in self.filters().items() if v}, "rows": len(rows)},
            ip=audit.client_ip(self.request),
        )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["f"] = self.filters()
        context["can_add_station"] = Station.scoping.may(scope_of(self.request.user).role, Action.ADD)
        context["levels"] = Station.Level.choices
        context["statuses"] = Station.Status.choices
        context["division_options"] = self.division_options()
        context["filtered"] = any(v for k, v in context["f"].items() if k != "sort")
        return context


class StationDetailView(ScopedDetailView):
    model = Station
    template_name = "stations/station_detail.html"
    context_object_name = "station"

    def get_queryset(self) -> QuerySet[Station]:
        return super().get_queryset().select_related("division", "division__parent")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        station: Station = self.object
        context["breadcrumbs"] = [*breadcrumbs(user, station.division), station.division]
        context["contracts"] = list(
            Contract.objects.for_user(user)
            .filter(stations=station)
            .select_related("agency", "buyer", "township", "division")
            .order_by("-start_date")
        )
        context["covered"] = (
            list(Division.objects.for_user(user).filter(regional_centres=station).order_by("code"))
            if station.level == Station.Level.REGIONAL
            else []
        )
        context["can_edit"] = Station.objects.for_user(user, Action.CHANGE).filter(pk=station.pk).exists()
        context["standard_name"] = standard_name(station.division, station.level)
        context["today"] = timezone.localdate()
        return context


class StationUpdateView(ScopedUpdateView):
    model = Station
    form_class = StationForm
    template_name = "stations/station_form.html"
    context_object_name = "station"

    def get_queryset(self) -> QuerySet[Station]:
        return super().get_queryset().select_related("division", "division__parent")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["standard_name"] = standard_name(self.object.division, self.object.level)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = [*breadcrumbs(self.request.user, self.object.division), self.object.division]
        context["standard_name"] = context["form"].standard_name
        return context

    def form_valid(self, form: ModelForm[Station]) -> HttpResponse:
        form = cast(StationForm, form)
        try:
            station = station_update(
                acting_user=self.request.user,
                station=self.object,
                data=form.action_data(),
                covered_townships=form.action_covered_townships(),
            )
        except PermissionDenied:
            raise Http404("不存在或无权修改该站点。") from None
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"已保存“{station.name}”。")
        return redirect("station-detail", pk=station.pk)


class StationCreateView(LoginRequiredMixin, FormView):
    """New stations, for the roles whose scope may add them (the county bureau); others get 404."""

    form_class = StationCreateForm
    template_name = "stations/station_create.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not Station.scoping.may(scope_of(request.user).role, Action.ADD):
            raise Http404("无权新建站点。")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"division": self.request.GET.get("division", "")[:12], "level": self.request.GET.get("level", "")}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: StationCreateForm) -> HttpResponse:  # type: ignore[override]
        try:
            station = station_create(
                acting_user=self.request.user,
                division=form.cleaned_data["division"],
                level=form.cleaned_data["level"],
                name=form.cleaned_data["name"].strip(),
                status=Station.Status.PLANNED,
            )
        except PermissionDenied:
            form.add_error("division", "该区划不在您可以新建站点的范围内。")
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"已新建“{station.name}”（规划中），请补充地址、面积等资料。")
        return redirect("station-edit", pk=station.pk)
