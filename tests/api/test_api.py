"""The REST API (/api/v1/): token login with lockout, scoped lists and details, the effective policy,
station PATCH through the action, /healthz, query-count bounds and the OpenAPI schema.

Row-by-row isolation for every role is tests/test_isolation.py; here each endpoint is exercised for a
county bureau, a township and an agency, through HTTP with a real token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.api.auth import touch
from accounts.models import Organisation, User
from contracts.models import Contract
from core.api import ScopedViewSetMixin
from core.models import AuditLog
from stations.models import Division, Station

pytestmark = pytest.mark.django_db

COUNTY = "350425"
JUNXI = "350425100"


@pytest.fixture
def api(demo: None):  # type: ignore[no-untyped-def]
    """``api("junxi_town")`` → an APIClient sending ``Authorization: Token …``; ``api()`` → anonymous."""

    def make(username: str | None = None) -> APIClient:
        client = APIClient()
        if username:
            token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
            touch(token.key)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    data = response.json()
    assert data["next"] is None, "raise the limit: the test expects the whole list"
    return data["results"]


def other_township(code: str = JUNXI) -> Division:
    return Division.objects.filter(code__startswith=COUNTY, level=Division.Level.TOWNSHIP).exclude(code=code).first()


# --- token login and lockout ------------------------------------------------------------------------


def test_token_flow(api, password: str) -> None:  # type: ignore[no-untyped-def]
    client = api()
    response = client.post("/api/v1/auth/token/", {"username": "datian_bureau", "password": password}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert AuditLog.objects.filter(event="login", username="datian_bureau").exists()
    assert "sessionid" not in response.cookies  # a token login creates no session

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "datian_bureau"
    assert body["role"] == "county_bureau" and body["role_label"] == "县级民政局"
    assert body["organisation"]["division"] == COUNTY and body["organisation"]["kind"] == "bureau"
    # A new login issues a new token and revokes the old one.
    again = api().post("/api/v1/auth/token/", {"username": "datian_bureau", "password": password}, format="json")
    assert again.json()["token"] != token
    assert client.get("/api/v1/me/").status_code == 401


def _token(api, password: str) -> str:  # type: ignore[no-untyped-def]
    response = api().post("/api/v1/auth/token/", {"username": "junxi_town", "password": password}, format="json")
    return str(response.json()["token"])


def test_token_ends_after_30_idle_minutes(api, password: str) -> None:  # type: ignore[no-untyped-def]
    token = _token(api, password)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 200
    touch(token, (timezone.now() - dt.timedelta(minutes=31)).timestamp())
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and "30 分钟" in response.json()["detail"]


def test_token_ends_after_12_hours_and_on_password_change(api, password: str) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.authtoken.models import Token

    token = _token(api, password)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    Token.objects.filter(key=token).update(created=timezone.now() - dt.timedelta(hours=12, minutes=1))
    assert client.get("/api/v1/me/").status_code == 401

    token = _token(api, password)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 200
    user = User.objects.get(username="junxi_town")
    user.set_password("Another#Pass2026")
    user.save()
    assert client.get("/api/v1/me/").status_code == 401


def test_wrong_password_is_a_chinese_400(api) -> None:  # type: ignore[no-untyped-def]
    response = api().post(
        "/api/v1/auth/token/", {"username": "datian_bureau", "password": "Wrong#12345"}, format="json"
    )
    assert response.status_code == 400
    assert "用户名或密码错误" in str(response.json())
    assert AuditLog.objects.filter(event="login_failed", username="datian_bureau").exists()


def test_missing_fields_are_a_400(api) -> None:  # type: ignore[no-untyped-def]
    response = api().post("/api/v1/auth/token/", {"username": "datian_bureau"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_five_failed_token_attempts_lock_the_account(api, password: str) -> None:  # type: ignore[no-untyped-def]
    client = api()
    statuses = []
    for _ in range(5):
        r = client.post("/api/v1/auth/token/", {"username": "junxi_town", "password": "Wrong#12345"}, format="json")
        statuses.append(r.status_code)
    assert statuses[:4] == [400] * 4
    assert statuses[4] == 429  # the fifth failure locks
    # Now even the right password is refused, with a clean JSON error in Chinese (not a 500, not HTML).
    locked = client.post("/api/v1/auth/token/", {"username": "junxi_town", "password": password}, format="json")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert "锁定" in locked.json()["detail"]
    assert not Token.objects.filter(user__username="junxi_town").exists()
    # The lockout is per account: the web login is locked too, other accounts are not.
    web = APIClient().post("/login/", {"username": "junxi_town", "password": password})
    assert web.status_code == 429 and "锁定" in web.content.decode()
    ok = client.post("/api/v1/auth/token/", {"username": "shipai_town", "password": password}, format="json")
    assert ok.status_code == 200


def test_unknown_user_failures_do_not_crash(api) -> None:  # type: ignore[no-untyped-def]
    for _ in range(6):
        r = api().post("/api/v1/auth/token/", {"username": "no_such_user", "password": "x"}, format="json")
        assert r.status_code == (429 if _ >= 4 else 400), _  # the fifth failure locks
    assert r.status_code == 429


def test_successful_token_login_resets_the_failure_count(api, password: str) -> None:  # type: ignore[no-untyped-def]
    client = api()
    for _ in range(4):
        client.post("/api/v1/auth/token/", {"username": "shipai_town", "password": "Wrong#12345"}, format="json")
    assert client.post("/api/v1/auth/token/", {"username": "shipai_town", "password": password}).status_code == 200
    for _ in range(4):
        r = client.post("/api/v1/auth/token/", {"username": "shipai_town", "password": "Wrong#12345"}, format="json")
        assert r.status_code == 400


def test_anonymous_requests_are_refused_in_chinese(api) -> None:  # type: ignore[no-untyped-def]
    for url in [
        "/api/v1/stations/",
        "/api/v1/divisions/",
        "/api/v1/me/",
        f"/api/v1/policies/effective/?division={COUNTY}",
    ]:
        response = api().get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Token")
        assert "身份认证" in response.json()["detail"]


def test_a_bad_token_is_refused(api) -> None:  # type: ignore[no-untyped-def]
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/stations/")
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"] or "认证" in response.json()["detail"]


# --- divisions -----------------------------------------------------------------------------------


def test_divisions_children_filter_and_has_children(api) -> None:  # type: ignore[no-untyped-def]
    townships = rows(api("datian_bureau").get(f"/api/v1/divisions/?parent={COUNTY}&limit=100"))
    codes = {d["code"] for d in townships}
    assert JUNXI in codes and all(c.startswith(COUNTY) and len(c) == 9 for c in codes)
    junxi = next(d for d in townships if d["code"] == JUNXI)
    assert junxi["parent"] == COUNTY and junxi["level"] == 4 and junxi["level_display"] == "乡级"
    assert junxi["has_children"] is True
    villages = rows(api("datian_bureau").get(f"/api/v1/divisions/?parent={JUNXI}&limit=500"))
    assert villages and all(v["has_children"] is False and v["level"] == 5 for v in villages)


def test_divisions_level_and_q_filters(api) -> None:  # type: ignore[no-untyped-def]
    client = api("datian_bureau")
    assert {d["level"] for d in rows(client.get("/api/v1/divisions/?level=4&limit=100"))} == {4}
    by_prefix = rows(client.get(f"/api/v1/divisions/?q={JUNXI}&limit=500"))
    assert by_prefix and all(d["code"].startswith(JUNXI) for d in by_prefix)
    junxi_name = Division.objects.get(code=JUNXI).name
    assert JUNXI in {d["code"] for d in rows(client.get("/api/v1/divisions/", {"q": junxi_name, "limit": 500}))}
    assert client.get("/api/v1/divisions/?level=9").status_code == 400
    assert client.get("/api/v1/divisions/?parent=abc").status_code == 400


def test_divisions_are_scoped(api) -> None:  # type: ignore[no-untyped-def]
    town = api("junxi_town")
    codes = {d["code"] for d in rows(town.get("/api/v1/divisions/?limit=1000"))}
    assert {"35", "3504", COUNTY, JUNXI} <= codes  # the way up, and its own subtree
    assert all(c.startswith(JUNXI) or c in {"35", "3504", COUNTY} for c in codes)
    assert town.get(f"/api/v1/divisions/{COUNTY}/").status_code == 200
    assert town.get(f"/api/v1/divisions/{other_township().code}/").status_code == 404
    assert town.get("/api/v1/divisions/469025/").status_code == 404
    # has_children counts only visible children: the county shows one township to this user.
    county = town.get(f"/api/v1/divisions/{COUNTY}/").json()
    assert county["has_children"] is True
    assert {d["code"] for d in rows(town.get(f"/api/v1/divisions/?parent={COUNTY}"))} == {JUNXI}


# --- stations ------------------------------------------------------------------------------------


def test_stations_for_bureau_township_and_agency(api) -> None:  # type: ignore[no-untyped-def]
    everything = set(Station.objects.filter(division__code__startswith=COUNTY).values_list("pk", flat=True))
    bureau = {s["id"] for s in rows(api("datian_bureau").get("/api/v1/stations/?limit=500"))}
    assert bureau == everything
    town = rows(api("junxi_town").get("/api/v1/stations/?limit=500"))
    assert town and all(s["division"].startswith(JUNXI) for s in town)
    sunshine = User.objects.get(username="agency_sunshine").organisation
    held = set(
        Contract.objects.filter(agency=sunshine, status=Contract.Status.ACTIVE).values_list("stations", flat=True)
    )
    agency = {s["id"] for s in rows(api("agency_sunshine").get("/api/v1/stations/?limit=500"))}
    assert agency == held and agency < everything


def test_station_fields(api) -> None:  # type: ignore[no-untyped-def]
    regional = Station.objects.get(level=Station.Level.REGIONAL)
    body = api("datian_bureau").get(f"/api/v1/stations/{regional.pk}/").json()
    assert body["division"] == regional.division_id and body["division_name"]
    assert body["level"] == "regional" and body["level_display"] == "区域性中心社工站"
    assert body["floor_area"] == "260.00"  # a decimal string, never a float
    assert body["status"] == "operating" and body["status_display"] == "运营中"
    assert body["plaque_date"] == "2021-09-01"
    assert len(body["covered_townships"]) == 4 and all(len(c) == 9 for c in body["covered_townships"])
    assert body["rooms"] == ["社工办公室", "个案工作室", "社工服务中心", "志愿服务中心"]


def test_station_filters(api) -> None:  # type: ignore[no-untyped-def]
    client = api("datian_bureau")
    villages = rows(client.get("/api/v1/stations/?level=village&limit=500"))
    assert villages and {s["level"] for s in villages} == {"village"}
    in_junxi = rows(client.get(f"/api/v1/stations/?division={JUNXI}&limit=500"))
    assert in_junxi and all(s["division"].startswith(JUNXI) for s in in_junxi)
    assert rows(client.get("/api/v1/stations/?status=closed")) == []
    hq = Station.objects.get(level=Station.Level.COUNTY_HQ)
    assert hq.pk in {s["id"] for s in rows(client.get("/api/v1/stations/", {"q": "总站"}))}
    assert client.get("/api/v1/stations/?division=x1").status_code == 400
    assert client.get("/api/v1/stations/?status=nope").status_code == 400


def test_station_out_of_scope_is_404(api) -> None:  # type: ignore[no-untyped-def]
    foreign = Station.objects.get(division=other_township(), level=Station.Level.TOWNSHIP)
    response = api("junxi_town").get(f"/api/v1/stations/{foreign.pk}/")
    assert response.status_code == 404
    assert api("junxi_town").get("/api/v1/stations/999999/").status_code == 404


def test_not_found_is_chinese(api) -> None:  # type: ignore[no-untyped-def]
    foreign = Station.objects.get(division=other_township(), level=Station.Level.TOWNSHIP)
    response = api("junxi_town").get(f"/api/v1/stations/{foreign.pk}/")
    assert response.json()["detail"] == "未找到。"  # not "No Station matches the given query."


def test_bureau_patches_a_station_through_the_action(api) -> None:  # type: ignore[no-untyped-def]
    station = Station.objects.get(division_id=JUNXI, level=Station.Level.TOWNSHIP)
    response = api("datian_bureau").patch(
        f"/api/v1/stations/{station.pk}/", {"address": "均溪镇新址 8 号", "floor_area": "180.5"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["address"] == "均溪镇新址 8 号" and response.json()["floor_area"] == "180.50"
    station.refresh_from_db()
    assert station.address == "均溪镇新址 8 号"
    row = AuditLog.objects.filter(event="update", object_id=str(station.pk)).latest("at")
    assert row.username == "datian_bureau" and "address" in row.changes


def test_patch_errors_are_chinese_400s(api) -> None:  # type: ignore[no-untyped-def]
    station = Station.objects.get(division_id=JUNXI, level=Station.Level.TOWNSHIP)
    client = api("datian_bureau")
    url = f"/api/v1/stations/{station.pk}/"
    bad_move = client.patch(url, {"status": "planned"}, format="json")  # operating → planned is not allowed
    assert bad_move.status_code == 400
    assert "站点状态不能从" in str(bad_move.json()["status"])
    assert client.patch(url, {"star_rating": 9}, format="json").status_code == 400
    assert "请至少提供" in str(client.patch(url, {}, format="json").json())
    regional = Station.objects.get(level=Station.Level.REGIONAL)
    outside = client.patch(f"/api/v1/stations/{regional.pk}/", {"covered_townships": ["469025100"]}, format="json")
    assert outside.status_code == 400 and "不在您的权限范围内" in str(outside.json())
    station.refresh_from_db()
    assert station.status == Station.Status.OPERATING


def test_regional_centre_coverage_can_be_patched(api) -> None:  # type: ignore[no-untyped-def]
    regional = Station.objects.get(level=Station.Level.REGIONAL)
    codes = list(
        Division.objects.filter(code__startswith=COUNTY, level=Division.Level.TOWNSHIP).values_list("code", flat=True)
    )[:2]
    response = api("datian_bureau").patch(
        f"/api/v1/stations/{regional.pk}/", {"covered_townships": codes}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["covered_townships"] == sorted(codes)


def test_patch_outside_the_writable_scope_is_404(api) -> None:  # type: ignore[no-untyped-def]
    station = Station.objects.get(division_id=JUNXI, level=Station.Level.TOWNSHIP)
    for username in ["junxi_town", "agency_sunshine", "fj_province"]:
        response = api(username).patch(f"/api/v1/stations/{station.pk}/", {"address": "x"}, format="json")
        assert response.status_code == 404, username
    station.refresh_from_db()
    assert station.address != "x"


def test_stations_cannot_be_put_posted_or_deleted(api) -> None:  # type: ignore[no-untyped-def]
    station = Station.objects.get(division_id=JUNXI, level=Station.Level.TOWNSHIP)
    client = api("datian_bureau")
    assert client.put(f"/api/v1/stations/{station.pk}/", {"address": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/stations/{station.pk}/").status_code == 405
    assert client.post("/api/v1/stations/", {"name": "x"}, format="json").status_code == 405


# --- policies ------------------------------------------------------------------------------------


def test_effective_policy_cites_datian_for_staff_max_age(api) -> None:  # type: ignore[no-untyped-def]
    response = api("datian_bureau").get(f"/api/v1/policies/effective/?division={COUNTY}")
    assert response.status_code == 200
    body = response.json()
    assert body["division"]["code"] == COUNTY and body["division"]["name"] == "大田县"
    by_key = {r["key"]: r for r in body["rules"]}
    age = by_key["staff.max_age"]
    assert age["value"] == 40 and age["display"] == "40 岁" and age["unit"] == "岁"
    assert age["source"] == {"division": COUNTY, "division_name": "大田县", "policy": age["source"]["policy"]}
    assert age["clause"].startswith("[000 ")
    assert set(age) >= {
        "key",
        "label",
        "section",
        "type",
        "unit",
        "value",
        "display",
        "source",
        "clause",
        "quote",
        "overridden",
    }
    unset = [r for r in body["rules"] if r["source"] is None]
    assert unset and all(r["value"] is None and r["clause"] == "" for r in unset)


def test_township_inherits_the_county_value(api) -> None:  # type: ignore[no-untyped-def]
    body = api("junxi_town").get(f"/api/v1/policies/effective/?division={JUNXI}").json()
    age = next(r for r in body["rules"] if r["key"] == "staff.max_age")
    assert age["value"] == 40 and age["source"]["division"] == COUNTY


def test_effective_policy_errors(api) -> None:  # type: ignore[no-untyped-def]
    client = api("junxi_town")
    missing = client.get("/api/v1/policies/effective/")
    assert missing.status_code == 400 and "请提供区划代码" in str(missing.json())
    assert client.get("/api/v1/policies/effective/?division=abc").status_code == 400
    assert client.get(f"/api/v1/policies/effective/?division={other_township().code}").status_code == 404
    assert client.get("/api/v1/policies/effective/?division=469025").status_code == 404
    assert api("datian_bureau").get("/api/v1/policies/effective/?division=469025").status_code == 404


def test_policies_list_shows_own_and_ancestor_policies(api) -> None:  # type: ignore[no-untyped-def]
    policies = rows(api("datian_bureau").get("/api/v1/policies/"))
    divisions = {p["division"] for p in policies}
    assert COUNTY in divisions
    assert all(COUNTY.startswith(d) or d.startswith(COUNTY) for d in divisions)
    datian = next(p for p in policies if p["division"] == COUNTY)
    age = next(r for r in datian["rules"] if r["key"] == "staff.max_age")
    assert age["value"] == 40 and age["label"] and age["clause"].startswith("[000 ")
    assert api("datian_bureau").get(f"/api/v1/policies/{datian['id']}/").status_code == 200
    assert rows(api("datian_bureau").get(f"/api/v1/policies/?division={COUNTY}"))[0]["id"] == datian["id"]
    foreign = next(p for p in rows(api("admin").get("/api/v1/policies/")) if p["division"] == "469025")
    assert api("datian_bureau").get(f"/api/v1/policies/{foreign['id']}/").status_code == 404


# --- service catalogue ------------------------------------------------------------------------------


def test_service_items_and_catalogues(api) -> None:  # type: ignore[no-untyped-def]
    client = api("agency_sunshine")  # reference data: every role sees all of it
    catalogues = rows(client.get("/api/v1/service-catalogues/"))
    assert catalogues and all(c["domains"] for c in catalogues)
    code = catalogues[0]["code"]
    assert client.get(f"/api/v1/service-catalogues/{code}/").json()["code"] == code
    items = rows(client.get(f"/api/v1/service-items/?catalogue={code}&limit=500"))
    assert items and {i["catalogue"]["code"] for i in items} == {code}
    assert sum(d["item_count"] for d in catalogues[0]["domains"]) == len(items)
    first = items[0]
    assert set(first) == {"id", "code", "name", "guideline", "targets", "domain", "catalogue"}
    domain_items = rows(client.get(f"/api/v1/service-items/?catalogue={code}&domain={first['domain']['code']}"))
    assert domain_items and all(i["domain"]["code"] == first["domain"]["code"] for i in domain_items)
    found = rows(client.get("/api/v1/service-items/", {"q": first["name"][:4], "limit": 500}))
    assert first["id"] in {i["id"] for i in found}
    assert client.get(f"/api/v1/service-items/{first['id']}/").status_code == 200


# --- contracts and organisations -------------------------------------------------------------------


def test_contracts_are_scoped(api) -> None:  # type: ignore[no-untyped-def]
    sunshine = Organisation.objects.get(name="大田县阳光社会工作服务中心")
    theirs = rows(api("agency_sunshine").get("/api/v1/contracts/?limit=500"))
    assert theirs and all(c["agency"]["id"] == sunshine.pk for c in theirs)
    others = Contract.objects.exclude(agency=sunshine).first()
    assert api("agency_sunshine").get(f"/api/v1/contracts/{others.pk}/").status_code == 404
    town = rows(api("junxi_town").get("/api/v1/contracts/?limit=500"))
    assert town and all(c["division"].startswith(JUNXI) for c in town)
    bureau = rows(api("datian_bureau").get("/api/v1/contracts/?limit=500"))
    assert len(bureau) == Contract.objects.filter(division__code__startswith=COUNTY).count()
    active = rows(api("datian_bureau").get("/api/v1/contracts/?status=active&limit=500"))
    assert active and {c["status"] for c in active} == {"active"}
    c = theirs[0]
    assert c["buyer"]["name"] == "大田县民政局" and c["status_display"] and isinstance(c["stations"], list)


def test_organisations_are_scoped(api) -> None:  # type: ignore[no-untyped-def]
    """Issue 6: a township sees its own subtree and the bureaus above it (the county bureau that buys its
    stations' services), not other townships nor the agencies registered at the county."""
    town_user = User.objects.get(username="junxi_town")
    town = rows(api("junxi_town").get("/api/v1/organisations/?limit=500"))
    county = Organisation.objects.get(name="大田县民政局")
    assert town_user.organisation_id in {o["id"] for o in town}
    assert county.pk in {o["id"] for o in town}
    assert all(o["division"].startswith(JUNXI) or o["kind"] == "bureau" for o in town)
    assert not any(o["kind"] == "agency" for o in town)
    shipai = Organisation.objects.get(kind="township", name__startswith="石牌")
    assert api("junxi_town").get(f"/api/v1/organisations/{shipai.pk}/").status_code == 404
    agencies = rows(api("datian_bureau").get("/api/v1/organisations/?kind=agency&limit=500"))
    assert {o["kind"] for o in agencies} == {"agency"} and len(agencies) >= 2


def test_an_agency_never_sees_another_agency(api) -> None:  # type: ignore[no-untyped-def]
    """Issue 6: even with a contract covering the county headquarters, an agency sees its own organisation
    and the government bodies, never another agency's record (or its credit code)."""
    sunshine = User.objects.get(username="agency_sunshine")
    seen = rows(api("agency_sunshine").get("/api/v1/organisations/?limit=500"))
    assert sunshine.organisation_id in {o["id"] for o in seen}
    others = [o for o in seen if o["id"] != sunshine.organisation_id]
    assert others and all(o["kind"] in ("bureau", "township") for o in others)
    harmony = Organisation.objects.get(name="大田县和谐社会工作服务中心")
    assert api("agency_sunshine").get(f"/api/v1/organisations/{harmony.pk}/").status_code == 404


def test_me_for_an_agency(api) -> None:  # type: ignore[no-untyped-def]
    body = api("agency_sunshine").get("/api/v1/me/").json()
    assert body["role"] == "agency" and body["role_label"] == "社工机构"
    assert body["organisation"]["name"] == "大田县阳光社会工作服务中心"
    assert set(body["organisation"]) >= {"id", "name", "kind", "division"}


# --- health ----------------------------------------------------------------------------------------


def test_healthz_ok_without_redis(settings, client) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["redis"] == {"ok": None, "configured": False}


def test_healthz_is_503_when_configured_redis_is_down(settings, client) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = "redis://:s3cret-pw@127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded" and response.json()["redis"] == {"ok": False, "configured": True}
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from config import health

    class BrokenConnection:
        vendor = connection.vendor

        def cursor(self) -> Any:
            raise DatabaseError("connection refused to db.internal:5432 as zhanwu")

    monkeypatch.setattr(health, "connections", {"default": BrokenConnection()})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False
    assert b"db.internal" not in response.content


def test_healthz_refuses_writes(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/healthz").status_code == 405


# --- no N+1 ------------------------------------------------------------------------------------------

LIST_URLS = [
    "/api/v1/divisions/",
    "/api/v1/stations/",
    "/api/v1/policies/",
    "/api/v1/service-catalogues/",
    "/api/v1/service-items/",
    "/api/v1/contracts/",
    "/api/v1/organisations/",
]


@pytest.mark.parametrize("url", LIST_URLS)
@pytest.mark.parametrize("username", ["datian_bureau", "junxi_town", "agency_sunshine"])
def test_list_query_count_does_not_grow_with_rows(api, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    client = api(username)
    client.get(url)  # warm-up: content types, guardian permissions and the like
    with CaptureQueriesContext(connection) as one:
        assert client.get(url, {"limit": 1}).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"limit": 500})
    assert response.status_code == 200
    assert len(many) == len(one), [q["sql"][:120] for q in many.captured_queries]


@pytest.mark.parametrize("url", [*LIST_URLS, f"/api/v1/policies/effective/?division={COUNTY}", "/api/v1/me/"])
def test_list_query_count_is_bounded(api, url: str, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = api("datian_bureau")
    # token + user, organisation (scope), count, page, up to two prefetches
    with django_assert_max_num_queries(7):
        assert client.get(url + ("&" if "?" in url else "?") + "limit=500").status_code == 200


# --- schema and house rules --------------------------------------------------------------------------


def test_every_viewset_reads_through_the_one_door() -> None:
    from config.api_urls import router

    for prefix, viewset, _ in router.registry:
        assert issubclass(viewset, ScopedViewSetMixin), prefix


def test_schema_is_valid_and_documents_the_filters(api) -> None:  # type: ignore[no-untyped-def]
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    params = {
        path: {p["name"] for p in op.get("get", {}).get("parameters", [])} for path, op in schema["paths"].items()
    }
    assert {"parent", "level", "q"} <= params["/api/v1/divisions/"]
    assert {"level", "status", "division", "q"} <= params["/api/v1/stations/"]
    assert {"catalogue", "domain", "q"} <= params["/api/v1/service-items/"]
    assert "division" in params["/api/v1/policies/effective/"]
    assert api().get("/api/schema/").status_code == 200
    docs = api().get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()
