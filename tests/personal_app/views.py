"""Pages of the test model: masked list and detail, the unmask page, masked and clear Excel exports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from core.audit import client_ip
from core.personal import access
from core.personal.exports import Column, xlsx_response
from core.personal.forms import ReasonForm
from core.personal.idnumber import age_on
from core.personal.views import LookupView, UnmaskView
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


class PersonClearExportView(LoginRequiredMixin, View):
    """A clear export: county bureaus only, after a stated reason; one audit row per person."""

    template_name = "personal_app/person_export.html"

    def allowed(self, request: HttpRequest) -> None:
        if not access.may_take(request.user, Person, Action.EXPORT):
            raise Http404("未找到。")

    def get(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        return render(request, self.template_name, {"form": ReasonForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        form = ReasonForm(request.POST)
        if form.is_valid():
            people = Person.objects.for_user(request.user, Action.EXPORT).select_related(None)
            try:
                exported = access.export_clear(
                    acting_user=request.user,
                    objects=people,
                    model=Person,
                    reason=form.cleaned_data["reason"],
                    reason_text=form.cleaned_data["reason_text"],
                    ip=client_ip(request),
                )
            except PermissionDenied:
                raise Http404("未找到。") from None
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return xlsx_response("服务对象（明文）.xlsx", columns(), exported, clear=True, title="服务对象")
        return render(request, self.template_name, {"form": form}, status=400)
