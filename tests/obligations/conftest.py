from __future__ import annotations

from collections.abc import Iterator

import pytest

from accounts.models import User
from tests.obligations.support import clear_obligations, ensure_milestone_rules, forget_rules


@pytest.fixture
def demo(demo: None) -> None:
    """The demo data without obligations or messages (whatever sweep ran when it was loaded), and without the
    demo policies' own milestone dates: each test sets the dated rules it is about (support.set_rule)."""
    from policies.models import PolicyRule

    clear_obligations()
    PolicyRule.objects.filter(key__startswith="milestone.").delete()


@pytest.fixture(autouse=True)
def _milestone_rules() -> Iterator[None]:
    added = ensure_milestone_rules()
    yield
    forget_rules(added)  # other tests see the registry as it ships


@pytest.fixture
def emails(demo: None) -> None:
    """Addresses for two demo users; the others have none (and get no email)."""
    User.objects.filter(username="datian_bureau").update(email="bureau@example.org")
    User.objects.filter(username="junxi_town").update(email="junxi@example.org")
