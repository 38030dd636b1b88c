"""The evaluation list (API, page and export) reads in a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .support import evaluation, scored

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("username", ["datian_bureau", "evaluator", "junxi_town"])
@pytest.mark.parametrize("url", ["/api/v1/evaluations/", "/evaluations/", "/evaluations/?export=xlsx"])
def test_fixed_queries(user_client, username: str, url: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client(username)
    scored(evaluation())
    client.get(url)  # warm the session and content-type caches
    few = _count(client, url)
    for _ in range(5):
        scored(evaluation())
    many = _count(client, url)
    assert many == few, (username, url, few, many)
