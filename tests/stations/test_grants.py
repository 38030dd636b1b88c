"""The county bureau grants its stations to an evaluator organisation and revokes them, audited, through the
page (issue 13 item 10a); the evaluator then sees exactly those stations."""

from __future__ import annotations

import pytest

from accounts.models import Organisation, User
from core.models import AuditLog
from stations.models import Station

pytestmark = pytest.mark.django_db


def _evaluator() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.EVALUATOR)


def _visible_to_evaluator(user_client) -> set[int]:  # type: ignore[no-untyped-def]
    body = user_client("evaluator").get("/stations/").content.decode()
    return {s.pk for s in Station.objects.all() if f'href="/stations/{s.pk}/"' in body}


def test_grant_and_revoke_through_the_page(user_client) -> None:  # type: ignore[no-untyped-def]
    evaluator = _evaluator()
    bureau = user_client("datian_bureau")
    before = _visible_to_evaluator(user_client)
    station = Station.objects.filter(division__code__startswith="350425", level="village").exclude(pk__in=before)[0]
    page = bureau.get(f"/stations/grants/?evaluator={evaluator.pk}").content.decode()
    assert evaluator.name in page and f'id="grant-{station.pk}"' in page

    response = bureau.post("/stations/grants/", {"evaluator": evaluator.pk, "station": [station.pk], "action": "grant"})
    assert response.status_code == 302
    assert _visible_to_evaluator(user_client) == before | {station.pk}
    row = AuditLog.objects.filter(object_type="stations.StationGrant", event="create").latest("id")
    assert (
        row.username == "datian_bureau" and station.name in row.object_repr and row.division_code == station.division_id
    )

    response = bureau.post("/stations/grants/", {"evaluator": evaluator.pk, "station": station.pk, "action": "revoke"})
    assert response.status_code == 302
    assert _visible_to_evaluator(user_client) == before
    assert AuditLog.objects.filter(object_type="stations.StationGrant", event="delete").count() == 1


def test_a_bureau_grants_only_its_own_stations(user_client) -> None:  # type: ignore[no-untyped-def]
    evaluator = _evaluator()
    foreign = Station.objects.create(division_id="469025", level="county_hq", name="白沙总站", status="planned")
    response = user_client("datian_bureau").post(
        "/stations/grants/", {"evaluator": evaluator.pk, "station": foreign.pk, "action": "grant"}
    )
    assert response.status_code == 404
    assert foreign.pk not in _visible_to_evaluator(user_client)
    assert not AuditLog.objects.filter(object_type="stations.StationGrant").exists()


@pytest.mark.parametrize("username", ["fj_province", "junxi_town", "agency_sunshine", "evaluator"])
def test_others_cannot_grant(user_client, username: str) -> None:  # type: ignore[no-untyped-def]
    station = Station.objects.filter(division__code__startswith="350425").first()
    assert station is not None
    client = user_client(username)
    assert client.get("/stations/grants/").status_code == 404
    response = client.post("/stations/grants/", {"evaluator": _evaluator().pk, "station": station.pk})
    assert response.status_code == 404


def test_a_new_evaluator_employee_sees_the_organisations_stations(user_client) -> None:  # type: ignore[no-untyped-def]
    evaluator = _evaluator()
    granted = _visible_to_evaluator(user_client)
    assert granted
    colleague = User.objects.create_user("evaluator2", password="Zhanwu@2026x", organisation=evaluator)
    body = user_client("evaluator2").get("/stations/").content.decode()
    assert {s.pk for s in Station.objects.all() if f'href="/stations/{s.pk}/"' in body} == granted
    # Moving to another organisation takes the grants away.
    colleague.organisation = Organisation.objects.get(name="大田县阳光社会工作服务中心")
    colleague.save()
    assert not colleague.groups.filter(name__startswith="evaluator-org-").exists()
