"""Isolation checks for the contracts pages added after the central suite (tests/checks.py)."""

from __future__ import annotations

from tests.checks import RolePageCheck

from . import oracle

ROLE_PAGES = [
    RolePageCheck(
        "contract-filings", "/contracts/filings/", oracle.sees_filings, r'href="/contracts/(\d+)/"', oracle.filing_ids
    ),
]

EXEMPT = {
    "contract-receive-filing": "POST only, a declared action: tests/contracts/write_cases.py and "
    "tests/contracts/test_filings.py",
    "api:contract-receive-filing": "POST only, a declared action: tests/contracts/write_cases.py",
}


def seed() -> None:
    """A signed, a filed and a received agreement in Datian, so the filings page has each kind of row."""
    from tests.contracts.write_cases import filed_contract

    filed_contract(status="signed", filed=False)
    filed_contract()
    received = filed_contract(status="active")
    type(received).objects.filter(pk=received.pk).update(filing_received_date=received.filed_date)


def outside() -> None:
    from tests.contracts.write_cases import BAISHA, filed_contract

    filed_contract(BAISHA)
