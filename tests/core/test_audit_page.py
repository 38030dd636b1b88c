"""The audit log page: bureaus read their subtree's rows with filters and pages (issue 13 item 10c)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from core import audit
from core.models import AuditLog

pytestmark = pytest.mark.django_db


def _ids(body: str) -> set[int]:
    return {int(x) for x in re.findall(r'data-audit-id="(\d+)"', body)}


def test_filters_by_person_event_type_and_date(user_client) -> None:  # type: ignore[no-untyped-def]
    a = audit.record(
        acting_user=None,
        username="zhang",
        event="update",
        object_type="stations.Station",
        division_code="350425100",
        changes={"status": {"before": "planned", "after": "preparing"}},
    )
    b = audit.record(
        acting_user=None, username="wang", event="export", object_type="stations.Station", division_code="350425"
    )
    c = audit.record(
        acting_user=None, username="zhang", event="create", object_type="policies.Policy", division_code="350425"
    )
    client = user_client("datian_bureau")
    assert _ids(client.get("/audit/?who=zhang").content.decode()) >= {a.pk, c.pk}
    assert b.pk not in _ids(client.get("/audit/?who=zhang").content.decode())
    assert _ids(client.get("/audit/?event=export").content.decode()) & {a.pk, b.pk, c.pk} == {b.pk}
    assert _ids(client.get("/audit/?type=policies.Policy").content.decode()) & {a.pk, b.pk, c.pk} == {c.pk}
    today = timezone.localdate()
    assert {a.pk, b.pk, c.pk} <= _ids(client.get(f"/audit/?from={today}&to={today}").content.decode())
    tomorrow = today + dt.timedelta(days=1)
    assert not _ids(client.get(f"/audit/?from={tomorrow}").content.decode()) & {a.pk, b.pk, c.pk}
    body = client.get("/audit/?who=zhang&event=update").content.decode()
    assert "状态" in body and "规划中 → 筹建中" in body  # field names and choices in words
    assert "社工站" in body and "stations.Station" not in body.split("<main", 1)[1].split("</form>", 1)[1]


def test_pages_of_fifty(user_client) -> None:  # type: ignore[no-untyped-def]
    for i in range(60):
        audit.record(acting_user=None, username=f"u{i}", event="update", division_code="350425")
    client = user_client("datian_bureau")
    total = AuditLog.objects.filter(division_code__startswith="350425").count()
    first = client.get("/audit/").content.decode()
    assert len(_ids(first)) == 50 and "page=2" in first
    second = client.get("/audit/?page=2").content.decode()
    assert len(_ids(second)) == min(50, total - 50)


def test_a_township_and_an_agency_have_no_audit_page(user_client) -> None:  # type: ignore[no-untyped-def]
    for username in ["junxi_town", "agency_sunshine", "evaluator"]:
        assert user_client(username).get("/audit/").status_code == 404


def test_people_are_named_and_found_by_name(user_client) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User

    clerk = User.objects.get(username="datian_bureau")
    row = audit.record(acting_user=clerk, event="update", object_type="stations.Station", division_code="350425")
    body = user_client("datian_bureau").get(f"/audit/?who={clerk.full_name}").content.decode()
    assert row.pk in _ids(body)
    assert f'<td class="text-break small">{clerk.full_name}</td>' in body


def test_internal_values_are_not_shown(user_client) -> None:  # type: ignore[no-untyped-def]
    row = audit.record(
        acting_user=None,
        username="zhang",
        event="update",
        object_type="policies.PolicyRule",
        division_code="350425",
        changes={
            "value": {"before": None, "after": ["self", "midterm"]},
            "citation": {"before": "", "after": "[001 §2]"},
        },
    )
    body = user_client("datian_bureau").get("/audit/?who=zhang").content.decode()
    assert row.pk in _ids(body)
    main = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "midterm" not in main and "[001" not in main
    assert "已修改" in main
