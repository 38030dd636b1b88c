"""What each demo user should see of the services rows, computed from the data WITHOUT core.scoping."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Organisation, User
from policies.policy import effective_policy
from services.models import Beneficiary, Case, Escalation, Referral, ServiceRecord, StationServiceList, Visit
from stations.models import Station
from tests.oracle import home_prefix, station_ids, village_of

CHILD_AGE = 14
FIELD_KINDS = {Organisation.Kind.AGENCY, Organisation.Kind.TOWNSHIP}


def is_child(birth: object) -> bool:
    """Under 14 today, or birth date unknown (PIPL art. 28; the count goes up the day after the birthday)."""
    if not isinstance(birth, dt.date):
        return True
    today = timezone.localdate()
    try:
        fourteenth = birth.replace(year=birth.year + CHILD_AGE)
    except ValueError:
        fourteenth = dt.date(birth.year + CHILD_AGE, 2, 28)
    return today <= fourteenth


def _org(user: User) -> Organisation | None:
    return user.organisation


def is_county_bureau(user: User) -> bool:
    org = _org(user)
    return org is not None and org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6


def serves_children(user: User) -> bool:
    org = _org(user)
    return user.is_superuser or is_county_bureau(user) or (org is not None and org.kind == Organisation.Kind.AGENCY)


def field_writer(user: User) -> bool:
    """Agencies, townships and county bureaus record and follow up people (and the system administrator)."""
    org = _org(user)
    return (
        user.is_superuser
        or is_county_bureau(user)
        or (org is not None and org.kind in FIELD_KINDS and not village_of(user))
    )


def is_agency(user: User) -> bool:
    org = _org(user)
    return user.is_superuser or (org is not None and org.kind == Organisation.Kind.AGENCY)


def confirmer(user: User) -> bool:
    org = _org(user)
    return (
        user.is_superuser
        or is_county_bureau(user)
        or (org is not None and org.kind == Organisation.Kind.TOWNSHIP and not village_of(user))
    )


def _reach(user: User, division: str, station: int | None) -> bool:
    """Bureaus and townships by the division subtree; agencies and evaluators by their stations."""
    if user.is_superuser:
        return True
    org = _org(user)
    if org is None:
        return False
    if org.kind in (Organisation.Kind.BUREAU, Organisation.Kind.TOWNSHIP):
        return division.startswith(home_prefix(user))
    if org.kind in (Organisation.Kind.AGENCY, Organisation.Kind.EVALUATOR):
        return station in station_ids(user)
    return False


def _people(user: User, rows: list[tuple[object, str, int, object]]) -> set[str]:
    children = serves_children(user)
    return {
        str(key)
        for key, division, station, birth in rows
        if _reach(user, division, station) and (children or not is_child(birth))
    }


def beneficiary_ids(user: User) -> set[str]:
    rows = list(Beneficiary.objects.values_list("public_id", "division_id", "station_id", "birth_date"))
    return _people(user, rows)


def beneficiary_unmask_ids(user: User) -> set[str]:
    return beneficiary_ids(user) if field_writer(user) else set()


def may_export_people(user: User) -> bool:
    """Beneficiaries in clear: the county bureau only (and the system administrator)."""
    return user.is_superuser or is_county_bureau(user)


def visit_create_ids(user: User) -> set[str]:
    return beneficiary_ids(user) if is_agency(user) else set()


def visit_ids(user: User) -> set[str]:
    rows = list(Visit.objects.values_list("pk", "beneficiary__division_id", "station_id", "beneficiary__birth_date"))
    return _people(user, rows)


def escalation_ids(user: User) -> set[str]:
    rows = list(
        Escalation.objects.values_list("pk", "beneficiary__division_id", "station_id", "beneficiary__birth_date")
    )
    return _people(user, rows)


def case_ids(user: User) -> set[str]:
    rows = list(Case.objects.values_list("pk", "beneficiary__division_id", "station_id", "beneficiary__birth_date"))
    return _people(user, rows)


def record_ids(user: User, this_month: bool = False) -> set[str]:
    rows = ServiceRecord.objects.all()
    if this_month:
        today = timezone.localdate()
        rows = rows.filter(date__year=today.year, date__month=today.month)
    # A record naming a child (or a person of unknown birth date) is seen only by those who serve children.
    about_child: set[int] = {
        pk
        for pk, birth in ServiceRecord.beneficiaries.through.objects.values_list(
            "servicerecord_id", "beneficiary__birth_date"
        )
        if is_child(birth)
    }
    children = serves_children(user)
    return {
        str(pk)
        for pk, division, station in rows.values_list("pk", "station__division_id", "station_id")
        if _reach(user, division, station) and (children or pk not in about_child)
    }


def month_record_ids(user: User) -> set[str]:
    return record_ids(user, this_month=True)


def service_list_ids(user: User) -> set[str]:
    rows = StationServiceList.objects.values_list("pk", "station__division_id", "station_id")
    return {str(pk) for pk, division, station in rows if _reach(user, division, station)}


def referral_ids(user: User) -> set[str]:
    org_id = user.organisation_id
    children = serves_children(user)
    rows = Referral.objects.values_list(
        "pk", "from_station__division_id", "from_station_id", "to_agency_id", "case__beneficiary__birth_date"
    )
    return {
        str(pk)
        for pk, division, station, agency, birth in rows
        if (_reach(user, division, station) or (org_id is not None and agency == org_id))
        and (children or not is_child(birth))
    }


def _period_start(per: str, day: dt.date) -> dt.date:
    if per == "week":
        return day - dt.timedelta(days=day.weekday())
    if per == "month":
        return dt.date(day.year, day.month, 1)
    if per == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def due_ids(user: User) -> set[str]:
    """Scattered 特困 persons visited fewer than ``times`` times in the current calendar period (week, month, quarter,
    year) of their county's visit rule."""
    today = timezone.localdate()
    rules: dict[str, tuple[int, dt.date] | None] = {}
    out = set()
    for person in Beneficiary.objects.filter(active=True):
        if "tekun_scattered" not in person.categories:
            continue
        county = person.division_id[:6]
        if county not in rules:
            value = effective_policy(county).get("service.visit_frequency")
            rules[county] = (int(value["times"]), _period_start(value["per"], today)) if value else None
        rule = rules[county]
        if rule is None:
            continue
        times, since = rule
        if Visit.objects.filter(beneficiary=person, date__gte=since, date__lte=today).count() < times:
            out.add(person)
    keep = beneficiary_ids(user)
    return {str(p.public_id) for p in out if str(p.public_id) in keep}


def operating_station(division_prefix: str) -> Station | None:
    return (
        Station.objects.filter(division__pk__startswith=division_prefix, status=Station.Status.OPERATING)
        .order_by("pk")
        .first()
    )


def team_ids(user: User) -> set[str]:
    from services.models import VolunteerTeam

    year = timezone.localdate().year
    rows = VolunteerTeam.objects.filter(founded_on__year=year).values_list("pk", "station__division_id", "station_id")
    return {str(pk) for pk, division, station in rows if _reach(user, division, station)}


def all_team_ids(user: User) -> set[str]:
    """Every volunteer team the user reaches (the API lists all years; the page this year's)."""
    from services.models import VolunteerTeam

    rows = VolunteerTeam.objects.values_list("pk", "station__division_id", "station_id")
    return {str(pk) for pk, division, station in rows if _reach(user, division, station)}


def incubated_ids(user: User) -> set[str]:
    from services.models import IncubatedOrganisation

    rows = IncubatedOrganisation.objects.values_list("pk", "station__division_id", "station_id")
    return {str(pk) for pk, division, station in rows if _reach(user, division, station)}


def photo_ids(user: User) -> set[str]:
    """Photos: a visit's follow the visited person (a child's only to those who serve children); any other
    record's photo has no birth date and is treated like a child's (fail closed)."""
    from services.models import ServicePhoto

    rows = list(
        ServicePhoto.objects.values_list(
            "pk", "record__station__division_id", "record__station_id", "record__visit__beneficiary__birth_date"
        )
    )
    return _people(user, rows)
