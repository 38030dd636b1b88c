"""Re-encrypting personal data with the current key (``python manage.py rotate_data_keys``).

For every model with encrypted fields, in primary-key batches: a value sealed under an older key id is opened
and sealed again under the current key, and every lookup hash is recomputed under the current lookup key. A
row already current is left alone, so a second run changes nothing. Each model that changed gets one audit row
(rows rewritten, key ids seen, current key id; never a value).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from core import audit
from core.models import AuditLog

from . import crypto
from .fields import EncryptedTextField, LookupHashField, encrypted_fields, lookup_fields

ROTATION_ACTOR = "系统：数据密钥轮换"


@dataclass
class ModelReport:
    label: str
    rows_seen: int = 0
    rows_rewritten: int = 0
    old_keys: Counter[str] = field(default_factory=Counter)


def personal_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if encrypted_fields(m) and not m._meta.proxy]


def _raw_name(f: EncryptedTextField) -> str:
    return f"_raw_{f.attname}"


def rotate_model(model: type[models.Model], *, batch_size: int = 500, dry_run: bool = False) -> ModelReport:
    ring = crypto.keyring()
    enc = encrypted_fields(model)
    hashes = lookup_fields(model)
    report = ModelReport(label=model._meta.label)
    manager = model._base_manager
    last_pk: Any = None
    while True:
        # The raw column (cast to text, so no decryption) tells which key sealed each value.
        queryset = manager.order_by("pk").annotate(**{_raw_name(f): Cast(f.attname, TextField()) for f in enc})
        if last_pk is not None:
            queryset = queryset.filter(pk__gt=last_pk)
        with transaction.atomic():
            batch = list(queryset.select_for_update(of=("self",))[:batch_size])
            if not batch:
                break
            for obj in batch:
                report.rows_seen += 1
                changed = _rotate_row(obj, enc, hashes, ring, report)
                if changed:
                    report.rows_rewritten += 1
                    if not dry_run:
                        # update() seals each value again with the current key (EncryptedTextField.get_db_prep_save).
                        manager.filter(pk=obj.pk).update(**changed)
            last_pk = batch[-1].pk
    if report.rows_rewritten and not dry_run:
        audit.record(
            acting_user=None,
            username=ROTATION_ACTOR,
            event=AuditLog.Event.UPDATE,
            object_type=report.label,
            object_repr=f"{model._meta.verbose_name}：重新加密",
            changes={
                "rows_rewritten": report.rows_rewritten,
                "rows_seen": report.rows_seen,
                "old_key_ids": dict(report.old_keys),
                "current_key_id": ring.current_id,
                "fields": [f.name for f in enc],
            },
        )
    return report


def _rotate_row(
    obj: models.Model,
    enc: list[EncryptedTextField],
    hashes: list[LookupHashField],
    ring: crypto.KeyRing,
    report: ModelReport,
) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for f in enc:
        raw = getattr(obj, _raw_name(f))
        if raw and crypto.key_id_of(raw) != ring.current_id:
            report.old_keys[crypto.key_id_of(raw)] += 1
            changed[f.attname] = getattr(obj, f.attname)  # decrypted on load with the old key
    for h in hashes:
        digest = h.hash_of(getattr(obj, h.source))
        if digest != getattr(obj, h.attname):
            changed[h.attname] = digest
    return changed


def rotate_all(*, batch_size: int = 500, dry_run: bool = False) -> list[ModelReport]:
    return [rotate_model(m, batch_size=batch_size, dry_run=dry_run) for m in personal_models()]
