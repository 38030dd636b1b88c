"""What each demo user should see, computed straight from the data and NOT through core.scoping,
so the isolation tests compare the scoping mechanism against an independent answer."""

from __future__ import annotations

from django.utils import timezone
from guardian.models import UserObjectPermission

from accounts.models import Organisation, User
from contracts.models import Contract
from policies.models import Policy
from stations.models import Division, Station, StationUserObjectPermission

ROLE_USERS = [
    "admin",
    "fj_province",
    "datian_bureau",
    "junxi_town",
    "shipai_town",
    "agency_sunshine",
    "agency_harmony",
    "evaluator",
]


def _org(user: User) -> Organisation:
    assert user.organisation is not None, user.username
    return user.organisation


def _prefixes(user: User) -> list[str] | None:
    """Division subtrees for bureaus and townships; None = everything (admin)."""
    if user.is_superuser:
        return None
    org = _org(user)
    if org.kind in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP):
        return [org.division_id]
    return []


def station_ids(user: User) -> set[int]:
    prefixes = _prefixes(user)
    all_stations = list(Station.objects.values_list("pk", "division_id"))
    if prefixes is None:
        return {pk for pk, _ in all_stations}
    if prefixes:
        return {pk for pk, code in all_stations if any(code.startswith(p) for p in prefixes)}
    if _org(user).kind == Organisation.Kind.AGENCY:
        today = timezone.localdate()
        ids: set[int] = set()
        for c in Contract.objects.filter(agency=_org(user)).prefetch_related("stations"):
            if c.status == "active" and c.start_date <= today <= c.end_date:
                ids |= {s.pk for s in c.stations.all()}
        return ids
    if _org(user).kind == Organisation.Kind.EVALUATOR:
        direct = set(
            StationUserObjectPermission.objects.filter(user=user, permission__codename="view_station").values_list(
                "content_object_id", flat=True
            )
        )
        generic = {
            int(p)
            for p in UserObjectPermission.objects.filter(user=user, permission__codename="view_station").values_list(
                "object_pk", flat=True
            )
        }
        return direct | generic
    return set()


def division_roots(user: User) -> list[str] | None:
    prefixes = _prefixes(user)
    if prefixes is None or prefixes:
        return prefixes
    codes = Station.objects.filter(pk__in=station_ids(user)).values_list("division_id", flat=True)
    return sorted(set(codes))


def division_codes(user: User) -> set[str]:
    """Subtrees of the roots, plus the roots' ancestors (the way up the tree)."""
    roots = division_roots(user)
    codes = list(Division.objects.values_list("code", flat=True))
    if roots is None:
        return set(codes)
    up = {r[:n] for r in roots for n in (2, 4, 6, 9) if n < len(r)}
    return {c for c in codes if any(c.startswith(r) for r in roots)} | (up & set(codes))


def contract_ids(user: User) -> set[int]:
    prefixes = _prefixes(user)
    rows = list(Contract.objects.values_list("pk", "division_id", "agency_id"))
    if prefixes is None:
        return {pk for pk, _, _ in rows}
    if prefixes:
        return {pk for pk, code, _ in rows if any(code.startswith(p) for p in prefixes)}
    if _org(user).kind == Organisation.Kind.AGENCY:
        return {pk for pk, _, agency in rows if agency == _org(user).pk}
    return set()


def policy_ids(user: User) -> set[int]:
    visible = division_codes(user)
    return {pk for pk, code in Policy.objects.values_list("pk", "division_id") if code in visible}


def organisation_ids(user: User) -> set[int]:
    roots = division_roots(user)
    rows = list(Organisation.objects.values_list("pk", "division_id"))
    if roots is None:
        return {pk for pk, _ in rows}
    return {pk for pk, code in rows if any(code.startswith(r) for r in roots)} | {_org(user).pk}


def station_change_ids(user: User) -> set[int]:
    if user.is_superuser:
        return station_ids(user)
    org = _org(user)
    if org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6:
        return station_ids(user)
    return set()


def obligation_ids(user: User) -> set[int]:
    """What the user's organisation owes, plus (bureaus, townships) everything in its division subtree."""
    from obligations.models import Obligation

    rows = list(Obligation.objects.values_list("pk", "division_id", "owner_id"))
    if user.is_superuser:
        return {pk for pk, _, _ in rows}
    org = _org(user)
    prefixes = _prefixes(user) or []
    return {pk for pk, code, owner in rows if owner == org.pk or any(code.startswith(p) for p in prefixes)}


def notification_ids(user: User) -> set[int]:
    from obligations.models import Notification

    return set(Notification.objects.filter(recipient_id=user.pk).values_list("pk", flat=True))
