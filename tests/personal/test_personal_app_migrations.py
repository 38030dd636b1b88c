"""The test-only app is invisible to ``manage.py makemigrations --check`` (it is installed only by
config/settings_test.py), so its migrations are checked here."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_test_app_migrations_match_its_models() -> None:
    out = io.StringIO()
    call_command("makemigrations", "personal_app", "core", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
