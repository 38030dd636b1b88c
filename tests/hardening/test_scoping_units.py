"""Direct checks of ScopedQuerySet.for_user's branches (``via``, the minors filters) and with_permissions,
written for the scoping mutants that only app tests outside `make mutate`'s scoping runner killed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Organisation, User
from contracts.models import Contract
from core.scoping import Action, Role, ScopeRule
from policies.models import Policy
from services.models import Beneficiary, ServiceRecord
from stations.models import Division, Station
from tests.personal_app.models import Person

pytestmark = pytest.mark.django_db

JUNXI = "350425100"
BAISHA = "469025"


def _pks(qs: Any) -> list[int]:
    return sorted(qs.values_list("pk", flat=True))


def _junxi_villages() -> list[Division]:
    villages = list(Division.objects.filter(code__startswith=JUNXI, level=5).order_by("code")[:2])
    assert len(villages) == 2
    return villages


@pytest.fixture
def contracts(demo: None) -> dict[str, Contract]:
    """A Baisha (Hainan) contract naming two Junxi stations, and one naming only a Baisha station."""
    baisha = Division.objects.get(code=BAISHA)
    bureau = Organisation.objects.create(kind=Organisation.Kind.BUREAU, name="白沙黎族自治县民政局", division=baisha)
    agency = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name="白沙社会工作服务中心", division=baisha)
    here = list(Station.objects.filter(division__code__startswith=JUNXI).order_by("pk")[:2])
    assert len(here) == 2
    there = Station.objects.create(division=baisha, level=Station.Level.COUNTY_HQ, name="白沙单元测试总站")
    made = {}
    for number, stations in (("VIA-1", here), ("VIA-2", [there])):
        contract = Contract.objects.create(
            number=number,
            buyer=bureau,
            division=baisha,
            agency=agency,
            start_date="2026-01-01",
            end_date="2026-12-31",
            status=Contract.Status.ACTIVE,
        )
        contract.stations.add(*stations)
        made[number] = contract
    return made


def test_via_lets_the_via_roles_view_rows_naming_their_subtree_once_and_never_change_them(
    contracts: dict[str, Contract], monkeypatch: pytest.MonkeyPatch
) -> None:
    township = User.objects.get(username="junxi_town")
    named, other = contracts["VIA-1"].pk, contracts["VIA-2"].pk
    plain = ScopeRule(division="division_id", writers={Action.CHANGE: frozenset({Role.TOWNSHIP})})
    monkeypatch.setattr(Contract, "scoping", plain)
    own = set(_pks(Contract.objects.for_user(township)))
    assert named not in own
    rule = ScopeRule(
        division="division_id", via="stations__division_id", writers={Action.CHANGE: frozenset({Role.TOWNSHIP})}
    )
    monkeypatch.setattr(Contract, "scoping", rule)
    seen = _pks(Contract.objects.for_user(township))
    assert named in seen and other not in seen
    assert seen.count(named) == 1  # two of its stations are in Junxi: still one row (a subquery, not a join)
    naming = set(Contract.objects.filter(stations__division__code__startswith=JUNXI).values_list("pk", flat=True))
    assert named in naming and other not in naming
    assert set(seen) == own | naming
    # Read, never written, through the stations a row names.
    assert set(_pks(Contract.objects.for_user(township, Action.CHANGE))) == own
    # Only the via roles: a county bureau whose subtree holds the stations does not read through them.
    datian = User.objects.get(username="datian_bureau")
    assert named not in _pks(Contract.objects.for_user(datian))
    monkeypatch.setattr(
        Contract,
        "scoping",
        ScopeRule(division="division_id", via="stations__division_id", via_roles=frozenset({Role.COUNTY_BUREAU})),
    )
    assert named in _pks(Contract.objects.for_user(datian)) and named not in _pks(Contract.objects.for_user(township))
    # A rule with nothing else for the role: the via rows alone.
    monkeypatch.setattr(Contract, "scoping", ScopeRule(agency="agency_id", via="stations__division_id"))
    assert _pks(Contract.objects.for_user(township)) == sorted(naming)


def _person(division: Division, name: str, birth_date: dt.date | None) -> Person:
    return Person.objects.create(division=division, name=name, birth_date=birth_date)


def test_for_user_hides_children_and_unknown_birth_dates_inside_the_scope_only(demo: None) -> None:
    """The minors filter narrows the role's scope (AND), never widens it (OR)."""
    village = _junxi_villages()[0]
    today = timezone.localdate()
    adult = _person(village, "单元成人", dt.date(1950, 1, 1))
    child = _person(village, "单元儿童", today.replace(year=today.year - 8))
    unknown = _person(village, "单元未知", None)
    far_adult = _person(Division.objects.get(code=BAISHA), "单元外县成人", dt.date(1950, 1, 1))
    mine = {adult.pk, child.pk, unknown.pk, far_adult.pk}
    township = set(_pks(Person.objects.for_user(User.objects.get(username="junxi_town")))) & mine
    assert township == {adult.pk}
    bureau = set(_pks(Person.objects.for_user(User.objects.get(username="datian_bureau")))) & mine
    assert bureau == {adult.pk, child.pk, unknown.pk}  # serves children; Baisha is not its county
    admin = set(_pks(Person.objects.for_user(User.objects.get(username="admin")))) & mine
    assert admin == mine


def test_a_record_naming_a_child_or_an_unknown_birth_date_is_hidden_once_from_roles_not_serving_children(
    demo: None,
) -> None:
    from tests.services.write_cases import sunshine_station

    station = sunshine_station()
    village = _junxi_villages()[0]
    author = User.objects.get(username="agency_sunshine")
    today = timezone.localdate()

    def beneficiary(name: str, birth_date: dt.date | None) -> Beneficiary:
        return Beneficiary.objects.create(
            station=station, division=village, name=name, birth_date=birth_date, categories=["tekun_scattered"]
        )

    adult, other_adult = beneficiary("单元甲", dt.date(1950, 1, 1)), beneficiary("单元乙", dt.date(1960, 5, 5))
    child = beneficiary("单元童", today.replace(year=today.year - 8))
    unknown = beneficiary("单元无", None)

    def record(*people: Beneficiary) -> int:
        made = ServiceRecord.objects.create(
            station=station, kind="group", date=today, hours=Decimal("1"), title="单元小组", recorded_by=author
        )
        made.beneficiaries.set(people)
        return made.pk

    nobody, adults = record(), record(adult, other_adult)
    with_child, with_unknown, only_child = record(adult, child), record(other_adult, unknown), record(child)
    made = {nobody, adults, with_child, with_unknown, only_child}
    township = _pks(ServiceRecord.objects.for_user(User.objects.get(username="junxi_town")))
    assert sorted(set(township) & made) == sorted({nobody, adults})
    assert township.count(adults) == 1
    bureau = _pks(ServiceRecord.objects.for_user(User.objects.get(username="datian_bureau")))
    assert sorted(set(bureau) & made) == sorted(made) and bureau.count(with_child) == 1
    with pytest.raises(ValueError, match="scoped model"):
        ServiceRecord.scoping.minors_hidden_q(Role.TOWNSHIP)


def test_with_permissions_answers_per_row_what_the_user_may_do(demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A county bureau reads the policies above it and changes only its own; nothing outside its county."""
    bureau = User.objects.get(username="datian_bureau")
    Policy.objects.get_or_create(division_id="35", defaults={"name": "福建省单元测试方案"})  # inherited, read only
    Policy.objects.get_or_create(division_id=BAISHA, defaults={"name": "白沙单元测试方案"})  # another county's
    changeable = set(Policy.objects.for_user(bureau, Action.CHANGE).values_list("pk", flat=True))
    visible = set(Policy.objects.for_user(bureau).values_list("pk", flat=True))
    assert changeable and visible - changeable, "the demo bureau changes its own policies and reads inherited ones"
    outside = list(Policy.objects.exclude(pk__in=visible).values_list("pk", flat=True)[:3])
    some = sorted(visible - changeable)[:3] + sorted(changeable)[:3] + outside
    assert outside

    def answers(user: User, verbs: list[str]) -> dict[int, tuple[bool, ...]]:
        rows = Policy.objects.filter(pk__in=some).with_permissions(user, verbs)
        return {row.pk: tuple(getattr(row, f"_may_{verb}") for verb in verbs) for row in rows}

    got = answers(bureau, ["change", "view", "delete"])
    assert got == {pk: (pk in changeable, pk in visible, False) for pk in some}
    assert set(answers(User.objects.get(username="admin"), ["change", "delete"]).values()) == {(True, True)}
    monkeypatch.setattr(Policy, "scoping", None)  # a model without a rule: nobody may do anything
    assert set(answers(User.objects.get(username="admin"), ["view"]).values()) == {(False,)}


def test_an_inbox_is_each_users_own_whatever_the_role_and_the_system_actor_reaches_every_one(demo: None) -> None:
    from django.utils import timezone

    from core.system import system_actor
    from obligations.models import Notification

    users = [User.objects.get(username=name) for name in ("admin", "datian_bureau", "junxi_town", "agency_sunshine")]
    made = {
        u.pk: Notification.objects.create(recipient=u, text="单元测试", created_at=timezone.now()).pk for u in users
    }
    for user in users:
        mine = set(Notification.objects.for_user(user).values_list("pk", flat=True)) & set(made.values())
        assert mine == {made[user.pk]}, user.username  # the administrator too: an inbox is personal
    assert set(made.values()) <= set(Notification.objects.for_user(system_actor()).values_list("pk", flat=True))


def _granted(codename: str, user: User) -> set[int]:
    """Object grants read straight from django-guardian's tables (not through get_objects_for_user)."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    by_group = GroupObjectPermission.objects.filter(group__in=user.groups.all(), permission__codename=codename)
    by_user = UserObjectPermission.objects.filter(user=user, permission__codename=codename)
    return {int(pk) for pk in by_group.values_list("object_pk", flat=True)} | {
        int(pk) for pk in by_user.values_list("object_pk", flat=True)
    }


def test_an_evaluator_sees_exactly_the_rows_granted_to_it_and_grants_widen_no_other_role(demo: None) -> None:
    """Guardian grants (ScopeRule.guardian) on a model scoped by something other than its own id: evaluations.
    A model-level permission grants nothing, and an object grant to a township user does not widen its scope."""
    from django.contrib.auth.models import Permission
    from guardian.shortcuts import assign_perm

    from evaluation.models import Evaluation

    evaluator = User.objects.get(username="evaluator")
    granted = _granted("view_evaluation", evaluator)
    assert granted, "the demo grants the evaluator its evaluations"
    assert set(Evaluation.objects.for_user(evaluator).values_list("pk", flat=True)) == granted
    assert set(Evaluation.objects.for_user(evaluator, "score").values_list("pk", flat=True)) == _granted(
        "score_evaluation", evaluator
    )
    # One grant withdrawn, then a model-level permission given: still only the row granted.
    from guardian.shortcuts import remove_perm

    withdrawn = Evaluation.objects.get(pk=min(granted))
    for group in evaluator.groups.all():
        remove_perm("evaluation.view_evaluation", group, withdrawn)
    evaluator.user_permissions.add(Permission.objects.get(codename="view_evaluation"))
    evaluator = User.objects.get(username="evaluator")  # a fresh object: permissions and scope are cached
    assert set(Evaluation.objects.for_user(evaluator).values_list("pk", flat=True)) == granted - {withdrawn.pk}
    for username in ("junxi_town", "agency_harmony"):
        user = User.objects.get(username=username)
        before = set(Evaluation.objects.for_user(user).values_list("pk", flat=True))
        outside = Evaluation.objects.exclude(pk__in=before).order_by("pk").first()
        assert outside is not None, username
        assign_perm("evaluation.view_evaluation", user, outside)
        user = User.objects.get(username=username)
        assert set(Evaluation.objects.for_user(user).values_list("pk", flat=True)) == before, username
