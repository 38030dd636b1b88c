"""Every write to stations: keyword-only, atomic, validated, audited, re-checked against scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from core import audit
from core.actions import declare
from core.scoping import Action
from policies.policy import effective_policy

from .models import Division, Station
from .selectors import EVALUATOR_GROUP_PREFIX, GRANT_OBJECT_TYPE, evaluator_group_name, granted_station_ids

DEFAULT_TEMPLATES = {
    Station.Level.CITY_CENTRE: "{city}社会工作服务指导中心",
    Station.Level.COUNTY_HQ: "{county}社会工作服务总站",
    Station.Level.REGIONAL: "{county}{township}区域性中心社会工作服务站",
    Station.Level.TOWNSHIP: "{county}{township}社会工作服务站",
    Station.Level.VILLAGE: "{township}{village}社会工作服务点",
}
SIGNAGE_RULE = "station.signage_template"  # [000 §4(5)], [002 §6(4)]


def standard_name(division: Division, level: str) -> str:
    """The standard signage name from the division names; the township template comes from policy."""
    names = {d.level: d.name for d in [*division.ancestors(), division]}
    template = DEFAULT_TEMPLATES[Station.Level(level)]
    if level == Station.Level.TOWNSHIP:
        template = effective_policy(division.code).get(SIGNAGE_RULE, template)
    city = names.get(Division.Level.CITY, "")
    if city in ("市辖区", "县", "省直辖县级行政区划"):
        city = names.get(Division.Level.PROVINCE, "")
    values = {
        "province": names.get(Division.Level.PROVINCE, ""),
        "city": city,
        "county": names.get(Division.Level.COUNTY, ""),
        "township": names.get(Division.Level.TOWNSHIP, ""),
        "village": names.get(Division.Level.VILLAGE, ""),
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        # Policy values are validated when saved; an older bad value must not break a page.
        return DEFAULT_TEMPLATES[Station.Level(level)].format(**values)


EDITABLE_FIELDS = ["name", "address", "floor_area", "rooms", "plaque_date", "status", "star_rating"]


@declare("stations.create", label="新建站点", model=Station, verb=Action.ADD, detail=False)
@transaction.atomic
def station_create(*, acting_user: User, division: Division, level: str, **fields: Any) -> Station:
    if not Division.objects.for_user(acting_user).filter(pk=division.pk).exists():
        raise PermissionDenied("无权在该区划新建站点。")
    station = Station(division=division, level=level, **fields)
    if not station.name:
        station.name = standard_name(division, level)
    station.full_clean()
    station.save()
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=station,
        division_code=division.code,
        changes=audit.diff({}, audit.snapshot(station, ["division_id", "level", *EDITABLE_FIELDS])),
    )
    _recheck(acting_user, station)
    return station


@declare("stations.update", label="修改站点", model=Station, verb=Action.CHANGE)
@transaction.atomic
def station_update(
    *, acting_user: User, station: Station, data: dict[str, Any], covered_townships: list[Division] | None = None
) -> Station:
    """Update editable fields; status moves only along the lifecycle (DOMAIN §2)."""
    current = Station.objects.for_user(acting_user, Action.CHANGE).select_for_update().filter(pk=station.pk).first()
    if current is None:
        raise PermissionDenied("无权修改该站点。")
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    before = audit.snapshot(current, EDITABLE_FIELDS)
    Station.check_transition(current.status, data.get("status", current.status))
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean()
    changed = [name for name in EDITABLE_FIELDS if audit.snapshot(current, [name]) != {name: before[name]}]
    if changed:
        current.save(update_fields=[*changed, "updated_at"])
    changes = audit.diff(before, audit.snapshot(current, EDITABLE_FIELDS))
    if covered_townships is not None and current.level == Station.Level.REGIONAL:
        old = sorted(current.covered_townships.values_list("code", flat=True))
        new = sorted(d.code for d in covered_townships)
        if any(not code.startswith(current.county_code) or len(code) != 9 for code in new):
            raise ValidationError({"covered_townships": "区域性中心只能覆盖本县的乡镇。"})
        if old != new:
            current.covered_townships.set(covered_townships)
            changes["covered_townships"] = {"before": old, "after": new}
    if changes:
        audit.record(
            acting_user=acting_user, event="update", obj=current, division_code=current.division_id, changes=changes
        )
    _recheck(acting_user, current)
    return current


def _recheck(user: User, station: Station) -> None:
    """After the write, the row must still be inside the user's scope, else roll back (STYLE.md)."""
    if not Station.objects.for_user(user, Action.CHANGE).filter(pk=station.pk).exists():
        raise PermissionDenied("保存后的站点不在您的权限范围内。")


# --- evaluator grants (issue 13 item 10a) ------------------------------------------------------------------
#
# Stations are granted to an evaluator *organisation*: the guardian permission ``stations.view_station`` goes to
# one auth group per evaluator organisation, and every active user of that organisation is a member
# (stations.signals keeps membership in step when users are saved). A new evaluator employee so sees the
# organisation's stations without a second grant; the evaluator scope provider (selectors.granted_stations)
# reads user and group permissions alike.

VIEW_STATION = "stations.view_station"


def evaluator_group(organisation: Any) -> Any:
    """The auth group holding an evaluator organisation's station grants (created on first use)."""
    from django.contrib.auth.models import Group

    group, _ = Group.objects.get_or_create(name=evaluator_group_name(organisation.pk))
    return group


def sync_evaluator_membership(user: User) -> None:
    """Put a user in its evaluator organisation's group, and in no other evaluator group."""
    from accounts.models import Organisation

    org = user.organisation
    wanted = (
        evaluator_group(org) if org is not None and org.kind == Organisation.Kind.EVALUATOR and user.is_active else None
    )
    stale = user.groups.filter(name__startswith=EVALUATOR_GROUP_PREFIX)
    if wanted is not None:
        stale = stale.exclude(pk=wanted.pk)
    if stale.exists():
        user.groups.remove(*stale)
    if wanted is not None and not user.groups.filter(pk=wanted.pk).exists():
        user.groups.add(wanted)


def _grantable(acting_user: User) -> Any:
    """Stations a user may grant: those it may change (the county bureau's own county; administrators: all)."""
    return Station.objects.for_user(acting_user, Action.CHANGE)


@declare("stations.grant", label="授权评估机构查看", model=Station, verb=Action.CHANGE)
@transaction.atomic
def station_grant(*, acting_user: User, evaluator: Any, stations: list[Station]) -> list[Station]:
    """Grant stations to an evaluator organisation; one audit row per newly granted station."""
    from guardian.shortcuts import assign_perm

    from accounts.models import Organisation

    if evaluator.kind != Organisation.Kind.EVALUATOR or not evaluator.is_active_org:
        raise ValidationError({"evaluator": "只能授权给正常状态的第三方评估机构。"})
    allowed = set(_grantable(acting_user).filter(pk__in=[s.pk for s in stations]).values_list("pk", flat=True))
    if not stations or len(allowed) != len({s.pk for s in stations}):
        raise PermissionDenied("只能授权本辖区内、您可以管理的站点。")
    group = evaluator_group(evaluator)
    already = set(granted_station_ids(evaluator))
    added = []
    for station in stations:
        if station.pk in already:
            continue
        assign_perm(VIEW_STATION, group, station)
        audit.record(
            acting_user=acting_user,
            event="create",
            object_type=GRANT_OBJECT_TYPE,
            object_repr=f"{station.name} → {evaluator.name}",
            division_code=station.division_id,
            changes={"station": station.name, "evaluator": {"before": None, "after": evaluator.name}},
        )
        added.append(station)
    for user in evaluator.users.filter(is_active=True):
        sync_evaluator_membership(user)
    return added


@declare("stations.revoke", label="撤销评估机构的查看授权", model=Station, verb=Action.CHANGE)
@transaction.atomic
def station_revoke(*, acting_user: User, evaluator: Any, station: Station) -> None:
    """Withdraw one station from an evaluator organisation; audited."""
    from guardian.shortcuts import remove_perm

    if not _grantable(acting_user).filter(pk=station.pk).exists():
        raise PermissionDenied("只能撤销本辖区内、您可以管理的站点的授权。")
    if station.pk not in granted_station_ids(evaluator):
        raise ValidationError("该站点没有授权给这家评估机构。")
    remove_perm(VIEW_STATION, evaluator_group(evaluator), station)
    audit.record(
        acting_user=acting_user,
        event="delete",
        object_type=GRANT_OBJECT_TYPE,
        object_repr=f"{station.name} → {evaluator.name}",
        division_code=station.division_id,
        changes={"station": station.name, "evaluator": {"before": evaluator.name, "after": None}},
    )
