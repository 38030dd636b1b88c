"""The scope rules themselves: every path resolves, and none crosses a to-many relation
(ScopedQuerySet.for_user relies on that to return each row once, without DISTINCT)."""

from __future__ import annotations

import pytest
from django.apps import apps

from core.scoping import ScopeRule

SCOPED = [m for m in apps.get_models() if isinstance(getattr(m, "scoping", None), ScopeRule)]


def test_every_tenant_model_is_scoped() -> None:
    labels = {m._meta.label for m in SCOPED}
    assert {
        "stations.Station",
        "stations.Division",
        "contracts.Contract",
        "policies.Policy",
        "policies.PolicyRule",
        "accounts.Organisation",
        "core.AuditLog",
    } <= labels


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_scope_paths_are_single_valued(model) -> None:  # type: ignore[no-untyped-def]
    rule: ScopeRule = model.scoping
    for path in filter(None, [rule.division, rule.station, rule.agency, rule.owner, rule.minors]):
        current = model
        for part in path.split("__"):
            field = (
                current._meta.pk
                if part == "pk"
                else current._meta.get_field(
                    part[:-3]
                    if part.endswith("_id") and not any(f.name == part for f in current._meta.fields)
                    else part
                )
            )
            assert not (field.many_to_many or field.one_to_many), f"{model._meta.label}.{path} crosses {part}"
            if field.is_relation and field.related_model is not None:
                current = field.related_model


VIA = [m for m in SCOPED if m.scoping.via]  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", VIA, ids=lambda m: m._meta.label)
def test_via_paths_resolve_to_a_division(model) -> None:  # type: ignore[no-untyped-def]
    """``via`` is the one declared to-many path: it must resolve, and end at a division code."""
    rule: ScopeRule = model.scoping
    assert rule.via is not None
    current = model
    for part in rule.via.split("__")[:-1]:
        current = current._meta.get_field(part).related_model
    last = rule.via.split("__")[-1]
    field = current._meta.get_field(last[:-3] if last.endswith("_id") else last)
    assert field.related_model._meta.label == "stations.Division"
