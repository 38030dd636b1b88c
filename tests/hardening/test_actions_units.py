"""core.actions unit by unit: which roles a declaration admits, the state test, the guard, the registry and
what ``available_actions`` offers. A test action is declared on Station and removed again after each test (the
write matrix must not see it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Organisation, User
from core import actions
from core.actions import ActionSpec, available_actions, check_state, declare, for_model, spec_of, verbs_of
from core.scoping import Role
from stations.models import COUNTY_WRITERS, Station

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared() -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        actions._registry.pop(name, None)


def _declare(names: list[str], name: str, func: Any = None, **kwargs: Any) -> Any:
    names.append(name)
    defaults: dict[str, Any] = {"label": "测试动作", "model": Station, "verb": "change"}
    defaults.update(kwargs)

    def act(*, acting_user: Any, station: Station | None = None) -> str:
        return "done"

    return declare(name, **defaults)(func or act)


def test_roles_come_from_the_declaration_or_the_scope_rule() -> None:
    by_rule = ActionSpec(name="t.a", label="", model=Station, verb="change")
    assert by_rule.allowed_roles() == frozenset(COUNTY_WRITERS)
    assert ActionSpec(name="t.b", label="", model=Station, verb="unknown").allowed_roles() == frozenset()
    given = ActionSpec(name="t.c", label="", model=Station, verb="change", roles=frozenset({Role.TOWNSHIP}))
    assert given.allowed_roles() == {Role.TOWNSHIP}
    assert ActionSpec(name="t.d", label="", model=Organisation, verb="change").allowed_roles() == frozenset()


def test_role_may() -> None:
    spec = ActionSpec(name="t.a", label="", model=Station, verb="change", roles=frozenset({Role.NONE, Role.AGENCY}))
    assert not spec.role_may(Role.NONE)  # never, even when listed
    assert spec.role_may(Role.ADMIN)  # always
    assert spec.role_may(Role.AGENCY)
    assert not spec.role_may(Role.TOWNSHIP)


def test_state_allows() -> None:
    station = Station(status=Station.Status.CLOSED)
    closed_only = ActionSpec(
        name="t.a", label="", model=Station, verb="change", state_field="status", states=frozenset({"closed"})
    )
    assert closed_only.state_allows(station)
    assert closed_only.state_allows(None)
    assert not closed_only.state_allows(Station(status=Station.Status.OPERATING))
    anything = ActionSpec(name="t.b", label="", model=Station, verb="change", state_field="status")
    assert anything.state_allows(Station(status=Station.Status.OPERATING))
    no_field = ActionSpec(name="t.c", label="", model=Station, verb="change", states=frozenset({"closed"}))
    assert no_field.state_allows(Station(status=Station.Status.OPERATING))


def test_guard_and_registry(demo: None, declared: list[str]) -> None:
    def act(*, acting_user: Any) -> str:
        """Doc kept."""
        return "done"

    guarded = _declare(declared, "tests.guarded", act, roles=[Role.TOWNSHIP], states=["closed"], detail=False)
    assert guarded.__doc__ == "Doc kept." and guarded.__name__ == "act"
    spec = spec_of(guarded)
    assert spec is spec_of("tests.guarded") and spec.func is act
    assert spec.states == frozenset({"closed"}) and spec.detail is False and spec.roles == frozenset({Role.TOWNSHIP})
    assert guarded(acting_user=User.objects.get(username="junxi_town")) == "done"
    assert guarded(acting_user=User.objects.get(username="admin")) == "done"
    for refused in (None, User.objects.get(username="datian_bureau"), User.objects.get(username="agency_sunshine")):
        with pytest.raises(Http404):
            guarded(acting_user=refused)
    assert spec in for_model(Station) and spec not in for_model(Organisation)
    assert _declare(declared, "tests.guarded", act, roles=[Role.TOWNSHIP]) is not None  # same function again: fine
    with pytest.raises(RuntimeError, match="declared twice"):
        _declare(declared, "tests.guarded", lambda **kw: None)
    with pytest.raises(LookupError):
        spec_of(lambda: None)
    assert "tests.guarded" in actions.registry()


def test_verbs_of_counts_detail_actions_only(declared: list[str]) -> None:
    _declare(declared, "tests.detail", verb="zz_detail")
    _declare(declared, "tests.create", verb="zz_create", detail=False)
    verbs = verbs_of(Station)
    assert "zz_detail" in verbs and "zz_create" not in verbs
    assert verbs == sorted(set(verbs))


def test_check_state_names_the_state(declared: list[str]) -> None:
    _declare(declared, "tests.reopen", label="重新开放", state_field="status", states=["closed"])
    check_state("tests.reopen", Station(status=Station.Status.CLOSED))
    with pytest.raises(PermissionDenied, match="^状态为“运营中”时不能重新开放。"):
        check_state("tests.reopen", Station(status=Station.Status.OPERATING))


def test_available_actions(demo: None, declared: list[str]) -> None:
    _declare(declared, "tests.on_closed", label="只对关闭的站", state_field="status", states=["closed"])
    _declare(declared, "tests.on_any", label="任何状态")
    _declare(declared, "tests.new", label="新建", detail=False)
    bureau = User.objects.get(username="datian_bureau")
    town = User.objects.get(username="junxi_town")
    station = Station.objects.filter(division__code__startswith="350425").order_by("pk").first()
    assert station is not None and station.status != Station.Status.CLOSED
    names = [a["action"] for a in available_actions(bureau, station)]
    assert "tests.on_any" in names and "tests.on_closed" not in names and "tests.new" not in names
    assert {"action": "tests.on_any", "label": "任何状态"} in available_actions(bureau, station)
    assert [a for a in available_actions(town, station) if a["action"].startswith("tests.")] == []
    assert available_actions(None, station) == []
    station._may_change = False  # type: ignore[attr-defined]  # an annotated list query said: not in scope
    assert [a for a in available_actions(bureau, station) if a["action"].startswith("tests.")] == []
    outside = Station(pk=10**9, status=Station.Status.OPERATING)
    assert [a for a in available_actions(bureau, outside) if a["action"].startswith("tests.")] == []


def test_an_action_is_offered_only_while_its_condition_holds(demo: None, declared: list[str]) -> None:
    """``declare(..., available=…)``: an unavailable action is skipped and the next one is still offered."""
    _declare(declared, "tests.a_unavailable", label="条件不成立", available=lambda station: False)
    _declare(declared, "tests.b_available", label="条件成立", available=lambda station: station.pk is not None)
    bureau = User.objects.get(username="datian_bureau")
    station = Station.objects.filter(division__code__startswith="350425").order_by("pk").first()
    assert station is not None
    names = [a["action"] for a in available_actions(bureau, station) if a["action"].startswith("tests.")]
    assert names == ["tests.b_available"]


# --- core.access ------------------------------------------------------------------------------------------------


def test_access_answers_the_object_or_404(demo: None) -> None:
    from core.access import access
    from stations.models import Division

    bureau = User.objects.get(username="datian_bureau")
    town = User.objects.get(username="junxi_town")
    station = Station.objects.filter(division__code__startswith="350425", level="township").order_by("pk").first()
    assert station is not None
    assert access(Station, bureau, station.pk) == station
    assert access(Station, bureau, str(station.pk), "change") == station
    assert access(Division, bureau, "350425", field="code").name == "大田县"
    # The given queryset is scoped, never trusted: a township cannot change a station through it.
    with pytest.raises(Http404):
        access(Station, town, station.pk, "change", queryset=Station.objects.all())
    for key in (None, "", "abc", 10**9, "469025"):
        with pytest.raises(Http404) as missing:
            access(Station, bureau, key)
        assert str(missing.value) == "不存在或不在您的权限范围内。"
    with pytest.raises(Http404) as outside:
        access(Division, bureau, "469025", field="code")  # exists, out of scope: the same answer
    assert str(outside.value) == "不存在或不在您的权限范围内。"


def test_specs_are_frozen_and_states_without_choices_read_plainly(declared: list[str]) -> None:
    import dataclasses

    from stations.models import Division

    spec = ActionSpec(name="t.a", label="", model=Station, verb="change")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "t.b"  # type: ignore[misc]
    _declare(declared, "tests.rename", label="改名", model=Division, state_field="name", states=["甲"])
    with pytest.raises(PermissionDenied, match="^名称为“大田县”时不能改名。$"):
        check_state("tests.rename", Division(code="350425", name="大田县"))


def test_a_bare_declaration_limits_nothing_beyond_the_scope_rule(declared: list[str]) -> None:
    """Without options an action takes its roles from the model's rule, acts on an existing object in any state,
    and is always offered — the same whether the spec is built directly or through declare()."""
    import dataclasses

    expected = {
        "name": "tests.bare",
        "label": "测试动作",
        "model": Station,
        "verb": "change",
        "roles": None,
        "state_field": "",
        "states": None,
        "detail": True,
        "available": None,
    }
    direct = ActionSpec(name="tests.bare", label="测试动作", model=Station, verb="change")
    assert {f.name: getattr(direct, f.name) for f in dataclasses.fields(direct) if f.name != "func"} == expected
    assert direct.func is None
    _declare(declared, "tests.bare")
    spec = spec_of("tests.bare")
    assert {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec) if f.name != "func"} == expected
    assert spec.func is not None and spec.allowed_roles() == COUNTY_WRITERS
