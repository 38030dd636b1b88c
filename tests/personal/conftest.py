from __future__ import annotations

import pytest

from accounts.models import User
from stations.models import Division
from tests.personal_app.fixtures import make_id_number, years_ago


@pytest.fixture
def bureau(demo: None) -> User:
    return User.objects.get(username="datian_bureau")


@pytest.fixture
def village(demo: None) -> Division:
    return Division.objects.filter(code__startswith="350425", level=Division.Level.VILLAGE).order_by("code").first()


@pytest.fixture
def new_id() -> str:
    return make_id_number("350425", years_ago(30, 7), 321)
