"""Expected rows of the contracts pages, computed from the data without core.scoping."""

from __future__ import annotations

from accounts.models import Organisation, User
from contracts.models import Contract


def sees_filings(user: User) -> bool:
    """The filings page: the system administrator and the city and province bureaus (codes of 4 and 2 digits)."""
    if user.is_superuser:
        return True
    org = user.organisation
    return org is not None and org.kind == Organisation.Kind.BUREAU and len(org.division_id) in (2, 4)


def filing_ids(user: User) -> set[int]:
    """Signed agreements (not drafts) in the bureau's subtree."""
    if not sees_filings(user):
        return set()
    rows = Contract.objects.exclude(status="draft").filter(signed_date__isnull=False).values_list("pk", "division_id")
    if user.is_superuser:
        return {pk for pk, _ in rows}
    code = user.organisation.division_id  # type: ignore[union-attr]
    return {pk for pk, division in rows if division.startswith(code)}


def document_ids(user: User) -> set[int]:
    """Documents of the agreements the user reads (tests/oracle.py contract_ids)."""
    from contracts.models import ContractDocument
    from tests.oracle import contract_ids

    visible = contract_ids(user)
    return {pk for pk, contract in ContractDocument.objects.values_list("pk", "contract_id") if contract in visible}


def changeable_contract_ids(user: User) -> set[int]:
    """Agreements the user may edit: the county bureau's subtree (the buyer writes), everything for the admin."""
    rows = Contract.objects.values_list("pk", "division_id")
    if user.is_superuser:
        return {pk for pk, _ in rows}
    org = user.organisation
    if org is None or org.kind != Organisation.Kind.BUREAU or len(org.division_id) != 6:
        return set()
    return {pk for pk, division in rows if division.startswith(org.division_id)}


def may_create_procurement(user: User) -> bool:
    """The county bureaus (and the system administrator) record procurements."""
    if user.is_superuser:
        return True
    org = user.organisation
    return org is not None and org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6


def amendable_contract_ids(user: User) -> set[int]:
    """Agreements the user may amend now: editable ones signed, filed or in force."""
    states = {"signed", "filed", "active"}
    editable = changeable_contract_ids(user)
    return {pk for pk, status in Contract.objects.values_list("pk", "status") if pk in editable and status in states}


def care_agreement_ids(user: User) -> set[str]:
    """Care agreements: bureaus and townships by the village's subtree, agencies and evaluators by their stations;
    an agreement about a child (or of unknown birth date) only for the roles that serve children."""
    from contracts.models import CareAgreement
    from tests.services.oracle import _people

    rows = list(CareAgreement.objects.values_list("pk", "village_id", "station_id", "beneficiary__birth_date"))
    return _people(user, rows)


def may_create_care_agreement(user: User) -> bool:
    """The county bureaus, the townships (and the system administrator) draft care agreements."""
    if user.is_superuser:
        return True
    org = user.organisation
    if org is None:
        return False
    from tests.oracle import village_of

    return (org.kind == Organisation.Kind.TOWNSHIP and not village_of(user)) or (
        org.kind == Organisation.Kind.BUREAU and len(org.division_id) == 6
    )


def care_editable_ids(user: User) -> set[int]:
    """Draft care agreements the user may edit: the writers (county bureaus, townships, the administrator) on the
    drafts they read (a child's agreement only for the county bureau)."""
    from contracts.models import CareAgreement

    if not may_create_care_agreement(user):
        return set()
    visible = {int(pk) for pk in care_agreement_ids(user)}
    drafts = set(CareAgreement.objects.filter(status="draft").values_list("pk", flat=True))
    return visible & drafts
