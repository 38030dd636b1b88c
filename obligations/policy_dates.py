"""Due dates that come from policy: a small adapter over ``policies.policy.effective_policy``.

A dated rule (e.g. ``milestone.signage_done``, Datian [000 §4(5)]: "各乡(镇)要在2021年5月底前全部完成挂牌")
may be stored as an ISO date string ("2021-05-31"), as a typed value (``{"date": "2021-05-31"}``), or be absent
or not apply at a division; the adapter accepts each and answers None when there is no date.

Set-based: for a rule key, the divisions whose policy sets it are read in one query, and the effective value
at each of them with ``effective_policy`` (one query per policy that sets the rule — a handful, never one per
station). Every station then takes the value of its deepest such ancestor, as a SQL ``CASE`` on the division
code prefix, so one statement dates every row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, DateField, Expression, Value, When

from core.scoping import Action
from policies.models import PolicyRule
from policies.policy import effective_policy


def as_date(value: Any) -> dt.date | None:
    """An ISO date, a date, or a typed ``{"date": …}`` / ``{"value": …}`` value; None for anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dict):
        for key in ("date", "value", "on"):
            if key in value:
                return as_date(value[key])
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class DatedSource:
    division_code: str
    due: dt.date | None  # None: the rule does not apply below this division (or has no usable date)
    clause: str


def dated_sources(actor: Any, key: str) -> list[DatedSource]:
    """The divisions whose policy sets ``key``, deepest first, with the effective date there and its clause."""
    codes = sorted(
        set(
            PolicyRule.objects.for_user(actor, Action.VIEW)
            .filter(key=key)
            .values_list("policy__division_id", flat=True)
        ),
        key=lambda c: (-len(c), c),
    )
    out: list[DatedSource] = []
    for code in codes:
        policy = effective_policy(code)
        rule = policy.rules.get(key)
        due = as_date(policy.get(key))
        out.append(DatedSource(division_code=code, due=due, clause=rule.clause if rule is not None else ""))
    return out


def due_expressions(sources: list[DatedSource], field: str = "division_id") -> tuple[Expression, Expression]:
    """(due date, clause) for each row, by the deepest source above the row's division code."""
    if field.endswith("_id"):
        field = f"{field[:-3]}__pk"  # a prefix match on the foreign key's own column, no join
    if not sources:
        return Value(None, output_field=DateField()), Value("", output_field=CharField())
    due_whens = [When(**{f"{field}__startswith": s.division_code}, then=Value(s.due)) for s in sources]
    clause_whens = [When(**{f"{field}__startswith": s.division_code}, then=Value(s.clause)) for s in sources]
    return (
        Case(*due_whens, default=Value(None), output_field=DateField()),
        Case(*clause_whens, default=Value(""), output_field=CharField()),
    )
