"""Waiving an obligation: a bureau in scope, with a reason (Chinese error without one), audited; others 404."""

from __future__ import annotations

import pytest

from core.models import AuditLog
from obligations.models import Obligation
from tests.obligations.support import datian_milestones, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def owed(demo: None) -> Obligation:
    datian_milestones()
    sweep()
    o = Obligation.objects.filter(kind="station.signage", state="overdue").first()
    assert o is not None
    return o


def test_waive_needs_a_reason_then_is_recorded(user_client, owed: Obligation) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    page = client.get(f"/obligations/{owed.pk}/").content.decode()
    assert "免除该事项" in page
    response = client.post(f"/obligations/{owed.pk}/", {"reason": "  "})
    assert response.status_code == 400
    assert "请写明免除的理由。" in response.content.decode()
    owed.refresh_from_db()
    assert owed.state == "overdue"

    before = AuditLog.objects.count()
    response = client.post(f"/obligations/{owed.pk}/", {"reason": "该站点已并入区域性中心社工站，不再单独挂牌"})
    assert response.status_code == 302
    owed.refresh_from_db()
    assert owed.state == "waived" and owed.waived_by is not None and owed.waived_by.username == "datian_bureau"
    assert owed.waive_reason == "该站点已并入区域性中心社工站，不再单独挂牌"
    audit = AuditLog.objects.order_by("pk")[before:]
    assert [(a.username, a.object_type, a.changes["state"]["after"]) for a in audit] == [
        ("datian_bureau", "obligations.Obligation", "waived")
    ]
    # Waived stays waived: the sweep neither reopens nor reminds it again.
    sweep()
    owed.refresh_from_db()
    assert owed.state == "waived"
    again = client.post(f"/obligations/{owed.pk}/", {"reason": "再次免除"})
    assert again.status_code == 400 and "不能再免除" in again.content.decode()


@pytest.mark.parametrize("username", ["junxi_town", "agency_sunshine", "evaluator", "shipai_town"])
def test_others_cannot_waive(user_client, owed: Obligation, username: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client(username)
    assert client.post(f"/obligations/{owed.pk}/", {"reason": "不想办"}).status_code == 404
    assert client.post(f"/api/v1/obligations/{owed.pk}/waive/", {"reason": "不想办"}).status_code == 404
    owed.refresh_from_db()
    assert owed.state == "overdue"


def test_waive_through_the_api(user_client, owed: Obligation) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    bad = client.post(f"/api/v1/obligations/{owed.pk}/waive/", {"reason": ""}, content_type="application/json")
    assert bad.status_code == 400
    ok = client.post(f"/api/v1/obligations/{owed.pk}/waive/", {"reason": "站点撤并"}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"] == "waived" and ok.json()["waive_reason"] == "站点撤并"
    assert client.patch(f"/api/v1/obligations/{owed.pk}/", {"state": "done"}).status_code == 405
