"""The one registration point for obligation kinds.

An app declares what someone owes by a date in its ``AppConfig.ready()`` (no database access there)::

    from obligations.registry import ObligationKind, register

    register(ObligationKind(
        key="station.signage",
        label="完成挂牌",
        model=Station,
        rows=signage_rows,          # (actor, today) -> queryset of Station annotated with the ROW_FIELDS
        done=Q(plaque_date__isnull=False),
        void=Q(status="closed"),    # optional: no longer owed (waived by the sweep with void_reason)
        void_reason="站点已关闭",
    ))

``done_in_period`` (optional) is a condition on the obligation row for duties settled period by period, and
``notify_township`` also tells the township government of the obligation's division, and ``notify_village``
the village civil-affairs workers assigned to it (``accounts.User.village``).

``rows`` is set-based: ONE queryset (built with a fixed number of preparatory queries, e.g. reading the
policy) whose rows carry, as annotations, every field listed in ``ROW_FIELDS``. The sweep turns it into one
``INSERT … SELECT … ON CONFLICT`` statement; ``done`` and ``void`` are conditions on the same model, applied
with one ``UPDATE … WHERE object_id IN (SELECT …)`` each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import CharField, Value
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Cast, Concat
from django.urls import reverse

# Annotations the rows queryset of a kind must carry (one row = one obligation).
ROW_FIELDS = (
    "ob_object_id",  # the object's primary key
    "ob_period",  # "" for one-off duties; e.g. "2026-05" for a monthly one
    "ob_title",  # what, in words (Chinese)
    "ob_owner_id",  # the organisation that owes it (may be NULL: nobody known yet; the bureau is told)
    "ob_division_id",  # where it belongs in the division tree (scope)
    "ob_notify_division_id",  # the bureau at this division is told (may be NULL)
    "ob_due_date",
    "ob_rule_key",
    "ob_clause",
    "ob_link",  # the page where it is done
)

RowsBuilder = Callable[[Any, dt.date], "models.QuerySet[Any]"]


@dataclass(frozen=True)
class ObligationKind:
    key: str
    label: str
    model: type[models.Model]
    rows: RowsBuilder
    done: models.Q
    void: models.Q | None = None
    void_reason: str = ""
    due_soon_days: int | None = None  # None: settings.OBLIGATIONS_DUE_SOON_DAYS
    description: str = ""
    # A recurring duty whose periods are done one by one (a visit in week 48 does not settle week 47): a
    # condition on the Obligation row itself (built per sweep, e.g. an Exists over the object's records of
    # the obligation's period). When set, it decides done and reopened instead of ``done``, which then only
    # keeps already-settled rows from being created.
    done_in_period: Callable[[], models.Q | BaseExpression] | None = None
    # Also tell the township government of the obligation's division (its 9-digit prefix), besides the owing
    # organisation and the bureau at the notify division.
    notify_township: bool = False
    # Also tell the village civil-affairs workers (township accounts assigned to a village, accounts.User.village)
    # whose village is the obligation's division. Users assigned to a village are otherwise never told through
    # their organisation (the township owes things all over the township).
    notify_village: bool = False


_kinds: dict[str, ObligationKind] = {}


def register(kind: ObligationKind) -> ObligationKind:
    """Register a kind (from AppConfig.ready()); registering the same key twice replaces it (reloads)."""
    if kind.void is not None and not kind.void_reason:
        raise ValueError(f"obligation kind {kind.key}: a void condition needs a void_reason")
    _kinds[kind.key] = kind
    return kind


def kinds() -> dict[str, ObligationKind]:
    return dict(_kinds)


def get(key: str) -> ObligationKind | None:
    return _kinds.get(key)


def label_of(key: str) -> str:
    kind = _kinds.get(key)
    return kind.label if kind else key


_SENTINEL = 987654321


def url_expression(url_name: str, field: str = "pk") -> Concat:
    """The URL of ``url_name`` for each row, as a SQL expression (``/stations/<pk>/``), so a kind's rows carry
    the link of the page where the duty is done without one ``reverse`` per row."""
    url = reverse(url_name, args=[_SENTINEL])
    head, tail = url.split(str(_SENTINEL))
    return Concat(Value(head), Cast(field, CharField()), Value(tail), output_field=CharField())
