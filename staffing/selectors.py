"""Reads about staffing that pages, the API, the sweep and exports share."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.access import access
from core.scoping import Action
from stations.models import Division, Station

from .models import CERTIFICATE_RANK, Assignment, Certificate, SocialWorker
from .policy import Adequacy, StaffMember, adequacy


def access_worker(user: User, public_id: Any, action: str = Action.VIEW) -> SocialWorker:
    return access(SocialWorker, user, public_id, action, field="public_id")


def workers_for(user: User, action: str = Action.VIEW) -> QuerySet[SocialWorker]:
    return (
        SocialWorker.objects.for_user(user, action)
        .select_related("agency", "station", "household_division")
        .prefetch_related(Prefetch("certificates", queryset=Certificate.objects.order_by("obtained_on", "pk")))
    )


def village_count(division_code: str) -> int:
    """The number of villages (communities) of a township, from the division list."""
    return Division.objects.filter(
        code__startswith=division_code, level=Division.Level.VILLAGE, code__gte=division_code
    ).count()


def current_assignments(station_ids: list[int], on: dt.date | None = None) -> dict[int, list[Assignment]]:
    """{station id: assignments current on ``on``} in one query (with the worker and its certificates)."""
    day = on or timezone.localdate()
    rows = (
        Assignment.objects.filter(station_id__in=station_ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("worker")
        .prefetch_related("worker__certificates")
        .order_by("station_id", "role", "pk")
    )
    out: dict[int, list[Assignment]] = defaultdict(list)
    for a in rows:
        out[a.station_id].append(a)
    return out


def team_of(assignments: list[Assignment], on: dt.date) -> list[StaffMember]:
    team = []
    for a in assignments:
        certs = [c for c in a.worker.certificates.all() if c.obtained_on <= on]
        best = max(certs, key=lambda c: CERTIFICATE_RANK[c.level], default=None)
        team.append(StaffMember(role=a.role, certificate=best.level if best else None))
    return team


def station_adequacy(
    stations: list[Station], on: dt.date | None = None
) -> list[tuple[Station, list[Assignment], Adequacy, int]]:
    """Adequacy of each township station's current team, the policy read once per division; a fixed number of
    queries whatever the number of stations (villages counted in one grouped query)."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    day = on or timezone.localdate()
    teams = current_assignments([s.pk for s in stations], day)
    codes = sorted({s.division_id for s in stations})
    counts: dict[str, int] = {}
    if codes:
        counties = sorted({c[:6] for c in codes})
        q = Q()
        for county in counties:
            q |= Q(code__startswith=county)
        counts = dict(
            Division.objects.filter(q, level=Division.Level.VILLAGE)
            .annotate(town=Substr("code", 1, 9))
            .values_list("town")
            .annotate(n=Count("code"))
            .values_list("town", "n")
        )
    from policies.models import Policy

    # A township's own policy is rare: read the policy once per county unless the township has its own.
    own = set(Policy.objects.filter(division_id__in=codes).values_list("division_id", flat=True)) if codes else set()
    keys = sorted({s.division_id if s.division_id in own else s.division_id[:6] for s in stations})
    policies = effective_policies(keys)
    out = []
    for s in stations:
        county = s.division_id if s.division_id in own else s.division_id[:6]
        villages = counts.get(s.division_id, 0)
        members = teams.get(s.pk, [])
        result = adequacy(s.division_id, team_of(members, day), villages, policy=policies[county])
        out.append((s, members, result, villages))
    return out


def effective_policies(codes: list[str]) -> dict[str, Any]:
    """``policies.policy.effective_policy`` for many divisions with ONE query (the same deepest-value-wins rule):
    the staffing pages and the sweep read a whole province's counties at once."""
    from core.scoping import ancestor_codes
    from policies.models import PolicyRule
    from policies.policy import EffectivePolicy, EffectiveRule, Source
    from policies.registry import rules

    chains = {code: [*ancestor_codes(code), code] for code in codes}
    every = sorted({c for chain in chains.values() for c in chain})
    by_division: dict[str, dict[str, Any]] = defaultdict(dict)
    if every:
        for r in PolicyRule.objects.filter(policy__division_id__in=every).select_related("policy", "policy__division"):
            by_division[r.policy.division_id][r.key] = r
    registry = rules()
    out: dict[str, Any] = {}
    for code, chain in chains.items():
        result = EffectivePolicy(division_code=code)
        for key, rule in registry.items():
            found = [by_division[d][key] for d in reversed(chain) if key in by_division.get(d, {})]
            sources = tuple(
                Source(
                    division_code=r.policy.division_id,
                    division_name=r.policy.division.name,
                    policy_name=r.policy.name,
                    value=r.value,
                    clause=r.clause,
                    quote=r.quote,
                    strength=r.strength,
                    condition=r.condition,
                    condition_code=r.condition_code,
                    not_applicable=r.not_applicable,
                    note=r.note,
                )
                for r in found
            )
            if sources:
                value = None if sources[0].not_applicable else sources[0].value
                result.rules[key] = EffectiveRule(rule=rule, value=value, source=sources[0], overridden=sources[1:])
            else:
                result.rules[key] = EffectiveRule(rule=rule, value=None, source=None)
        out[code] = result
    return out


def recruitment_plans(user: User, action: str = Action.VIEW) -> QuerySet[Any]:
    """The recruitment plans the user may see: an agency its own, drafts included; a bureau those of its subtree
    and a township those naming one of its stations, once filed (a draft is the agency's own until it is filed)."""
    from core.scoping import Role, scope_of

    from .models import RecruitmentPlan

    qs = RecruitmentPlan.objects.for_user(user, action)
    if scope_of(user).role not in (Role.AGENCY, Role.ADMIN):
        qs = qs.exclude(state=RecruitmentPlan.State.DRAFT)
    return qs


def plan_stations(user: User, plan: Any) -> tuple[list[Station], int]:
    """The stations a plan names that the user sees (a township: its own), and how many others it names."""
    named = plan.stations.all()
    seen = list(named.filter(pk__in=Station.objects.for_user(user).values("pk")).order_by("division_id", "pk"))
    return seen, named.count() - len(seen)


def access_plan(user: User, pk: Any, action: str = Action.VIEW) -> Any:
    from django.http import Http404

    plan = recruitment_plans(user, action).select_related("agency", "division").filter(pk=pk).first()
    if plan is None:
        raise Http404("不存在或不在您的权限范围内。")
    return plan


def plan_basis(division_code: str) -> str:
    """The clause that asks agencies to file their plans with the county bureau, where the policy does."""
    from policies.policy import effective_policy

    policy = effective_policy(division_code)
    rule = policy.rules.get("staff.recruitment_plan_filing")
    if rule is None or not policy.get("staff.recruitment_plan_filing"):
        return ""
    return rule.citation_text or rule.clause
