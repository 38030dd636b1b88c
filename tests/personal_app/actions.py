"""The one write of the test model, shaped like every action (STYLE.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core import audit
from core.actions import declare
from core.scoping import Action

from .models import Person


@declare("personal_app.create", label="登记服务对象", model=Person, verb=Action.ADD, detail=False)
@transaction.atomic
def person_create(*, acting_user: Any, data: dict[str, Any]) -> Person:
    person = Person(**data)
    person.full_clean()
    person.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=person,
        subject=person,
        division_code=person.division_id,
        # Personal values never enter the audit trail in clear.
        changes={"name": person.name, "id_number": person.masked("id_number")},
    )
    if not Person.objects.for_user(acting_user, Action.ADD).filter(pk=person.pk).exists():
        raise PermissionDenied("保存后的记录不在您的权限范围内。")
    return person
