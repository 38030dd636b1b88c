"""Station star ratings (星级, 1–5) from the criteria the county bureau records (``evaluation.StarRule``).

A station's rating for a year: the highest star level whose criteria it meets — the final evaluation total of
that service year (the finalised final-stage evaluation of an agreement covering the station; the latest if
several) at least the level's minimum, and, where the level sets one, the share of the year's expected monthly
briefs handed in at least its minimum (the completeness figures, ``evaluation.reports.selectors``). No criteria
recorded by the station's county bureau, or no final evaluation yet: no rating (``stars`` null) and a finding
saying why. The documents set no criteria, so every finding names the bureau's decision, never a policy number.

The stations come through ``for_user``; the criteria are read as the rule of each station's county bureau (what
the rating of a station the caller sees is measured against).

Set-based: the stations, the rules, the evaluations and the completeness (two queries a month) — a fixed number
of queries whatever the number of stations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from core.scoping import Action
from policies.findings import FAIL, PASS, UNKNOWN, Finding
from policies.policy import EffectivePolicy
from policies.registry import cite, percent_text
from stations.models import Division, Station

from .models import Evaluation, StarRule
from .reports.selectors import completeness

RULE_KEY = "evaluation.star_rating"


@dataclass
class Rating:
    station: int
    name: str
    division: str
    level: str
    stars: int | None
    total: Decimal | None
    brief_rate: Decimal | None
    findings: list[dict[str, Any]] = field(default_factory=list)
    recorded: int | None = None  # the station's recorded star level (Station.star_rating)

    @property
    def differs(self) -> bool:
        """A determined rating the station's record does not show yet (what publishing would change)."""
        return self.stars is not None and self.stars != self.recorded

    def to_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "name": self.name,
            "stars": self.stars,
            "recorded": self.recorded,
            "total": None if self.total is None else str(self.total),
            "findings": self.findings,
        }


def _finding(outcome: str, message: str, **facts: Any) -> dict[str, Any]:
    return {"rule_key": RULE_KEY, "rule_label": "站点星级评定", "outcome": outcome, "message": message, "facts": facts}


def rules_by_county(county_codes: set[str]) -> dict[str, list[StarRule]]:
    """The recorded star levels of each county bureau, highest first (one query)."""
    out: dict[str, list[StarRule]] = {}
    rows = (
        StarRule.objects.filter(bureau__division_id__in=sorted(county_codes), bureau__kind="bureau")
        .select_related("bureau", "set_by")
        .order_by("bureau__division_id", "-stars")
    )
    for rule in rows:
        out.setdefault(rule.bureau.division_id, []).append(rule)
    return out


def rate(stars_rules: list[StarRule], total: Decimal | None, brief_rate: Decimal | None) -> tuple[int | None, list]:
    """The highest level met, with a finding per level checked (highest first, stopping at the first met)."""
    if not stars_rules:
        return None, [_finding("unknown", "县民政局尚未确定星级评定标准，暂不评定星级。")]
    if total is None:
        return None, [_finding("unknown", "本年度尚无认定的末期评估结果，暂不评定星级。")]
    findings = []
    for rule in stars_rules:
        basis = f"县民政局确定：{rule.set_by}，{timezone.localtime(rule.set_at):%Y年%m月%d日}，依据：{rule.basis}"
        misses = []
        if total < rule.min_total:
            misses.append(f"末期评估总分 {total} 分低于 {rule.min_total} 分")
        if rule.min_brief_rate is not None:
            if brief_rate is None:
                misses.append("本年度没有应报的月度简报，无法核对报送率")
            elif brief_rate < rule.min_brief_rate:
                misses.append(f"月度简报报送率 {brief_rate}% 低于 {rule.min_brief_rate}%")
        if not misses:
            reached = f"末期评估总分 {total} 分不低于 {rule.min_total} 分"
            if rule.min_brief_rate is not None:
                reached += f"，月度简报报送率 {brief_rate}% 不低于 {rule.min_brief_rate}%"
            findings.append(_finding("pass", f"{rule.stars}星级：{reached}（{basis}）。", stars=rule.stars))
            return rule.stars, findings
        findings.append(_finding("fail", f"未达{rule.stars}星级：{'；'.join(misses)}（{basis}）。", stars=rule.stars))
    return None, [*findings, _finding("fail", "未达到任何星级的标准。")]


def station_ratings(actor: Any, division: Division, year: int) -> list[Rating]:
    """The rating of every station ``actor`` sees in ``division``'s subtree for ``year`` (fixed query count)."""
    stations = list(
        Station.objects.for_user(actor, Action.VIEW)
        .filter(division__pk__startswith=division.code)
        .order_by("division_id", "name")
        .values_list("pk", "name", "division_id", "level", "star_rating")
    )
    ids = [pk for pk, *_ in stations]
    totals: dict[int, Decimal] = {}
    finals = (
        Evaluation.objects.for_user(actor, Action.VIEW)
        .filter(
            service_year=year,
            stage=Evaluation.Stage.FINAL,
            state=Evaluation.State.FINAL,
            contract__stations__in=ids,
        )
        .order_by("finalized_at", "pk")
        .values_list("contract__stations", "total")
    )
    for station_id, total in finals:  # ordered by time: the latest wins
        if total is not None:
            totals[station_id] = total
    rates: dict[int, Decimal | None] = {}
    if any(len(code) >= 6 for _, _, code, *_ in stations):
        table = completeness(actor, division, str(year), per_station=True)
        rates = {int(r.key): r.submitted_rate for r in table.rows if r.key.isdigit()}
    by_county = rules_by_county({code[:6] for _, _, code, *_ in stations})
    out = []
    for pk, name, code, level, recorded in stations:
        total = totals.get(pk)
        brief_rate = rates.get(pk)
        stars, findings = rate(by_county.get(code[:6], []), total, brief_rate)
        out.append(Rating(pk, name, code, level, stars, total, brief_rate, findings, recorded))
    return out


SHARE_RULE = "target.five_star_township_share"
MIN_RULE = "target.five_star_township_min_per_county"


def five_star_targets(policy: EffectivePolicy, ratings: list[Rating], year: int) -> list[Finding]:
    """A county's five-star township stations measured against its policy's targets (湖南: the share of township
    stations by year and the minimum number per county [003 §2(2)]). Only the years the plan lists are measured;
    nothing is extrapolated. Empty when the policy sets neither target."""
    township = [r for r in ratings if r.level == Station.Level.TOWNSHIP]
    five = sum(1 for r in township if r.stars == 5)
    out: list[Finding] = []
    for key in (SHARE_RULE, MIN_RULE):
        value = policy.get(key)
        if value is None:
            continue
        effective = policy.rules[key]
        source = effective.source
        if source is None:
            continue
        base = {
            "rule_key": key,
            "rule_label": effective.rule.label,
            "strength": source.strength,
            "expected": value,
            "expected_display": effective.display,
            "clause": source.clause,
            "citation": cite(source.clause),
            "quote": source.quote,
            "division_name": source.division_name,
        }
        if key == SHARE_RULE:
            target = value.get(str(year)) if isinstance(value, dict) else None
            if target is None:
                message = f"{effective.rule.label}：方案未列出{year}年的目标，不作核对。"
                out.append(Finding(outcome=UNKNOWN, message=message, facts={"year": year}, **base))
                continue
            share = Decimal(five) / Decimal(len(township)) if township else Decimal(0)
            ok = bool(township) and share >= Decimal(str(target))
            shown = percent_text(share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
            message = (
                f"{effective.rule.label}：{year}年五星级乡镇（街道）社工站 {five} 个，占乡镇站点 {len(township)} 个的 "
                f"{shown}，目标不低于 {percent_text(target)}。"
            )
        else:
            ok = five >= int(value)
            message = f"{effective.rule.label}：五星级乡镇（街道）社工站 {five} 个，目标不少于 {value} 个。"
        out.append(Finding(outcome=PASS if ok else FAIL, message=message, facts={"five_star": five}, **base))
    return out
