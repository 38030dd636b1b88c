"""What each demo user should see, computed straight from the data and NOT through core.scoping,
so the isolation tests compare the scoping mechanism against an independent answer."""

from __future__ import annotations

from django.utils import timezone
from guardian.models import UserObjectPermission

from accounts.models import Organisation, User
from contracts.models import Amendment, Contract, Procurement
from policies.models import Policy
from stations.models import Division, Station, StationGroupObjectPermission, StationUserObjectPermission

ROLE_USERS = [
    "admin",
    "fj_province",
    "sanming_city",
    "datian_bureau",
    "junxi_town",
    "shipai_town",
    "junxi_village",  # 均溪镇's village civil-affairs worker: the role narrowed to one village
    "agency_sunshine",
    "agency_harmony",
    "evaluator",
]


def _org(user: User) -> Organisation:
    assert user.organisation is not None, user.username
    return user.organisation


def village_of(user: User) -> str | None:
    """The village a township government's account is assigned to (its whole reach), else None."""
    org = user.organisation
    if user.is_superuser or org is None or org.kind != Organisation.Kind.TOWNSHIP:
        return None
    return user.village_id or None


def home_prefix(user: User) -> str:
    """The subtree a bureau or township account reads: its village when assigned to one, else its organisation's."""
    return village_of(user) or _org(user).division_id


def _prefixes(user: User) -> list[str] | None:
    """Division subtrees for bureaus and townships (a village worker: its village); None = everything (admin)."""
    if user.is_superuser:
        return None
    org = _org(user)
    if village_of(user):
        return [home_prefix(user)]
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
                covered = {s.pk for s in c.stations.all()}
                # Amendments effective by today, in their order: added stations join, removed ones leave.
                for amendment in Amendment.objects.filter(contract=c).order_by("effective_date", "pk"):
                    if amendment.effective_date <= today:
                        covered |= {s.pk for s in amendment.stations_added.all()}
                        covered -= {s.pk for s in amendment.stations_removed.all()}
                ids |= covered
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
        # Grants to the evaluator organisation's group (stations.actions.station_grant).
        group = set(
            StationGroupObjectPermission.objects.filter(
                group__user=user, permission__codename="view_station"
            ).values_list("content_object_id", flat=True)
        )
        return direct | generic | group
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


def procurement_ids(user: User) -> set[int]:
    """Procurements: bureaus and townships by division subtree; agencies and evaluators none."""
    prefixes = _prefixes(user)
    rows = list(Procurement.objects.values_list("pk", "division_id"))
    if prefixes is None:
        return {pk for pk, _ in rows}
    if prefixes:
        return {pk for pk, code in rows if any(code.startswith(p) for p in prefixes)}
    return set()


def policy_ids(user: User) -> set[int]:
    visible = division_codes(user)
    return {pk for pk, code in Policy.objects.values_list("pk", "division_id") if code in visible}


def organisation_ids(user: User) -> set[int]:
    """Bureaus and townships: their subtree and the bureaus above; agencies and evaluators: their own
    organisation and the government bodies (bureaus, townships) in their stations' places and above."""
    roots = division_roots(user)
    rows = list(Organisation.objects.values_list("pk", "division_id", "kind"))
    if roots is None:
        return {pk for pk, _, _ in rows}
    up = {r[:n] for r in roots for n in (2, 4, 6, 9) if n < len(r)}
    government = {Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP}
    through_stations = _org(user).kind not in government
    # A village worker does not reach its own organisation (the township government) through ownership.
    seen = set() if village_of(user) else {_org(user).pk}
    for pk, code, kind in rows:
        if through_stations and kind not in government:
            continue
        if any(code.startswith(r) for r in roots) or (code in up and kind == Organisation.Kind.BUREAU):
            seen.add(pk)
    return seen


def station_change_ids(user: User) -> set[int]:
    if user.is_superuser:
        return station_ids(user)
    org = _org(user)
    if org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6:
        return station_ids(user)
    return set()


def area_summary_codes(user: User) -> set[str]:
    """/overview/<code>/: bureaus (and administrators) open their own subtree down to the counties."""
    if user.is_superuser:
        return {c for c in division_codes(user) if len(c) <= 6}
    org = _org(user)
    if org.kind != Organisation.Kind.BUREAU:
        return set()
    return {c for c in division_codes(user) if len(c) <= 6 and c.startswith(org.division_id)}


# --- people of the test-only personal-data app (tests/personal_app) ------------------------------------------


def _is_child(birth: object) -> bool:
    """Under 14 today, or birth date unknown (PIPL art. 28; the count goes up the day after the birthday)."""
    import datetime as dt

    if not isinstance(birth, dt.date):
        return True
    today = timezone.localdate()
    try:
        fourteenth = birth.replace(year=birth.year + 14)
    except ValueError:
        fourteenth = dt.date(birth.year + 14, 2, 28)
    return today <= fourteenth


def _serves_children(user: User) -> bool:
    org = _org(user)
    return (org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6) or org.kind == Organisation.Kind.AGENCY


def person_ids(user: User) -> set[str]:
    """Public ids of the people a user may view: the division subtree, children only for the county bureau and
    agencies (the roles the test model says serve them)."""
    from tests.personal_app.models import Person

    rows = list(Person.objects.values_list("public_id", "division_id", "birth_date"))
    roots = division_roots(user)
    if roots is None:
        return {str(pid) for pid, _, _ in rows}
    serves = _serves_children(user)
    return {
        str(pid)
        for pid, code, birth in rows
        if any(code.startswith(r) for r in roots) and (serves or not _is_child(birth))
    }


def person_unmask_ids(user: User) -> set[str]:
    """County bureaus and townships may unmask what they see; nobody else (system administrators aside)."""
    if user.is_superuser:
        return person_ids(user)
    org = _org(user)
    if (org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6) or (
        org.kind == Organisation.Kind.TOWNSHIP and not village_of(user)
    ):
        return person_ids(user)
    return set()


def obligation_ids(user: User) -> set[int]:
    """What the user's organisation owes, plus (bureaus, townships) everything in its division subtree."""
    from obligations.models import Obligation

    rows = list(Obligation.objects.values_list("pk", "division_id", "owner_id"))
    if user.is_superuser:
        return {pk for pk, _, _ in rows}
    org = _org(user)
    prefixes = _prefixes(user) or []
    owns = not village_of(user)  # a village worker is not reached through what the township owes
    return {pk for pk, code, owner in rows if (owns and owner == org.pk) or any(code.startswith(p) for p in prefixes)}


def notification_ids(user: User) -> set[int]:
    from obligations.models import Notification

    return set(Notification.objects.filter(recipient_id=user.pk).values_list("pk", flat=True))


# --- the bureau's administration pages (issue 13 item 10) ------------------------------------------------------


def _is_bureau(user: User) -> bool:
    return (
        user.organisation is not None
        and user.organisation.kind == Organisation.Kind.BUREAU
        and user.organisation.status == Organisation.Status.ACTIVE
    )


def may_manage_users(user: User) -> bool:
    """A bureau's or a township government's account with the manager position (not one assigned to a village);
    system administrators use the Django admin instead."""
    org = user.organisation
    township = (
        org is not None
        and org.kind == Organisation.Kind.TOWNSHIP
        and org.status == Organisation.Status.ACTIVE
        and user.village_id is None
    )
    return (
        not user.is_superuser
        and (_is_bureau(user) or township)
        and user.position == User.Position.MANAGER
        and user.is_active
    )


def org_user_ids(user: User) -> set[int]:
    if not may_manage_users(user):
        return set()
    return set(User.objects.filter(organisation=user.organisation, is_superuser=False).values_list("pk", flat=True))


def may_grant(user: User) -> bool:
    return user.is_superuser or (_is_bureau(user) and len(_org(user).division_id) == 6)


def may_read_audit(user: User) -> bool:
    return user.is_superuser or _is_bureau(user)


def audit_ids(user: User) -> set[int]:
    from core.models import AuditLog

    rows = list(AuditLog.objects.values_list("pk", "division_code"))
    if user.is_superuser:
        return {pk for pk, _ in rows}
    if not _is_bureau(user):
        return set()
    prefix = _org(user).division_id
    return {pk for pk, code in rows if code.startswith(prefix)}
