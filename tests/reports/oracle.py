"""What each demo user should see of the reports, computed from the data WITHOUT core.scoping."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Organisation, User
from evaluation.reports.models import BriefUnlock, MonthlyBrief, PeriodicReport


def _org(user: User) -> Organisation | None:
    return user.organisation


def _prefix(user: User) -> str | None:
    org = _org(user)
    if org is not None and org.kind in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP):
        from tests.oracle import home_prefix

        return home_prefix(user)
    return None


def brief_ids(user: User) -> set[int]:
    rows = list(MonthlyBrief.objects.values_list("pk", "division_id", "agency_id"))
    if user.is_superuser:
        return {pk for pk, _, _ in rows}
    prefix = _prefix(user)
    if prefix is not None:
        return {pk for pk, code, _ in rows if code.startswith(prefix)}
    org = _org(user)
    if org is not None and org.kind == Organisation.Kind.AGENCY:
        return {pk for pk, _, agency in rows if agency == org.pk}
    return set()


def brief_edit_ids(user: User) -> set[int]:
    """Briefs whose editor the user may open: an agency's own (the admin's any) draft or returned brief, or an
    accepted one under an unexpired exception."""
    org = _org(user)
    if not user.is_superuser and (org is None or org.kind != Organisation.Kind.AGENCY):
        return set()
    unlocked = set(BriefUnlock.objects.filter(expires_at__gt=timezone.now()).values_list("brief_id", flat=True))
    out = set()
    for pk, state, agency in MonthlyBrief.objects.values_list("pk", "state", "agency_id"):
        if not user.is_superuser and org is not None and agency != org.pk:
            continue
        if state in ("draft", "returned") or (state == "accepted" and pk in unlocked):
            out.add(pk)
    return out


def periodic_ids(user: User) -> set[int]:
    rows = list(PeriodicReport.objects.values_list("pk", "division_id", "agency_id", "owner_id"))
    if user.is_superuser:
        return {r[0] for r in rows}
    org = _org(user)
    prefix = _prefix(user)
    out = set()
    for pk, code, agency, owner in rows:
        if prefix is not None and code.startswith(prefix):
            out.add(pk)
        elif org is not None and org.kind == Organisation.Kind.AGENCY and agency == org.pk:
            out.add(pk)
        if org is not None and owner == org.pk:
            out.add(pk)
    return out


def queue_ids(user: User) -> set[int]:
    """The queue page: a township's submitted briefs, a county bureau's reviewed ones, and overdue ones seen."""
    return brief_ids(user)
