"""Who must confirm an agreement's task book, read from the effective policy (``contract.task_book_confirmed_by``).

The policy names bodies in its own words (``街道（乡镇）政府``, ``县（市、区）民政部门``, ``市（州）民政部门``); each is
matched to a party of the platform by its level. Where the policy names none, the agreement's own government
parties confirm: the landing township and the buying county bureau (and the page says the policy is silent)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from core.scoping import Role
from policies.policy import effective_policy

from .models import Contract

# party key -> (label, the scope role that confirms for it)
PARTIES: dict[str, tuple[str, Role]] = {
    "township": ("乡镇（街道）人民政府", Role.TOWNSHIP),
    "county": ("县（市、区）民政部门", Role.COUNTY_BUREAU),
    "city": ("市（州）民政部门", Role.CITY_BUREAU),
    "province": ("省级民政部门", Role.PROVINCE_BUREAU),
}
RULE = "contract.task_book_confirmed_by"


def _party_of(words: str) -> str | None:
    # 县（市、区） names a county even though it says 市: test the county first.
    if "县" in words:
        return "county"
    if "乡镇" in words or "街道" in words:
        return "township"
    if "市" in words or "州" in words:
        return "city"
    if "省" in words:
        return "province"
    return None


@dataclass(frozen=True)
class Confirmers:
    parties: tuple[str, ...]
    clause: str  # the policy's citation, or "" when the policy names none
    note: str


def required_confirmers(contract: Contract) -> Confirmers:
    policy = effective_policy(contract.division_id)
    value = policy.get(RULE)
    rule = policy.rules.get(RULE)
    if isinstance(value, list) and value:
        found = [p for p in (_party_of(str(v)) for v in value) if p]
        ordered = tuple(p for p in PARTIES if p in found)
        clause = rule.citation_text if rule is not None else ""
        return Confirmers(ordered, clause, f"依据{clause}，须经{'、'.join(str(v) for v in value)}确认。")
    return Confirmers(("township", "county"), "", "本区划的政策未规定任务书确认方，由协议的乡镇和县民政部门确认。")


def party_for(user: User, contract: Contract) -> str | None:
    """The party ``user`` confirms for on this agreement, if any (its own role's party)."""
    from core.scoping import scope_of

    role = scope_of(user).role
    for key, (_label, party_role) in PARTIES.items():
        if role == party_role:
            return key
    return None
