"""Isolation checks for the contracts pages added after the central suite (tests/checks.py)."""

from __future__ import annotations

from typing import Any

from tests.checks import DetailCheck, ListCheck, RolePageCheck, api_ids, html_ids
from tests.oracle import contract_ids

from . import oracle

ROLE_PAGES = [
    RolePageCheck("procurement-create", "/procurements/new/", oracle.may_create_procurement),
    RolePageCheck("contract-create", "/contracts/new/", oracle.may_create_procurement),
    RolePageCheck("care-agreement-create", "/care-agreements/new/", oracle.may_create_care_agreement),
    RolePageCheck(
        "contract-filings", "/contracts/filings/", oracle.sees_filings, r'href="/contracts/(\d+)/"', oracle.filing_ids
    ),
]


LISTS = [
    ListCheck(
        "care-agreement-list",
        "/care-agreements/",
        html_ids(r'href="/care-agreements/(\d+)/"'),
        oracle.care_agreement_ids,
    ),
    ListCheck("api:careagreement-list", "/api/v1/care-agreements/", api_ids(), oracle.care_agreement_ids),
]


def _care_agreements() -> Any:
    from contracts.models import CareAgreement

    return CareAgreement.objects.all()


def _contracts() -> Any:
    from contracts.models import Contract

    # A sample (the PDF takes a moment to draw): the isolation seed's and the outside agreements, and two more.
    return Contract.objects.filter(number__startswith="MATRIX-RF-") | Contract.objects.filter(
        pk__in=Contract.objects.exclude(number__startswith="MATRIX-RF-").order_by("pk").values("pk")[:2]
    )


def _documents() -> Any:
    from contracts.models import ContractDocument

    return ContractDocument.objects.all()


DETAILS = [
    DetailCheck(
        "care-agreement-detail",
        lambda a: f"/care-agreements/{a.pk}/",
        _care_agreements,
        lambda u: {int(i) for i in oracle.care_agreement_ids(u)},
    ),
    DetailCheck(
        "api:careagreement-detail",
        lambda a: f"/api/v1/care-agreements/{a.pk}/",
        _care_agreements,
        lambda u: {int(i) for i in oracle.care_agreement_ids(u)},
    ),
    DetailCheck(
        "care-agreement-edit",
        lambda a: f"/care-agreements/{a.pk}/edit/",
        _care_agreements,
        oracle.care_editable_ids,
    ),
    DetailCheck(
        "contract-amendment-create",
        lambda c: f"/contracts/{c.pk}/amendments/new/",
        lambda: _contracts(),
        oracle.amendable_contract_ids,
    ),
    DetailCheck(
        "contract-terms",
        lambda c: f"/contracts/{c.pk}/terms/",
        lambda: _contracts(),
        oracle.changeable_contract_ids,
    ),
    DetailCheck("contract-pdf", lambda c: f"/contracts/{c.pk}/pdf/", lambda: _contracts(), lambda u: contract_ids(u)),
    DetailCheck(
        "contract-document",
        lambda d: f"/contracts/documents/{d.pk}/",
        lambda: _documents(),
        oracle.document_ids,
    ),
]

EXEMPT = {
    "contract-edit": "a draft's edit form through for_user(change) and the draft state: "
    "tests/contracts/test_create_page.py (the bureau edits its draft; a signed one, another county's draft and "
    "other roles get 404)",
    "care-agreement-transition": "POST only, declared actions: tests/contracts/write_cases.py and test_care.py",
    "procurement-add-bidder": "POST only, a declared action: tests/contracts/test_forms.py and the write matrix",
    "procurement-award": "POST only, a declared action: tests/contracts/test_forms.py and the write matrix",
    "contract-document-upload": "POST only, a declared action: tests/contracts/write_cases.py and "
    "tests/contracts/test_documents.py",
    "contract-receive-filing": "POST only, a declared action: tests/contracts/write_cases.py and "
    "tests/contracts/test_filings.py",
    "api:careagreement-sign": "POST only, a declared action: tests/contracts/write_cases.py and test_care.py",
    "api:careagreement-end": "POST only, a declared action: tests/contracts/write_cases.py and test_care.py",
    "api:contract-receive-filing": "POST only, a declared action: tests/contracts/write_cases.py",
    "api:contract-terms": "POST only, a declared action: tests/contracts/write_cases.py and test_terms.py",
}


def seed() -> None:
    """A signed, a filed and a received agreement in Datian, so the filings page has each kind of row."""
    from tests.contracts.write_cases import filed_contract

    filed_contract(status="signed", filed=False)
    filed_contract()
    received = filed_contract(status="active")
    type(received).objects.filter(pk=received.pk).update(filing_received_date=received.filed_date)
    _document(received)
    _care_seed()


def _care_seed() -> None:
    """Care agreements in 均溪镇: one about an adult, one about a child (only the county bureau, the agency and the
    administrator read it)."""
    import datetime as dt

    from tests.contracts import care_support as cs

    place = cs.datian()
    cs.care_agreement(place, status="signed")
    child = cs.person(place.station, place.village, name="小明", birth=dt.date(2018, 6, 1))
    cs.care_agreement(place, beneficiary=child)


def _document(contract: Any) -> None:
    from django.core.files.base import ContentFile

    from accounts.models import User
    from contracts.models import ContractDocument
    from tests.contracts.docs_support import PDF

    document = ContractDocument(
        contract=contract,
        kind=ContractDocument.Kind.ANNEX,
        title="隔离测试附件",
        original_name="a.pdf",
        content_type="application/pdf",
        extension=".pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=User.objects.filter(is_superuser=True).first(),
    )
    document.file.save("upload", ContentFile(PDF), save=True)


def outside() -> None:
    from accounts.models import Organisation
    from tests.contracts.write_cases import BAISHA, filed_contract

    contract = filed_contract(BAISHA)
    # Another agency's agreement, so that neither demo agency reads it.
    stranger = Organisation.objects.create(
        kind=Organisation.Kind.AGENCY, name="白沙隔离测试社工机构", division_id=BAISHA
    )
    type(contract).objects.filter(pk=contract.pk).update(agency=stranger)
    contract.refresh_from_db()
    _document(contract)
    from tests.contracts.care_support import care_agreement

    care_agreement(status="signed")  # 如皋市 (Nantong): outside every demo account
