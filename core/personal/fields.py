"""Model fields for personal data: encrypted at rest (SM4-GCM), with keyed-hash columns for exact lookup.

    class Person(PersonalRecord):
        id_number = IdNumberField("身份证号码", blank=True)
        id_number_hash = LookupHashField(source="id_number", unique=True)
        phone = PhoneField("联系电话", blank=True)
        phone_hash = LookupHashField(source="phone")
        address = AddressField("住址", blank=True)

The attribute holds the clear value in memory; the column holds ``<key id>:<sealed>``. The associated data is
``<app_label>.<model_name>.<field name>``, so a ciphertext moved to another column or table fails to open.
Encrypted columns cannot be filtered or ordered on (a random nonce makes every ciphertext different): look
people up through the hash column (``Model.lookup_q("id_number", value)``).

``save()`` keeps the hash columns in step. ``QuerySet.update()`` and ``bulk_update()`` seal the values too but
do not touch the hashes: write the hash yourself (``Model.hash_field_for("phone").hash_of(value)``), or run
``rotate_data_keys``, which recomputes every hash.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact

from . import crypto, idnumber
from .masking import mask


class EmptyOnlyExact(Exact):
    """``field=""`` (is the value missing?) is the one comparison an encrypted column can answer."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            raise FieldError("encrypted fields compare only with the empty string; use the LookupHashField")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """A text value sealed with SM4-GCM. Empty strings and NULL are stored as they are."""

    mask_kind = "text"
    form_max_length = 200
    description = "Text encrypted with SM4-GCM"

    def normalize(self, value: str) -> str:
        return value.strip()

    @property
    def associated_data(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, self.associated_data)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return self.normalize(value) if isinstance(value, str) else value

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # Every way a value reaches the database (save, update(), bulk_update's CASE, a Value()) seals it; the
        # one comparison allowed, ``=""``, passes the empty string through.
        value = self.to_python(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value, self.associated_data)

    def audit_value(self, value: Any) -> str:
        """How the audit trail shows the value: masked, plus 8 hex digits of a keyed digest (a change is visible,
        the value is not)."""
        if not value:
            return ""
        digest = crypto.lookup_hash(self.normalize(str(value)), "audit")[:8]
        return f"{mask(self.mask_kind, value)} #{digest}"

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: filter on its LookupHashField instead "
                f"(lookup {lookup_name!r} refused)"
            )
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        defaults: dict[str, Any] = {"form_class": forms.CharField, "max_length": self.form_max_length}
        defaults.update(kwargs)
        defaults.pop("widget", None)  # TextField asks for a Textarea; these are one-line values
        return super().formfield(**defaults)


class IdNumberField(EncryptedTextField):
    """An 18-character citizen identity number (GB 11643-1999 check character, birth date, region)."""

    mask_kind = "id_number"
    form_max_length = 18
    description = "Citizen identity number, encrypted"
    default_validators = [idnumber.validate_id_number]

    def normalize(self, value: str) -> str:
        return idnumber.normalize_id_number(value)


class PhoneField(EncryptedTextField):
    """A mainland mobile or landline number."""

    mask_kind = "phone"
    form_max_length = 20
    description = "Phone number, encrypted"
    default_validators = [idnumber.validate_phone]

    def normalize(self, value: str) -> str:
        return idnumber.normalize_phone(value)


class AddressField(EncryptedTextField):
    """A postal address; masked below the township and village."""

    mask_kind = "address"
    form_max_length = idnumber.ADDRESS_MAX_LENGTH
    description = "Address, encrypted"
    default_validators = [idnumber.validate_address]


class LookupHashField(models.CharField):
    """The HMAC-SM3 of another (encrypted) field's normalised value, kept up to date on every save
    (``PersonalRecord.save`` adds it to ``update_fields``). NULL when the source is empty, so a unique hash
    column admits any number of people without the value."""

    description = "HMAC-SM3 keyed hash of an encrypted field"

    def __init__(self, *args: Any, source: str = "", purpose: str = "", **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs["null"] = True
        kwargs["blank"] = True
        kwargs["editable"] = False
        if not kwargs.get("unique"):
            kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.purpose:
            kwargs["purpose"] = self.purpose
        for key in ("max_length", "null", "blank", "editable", "db_index"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def source_field(self) -> EncryptedTextField:
        field = self.model._meta.get_field(self.source)
        assert isinstance(field, EncryptedTextField), f"{self.source} is not an encrypted field"  # noqa: S101
        return field

    def hash_purpose(self) -> str:
        return self.purpose or self.source_field().mask_kind

    def hash_of(self, value: Any) -> str | None:
        """The hash of a clear value as this column stores it (None for empty)."""
        if value is None:
            return None
        text = self.source_field().normalize(str(value))
        if not text:
            return None
        return crypto.lookup_hash(text, self.hash_purpose())

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.hash_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def lookup_fields(model: type[models.Model]) -> list[LookupHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]
