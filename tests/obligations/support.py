"""Test support: the dated milestone rules of the Datian plan, on the demo's Datian policy.

The typed rule registry (policies issue) declares the ``milestone.*`` keys and the presets carry their
values; until that lands on this branch, ``ensure_milestone_rules`` adds the keys to the loaded registry
(only where missing) so that ``effective_policy`` reads them like any other rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from obligations.sweep import SweepResult, run_sweep
from policies.models import Policy, PolicyRule
from policies.registry import RuleDef, rules

# Datian [000]: values and clauses as the document states them.
DATIAN_MILESTONES = {
    "milestone.signage_done": ("2021-05-31", "[000 §4(5)]", "各乡(镇)要在2021年5月底前全部完成挂牌"),
    "milestone.staff_deployed": ("2021-06-10", "[000 §5(4)]", "开展驻站服务(2021 年 6 月上旬完成)"),
}
LABELS = {
    "milestone.signage_done": "完成挂牌（揭牌）",
    "milestone.staff_deployed": "驻站社工到岗、开展驻站服务",
    "milestone.site_secured": "落实社工站场地",
}


def ensure_milestone_rules() -> list[str]:
    """Add the missing milestone keys to the loaded registry; returns those added (for forget_rules)."""
    registry = rules()
    added = []
    for key, label in LABELS.items():
        if key not in registry:
            registry[key] = RuleDef(key=key, label=label, type="text", section="stations")
            added.append(key)
    return added


def forget_rules(keys: list[str]) -> None:
    registry = rules()
    for key in keys:
        registry.pop(key, None)


def set_rule(division_code: str, key: str, value: Any, clause: str = "", quote: str = "") -> PolicyRule:
    ensure_milestone_rules()
    policy, _ = Policy.objects.get_or_create(division_id=division_code, defaults={"name": f"测试方案 {division_code}"})
    rule, _ = PolicyRule.objects.update_or_create(
        policy=policy, key=key, defaults={"value": value, "clause": clause, "quote": quote}
    )
    return rule


def datian_milestones() -> None:
    for key, (value, clause, quote) in DATIAN_MILESTONES.items():
        set_rule("350425", key, value, clause, quote)


# The mechanism is tested on the station milestones; other apps' kinds (contracts …) have their own tests.
STATION_KINDS = ["station.signage", "station.opening", "station.site"]


def sweep(day: dt.date | None = None, kinds: list[str] | None = None) -> SweepResult:
    return run_sweep(today=day or dt.date(2026, 11, 24), kind_keys=kinds or STATION_KINDS)


def make_county(county: str, townships: int) -> list[Any]:
    """A county with ``townships`` township divisions, each with a township government and a planned station."""
    from accounts.models import Organisation
    from stations.models import Division, Station

    Division.objects.get_or_create(code=county[:2], defaults={"name": "测试省", "level": 1})
    Division.objects.get_or_create(code=county[:4], defaults={"name": "测试市", "level": 2, "parent_id": county[:2]})
    Division.objects.get_or_create(code=county, defaults={"name": "测试县", "level": 3, "parent_id": county[:4]})
    divisions = Division.objects.bulk_create(
        Division(code=f"{county}{i:03d}", name=f"测试{i}镇", level=4, parent_id=county) for i in range(1, townships + 1)
    )
    Organisation.objects.bulk_create(
        Organisation(kind=Organisation.Kind.TOWNSHIP, name=f"{d.name}人民政府", division=d) for d in divisions
    )
    return Station.objects.bulk_create(
        Station(division=d, level=Station.Level.TOWNSHIP, name=f"测试县{d.name}社会工作服务站") for d in divisions
    )


def clear_obligations() -> None:
    from obligations.models import Notification, Obligation, Reminder

    Notification.objects.all().delete()
    Reminder.objects.all().delete()
    Obligation.objects.all().delete()


def seed_isolation_obligations() -> None:
    """Obligations owed by and told to each demo role, and messages for each demo user (isolation suite).

    Written directly: the isolation suite checks who sees which rows; the sweep that creates them is tested
    in tests/obligations/.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from accounts.models import Organisation, User
    from obligations.models import Notification, Obligation
    from stations.models import Station

    clear_obligations()
    now = timezone.now()
    ct = ContentType.objects.get_for_model(Station)
    stations = list(Station.objects.order_by("pk"))
    townships = {o.division_id: o for o in Organisation.objects.filter(kind=Organisation.Kind.TOWNSHIP)}
    others = list(Organisation.objects.filter(kind__in=[Organisation.Kind.AGENCY, Organisation.Kind.EVALUATOR]))
    rows = []
    states = [Obligation.State.OVERDUE, Obligation.State.DUE_SOON, Obligation.State.UPCOMING]
    for i, s in enumerate(stations):
        owner = townships.get(s.division_id[:9]) or (others[i % len(others)] if i % 3 == 0 else None)
        rows.append(
            Obligation(
                kind="station.signage",
                title=f"{s.name}：测试事项",
                content_type=ct,
                object_id=s.pk,
                owner=owner,
                division_id=s.division_id,
                notify_division_id=s.division_id[:6],
                due_date=dt.date(2026, 11, 1) + dt.timedelta(days=20 * (i % 3)),
                state=states[i % 3],
                # A kind links to a page its owner and watchers can open; the agency/evaluator rows have none.
                link=f"/stations/{s.pk}/" if owner is None or owner.kind == Organisation.Kind.TOWNSHIP else "",
                created_at=now,
                updated_at=now,
            )
        )
    # Owed by an agency or an evaluator about a station outside anything it otherwise reaches.
    for j, org in enumerate(others):
        rows.append(
            Obligation(
                kind="station.site",
                title=f"{org.name}：测试事项",
                content_type=ct,
                object_id=stations[j].pk,
                owner=org,
                division_id="350425",
                notify_division_id="350425",
                due_date=dt.date(2026, 12, 1),
                state=Obligation.State.DUE_SOON,
                created_at=now,
                updated_at=now,
            )
        )
    obligations = Obligation.objects.bulk_create(rows)
    users = list(User.objects.filter(is_active=True))
    Notification.objects.bulk_create(
        Notification(recipient=u, organisation=u.organisation, obligation=o, text=o.title, link=o.link, created_at=now)
        for k, u in enumerate(users)
        for o in obligations[k : k + 2]
    )
