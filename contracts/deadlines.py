"""The agreement's deadlines counted on the working-day calendar from the effective policy.

One function per deadline kind; the obligations mechanism registers them as obligation kinds
(``contract_filing_due`` and ``contract_deployment_due``). Each answers a :class:`ContractDeadline`:
``due`` is None when the calendar does not cover a year the count runs into (``unknown_years``), or when the
policy sets no such period, or the agreement is not signed yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from policies.policy import EffectivePolicy, effective_policy
from policies.registry import rules
from workdays.selectors import due_date

from .models import Contract

FILING_RULE = "contract.filing_deadline"
DEPLOYMENT_RULE = "contract.deployment_deadline"


@dataclass(frozen=True)
class ContractDeadline:
    kind: str  # "filing" / "deployment"
    label: str
    rule_key: str
    period: str  # the policy's period in words ("15个工作日")
    start: dt.date | None
    due: dt.date | None
    unknown_years: tuple[int, ...] = ()
    clause: str = ""
    done: dt.date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        """``done`` / ``late`` / ``open`` / ``unknown`` (calendar or policy cannot say) / ``not_started``."""
        if self.start is None:
            return "not_started"
        if self.due is None:
            return "unknown"
        if self.done is not None:
            return "done" if self.done <= self.due else "late"
        return "open"

    @property
    def message(self) -> str:
        if self.start is None:
            return f"{self.label}：协议签订后开始计算。"
        if not self.period:
            return f"{self.label}：本区划的政策未规定期限，无法计算。"
        if self.due is None:
            years = "、".join(f"{y}年" for y in self.unknown_years)
            return f"{self.label}：工作日历尚未覆盖{years}，暂时无法确定期限（{self.period}）。"
        text = f"{self.label}：{self.due:%Y年%m月%d日}前（签订之日起{self.period}）"
        if self.done is not None:
            text += f"，已于{self.done:%Y年%m月%d日}完成" + ("" if self.done <= self.due else "，已逾期")
        return text + "。"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "rule_key": self.rule_key,
            "period": self.period,
            "start": self.start.isoformat() if self.start else None,
            "due": self.due.isoformat() if self.due else None,
            "unknown_years": list(self.unknown_years),
            "clause": self.clause,
            "done": self.done.isoformat() if self.done else None,
            "state": self.state,
            "message": self.message,
        }


def _deadline(
    contract: Contract, key: str, kind: str, label: str, done: dt.date | None, policy: EffectivePolicy | None
) -> ContractDeadline:
    policy = policy or effective_policy(contract.division_id)
    value = policy.get(key)
    rule = policy.rules.get(key)
    clause = rule.citation_text if rule is not None and rule.applies else ""
    period = rules()[key].display(value) if value else ""
    start = contract.signed_date
    if start is None or not value:
        return ContractDeadline(kind, label, key, period, start, None, clause=clause, done=done)
    result = due_date(start, int(value["amount"]), value["unit"])
    return ContractDeadline(kind, label, key, period, start, result.due, tuple(result.unknown_years), clause, done)


def contract_filing_due(contract: Contract, policy: EffectivePolicy | None = None) -> ContractDeadline:
    """Filing the agreement's copy with the bureau above, counted from signing (signing day not counted)."""
    return _deadline(contract, FILING_RULE, "filing", "协议报备", contract.filed_date, policy)


def contract_deployment_due(contract: Contract, policy: EffectivePolicy | None = None) -> ContractDeadline:
    """The agency's resident social workers at their stations, counted from signing."""
    return _deadline(contract, DEPLOYMENT_RULE, "deployment", "驻站社工到岗", None, policy)


def contract_deadlines(contract: Contract) -> list[ContractDeadline]:
    policy = effective_policy(contract.division_id)
    return [contract_filing_due(contract, policy), contract_deployment_due(contract, policy)]


def uncovered_years(contract: Contract) -> list[int]:
    """Years of the agreement's service period (and of its signing) the working-day calendar does not cover."""
    from workdays.models import CalendarYear

    first = min(d for d in (contract.signed_date, contract.start_date) if d is not None).year
    years = set(range(first, contract.end_date.year + 1))
    covered = set(CalendarYear.objects.filter(year__in=years, complete=True).values_list("year", flat=True))
    return sorted(years - covered)


def calendar_note(contract: Contract) -> str:
    """The page's warning when the agreement's dates run into years the calendar does not cover, else ""."""
    missing = uncovered_years(contract)
    if not missing:
        return ""
    years = "、".join(f"{y}年" for y in missing)
    return (
        f"协议期限延伸至{years}，工作日历尚未覆盖该年度，落在其中的工作日期限暂时无法计算；"
        "系统管理员录入该年度放假安排后自动补算。"
    )
