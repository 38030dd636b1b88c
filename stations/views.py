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
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView

from accounts.http import authed_user
from accounts.models import Organisation, User
from contracts.models import Contract
from core import audit
from core.exports import csv_safe  # noqa: F401  (re-exported: stations.views.csv_safe)
from core.scoping import Action, scope_of
from core.views import ScopedDetailView, ScopedListView, ScopedUpdateView
from core.xlsx import XLSX_TYPE, xlsx_bytes
from policies.models import Policy
from stations.selectors import access_division, granted_station_ids, incomplete_q, with_current_contract

from .actions import standard_name, station_create, station_grant, station_revoke, station_update
from .filtersets import StationFilterSet
from .forms import StationCreateForm, StationForm, apply_validation_error, creatable_divisions, default_level
from .models import PLACE_WORDS, Division, Station

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


def breadcrumbs(user: User, division: Division | None) -> list[Division]:
    """The visible ancestors of a division, root first (Division.objects.for_user includes the way up)."""
    if division is None:
        return []
    return list(Division.objects.for_user(user).filter(code__in=division.ancestor_codes).order_by("code"))


def user_roots(user: User) -> list[str]:
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
        return qs.filter(code__in=user_roots(authed_user(self.request))).order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = authed_user(self.request)
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
        return access_division(
            authed_user(self.request), self.kwargs["code"], queryset=Division.objects.select_related("parent")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = authed_user(self.request)
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
    "agency": "agency_name",
}
EXPORT_COLUMNS = [
    "名称",
    "站点层级",
    "区划代码",
    "所在区划",
    "承接机构",
    "地址",
    "场地面积（m²）",
    "功能室",
    "挂牌日期",
    "状态",
    "星级",
]
EXPORT_WIDTHS = [36, 18, 16, 16, 30, 36, 12, 36, 12, 10, 6]
NO_AGENCY = "none"  # the agency filter's value for "no contract in force"


def export_row(s: Station) -> list[str]:
    """One station as the export's cells, every one text (codes keep their leading digits), formulas defused."""
    return [
        csv_safe(v)
        for v in [
            s.name,
            s.get_level_display(),
            s.division_id,
            s.division.name,
            getattr(s, "agency_name", None) or "",
            s.address,
            s.floor_area if s.floor_area is not None else "",
            "、".join(s.rooms or []),
            s.plaque_date.strftime("%Y-%m-%d") if s.plaque_date else "",
            s.get_status_display(),
            s.star_rating or "",
        ]
    ]


class StationListView(ScopedListView):
    model = Station
    template_name = "stations/station_list.html"
    context_object_name = "stations"
    paginate_by = 25

    def filters(self) -> dict[str, str]:
        get = self.request.GET
        division = get.get("division", "").strip()
        agency = get.get("agency", "").strip()
        return {
            "q": get.get("q", "").replace("\x00", "").strip()[:50],
            "level": get.get("level", "") if get.get("level", "") in Station.Level.values else "",
            "status": get.get("status", "") if get.get("status", "") in Station.Status.values else "",
            "division": division if division.isdigit() and len(division) <= 12 else "",
            "incomplete": "1" if get.get("incomplete") == "1" else "",
            "agency": agency if agency.isdigit() and len(agency) <= 12 or agency == NO_AGENCY else "",
            "sort": get.get("sort", "") if get.get("sort", "").lstrip("-") in SORTS else "",
        }

    def get_queryset(self) -> QuerySet[Station]:
        f = self.filters()
        scoped = with_current_contract(super().get_queryset().select_related("division", "division__parent"))
        # The same filters as the API (stations.filtersets), applied to the already scoped queryset.
        qs = StationFilterSet(data={k: f[k] for k in ("q", "level", "status", "division") if f[k]}, queryset=scoped).qs
        if f["incomplete"]:
            qs = qs.filter(incomplete_q())
        if f["agency"] == NO_AGENCY:
            qs = qs.filter(agency_id__isnull=True)
        elif f["agency"]:
            qs = qs.filter(agency_id=int(f["agency"]))
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
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def agency_options(self) -> list[tuple[int, str]]:
        """The agencies holding a contract in force for a visible station (one query over the link table)."""
        today = timezone.localdate()
        through = Contract.stations.through
        rows = (
            through.objects.filter(
                station__in=Station.objects.for_user(self.request.user).order_by().values("pk"),
                contract__status=Contract.Status.ACTIVE,
                contract__start_date__lte=today,
                contract__end_date__gte=today,
            )
            .values_list("contract__agency_id", "contract__agency__name")
            .distinct()
        )
        return sorted(rows, key=lambda r: r[1])

    def export(self, kind: str) -> HttpResponse:
        rows = [export_row(s) for s in self.get_queryset()]
        stamp = timezone.localdate().strftime("%Y%m%d")
        if kind == "xlsx":
            response = HttpResponse(
                xlsx_bytes(EXPORT_COLUMNS, rows, title="社工站", widths=EXPORT_WIDTHS), content_type=XLSX_TYPE
            )
        else:
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
            writer = csv.writer(response)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(rows)
        response["Content-Disposition"] = f'attachment; filename="stations-{stamp}.{kind}"'
        audit.record(
            acting_user=self.request.user,
            event="export",
            object_type="stations.Station",
            object_repr=f"社工站列表导出（{'Excel' if kind == 'xlsx' else 'CSV'}，{len(rows)} 条）",
            division_code=getattr(authed_user(self.request).organisation, "division_id", "") or "",
            changes={"filters": {k: v for k, v in self.filters().items() if v}, "rows": len(rows), "format": kind},
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
        context["agency_options"] = self.agency_options()
        context["no_agency"] = NO_AGENCY
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
        user = authed_user(self.request)
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
        if not context["contracts"]:
            # A role that sees the station but not its contracts (an evaluator) still learns who runs it.
            current = with_current_contract(Station.objects.filter(pk=station.pk)).first()
            context["current_agency"] = current if getattr(current, "contract_number", None) else None
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
        context["breadcrumbs"] = [*breadcrumbs(authed_user(self.request), self.object.division), self.object.division]
        context["standard_name"] = context["form"].standard_name
        return context

    def form_valid(self, form: ModelForm[Station]) -> HttpResponse:
        form = cast(StationForm, form)
        try:
            station = station_update(
                acting_user=authed_user(self.request),
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


PLACE_RESULTS_MAX = 20


def safe_next(request: Any, default: str) -> str:
    """A same-site relative path to return to (``next``), or the default: never another host or scheme."""
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False)
    ):
        return target
    return default


class StationCreateView(LoginRequiredMixin, FormView):
    """New stations, for the roles whose scope may add them (the county bureau); others get 404.

    The place is picked from the division tree or found by name (``?q=``, htmx search-as-you-type; ``?parent=``
    walks the tree); both answer with the options fragment to htmx and with the whole page otherwise.
    """

    form_class = StationCreateForm
    template_name = "stations/station_create.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not Station.scoping.may(scope_of(request.user).role, Action.ADD):
            raise Http404("无权新建站点。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("HX-Request") and ("q" in request.GET or "parent" in request.GET):
            return TemplateResponse(request, "stations/_place_options.html", self.place_context())
        return super().get(request, *args, **kwargs)

    def preselected(self) -> Division | None:
        code = (self.request.POST.get("division") or self.request.GET.get("division") or "").strip()[:12]
        if not code.isdigit():
            return None
        return (
            creatable_divisions(authed_user(self.request))
            .select_related("parent", "parent__parent")
            .filter(code=code)
            .first()
        )

    def place_context(self) -> dict[str, Any]:
        """Options for the picker: search results for ``q``, else the children of ``parent`` (or the user's tops)."""
        user = authed_user(self.request)
        creatable = creatable_divisions(user)
        q = self.request.GET.get("q", "").replace("\x00", "").strip()[:30]
        parent_code = self.request.GET.get("parent", "").strip()[:12]
        parent: Division | None = None
        visible = Division.objects.for_user(user).select_related("parent", "parent__parent")
        if q:
            found = creatable.filter(code__startswith=q) if q.isdigit() else creatable.filter(name__icontains=q)
            options = list(
                found.select_related("parent", "parent__parent").order_by("level", "code")[: PLACE_RESULTS_MAX + 1]
            )
        else:
            if parent_code.isdigit():
                parent = visible.filter(code=parent_code).first()
            elif "parent" not in self.request.GET and len(user_roots(user)) == 1:
                parent = visible.filter(code=user_roots(user)[0]).first()  # a county bureau starts in its county
            if parent is not None:
                options = list(visible.filter(parent_id=parent.code).order_by("code"))
            elif scope_of(user).is_global:
                options = list(visible.filter(level=Division.Level.PROVINCE).order_by("code"))
            else:
                options = list(visible.filter(code__in=user_roots(user)).order_by("code"))
        selectable = set(creatable.filter(code__in=[d.code for d in options]).values_list("code", flat=True))
        return {
            "q": q,
            "parent": parent,
            "parent_crumbs": breadcrumbs(user, parent) if parent is not None else [],
            "more": len(options) > PLACE_RESULTS_MAX if q else False,
            "options": [
                {
                    "division": d,
                    "selectable": d.code in selectable,
                    "level_word": PLACE_WORDS.get(Division.Level(d.level), ""),
                    "default_level": default_level(d),
                    "has_children": d.level < Division.Level.VILLAGE,
                }
                for d in (options[:PLACE_RESULTS_MAX] if q else options)
            ],
            "next": safe_next(self.request, ""),
        }

    def get_initial(self) -> dict[str, Any]:
        selected = self.preselected()
        level = self.request.GET.get("level", "")
        return {
            "division": selected.code if selected else "",
            "level": level if level in Station.Level.values else default_level(selected),
        }

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.place_context())
        selected = self.preselected()
        context["selected"] = selected
        context["selected_level_word"] = PLACE_WORDS.get(Division.Level(selected.level), "") if selected else ""
        context["selected_default_level"] = default_level(selected)
        context["cancel_url"] = safe_next(self.request, reverse("station-list"))
        return context

    def form_valid(self, form: StationCreateForm) -> HttpResponse:  # type: ignore[override]
        try:
            station = station_create(
                acting_user=authed_user(self.request),
                division=form.cleaned_data["division"],
                level=form.cleaned_data["level"],
                name=form.cleaned_data["name"].strip(),
                status=Station.Status.PLANNED,
            )
        except PermissionDenied:
            form.add_error("division", "这个地点不在您可以新建站点的范围内。")
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"已新建“{station.name}”（规划中），请补充地址、面积等资料。")
        return redirect("station-edit", pk=station.pk)


# --- evaluator grants ---------------------------------------------------------------------------------------


class StationGrantView(LoginRequiredMixin, TemplateView):
    """Which of the bureau's stations each evaluator organisation may see, with grant and revoke.

    For users who may change stations (the county bureau in its county; administrators); others get 404.
    Only stations in ``Station.objects.for_user(user, "change")`` are listed or accepted.
    """

    template_name = "stations/station_grants.html"

    def grantable(self) -> QuerySet[Station]:
        return Station.objects.for_user(self.request.user, Action.CHANGE)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not Station.scoping.may(scope_of(request.user).role, Action.CHANGE):
            raise Http404("无权管理评估授权。")
        return super().dispatch(request, *args, **kwargs)

    def evaluators(self) -> list[Organisation]:
        # Evaluators are hired from outside the county, so every active one can be chosen (name only).
        return list(Organisation.objects.filter(kind=Organisation.Kind.EVALUATOR, status=Organisation.Status.ACTIVE))

    def chosen(self, evaluators: list[Organisation]) -> Organisation | None:
        raw = self.request.POST.get("evaluator") or self.request.GET.get("evaluator") or ""
        for org in evaluators:
            if str(org.pk) == raw:
                return org
        return evaluators[0] if evaluators and not raw else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        evaluators = self.evaluators()
        evaluator = self.chosen(evaluators)
        stations = self.grantable().select_related("division", "division__parent").order_by("division_id", "level")
        granted_ids = granted_station_ids(evaluator) if evaluator is not None else set()
        all_stations = list(stations)
        context.update(
            {
                "evaluators": evaluators,
                "evaluator": evaluator,
                "granted": [s for s in all_stations if s.pk in granted_ids],
                "available": [s for s in all_stations if s.pk not in granted_ids],
            }
        )
        return context

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        evaluator = self.chosen(self.evaluators())
        if evaluator is None:
            raise Http404("没有这家评估机构。")
        ids = [int(v) for v in request.POST.getlist("station") if v.isdigit()]
        stations = list(self.grantable().filter(pk__in=ids))
        if len(stations) != len(set(ids)):
            raise Http404("不存在或无权管理该站点。")
        back = f"{reverse('station-grants')}?evaluator={evaluator.pk}"
        if not stations:
            messages.error(request, "请先勾选要授权的站点。")
            return redirect(back)
        try:
            if request.POST.get("action") == "revoke":
                for station in stations:
                    station_revoke(acting_user=request.user, evaluator=evaluator, station=station)
                messages.success(
                    request, f"已撤销{evaluator.name}对“{'、'.join(s.name for s in stations)}”的查看授权。"
                )
            else:
                added = station_grant(acting_user=request.user, evaluator=evaluator, stations=stations)
                messages.success(request, f"已授权{evaluator.name}查看 {len(added)} 个站点。")
        except PermissionDenied:
            raise Http404("不存在或无权管理该站点。") from None
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(back)
