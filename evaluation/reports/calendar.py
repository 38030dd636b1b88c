"""The reporting calendar from policy (DOMAIN §6): what each party owes, when, to whom, by which clause.

Read from the rules of the ``reports`` section of the policy in force at each county:

- ``report.agency_reports`` (vocabulary ``report_kinds``): ``monthly_brief`` / ``monthly_progress`` give a monthly
  brief per station under an agreement in force and month; ``midterm_report`` / ``final_report`` a mid-term and a
  final report per agreement and service year [000 §5(4)];
- ``report.monthly_due_day``: the brief handed in during a month is due on that month's day N
  ("每月26日前报送" [002 §9(2)]); in a shorter month, on its last day;
- ``report.agency_self_evaluations_per_year`` (N): the station's self-evaluation reports, the year divided in N
  equal parts [001 annex 2 item 17(4)];
- ``report.semiannual_to_city``: the county bureau's half-yearly implementation report to the city [000 §5(5)];
- ``report.bureau_self_evaluation_due`` (``"MM-DD"``): the county's yearly performance self-evaluation [000 §5(5)].

Where a policy names a report but no day, the report is due on the last day of its period (the month, the half
year, the service year). Every due day that falls on a rest day moves to the first working day after it, on the
stored working-day calendar (民法典 第二百零三条, ``workdays.counting``); a year the calendar does not cover keeps
the nominal day.

The number of queries does not depend on the number of stations: the policies (one per county policy that sets a
report rule, a handful), the working-day calendar (two), the agreements' stations (one), the organisations (one).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from accounts.models import Organisation
from contracts.models import Contract
from core.scoping import Action
from policies.models import PolicyRule
from policies.policy import EffectivePolicy, effective_policy
from stations.models import Division, Station
from workdays.counting import WorkCalendar, add_months
from workdays.selectors import work_calendar

REPORT_KEYS = (
    "report.agency_reports",
    "report.monthly_due_day",
    "report.agency_self_evaluations_per_year",
    "report.semiannual_to_city",
    "report.bureau_self_evaluation_due",
)
MONTHLY_CODES = frozenset({"monthly_brief", "monthly_progress"})

KIND_LABELS = {
    "monthly_brief": "月度工作简报",
    "mid_term_report": "中期工作报告",
    "final_report": "末期工作报告",
    "self_evaluation": "自评报告",
    "county_half_year_report": "半年项目实施情况报告",
    "county_self_evaluation": "年度绩效自评报告",
}
KINDS = tuple(KIND_LABELS)
# Statuses in which an agreement was in force for some time (an expired one was, until its end; a terminated
# one until its termination date).
IN_FORCE = (Contract.Status.ACTIVE, Contract.Status.EXPIRED, Contract.Status.TERMINATED)


@dataclass(frozen=True)
class Due:
    """One report owed: the calendar's item, with what the daily job needs to create it."""

    kind: str
    period: str
    opens: dt.date  # the first day of the period: the report is created then
    due: dt.date
    rule_key: str
    clause: str
    county: str  # the county whose policy applies
    division: str  # where the report belongs in the tree (the station's division, or the county)
    owner_id: int | None  # the organisation that owes it (None: no agreement in force, nobody known)
    owner_name: str
    owed_to_id: int | None
    owed_to_name: str
    station_id: int | None = None
    station_name: str = ""
    contract_id: int | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def period_label(self) -> str:
        return period_text(self.period)

    def as_item(self) -> dict[str, Any]:
        owed_by = None
        if self.owner_id is not None:
            owed_by = {"organisation_id": self.owner_id, "organisation": self.owner_name}
            if self.station_id is not None:
                owed_by |= {"station_id": self.station_id, "station": self.station_name}
        owed_to = (
            {"organisation_id": self.owed_to_id, "organisation": self.owed_to_name}
            if self.owed_to_id is not None
            else None
        )
        return {
            "kind": self.kind,
            "label": self.label,
            "period": self.period,
            "period_label": self.period_label,
            "due": self.due.isoformat(),
            "owed_by": owed_by,
            "owed_to": owed_to,
            "clause": self.clause,
        }


def period_text(period: str) -> str:
    """A period in words: "2026-05" → "2026年5月", "2026-H1" → "2026年上半年", "2026" → "2026年度",
    "2026-01~2026-12" → "2026年1月至2026年12月"."""
    if "~" in period:
        first, last = period.split("~", 1)
        return f"{period_text(first)}至{period_text(last)}"
    if len(period) == 4:
        return f"{period}年度"
    year, _, rest = period.partition("-")
    words = {"H1": "上半年", "H2": "下半年"}
    if rest in words:
        return f"{year}年{words[rest]}"
    if rest[:1] == "Q":
        return f"{year}年第{rest[1:]}季度"
    if rest[:1] == "P":
        return f"{year}年第{rest[1:]}期"
    if rest.isdigit():
        return f"{year}年{int(rest)}月"
    return period


# --- dates -----------------------------------------------------------------------------------------------


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _calendar.monthrange(year, month)[1])


def on_working_day(day: dt.date, cal: WorkCalendar) -> dt.date:
    """``day``, or the first working day after it when it is a rest day (民法典 第二百零三条); unchanged in a year
    the calendar does not cover."""
    current = day
    while cal.covers(current) and not cal.is_working_day(current):
        current += dt.timedelta(days=1)
    return current if cal.covers(current) else day


def monthly_due(year: int, month: int, due_day: int | None, cal: WorkCalendar) -> dt.date:
    """The due day of the brief handed in during ``month``: day ``due_day`` of that month (its last day when the
    month is shorter, or when the policy names no day), moved off a rest day."""
    last = month_end(year, month)
    nominal = last if due_day is None else dt.date(year, month, min(int(due_day), last.day))
    return on_working_day(nominal, cal)


def parts_of_year(year: int, count: int) -> list[tuple[str, dt.date, dt.date]]:
    """The year in ``count`` equal parts of whole months: (period, first day, last day)."""
    count = max(1, min(int(count), 12))
    names = {1: [""], 2: ["H1", "H2"], 4: ["Q1", "Q2", "Q3", "Q4"]}
    out: list[tuple[str, dt.date, dt.date]] = []
    for i in range(count):
        first_month = i * 12 // count + 1
        last_month = (i + 1) * 12 // count
        suffix = names[count][i] if count in names else f"P{i + 1}"
        period = f"{year}-{suffix}" if suffix else str(year)
        out.append((period, dt.date(year, first_month, 1), month_end(year, last_month)))
    return out


def service_years(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    k = 0
    while True:
        first = add_months(start, 12 * k)
        if first > end:
            return out
        last = min(add_months(start, 12 * (k + 1)) - dt.timedelta(days=1), end)
        out.append((first, last))
        k += 1


def yearly_date(value: Any, year: int) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 5:
        return None
    try:
        month, day = (int(x) for x in value[-5:].split("-"))
        return dt.date(year, month, min(day, _calendar.monthrange(year, month)[1]))
    except ValueError:
        return None


# --- policy ----------------------------------------------------------------------------------------------


def county_policies(actor: Any, code: str) -> dict[str, EffectivePolicy]:
    """The effective policy of each division that sets a report rule at or above a county of ``code``'s subtree
    (or above ``code``), keyed by its code: a county takes the deepest one above it."""
    above = [code[:n] for n in (2, 4, 6) if n <= len(code)]
    codes = set(
        PolicyRule.objects.for_user(actor, Action.VIEW)
        .filter(key__in=REPORT_KEYS)
        .filter(Q(policy__division_id__in=above) | Q(policy__division__pk__startswith=code))
        .values_list("policy__division_id", flat=True)
    )
    return {c: effective_policy(c) for c in sorted(codes) if len(c) <= 6}


def policy_for(county: str, policies: dict[str, EffectivePolicy]) -> EffectivePolicy | None:
    for n in (6, 4, 2):
        found = policies.get(county[:n])
        if found is not None:
            return found
    return None


def _clause(policy: EffectivePolicy, key: str) -> str:
    rule = policy.rules.get(key)
    return rule.clause if rule is not None else ""


# --- the calendar ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engagement:
    """A station under an agreement in force for part of the year."""

    station_id: int | None
    station_name: str
    division: str
    contract_id: int | None
    contract_start: dt.date
    contract_end: dt.date
    agency_id: int | None
    agency_name: str
    buyer_id: int | None
    buyer_name: str


def engagements(actor: Any, code: str, year: int) -> list[Engagement]:
    """Stations (in ``code``'s subtree and the caller's scope) under an agreement in force during ``year``: one
    query."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    through = Contract.stations.through
    contracts = Contract.objects.for_user(actor, Action.VIEW).filter(
        status__in=IN_FORCE, start_date__lte=last, end_date__gte=first
    )
    rows = (
        through.objects.filter(
            contract__in=contracts.values("pk"),
            station__in=Station.objects.for_user(actor, Action.VIEW).filter(division__pk__startswith=code).values("pk"),
        )
        .order_by("station__division_id", "station__name", "contract__start_date")
        .values_list(
            "station_id",
            "station__name",
            "station__division_id",
            "contract_id",
            "contract__start_date",
            "contract__end_date",
            "contract__status",
            "contract__terminated_date",
            "contract__agency_id",
            "contract__agency__name",
            "contract__buyer_id",
            "contract__buyer__name",
        )
    )
    out = []
    for sid, sname, div, cid, start, end, status, terminated, aid, aname, bid, bname in rows:
        if status == Contract.Status.TERMINATED:
            if terminated is None:
                continue
            end = min(end, terminated)
        out.append(Engagement(sid, sname, div, cid, start, end, aid, aname, bid, bname))
    return out


def _bureaus(codes: set[str]) -> dict[str, tuple[int, str]]:
    """The bureau at each of ``codes`` (the first by id where there are several): one query. Organisations are
    named on the calendar as parties of the policy, like the obligations sweep names them."""
    out: dict[str, tuple[int, str]] = {}
    for pk, name, division in (
        Organisation.objects.filter(kind=Organisation.Kind.BUREAU, division_id__in=codes)
        .order_by("pk")
        .values_list("pk", "name", "division_id")
    ):
        out.setdefault(division, (pk, name))
    return out


def counties_of(code: str) -> list[str]:
    if len(code) >= 6:
        return [code[:6]]
    return list(
        Division.objects.filter(code__startswith=code, level=Division.Level.COUNTY)
        .order_by("code")
        .values_list("code", flat=True)
    )


def calendar_for(actor: Any, code: str, year: int) -> list[Due]:
    """Every report owed in ``year`` in ``code``'s subtree, in due order."""
    cal = work_calendar()
    policies = county_policies(actor, code)
    engaged = engagements(actor, code, year)
    counties = counties_of(code)
    bureaus = _bureaus(set(counties) | {c[:4] for c in counties})
    by_county: dict[str, list[Engagement]] = {}
    for e in engaged:
        by_county.setdefault(e.division[:6], []).append(e)
    out: list[Due] = []
    for county in counties:
        policy = policy_for(county, policies)
        if policy is None:
            continue
        bureau = bureaus.get(county)
        rows = by_county.get(county)
        if not rows:
            # No agreement in force: what a station there would owe under one in force all year.
            rows = [
                Engagement(
                    None,
                    "",
                    code if len(code) > 6 else county,
                    None,
                    dt.date(year, 1, 1),
                    dt.date(year, 12, 31),
                    None,
                    "",
                    bureau[0] if bureau else None,
                    bureau[1] if bureau else "",
                )
            ]
        out += _station_dues(policy, county, rows, year, cal)
        if len(code) <= 6:
            out += _county_dues(policy, county, bureau, bureaus.get(county[:4]), year, cal)
    out.sort(key=lambda d: (d.due, KINDS.index(d.kind), d.division, d.station_name, d.period))
    return out


def _station_dues(
    policy: EffectivePolicy, county: str, rows: list[Engagement], year: int, cal: WorkCalendar
) -> list[Due]:
    kinds = set(policy.get("report.agency_reports") or [])
    out: list[Due] = []
    due_day = policy.get("report.monthly_due_day")
    monthly_rule = "report.monthly_due_day" if due_day is not None else "report.agency_reports"
    per_year = policy.get("report.agency_self_evaluations_per_year")
    self_eval_rule = "report.agency_self_evaluations_per_year"
    seen_contracts: set[tuple[int | None, str]] = set()
    for e in rows:
        common: dict[str, Any] = {
            "county": county,
            "owner_id": e.agency_id,
            "owner_name": e.agency_name,
            "owed_to_id": e.buyer_id,
            "owed_to_name": e.buyer_name,
        }
        if kinds & MONTHLY_CODES:
            for month in range(1, 13):
                first, last = dt.date(year, month, 1), month_end(year, month)
                if e.contract_start > last or e.contract_end < first:
                    continue
                out.append(
                    Due(
                        kind="monthly_brief",
                        period=f"{year}-{month:02d}",
                        opens=first,
                        due=monthly_due(year, month, due_day, cal),
                        rule_key=monthly_rule,
                        clause=_clause(policy, monthly_rule),
                        division=e.division,
                        station_id=e.station_id,
                        station_name=e.station_name,
                        contract_id=e.contract_id,
                        **common,
                    )
                )
        if per_year:
            for period, first, last in parts_of_year(year, per_year):
                if e.contract_start > last or e.contract_end < first:
                    continue
                out.append(
                    Due(
                        kind="self_evaluation",
                        period=period,
                        opens=first,
                        due=on_working_day(last, cal),
                        rule_key=self_eval_rule,
                        clause=_clause(policy, self_eval_rule),
                        division=e.division,
                        station_id=e.station_id,
                        station_name=e.station_name,
                        contract_id=e.contract_id,
                        **common,
                    )
                )
        # Mid-term and final reports: per agreement and service year (its own division: the station's, for a
        # station owed without an agreement).
        for kind, code in (("mid_term_report", "midterm_report"), ("final_report", "final_report")):
            if code not in kinds:
                continue
            for first, last in service_years(e.contract_start, e.contract_end):
                due = last if kind == "final_report" else min(add_months(first, 6) - dt.timedelta(days=1), last)
                if due.year != year or (e.contract_id, f"{kind}{first}") in seen_contracts:
                    continue
                seen_contracts.add((e.contract_id, f"{kind}{first}"))
                out.append(
                    Due(
                        kind=kind,
                        period=f"{first:%Y-%m}~{last:%Y-%m}",
                        opens=first,
                        due=on_working_day(due, cal),
                        rule_key="report.agency_reports",
                        clause=_clause(policy, "report.agency_reports"),
                        division=e.division if e.contract_id is None else e.division,
                        station_id=None,
                        station_name="",
                        contract_id=e.contract_id,
                        **common,
                    )
                )
    return out


def _county_dues(
    policy: EffectivePolicy,
    county: str,
    bureau: tuple[int, str] | None,
    city_bureau: tuple[int, str] | None,
    year: int,
    cal: WorkCalendar,
) -> list[Due]:
    out: list[Due] = []
    common: dict[str, Any] = {
        "county": county,
        "division": county,
        "owner_id": bureau[0] if bureau else None,
        "owner_name": bureau[1] if bureau else "",
        "owed_to_id": city_bureau[0] if city_bureau else None,
        "owed_to_name": city_bureau[1] if city_bureau else "",
    }
    if policy.get("report.semiannual_to_city"):
        for period, first, last in parts_of_year(year, 2):
            out.append(
                Due(
                    kind="county_half_year_report",
                    period=period,
                    opens=first,
                    due=on_working_day(last, cal),
                    rule_key="report.semiannual_to_city",
                    clause=_clause(policy, "report.semiannual_to_city"),
                    **common,
                )
            )
    nominal = yearly_date(policy.get("report.bureau_self_evaluation_due"), year)
    if nominal is not None:
        out.append(
            Due(
                kind="county_self_evaluation",
                period=str(year),
                opens=dt.date(year, 1, 1),
                due=on_working_day(nominal, cal),
                rule_key="report.bureau_self_evaluation_due",
                clause=_clause(policy, "report.bureau_self_evaluation_due"),
                **common,
            )
        )
    return out
