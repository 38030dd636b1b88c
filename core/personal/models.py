"""``PersonalRecord``: the abstract base of every model that holds data about a person.

It gives the record a random public id for URLs (``/people/<uuid>/``, never the sequential primary key;
SECURITY.md "Object ids in URLs are not guessable"), keeps the keyed-hash columns in step with their encrypted
sources, refuses a second person with the same identity number with a Chinese message on the field, and
tells the audit trail whose data a record is (``audit_subject``) and where it belongs (``audit_division``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models import Q

from core.scoping import ScopedQuerySet

from .fields import EncryptedTextField, LookupHashField, encrypted_fields, lookup_fields
from .masking import mask

_REHASHED: ContextVar[bool] = ContextVar("personal_rehashed", default=False)


class PersonalQuerySet(ScopedQuerySet):
    """The scoped queryset of a ``PersonalRecord``: the bulk paths keep the keyed hashes in step too.

    ``update()`` bypasses ``save()``, so it would leave a hash (and anything derived from the clear value, such
    as a birth date from an ID number) describing the old value: it refuses the fields that have a lookup hash
    (other encrypted fields, such as an address, are sealed by ``update()`` like by ``save()``). ``bulk_update()``
    recomputes the hash of every encrypted field it writes and writes the hash with it. (``bulk_create()``
    already computes hashes: Django calls each field's ``pre_save`` on insert.)
    """

    def update(self, **kwargs: Any) -> int:
        sealed = {f.source for f in lookup_fields(self.model)} & set(kwargs)
        if sealed and not _REHASHED.get():
            raise FieldError(
                f"{self.model.__name__}: {', '.join(sorted(sealed))} have lookup hashes; change them through "
                "save() or bulk_update(), which keep the hashes in step"
            )
        return super().update(**kwargs)

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs = list(objs)
        fields = list(fields)
        names = set(fields)
        hashes = [f for f in lookup_fields(self.model) if f.source in names]
        for obj in objs:
            for field in hashes:
                setattr(obj, field.attname, field.hash_of(getattr(obj, field.source)))
        extra = [f.name for f in hashes if f.name not in names]
        token = _REHASHED.set(True)  # Django's bulk_update writes through update(), hashes included
        try:
            return super().bulk_update(objs, [*fields, *extra], batch_size=batch_size)
        finally:
            _REHASHED.reset(token)


class PersonalManager(models.Manager.from_queryset(PersonalQuerySet)):  # type: ignore[misc]
    """The default manager of every ``PersonalRecord`` (a system check says so when one is missing)."""


class PersonalRecord(models.Model):
    public_id = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True

    # --- saving ----------------------------------------------------------------------------------------------

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            names = set(update_fields)
            extra = [f.name for f in lookup_fields(type(self)) if f.source in names and f.name not in names]
            kwargs["update_fields"] = [*update_fields, *extra]
        super().save(*args, **kwargs)

    def validate_unique(self, exclude: Any = None) -> None:
        """A unique hash column is reported on its source field ("该身份证号码已登记。"), not on the hidden hash."""
        hashes = [f for f in lookup_fields(type(self)) if f.unique]
        excluded = set(exclude or ())
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().validate_unique(exclude=excluded | {f.name for f in hashes})
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in hashes:
            if field.source in excluded:
                continue
            digest = field.hash_of(getattr(self, field.source))
            if digest is None:
                continue
            others = type(self)._default_manager.filter(**{field.attname: digest})
            if not self._state.adding and self.pk is not None:
                others = others.exclude(pk=self.pk)
            if others.exists():
                label = getattr(self._meta.get_field(field.source), "verbose_name", field.source)
                errors.setdefault(field.source, []).append(
                    ValidationError(f"该{label}已登记，请勿重复录入。", code="unique")
                )
        if errors:
            raise ValidationError(errors)

    # --- lookups ---------------------------------------------------------------------------------------------

    @classmethod
    def hash_field_for(cls, source: str) -> LookupHashField:
        for field in lookup_fields(cls):
            if field.source == source:
                return field
        raise LookupError(f"{cls.__name__}.{source} has no LookupHashField")

    @classmethod
    def lookup_q(cls, source: str, value: str) -> Q:
        """Exact match on an encrypted field through its hash: ``Person.objects.for_user(u).filter(
        Person.lookup_q("id_number", "35042519900101123X"))``. An empty value matches nothing."""
        field = cls.hash_field_for(source)
        digest = field.hash_of(value)
        return Q(pk__in=[]) if digest is None else Q(**{field.attname: digest})

    # --- display and audit -----------------------------------------------------------------------------------

    def masked(self, field_name: str) -> str:
        """The masked value of an encrypted field (or of ``name``: the surname stays)."""
        field = self._meta.get_field(field_name)
        kind = field.mask_kind if isinstance(field, EncryptedTextField) else "name"
        return mask(kind, getattr(self, field_name))

    @classmethod
    def personal_fields(cls) -> list[EncryptedTextField]:
        return encrypted_fields(cls)

    def audit_subject(self) -> models.Model:
        """The person whose data this record is; a record about someone else (a visit) returns that person."""
        return self

    def audit_division(self) -> str:
        """The division code the record belongs to, read along the model's ``scoping.division`` path."""
        rule = getattr(type(self), "scoping", None)
        path = getattr(rule, "division", None)
        if not path:
            return ""
        current: Any = self
        parts = path.split("__")
        for part in parts[:-1]:
            current = getattr(current, part, None)
            if current is None:
                return ""
        last = parts[-1]
        if not last.endswith("_id"):
            field = current._meta.get_field(last)
            last = field.attname if getattr(field, "is_relation", False) else last
        return str(getattr(current, last, "") or "")
