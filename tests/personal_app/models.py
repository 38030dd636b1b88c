"""Person: the shape a staffing or services model takes when it holds personal data."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from core.personal.fields import AddressField, IdNumberField, LookupHashField, PhoneField
from core.personal.idnumber import parse_id_number
from core.personal.models import PersonalManager, PersonalRecord
from core.scoping import Action, Role, ScopeRule
from stations.models import Division


class Person(PersonalRecord):
    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    division = models.ForeignKey(Division, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    id_number = IdNumberField("身份证号码", blank=True)
    id_number_hash = LookupHashField(source="id_number", unique=True)
    phone = PhoneField("联系电话", blank=True)
    phone_hash = LookupHashField(source="phone")
    address = AddressField("住址", blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)

    objects = PersonalManager()
    scoping = ScopeRule(
        division="division_id",
        # Children (不满十四周岁) are served by the county bureau and the agency running the station.
        minors="birth_date",
        minor_viewers=frozenset({Role.COUNTY_BUREAU, Role.AGENCY}),
        writers={
            Action.ADD: frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP}),
            Action.CHANGE: frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP}),
            Action.UNMASK: frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP}),
            Action.EXPORT: frozenset({Role.COUNTY_BUREAU}),
        },
    )

    class Meta:
        verbose_name = "服务对象"
        verbose_name_plural = "服务对象"
        ordering = ["division_id", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("personal_test:person-detail", args=[self.public_id])

    def clean(self) -> None:
        """Birth date and sex follow the identity number when there is one."""
        if self.id_number:
            try:
                parsed = parse_id_number(self.id_number)
            except Exception:  # noqa: BLE001 - the field's own validator reports the error
                return
            self.birth_date = parsed.birth_date
            self.sex = parsed.sex
