"""The write matrix: every declared action (core.actions) taken by an anonymous caller, a role that may not
take it, the right role outside its scope, the right role inside it, and (where the action depends on a
state) in a state that forbids it — called directly and, where the action is exposed, through HTTP.

An action declared without a case here fails ``test_every_action_is_covered``; an API write handler that is
not mapped to an action fails ``test_api_refuses_writes_without_an_action``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.models import User
from contracts.actions import contract_create, contract_update
from contracts.models import Contract
from core import actions as core_actions
from core.api import ScopedModelViewSet
from core.models import AuditLog
from stations.actions import station_create, station_update
from stations.models import Division, Station
from tests.checks import Case, contributions

pytestmark = pytest.mark.django_db

DATIAN = "350425"
OTHER_COUNTY = "350424"  # 清流县, same province, another bureau's county


def _station(
    division_code: str, level: str = Station.Level.TOWNSHIP, status: str = Station.Status.OPERATING
) -> Station:
    division = Division.objects.get(pk=division_code)
    return Station.objects.create(
        division=division, level=level, name=f"矩阵测试站{division_code}{level}", status=status
    )


def _datian_township_station() -> Station:
    return (
        Station.objects.filter(division__code__startswith=DATIAN, level=Station.Level.TOWNSHIP).order_by("pk").first()
    )  # type: ignore[return-value]


def _update(user: Any, station: Station) -> Any:
    return station_update(acting_user=user, station=station, data={"address": "矩阵测试地址"})


def _update_http(client: Client, station: Station) -> Any:
    return client.patch(
        f"/api/v1/stations/{station.pk}/", data={"address": "矩阵测试地址"}, content_type="application/json"
    )


def _closed_station() -> Station:
    return Station.objects.create(
        division=Division.objects.get(pk=DATIAN),
        level=Station.Level.COUNTY_HQ,
        name="矩阵测试已关闭总站",
        status=Station.Status.CLOSED,
    )


def _reopen(user: Any, station: Station) -> Any:
    return station_update(acting_user=user, station=station, data={"status": Station.Status.OPERATING})


def _create(user: Any, division: Division) -> Any:
    return station_create(acting_user=user, division=division, level=Station.Level.VILLAGE, name="")


def _create_http(client: Client, division: Division) -> Any:
    return client.post(reverse("station-create"), {"division": division.pk, "level": Station.Level.VILLAGE, "name": ""})


def _datian_village() -> Division:
    taken = Station.objects.filter(level=Station.Level.VILLAGE).values("division_id")
    return (
        Division.objects.filter(code__startswith=DATIAN, level=Division.Level.VILLAGE).exclude(code__in=taken).first()
    )  # type: ignore[return-value]


def _other_county_contract() -> Contract:
    from accounts.models import Organisation

    division = Division.objects.get(pk=OTHER_COUNTY)
    buyer, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.BUREAU, division=division, defaults={"name": "清流县民政局"}
    )
    agency = Organisation.objects.filter(kind=Organisation.Kind.AGENCY).first()
    return Contract.objects.create(
        number="MATRIX-1",
        buyer=buyer,
        division=division,
        agency=agency,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )


def _datian_contract() -> Contract:
    return Contract.objects.filter(division__code__startswith=DATIAN).order_by("pk").first()  # type: ignore[return-value]


def _new_contract_in(division: Division) -> Contract:
    from accounts.models import Organisation

    buyer = Organisation.objects.get(kind=Organisation.Kind.BUREAU, division_id=DATIAN)
    agency = Organisation.objects.filter(kind=Organisation.Kind.AGENCY).first()
    n = Contract.objects.count()
    return Contract(
        number=f"MATRIX-NEW-{n}",
        buyer=buyer,
        division=division,
        agency=agency,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )


# --- evaluator grants and a bureau manager's own accounts (issue 13 item 10) -----------------------------------


def _evaluator_org() -> Any:
    from accounts.models import Organisation

    return Organisation.objects.get(kind=Organisation.Kind.EVALUATOR)


def _ungranted_datian_station() -> Station:
    from stations.selectors import granted_station_ids

    granted = granted_station_ids(_evaluator_org())
    return (
        Station.objects.filter(division__code__startswith=DATIAN, level=Station.Level.VILLAGE)
        .exclude(pk__in=granted)
        .order_by("pk")
        .first()
    )  # type: ignore[return-value]


def _granted(station: Station) -> Station:
    """The station, granted to the evaluator directly (so that only the caller can make a revoke fail)."""
    from guardian.shortcuts import assign_perm

    from stations.actions import evaluator_group

    assign_perm("stations.view_station", evaluator_group(_evaluator_org()), station)
    return station


def _grant(user: Any, station: Station) -> Any:
    from stations.actions import station_grant

    return station_grant(acting_user=user, evaluator=_evaluator_org(), stations=[station])


def _revoke(user: Any, station: Station) -> Any:
    from stations.actions import station_revoke

    return station_revoke(acting_user=user, evaluator=_evaluator_org(), station=station)


def _grants_http(action: str) -> Callable[[Client, Station], Any]:
    def post(client: Client, station: Station) -> Any:
        data = {"evaluator": _evaluator_org().pk, "station": station.pk, "action": action}
        return client.post(reverse("station-grants"), data)

    return post


_accounts_made = iter(range(1, 1000))


def _new_account(organisation_username: str = "datian_bureau") -> dict[str, Any]:
    n = next(_accounts_made)
    return {
        "organisation": User.objects.get(username=organisation_username).organisation,
        "username": f"matrix_user_{n}",
        "full_name": f"矩阵测试{n}",
        "phone": "",
        "position": User.Position.OFFICER,
        "password": "Matrix#Pass2026",
    }


def _create_account(user: Any, fields: dict[str, Any]) -> Any:
    from accounts.actions import org_user_create

    return org_user_create(acting_user=user, **fields)


def _bureau_colleague() -> User:
    from accounts.actions import org_user_create

    fields = _new_account()
    return org_user_create(acting_user=User.objects.get(username="datian_bureau"), **fields)


def _deactivate(user: Any, target: User) -> Any:
    from accounts.actions import org_user_set_active

    return org_user_set_active(acting_user=user, user=target, active=False)


def _reset(user: Any, target: User) -> Any:
    from accounts.actions import org_user_reset_password

    return org_user_reset_password(acting_user=user, user=target, password="Reset#Pass2026")


def _junxi_village() -> Division:
    return Division.objects.filter(code__startswith="350425100", level=Division.Level.VILLAGE).order_by("code")[0]


def _township_colleague() -> User:
    from accounts.actions import org_user_create

    fields = _new_account("junxi_town")
    return org_user_create(acting_user=User.objects.get(username="junxi_town"), **fields)


def _set_village(user: Any, target: User) -> Any:
    from accounts.actions import org_user_set_village

    return org_user_set_village(acting_user=user, user=target, village=_junxi_village())


CASES: dict[str, Case] = {
    "stations.grant": Case(
        right_user="datian_bureau",
        wrong_role_user="junxi_town",
        in_scope=_ungranted_datian_station,
        out_of_scope=lambda: _station(OTHER_COUNTY, level=Station.Level.COUNTY_HQ),
        call=_grant,
        http=_grants_http("grant"),
        http_ok=(302,),
    ),
    "stations.revoke": Case(
        right_user="datian_bureau",
        wrong_role_user="junxi_town",
        in_scope=lambda: _granted(_ungranted_datian_station()),
        out_of_scope=lambda: _granted(_station(OTHER_COUNTY, level=Station.Level.COUNTY_HQ)),
        call=_revoke,
        http=_grants_http("revoke"),
        http_ok=(302,),
    ),
    "accounts.user_create": Case(
        right_user="datian_bureau",
        wrong_role_user="agency_sunshine",
        in_scope=_new_account,
        # The manager names another organisation (the township's): refused, nothing saved.
        out_of_scope=lambda: _new_account("junxi_town"),
        call=_create_account,
        # The page takes the organisation from the logged-in manager, never from the form, so it has no
        # out-of-scope request to make; tests/accounts/test_org_users.py holds the page.
    ),
    "accounts.user_set_active": Case(
        right_user="datian_bureau",
        wrong_role_user="agency_sunshine",
        in_scope=_bureau_colleague,
        out_of_scope=lambda: User.objects.get(username="shipai_town"),
        call=_deactivate,
        http=lambda client, u: client.post(reverse("org-user-detail", args=[u.pk]), {"action": "deactivate"}),
        http_ok=(302,),
    ),
    "accounts.user_reset_password": Case(
        right_user="datian_bureau",
        wrong_role_user="agency_sunshine",
        in_scope=_bureau_colleague,
        out_of_scope=lambda: User.objects.get(username="shipai_town"),
        call=_reset,
        http=lambda client, u: client.post(
            reverse("org-user-detail", args=[u.pk]), {"action": "reset", "password": "Reset#Pass2026"}
        ),
        http_ok=(302,),
    ),
    "accounts.user_set_village": Case(
        right_user="junxi_town",  # the township government's manager
        wrong_role_user="datian_bureau",  # a bureau's manager: no villages to assign
        in_scope=_township_colleague,
        out_of_scope=lambda: User.objects.get(username="shipai_town"),
        call=_set_village,
        http=lambda client, u: client.post(
            reverse("org-user-detail", args=[u.pk]), {"action": "village", "village": _junxi_village().pk}
        ),
        http_ok=(302,),
    ),
    "contracts.update": Case(
        right_user="datian_bureau",
        wrong_role_user="agency_sunshine",
        in_scope=_datian_contract,
        out_of_scope=_other_county_contract,
        call=lambda user, c: contract_update(
            acting_user=user, contract=c, data={"procurement_method": "single_source"}
        ),
    ),
    "contracts.create": Case(
        right_user="datian_bureau",
        wrong_role_user="junxi_town",
        in_scope=lambda: _new_contract_in(Division.objects.get(pk=DATIAN)),
        # The bureau builds a contract whose place is another county: refused, nothing saved.
        out_of_scope=lambda: _new_contract_in(Division.objects.get(pk=OTHER_COUNTY)),
        call=lambda user, c: contract_create(acting_user=user, contract=c),
    ),
    "stations.update": Case(
        right_user="datian_bureau",
        wrong_role_user="junxi_town",
        in_scope=_datian_township_station,
        out_of_scope=lambda: _station(OTHER_COUNTY, level=Station.Level.COUNTY_HQ),
        call=_update,
        http=_update_http,
        http_ok=(200,),
        wrong_state=_closed_station,
        wrong_state_call=_reopen,
    ),
    "stations.create": Case(
        right_user="datian_bureau",
        wrong_role_user="junxi_town",
        in_scope=_datian_village,
        out_of_scope=lambda: Division.objects.get(pk=OTHER_COUNTY),
        call=_create,
        http=_create_http,
        http_ok=(302,),
    ),
}


def _personal_cases() -> dict[str, Case]:
    """The test-only personal-data app (installed by config/settings_test.py) declares three actions."""
    from django.apps import apps

    if not apps.is_installed("tests.personal_app"):
        return {}
    from core.personal.access import export_clear, unmask
    from tests.personal_app.actions import person_create
    from tests.personal_app.models import Person

    reason = {"reason": "verify", "reason_text": "核对身份信息"}

    def village(code: str) -> Division:
        return Division.objects.filter(code__startswith=code).order_by("-level", "code").first()  # type: ignore[return-value]

    def create(user: Any, division: Division) -> Any:
        return person_create(acting_user=user, data={"division": division, "name": "矩阵测试人"})

    return {
        "personal_app.person.unmask": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: Person.objects.get(name="成人0"),
            out_of_scope=lambda: Person.objects.get(name="县外成人"),
            call=lambda user, person: unmask(acting_user=user, obj=person, **reason),
        ),
        "personal_app.person.export": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: [Person.objects.get(name="成人0")],
            out_of_scope=lambda: [Person.objects.get(name="县外成人")],
            call=lambda user, people: export_clear(acting_user=user, objects=people, model=Person, **reason),
        ),
        "personal_app.create": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: village(DATIAN),
            out_of_scope=lambda: village(OTHER_COUNTY),
            call=create,
        ),
    }


def _policy_cases() -> dict[str, Case]:
    from policies.actions import policy_get_or_create, policy_rule_clear, policy_rule_set, preset_adopt
    from policies.models import Policy, PolicyPreset, PolicyRule

    key = "station.regional_centre_min_area"

    def datian_without_policy() -> Division:
        Policy.objects.filter(division_id=DATIAN).delete()
        return Division.objects.get(pk=DATIAN)

    def datian_policy() -> Policy:
        policy = Policy.objects.get(division_id=DATIAN)
        PolicyRule.objects.get_or_create(policy=policy, key=key, defaults={"value": 200, "clause": "测试"})
        return policy

    def other_policy() -> Policy:
        return Policy.objects.get_or_create(division_id=OTHER_COUNTY, defaults={"name": "清流县方案"})[0]

    def rule_set(user: Any, policy: Policy) -> Any:
        return policy_rule_set(acting_user=user, policy=policy, key=key, value=260, clause="第四部分第（二）项")

    def adopt(user: Any, division: Division) -> Any:
        preset = PolicyPreset.objects.order_by("code").first()
        return preset_adopt(acting_user=user, preset=preset, division=division)

    return {
        "policies.create": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=datian_without_policy,
            out_of_scope=lambda: Division.objects.get(pk=OTHER_COUNTY),
            call=lambda user, division: policy_get_or_create(acting_user=user, division=division),
        ),
        "policies.rule_set": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=datian_policy,
            out_of_scope=other_policy,
            call=rule_set,
        ),
        "policies.rule_clear": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=datian_policy,
            out_of_scope=other_policy,
            call=lambda user, policy: policy_rule_clear(acting_user=user, policy=policy, key=key),
        ),
        "policies.adopt": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: Division.objects.get(pk=DATIAN),
            out_of_scope=lambda: Division.objects.get(pk=OTHER_COUNTY),
            call=adopt,
            http=lambda client, division: client.post(
                "/api/v1/policies/adopt/",
                {"division": division.pk, "preset": PolicyPreset.objects.order_by("code").first().code},  # type: ignore[union-attr]
                content_type="application/json",
            ),
            http_ok=(200,),
        ),
    }


def _calendar_cases() -> dict[str, Case]:
    from workdays.actions import save_arrangement
    from workdays.arrangement import HolidayRow

    def save(user: Any, year: int) -> Any:
        row = HolidayRow(name="元旦", first=dt.date(year, 1, 1), last=dt.date(year, 1, 1))
        return save_arrangement(acting_user=user, year=year, notice="", source="测试", complete=False, holidays=[row])

    return {
        "workdays.save_arrangement": Case(
            right_user="admin",
            wrong_role_user="datian_bureau",
            in_scope=lambda: 2040,
            out_of_scope=None,
            call=save,
            http=lambda client, year: client.get(f"/calendar/arrangement/?year={year}"),
        ),
    }


def _obligation_cases() -> dict[str, Case]:
    from obligations.actions import notification_mark_read, notifications_mark_all_read, obligation_waive
    from obligations.models import Notification, Obligation
    from tests.obligations.support import seed_isolation_obligations

    def obligation(prefix: str, state: str = Obligation.State.OVERDUE) -> Obligation:
        seed_isolation_obligations()
        found = Obligation.objects.filter(division__code__startswith=prefix, owner__kind="township")
        row = found.order_by("pk").first()
        assert row is not None
        Obligation.objects.filter(pk=row.pk).update(state=state)
        row.refresh_from_db()
        return row

    def outside() -> Obligation:
        row = obligation(DATIAN)
        Obligation.objects.filter(pk=row.pk).update(division_id=OTHER_COUNTY, notify_division_id=OTHER_COUNTY)
        row.refresh_from_db()
        return row

    def own_message(username: str) -> Notification:
        seed_isolation_obligations()
        return Notification.objects.filter(recipient__username=username, read_at__isnull=True).order_by("pk").first()  # type: ignore[return-value]

    def waive(user: Any, row: Obligation) -> Any:
        return obligation_waive(acting_user=user, obligation_id=row.pk, reason="站点已撤并，不再建设")

    return {
        "obligations.waive": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: obligation(DATIAN),
            out_of_scope=outside,
            call=waive,
            http=lambda client, row: client.post(
                f"/api/v1/obligations/{row.pk}/waive/", {"reason": "站点已撤并"}, content_type="application/json"
            ),
            http_ok=(200,),
            wrong_state=lambda: obligation(DATIAN, Obligation.State.DONE),
        ),
        "obligations.notification_read": Case(
            right_user="junxi_town",
            wrong_role_user=None,
            in_scope=lambda: own_message("junxi_town"),
            # Someone else's message is outside every user's scope but its recipient's.
            out_of_scope=lambda: own_message("shipai_town"),
            call=lambda user, n: notification_mark_read(acting_user=user, notification_id=n.pk),
            http=lambda client, n: client.post(f"/api/v1/notifications/{n.pk}/read/"),
            http_ok=(200,),
        ),
        "obligations.notifications_read_all": Case(
            right_user="junxi_town",
            wrong_role_user=None,
            in_scope=lambda: own_message("junxi_town"),
            out_of_scope=None,
            call=lambda user, _n: notifications_mark_all_read(acting_user=user),
        ),
    }


def _contract_cases() -> dict[str, Case]:
    """The agreement's life cycle and amendments, and the procurement before it (contracts.actions)."""
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import Organisation
    from contracts import actions as ca
    from contracts.models import Bidder, Procurement

    today = timezone.localdate()
    seq = iter(range(1, 100_000))

    def bureau(code: str) -> Organisation:
        return Organisation.objects.get_or_create(
            kind=Organisation.Kind.BUREAU, division_id=code, defaults={"name": f"{code}民政局"}
        )[0]

    def station_in(code: str) -> Station:
        found = Station.objects.filter(division__code__startswith=code).order_by("pk").first()
        return found or _station(code, level=Station.Level.COUNTY_HQ)

    def contract(code: str = DATIAN, status: str = Contract.Status.ACTIVE, **extra: Any) -> Contract:
        values: dict[str, Any] = {
            "signed_date": today - dt.timedelta(days=5),
            "start_date": dt.date(today.year, 1, 1),
            "end_date": dt.date(today.year, 12, 31),
        }
        values.update(extra)
        c = Contract.objects.create(
            number=f"MATRIX-LC-{next(seq)}",
            buyer=bureau(code),
            division_id=code,
            agency=Organisation.objects.filter(kind=Organisation.Kind.AGENCY).order_by("pk").first(),
            status=status,
            **values,
        )
        c.stations.add(station_in(code))
        return c

    def procurement(code: str = DATIAN, status: str = Procurement.Status.OPEN) -> Procurement:
        p = Procurement.objects.create(
            number=f"MATRIX-CG-{next(seq)}",
            title="矩阵测试采购",
            buyer=bureau(code),
            division_id=code,
            method="open_tender",
            budget=Decimal("100000.00"),
            announced_date=today - dt.timedelta(days=30),
            bid_deadline=today - dt.timedelta(days=10),
            status=status,
        )
        Bidder.objects.create(
            procurement=p,
            agency=Organisation.objects.filter(kind=Organisation.Kind.AGENCY, is_local=True).order_by("pk").first(),
            price=Decimal("90000.00"),
            registered_social_work=True,
            finance_qualified=True,
            no_violation=True,
        )
        return p

    def new_procurement(code: str) -> Procurement:
        return Procurement(
            number=f"MATRIX-CG-NEW-{next(seq)}",
            title="矩阵测试新采购",
            buyer=bureau(code),
            division_id=code,
            method="open_tender",
            budget=Decimal("100000.00"),
            announced_date=today,
            bid_deadline=today + dt.timedelta(days=20),
        )

    def award(user: Any, p: Procurement) -> Any:
        bidder = p.bidders.get()
        return ca.procurement_award(acting_user=user, procurement=p, bidder=bidder, award_date=today)

    def add_bidder(user: Any, p: Procurement) -> Any:
        agency = Organisation.objects.filter(kind=Organisation.Kind.AGENCY).exclude(bids__procurement=p).first()
        return ca.procurement_add_bidder(
            acting_user=user,
            procurement=p,
            agency=agency,
            price=Decimal("95000.00"),
            registered_social_work=True,
            finance_qualified=True,
            no_violation=False,
        )

    def amend(user: Any, c: Contract) -> Any:
        return ca.contract_amend(
            acting_user=user,
            contract=c,
            signed_date=today - dt.timedelta(days=1),
            effective_date=max(today, c.start_date),
            reason="年度资金调整",
            amount_per_year=Decimal("280000.00"),
        )

    def post(path: str, data: dict[str, Any] | None = None) -> Callable[[Client, Any], Any]:
        return lambda client, obj: client.post(
            f"/api/v1/{path.format(pk=obj.pk)}", data or {}, content_type="application/json"
        )

    from contracts.models import TaskBook

    BOOK = {name: f"矩阵测试{name}" for name in TaskBook.SECTIONS}

    def junxi() -> Organisation:
        return User.objects.get(username="junxi_town").organisation  # type: ignore[return-value]

    def junxi_contract(status: str) -> Contract:
        c = contract(status=status, township=junxi())
        Contract.objects.filter(pk=c.pk).update(division_id=junxi().division_id)
        c.refresh_from_db()
        return c

    def with_book(c: Contract) -> Contract:
        TaskBook.objects.create(contract=c, **BOOK)
        return c

    sign_date = (today - dt.timedelta(days=1)).isoformat()
    last_year: dict[str, Any] = {
        "start_date": dt.date(today.year - 1, 1, 1),
        "end_date": dt.date(today.year - 1, 12, 31),
    }
    last_year["signed_date"] = dt.date(today.year - 2, 12, 20)
    S = Contract.Status
    return {
        "contracts.sign": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: contract(status=S.DRAFT, signed_date=None),
            out_of_scope=lambda: contract(OTHER_COUNTY, status=S.DRAFT, signed_date=None),
            call=lambda user, c: ca.contract_sign(acting_user=user, contract=c, signed_date=today),
            http=post("contracts/{pk}/sign/", {"signed_date": sign_date}),
            http_ok=(200,),
            wrong_state=lambda: contract(status=S.ACTIVE),
        ),
        "contracts.file": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: contract(status=S.SIGNED),
            out_of_scope=lambda: contract(OTHER_COUNTY, status=S.SIGNED),
            call=lambda user, c: ca.contract_file(
                acting_user=user, contract=c, filed_date=today, filed_with="三明市民政局"
            ),
            http=post("contracts/{pk}/file/", {"filed_date": today.isoformat(), "filed_with": "三明市民政局"}),
            http_ok=(200,),
            wrong_state=lambda: contract(status=S.DRAFT),
        ),
        "contracts.activate": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: contract(status=S.FILED),
            out_of_scope=lambda: contract(OTHER_COUNTY, status=S.FILED),
            call=lambda user, c: ca.contract_activate(acting_user=user, contract=c),
            http=post("contracts/{pk}/activate/"),
            http_ok=(200,),
            wrong_state=lambda: contract(status=S.SIGNED),
        ),
        "contracts.expire": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: contract(status=S.ACTIVE, **last_year),
            out_of_scope=lambda: contract(OTHER_COUNTY, status=S.ACTIVE, **last_year),
            call=lambda user, c: ca.contract_expire(acting_user=user, contract=c),
            http=post("contracts/{pk}/expire/"),
            http_ok=(200,),
            wrong_state=lambda: contract(status=S.FILED, **last_year),
        ),
        "contracts.terminate": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: contract(status=S.ACTIVE),
            out_of_scope=lambda: contract(OTHER_COUNTY, status=S.ACTIVE),
            call=lambda user, c: ca.contract_terminate(
                acting_user=user, contract=c, terminated_date=today, reason="承接机构严重违约"
            ),
            http=post("contracts/{pk}/terminate/", {"terminated_date": today.isoformat(), "reason": "严重违约"}),
            http_ok=(200,),
            wrong_state=lambda: contract(status=S.EXPIRED),
        ),
        "contracts.amend": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: contract(status=S.ACTIVE),
            out_of_scope=lambda: contract(OTHER_COUNTY, status=S.ACTIVE),
            call=amend,
            http=post(
                "contracts/{pk}/amend/",
                {
                    "signed_date": sign_date,
                    "effective_date": today.isoformat(),
                    "reason": "年度资金调整",
                    "amount_per_year": "280000.00",
                },
            ),
            http_ok=(200,),
            wrong_state=lambda: contract(status=S.TERMINATED),
        ),
        "contracts.task_book_save": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: contract(status=S.SIGNED),
            out_of_scope=lambda: contract(OTHER_COUNTY, status=S.SIGNED),
            call=lambda user, c: ca.task_book_save(acting_user=user, contract=c, sections=BOOK),
            http=post("contracts/{pk}/task-book/", BOOK),
            http_ok=(200,),
            wrong_state=lambda: contract(status=S.TERMINATED),
        ),
        "contracts.task_book_confirm": Case(
            right_user="junxi_town",
            wrong_role_user="agency_sunshine",
            in_scope=lambda: with_book(junxi_contract(S.SIGNED)),
            out_of_scope=lambda: with_book(contract(OTHER_COUNTY, status=S.SIGNED)),
            call=lambda user, c: ca.task_book_confirm(acting_user=user, contract=c),
            http=post("contracts/{pk}/task-book/confirm/"),
            http_ok=(200,),
            wrong_state=lambda: with_book(junxi_contract(S.EXPIRED)),
        ),
        "procurements.create": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=lambda: new_procurement(DATIAN),
            out_of_scope=lambda: new_procurement(OTHER_COUNTY),
            call=lambda user, p: ca.procurement_create(acting_user=user, procurement=p),
        ),
        "procurements.add_bidder": Case(
            right_user="datian_bureau",
            wrong_role_user="agency_sunshine",
            in_scope=procurement,
            out_of_scope=lambda: procurement(OTHER_COUNTY),
            call=add_bidder,
            wrong_state=lambda: procurement(status=Procurement.Status.CANCELLED),
        ),
        "procurements.award": Case(
            right_user="datian_bureau",
            wrong_role_user="junxi_town",
            in_scope=procurement,
            out_of_scope=lambda: procurement(OTHER_COUNTY),
            call=award,
            http=lambda client, p: client.post(
                f"/api/v1/procurements/{p.pk}/award/",
                {"bidder": p.bidders.first().pk, "award_date": today.isoformat()},  # type: ignore[union-attr]
                content_type="application/json",
            ),
            http_ok=(200,),
            wrong_state=lambda: procurement(status=Procurement.Status.AWARDED),
        ),
    }


CASES.update(_policy_cases())
CASES.update(_obligation_cases())
CASES.update(_contract_cases())
CASES.update(_calendar_cases())

CASES.update(_personal_cases())
for _module in contributions("write_cases"):
    CASES.update(_module.cases())


def test_every_action_is_covered() -> None:
    missing = sorted(set(core_actions.registry()) - set(CASES))
    assert not missing, f"declared actions without a write-matrix case: {missing}"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(_user(username))
    return client


REFUSED = (PermissionDenied, ValidationError, Http404)
DENIED = (PermissionDenied, Http404)  # an action that loads its object through core.access answers 404


def _writes() -> int:
    """Audit rows of writes (logging a test client in writes a login row, which is not a write)."""
    return AuditLog.objects.exclude(event__in=["login", "logout", "login_failed"]).count()


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_is_refused(demo: None, name: str) -> None:
    case = CASES[name]
    target = case.in_scope()
    before = _writes()
    with pytest.raises(DENIED):
        case.call(AnonymousUser(), target)
    if case.http is not None:
        response = case.http(Client(), target)
        assert response.status_code in (302, 401, 403, 404), response.status_code
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    assert _writes() == before


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.wrong_role_user is not None))
def test_wrong_role_is_refused(demo: None, name: str) -> None:
    case = CASES[name]
    assert case.wrong_role_user is not None
    target = case.in_scope()
    before = _writes()
    with pytest.raises(DENIED):
        case.call(_user(case.wrong_role_user), target)
    if case.http is not None:
        assert case.http(_client(case.wrong_role_user), target).status_code in (403, 404, 405)
    assert _writes() == before


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.out_of_scope is not None))
def test_right_role_out_of_scope_is_refused(demo: None, name: str) -> None:
    case = CASES[name]
    assert case.out_of_scope is not None
    target = case.out_of_scope()
    before = _writes()
    with pytest.raises(DENIED):
        case.call(_user(case.right_user), target)
    if case.http is not None:
        response = case.http(_client(case.right_user), target)
        # A page answers its form again with the error (200, nothing saved) or 404; the API answers 404.
        assert response.status_code in (200, 404), response.status_code
    assert _writes() == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_role_in_scope_succeeds_and_is_audited(demo: None, name: str) -> None:
    case = CASES[name]
    before = _writes()
    case.call(_user(case.right_user), case.in_scope())
    assert _writes() > before
    if case.http is not None:
        response = case.http(_client(case.right_user), case.in_scope())
        assert response.status_code in case.http_ok, (response.status_code, getattr(response, "content", b"")[:300])


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.wrong_state is not None))
def test_wrong_state_is_refused(demo: None, name: str) -> None:
    case = CASES[name]
    assert case.wrong_state is not None
    target = case.wrong_state()
    call = case.wrong_state_call or case.call
    before = _writes()
    with pytest.raises(REFUSED):
        call(_user(case.right_user), target)
    assert _writes() == before


def test_api_reports_allowed_actions(demo: None) -> None:
    station = _datian_township_station()
    bureau = _client("datian_bureau").get(f"/api/v1/stations/{station.pk}/").json()
    assert {a["action"] for a in bureau["allowed_actions"]} == {"stations.update", "stations.grant", "stations.revoke"}
    assert set(bureau["next_statuses"]) == {str(s) for s in Station.TRANSITIONS[Station.Status(station.status)]}
    town = _client("junxi_town").get("/api/v1/stations/").json()
    assert town["results"], "the township sees its stations"
    assert all(row["allowed_actions"] == [] and row["next_statuses"] == [] for row in town["results"])


def test_api_refuses_writes_without_an_action(demo: None) -> None:
    """A viewset written on the base with a serializer that could write, but no declared action: every
    write method answers 405, nothing changes and no audit row is written (the issue's finding)."""

    class ContractSerializer(serializers.ModelSerializer):
        class Meta:
            model = Contract
            fields = ["id", "number", "division"]

    class CarelessContractViewSet(ScopedModelViewSet):
        queryset = Contract.objects.all()
        serializer_class = ContractSerializer
        http_method_names = ["get", "post", "put", "patch", "delete"]

        def partial_update(self, request: Any, *args: Any, **kwargs: Any) -> Any:  # written, but not mapped
            return super().update(request, *args, partial=True, **kwargs)  # type: ignore[misc]

    contract = Contract.objects.filter(division__code__startswith=DATIAN).first()
    assert contract is not None
    bureau = _user("datian_bureau")
    factory = APIRequestFactory()
    before = (_writes(), contract.division_id, contract.number)
    for method in ["post", "put", "patch", "delete"]:
        request = getattr(factory, method)(f"/x/{contract.pk}/", {"division": OTHER_COUNTY}, format="json")
        force_authenticate(request, user=bureau)
        handler = {"post": "create", "put": "update", "patch": "partial_update", "delete": "destroy"}[method]
        if not hasattr(CarelessContractViewSet, handler):
            continue
        view = CarelessContractViewSet.as_view({method: handler})
        response = view(request, pk=contract.pk)
        assert response.status_code == 405, (method, response.status_code)
    contract.refresh_from_db()
    assert (_writes(), contract.division_id, contract.number) == before


def test_every_api_write_handler_is_mapped() -> None:
    """Every viewset in the API router: each write handler it exposes is mapped to a declared action."""
    from config.api_urls import router

    for prefix, viewset, _basename in router.registry:
        mapped = getattr(viewset, "write_actions", {})
        for handler in ("create", "update", "partial_update", "destroy"):
            if hasattr(viewset, handler):
                assert handler in mapped, f"{prefix}: {handler} is exposed without a declared action"
        for extra in viewset.get_extra_actions():
            methods = {m.lower() for m in extra.mapping}  # type: ignore[attr-defined]
            reads: frozenset[str] = getattr(viewset, "read_only_posts", frozenset())
            if methods - {"get", "head", "options"} and extra.__name__ not in reads:
                assert extra.__name__ in mapped, f"{prefix}: @{extra.__name__} writes without a declared action"
        for target in mapped.values():
            core_actions.spec_of(target)  # raises if it is not a declared action


def test_every_admin_writes_through_actions() -> None:
    """Each model admin is read-only, for system administrators only, or writes through declared actions."""
    from django.contrib import admin

    from core.admin_base import ReadOnlyScopedAdmin

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in {"auth", "axes", "django_celery_beat", "authtoken", "guardian"}:
            continue
        read_only = isinstance(model_admin, ReadOnlyScopedAdmin)
        # Superuser-only admins (accounts, organisations, second-factor devices) write as the system administrator.
        system_only = getattr(model_admin, "system_admin_only", False)
        assert read_only or system_only or getattr(model_admin, "action_backed", False), (
            f"{model._meta.label}: its admin writes without declared actions"
        )
