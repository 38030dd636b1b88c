"""Schema-conformance fuzzing of every API operation (schemathesis), in process through the WSGI app.

For each of several roles (and anonymous), every operation in the OpenAPI document is called with
generated inputs, valid and invalid, on a small fixed budget (MAX_EXAMPLES per operation and role,
derandomised so a run is repeatable). Two checks: no answer is a server error (5xx), and every answer
conforms to the schema (a documented status code, a documented content type, a body matching the
documented schema). Any failure fails ``make test``.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.api.auth import touch
from accounts.models import User
from config.wsgi import application

MAX_EXAMPLES = 8
ROLES = ["datian_bureau", "junxi_town", "agency_sunshine", "admin", None]

_document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
# The test-only personal-data app (config/settings_test.py) is not part of the product's API.
_document["paths"] = {path: ops for path, ops in _document["paths"].items() if not path.startswith("/personal-test/")}
schema = schemathesis.openapi.from_dict(
    _document,
    config=schemathesis.Config.from_dict(
        {
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
        }
    ),
)
schema.app = application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_test_connection():  # type: ignore[no-untyped-def]
    """The WSGI handler closes the database connection after each request; the test client of Django
    disconnects that receiver for the same reason (the test's transaction lives on that connection)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(demo: None, keep_test_connection: None, request: pytest.FixtureRequest) -> dict[str, str]:
    username = request.param
    if username is None:
        return {}
    user = User.objects.get(username=username)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    touch(token.key)
    return {"Authorization": f"Token {token.key}"}


@pytest.mark.django_db
@pytest.mark.parametrize("auth_headers", ROLES, indirect=True, ids=lambda u: u or "anonymous")
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@override_settings(AXES_ENABLED=False)  # generated passwords must not lock the demo accounts mid-run
def test_every_operation_answers_without_server_error_and_as_documented(case, auth_headers) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=auth_headers, checks=CHECKS)
