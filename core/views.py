"""Base classes that apply the one scoping mechanism to every page (STYLE.md "Scoping is applied in base classes").

A view names its model and gets its queryset from ``Model.objects.for_user(request.user, action)``;
anything outside it answers 404. Subclasses never build a tenant query of their own.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.generic import DetailView, ListView, UpdateView

from .models import AuditLog
from .scoping import Action


class ScopedMixin(LoginRequiredMixin):
    model: Any
    scope_action: str = Action.VIEW

    def scoped_queryset(self, action: str | None = None) -> QuerySet:
        return self.model.objects.for_user(self.request.user, action or self.scope_action)  # type: ignore[attr-defined]

    def get_queryset(self) -> QuerySet:
        return self.scoped_queryset()


class ScopedListView(ScopedMixin, ListView):
    paginate_by = 50


class ScopedDetailView(ScopedMixin, DetailView):
    pass


class ScopedUpdateView(ScopedMixin, UpdateView):
    """Edit pages: the object must be in the user's scope for ``change`` or the page is 404."""

    scope_action = Action.CHANGE


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form was stale or cookies were blocked; say so in Chinese and link home."""
    response = TemplateResponse(request, "403_csrf.html", {"reason": reason}, status=403)
    return response.render()


# --- the audit log for bureaus (issue 13 item 10c) -------------------------------------------------------------

AUDIT_PER_PAGE = 50


def object_type_label(label: str) -> str:
    """“stations.Station” → “社工站” (the model's verbose name, or a registered name); unknown → “其他”."""
    from django.apps import apps

    from .audit import OBJECT_TYPE_LABELS

    if label in OBJECT_TYPE_LABELS:
        return OBJECT_TYPE_LABELS[label]
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return "其他" if label else "—"


def _field_and_label(model: Any, key: str) -> tuple[Any, str]:
    from .audit import CHANGE_KEY_LABELS

    if key in CHANGE_KEY_LABELS:
        return None, CHANGE_KEY_LABELS[key]
    if model is not None:
        for f in model._meta.get_fields():
            if getattr(f, "attname", None) == key or f.name == key:
                return f, str(getattr(f, "verbose_name", key))
    return None, "其他内容"


def _value_text(field: Any, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    choices = dict(getattr(field, "flatchoices", None) or []) if field is not None else {}
    if isinstance(value, list):
        return "、".join(_value_text(field, v) for v in value)
    if isinstance(value, dict):
        return "；".join(_value_text(None, v) for v in value.values() if v not in (None, ""))
    return str(choices.get(value, value))


# Values that read as internal data (rule keys, codes of a catalogue, JSON, template placeholders, internal
# citations) are not shown on the audit page; the row still says which field changed. A feature can register
# a formatter that words its own values (core.audit.register_change_formatter).
_INTERNAL = re.compile(r"[A-Za-z]{3,}|[{}\[\]]")


def _readable(text: str) -> bool:
    return not _INTERNAL.search(text)


def describe_changes(row: Any) -> list[dict[str, str]]:
    """The changes of an audit row as (label, before, after) in words people read."""
    from django.apps import apps

    from .audit import CHANGE_FORMATTERS

    formatter = CHANGE_FORMATTERS.get(row.object_type)
    if formatter is not None:
        return formatter(row)

    try:
        model = apps.get_model(row.object_type) if row.object_type else None
    except (LookupError, ValueError):
        model = None
    out = []
    for key, change in (row.changes or {}).items():
        field, label = _field_and_label(model, key)
        if isinstance(change, dict) and set(change) <= {"before", "after"}:
            before, after = _value_text(field, change.get("before")), _value_text(field, change.get("after"))
        else:
            before, after = "", _value_text(field, change)
        if not (_readable(before) and _readable(after)):
            before, after = "", "已修改"
        out.append({"label": label, "before": before, "after": after})
    return out


class AuditLogListView(ScopedListView):
    """Who changed what: the audit rows of the user's subtree (AuditLog.scoping: bureaus and administrators;
    everyone else gets 404), filtered by person, event, object type and date, 50 a page."""

    model = AuditLog
    template_name = "core/audit_list.html"
    paginate_by = AUDIT_PER_PAGE

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.http import Http404

        from .scoping import scope_of

        if request.user.is_authenticated and not self.model.scoping.may(scope_of(request.user).role, Action.VIEW):
            raise Http404("无权查看审计日志。")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    def filters(self) -> dict[str, Any]:
        import datetime as dt

        get = self.request.GET

        def day(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(get.get(name, "").strip())
            except ValueError:
                return None

        event = get.get("event", "")
        return {
            "who": get.get("who", "").replace("\x00", "").strip()[:50],
            "event": event if event in self.model.Event.values else "",
            "type": get.get("type", "").strip()[:60],
            "from": day("from"),
            "to": day("to"),
        }

    def get_queryset(self) -> QuerySet:
        import datetime as dt

        from django.utils import timezone

        f = self.filters()
        qs = super().get_queryset()
        if f["who"]:
            # The user is a plain id without a database constraint; its name is looked up, not joined.
            qs = qs.filter(Q(username__icontains=f["who"]) | Q(user__full_name__icontains=f["who"]))
        if f["event"]:
            qs = qs.filter(event=f["event"])
        if f["type"]:
            qs = qs.filter(object_type=f["type"])
        zone = timezone.get_current_timezone()
        if f["from"]:
            qs = qs.filter(at__gte=dt.datetime.combine(f["from"], dt.time.min, tzinfo=zone))
        if f["to"]:
            qs = qs.filter(at__lt=dt.datetime.combine(f["to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
        return qs.select_related("user").order_by("-at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        f = self.filters()
        context["f"] = {
            **f,
            "from": f["from"].isoformat() if f["from"] else "",
            "to": f["to"].isoformat() if f["to"] else "",
        }
        context["filtered"] = any(context["f"].values())
        context["events"] = self.model.Event.choices
        types = super().get_queryset().order_by().values_list("object_type", flat=True).distinct()
        context["types"] = sorted(((t, object_type_label(t)) for t in types if t), key=lambda x: x[1])
        context["entries"] = [
            {"row": r, "type_label": object_type_label(r.object_type), "changes": describe_changes(r)}
            for r in context["object_list"]
        ]
        return context


# --- error pages: Chinese pages in the site's layout (templates/4xx.html, 500.html); JSON under /api/ ----------

API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.http import JsonResponse
    from django.views import defaults

    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "未找到。"}, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.http import JsonResponse
    from django.views import defaults

    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": "您没有执行该操作的权限。"}, status=403, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]


def server_error(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse
    from django.views import defaults

    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": "服务器出错，请稍后再试。"}, status=500, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.server_error(request)
