"""The service catalogue (reference data, visible to every known role through ``for_user``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from core.views import ScopedDetailView, ScopedListView
from policies.policy import effective_policy
from policies.registry import documents
from stations.models import Division

from .models import ServiceCatalogue, ServiceDomain, ServiceItem

CATALOGUE_RULE = "service.catalogue"


def document_issuer(seed: str) -> str:
    return str(documents().get(seed, {}).get("issuer", "")).split("（")[0]


def own_catalogue_hint(user: Any) -> dict[str, Any]:
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
        user = self.request.user
        items = ServiceItem.objects.for_user(user).order_by("order", "code")
        domains = (
            ServiceDomain.objects.for_user(user).order_by("order").prefetch_related(Prefetch("items", queryset=items))
        )
        return super().get_queryset().prefetch_related(Prefetch("domains", queryset=domains)).order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        hint = own_catalogue_hint(self.request.user)
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
        context.update(own_catalogue_hint(self.request.user))
        return context
