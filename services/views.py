"""Pages of the services app: the catalogue (reference data), and the work of issue 10."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts.http import authed_user
from accounts.models import User
from core.actions import available_actions
from core.audit import client_ip
from core.personal import access as personal_access
from core.personal.exports import Column, pdf_response, xlsx_response
from core.personal.idnumber import age_on
from core.personal.views import ClearExportView, UnmaskView
from core.scoping import Action, scope_of
from core.views import ScopedDetailView, ScopedListView
from policies.policy import effective_policy
from policies.registry import documents, vocabulary
from stations.models import Division, Station

from . import actions
from . import policy as service_policy
from .forms import (
    AdvanceForm,
    BeneficiaryForm,
    CaseOpenForm,
    CommentsForm,
    ItemsForm,
    OrganisationForm,
    RecordForm,
    ReferralForm,
    ResolveForm,
    RespondForm,
    ServiceListForm,
    TeamForm,
    VisitForm,
    month_of,
)
from .models import (
    Beneficiary,
    Case,
    Escalation,
    IncubatedOrganisation,
    Referral,
    ServiceCatalogue,
    ServiceDomain,
    ServiceItem,
    ServicePhoto,
    ServiceRecord,
    StationServiceList,
    Visit,
    VolunteerTeam,
)
from .selectors import (
    access_beneficiary,
    access_case,
    access_escalation,
    access_referral,
    access_service_list,
    access_visit,
    due_this_week,
    in_month,
    month_range,
    monthly_summary,
    station_month_shares,
    visits_per_week,
)

EXPORT_LIMIT = 20000  # rows per Excel export (a county's year of beneficiaries fits; larger asks go to a task)

CATALOGUE_RULE = "service.catalogue"


def document_issuer(seed: str) -> str:
    return str(documents().get(seed, {}).get("issuer", "")).split("（")[0]


def own_catalogue_hint(user: User) -> dict[str, Any]:
    """Which catalogue the effective policy of the user's own division uses (rule ``service.catalogue``)."""
    empty = {"hint_division": None, "hint_code": None, "hint_rule": None, "hint_catalogue": None}
    code = getattr(user.organisation, "division_id", None)
    if not code:
        return empty
    division = Division.objects.for_user(user).filter(code=code).first()
    if division is None:
        return empty
    policy = effective_policy(division.code)
    value = policy.get(CATALOGUE_RULE)
    catalogue = ServiceCatalogue.objects.for_user(user).filter(code=value).first() if value else None
    return {
        "hint_division": division,
        "hint_code": value,
        "hint_rule": policy.rules.get(CATALOGUE_RULE),
        "hint_catalogue": catalogue,
    }


class CatalogueListView(ScopedListView):
    model = ServiceCatalogue
    template_name = "services/catalogue_list.html"
    context_object_name = "catalogues"
    paginate_by = 20

    def get_queryset(self) -> QuerySet[ServiceCatalogue]:
        user = authed_user(self.request)
        items = ServiceItem.objects.for_user(user).order_by("order", "code")
        domains = (
            ServiceDomain.objects.for_user(user).order_by("order").prefetch_related(Prefetch("items", queryset=items))
        )
        return super().get_queryset().prefetch_related(Prefetch("domains", queryset=domains)).order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        hint = own_catalogue_hint(authed_user(self.request))
        context.update(hint)
        # The catalogue the place's policy uses first; the others are other places' references.
        catalogues = sorted(context["catalogues"], key=lambda c: (c.code != hint["hint_code"], c.code))
        for c in catalogues:
            c.origin = document_issuer(c.seed)  # type: ignore[attr-defined]
        context["catalogues"] = catalogues
        return context


class CatalogueItemView(ScopedDetailView):
    model = ServiceItem
    template_name = "services/catalogue_item.html"
    context_object_name = "item"

    def get_queryset(self) -> QuerySet[ServiceItem]:
        return super().get_queryset().select_related("domain", "domain__catalogue")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item: ServiceItem = self.object
        context["siblings"] = list(
            ServiceItem.objects.for_user(self.request.user).filter(domain_id=item.domain_id).order_by("order", "code")
        )
        context.update(own_catalogue_hint(authed_user(self.request)))
        return context


# --- pages of issue 10: service lists, beneficiaries, visits, escalations, records, cases, referrals ----------
#
# Thin: validate the form, call the declared action, render. Every read goes through for_user; objects are
# loaded by key through services.selectors (core.access: 404 for missing and out of scope alike).


def _errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _stations(user: User, verb: str = Action.VIEW) -> QuerySet[Station]:
    """Stations the user works in (an agency: its contracts in force) that are open."""
    return Station.objects.for_user(user, verb).exclude(status=Station.Status.CLOSED).order_by("division_id", "pk")


def _villages(user: User) -> QuerySet[Division]:
    return Division.objects.for_user(user).filter(level=Division.Level.VILLAGE).order_by("code")


def _may_add(user: User, model: type[Any]) -> bool:
    rule = model.scoping
    return bool(rule.may(scope_of(user).role, Action.ADD))


class ServicesHomeView(LoginRequiredMixin, TemplateView):
    """The worker's page: who still needs a visit this calendar week first, then open escalations."""

    template_name = "services/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = authed_user(self.request)
        today = timezone.localdate()
        monday, sunday = service_policy.week_bounds(today)
        due = list(due_this_week(user, today)[:50])
        return {
            **super().get_context_data(**kwargs),
            "due": due,
            "monday": monday,
            "sunday": sunday,
            "open_escalations": Escalation.objects.for_user(user)
            .filter(status=Escalation.Status.OPEN)
            .select_related("beneficiary")[:20],
            "may_visit": _may_add(user, Visit),
            "may_record": _may_add(user, ServiceRecord),
        }


# --- station service lists ----------------------------------------------------------------------------------


class ServiceListListView(ScopedListView):
    model = StationServiceList
    template_name = "services/station_list_list.html"
    context_object_name = "lists"

    def get_queryset(self) -> QuerySet[StationServiceList]:
        return super().get_queryset().select_related("station", "catalogue").order_by("-year", "station__division_id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "may_add": _may_add(authed_user(self.request), StationServiceList),
        }


class ServiceListCreateView(LoginRequiredMixin, View):
    template_name = "services/station_list_form.html"

    def _form(self, request: HttpRequest, data: Any = None) -> ServiceListForm:
        stations = _stations(authed_user(request))
        first = stations.first()
        items = actions.allowed_items(first)[0] if first else ServiceItem.objects.none()
        return ServiceListForm(
            data, stations=stations, items=items.order_by("domain__catalogue_id", "domain__order", "order")
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), StationServiceList):
            raise Http404("未找到。")
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), StationServiceList):
            raise Http404("未找到。")
        form = self._form(request, request.POST)
        if form.is_valid():
            items = list(form.cleaned_data["items"])
            try:
                obj = actions.service_list_create(
                    acting_user=authed_user(request),
                    station=form.cleaned_data["station"],
                    year=form.cleaned_data["year"],
                    catalogue=items[0].domain.catalogue,
                    items=items,
                )
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "服务清单已保存，核对后请报送县民政局和乡镇。")
                return redirect(obj.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


class ServiceListDetailView(LoginRequiredMixin, View):
    template_name = "services/station_list_detail.html"

    def context(self, request: HttpRequest, obj: StationServiceList, **extra: Any) -> dict[str, Any]:
        allowed = {a["action"] for a in available_actions(request.user, obj)}
        items = obj.items.select_related("domain").order_by("domain__order", "order")
        return {
            "object": obj,
            "items": items,
            "allowed": allowed,
            "items_form": extra.get("items_form")
            or ItemsForm(
                initial={"items": list(items)},
                items=actions.allowed_items(obj.station)[0]
                .filter(domain__catalogue=obj.catalogue)
                .order_by("domain__order", "order"),
            ),
            "comments_form": extra.get("comments_form") or CommentsForm(),
            "citation": actions.allowed_items(obj.station)[1],
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = access_service_list(authed_user(request), pk)
        return render(request, self.template_name, self.context(request, obj))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = access_service_list(authed_user(request), pk)
        do = request.POST.get("do", "")
        extra: dict[str, Any] = {}
        try:
            if do == "items":
                form = ItemsForm(
                    request.POST,
                    items=actions.allowed_items(obj.station)[0].filter(domain__catalogue=obj.catalogue),
                )
                extra["items_form"] = form
                if not form.is_valid():
                    return render(request, self.template_name, self.context(request, obj, **extra), status=400)
                actions.service_list_update(
                    acting_user=authed_user(request), service_list=obj, items=list(form.cleaned_data["items"])
                )
            elif do == "submit":
                actions.service_list_submit(acting_user=authed_user(request), service_list=obj)
            elif do == "confirm":
                actions.service_list_confirm(acting_user=authed_user(request), service_list=obj)
            elif do == "return":
                form2 = CommentsForm(request.POST)
                extra["comments_form"] = form2
                if not form2.is_valid():
                    return render(request, self.template_name, self.context(request, obj, **extra), status=400)
                actions.service_list_return(
                    acting_user=authed_user(request), service_list=obj, comments=form2.cleaned_data["comments"]
                )
            else:
                raise Http404("未找到。")
        except (PermissionDenied, Http404):
            raise Http404("未找到。") from None
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return render(request, self.template_name, self.context(request, obj, **extra), status=400)
        messages.success(request, "已保存。")
        return redirect(obj.get_absolute_url())


# --- beneficiaries -------------------------------------------------------------------------------------------


def beneficiary_columns() -> list[Column]:
    return [
        Column("姓名", "name"),
        Column("身份证号码", "id_number"),
        Column("联系电话", "phone"),
        Column("住址", "address"),
        Column("类别", lambda b: "、".join(b.category_labels)),
        Column("所在村（社区）", lambda b: b.division.name),
        Column("风险等级", lambda b: b.get_risk_level_display()),
        Column("最近一次探访", lambda b: b.last_visit_date or ""),
    ]


class BeneficiaryListView(ScopedListView):
    model = Beneficiary
    template_name = "services/beneficiary_list.html"
    context_object_name = "people"

    def get_queryset(self) -> QuerySet[Beneficiary]:
        qs = super().get_queryset().select_related("division", "station")
        category = self.request.GET.get("category", "")
        if category in vocabulary("beneficiary_categories"):
            qs = qs.filter(categories__contains=[category])
        return qs.order_by("division_id", "name", "pk")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            people = list(self.get_queryset()[:EXPORT_LIMIT])
            personal_access.record_masked_export(
                acting_user=request.user, model=Beneficiary, count=len(people), ip=client_ip(request)
            )
            return xlsx_response("服务对象.xlsx", beneficiary_columns(), people, title="服务对象")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "categories": list(vocabulary("beneficiary_categories").items()),
            "category": self.request.GET.get("category", ""),
            "may_add": _may_add(authed_user(self.request), Beneficiary),
            "may_export_clear": personal_access.may_take(self.request.user, Beneficiary, Action.EXPORT),
        }


class BeneficiaryDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, public_id: str) -> HttpResponse:
        person = access_beneficiary(authed_user(request), public_id)
        visits = Visit.objects.for_user(request.user).filter(beneficiary=person).order_by("-date")[:10]
        cases = Case.objects.for_user(request.user).filter(beneficiary=person).order_by("-intake_date")[:10]
        context = {
            "person": person,
            "visits": visits,
            "cases": cases,
            "age": age_on(person.birth_date, timezone.localdate()) if person.birth_date else None,
            "can_unmask": Beneficiary.objects.for_user(request.user, Action.UNMASK).filter(pk=person.pk).exists(),
            "may_visit": _may_add(authed_user(request), Visit),
            "weeks_visited": len(visits_per_week(person)),
        }
        response = render(request, "services/beneficiary_detail.html", context)
        response["Cache-Control"] = "no-store"
        return response


class BeneficiaryCreateView(LoginRequiredMixin, View):
    template_name = "services/beneficiary_form.html"

    def _form(self, request: HttpRequest, data: Any = None) -> BeneficiaryForm:
        return BeneficiaryForm(data, stations=_stations(authed_user(request)), villages=_villages(authed_user(request)))

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), Beneficiary):
            raise Http404("未找到。")
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), Beneficiary):
            raise Http404("未找到。")
        form = self._form(request, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            station, division = data.pop("station"), data.pop("division")
            data = {k: ("" if v is None and k in ("self_care", "consent_by") else v) for k, v in data.items()}
            try:
                person = actions.beneficiary_create(
                    acting_user=authed_user(request), station=station, division=division, data=data
                )
            except (PermissionDenied, Http404):
                form.add_error(None, "该站点或村（社区）不在您的权限范围内。")
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, f"已登记服务对象{person.name}。")
                return redirect(person.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


class BeneficiaryUnmaskView(UnmaskView):
    model = Beneficiary


class BeneficiaryClearExportView(ClearExportView):
    """The beneficiaries in clear (ID number, phone, address): the county bureau only (``Action.EXPORT``), after a
    stated reason; one audit row per person (core.personal ``export_clear``). The list page's filters carry over
    (``?category=``, ``?station=``); a station out of reach answers 404, as every page does."""

    model = Beneficiary
    template_name = "services/beneficiary_export.html"

    def get_objects(self, request: HttpRequest) -> Any:
        user = authed_user(request)
        people = Beneficiary.objects.for_user(user, Action.EXPORT).select_related("division")
        category = request.GET.get("category", "")
        if category in vocabulary("beneficiary_categories"):
            people = people.filter(categories__contains=[category])
        station = self.station(request)
        if station is not None:
            people = people.filter(station_id=station)
        return list(people.order_by("division_id", "name", "pk")[:EXPORT_LIMIT])

    def station(self, request: HttpRequest) -> int | None:
        """The ``?station=`` filter: a station the user reaches, else 404."""
        value = request.GET.get("station", "")
        if not value:
            return None
        if not value.isdigit() or not Station.objects.for_user(request.user).filter(pk=int(value)).exists():
            raise Http404("未找到。")
        return int(value)

    def get(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        self.station(request)  # a station out of reach: 404 at once
        return super().get(request)

    def render_export(self, exported: list[Any]) -> HttpResponse:
        response = xlsx_response(
            "服务对象（完整信息）.xlsx", beneficiary_columns(), exported, clear=True, title="服务对象"
        )
        response["Cache-Control"] = "no-store"
        return response


# --- visits and escalations ----------------------------------------------------------------------------------


def ledger_columns(checklist: dict[str, str]) -> list[Column]:
    words = {Visit.Check.OK: "正常", Visit.Check.FAIL: "有问题"}
    columns = [
        Column("探访日期", "date"),
        Column("社工站", lambda v: v.station.name),
        Column("服务对象", lambda v: v.beneficiary.name),
        Column("村（社区）", lambda v: v.beneficiary.division.name),
    ]

    def check(code: str) -> Callable[[Visit], str]:
        return lambda v: words.get(v.checks.get(code), "未查看")

    for code, label in checklist.items():
        columns.append(Column(label, check(code)))
    columns += [
        Column("情况说明", "notes"),
        Column("录入人", lambda v: v.recorded_by.full_name or v.recorded_by.username),
    ]
    return columns


class VisitListView(ScopedListView):
    """The visit ledger (台账) [004 §2]: the list, and per station and month as Excel or PDF
    (``?export=xlsx|pdf&month=YYYY-MM&station=<id>``)."""

    model = Visit
    template_name = "services/visit_list.html"
    context_object_name = "visits"

    def get_queryset(self) -> QuerySet[Visit]:
        return super().get_queryset().select_related("beneficiary", "station").order_by("-date", "-pk")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        export = request.GET.get("export")
        if export not in ("xlsx", "pdf"):
            return super().get(request, *args, **kwargs)
        year, month = month_of(request.GET.get("month"))
        visits = (
            self.get_queryset()
            .filter(date__gte=month_range(year, month)[0], date__lt=month_range(year, month)[1])
            .select_related("beneficiary__division", "recorded_by")
            .order_by("station__division_id", "date", "pk")
        )
        station = request.GET.get("station", "")
        if station.isdigit():
            visits = visits.filter(station_id=int(station))
        rows = list(visits[:EXPORT_LIMIT])
        personal_access.record_masked_export(
            acting_user=request.user, model=Visit, count=len(rows), ip=client_ip(request)
        )
        checklist = vocabulary("visit_checks")
        title = f"探访台账{year}年{month}月"
        if export == "xlsx":
            return xlsx_response(f"{title}.xlsx", ledger_columns(checklist), rows, title="探访台账")
        columns = ledger_columns(checklist)
        table = [[c.raw(v) for c in columns] for v in rows]
        return pdf_response(
            f"{title}.pdf",
            "services/visit_ledger_pdf.html",
            {"title": title, "headers": [c.header for c in columns], "rows": table},
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        return {**super().get_context_data(**kwargs), "month_value": f"{today.year}-{today.month:02d}"}


class VisitCreateView(LoginRequiredMixin, View):
    """The visit form: the person is picked on the worker's page (due this week first); defaults everywhere."""

    template_name = "services/visit_form.html"

    def _setup(self, request: HttpRequest, public_id: str) -> tuple[Beneficiary, dict[str, str], Visit | None]:
        if not _may_add(authed_user(request), Visit):
            raise Http404("未找到。")
        person = access_beneficiary(authed_user(request), public_id)
        checklist = service_policy.visit_checks(effective_policy(person.division_id))
        last = Visit.objects.for_user(request.user).filter(beneficiary=person).order_by("-date", "-pk").first()
        return person, checklist, last

    def get(self, request: HttpRequest, public_id: str) -> HttpResponse:
        person, checklist, last = self._setup(request, public_id)
        hours = actions.last_visit_hours(authed_user(request))
        initial: dict[str, Any] = {
            "client_key": uuid.uuid4(),
            "hours": VisitForm.FIRST_VISIT_HOURS if hours is None else hours,
        }
        if last is not None:  # defaults from the last visit
            initial.update({f"check_{c}": v for c, v in last.checks.items()})
        form = VisitForm(initial=initial, checklist=checklist)
        return render(request, self.template_name, {"form": form, "person": person, "last": last})

    def post(self, request: HttpRequest, public_id: str) -> HttpResponse:
        person, checklist, last = self._setup(request, public_id)
        form = VisitForm(request.POST, checklist=checklist)
        photo = request.FILES.get("photo")
        if form.is_valid():
            try:
                # The visit and its photo are saved together or not at all.
                with transaction.atomic():
                    visit = actions.visit_create(
                        acting_user=authed_user(request),
                        beneficiary=person,
                        date=form.cleaned_data["date"],
                        checks=form.checks(),
                        notes=form.cleaned_data["notes"],
                        hours=form.cleaned_data["hours"],
                        client_key=form.cleaned_data["client_key"],
                    )
                    if photo is not None:
                        actions.photo_add(acting_user=authed_user(request), record=visit.record, upload=photo)
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                if visit.failed_checks:
                    # A child's escalation is the county bureau's (services.obligations): the township is not told.
                    if person.is_child:
                        told = "县民政局"
                    elif User.objects.filter(village_id=person.division_id, is_active=True).exists():
                        told = "乡镇、本村民政专干和县民政局"  # notify_village (services.obligations)
                    else:
                        told = "乡镇和县民政局"
                    messages.warning(request, f"已保存。发现的问题已告知{told}，请登记处置结果。")
                else:
                    messages.success(request, f"已保存对{person.name}的探访。")
                return redirect("services:home")
        return render(request, self.template_name, {"form": form, "person": person, "last": last}, status=400)


class VisitDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = access_visit(authed_user(request), pk)
        checklist = vocabulary("visit_checks")
        rows = [(checklist.get(c, c), v == Visit.Check.FAIL) for c, v in visit.checks.items()]
        escalations = Escalation.objects.for_user(request.user).filter(visit=visit)
        return render(
            request,
            "services/visit_detail.html",
            {"visit": visit, "rows": rows, "escalations": escalations, **_photo_context(request, visit.record)},
        )


def _photo_context(request: HttpRequest, record: ServiceRecord) -> dict[str, Any]:
    """The record's photos the caller may see, and whether it may add one (the declared action's check)."""
    user = authed_user(request)
    photos = list(ServicePhoto.objects.for_user(user).filter(record=record))
    may_add = any(a["action"] == "services.photo_add" for a in available_actions(user, record))
    return {"photos": photos, "may_add_photo": may_add, "photo_record": record}


class EscalationListView(ScopedListView):
    model = Escalation
    template_name = "services/escalation_list.html"
    context_object_name = "escalations"

    def get_queryset(self) -> QuerySet[Escalation]:
        return super().get_queryset().select_related("beneficiary__division").order_by("status", "-created_at")


class EscalationDetailView(LoginRequiredMixin, View):
    template_name = "services/escalation_detail.html"

    def context(self, request: HttpRequest, obj: Escalation, form: ResolveForm | None = None) -> dict[str, Any]:
        allowed = {a["action"] for a in available_actions(request.user, obj)}
        return {"object": obj, "form": form or ResolveForm(), "may_resolve": "services.escalation_resolve" in allowed}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = access_escalation(authed_user(request), pk)
        return render(request, self.template_name, self.context(request, obj))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = access_escalation(authed_user(request), pk)
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                actions.escalation_resolve(
                    acting_user=authed_user(request),
                    escalation=obj,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "处置结果已登记。")
                return redirect(obj.get_absolute_url())
        return render(request, self.template_name, self.context(request, obj, form), status=400)


# --- service records -----------------------------------------------------------------------------------------


def record_columns() -> list[Column]:
    return [
        Column("日期", "date"),
        Column("社工站", lambda r: r.station.name),
        Column("工作类型", lambda r: r.get_kind_display()),
        Column("主题", "title"),
        Column("服务项目", lambda r: f"{r.item.code} {r.item.name}" if r.item else ""),
        Column("时长（小时）", "hours"),
        Column("参与人数", "participants"),
        Column("专业服务", lambda r: "是" if r.is_professional else "否"),
        Column("所涉行政职能", "admin_function"),
    ]


class RecordListView(ScopedListView):
    model = ServiceRecord
    template_name = "services/record_list.html"
    context_object_name = "records"

    def month(self) -> tuple[int, int]:
        return month_of(self.request.GET.get("month"))

    def get_queryset(self) -> QuerySet[ServiceRecord]:
        year, month = self.month()
        return in_month(super().get_queryset(), year, month).select_related("station", "item").order_by("-date", "-pk")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            records = list(self.get_queryset()[:EXPORT_LIMIT])
            personal_access.record_masked_export(
                acting_user=request.user, model=ServiceRecord, count=len(records), ip=client_ip(request)
            )
            year, month = self.month()
            return xlsx_response(f"服务记录{year}年{month}月.xlsx", record_columns(), records, title="服务记录")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = authed_user(self.request)
        year, month = self.month()
        scoped = ServiceRecord.objects.for_user(user)
        summary = monthly_summary(scoped, year, month)
        shares = station_month_shares(scoped, year, month)
        code = getattr(getattr(user, "organisation", None), "division_id", None) or (
            shares[0]["station__division_id"] if shares else None
        )
        finding = service_policy.share_finding(code, year, summary["share"]) if code else None
        return {
            **super().get_context_data(**kwargs),
            "summary": summary,
            "shares": shares,
            "finding": finding,
            "month_value": f"{year}-{month:02d}",
            "year": year,
            "month": month,
            "may_add": _may_add(user, ServiceRecord),
        }


class RecordCreateView(LoginRequiredMixin, View):
    template_name = "services/record_form.html"

    def _form(self, request: HttpRequest, data: Any = None) -> RecordForm:
        stations = _stations(authed_user(request))
        first = stations.first()
        items = actions.applicable_items(first, timezone.localdate())[0] if first else ServiceItem.objects.none()
        functions = service_policy.negative_list(effective_policy(first.division_id)) if first else []
        initial = {"client_key": uuid.uuid4(), "station": first.pk if first else None}
        from staffing.models import SocialWorker

        workers = SocialWorker.objects.for_user(request.user).filter(status="employed").order_by("name")
        return RecordForm(
            data,
            initial=initial,
            stations=stations,
            items=items.order_by("domain__catalogue_id", "domain__order", "order"),
            villages=_villages(authed_user(request)),
            functions=functions,
            workers=workers,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), ServiceRecord):
            raise Http404("未找到。")
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), ServiceRecord):
            raise Http404("未找到。")
        form = self._form(request, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            station = data.pop("station")
            client_key = data.pop("client_key")
            data["participants"] = data.get("participants") or 0
            workers = list(data.pop("workers", [])) or None
            try:
                record = actions.record_create(
                    acting_user=authed_user(request), station=station, data=data, workers=workers, client_key=client_key
                )
            except (PermissionDenied, Http404):
                form.add_error(None, "该站点不在您的权限范围内。")
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "服务记录已保存。")
                return redirect(record.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


class RecordDetailView(ScopedDetailView):
    model = ServiceRecord
    template_name = "services/record_detail.html"
    context_object_name = "record"

    def get_queryset(self) -> QuerySet[ServiceRecord]:
        return super().get_queryset().select_related("station", "item__domain", "village", "recorded_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["people"] = Beneficiary.objects.for_user(self.request.user).filter(records=self.object)
        context.update(_photo_context(self.request, self.object))
        return context


class PhotoUploadView(LoginRequiredMixin, View):
    """POST (multipart): add an evidence photo to a record through the declared action; refusals in Chinese."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = authed_user(request)
        record = ServiceRecord.objects.for_user(user).filter(pk=pk).first()
        if record is None:
            raise Http404("未找到。")
        try:
            actions.photo_add(acting_user=user, record=record, upload=request.FILES.get("photo"))
        except PermissionDenied:
            raise Http404("未找到。") from None
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, f"照片未保存：{text}")
        else:
            messages.success(request, "照片已保存（已去除拍摄位置等信息）。")
        back = request.POST.get("next", "")
        if back.startswith("/services/") and "//" not in back:
            return redirect(back)
        return redirect("services:record-detail", pk=record.pk)


class PhotoView(LoginRequiredMixin, View):
    """GET: the stored photo, only for a photo the caller may see (others: 404), shown inline."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        photo = ServicePhoto.objects.for_user(request.user).filter(pk=pk).first()
        if photo is None:
            raise Http404("未找到。")
        try:
            handle = photo.file.open("rb")
        except FileNotFoundError:
            raise Http404("文件不存在。") from None
        response = FileResponse(handle, content_type=photo.content_type)
        response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}{photo.extension}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- cases and referrals -------------------------------------------------------------------------------------


class CaseListView(ScopedListView):
    model = Case
    template_name = "services/case_list.html"
    context_object_name = "cases"

    def get_queryset(self) -> QuerySet[Case]:
        return super().get_queryset().select_related("beneficiary", "station").order_by("-intake_date", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "may_add": _may_add(authed_user(self.request), Case)}


class CaseCreateView(LoginRequiredMixin, View):
    template_name = "services/case_form.html"

    def _form(self, request: HttpRequest, data: Any = None) -> CaseOpenForm:
        people = Beneficiary.objects.for_user(request.user).filter(active=True).order_by("name")
        return CaseOpenForm(data, people=people)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), Case):
            raise Http404("未找到。")
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), Case):
            raise Http404("未找到。")
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                case = actions.case_open(acting_user=authed_user(request), **form.cleaned_data)
            except (PermissionDenied, Http404):
                form.add_error(None, "该服务对象不在您的权限范围内。")
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "已接案。")
                return redirect(case.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


class CaseDetailView(LoginRequiredMixin, View):
    template_name = "services/case_detail.html"

    def context(self, request: HttpRequest, case: Case, **forms_: Any) -> dict[str, Any]:
        allowed = {a["action"] for a in available_actions(request.user, case)}
        stages = []
        for stage in Case.ORDER:
            text_field, date_field = Case.STAGE_FIELDS[stage]
            stages.append(
                {
                    "label": stage.label,
                    "text": getattr(case, text_field),
                    "date": getattr(case, date_field),
                    "current": stage == case.stage,
                }
            )
        others = Station.objects.filter(status=Station.Status.OPERATING).exclude(pk=case.station_id)
        others = others.filter(division__pk__startswith=case.station.division_id[:6]).order_by("division_id")
        return {
            "case": case,
            "stages": stages,
            "may_advance": "services.case_advance" in allowed,
            "may_refer": "services.case_advance" in allowed and _may_add(authed_user(request), Referral),
            "advance_form": forms_.get("advance_form") or AdvanceForm(case=case),
            "referral_form": forms_.get("referral_form") or ReferralForm(stations=others),
            "referrals": Referral.objects.for_user(request.user).filter(case=case).select_related("to_station"),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = access_case(authed_user(request), pk)
        return render(request, self.template_name, self.context(request, case))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = access_case(authed_user(request), pk)
        do = request.POST.get("do")
        form: forms.Form
        try:
            if do == "advance":
                form = AdvanceForm(request.POST, case=case)
                if form.is_valid():
                    actions.case_advance(acting_user=authed_user(request), case=case, **form.cleaned_data)
                    messages.success(request, "已进入下一阶段。")
                    return redirect(case.get_absolute_url())
                return render(request, self.template_name, self.context(request, case, advance_form=form), status=400)
            if do == "refer":
                others = Station.objects.filter(status=Station.Status.OPERATING).exclude(pk=case.station_id)
                form = ReferralForm(request.POST, stations=others)
                if form.is_valid():
                    actions.referral_create(acting_user=authed_user(request), case=case, **form.cleaned_data)
                    messages.success(request, "已转介，等待接收机构答复。")
                    return redirect(case.get_absolute_url())
                return render(request, self.template_name, self.context(request, case, referral_form=form), status=400)
        except (PermissionDenied, Http404):
            raise Http404("未找到。") from None
        except ValidationError as exc:
            _errors_to_form(form, exc)
            key = "advance_form" if do == "advance" else "referral_form"
            return render(request, self.template_name, self.context(request, case, **{key: form}), status=400)
        raise Http404("未找到。")


class ReferralListView(ScopedListView):
    model = Referral
    template_name = "services/referral_list.html"
    context_object_name = "referrals"

    def get_queryset(self) -> QuerySet[Referral]:
        return super().get_queryset().select_related("case", "from_station", "to_station", "to_agency")


class ReferralDetailView(LoginRequiredMixin, View):
    template_name = "services/referral_detail.html"

    def context(self, request: HttpRequest, obj: Referral, form: RespondForm | None = None) -> dict[str, Any]:
        allowed = {a["action"] for a in available_actions(request.user, obj)}
        answers = obj.to_agency_id == getattr(request.user, "organisation_id", None)
        return {
            "object": obj,
            "form": form or RespondForm(),
            "may_respond": answers and "services.referral_accept" in allowed,
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = access_referral(authed_user(request), pk)
        return render(request, self.template_name, self.context(request, obj))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = access_referral(authed_user(request), pk)
        form = RespondForm(request.POST)
        do = request.POST.get("do")
        if form.is_valid() and do in ("accept", "decline"):
            func = actions.referral_accept if do == "accept" else actions.referral_decline
            try:
                func(acting_user=authed_user(request), referral=obj, response=form.cleaned_data["response"])
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "已答复。")
                return redirect(obj.get_absolute_url())
        return render(request, self.template_name, self.context(request, obj, form), status=400)


# --- volunteers and incubated organisations ------------------------------------------------------------------

# Targets per station level [001 §5(5)]: a pilot township station forms volunteer teams and volunteers and
# incubates organisations; a county headquarters incubates organisations.
TARGETS = {
    Station.Level.TOWNSHIP: [
        ("teams", "target.pilot_station_volunteer_teams"),
        ("volunteers", "target.pilot_station_volunteers"),
        ("organisations", "target.pilot_station_incubated_orgs_per_year"),
    ],
    Station.Level.COUNTY_HQ: [("organisations", "target.county_hq_incubated_orgs_per_year")],
}


class VolunteerView(LoginRequiredMixin, View):
    """Volunteer teams, volunteers and incubated organisations per station this year, against the targets."""

    template_name = "services/volunteers.html"

    def context(self, request: HttpRequest, **forms_: Any) -> dict[str, Any]:
        from policies.findings import NOT_APPLICABLE, evaluate

        user = authed_user(request)
        year = timezone.localdate().year
        teams = VolunteerTeam.objects.for_user(user).filter(founded_on__year=year).select_related("station")
        orgs = IncubatedOrganisation.objects.for_user(user).filter(registered_on__year=year).select_related("station")
        stations = _stations(user)

        def empty(station: Station) -> dict[str, Any]:
            return {"station": station, "teams": 0, "volunteers": 0, "organisations": 0}

        # Every open station a target is set for counts, with none registered too (it is then short); a station
        # of a level without targets shows only when it has registered something.
        per: dict[int, dict[str, Any]] = {s.pk: empty(s) for s in stations.filter(level__in=list(TARGETS))}
        for team in teams:
            row = per.setdefault(team.station_id, empty(team.station))
            row["teams"] += 1
            row["volunteers"] += team.members
        for org in orgs:
            row = per.setdefault(org.station_id, empty(org.station))
            row["organisations"] += 1
        policies: dict[str, Any] = {}
        for row in per.values():
            code = row["station"].division_id
            policy = policies.get(code) or policies.setdefault(code, effective_policy(code))
            row["findings"] = [
                evaluate(policy, key, actual=row[what]) for what, key in TARGETS.get(row["station"].level, [])
            ]
        registered = {t.station_id for t in teams} | {o.station_id for o in orgs}
        per = {
            pk: row
            for pk, row in per.items()
            if pk in registered or any(f.clause and f.outcome != NOT_APPLICABLE for f in row["findings"])
        }
        return {
            "year": year,
            "rows": sorted(per.values(), key=lambda r: r["station"].division_id),
            "teams": teams.order_by("station__division_id", "-founded_on"),
            "organisations": orgs.order_by("station__division_id", "-registered_on"),
            "may_add": _may_add(user, VolunteerTeam),
            "team_form": forms_.get("team_form") or TeamForm(stations=stations),
            "org_form": forms_.get("org_form") or OrganisationForm(stations=stations),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self.context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_add(authed_user(request), VolunteerTeam):
            raise Http404("未找到。")
        stations = _stations(authed_user(request))
        do = request.POST.get("do")
        form: forms.Form
        func: Callable[..., Any]
        if do == "team":
            form, key, func = TeamForm(request.POST, stations=stations), "team_form", actions.team_create
        elif do == "organisation":
            form, key, func = (
                OrganisationForm(request.POST, stations=stations),
                "org_form",
                actions.organisation_register,
            )
        else:
            raise Http404("未找到。")
        if form.is_valid():
            try:
                func(acting_user=authed_user(request), **form.cleaned_data)
            except (PermissionDenied, Http404):
                raise Http404("未找到。") from None
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "已登记。")
                return redirect("services:volunteers")
        # The form again with its errors, nothing saved (a station out of reach is not among the choices).
        return render(request, self.template_name, self.context(request, **{key: form}))
