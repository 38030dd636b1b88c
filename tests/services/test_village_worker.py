"""The village civil-affairs worker (村级民政专干, issue 10): a township government's account assigned to one of
its villages sees only that village and is told at once when a visit there finds a problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.actions import org_user_create, org_user_set_village
from accounts.models import Organisation, User
from core.scoping import Role, scope_of
from obligations.models import Notification, Obligation
from obligations.sweep import run_sweep
from services import actions as sa
from services.models import Beneficiary, Escalation, Visit
from stations.models import Division
from tests.services.write_cases import OK, person, sunshine_station

pytestmark = pytest.mark.django_db

JUXI_FIRST_VILLAGE = "350425100001"  # the demo village worker's (services demo: the failed diet check's village)


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _junxi() -> Organisation:
    org = _user("junxi_town").organisation
    assert org is not None
    return org


def _second_village() -> Division:
    return (
        Division.objects.filter(code__startswith=_junxi().division_id, level=Division.Level.VILLAGE)
        .exclude(pk=JUXI_FIRST_VILLAGE)
        .order_by("code")
        .first()
    )  # type: ignore[return-value]


def _worker(username: str, village: Division) -> User:
    return User.objects.create(username=username, organisation=_junxi(), village=village, full_name=username)


def _person_in(village: Division) -> Beneficiary:
    return Beneficiary.objects.create(
        station=sunshine_station(),
        division=village,
        name="另村老人",
        birth_date=dt.date(1948, 5, 1),
        categories=["tekun_scattered"],
    )


def _manager() -> User:
    return User.objects.create(
        username="junxi_manager", organisation=_junxi(), position=User.Position.MANAGER, full_name="均溪镇负责人"
    )


def test_demo_village_worker_is_narrowed_to_its_village() -> None:
    worker = _user("junxi_village")
    assert worker.village_id == JUXI_FIRST_VILLAGE and worker.organisation == _junxi()
    scope = scope_of(worker)
    assert scope.role == Role.VILLAGE and scope.roots == (JUXI_FIRST_VILLAGE,)
    assert worker.role_label == "村级民政专干"


def test_failed_diet_check_tells_the_township_the_bureau_and_the_village_worker_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    other_worker = _worker("other_village_worker", _second_village())
    who = person()
    assert who.division_id == JUXI_FIRST_VILLAGE
    with django_capture_on_commit_callbacks(execute=True):
        visit = sa.visit_create(
            acting_user=_user("agency_sunshine"),
            beneficiary=who,
            date=timezone.localdate(),
            checks={**OK, "diet": "fail"},
        )
    escalation = Escalation.objects.get(visit=visit)
    obligation = Obligation.objects.get(kind="services.escalation", object_id=escalation.pk)
    assert obligation.division_id == JUXI_FIRST_VILLAGE  # the person's village: where the worker is found
    run_sweep()
    run_sweep()
    told = list(Notification.objects.filter(obligation=obligation).values_list("recipient__username", flat=True))
    assert {"junxi_town", "datian_bureau", "junxi_village"} <= set(told)
    assert len(told) == len(set(told)), "each person told once"
    assert other_worker.username not in told  # a worker of another village of the same township is not
    # The village worker sees the escalation and its message.
    worker = _client(_user("junxi_village"))
    assert worker.get(f"/services/escalations/{escalation.pk}/").status_code == 200
    assert worker.get(f"/obligations/{obligation.pk}/").status_code == 200
    inbox = worker.get("/notifications/").content.decode()
    assert "探访发现问题待处置" in inbox


def test_weekly_visit_duty_tells_the_village_worker() -> None:
    from tests.services.test_services import _weekly_visits_in_datian

    _weekly_visits_in_datian()
    who = person()
    elsewhere = _person_in(_second_village())
    today = timezone.localdate()
    sunday = today + dt.timedelta(days=6 - today.weekday())  # due that day: told once, as due soon
    run_sweep(today=sunday)
    mine = Obligation.objects.get(kind="services.weekly_visit", object_id=who.pk)
    theirs = Obligation.objects.get(kind="services.weekly_visit", object_id=elsewhere.pk)
    worker = _user("junxi_village")
    assert Notification.objects.filter(obligation=mine, recipient=worker).count() == 1
    assert not Notification.objects.filter(obligation=theirs, recipient=worker).exists()
    assert Notification.objects.filter(obligation=theirs, recipient=_user("junxi_town")).exists()


def test_village_worker_sees_only_its_village(django_capture_on_commit_callbacks: Any) -> None:
    worker = _user("junxi_village")
    other = _person_in(_second_village())
    with django_capture_on_commit_callbacks(execute=True):
        visit = sa.visit_create(
            acting_user=_user("agency_sunshine"),
            beneficiary=other,
            date=timezone.localdate(),
            checks={**OK, "diet": "fail"},
        )
    foreign = Escalation.objects.get(visit=visit)
    # Every read goes through the one scope: people, visits, escalations, obligations of its village only.
    people = Beneficiary.objects.for_user(worker)
    assert people.exists() and set(people.values_list("division_id", flat=True)) == {JUXI_FIRST_VILLAGE}
    assert set(Visit.objects.for_user(worker).values_list("beneficiary__division_id", flat=True)) <= {
        JUXI_FIRST_VILLAGE
    }
    assert not Escalation.objects.for_user(worker).filter(pk=foreign.pk).exists()
    # The township owes that escalation, but ownership does not widen a village worker's scope.
    owed = Obligation.objects.get(kind="services.escalation", object_id=foreign.pk)
    assert owed.owner_id == worker.organisation_id
    assert not Obligation.objects.for_user(worker).filter(pk=owed.pk).exists()
    assert not Notification.objects.filter(obligation=owed, recipient=worker).exists()
    # Pages and API answer the same.
    client = _client(worker)
    assert client.get(f"/services/beneficiaries/{other.public_id}/").status_code == 404
    assert client.get(f"/services/escalations/{foreign.pk}/").status_code == 404
    assert client.get(f"/obligations/{owed.pk}/").status_code == 404
    assert client.get(f"/api/v1/escalations/{foreign.pk}/").status_code == 404
    listed = client.get("/api/v1/beneficiaries/?page_size=200").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows and str(other.public_id) not in {str(r.get("id", r.get("public_id"))) for r in rows}
    assert other.name not in client.get("/services/beneficiaries/").content.decode()
    # The township still sees both villages.
    assert Escalation.objects.for_user(_user("junxi_town")).filter(pk=foreign.pk).exists()
    # Township-wide rows (the township's own station, its contracts, dashboards) stay out of reach.
    assert client.get(f"/stations/{sunshine_station().pk}/").status_code == 404
    assert client.get("/").status_code == 200


def test_village_worker_reads_and_takes_no_township_action() -> None:
    from django.http import Http404

    worker = _user("junxi_village")
    visit = sa.visit_create(
        acting_user=_user("agency_sunshine"),
        beneficiary=person(),
        date=timezone.localdate(),
        checks={**OK, "diet": "fail"},
    )
    escalation = Escalation.objects.for_user(worker).get(visit=visit)
    with pytest.raises(Http404):  # no rule names the village role among the writers (fail closed)
        sa.escalation_resolve(acting_user=worker, escalation=escalation, outcome="transfer")


def test_a_village_outside_the_township_is_refused() -> None:
    shipai = _user("shipai_town").organisation
    assert shipai is not None
    shipai_village = Division.objects.filter(code__startswith=shipai.division_id, level=Division.Level.VILLAGE).first()
    assert shipai_village is not None
    user = User(username="wrong_village", organisation=_junxi(), village=shipai_village)
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "本乡镇" in str(caught.value)
    # A township (9 digits) is not a village.
    user.village = Division.objects.get(pk=_junxi().division_id)
    with pytest.raises(ValidationError):
        user.full_clean()
    # Only a township government's account has a village.
    bureau_user = User(
        username="bureau_village", organisation=_user("datian_bureau").organisation, village=shipai_village
    )
    with pytest.raises(ValidationError):
        bureau_user.full_clean()
    # The manager's action refuses it too, and nothing is saved.
    manager = _manager()
    before = User.objects.count()
    with pytest.raises(ValidationError):
        org_user_create(
            acting_user=manager,
            organisation=manager.organisation,
            username="new_worker",
            full_name="新专干",
            phone="",
            position=User.Position.OFFICER,
            password="Village#Pass2026",
            village=shipai_village,
        )
    assert User.objects.count() == before
    with pytest.raises(ValidationError):
        org_user_set_village(acting_user=manager, user=_user("junxi_town"), village=shipai_village)
    # A row written around the checks gives no role at all (fail closed).
    User.objects.filter(pk=_user("junxi_town").pk).update(village=shipai_village)
    assert scope_of(_user("junxi_town")).role == Role.NONE


def test_township_manager_assigns_a_village_worker_on_the_accounts_pages() -> None:
    manager = _manager()
    client = _client(manager)
    form = client.get("/users/new/").content.decode()
    assert 'name="village"' in form
    assert JUXI_FIRST_VILLAGE in form  # the township's villages are offered …
    shipai = _user("shipai_town").organisation
    assert shipai is not None and shipai.division_id not in form  # … and no other township's
    shipai_village = Division.objects.filter(code__startswith=shipai.division_id, level=Division.Level.VILLAGE).first()
    assert shipai_village is not None
    new = {
        "username": "baiyan_worker",
        "full_name": "白岩专干",
        "phone": "",
        "position": "officer",
        "password": "Village#Pass2026",
    }
    refused = client.post("/users/new/", {**new, "village": shipai_village.pk})
    assert refused.status_code == 200 and "请选择本乡镇（街道）下辖的村（社区）" in refused.content.decode()
    assert not User.objects.filter(username="baiyan_worker").exists()
    assert client.post("/users/new/", {**new, "village": JUXI_FIRST_VILLAGE}).status_code == 302
    created = User.objects.get(username="baiyan_worker")
    assert created.village_id == JUXI_FIRST_VILLAGE and scope_of(created).role == Role.VILLAGE
    # Edit: another village of the township, then none (the whole township again).
    second = _second_village()
    assert client.post(f"/users/{created.pk}/", {"action": "village", "village": second.pk}).status_code == 302
    created.refresh_from_db()
    assert created.village_id == second.pk
    assert client.post(f"/users/{created.pk}/", {"action": "village", "village": ""}).status_code == 302
    created.refresh_from_db()
    assert created.village_id is None
    # The village worker manages no accounts; a bureau's form has no village.
    assert _client(_user("junxi_village")).get("/users/").status_code == 404
    assert 'name="village"' not in _client(_user("datian_bureau")).get("/users/new/").content.decode()


def test_the_visit_page_says_who_was_told_of_a_failed_check() -> None:
    """The worker reads at once who now knows: the village worker where one is assigned to the person's village."""
    worker = _client(_user("agency_sunshine"))

    def failed_visit(who: Beneficiary) -> str:
        response = worker.post(
            f"/services/beneficiaries/{who.public_id}/visit/",
            {
                "date": str(timezone.localdate()),
                "hours": "1",
                **{f"check_{c}": v for c, v in {**OK, "diet": "fail"}.items()},
            },
            follow=True,
        )
        assert response.status_code == 200
        return response.content.decode()

    assert "已告知乡镇、本村民政专干和县民政局" in failed_visit(person())  # 白岩: junxi_village is assigned there
    assert "已告知乡镇和县民政局" in failed_visit(_person_in(_second_village()))  # nobody assigned there
