"""The system actor: cannot log in, reads everything, writes only where a rule names the system role."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from contracts.models import Contract
from core.scoping import Action, Role, scope_of
from core.system import SYSTEM_USERNAME, is_system_actor, system_actor
from obligations.models import Notification, Obligation
from stations.models import Station

pytestmark = pytest.mark.django_db


def test_created_once_and_cannot_log_in(demo: None) -> None:
    a = system_actor()
    b = system_actor()
    assert a.pk == b.pk and User.objects.filter(username=SYSTEM_USERNAME).count() == 1
    assert not a.is_active and not a.has_usable_password() and not a.is_superuser
    client = Client()
    response = client.post("/login/", {"username": SYSTEM_USERNAME, "password": "anything"})
    assert response.status_code == 200  # the form again, not a session
    assert "_auth_user_id" not in client.session
    api = Client().post("/api/v1/auth/token/", {"username": SYSTEM_USERNAME, "password": ""})
    assert api.status_code in (400, 401, 403)


def test_scope_is_global_read_and_writes_only_where_allowed(demo: None) -> None:
    actor = system_actor()
    assert scope_of(actor).role == Role.SYSTEM
    assert Station.objects.for_user(actor).count() == Station.objects.count()
    assert Contract.objects.for_user(actor).count() == Contract.objects.count()
    for action in (Action.ADD, Action.CHANGE, Action.DELETE):
        assert not Station.objects.for_user(actor, action).exists()
        assert not Contract.objects.for_user(actor, action).exists()
    assert Obligation.scoping.may(Role.SYSTEM, Action.ADD) and Obligation.scoping.may(Role.SYSTEM, Action.CHANGE)
    assert not Obligation.scoping.may(Role.SYSTEM, Action.DELETE)
    assert Notification.scoping.may(Role.SYSTEM, Action.ADD)


def test_a_tampered_account_loses_the_system_scope(demo: None) -> None:
    actor = system_actor()
    User.objects.filter(pk=actor.pk).update(is_active=True)
    tampered = User.objects.get(pk=actor.pk)
    assert not is_system_actor(tampered)
    assert scope_of(tampered).role == Role.NONE  # no organisation: sees nothing
    with pytest.raises(RuntimeError):
        system_actor()
    User.objects.filter(pk=actor.pk).update(is_active=False)
    tampered = User.objects.get(pk=actor.pk)
    tampered.set_password("Zhanwu@2026x")
    tampered.save()
    assert not is_system_actor(User.objects.get(pk=actor.pk))


def test_a_person_named_system_is_not_the_system(demo: None) -> None:
    user = User(username=SYSTEM_USERNAME, is_active=True)
    user.set_password("Zhanwu@2026")
    assert not is_system_actor(user)
