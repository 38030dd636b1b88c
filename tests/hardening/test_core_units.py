"""Small, direct checks of core mechanisms, written for mutants that survived `make mutate`."""

from __future__ import annotations

import dataclasses

import pytest

from core.scoping import Role, UserScope, ancestor_codes


@pytest.mark.parametrize(
    ("code", "ancestors"),
    [
        ("35", []),
        ("3504", ["35"]),
        ("350425", ["35", "3504"]),
        ("350425100", ["35", "3504", "350425"]),
        ("350425100201", ["35", "3504", "350425", "350425100"]),
    ],
)
def test_ancestor_codes_are_the_proper_prefixes_at_each_level(code: str, ancestors: list[str]) -> None:
    assert ancestor_codes(code) == ancestors


def test_a_computed_scope_cannot_be_changed_in_place() -> None:
    scope = UserScope(role=Role.TOWNSHIP, roots=("350425100",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        scope.role = Role.ADMIN  # type: ignore[misc]
    assert scope.organisation_id is None and scope.station_ids is None and scope.extra == {}
    assert not scope.is_global and UserScope(role=Role.ADMIN).is_global
