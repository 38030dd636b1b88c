"""What each user should see of the staffing data, computed from the data without core.scoping."""

from __future__ import annotations

from guardian.models import GroupObjectPermission, UserObjectPermission

from accounts.models import Organisation, User
from staffing.models import SocialWorker, SocialWorkerGroupObjectPermission, SocialWorkerUserObjectPermission
from stations.models import Station
from tests import oracle


def _granted(user: User) -> set[int]:
    direct = set(
        SocialWorkerUserObjectPermission.objects.filter(
            user=user, permission__codename="view_socialworker"
        ).values_list("content_object_id", flat=True)
    )
    group = set(
        SocialWorkerGroupObjectPermission.objects.filter(
            group__user=user, permission__codename="view_socialworker"
        ).values_list("content_object_id", flat=True)
    )
    generic = {
        int(p)
        for p in UserObjectPermission.objects.filter(user=user, permission__codename="view_socialworker").values_list(
            "object_pk", flat=True
        )
    } | {
        int(p)
        for p in GroupObjectPermission.objects.filter(
            group__user=user, permission__codename="view_socialworker"
        ).values_list("object_pk", flat=True)
    }
    return direct | group | generic


def _workers(user: User, action: str) -> set[str]:
    rows = list(SocialWorker.objects.values_list("pk", "public_id", "division_id", "agency_id"))
    if user.is_superuser:
        return {str(pid) for _, pid, _, _ in rows}
    org = user.organisation
    if org is None:
        return set()
    if org.kind == Organisation.Kind.AGENCY:
        if action not in ("view", "change", "unmask", "export"):
            return set()
        return {str(pid) for _, pid, _, agency in rows if agency == org.pk}
    if org.kind in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP):
        if action == "change":
            return set()
        if action in ("unmask", "export") and not (org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6):
            return set()
        from tests.oracle import home_prefix

        return {str(pid) for _, pid, code, _ in rows if code.startswith(home_prefix(user))}
    if org.kind == Organisation.Kind.EVALUATOR and action == "view":
        granted = _granted(user)
        return {str(pid) for pk, pid, _, _ in rows if pk in granted}
    return set()


def worker_ids(user: User) -> set[str]:
    return _workers(user, "view")


def worker_change_ids(user: User) -> set[str]:
    return _workers(user, "change")


def worker_unmask_ids(user: User) -> set[str]:
    return _workers(user, "unmask")


def may_add(user: User) -> bool:
    return user.is_superuser or (user.organisation is not None and user.organisation.kind == Organisation.Kind.AGENCY)


def may_export(user: User) -> bool:
    if user.is_superuser:
        return True
    org = user.organisation
    return org is not None and (
        org.kind == Organisation.Kind.AGENCY or (org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6)
    )


def township_station_ids(user: User, prefix: str = "") -> set[int]:
    visible = oracle.station_ids(user)
    return set(
        Station.objects.filter(pk__in=visible, level="township", division__code__startswith=prefix)
        .exclude(status="closed")
        .values_list("pk", flat=True)
    )


def wage_ids(user: User) -> set[int]:
    """Bureaus and townships: their subtree and the counties above them; agencies and evaluators: the counties
    of their stations (and above)."""
    from staffing.models import AverageWage

    rows = list(AverageWage.objects.values_list("pk", "division_id"))
    roots = oracle.division_roots(user)
    if roots is None:
        return {pk for pk, _ in rows}
    up = {r[:n] for r in roots for n in (2, 4, 6, 9) if n < len(r)}
    return {pk for pk, code in rows if any(code.startswith(r) for r in roots) or code in up}


def _plans(user: User, change: bool) -> set[str]:
    """Recruitment plans: an agency its own (drafts included); a bureau those of its subtree once filed; a township
    those naming one of its stations once filed, read only; only the agency changes its own (the county bureau
    acknowledges through its own action)."""
    from staffing.models import RecruitmentPlan

    rows = list(RecruitmentPlan.objects.values_list("pk", "agency_id", "division_id", "state"))
    named: dict[int, set[str]] = {}
    for plan_id, code in RecruitmentPlan.stations.through.objects.values_list(
        "recruitmentplan_id", "station__division_id"
    ):
        named.setdefault(plan_id, set()).add(code)
    if user.is_superuser:
        return {str(pk) for pk, *_ in rows}
    org = user.organisation
    if org is None:
        return set()
    if org.kind == Organisation.Kind.AGENCY:
        return {str(pk) for pk, agency, _, _ in rows if agency == org.pk}
    if change or org.kind not in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP):
        return set()
    from tests.oracle import home_prefix, village_of

    root = home_prefix(user)

    def seen(pk: int, code: str) -> bool:
        if code.startswith(root):
            return True
        # Named stations widen a township's view, not a village worker's (ScopeRule.via_roles).
        return (
            org.kind == Organisation.Kind.TOWNSHIP
            and not village_of(user)
            and any(c.startswith(root) for c in named.get(pk, ()))
        )

    return {str(pk) for pk, _, code, state in rows if seen(pk, code) and state != "draft"}


def plan_ids(user: User) -> set[str]:
    return _plans(user, change=False)


def plan_change_ids(user: User) -> set[str]:
    return _plans(user, change=True)
