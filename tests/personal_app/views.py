"""Pages of the test model: masked list and detail, the unmask page, masked and clear Excel exports."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.audit import client_ip
from core.personal import access
from core.personal.exports import Column, xlsx_response
from core.personal.idnumber import age_on
from core.personal.views import ClearExportView, LookupView, UnmaskView
from core.scoping import Action
from core.views import ScopedDetailView, ScopedListView

from .models import Person


def columns() -> list[Column]:
    return [
        Column("姓名", "name"),
        Column("身份证号码", "id_number"),
        Column("联系电话", "phone"),
        Column("住址", "address"),
        Column("年龄", lambda p: age_on(p.birth_date, timezone.localdate()) if p.birth_date else ""),
        Column("所在区划", "division_id"),
    ]


class PersonListView(ScopedListView):
    model = Person
    template_name = "personal_app/person_list.html"
    context_object_name = "people"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            people = list(self.get_queryset())
            access.record_masked_export(
                acting_user=request.user, model=Person, count=len(people), ip=client_ip(request)
            )
            return xlsx_response("服务对象.xlsx", columns(), people, title="服务对象")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_export_clear"] = access.may_take(self.request.user, Person, Action.EXPORT)
        return context


class PersonDetailView(ScopedDetailView):
    model = Person
    template_name = "personal_app/person_detail.html"
    context_object_name = "person"
    slug_field = "public_id"
    slug_url_kwarg = "public_id"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        person = context["person"]
        context["age"] = age_on(person.birth_date, timezone.localdate()) if person.birth_date else None
        context["can_unmask"] = Person.objects.for_user(self.request.user, Action.UNMASK).filter(pk=person.pk).exists()
        return context


class PersonUnmaskView(UnmaskView):
    model = Person


class PersonLookupView(LookupView):
    model = Person


class PersonClearExportView(ClearExportView):
    """A clear export: county bureaus only, after a stated reason; one audit row per person."""

    model = Person
    template_name = "personal_app/person_export.html"

    def get_objects(self, request: HttpRequest) -> Any:
        return Person.objects.for_user(request.user, Action.EXPORT).select_related(None)

    def render_export(self, exported: list[Any]) -> HttpResponse:
        return xlsx_response("服务对象（明文）.xlsx", columns(), exported, clear=True, title="服务对象")
