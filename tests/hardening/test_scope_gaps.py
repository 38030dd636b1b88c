"""Issue 7, second list: tests that notice when a core mechanism stops being right (each closes a gap that
a hand-made mutant of the mechanism survived)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.validators import CREDIT_CODE_CHARS, credit_code_check_char, validate_credit_code
from contracts.models import Contract
from contracts.selectors import active_contract_stations
from core.api import METHOD_ACTIONS
from core.models import AuditLog
from core.scoping import Action, Role, ScopeRule, scope_of
from policies.registry import RuleDef
from stations.actions import station_update
from stations.api.views import StationViewSet
from stations.models import Division, Station

pytestmark = pytest.mark.django_db

SCOPED = [m for m in apps.get_models() if isinstance(getattr(m, "scoping", None), ScopeRule)]
JUNXI = "350425100"
SHIPAI = "350425101"


def junxi_station() -> Station:
    return Station.objects.get(division_id=JUNXI, level=Station.Level.TOWNSHIP)


# --- the agency's active-contract filter ----------------------------------------------------------


@pytest.fixture
def agency_case(demo: None):  # type: ignore[no-untyped-def]
    """A new agency with one contract per edge case, each on its own village station."""
    county = Division.objects.get(code="350425")
    bureau = Organisation.objects.get(kind=Organisation.Kind.BUREAU, division=county)
    agency = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name="边界测试社工机构", division=county)
    user = User.objects.create_user("edge_agency", password="Xx-12345678", organisation=agency)
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    cases = {
        "draft_current": (Contract.Status.DRAFT, today - 10 * day, today + 10 * day),
        "terminated_current": (Contract.Status.TERMINATED, today - 10 * day, today + 10 * day),
        "starts_tomorrow": (Contract.Status.ACTIVE, today + day, today + 100 * day),
        "ended_yesterday": (Contract.Status.ACTIVE, today - 100 * day, today - day),
        "first_day_today": (Contract.Status.ACTIVE, today, today + 100 * day),
        "last_day_today": (Contract.Status.ACTIVE, today - 100 * day, today),
    }
    villages = Station.objects.filter(level=Station.Level.VILLAGE, division__code__startswith="350425")[: len(cases)]
    assert len(villages) == len(cases)
    stations = {}
    for (name, (status, start, end)), station in zip(cases.items(), villages, strict=True):
        contract = Contract.objects.create(
            number=f"EDGE-{name}",
            buyer=bureau,
            division=county,
            agency=agency,
            start_date=start,
            end_date=end,
            status=status,
        )
        contract.stations.add(station)
        stations[name] = station.pk
    return SimpleNamespace(user=user, agency=agency, stations=stations, today=today)


def test_only_active_contracts_in_their_dates_give_stations(agency_case) -> None:  # type: ignore[no-untyped-def]
    s = agency_case.stations
    expected = {s["first_day_today"], s["last_day_today"]}
    assert set(active_contract_stations(agency_case.agency.pk, on=agency_case.today)) == expected
    assert set(Station.objects.for_user(agency_case.user).values_list("pk", flat=True)) == expected


def test_contract_dates_move_with_the_calendar(agency_case) -> None:  # type: ignore[no-untyped-def]
    s = agency_case.stations
    tomorrow = agency_case.today + dt.timedelta(days=1)
    yesterday = agency_case.today - dt.timedelta(days=1)
    assert set(active_contract_stations(agency_case.agency.pk, on=tomorrow)) == {
        s["starts_tomorrow"],
        s["first_day_today"],
    }
    assert set(active_contract_stations(agency_case.agency.pk, on=yesterday)) == {
        s["ended_yesterday"],
        s["last_day_today"],
    }


def test_the_agency_api_follows_the_contracts(agency_case) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(agency_case.user)
    shown = {r["id"] for r in client.get("/api/v1/stations/?limit=500").json()["results"]}
    s = agency_case.stations
    assert shown == {s["first_day_today"], s["last_day_today"]}
    assert client.get(f"/api/v1/stations/{s['draft_current']}/").status_code == 404
    assert client.get(f"/api/v1/stations/{s['last_day_today']}/").status_code == 200


# --- fail closed, over every scoped model -----------------------------------------------------------


def _seed_obligations() -> None:
    """Obligations and messages for every demo role (the demo's own sweep may have raised none)."""
    from decimal import Decimal

    from contracts.actions import contract_amend
    from tests.obligations.support import seed_isolation_obligations

    seed_isolation_obligations()
    # …and one supplementary agreement (contracts.Amendment), which the demo does not have.
    contract = Contract.objects.filter(status=Contract.Status.ACTIVE, division__code__startswith="350425").first()
    assert contract is not None
    today = timezone.localdate()
    contract_amend(
        acting_user=User.objects.get(username="datian_bureau"),
        contract=contract,
        signed_date=today,
        effective_date=today,
        reason="调整年度经费",
        amount_per_year=Decimal("230000.00"),
    )


def _nobody(kind: str) -> User:
    if kind == "no_organisation":
        return User.objects.create_user("nobody", password="Xx-12345678")
    org = Organisation.objects.get(name="大田县民政局")
    org.status = Organisation.Status.SUSPENDED if kind == "suspended" else Organisation.Status.DEREGISTERED
    org.save(update_fields=["status"])
    return User.objects.get(username="datian_bureau")


@pytest.mark.parametrize("kind", ["no_organisation", "suspended", "deregistered"])
@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_no_role_sees_nothing_of_any_scoped_model(demo: None, kind: str, model) -> None:  # type: ignore[no-untyped-def]
    _seed_obligations()
    _seed_rows_the_demo_leaves_empty()
    user = _nobody(kind)
    assert scope_of(user).role == Role.NONE
    for action in Action:
        assert not model.objects.for_user(user, action).exists(), (model._meta.label, action)


def _seed_rows_the_demo_leaves_empty() -> None:
    """Rows the demo deliberately does not hold (Datian's bureau has yet to set its pass mark; no accepted brief
    has been reopened; no renewal decided yet), so that the fail-closed test has something to hide."""
    import datetime as dt

    from django.utils import timezone

    from contracts.models import Contract
    from evaluation.models import PassMark, Renewal
    from evaluation.reports.models import BriefUnlock, MonthlyBrief

    bureau = User.objects.get(username="datian_bureau")
    previous = Contract.objects.filter(status=Contract.Status.EXPIRED).order_by("pk").first()
    if previous is not None and not Renewal.objects.filter(previous=previous).exists():
        Renewal.objects.create(
            previous=previous,
            service_year=previous.start_date.year,
            by_hand=True,
            passed=True,
            reason="测试：纸质评估报告",
            outcome=Renewal.Outcome.RENEWED,
            decided_by=bureau,
        )
    PassMark.objects.get_or_create(
        bureau=bureau.organisation, defaults={"mark": 60, "basis": "测试：局务会议确定", "set_by": bureau}
    )
    from evaluation.models import EvaluationTemplate

    if not EvaluationTemplate.objects.exists():  # Datian's plan names no aspects: its bureau adopts none in the demo
        from tests.evaluation.support import template

        template()
    from evaluation.models import StarRule

    StarRule.objects.get_or_create(
        bureau=bureau.organisation,
        stars=5,
        defaults={"min_total": 90, "basis": "测试：局务会议确定", "set_by": bureau},
    )
    _seed_photo()
    _seed_care_agreement()
    brief = MonthlyBrief.objects.order_by("pk").first()
    if brief is not None and not BriefUnlock.objects.exists():
        BriefUnlock.objects.create(
            brief=brief,
            division_id=brief.division_id,
            reason="测试：更正表述",
            expires_at=timezone.now() + dt.timedelta(days=1),
            granted_by=bureau,
        )


def _seed_care_agreement() -> None:
    """Four-party care agreements are Nantong's [004 §3(7)] and the demo has no Nantong place: one in 如皋市."""
    from contracts.models import CareAgreement
    from tests.contracts.care_support import care_agreement

    if not CareAgreement.objects.exists():
        care_agreement(status="signed")


def _seed_photo() -> None:
    """The demo keeps no photo files (they would live in private storage outside the repository): one real upload
    through the agency's action, cleaned like any other."""

    import tempfile

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings
    from PIL import Image

    from services import actions as sa
    from services.models import ServicePhoto, ServiceRecord

    if ServicePhoto.objects.exists():
        return
    agency = User.objects.get(username="agency_sunshine")
    record = ServiceRecord.objects.for_user(agency, Action.CHANGE).order_by("pk").first()
    assert record is not None, "the demo agency has a record to photograph"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="PNG")
    upload = SimpleUploadedFile("a.png", out.getvalue(), "image/png")
    with override_settings(PRIVATE_MEDIA_ROOT=tempfile.mkdtemp(prefix="zhanwu-photo-")):
        sa.photo_add(acting_user=agency, record=record, upload=upload)


def test_every_scoped_model_has_rows_so_the_fail_closed_test_means_something(demo: None) -> None:
    _seed_obligations()
    _seed_rows_the_demo_leaves_empty()
    AuditLog.objects.create(event="login", username="x", division_code="350425")
    empty = [m._meta.label for m in SCOPED if not m._default_manager.exists()]
    assert not empty, f"add demo rows for {empty}: the fail-closed test would pass on an empty table"


def test_a_suspended_organisation_loses_its_pages_and_api(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    station = junxi_station()
    assert client.get(f"/stations/{station.pk}/").status_code == 200
    Organisation.objects.filter(name="大田县民政局").update(status=Organisation.Status.SUSPENDED)
    assert client.get(f"/stations/{station.pk}/").status_code == 404
    assert client.get(f"/api/v1/stations/{station.pk}/").status_code == 404


# --- the scope cached on a user ---------------------------------------------------------------------


def test_saving_a_new_organisation_recomputes_the_scope_of_the_same_user_object(demo: None) -> None:
    user = User.objects.get(username="junxi_town")
    assert Station.objects.for_user(user).filter(division_id=JUNXI).exists()
    user.organisation = Organisation.objects.get(division_id=SHIPAI, kind=Organisation.Kind.TOWNSHIP)
    user.save(update_fields=["organisation"])
    assert not Station.objects.for_user(user).filter(division_id=JUNXI).exists()
    assert Station.objects.for_user(user).filter(division_id=SHIPAI).exists()


def test_a_new_organisation_between_two_requests(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("junxi_town")
    station = junxi_station()
    assert client.get(f"/stations/{station.pk}/").status_code == 200
    User.objects.filter(username="junxi_town").update(
        organisation=Organisation.objects.get(division_id=SHIPAI, kind=Organisation.Kind.TOWNSHIP)
    )
    assert client.get(f"/stations/{station.pk}/").status_code == 404


def test_a_contract_ended_between_two_requests(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("agency_harmony")
    contract = Contract.objects.filter(agency__name="大田县和谐社会工作服务中心", status="active").first()
    assert contract is not None
    station = contract.stations.get()
    assert not Contract.objects.filter(stations=station, status="active").exclude(pk=contract.pk).exists()
    assert client.get(f"/api/v1/stations/{station.pk}/").status_code == 200
    contract.status = Contract.Status.TERMINATED
    contract.save(update_fields=["status"])
    assert client.get(f"/api/v1/stations/{station.pk}/").status_code == 404


# --- station_update's own re-check, and the API's method → action mapping, each on its own ------------


@pytest.mark.parametrize("username", ["fj_province", "junxi_town", "agency_sunshine", "evaluator"])
def test_station_update_refuses_a_user_without_change_scope(demo: None, username: str) -> None:
    station = junxi_station()
    user = User.objects.get(username=username)
    # A role that may not take the action, or an object outside the change scope: refused either way
    # (the declared action's role guard answers 404 like an object out of scope).
    with pytest.raises((PermissionDenied, Http404)):
        station_update(acting_user=user, station=station, data={"address": "越权修改"})
    station.refresh_from_db()
    assert station.address != "越权修改"
    assert not AuditLog.objects.filter(object_id=str(station.pk), username=username, event="update").exists()


def test_methods_map_to_scope_actions() -> None:
    """Reads scope with "view"; a write scopes with the verb of the declared action its handler is mapped to
    (core.actions), so no HTTP method stands for a verb by itself."""
    assert METHOD_ACTIONS == {"GET": Action.VIEW, "HEAD": Action.VIEW, "OPTIONS": Action.VIEW}
    view = StationViewSet()
    view.action = "partial_update"
    view.request = SimpleNamespace(method="PATCH", user=None)  # type: ignore[assignment]
    assert view.scope_verb() == Action.CHANGE


@pytest.mark.parametrize(("method", "sees"), [("GET", True), ("PATCH", False), ("PUT", False), ("DELETE", False)])
def test_viewset_queryset_uses_the_action_of_the_method(demo: None, method: str, sees: bool) -> None:
    """The province may view Datian's stations but not change them: its PATCH queryset is empty,
    whatever station_update would say later."""
    view = StationViewSet()
    view.action = {"GET": "retrieve", "PATCH": "partial_update", "PUT": "update", "DELETE": "destroy"}[method]
    view.request = SimpleNamespace(method=method, user=User.objects.get(username="fj_province"))  # type: ignore[assignment]
    assert view.get_queryset().filter(pk=junxi_station().pk).exists() is sees


# --- audit of a regional centre's covered townships ------------------------------------------------


def test_covered_townships_change_is_audited_with_before_and_after(demo: None) -> None:
    regional = Station.objects.get(level=Station.Level.REGIONAL)
    before = sorted(regional.covered_townships.values_list("code", flat=True))
    new = [JUNXI, SHIPAI]
    officer = User.objects.get(username="datian_bureau")
    station_update(
        acting_user=officer, station=regional, data={}, covered_townships=list(Division.objects.filter(code__in=new))
    )
    row = AuditLog.objects.filter(object_id=str(regional.pk), event="update").latest("at")
    assert row.changes["covered_townships"] == {"before": before, "after": new}
    assert row.username == "datian_bureau" and row.division_code == regional.division_id


def test_covered_townships_outside_the_county_are_refused(demo: None) -> None:
    regional = Station.objects.get(level=Station.Level.REGIONAL)
    officer = User.objects.get(username="datian_bureau")
    with pytest.raises(ValidationError, match="本县"):
        station_update(
            acting_user=officer,
            station=regional,
            data={},
            covered_townships=[
                Division.objects.create(code="350426100", name="邻县某镇", level=Division.Level.TOWNSHIP)
            ],
        )


# --- registry validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "value", "message"),
    [
        ("int", "-1", "不能为负数"),
        ("int", "1.5", "应为整数"),
        ("int", True, "应为整数"),
        ("decimal", "-0.01", "非负"),
        ("decimal", "NaN", "应为数字"),
        ("decimal", "abc", "应为数字"),
        ("bool", "也许", "是"),
        ("choice", "unknown", "不是可选的值"),
        ("list", "", "不能为空"),
        ("text", "   ", "不能为空"),
    ],
)
def test_registry_refuses_bad_values(type_: str, value: object, message: str) -> None:
    rule = RuleDef(key="k", label="k", type=type_, section="s", choices=(("a", "甲"), ("b", "乙")))
    with pytest.raises(ValueError, match=message):
        rule.validate(value)


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        ("int", " 0 ", 0),
        ("decimal", "0", "0"),
        ("bool", "否", False),
        ("choice", "b", "b"),
        ("list", "甲\n\n乙", ["甲", "乙"]),
    ],
)
def test_registry_accepts_edge_values(type_: str, value: object, expected: object) -> None:
    rule = RuleDef(key="k", label="k", type=type_, section="s", choices=(("a", "甲"), ("b", "乙")))
    assert rule.validate(value) == expected


# --- credit codes, against an independent computation ---------------------------------------------


def _independent_check_char(first17: str) -> str:
    """GB 32100-2015: weights are 3^i mod 31, check value (31 - sum mod 31) mod 31."""
    total = sum(CREDIT_CODE_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", ["9144030071526726XG", "914403001922038216"])
def test_published_credit_codes_are_valid(code: str) -> None:
    validate_credit_code(code)


def test_credit_code_whose_check_character_is_zero(demo: None) -> None:
    body = next(f"91350425MA{n:07d}" for n in range(1000) if _independent_check_char(f"91350425MA{n:07d}") == "0")
    validate_credit_code(body + "0")
    assert credit_code_check_char(body) == "0"
    with pytest.raises(ValidationError, match="第 18 位应为 0"):
        validate_credit_code(body + "1")


def test_credit_check_character_matches_the_independent_computation_over_many_bodies() -> None:
    for n in range(200):
        body = f"52350425MJ{n:07d}"
        assert credit_code_check_char(body) == _independent_check_char(body), body


# --- CSV exports neutralise formulas --------------------------------------------------------------


def test_csv_export_neutralises_formula_cells(user_client) -> None:  # type: ignore[no-untyped-def]
    village = Division.objects.filter(code__startswith="350425", level=Division.Level.VILLAGE).exclude(
        stations__isnull=False
    )
    names = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"]
    for division, name in zip(village, names, strict=False):
        Station.objects.create(division=division, level=Station.Level.VILLAGE, name=name, address="\t=1+1")
    response = user_client("datian_bureau").get("/stations/?export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    for name in names:
        assert "'" + name in cells, name
        assert name not in cells, name
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t") for cell in cells)


# --- lockout and idle session, with the clock moved (nothing stored is edited by hand) ------------------


def _lock(client: Client, username: str) -> None:
    for _ in range(5):
        client.post("/login/", {"username": username, "password": "wrong-Password1"})


def test_the_lockout_ends_after_30_minutes(demo: None, password: str) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = Client()
        _lock(client, "shipai_town")
        locked = client.post("/login/", {"username": "shipai_town", "password": password})
        assert locked.status_code == 429 and "锁定" in locked.content.decode()
        clock.shift(dt.timedelta(minutes=31))
        response = client.post("/login/", {"username": "shipai_town", "password": password})
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get("/").status_code == 200


def test_the_lockout_still_holds_after_29_minutes(demo: None, password: str) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = Client()
        _lock(client, "shipai_town")
        clock.shift(dt.timedelta(minutes=29))
        response = client.post("/login/", {"username": "shipai_town", "password": password})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
