"""Small, direct checks of core mechanisms, written for mutants that survived `make mutate`."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from accounts.models import Organisation, User
from contracts.models import Contract
from core.scoping import Action, Role, UserScope, ancestor_codes, scope_of
from policies.models import Policy
from stations.models import Division, Station
from tests import oracle


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


@pytest.fixture
def foreign_rows(demo: None) -> None:
    """Rows outside every Fujian account (白沙, Hainan), so each scope has something to leave out."""
    baisha = Division.objects.get(code="469025")
    bureau = Organisation.objects.create(kind=Organisation.Kind.BUREAU, name="白沙黎族自治县民政局", division=baisha)
    agency = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name="白沙社会工作服务中心", division=baisha)
    station = Station.objects.create(division=baisha, level=Station.Level.COUNTY_HQ, name="白沙总站")
    contract = Contract.objects.create(
        number="BS-1",
        buyer=bureau,
        division=baisha,
        agency=agency,
        start_date="2026-01-01",
        end_date="2026-12-31",
        status=Contract.Status.ACTIVE,
    )
    contract.stations.add(station)


@pytest.mark.django_db
@pytest.mark.usefixtures("foreign_rows")
@pytest.mark.parametrize("username", oracle.ROLE_USERS)
def test_for_user_matches_the_independent_oracle_for_every_role(username: str) -> None:
    """The one door against tests/oracle.py (computed without core.scoping), straight through the ORM."""
    user = User.objects.get(username=username)

    def pks(qs) -> set[str]:  # type: ignore[no-untyped-def]
        return {str(pk) for pk in qs.values_list("pk", flat=True)}

    assert pks(Station.objects.for_user(user)) == {str(x) for x in oracle.station_ids(user)}
    assert pks(Division.objects.for_user(user)) == oracle.division_codes(user)
    assert pks(Contract.objects.for_user(user)) == {str(x) for x in oracle.contract_ids(user)}
    assert pks(Policy.objects.for_user(user)) == {str(x) for x in oracle.policy_ids(user)}
    assert pks(Organisation.objects.for_user(user)) == {str(x) for x in oracle.organisation_ids(user)}
    assert pks(Station.objects.for_user(user, Action.CHANGE)) == {str(x) for x in oracle.station_change_ids(user)}
    # Writes below never reach a policy inherited from above; a county bureau changes only its own, and roles
    # without policy writes change none.
    changeable = pks(Policy.objects.for_user(user, Action.CHANGE))
    if username == "datian_bureau":
        assert changeable == pks(Policy.objects.filter(division_id="350425"))
    elif username in ("junxi_town", "shipai_town", "agency_sunshine", "agency_harmony", "evaluator"):
        assert changeable == set(), username


@pytest.mark.django_db
def test_roles_come_from_the_organisation(demo: None) -> None:
    expected = {
        "admin": Role.ADMIN,
        "fj_province": Role.PROVINCE_BUREAU,
        "sanming_city": Role.CITY_BUREAU,
        "datian_bureau": Role.COUNTY_BUREAU,
        "junxi_town": Role.TOWNSHIP,
        "agency_sunshine": Role.AGENCY,
        "evaluator": Role.EVALUATOR,
    }
    for username, role in expected.items():
        scope = scope_of(User.objects.get(username=username))
        assert scope.role == role, username
    city = User.objects.create_user(
        "sm_city", password="Xx-12345678", organisation=Organisation.objects.get(name="三明市民政局")
    )
    assert scope_of(city).role == Role.CITY_BUREAU and scope_of(city).roots == ("3504",)
    town = scope_of(User.objects.get(username="junxi_town"))
    assert town.roots == ("350425100",) and town.station_ids is None
    agency = scope_of(User.objects.get(username="agency_sunshine"))
    assert agency.station_ids and agency.roots == tuple(
        sorted(set(Station.objects.filter(pk__in=agency.station_ids).values_list("division_id", flat=True)))
    )


def test_no_user_and_anonymous_have_no_role() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert scope_of(None).role == Role.NONE
    assert scope_of(AnonymousUser()).role == Role.NONE
    # Anything that is not a user object (no is_authenticated) is nobody: fail closed, never an error.
    assert scope_of(object()).role == Role.NONE  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_scope_is_computed_once_per_user_object(demo: None) -> None:
    """Once per request: the same user object answers the same scope object, whatever the role."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for username in ("datian_bureau", "junxi_town", "agency_sunshine"):
        user = User.objects.get(username=username)
        first = scope_of(user)
        with CaptureQueriesContext(connection) as queries:
            assert scope_of(user) is first, username
        assert len(queries) == 0, username
    # A fresh object of the same account computes it afresh (a changed organisation applies next request).
    again = User.objects.get(username="agency_sunshine")
    assert scope_of(again) is not first and scope_of(again) == first


@pytest.mark.django_db
def test_the_system_actor_has_the_system_scope_once_per_object() -> None:
    from core.system import system_actor

    actor = system_actor()
    scope = scope_of(actor)
    assert scope.role == Role.SYSTEM and scope.is_global
    assert scope_of(actor) is scope
    assert Station.objects.for_user(actor).count() == Station.objects.count()


def test_a_scope_rule_cannot_be_changed_in_place() -> None:
    rule = Station.scoping
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.public = True  # type: ignore[misc]


@pytest.mark.django_db
def test_the_audit_log_is_viewed_by_bureaus_only(demo: None) -> None:
    from core.models import AuditLog

    AuditLog.objects.create(event="update", username="x", division_code="350425100")
    assert AuditLog.objects.for_user(User.objects.get(username="datian_bureau")).exists()
    assert AuditLog.objects.for_user(User.objects.get(username="fj_province")).exists()
    for username in ("junxi_town", "agency_sunshine", "evaluator"):
        assert not AuditLog.objects.for_user(User.objects.get(username=username)).exists(), username


def _id_number(first17: str) -> str:
    """GB 11643-1999 check character, computed here independently (weights 2^(17-i) mod 11)."""
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


def test_id_numbers_birth_dates_and_lengths() -> None:
    from django.core.exceptions import ValidationError

    from accounts.validators import validate_id_number

    validate_id_number(_id_number("11010520000229001"))  # 29 February of a leap year
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number(_id_number("11010519490132001"))  # 32 January
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number(_id_number("11010519490229001"))  # 1949 is not a leap year
    with pytest.raises(ValidationError, match="18 位"):
        validate_id_number("1101051949123100AX")
    with pytest.raises(ValidationError, match="18 位"):
        validate_id_number(_id_number("11010519491231002")[:17])


def test_run_action_answers_refusals_as_the_api_does() -> None:
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.http import Http404
    from rest_framework import serializers
    from rest_framework.exceptions import NotFound

    from core.api import run_action

    def raising(exc: Exception) -> Any:
        def call() -> Any:
            raise exc

        return call

    assert run_action(lambda: 7) == 7
    with pytest.raises(serializers.ValidationError) as bad:
        run_action(raising(DjangoValidationError({"year": "年份不对。"})))
    assert bad.value.detail == {"year": ["年份不对。"]}
    for exc in (DjangoPermissionDenied("no"), Http404("no")):
        with pytest.raises(NotFound) as missing:
            run_action(raising(exc))
        assert str(missing.value.detail) == "未找到。"
    with pytest.raises(KeyError):
        run_action(raising(KeyError("other errors pass through")))


def test_the_minors_rule_hides_children_under_fourteen_from_the_roles_that_do_not_serve_them() -> None:
    """ScopeRule.minors by default (no minor_age given): under 14 on today's date, unknown birth dates hidden too;
    the roles named in minor_viewers and the administrator see them."""
    from django.db.models import Q
    from django.utils import timezone

    from core.personal.idnumber import earliest_birth_under
    from core.scoping import ScopeRule

    rule = ScopeRule(division="division_id", minors="birth_date", minor_viewers=frozenset({Role.COUNTY_BUREAU}))
    cutoff = earliest_birth_under(14, timezone.localdate())
    assert rule.minors_hidden_q(Role.TOWNSHIP) == Q(birth_date__lt=cutoff)
    assert rule.minors_hidden_q(Role.AGENCY) == Q(birth_date__lt=cutoff)
    assert rule.minors_hidden_q(Role.COUNTY_BUREAU) is None
    assert rule.minors_hidden_q(Role.ADMIN) is None
    assert ScopeRule(division="division_id").minors_hidden_q(Role.TOWNSHIP) is None  # no minors rule


def test_the_system_actor_reads_everywhere_and_writes_only_where_a_rule_names_it() -> None:
    from core.scoping import ScopeRule

    rule = ScopeRule(division="division_id", writers={"change": frozenset({Role.SYSTEM, Role.COUNTY_BUREAU})})
    assert rule.may(Role.SYSTEM, Action.VIEW) and rule.may(Role.SYSTEM, "change")
    assert not rule.may(Role.SYSTEM, "add") and not rule.may(Role.SYSTEM, "delete")
    assert not ScopeRule(division="division_id").may(Role.SYSTEM, "change")


def test_ancestors_are_read_only_by_division_and_need_both_codes_and_a_division_path() -> None:
    from django.db.models import Q

    from core.scoping import ScopeRule

    scope = UserScope(role=Role.TOWNSHIP, roots=("350425100",))
    rule = ScopeRule(division="division_id", ancestors=True)
    assert rule._ancestors_part(scope) == [Q(division_id__in=["35", "3504", "350425"])]
    assert ScopeRule(owner="pk", ancestors=True)._ancestors_part(scope) == []  # no division path
    assert rule._ancestors_part(UserScope(role=Role.TOWNSHIP, roots=())) == []  # no codes


def test_validated_answers_the_clean_data_or_a_400_naming_each_field() -> None:
    from rest_framework import serializers
    from rest_framework.exceptions import ValidationError as DRFValidationError
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from core.api import validated

    class Input(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000)
        note = serializers.CharField(required=False, default="")

    def request(body: dict[str, Any]) -> Request:
        from rest_framework.parsers import JSONParser

        return Request(APIRequestFactory().post("/x/", body, format="json"), parsers=[JSONParser()])

    assert validated(Input, request({"year": "2026"})) == {"year": 2026, "note": ""}
    with pytest.raises(DRFValidationError) as refused:
        validated(Input, request({"year": 1999}))
    assert set(refused.value.detail) == {"year"}  # type: ignore[arg-type]


def test_a_bare_scope_and_a_bare_rule_declare_nothing() -> None:
    """Fail closed by construction: a scope names no organisation, subtree or station until scope_of sets them,
    and a rule names no path, no reader and no writer until its model declares them."""
    from core.scoping import ScopeRule

    assert dataclasses.asdict(UserScope(role=Role.NONE)) == {
        "role": Role.NONE,
        "organisation_id": None,
        "roots": (),
        "station_ids": None,
        "extra": {},
    }
    bare = ScopeRule()
    assert {f.name: getattr(bare, f.name) for f in dataclasses.fields(bare)} == {
        "division": None,
        "station": None,
        "agency": None,
        "owner": None,
        "ancestors": False,
        "guardian": False,
        "public": False,
        "viewers": None,
        "writers": {},
        "ancestors_q": None,
        "station_q": None,
        "minors": None,
        "minor_viewers": frozenset(),
        "minor_age": 14,
        "minors_among": None,
        "user": None,
        "via": None,
        "via_roles": frozenset({Role.TOWNSHIP}),
    }
    # Nothing declared, nothing visible to any role short of the global ones, and nothing writable.
    for role in (Role.TOWNSHIP, Role.COUNTY_BUREAU, Role.AGENCY, Role.EVALUATOR, Role.VILLAGE):
        assert (
            bare.q_for(UserScope(role=role, organisation_id=1, roots=("350425",), station_ids=frozenset({1}))) is None
        )
        assert not bare.may(role, "change") and not bare.may(role, "add")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        ("", ""),
        (12, "12"),
        ("均溪镇", "均溪镇"),
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+86", "'+86"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),  # only a leading character starts a formula
        ("'=x", "'=x"),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, cell: str) -> None:
    from core.exports import csv_safe

    assert csv_safe(value) == cell


class _Base:
    """Stands in for DRF's view methods that the mixin extends."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        return None

    def handle_exception(self, exc: Exception) -> Any:
        return exc


def _viewset(method: str, action: str) -> Any:
    from types import SimpleNamespace

    from core.api import ScopedViewSetMixin

    class View(ScopedViewSetMixin, _Base):
        read_only_posts = frozenset({"evaluate"})

    view = View()
    view.request = SimpleNamespace(method=method)
    view.action = action  # type: ignore[attr-defined]
    return view


@pytest.mark.parametrize(
    ("method", "action", "reads"),
    [("POST", "evaluate", True), ("PUT", "evaluate", False), ("POST", "other", False), ("GET", "evaluate", False)],
)
def test_only_a_declared_read_only_post_reads_by_post(method: str, action: str, reads: bool) -> None:
    assert _viewset(method, action)._reads_by_post() is reads


def test_a_write_no_action_takes_is_405_naming_the_method_and_a_read_only_post_passes() -> None:
    from types import SimpleNamespace

    from rest_framework.exceptions import MethodNotAllowed

    for method, action in (("PUT", "evaluate"), ("POST", "other"), ("DELETE", "destroy")):
        with pytest.raises(MethodNotAllowed) as refused:
            _viewset(method, action).initial(SimpleNamespace(method=method))
        assert method in str(refused.value.detail)
    assert _viewset("POST", "evaluate").initial(SimpleNamespace(method="POST")) is None
    assert _viewset("GET", "list").initial(SimpleNamespace(method="GET")) is None


def test_a_refusal_reaching_the_view_is_a_404_and_other_errors_pass_through() -> None:
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from rest_framework.exceptions import NotFound, ValidationError

    answered = _viewset("GET", "list").handle_exception(DjangoPermissionDenied("no"))
    assert isinstance(answered, NotFound) and str(answered.detail) == "未找到。"
    other = ValidationError({"x": ["bad"]})
    assert _viewset("GET", "list").handle_exception(other) is other


def test_allowed_actions_are_documented_as_code_and_name() -> None:
    from rest_framework import serializers

    from core.api import AllowedActionSerializer

    fields = AllowedActionSerializer().fields
    assert set(fields) == {"action", "label"}
    assert all(isinstance(f, serializers.CharField) for f in fields.values())
    assert (fields["action"].help_text, fields["label"].help_text) == ("操作代码", "操作名称")


def test_a_subtree_is_a_prefix_and_its_tightest_range_on_the_column() -> None:
    """LIKE 'root%' plus the range [root, next root) so a b-tree index seeks to the subtree; a foreign key's
    column is matched without a join; no roots match nothing."""
    from django.db.models import Q

    from core.scoping import _subtree_q

    assert _subtree_q("code", ("4301",)) == Q(code__startswith="4301", code__gte="4301", code__lt="4302")
    assert _subtree_q("division_id", ("35", "4309")) == Q(
        division__pk__startswith="35", division__pk__gte="35", division__pk__lt="36"
    ) | Q(division__pk__startswith="4309", division__pk__gte="4309", division__pk__lt="430:")  # the character after 9
    assert _subtree_q("code", ()) == Q(pk__in=[])


@pytest.mark.django_db
def test_allowed_actions_need_the_request_and_are_documented_as_a_list(demo: None) -> None:
    from types import SimpleNamespace

    from drf_spectacular.generators import SchemaGenerator

    from core.api import AllowedActionsField
    from stations.api.serializers import StationSerializer

    station = Station.objects.filter(division__code__startswith="350425").order_by("pk").first()
    assert station is not None
    assert AllowedActionsField().to_representation(station) == []  # no request, no user: nothing offered
    bureau = User.objects.get(username="datian_bureau")
    serializer = StationSerializer(station, context={"request": SimpleNamespace(user=bureau)})
    offered = serializer.data["allowed_actions"]
    assert "stations.update" in {a["action"] for a in offered}
    assert all(set(a) == {"action", "label"} and a["label"] for a in offered)
    field = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["Station"]["properties"][
        "allowed_actions"
    ]
    assert field["type"] == "array" and field["readOnly"] is True
    assert field["items"] == {"$ref": "#/components/schemas/AllowedAction"}
