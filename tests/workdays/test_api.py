"""The calendar API through HTTP with a token: the deadline in each counting method, the unknown-year answer,
the days of a year, every bad input answered 400 in Chinese (never 500), and the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.api.auth import touch
from accounts.models import User

pytestmark = pytest.mark.django_db

DEADLINE = "/api/v1/calendar/deadline/"
DAYS = "/api/v1/calendar/days/"


@pytest.fixture
def api(demo: None):  # type: ignore[no-untyped-def]
    def make(username: str | None = "junxi_town") -> APIClient:
        client = APIClient()
        if username:
            token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
            touch(token.key)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response.json()


def test_fifteen_working_days_after_a_signing_before_national_day(api) -> None:  # type: ignore[no-untyped-def]
    data = ok(api().get(DEADLINE, {"start": "2026-09-28", "working_days": "15"}))
    assert data == {"start": "2026-09-28", "working_days": 15, "due": "2026-10-23", "unknown_years": []}


@pytest.mark.parametrize(
    ("param", "start", "amount", "due"),
    [
        ("calendar_days", "2026-03-04", 10, "2026-03-16"),  # Saturday 14 March -> Monday (art. 203)
        ("months", "2026-01-31", 1, "2026-02-28"),  # art. 202; 28 Feb 2026 is a make-up Saturday
        ("months", "2026-09-01", 1, "2026-10-08"),  # 1 October -> after the National Day holiday
        ("months", "2026-03-31", 1, "2026-04-30"),
        ("years", "2024-02-29", 1, "2025-02-28"),
    ],
)
def test_the_other_counting_methods_answer_under_their_own_key(api, param, start, amount, due) -> None:  # type: ignore[no-untyped-def]
    data = ok(api().get(DEADLINE, {"start": start, param: str(amount)}))
    assert data == {"start": start, param: amount, "due": due, "unknown_years": []}


def test_a_year_not_yet_published_gives_no_date_but_the_years_needed(api) -> None:  # type: ignore[no-untyped-def]
    data = ok(api().get(DEADLINE, {"start": "2026-12-20", "working_days": "15"}))
    assert data == {"start": "2026-12-20", "working_days": 15, "due": None, "unknown_years": [2027]}
    data = ok(api().get(DEADLINE, {"start": "2026-09-28", "months": "6"}))
    assert data["due"] is None and data["unknown_years"] == [2027]


@pytest.mark.parametrize(
    ("query", "field", "text"),
    [
        ({}, "start", "起算日期"),
        ({"working_days": "15"}, "start", "起算日期"),
        ({"start": "2026-09-28"}, "non_field_errors", "只请提供一个"),
        ({"start": "2026-09-28", "working_days": "15", "months": "1"}, "non_field_errors", "只请提供一个"),
        ({"start": "2026-02-30", "working_days": "15"}, "start", "有效日期"),
        ({"start": "28/09/2026", "working_days": "15"}, "start", "YYYY-MM-DD"),
        ({"start": "0001-01-01", "months": "1"}, "start", "1900"),
        ({"start": "9999-12-31", "years": "100"}, "start", "2199"),
        ({"start": "2026-09-28", "working_days": "-1"}, "working_days", "1 至 3650"),
        ({"start": "2026-09-28", "working_days": "0"}, "working_days", "1 至 3650"),
        ({"start": "2026-09-28", "working_days": "abc"}, "working_days", "整数"),
        ({"start": "2026-09-28", "working_days": "1.5"}, "working_days", "整数"),
        ({"start": "2026-09-28", "calendar_days": "36501"}, "calendar_days", "36500"),
        ({"start": "2026-09-28", "months": "99999999999999999999999"}, "months", "1200"),
        ({"start": "2026-09-28", "years": "101"}, "years", "100"),
    ],
)
def test_bad_input_is_a_400_in_chinese(api, query, field, text) -> None:  # type: ignore[no-untyped-def]
    response = api().get(DEADLINE, query)
    assert response.status_code == 400, (query, response.status_code, response.content[:300])
    errors = response.json()
    assert field in errors, errors
    assert text in " ".join(errors[field]), errors


def test_the_days_of_a_year(api) -> None:  # type: ignore[no-untyped-def]
    data = ok(api("agency_sunshine").get(DAYS, {"year": "2026"}))
    assert data["year"] == 2026 and data["covered"] is True
    assert data["notice"] == "国办发明电〔2025〕7号"
    assert {"date": "2026-10-10", "name": "国庆节", "weekday": "周六"} in data["workdays"]
    assert len(data["workdays"]) == 6 and len(data["off_days"]) == 33
    assert {"date": "2026-02-15", "name": "春节", "weekday": "周日"} in data["off_days"]
    data = ok(api().get(DAYS, {"year": "2027"}))
    assert data == {"year": 2027, "covered": False, "notice": "", "source": "", "off_days": [], "workdays": []}


@pytest.mark.parametrize("year", ["", "abc", "1899", "2200", "20261"])
def test_days_with_a_bad_year_is_a_400(api, year) -> None:  # type: ignore[no-untyped-def]
    response = api().get(DAYS, {"year": year} if year else {})
    assert response.status_code == 400
    assert "年度" in " ".join(response.json()["year"])


def test_anonymous_is_refused(api) -> None:  # type: ignore[no-untyped-def]
    assert api(None).get(DEADLINE, {"start": "2026-09-28", "working_days": "15"}).status_code == 401
    assert api(None).get(DAYS, {"year": "2026"}).status_code == 401


def test_a_user_without_a_role_gets_404(api) -> None:  # type: ignore[no-untyped-def]
    User.objects.create_user("nobody", password="Zhanwu@2026-x")  # no organisation: no role
    assert api("nobody").get(DEADLINE, {"start": "2026-09-28", "working_days": "15"}).status_code == 404
    assert api("nobody").get(DAYS, {"year": "2026"}).status_code == 404


def test_query_counts_do_not_grow_with_the_period(api) -> None:  # type: ignore[no-untyped-def]
    client = api()
    counts = []
    for amount in ("1", "3000"):
        with CaptureQueriesContext(connection) as ctx:
            ok(client.get(DEADLINE, {"start": "2005-01-04", "working_days": amount}))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_openapi_schema_describes_the_answers() -> None:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    deadline = schema["paths"][DEADLINE]["get"]
    params = {p["name"] for p in deadline["parameters"]}
    assert {"start", "working_days", "calendar_days", "months", "years"} <= params
    ref = deadline["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    props = schema["components"]["schemas"][ref]["properties"]
    assert set(props) == {"start", "working_days", "calendar_days", "months", "years", "due", "unknown_years"}
    assert props["due"].get("nullable") is True
    days = schema["paths"][DAYS]["get"]
    ref = days["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {
        "year",
        "covered",
        "notice",
        "source",
        "off_days",
        "workdays",
    }
