"""The isolation suite: for one user of every role, every list and detail URL of the pages and the
API shows exactly the in-scope objects, and out-of-scope ids answer 404.

Expected answers come from tests/oracle.py, computed from the data without core.scoping.
A URL pattern this file does not cover fails ``test_every_url_is_covered``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Organisation, User
from contracts.models import Contract, Procurement
from obligations.models import Notification, Obligation
from policies.models import Policy
from services.models import ServiceCatalogue, ServiceItem
from stations.models import Division, Station
from tests import oracle
from tests.checks import DetailCheck, ListCheck, RolePageCheck, api_ids, collected, contributions, html_ids
from tests.obligations.support import seed_isolation_obligations
from tests.personal_app.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _obligations(db: None) -> None:
    """Obligations and messages for every role (inside each test's transaction)."""
    from tests.conftest import _ensure_demo

    _ensure_demo()
    seed_isolation_obligations()
    for module in contributions("isolation"):
        if hasattr(module, "seed"):
            module.seed()


def _csv_station_ids(client: Client, url: str) -> set[str]:
    """Station ids of the rows of a CSV export (rows are matched by their unique signage name)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    by_name = dict(Station.objects.values_list("name", "pk"))
    return {str(by_name[row[0]]) for row in rows}


def _division_sample() -> list[Division]:
    codes = ["35", "3504", "350425", "43", "469025", "5105", "3206"]
    out = list(Division.objects.filter(code__in=codes))
    for t in Division.objects.filter(code__startswith="350425", level=4):
        out.append(t)
        out.extend(Division.objects.filter(code__startswith=t.code, level=5).order_by("code")[:2])
    return out


def _str(f: Callable[[User], set[Any]]) -> Callable[[User], set[str]]:
    return lambda u: {str(x) for x in f(u)}


def _all_pks(model: type[models.Model]) -> Callable[[User], set[Any]]:
    return lambda u: set(model._default_manager.values_list("pk", flat=True))


def _xlsx_station_ids(client: Client, url: str) -> set[str]:
    """Station ids of the rows of an Excel export (first column: the unique signage name)."""
    from openpyxl import load_workbook

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    by_name = dict(Station.objects.values_list("name", "pk"))
    return {str(by_name[row[0]]) for row in sheet.iter_rows(min_row=2, values_only=True)}


def _xlsx_contract_ids(client: Client, url: str) -> set[str]:
    """The register's agreement numbers, mapped back to ids (numbers are unique per buyer; the demo has one)."""
    import io

    from openpyxl import load_workbook

    response = client.get(url)
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]  # type: ignore[union-attr]
    return {str(pk) for pk in Contract.objects.filter(number__in=numbers).values_list("pk", flat=True)}


LISTS = [
    ListCheck("station-list", "/stations/", html_ids(r'href="/stations/(\d+)/"'), _str(oracle.station_ids)),
    ListCheck("station-list", "/stations/?export=csv", _csv_station_ids, _str(oracle.station_ids)),
    ListCheck("station-list", "/stations/?export=xlsx", _xlsx_station_ids, _str(oracle.station_ids)),
    ListCheck("division-list", "/divisions/", html_ids(r'href="/divisions/(\d+)/"'), oracle.division_codes, False),
    ListCheck(
        "policy-list",
        "/policies/",
        html_ids(r'href="/policies/effective/\?division=(\d+)"'),
        lambda u: {p.division_id for p in Policy.objects.filter(pk__in=oracle.policy_ids(u))},
    ),
    ListCheck(
        "catalogue-list", "/catalogue/", html_ids(r'href="/catalogue/items/(\d+)/"'), _str(_all_pks(ServiceItem))
    ),
    ListCheck("api:station-list", "/api/v1/stations/", api_ids(), _str(oracle.station_ids)),
    ListCheck("api:division-list", "/api/v1/divisions/", api_ids("code"), oracle.division_codes),
    ListCheck("api:contract-list", "/api/v1/contracts/", api_ids(), _str(oracle.contract_ids)),
    ListCheck("contract-list", "/contracts/", html_ids(r'href="/contracts/(\d+)/"'), _str(oracle.contract_ids)),
    ListCheck("contract-list", "/contracts/?export=xlsx", _xlsx_contract_ids, _str(oracle.contract_ids)),
    ListCheck(
        "procurement-list", "/procurements/", html_ids(r'href="/procurements/(\d+)/"'), _str(oracle.procurement_ids)
    ),
    ListCheck("api:procurement-list", "/api/v1/procurements/", api_ids(), _str(oracle.procurement_ids)),
    ListCheck("api:policy-list", "/api/v1/policies/", api_ids(), _str(oracle.policy_ids)),
    ListCheck("api:organisation-list", "/api/v1/organisations/", api_ids(), _str(oracle.organisation_ids)),
    ListCheck("api:serviceitem-list", "/api/v1/service-items/", api_ids(), _str(_all_pks(ServiceItem))),
    ListCheck(
        "personal_test:person-list",
        "/personal-test/people/",
        html_ids(r'href="/personal-test/people/([0-9a-f-]{36})/"'),
        oracle.person_ids,
    ),
    ListCheck("personal_test_api:person-list", "/personal-test/api/people/", api_ids(), oracle.person_ids),
    ListCheck(
        "api:servicecatalogue-list",
        "/api/v1/service-catalogues/",
        api_ids("code"),
        lambda u: set(ServiceCatalogue.objects.values_list("code", flat=True)),
    ),
    ListCheck("obligation-list", "/obligations/", html_ids(r'href="/obligations/(\d+)/"'), _str(oracle.obligation_ids)),
    ListCheck("notification-list", "/notifications/", html_ids(r'id="n-(\d+)"'), _str(oracle.notification_ids)),
    ListCheck("api:obligation-list", "/api/v1/obligations/", api_ids(), _str(oracle.obligation_ids)),
    ListCheck("api:notification-list", "/api/v1/notifications/", api_ids(), _str(oracle.notification_ids)),
]

DETAILS = [
    DetailCheck("station-detail", lambda s: f"/stations/{s.pk}/", Station.objects.all, oracle.station_ids),
    DetailCheck("station-edit", lambda s: f"/stations/{s.pk}/edit/", Station.objects.all, oracle.station_change_ids),
    DetailCheck("division-detail", lambda d: f"/divisions/{d.code}/", _division_sample, oracle.division_codes),
    DetailCheck(
        "policy-effective", lambda d: f"/policies/effective/?division={d.code}", _division_sample, oracle.division_codes
    ),
    DetailCheck(
        "catalogue-item",
        lambda i: f"/catalogue/items/{i.pk}/",
        lambda: ServiceItem.objects.all()[:5],
        _all_pks(ServiceItem),
    ),
    DetailCheck(
        "org-user-detail", lambda u: f"/users/{u.pk}/", lambda: User.objects.order_by("pk"), oracle.org_user_ids
    ),
    DetailCheck("area-summary", lambda d: f"/overview/{d.code}/", _division_sample, oracle.area_summary_codes),
    DetailCheck("api:station-detail", lambda s: f"/api/v1/stations/{s.pk}/", Station.objects.all, oracle.station_ids),
    DetailCheck(
        "api:division-detail", lambda d: f"/api/v1/divisions/{d.code}/", _division_sample, oracle.division_codes
    ),
    DetailCheck(
        "api:policy-effective",
        lambda d: f"/api/v1/policies/effective/?division={d.code}",
        _division_sample,
        oracle.division_codes,
    ),
    DetailCheck(
        "api:contract-detail", lambda c: f"/api/v1/contracts/{c.pk}/", Contract.objects.all, oracle.contract_ids
    ),
    DetailCheck("contract-detail", lambda c: f"/contracts/{c.pk}/", Contract.objects.all, oracle.contract_ids),
    DetailCheck(
        "procurement-detail", lambda p: f"/procurements/{p.pk}/", Procurement.objects.all, oracle.procurement_ids
    ),
    DetailCheck(
        "api:contract-ocds", lambda c: f"/api/v1/contracts/{c.pk}/ocds/", Contract.objects.all, oracle.contract_ids
    ),
    DetailCheck(
        "api:procurement-detail",
        lambda p: f"/api/v1/procurements/{p.pk}/",
        Procurement.objects.all,
        oracle.procurement_ids,
    ),
    DetailCheck("api:policy-detail", lambda p: f"/api/v1/policies/{p.pk}/", Policy.objects.all, oracle.policy_ids),
    DetailCheck(
        "api:organisation-detail",
        lambda o: f"/api/v1/organisations/{o.pk}/",
        Organisation.objects.all,
        oracle.organisation_ids,
    ),
    DetailCheck(
        "api:serviceitem-detail",
        lambda i: f"/api/v1/service-items/{i.pk}/",
        lambda: ServiceItem.objects.all()[:5],
        _all_pks(ServiceItem),
    ),
    DetailCheck(
        "personal_test:person-detail",
        lambda p: f"/personal-test/people/{p.public_id}/",
        Person.objects.all,
        oracle.person_ids,
        key=lambda p: p.public_id,
    ),
    DetailCheck(
        "personal_test:person-unmask",
        lambda p: f"/personal-test/people/{p.public_id}/unmask/",
        Person.objects.all,
        oracle.person_unmask_ids,
        key=lambda p: p.public_id,
    ),
    DetailCheck(
        "personal_test_api:person-detail",
        lambda p: f"/personal-test/api/people/{p.public_id}/",
        Person.objects.all,
        oracle.person_ids,
        key=lambda p: p.public_id,
    ),
    DetailCheck(
        "api:servicecatalogue-detail",
        lambda c: f"/api/v1/service-catalogues/{c.code}/",
        ServiceCatalogue.objects.all,
        lambda u: set(ServiceCatalogue.objects.values_list("code", flat=True)),
        key=lambda c: c.code,
    ),
    DetailCheck("obligation-detail", lambda o: f"/obligations/{o.pk}/", Obligation.objects.all, oracle.obligation_ids),
    DetailCheck(
        "api:obligation-detail",
        lambda o: f"/api/v1/obligations/{o.pk}/",
        Obligation.objects.all,
        oracle.obligation_ids,
    ),
    DetailCheck(
        "api:notification-detail",
        lambda n: f"/api/v1/notifications/{n.pk}/",
        Notification.objects.all,
        oracle.notification_ids,
    ),
]


ROLE_PAGES = [
    RolePageCheck(
        "station-grants",
        "/stations/grants/",
        oracle.may_grant,
        r'name="station" value="(\d+)"',
        oracle.station_change_ids,
    ),
    RolePageCheck("org-user-list", "/users/", oracle.may_manage_users, r'href="/users/(\d+)/"', oracle.org_user_ids),
    RolePageCheck("org-user-create", "/users/new/", oracle.may_manage_users),
    RolePageCheck("audit-log", "/audit/", oracle.may_read_audit, r'data-audit-id="(\d+)"', oracle.audit_ids),
]

HOME_LISTS_EVERY_STATION = {"junxi_town", "shipai_town", "agency_sunshine", "agency_harmony", "evaluator"}

# Detail checks over reference data every role may read (nothing is outside anyone's scope).
PUBLIC_DETAILS = {"catalogue-item", "api:serviceitem-detail", "api:servicecatalogue-detail"}

# Named URLs that show no tenant objects, each with the reason.
EXEMPT = {
    "login": "the login form",
    "logout": "POST-only logout",
    "password-change": "the user's own password, tests/accounts/test_password_change.py",
    "otp-setup": "the user's own authenticator, tests/accounts/test_second_factor.py",
    "otp-verify": "the user's own second factor, tests/accounts/test_second_factor.py",
    "otp-recovery": "the user's own recovery codes, tests/accounts/test_second_factor.py",
    "home": "checked by test_home_pages_show_only_own_stations",
    "policy-edit": "checked by test_policy_editor_is_only_for_the_owning_bureau",
    "policy-adopt": "POST only, own division: tests/policies/test_rules.py test_nantong_counties_inherit_nothing…",
    "api:policy-adopt": "POST only, own division: tests/policies/test_rules.py test_api_effective_policy…",
    "api:policy-evaluate": "POST, division through for_user: tests/policies/test_rules.py test_api_effective_policy…",
    "api:policy-presets": "public reference templates (PolicyPreset.scoping public), no tenant rows",
    "station-create": "checked by tests/stations/test_station_create.py for every role",
    "api-schema": "the OpenAPI document",
    "api-docs": "the Swagger UI page",
    "api-redoc": "the ReDoc page",
    "healthz": "health check without data",
    "api:api-root": "DRF's index of endpoints",
    "api:auth-token": "token login, checked in tests/api",
    "api:auth-logout": "revokes the caller's own token, tests/hardening/test_tokens.py",
    "api:me": "the user's own account",
    "personal_test:person-search": "POST search, every role in tests/personal/test_pages.py test_lookup_by_post",
    "personal_test:person-export": "clear export, every role in tests/personal/test_pages.py",
    "personal_test_api:person-unmask": "POST only, every role in tests/personal/test_pages.py and test_unmask_matrix",
    "calendar-year": "reference data, checked by test_calendar_is_reference_data_for_every_role",
    "calendar-deadline": "reference data, checked by test_calendar_is_reference_data_for_every_role",
    "calendar-arrangement": "administrator only, checked by test_calendar_is_reference_data_for_every_role",
    "api:calendar-deadline": "reference data, checked by test_calendar_is_reference_data_for_every_role",
    "api:calendar-days": "reference data, checked by test_calendar_is_reference_data_for_every_role",
    "notification-read": "POST on the user's own message, tests/obligations/test_inbox.py (others' answer 404)",
    "notification-read-all": "POST over the user's own messages, tests/obligations/test_inbox.py",
    "api:notification-read": "POST on the user's own message, tests/obligations/test_inbox.py (others' answer 404)",
    "api:notification-read-all": "POST over the user's own messages, tests/obligations/test_inbox.py",
    "api:obligation-waive": "POST, bureaus in scope only, tests/obligations/test_waive.py",
    "contract-task-book-confirm": "POST only, a declared action: tests/contracts/test_pages.py test_task_book_flow",
    "contract-transition": "POST only, declared actions: tests/contracts/test_pages.py test_transition_page_by_role",
    **{
        f"api:{name}": "POST only, a declared action: tests/test_write_matrix.py (every role) and tests/contracts/"
        for name in (
            "contract-sign",
            "contract-file",
            "contract-activate",
            "contract-expire",
            "contract-terminate",
            "contract-amend",
            "contract-task-book",
            "contract-confirm-task-book",
            "procurement-bidders",
            "procurement-award",
        )
    },
}


# What each app's own test package contributes (tests/checks.py says how).
for _extra in collected("isolation", "LISTS"):
    LISTS.extend(_extra)
for _extra in collected("isolation", "DETAILS"):
    DETAILS.extend(_extra)
for _extra in collected("isolation", "ROLE_PAGES"):
    ROLE_PAGES.extend(_extra)
for _extra in collected("isolation", "EXEMPT"):
    EXEMPT.update(_extra)
for _extra in collected("isolation", "PUBLIC_DETAILS"):
    PUBLIC_DETAILS.update(_extra)


def _named_patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterable[str]:
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue  # admin pages: tests/accounts/test_admin.py
            ns = f"{p.namespace}:" if p.namespace else prefix
            yield from _named_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}"


def test_every_url_is_covered() -> None:
    covered = {c.name for c in LISTS} | {c.name for c in DETAILS} | {c.name for c in ROLE_PAGES} | set(EXEMPT)
    names = set(_named_patterns())
    # DRF's format-suffix twins ("…-list" with .json) share the name, so names are enough.
    missing = sorted(names - covered)
    assert not missing, f"URLs without an isolation test: {missing}"
    stale = sorted(covered - names)
    assert not stale, f"isolation checks for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("username", oracle.ROLE_USERS)
@pytest.mark.parametrize("check", LISTS, ids=lambda c: c.name)
def test_lists_show_exactly_the_users_part(user_client, username: str, check: ListCheck) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(username=username)
    shown = check.extract(user_client(username), check.url)
    expected = {str(x) for x in check.expected(user)}
    foreign = shown - expected
    assert not foreign, f"{username} sees out-of-scope rows on {check.url}: {sorted(foreign)[:10]}"
    if check.complete:
        assert shown == expected, f"{username} misses rows on {check.url}: {sorted(expected - shown)[:10]}"


@pytest.fixture
def outside_objects(demo: None) -> None:
    """A station, a contract and organisations in 白沙 (Hainan): outside every Fujian account, so the detail
    checks exercise the 404 answer for the bureaus too (all demo stations are in Datian)."""
    baisha = Division.objects.get(code="469025")
    bureau = Organisation.objects.create(kind=Organisation.Kind.BUREAU, name="白沙黎族自治县民政局", division=baisha)
    agency = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name="白沙社会工作服务中心", division=baisha)
    station = Station.objects.create(
        division=baisha, level=Station.Level.COUNTY_HQ, name="白沙黎族自治县社会工作服务总站"
    )
    contract = Contract.objects.create(
        number="BS-2026-HQ",
        buyer=bureau,
        division=baisha,
        agency=agency,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        status=Contract.Status.ACTIVE,
    )
    contract.stations.add(station)
    Procurement.objects.create(
        number="BS-CG-2026-1",
        title="白沙黎族自治县社工站项目",
        buyer=bureau,
        division=baisha,
        method="open_tender",
        budget="220000.00",
        announced_date=dt.date(2026, 3, 1),
        bid_deadline=dt.date(2026, 3, 21),
    )
    from django.contrib.contenttypes.models import ContentType

    Obligation.objects.create(
        kind="station.signage",
        title=f"{station.name}：完成挂牌",
        content_type=ContentType.objects.get_for_model(Station),
        object_id=station.pk,
        owner=bureau,
        division=baisha,
        notify_division=baisha,
        due_date=dt.date(2026, 12, 31),
        state=Obligation.State.UPCOMING,
        created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    for module in contributions("isolation"):
        if hasattr(module, "outside"):
            module.outside()


@pytest.mark.usefixtures("outside_objects")
@pytest.mark.parametrize("username", oracle.ROLE_USERS)
@pytest.mark.parametrize("check", DETAILS, ids=lambda c: c.name)
def test_details_answer_404_outside_scope(user_client, username: str, check: DetailCheck) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(username=username)
    client = user_client(username)
    expected = {str(x) for x in check.expected(user)}
    objects = list(check.objects())
    assert objects
    inside = outside = 0
    for obj in objects:
        status = client.get(check.url(obj)).status_code
        if str(check.key(obj)) in expected:
            inside += 1
            assert status == 200, f"{username} should open {check.url(obj)}, got {status}"
        else:
            outside += 1
            assert status == 404, f"{username} must get 404 for {check.url(obj)}, got {status}"
    # The sample exercises both answers: something the user opens whenever it may open any of the sample,
    # and a 404 whenever the user's scope is not everything.
    keys = {str(check.key(o)) for o in objects}
    assert inside == len(keys & expected)
    assert (outside > 0) == bool(keys - expected), (username, check.name)
    if username != "admin" and check.name not in PUBLIC_DETAILS:
        assert outside > 0, f"the sample of {check.name} has nothing outside {username}'s scope"


def test_anonymous_users_see_nothing(demo: None) -> None:
    client = Client()
    for check in LISTS:
        response = client.get(check.url)
        if check.url.startswith("/api/") or "/api/" in check.url:
            assert response.status_code == 401, check.url
        else:
            assert response.status_code == 302 and response["Location"].startswith("/login/"), check.url


def test_home_pages_show_only_own_stations(user_client) -> None:  # type: ignore[no-untyped-def]
    for username in oracle.ROLE_USERS:
        user = User.objects.get(username=username)
        response = user_client(username).get("/")
        assert response.status_code == 200, username
        body = response.content.decode()
        visible = oracle.station_ids(user)
        for station in Station.objects.exclude(pk__in=visible):
            assert f'href="/stations/{station.pk}/"' not in body, (username, station.name)
        # And what the page does show is the user's own part: townships, agencies and evaluators see every
        # station of theirs linked; the county bureau some; the province and the administrator only totals.
        shown = {int(pk) for pk in re.findall(r'href="/stations/(\d+)/"', body)}
        assert shown <= visible, (username, shown - visible)
        if username in HOME_LISTS_EVERY_STATION:
            assert shown == visible, (username, visible - shown)
        elif username == "datian_bureau":
            assert shown


def test_policy_editor_is_only_for_the_owning_bureau(user_client) -> None:  # type: ignore[no-untyped-def]
    assert user_client("datian_bureau").get("/policies/edit/").status_code == 200
    for username in ["fj_province", "junxi_town", "agency_sunshine", "evaluator"]:
        status = user_client(username).get("/policies/edit/").status_code
        # The provincial bureau edits the province's policy page; others have none.
        assert status == (200 if username == "fj_province" else 404), (username, status)


def _audit_rows_in_three_places() -> None:
    """Audit rows in the bureau's county, in another province and without a division."""
    from core import audit

    for code in ("350425", "350425100", "469025", ""):
        audit.record(acting_user=None, event="update", object_type="stations.Station", division_code=code)


@pytest.mark.parametrize("username", oracle.ROLE_USERS)
@pytest.mark.parametrize("check", ROLE_PAGES, ids=lambda c: c.name)
def test_role_pages_show_exactly_the_users_part(user_client, username: str, check: RolePageCheck) -> None:  # type: ignore[no-untyped-def]
    _audit_rows_in_three_places()
    user = User.objects.get(username=username)
    client = user_client(username)
    first = client.get(check.url)
    if not check.allowed(user):
        assert first.status_code == 404, (username, check.url, first.status_code)
        return
    assert first.status_code == 200, (username, check.url, first.status_code)
    if check.pattern:
        expected = {str(x) for x in check.expected(user)}
        shown = html_ids(check.pattern)(client, check.url)
        assert shown == expected, (username, check.url, sorted(shown ^ expected)[:10])


CALENDAR_READS = [
    "/calendar/?year=2026",
    "/calendar/deadline/?start=2026-09-28&amount=15&unit=working_days",
    "/api/v1/calendar/deadline/?start=2026-09-28&working_days=15",
    "/api/v1/calendar/days/?year=2026",
]


def test_calendar_is_reference_data_for_every_role(user_client) -> None:  # type: ignore[no-untyped-def]
    """Every role reads the same calendar; only the system administrator opens the arrangement page (404 for the
    rest); a user without a role and anonymous users get nothing."""
    answers: dict[str, set[bytes]] = {url: set() for url in CALENDAR_READS}
    for username in oracle.ROLE_USERS:
        client = user_client(username)
        for url in CALENDAR_READS:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
            if url.startswith("/api/"):
                answers[url].add(response.content)
        status = client.get("/calendar/arrangement/").status_code
        assert status == (200 if username == "admin" else 404), (username, status)
    assert all(len(a) == 1 for url, a in answers.items() if url.startswith("/api/")), "the same answer for every role"
    nobody = Client()
    nobody.force_login(User.objects.create_user("calendar_nobody", password="Zhanwu@2026-x"))
    anonymous = Client()
    for url in [*CALENDAR_READS, "/calendar/arrangement/"]:
        assert nobody.get(url).status_code == 404, url
        assert anonymous.get(url).status_code in (302, 401), url
