"""What the policy says about money (DOMAIN §7): the relief-fund cap, the spending categories and the county's
funding estimate table (经费测算表). Every number comes from the effective policy of the place; every decision
carries the finding that names its rule and clause.

Money is ``Decimal`` yuan with two places (``quantize(CENT, ROUND_HALF_UP)``); 万元 only in the Excel layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from core.actor import Actor
from policies.findings import FAIL, PASS, UNKNOWN, Finding, evaluate
from policies.policy import EffectivePolicy, effective_policy
from policies.registry import label_of, vocabulary
from staffing.policy import finding_json, requirement
from stations.models import Division, Station

CENT = Decimal("0.01")


def yuan(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{yuan(value):.2f}"


# --- the relief-fund cap ----------------------------------------------------------------------------------------


@dataclass
class ReliefCap:
    cap: Decimal | None
    share: Decimal | None  # percent, e.g. 5
    base: Decimal
    basis: str  # what the base is, in words (the policy's base vocabulary)
    findings: list[Finding]

    def to_json(self) -> dict[str, Any]:
        return {
            "cap": money(self.cap),
            "share": None if self.share is None else f"{self.share.normalize():f}",
            "base": money(self.base),
            "basis": self.basis,
            "findings": [finding_json(f) for f in self.findings],
        }


def relief_cap(
    division: str, base: Decimal, *, spent: Decimal | None = None, policy: EffectivePolicy | None = None
) -> ReliefCap:
    """The most of the hardship-relief fund that may buy services, given the base the policy names (Datian: this
    year's relief budget; Luzhou: last year's relief spending). The cap is inclusive and rounded DOWN to the fen
    (never allow a fen more than the share). With ``spent``, the finding says whether that amount keeps to it."""
    policy = policy or effective_policy(division)
    value = policy.get("funding.relief_fund_cap")
    base = yuan(base)
    if not value:
        return ReliefCap(None, None, base, "", [evaluate(policy, "funding.relief_fund_cap")])
    share = Decimal(str(value["percent"]))
    cap = (base * share / 100).quantize(CENT, rounding=ROUND_DOWN)
    basis = label_of("base_amounts", value.get("base", ""))
    actual = None if spent is None else {"amount": yuan(spent), "base_amount": base}
    finding = evaluate(policy, "funding.relief_fund_cap", actual=actual)
    if spent is not None and finding.outcome in (PASS, FAIL):
        # Decide on the fen, not on a rounded percentage: equal to the cap is allowed.
        ok = yuan(spent) <= cap
        finding = _restate(
            finding,
            PASS if ok else FAIL,
            f"用于购买服务 {yuan(spent)} 元，上限 {cap} 元（{basis} {base} 元的 {share.normalize():f}%）",
        )
    elif spent is None:
        finding = _restate(finding, finding.outcome, f"上限 {cap} 元（{basis} {base} 元的 {share.normalize():f}%）")
    return ReliefCap(cap, share, base, basis, [finding])


def _restate(f: Finding, outcome: str, detail: str) -> Finding:
    from dataclasses import replace

    return replace(f, outcome=outcome, message=f"{f.rule_label}：{detail}")


# --- spending categories ----------------------------------------------------------------------------------------


def categories(
    division: str, *, first_year: bool | None = None, policy: EffectivePolicy | None = None
) -> list[dict[str, Any]]:
    """Each spending category with whether the policy allows it, under which condition, and the clause.

    ``allowed`` is True (listed as allowed, or not forbidden where the policy lists only what is forbidden),
    False (forbidden), or None (the policy lists neither). Office equipment follows the first-year rule where the
    policy has one (Baisha: allowed in a new station's first year)."""
    policy = policy or effective_policy(division)
    allowed = policy.get("funding.allowed_categories")
    forbidden = policy.get("funding.forbidden_categories")
    equipment = policy.rules.get("funding.first_year_equipment_allowed")
    out = []
    for code, name in vocabulary("spending_categories").items():
        verdict: bool | None = None
        clause = ""
        condition = ""
        if forbidden and code in forbidden:
            verdict, clause = False, _cite(policy, "funding.forbidden_categories")
        elif allowed is not None and allowed:
            verdict = code in allowed
            clause = _cite(policy, "funding.allowed_categories")
        elif forbidden:
            verdict, clause = True, _cite(policy, "funding.forbidden_categories")
        if code in ("office_equipment", "fixed_assets") and equipment is not None and equipment.is_set:
            if equipment.value and code == "office_equipment":
                condition = equipment.condition or ""
                verdict = True if not (forbidden and code in forbidden) else verdict
                clause = equipment.citation_text
            elif not equipment.value and code == "office_equipment" and verdict is None:
                verdict, clause = False, equipment.citation_text
        out.append({"code": code, "name": name, "allowed": verdict, "condition": condition, "clause": clause})
    return out


def _cite(policy: EffectivePolicy, key: str) -> str:
    rule = policy.rules.get(key)
    return rule.citation_text if rule is not None and rule.is_set else ""


# --- the funding estimate table ------------------------------------------------------------------------------------


@dataclass
class EstimateRow:
    number: int
    name: str
    code: str
    workers: int | None
    labour: Decimal
    operations: Decimal
    total: Decimal
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "code": self.code,
            "workers": self.workers,
            "labour": money(self.labour),
            "operations": money(self.operations),
            "total": money(self.total),
            "note": self.note,
        }


@dataclass
class Estimate:
    division: str
    division_name: str
    year: int
    stations: int
    workers: int | None
    per_station: Decimal | None
    labour: Decimal | None
    operations: Decimal | None
    total: Decimal | None
    rows: list[EstimateRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "division": self.division,
            "year": self.year,
            "stations": self.stations,
            "workers": self.workers,
            "per_station": money(self.per_station),
            "labour": money(self.labour),
            "operations": money(self.operations),
            "total": money(self.total),
            "rows": [r.to_json() for r in self.rows],
            "findings": [finding_json(f) for f in self.findings],
        }


def _places(user: Actor, county: Division) -> list[tuple[str, str]]:
    """The township stations of the county that ``user`` sees, or (none yet) its townships: one station each is
    the plan. Read through the door: a role that sees part of the county plans over that part."""
    stations = list(
        Station.objects.for_user(user)  # type: ignore[attr-defined]
        .filter(division__code__startswith=county.code, level=Station.Level.TOWNSHIP)
        .exclude(status=Station.Status.CLOSED)
        .select_related("division")
        .order_by("division__code")
    )
    if stations:
        return [(s.division.name, s.division_id) for s in stations]
    townships = (
        Division.objects.for_user(user)  # type: ignore[attr-defined]
        .filter(code__startswith=county.code, level=Division.Level.TOWNSHIP)
        .order_by("code")
    )
    return [(t.name, t.code) for t in townships]


def estimate(county: Division, year: int, planned: int | None = None, *, user: Actor) -> Estimate:
    """The county's table for ``year``: per station the resident workers the policy requires and the standard's
    labour and operations money; ``planned`` stations plan before they exist (rows then number the stations)."""
    policy = effective_policy(county.code)
    labour = policy.get("funding.station_labour")
    operations = policy.get("funding.station_operations")
    minimum = policy.get("funding.station_total_min")
    findings: list[Finding] = []
    if labour is None or operations is None:
        for key in ("funding.station_labour", "funding.station_operations"):
            findings.append(evaluate(policy, key))
    labour_d = yuan(labour) if labour is not None else None
    operations_d = yuan(operations) if operations is not None else None
    per_station = labour_d + operations_d if labour_d is not None and operations_d is not None else None
    if minimum is not None and per_station is not None:
        f = evaluate(policy, "funding.station_total_min", actual=per_station)
        findings.append(f)
    equipment = policy.rules.get("funding.first_year_equipment_allowed")
    note = ""
    if equipment is not None and equipment.is_set and equipment.value:
        note = f"{equipment.condition or '新建站当年'}可使用运营经费购置办公设备。"

    places = _places(user, county) if planned is None else [(f"第{n}个站", "") for n in range(1, planned + 1)]
    rows: list[EstimateRow] = []
    workers_total: int | None = 0
    for number, (name, code) in enumerate(places, start=1):
        req = requirement(code, None, policy) if code else requirement(county.code, None, policy)
        workers = None if req.workers is None else req.workers + req.head
        if workers is None:
            workers_total = None
        elif workers_total is not None:
            workers_total += workers
        rows.append(
            EstimateRow(
                number,
                name,
                code,
                workers,
                labour_d or Decimal(0),
                operations_d or Decimal(0),
                per_station or Decimal(0),
                note if number == 1 else "",
            )
        )
    count = len(rows)
    if per_station is None:
        return Estimate(county.code, county.name, year, count, workers_total, None, None, None, None, rows, findings)
    return Estimate(
        county.code,
        county.name,
        year,
        count,
        workers_total,
        per_station,
        labour_d * count if labour_d is not None else None,
        operations_d * count if operations_d is not None else None,
        per_station * count,
        rows,
        findings,
    )


def wan(value: Decimal | None) -> Decimal | None:
    """Yuan → 万元 for the table's layout (16.2, 242), trailing zeros dropped."""
    if value is None:
        return None
    return (value / 10000).normalize()


__all__ = ["UNKNOWN", "Estimate", "ReliefCap", "categories", "estimate", "relief_cap", "wan", "yuan"]
