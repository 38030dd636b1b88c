"""GET /api/v1/contracts/<id>/ocds/ answers an OCDS 1.1 release package valid against the official schema
(1.1.5, from open-contracting/standard, shipped in contracts/data/ocds/1__1__5/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from jsonschema import Draft4Validator, FormatChecker  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT4

from accounts.models import User
from contracts.actions import contract_amend
from contracts.models import Contract

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "data" / "ocds" / "1__1__5"


def _validator() -> Draft4Validator:
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text(encoding="utf-8"))
    release = json.loads((SCHEMAS / "release-schema.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(release["id"], DRAFT4.create_resource(release))
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def _errors(data: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(data)]


def test_an_awarded_amended_agreement_is_a_valid_release_package(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = Contract.objects.filter(status=Contract.Status.ACTIVE, procurement__isnull=False).order_by("pk").first()
    assert contract is not None
    today = timezone.localdate()
    contract_amend(
        acting_user=User.objects.get(username="datian_bureau"),
        contract=contract,
        signed_date=today,
        effective_date=today,
        reason="年度资金调整",
        amount_per_year=contract.amount_per_year - 1000 if contract.amount_per_year else None,
    )
    from services.models import ServiceItem

    contract.service_items.set(ServiceItem.objects.order_by("pk")[:3])  # the service content, as Contract.items
    response = user_client("datian_bureau").get(f"/api/v1/contracts/{contract.pk}/ocds/")
    assert response.status_code == 200
    data = response.json()
    assert _errors(data) == []
    assert len(data["releases"][0]["contracts"][0]["items"]) == 3
    release = data["releases"][0]
    roles = {tuple(p["roles"]): p["name"] for p in release["parties"]}
    assert roles[("buyer", "procuringEntity")] == contract.buyer.name
    assert roles[("supplier", "tenderer")] == contract.agency.name
    assert release["tender"]["procurementMethod"] == "open"
    assert release["tender"]["procurementMethodDetails"] == "公开招标"
    assert release["tender"]["numberOfTenderers"] == 2
    body = release["contracts"][0]
    assert body["status"] == "active" and release["tag"] == ["contractAmendment"]
    assert [m["type"] for m in body["implementation"]["milestones"]] == ["reporting", "delivery"]
    assert body["amendments"][0]["rationale"] == "年度资金调整"
    # The agency reads its own agreement's package; another agency gets 404.
    assert (
        user_client("agency_sunshine" if "阳光" in contract.agency.name else "agency_harmony")
        .get(f"/api/v1/contracts/{contract.pk}/ocds/")
        .status_code
        == 200
    )


def test_a_draft_without_procurement_is_valid_too(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = Contract.objects.get(status=Contract.Status.DRAFT, number__startswith="DT-")
    Contract.objects.filter(pk=contract.pk).update(procurement=None, signed_date=None)
    data = user_client("datian_bureau").get(f"/api/v1/contracts/{contract.pk}/ocds/").json()
    assert _errors(data) == []
    body = data["releases"][0]["contracts"][0]
    assert body["status"] == "pending" and "dateSigned" not in body
    assert all(m["status"] == "scheduled" for m in body["implementation"]["milestones"])


def test_the_validator_rejects_a_broken_package() -> None:
    broken = {"uri": "x", "version": "1.1", "publishedDate": "not a date", "publisher": {"name": "x"}, "releases": []}
    assert _errors(broken), "an empty release list and a bad date must not validate"
