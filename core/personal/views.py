"""The unmask page, the lookup and the clear export. A feature app points ``UnmaskView`` at its model and a URL
with ``<uuid:public_id>``.

GET shows the masked values and the reason form; POST checks the reason and answers the clear values on the
page (never in a redirect, a URL or the session). Out of the ``unmask`` scope — wrong role, other county, a
child's record for a role that does not serve children — the page is 404 like every other page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from core.audit import client_ip
from core.scoping import Action

from .access import REASON_LABELS, encrypted_field_labels, export_clear, may_take, unmask
from .forms import LookupForm, ReasonForm
from .masking import mask
from .models import PersonalRecord


class UnmaskView(LoginRequiredMixin, View):
    model: type[PersonalRecord]
    template_name = "personal/unmask.html"
    back_url: str = ""  # where "返回" leads; the record's own page by default (``get_back_url``)

    def get_object(self) -> PersonalRecord:
        queryset = self.model.objects.for_user(self.request.user, Action.UNMASK)  # type: ignore[attr-defined]
        obj = queryset.filter(public_id=self.kwargs["public_id"]).first()
        if obj is None:
            raise Http404("未找到。")
        return obj

    def get_back_url(self, obj: PersonalRecord) -> str:
        getter = getattr(obj, "get_absolute_url", None)
        return getter() if getter else self.back_url

    def context(self, obj: PersonalRecord, form: ReasonForm, values: dict[str, str] | None = None) -> dict[str, Any]:
        labels = encrypted_field_labels(self.model)
        rows = [
            {"name": name, "label": label, "masked": obj.masked(name), "clear": (values or {}).get(name)}
            for name, label in labels.items()
        ]
        return {
            "object": obj,
            "rows": rows,
            "form": form,
            "revealed": values is not None,
            "reason_label": REASON_LABELS.get(form.cleaned_data.get("reason", ""), "") if values else "",
            "back_url": self.get_back_url(obj),
        }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        return render(request, self.template_name, self.context(obj, ReasonForm()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                revealed = unmask(
                    acting_user=request.user,
                    obj=obj,
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
                response = render(request, self.template_name, self.context(obj, form, revealed.values))
                response["Cache-Control"] = "no-store"
                return response
        return render(request, self.template_name, self.context(obj, form), status=400)


class LookupView(LoginRequiredMixin, View):
    """Find records by identity number or phone (POST only carries the number): exact match on the keyed-hash
    column, among the records the user may view; the answer is masked like every list."""

    model: type[PersonalRecord]
    template_name = "personal/lookup.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, self.template_name, {"form": LookupForm(), "results": None})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = LookupForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "results": None}, status=400)
        queryset = self.model.objects.for_user(request.user, Action.VIEW)  # type: ignore[attr-defined]
        searched = []
        for source in ("id_number", "phone"):
            value = form.cleaned_data.get(source)
            if value:
                queryset = queryset.filter(self.model.lookup_q(source, value))
                searched.append(mask(source, value))
        # The answer does not echo the number: a fresh form, and the searched value masked.
        context = {"form": LookupForm(), "results": list(queryset[:20]), "searched": "、".join(searched)}
        return render(request, self.template_name, context)


class ClearExportView(LoginRequiredMixin, View):
    """A clear (unmasked) export: GET shows the reason form, POST checks the reason and answers the file; one audit
    row per person (``access.export_clear``). Roles without ``export`` on the model get 404, like every page.

    A feature app sets ``model`` and ``template_name`` and says which rows (``get_objects``, through ``for_user``
    for ``export``) and how they are written (``render_export``)."""

    model: type[PersonalRecord]
    template_name: str

    def get_objects(self, request: HttpRequest) -> Any:
        return self.model.objects.for_user(request.user, Action.EXPORT)  # type: ignore[attr-defined]

    def render_export(self, exported: list[Any]) -> HttpResponse:
        raise NotImplementedError

    def allowed(self, request: HttpRequest) -> None:
        if not may_take(request.user, self.model, Action.EXPORT):
            raise Http404("未找到。")

    def get(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        return render(request, self.template_name, {"form": ReasonForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        self.allowed(request)
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                exported = export_clear(
                    acting_user=request.user,
                    objects=self.get_objects(request),
                    model=self.model,
                    reason=form.cleaned_data["reason"],
                    reason_text=form.cleaned_data["reason_text"],
                    ip=client_ip(request),
                )
            except PermissionDenied:
                raise Http404("未找到。") from None
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                return self.render_export(exported)
        return render(request, self.template_name, {"form": form}, status=400)
