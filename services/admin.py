from __future__ import annotations

from django.contrib import admin

from core.admin_base import ReadOnlyScopedAdmin

from .models import ServiceCatalogue, ServiceDomain, ServiceItem


class ReferenceDataAdmin(ReadOnlyScopedAdmin):
    """Catalogues are loaded from services/data/catalogues (services.actions.load_catalogues); read-only here."""


@admin.register(ServiceCatalogue)
class ServiceCatalogueAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "seed", "clause"]
    search_fields = ["code", "name"]


@admin.register(ServiceDomain)
class ServiceDomainAdmin(ReferenceDataAdmin):
    list_display = ["name", "catalogue", "code", "order", "clause"]
    list_filter = ["catalogue"]
    list_select_related = ["catalogue"]


@admin.register(ServiceItem)
class ServiceItemAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "domain", "targets"]
    list_filter = ["domain__catalogue", "domain"]
    search_fields = ["code", "name", "guideline"]
    list_select_related = ["domain", "domain__catalogue"]
