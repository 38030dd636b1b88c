"""Scoped list pages show 50 rows a page unless a view says otherwise (core.views.ScopedListView), and the
pages together reach every row."""

from __future__ import annotations

import re

import pytest

from stations.models import Division

pytestmark = pytest.mark.django_db


def test_division_search_pages_by_fifty(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    total = Division.objects.filter(code__startswith="350425").count()
    assert total > 100
    seen: list[str] = []
    page = 1
    while True:
        body = client.get(f"/divisions/?q=350425&page={page}").content.decode()
        rows = re.findall(r'href="/divisions/(\d+)/"', body)
        found = [code for code in dict.fromkeys(rows) if code.startswith("350425")]
        if page == 1:
            assert len(found) == 50
        seen.extend(found)
        page += 1
        if f"page={page}" not in body:
            break
    assert len(seen) == len(set(seen)) == total
    assert page - 1 == -(-total // 50)
