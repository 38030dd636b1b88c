"""Regressions found in review: policy templates, admin audit, scope of writes and of the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from contracts.models import Contract
from core.models import AuditLog
from policies.actions import policy_rule_set
from policies.models import Policy, PolicyRule
from stations.models import Station

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("template", ["{town}社会工作服务站", "{county.__class__}站", "{county", "{0}站"])
def test_signage_template_accepts_only_known_placeholders(demo: None, template: str) -> None:
    officer = User.objects.get(username="datian_bureau")
    policy = Policy.objects.get(division_id="350425")
    with pytest.raises(ValidationError, match="占位符"):
        policy_rule_set(
            acting_user=officer, policy=policy, key="station.signage_template", value=template, clause="[000 §4(5)]"
        )


def test_a_valid_template_renames_the_standard_name(user_client) -> None:  # type: ignore[no-untyped-def]
    officer = User.objects.get(username="datian_bureau")
    policy = Policy.objects.get(division_id="350425")
    policy_rule_set(
        acting_user=officer,
        policy=policy,
        key="station.signage_template",
        value="{township}社工站",
        clause="[大田县补充通知 §1]",
    )
    station = Station.objects.get(division_id="350425100", level=Station.Level.TOWNSHIP)
    response = user_client("datian_bureau").get(f"/stations/{station.pk}/")
    assert response.status_code == 200
    assert "均溪镇社工站" in response.content.decode()


def test_writes_never_reach_inherited_policies(demo: None) -> None:
    officer = User.objects.get(username="datian_bureau")
    fujian_up = {"35", "3504"}
    Policy.objects.get_or_create(division_id="35", defaults={"name": "福建省方案"})
    assert Policy.objects.for_user(officer).filter(division_id__in=fujian_up).exists()
    assert not Policy.objects.for_user(officer, "change").filter(division_id__in=fujian_up).exists()
    assert not PolicyRule.objects.for_user(officer, "delete").exclude(policy__division_id="350425").exists()


def test_audit_log_is_read_by_bureaus_only(demo: None) -> None:
    AuditLog.objects.create(event="update", username="x", division_code="350425100")
    assert AuditLog.objects.for_user(User.objects.get(username="datian_bureau")).exists()
    for username in ["junxi_town", "agency_sunshine", "evaluator"]:
        assert not AuditLog.objects.for_user(User.objects.get(username=username)).exists(), username


def test_nul_bytes_in_search_are_not_a_500(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    for url in ["/divisions/?q=a%00b", "/policies/effective/?q=a%00b", "/stations/?q=a%00b"]:
        assert client.get(url).status_code == 200, url


def test_accounts_admin_is_for_system_administrators_only(demo: None) -> None:
    officer = User.objects.get(username="datian_bureau")
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(officer)
    target = User.objects.get(username="agency_harmony")
    response = client.get(f"/admin/accounts/user/{target.pk}/change/")
    assert response.status_code == 403 and target.username not in response.content.decode()
    assert client.get("/admin/accounts/organisation/").status_code == 403


def test_admin_user_changes_and_contract_stations_are_audited(demo: None) -> None:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    target = User.objects.get(username="agency_harmony")
    response = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"password1": "Brand#New2026pw", "password2": "Brand#New2026pw", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert AuditLog.objects.filter(object_type="accounts.User", object_id=str(target.pk), event="update").exists()

    contract = Contract.objects.get(number__endswith="-HQ")
    extra = Station.objects.filter(level=Station.Level.VILLAGE).exclude(contracts=contract).first()
    assert extra is not None
    form = client.get(f"/admin/contracts/contract/{contract.pk}/change/")
    assert form.status_code == 200
    data = {
        "number": contract.number,
        "buyer": contract.buyer_id,
        "division": contract.division_id,
        "township": "",
        "agency": contract.agency_id,
        "stations": [*contract.stations.values_list("pk", flat=True), extra.pk],
        "procurement_method": contract.procurement_method,
        "signed_date": contract.signed_date,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "status": contract.status,
    }
    response = client.post(f"/admin/contracts/contract/{contract.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = AuditLog.objects.filter(object_type="contracts.Contract", object_id=str(contract.pk)).latest("at")
    assert str(extra.pk) in row.changes["stations"]["after"]
