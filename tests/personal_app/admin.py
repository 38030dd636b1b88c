from django.contrib import admin

from core.admin_base import ReadOnlyScopedAdmin
from core.personal.admin import PersonalAdminMixin

from .models import Person


@admin.register(Person)
class PersonAdmin(PersonalAdminMixin, ReadOnlyScopedAdmin):
    """Read-only: people are registered through the actions (person_create)."""

    list_display = ["name", "masked_personal_data", "division"]
    search_fields = ["name"]
    raw_id_fields = ["division"]
