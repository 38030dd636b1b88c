"""The inbox through HTTP: each user sees only its own messages, the nav bar counts the unread ones, mark
read (one and all) through the pages and the API; another user's message answers 404."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from obligations.models import Notification
from tests.obligations.support import datian_milestones, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def swept(demo: None) -> None:
    datian_milestones()
    sweep()


def unread_badge(body: str) -> int:
    m = re.search(r'id="unread-count">(\d+)<', body)
    return int(m.group(1)) if m else 0


def test_inbox_shows_only_own_messages_and_the_nav_counts_them(user_client, swept: None) -> None:  # type: ignore[no-untyped-def]
    bureau = User.objects.get(username="datian_bureau")
    own = set(Notification.objects.filter(recipient=bureau).values_list("pk", flat=True))
    assert own
    body = user_client("datian_bureau").get("/notifications/").content.decode()
    assert set(map(int, re.findall(r'id="n-(\d+)"', body))) == own
    assert unread_badge(body) == len(own)
    # Township governments whose stations are all done were told nothing, and see none of the bureau's.
    other = user_client("junxi_town").get("/notifications/").content.decode()
    assert not re.findall(r'id="n-(\d+)"', other)
    assert unread_badge(other) == 0
    api = user_client("junxi_town").get("/api/v1/notifications/").json()
    assert api["count"] == 0


def test_mark_one_read_then_all(user_client, swept: None) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    bureau = User.objects.get(username="datian_bureau")
    mine = list(Notification.objects.filter(recipient=bureau).order_by("pk"))
    assert len(mine) >= 2
    response = client.post(f"/notifications/{mine[0].pk}/read/", {"next": "link"})
    assert response.status_code == 302 and response["Location"] == mine[0].link
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    assert unread_badge(client.get("/notifications/").content.decode()) == len(mine) - 1
    # An unsafe "next" falls back to the inbox.
    response = client.post(f"/notifications/{mine[1].pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=bureau, read_at__isnull=True).exists()
    assert unread_badge(client.get("/").content.decode()) == 0


def test_another_users_message_is_404(user_client, swept: None) -> None:  # type: ignore[no-untyped-def]
    note = Notification.objects.filter(recipient__username="datian_bureau").first()
    assert note is not None
    for username in ["junxi_town", "agency_sunshine", "admin", "fj_province"]:
        client = user_client(username)
        assert client.post(f"/notifications/{note.pk}/read/").status_code == 404, username
        assert client.post(f"/api/v1/notifications/{note.pk}/read/").status_code == 404, username
        assert client.get(f"/api/v1/notifications/{note.pk}/").status_code == 404, username
        client.post("/notifications/read-all/")
    note.refresh_from_db()
    assert note.read_at is None


def test_api_mark_read_and_unread_filter(user_client, swept: None) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    rows = client.get("/api/v1/notifications/?unread=true").json()["results"]
    assert rows and all(not r["is_read"] for r in rows)
    first = rows[0]["id"]
    answer = client.post(f"/api/v1/notifications/{first}/read/").json()
    assert answer["is_read"] is True and answer["read_at"]
    left = client.get("/api/v1/notifications/?unread=true").json()["count"]
    assert left == len(rows) - 1
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": left}
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0
    assert client.delete(f"/api/v1/notifications/{first}/").status_code == 405


def test_anonymous_cannot_reach_the_inbox(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/notifications/").status_code == 302
    assert client.post("/notifications/read-all/").status_code == 302
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
