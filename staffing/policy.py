"""Staffing decisions from the effective policy of a place (DOMAIN §4), each with its rule and clause.

* :func:`eligibility` screens a candidate at hiring: age on the hire date, education, certificate (or the
  grace period within which one must be obtained, counted from the hire date by the calendar rules), part-time
  experience; the policy's preferences only rank.
* :func:`requirement` says how many people a township station needs (head, workers excluding the head,
  certified full-timers) with the formula in words.
* :func:`adequacy` checks a team against the formula: Baisha's three resident workers, Luzhou's two certified
  full-timers (the head among them, [001 annex 2 items 12-13]) or its part-time alternative, Nantong's one per six
  villages with at least three, head not counted.

Every number comes from ``policies`` (rules.json and the presets); nothing here holds a policy value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from policies.findings import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Finding, evaluate
from policies.policy import EffectivePolicy, effective_policy
from policies.registry import cite, required_staff, staffing_text

from .models import CERTIFICATE_RANK, CertificateLevel, Education, StaffRole

# The policies' education vocabulary knows high school to master; below and above map onto its ends.
_EDUCATION_FOR_POLICY = {
    Education.HIGH_SCHOOL: "high_school",
    Education.JUNIOR_COLLEGE: "junior_college",
    Education.BACHELOR: "bachelor",
    Education.MASTER: "master",
    Education.DOCTOR: "master",
}
# Chinese names a clerk or a client may send for an education level.
EDUCATION_NAMES: dict[str, str] = {
    "初中": Education.BELOW_HIGH_SCHOOL,
    "初中及以下": Education.BELOW_HIGH_SCHOOL,
    "小学": Education.BELOW_HIGH_SCHOOL,
    "高中": Education.HIGH_SCHOOL,
    "中专": Education.HIGH_SCHOOL,
    "高中（中专）": Education.HIGH_SCHOOL,
    "职高": Education.HIGH_SCHOOL,
    "技校": Education.HIGH_SCHOOL,
    "大专": Education.JUNIOR_COLLEGE,
    "专科": Education.JUNIOR_COLLEGE,
    "高职": Education.JUNIOR_COLLEGE,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "学士": Education.BACHELOR,
    "硕士": Education.MASTER,
    "研究生": Education.MASTER,
    "硕士研究生": Education.MASTER,
    "博士": Education.DOCTOR,
    "博士研究生": Education.DOCTOR,
}
CERTIFICATE_NAMES: dict[str, str] = {
    "助理社会工作师": CertificateLevel.ASSISTANT,
    "初级": CertificateLevel.ASSISTANT,
    "社会工作师": CertificateLevel.INTERMEDIATE,
    "中级": CertificateLevel.INTERMEDIATE,
    "高级社会工作师": CertificateLevel.SENIOR,
    "高级": CertificateLevel.SENIOR,
}


def education_code(value: str) -> str | None:
    """An education level by its code or its Chinese name (大专, 本科 …); None when unknown."""
    text = (value or "").strip()
    if text in Education.values:
        return text
    if text in EDUCATION_NAMES:
        return EDUCATION_NAMES[text]
    for code, label in Education.choices:
        if text == label:
            return code
    return None


def certificate_code(value: str) -> str | None:
    text = (value or "").strip()
    if text in CertificateLevel.values:
        return text
    return CERTIFICATE_NAMES.get(text)


def hiring_age(birth: dt.date, on: dt.date) -> int:
    """Age on ``on`` as hiring counts it: a person is N years old until the day before the N+1th birthday
    (the age goes up on the birthday itself; 29 February birthdays on 28 February in common years)."""
    years = on.year - birth.year
    try:
        birthday = birth.replace(year=on.year)
    except ValueError:
        birthday = dt.date(on.year, 2, 28)
    return years - 1 if on < birthday else years


# --- results -------------------------------------------------------------------------------------------------


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule_key,
        "label": f.rule_label,
        "strength": f.strength,
        "outcome": f.outcome,
        "detail": f.message,
        "clause": f.citation or f.clause,
    }


@dataclass
class Condition:
    rule: str
    due: dt.date | None
    detail: str
    clause: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "due": self.due.isoformat() if self.due else None,
            "detail": self.detail,
            "clause": self.clause,
        }


@dataclass
class Preference:
    rule: str
    preference: str
    met: bool | None
    detail: str
    clause: str

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Eligibility:
    eligible: bool
    findings: list[Finding] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    preferences: list[Preference] = field(default_factory=list)

    @property
    def preference_score(self) -> int:
        return sum(1 for p in self.preferences if p.met)

    def to_json(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "findings": [finding_json(f) for f in self.findings],
            "conditions": [c.to_json() for c in self.conditions],
            "preferences": [p.to_json() for p in self.preferences],
        }


@dataclass(frozen=True)
class Candidate:
    division: str
    on: dt.date
    birth_date: dt.date | None
    education: str  # an Education code
    major: str = ""
    social_work_major: bool = False
    certificate_level: str | None = None
    certificate_date: dt.date | None = None
    household_division: str = ""
    employment: str = StaffRole.FULL_TIME
    experience_months: int | None = None
    graduation_year: int | None = None


def _set(policy: EffectivePolicy, key: str) -> bool:
    r = policy.rules.get(key)
    return r is not None and r.is_set


def _with(f: Finding, outcome: str, message: str) -> Finding:
    return dataclasses.replace(f, outcome=outcome, message=message)


def _blocking(findings: list[Finding]) -> bool:
    return any(f.blocking or (f.outcome == UNKNOWN and f.strength in {"must", ""}) for f in findings)


def grace_due(hired: dt.date, years: int) -> tuple[dt.date, bool]:
    """The last day to obtain the certificate (Civil Code arts. 201-203 on the stored calendar), and whether the
    calendar covered that year (if not: the day by arts. 201-202, before any move past a holiday)."""
    from workdays.counting import add_months
    from workdays.selectors import due_date

    try:
        found = due_date(hired, years, "years").due
    except ValueError:  # a start outside the calendar's range: arts. 201-202 alone
        found = None
    return (found, True) if found is not None else (add_months(hired, 12 * years), False)


def eligibility(c: Candidate, policy: EffectivePolicy | None = None) -> Eligibility:  # noqa: C901 - one block per rule
    policy = policy or effective_policy(c.division)
    findings: list[Finding] = []
    conditions: list[Condition] = []
    if not policy.has_policy:
        findings.append(evaluate(policy, "staff.max_age"))
        return Eligibility(eligible=False, findings=findings)
    hiring = {"at_hiring": True}

    if _set(policy, "staff.max_age"):
        age = hiring_age(c.birth_date, c.on) if c.birth_date else None
        f = evaluate(policy, "staff.max_age", actual=age, conditions=hiring)
        if age is not None and f.outcome in {PASS, FAIL}:
            f = _with(f, f.outcome, f"{f.message}；按{c.on:%Y年%m月%d日}计算")
        findings.append(f)

    if _set(policy, "staff.min_education"):
        mapped = _EDUCATION_FOR_POLICY.get(Education(c.education)) if c.education in Education.values else None
        f = evaluate(policy, "staff.min_education", actual=mapped, conditions=hiring)
        if c.education == Education.BELOW_HIGH_SCHOOL and f.outcome == UNKNOWN and f.strength:
            f = _with(f, FAIL, f"{f.rule_label}：实际 初中及以下，要求 {f.expected_display}")
        findings.append(f)

    min_level = policy.get("staff.certificate_min_level") or CertificateLevel.ASSISTANT
    holds = bool(c.certificate_level) and CERTIFICATE_RANK.get(c.certificate_level or "", -1) >= CERTIFICATE_RANK.get(
        min_level, 0
    )
    if c.certificate_date and c.certificate_date > c.on:
        holds = False  # obtained after the reference date: not yet held
    mode = policy.get("staff.certificate")
    if _set(policy, "staff.certificate") and mode in {"required", "required_within_grace"}:
        base = evaluate(policy, "staff.certificate", actual=mode)
        level_name = CertificateLevel(min_level).label
        if holds:
            label = CertificateLevel(c.certificate_level or min_level).label
            findings.append(_with(base, PASS, f"{base.rule_label}：已持{label}证书，要求{level_name}及以上"))
        elif mode == "required":
            findings.append(_with(base, FAIL, f"{base.rule_label}：未持证，入职时须持{level_name}及以上证书"))
        else:
            years = policy.get("staff.certificate_grace_years")
            grace = evaluate(policy, "staff.certificate_grace_years", actual=years)
            due, known = grace_due(c.on, int(years)) if years else (None, True)
            when = f"{due:%Y年%m月%d日}前" if due else "限期内"
            if due and not known:
                when += "，遇法定节假日顺延"
            findings.append(
                _with(
                    base,
                    PASS,
                    f"{base.rule_label}：未持证，可聘用，须在聘用后{years}年内（{when}）取得{level_name}及以上证书",
                )
            )
            conditions.append(
                Condition(
                    rule="staff.certificate_grace_years",
                    due=due,
                    detail=f"聘用后{years}年内取得{level_name}及以上社会工作者职业水平证书"
                    + ("，逾期不得续聘" if policy.get("staff.no_renewal_without_certificate") else ""),
                    clause=grace.citation or grace.clause,
                )
            )

    if c.employment == StaffRole.PART_TIME and _set(policy, "staff.parttime_min_experience_years"):
        years = None if c.experience_months is None else (Decimal(c.experience_months) / 12).quantize(Decimal("0.1"))
        findings.append(evaluate(policy, "staff.parttime_min_experience_years", actual=years))

    preferences = _preferences(policy, c, holds)
    return Eligibility(
        eligible=not _blocking(findings), findings=findings, conditions=conditions, preferences=preferences
    )


def _preferences(policy: EffectivePolicy, c: Candidate, certified: bool) -> list[Preference]:
    out: list[Preference] = []
    rule = policy.rules.get("staff.hiring_preferences")
    if rule is None or not rule.applies:
        return out
    clause = rule.citation_text or rule.clause
    local = bool(c.household_division) and c.household_division[:6] == c.division[:6]
    for text in rule.value or []:
        met: bool | None
        if "户籍" in text or "本地" in text or "常住" in text:
            met, detail = local, ("户籍在本县" if local else "户籍不在本县")
        elif "证书" in text or "资质" in text:
            met = certified or ("资质" in text and c.social_work_major)
            detail = "已持证" if certified else ("社会工作相关专业" if met else "未持证")
        elif "专业" in text:
            met, detail = c.social_work_major, ("社会工作相关专业" if c.social_work_major else "非社会工作专业")
        else:
            met, detail = None, "须由招聘单位核实"
        out.append(Preference("staff.hiring_preferences", text, met, detail, clause))
    within = policy.get("staff.preferred_graduation_within_years")
    if within and c.graduation_year:
        met = c.on.year - c.graduation_year <= int(within)
        rec = policy.rules["staff.preferred_graduation_within_years"]
        out.append(
            Preference(
                "staff.preferred_graduation_within_years",
                f"近{within}年毕业",
                met,
                f"{c.graduation_year}年毕业",
                rec.citation_text or rec.clause,
            )
        )
    return out


# --- requirement and adequacy --------------------------------------------------------------------------------


@dataclass
class StaffMember:
    role: str
    certificate: str | None = None


@dataclass
class Requirement:
    division: str
    villages: int | None
    head: int
    workers: int | None
    certified_full_time: int | None
    formula: str
    findings: list[Finding]

    def to_json(self) -> dict[str, Any]:
        return {
            "division": self.division,
            "villages": self.villages,
            "head": self.head,
            "workers": self.workers,
            "certified_full_time": self.certified_full_time,
            "formula": self.formula,
            "findings": [finding_json(f) for f in self.findings],
        }


def _alternatives(policy: EffectivePolicy) -> list[dict[str, Any]]:
    value = policy.get("staff.formula")
    return list((value or {}).get("alternatives", []))


def head_required(policy: EffectivePolicy) -> bool:
    return bool(policy.get("staff.station_head"))


def requirement(division: str, villages: int | None, policy: EffectivePolicy | None = None) -> Requirement:
    policy = policy or effective_policy(division)
    alts = _alternatives(policy)
    head = 1 if head_required(policy) else 0
    findings: list[Finding] = []
    formula_rule = policy.rules.get("staff.formula")
    clause = formula_rule.citation_text if formula_rule is not None and formula_rule.is_set else ""
    if not alts:
        f = evaluate(policy, "staff.formula")
        return Requirement(division, villages, head, None, None, f.message, [f])
    texts = [staffing_text(a) for a in alts]
    formula = "；或 ".join(texts) + (f"（{clause}）" if clause else "")
    first = alts[0]
    need = required_staff(first, villages)
    minimum = policy.get("staff.min_per_station")
    if need is not None and minimum:
        need = max(need, int(minimum))
    workers: int | None = None
    certified: int | None = None
    if need is not None and (first.get("minimum") or first.get("per")):
        counted = first.get("head_counted", True)
        workers = max(need - head, 0) if (counted and head) else need
        certified = need if first.get("certificate") else 0
    if head:
        hf = evaluate(policy, "staff.station_head", actual=policy.get("staff.station_head"))
        findings.append(_with(hf, PASS, f"{hf.rule_label}：{hf.expected_display}"))
    f = evaluate(policy, "staff.formula")
    findings.append(
        _with(
            f,
            UNKNOWN if workers is None else PASS,
            f"{f.rule_label}：{formula}"
            + ("" if workers is not None else ("；须知道村（社区）数" if need is None else "；按服务协议确定")),
        )
    )
    if minimum:
        mf = evaluate(policy, "staff.min_per_station", actual=minimum)
        findings.append(_with(mf, PASS, f"{mf.rule_label}：{minimum}人"))
    return Requirement(division, villages, head, workers, certified, formula, findings)


@dataclass
class Adequacy:
    adequate: bool
    findings: list[Finding]

    def to_json(self) -> dict[str, Any]:
        return {"adequate": self.adequate, "findings": [finding_json(f) for f in self.findings]}


def adequacy(
    division: str,
    staff: list[StaffMember],
    villages: int | None,
    *,
    volunteers: int = 0,
    policy: EffectivePolicy | None = None,
) -> Adequacy:
    policy = policy or effective_policy(division)
    findings: list[Finding] = []
    heads = [m for m in staff if m.role == StaffRole.HEAD]
    full = [m for m in staff if m.role in (StaffRole.HEAD, StaffRole.FULL_TIME)]
    part = [m for m in staff if m.role == StaffRole.PART_TIME]
    alts = _alternatives(policy)
    if head_required(policy):
        hf = evaluate(policy, "staff.station_head", actual=policy.get("staff.station_head"))
        ok = len(heads) >= 1
        findings.append(
            _with(hf, PASS if ok else FAIL, f"{hf.rule_label}：{'已' if ok else '未'}配备站长（{hf.expected_display}）")
        )
    if not alts:
        findings.append(evaluate(policy, "staff.formula"))
    else:
        level = next((a.get("certificate") for a in alts if a.get("certificate")), None)
        certified = sum(
            1
            for m in full
            if m.certificate and level and CERTIFICATE_RANK.get(m.certificate, -1) >= CERTIFICATE_RANK[level]
        )
        facts = {
            "units": villages,
            "staff": len(full),
            "certified": certified,
            "parttime": len(part),
            "volunteers": volunteers,
            "head_included": bool(heads),
        }
        findings.append(evaluate(policy, "staff.formula", actual=facts))
        minimum = policy.get("staff.min_per_station")
        if minimum:
            counted = all(a.get("head_counted", True) for a in alts)
            have = len(full) - (0 if counted or not heads else 1)
            mf = evaluate(policy, "staff.min_per_station", actual=have)
            if not counted:
                mf = dataclasses.replace(mf, message=f"{mf.message}（站长不计入）")
            findings.append(mf)
    settled = all(f.outcome in {PASS, NOT_APPLICABLE} or not f.strength for f in findings if f.outcome != FAIL)
    adequate = not any(f.outcome == FAIL and f.strength != "preference" for f in findings) and settled
    adequate = adequate and not any(f.outcome == UNKNOWN for f in findings)
    return Adequacy(adequate, findings)


def shortfall(result: Adequacy) -> bool:
    """A clear failure (not a question the policy leaves open): what makes a station's obligation."""
    return any(f.outcome == FAIL and f.strength in {"must", "as_a_rule"} for f in result.findings)


__all__ = [
    "Adequacy",
    "Candidate",
    "Eligibility",
    "Requirement",
    "StaffMember",
    "adequacy",
    "certificate_code",
    "cite",
    "education_code",
    "eligibility",
    "hiring_age",
    "requirement",
    "shortfall",
]
