"""Every write of evaluations: keyword-only, atomic, validated, audited, re-checked against scope.

* ``evaluation.create``: the buyer bureau opens the mid-term or final evaluation of an agreement's service year
  and assigns the third-party evaluator (granted to one of the agreement's stations); the evaluator organisation
  gets a direct django-guardian grant on that evaluation only.
* ``evaluation.self_evaluate``: the agreement's agency submits its self-evaluation (机构自评): on the buyer
  bureau's template indicator by indicator, each with a comment, or one score without a template, and a summary;
  the evaluation then opens for the parties' scores, and they see it.
* ``evaluation.score``: each party enters its own share only — the assigned evaluator the third party's, the
  buyer bureau the county bureau's, the agreement's township the township's.
* ``evaluation.adopt_template`` / ``evaluation.edit_template``: the county bureau adopts a shipped evaluation
  template (aspects from the policy, with their clauses) and sets the indicators' maximum scores, or adds
  indicators under an aspect; where its template exists, parties score indicator by indicator.
* ``evaluation.set_pass_mark``: where the policy gives no pass mark, the county bureau sets one (who, when).
* ``evaluation.finalize``: the bureau fixes the result: every weighted party has scored, a pass mark is known;
  the total is computed by ``evaluation.scoring`` (the same code as the score API).
* ``evaluation.renew``: the renewal gate of an agreement's yearly term (see :func:`renew`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from contracts import actions as contract_actions
from contracts.models import Contract
from core import audit
from core.actions import check_state, declare
from core.scoping import Action, Role, scope_of
from policies.findings import FAIL, PASS, UNKNOWN, Finding
from policies.policy import EffectivePolicy, effective_policy
from policies.registry import cite, rules
from stations.models import Station

from .indicators import party_total, presets
from .models import (
    Evaluation,
    EvaluationTemplate,
    IndicatorScore,
    PartyScore,
    PassMark,
    Renewal,
    SelfEvaluation,
    SelfIndicatorScore,
    StarRule,
    TemplateIndicator,
)
from .scoring import Mark, Score, pass_mark_finding, policy_mark, weighted_score

PARTY_OF_ROLE = {
    Role.EVALUATOR: PartyScore.Party.THIRD_PARTY,
    Role.COUNTY_BUREAU: PartyScore.Party.COUNTY_BUREAU,
    Role.TOWNSHIP: PartyScore.Party.TOWNSHIP,
}
RENEWAL_RULE = "contract.renewal_evaluation"
audit.register_event("self_evaluate", "提交机构自评")
RENEWABLE = frozenset({Contract.Status.ACTIVE, Contract.Status.EXPIRED})


def _grant(evaluator: Organisation, evaluation: Evaluation) -> None:
    from guardian.shortcuts import assign_perm

    from stations.actions import evaluator_group

    group = evaluator_group(evaluator)
    assign_perm("evaluation.view_evaluation", group, evaluation)
    assign_perm("evaluation.score_evaluation", group, evaluation)
    for user in evaluator.users.filter(is_active=True):
        from stations.actions import sync_evaluator_membership

        sync_evaluator_membership(user)


@declare("evaluation.create", label="新建评估", model=Evaluation, verb=Action.ADD, detail=False)
@transaction.atomic
def evaluation_create(
    *, acting_user: User, contract: Contract, service_year: int, stage: str, evaluator: Organisation
) -> Evaluation:
    """Open an evaluation of ``contract`` for ``service_year`` and ``stage``, assigned to ``evaluator``."""
    from stations.selectors import granted_station_ids

    current = Contract.objects.for_user(acting_user, Action.CHANGE).filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("协议不在您的权限范围内。")
    if not scope_of(acting_user).is_global and current.buyer_id != acting_user.organisation_id:
        raise PermissionDenied("只有协议的购买主体可以组织评估。")
    if current.status not in {Contract.Status.ACTIVE, Contract.Status.EXPIRED}:
        raise ValidationError({"contract": "只有履行中或已到期的协议可以评估。"})
    if stage not in Evaluation.Stage.values:
        raise ValidationError({"stage": "评估阶段无效。"})
    if not current.start_date.year <= service_year <= current.end_date.year:
        raise ValidationError({"service_year": "服务年度须在协议服务期内。"})
    if evaluator.kind != Organisation.Kind.EVALUATOR or not evaluator.is_active_org:
        raise ValidationError({"evaluator": "须为正常状态的第三方评估机构。"})
    station_ids = set(current.stations.values_list("pk", flat=True))
    if not station_ids & granted_station_ids(evaluator):
        raise ValidationError({"evaluator": "该评估机构未获授权评估本协议的服务站点，请先在站点页面授权。"})
    evaluation = Evaluation(
        contract=current, service_year=service_year, stage=stage, evaluator=evaluator, created_by=acting_user
    )
    evaluation.full_clean()
    evaluation.save()
    _grant(evaluator, evaluation)
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=evaluation,
        division_code=current.division_id,
        changes={
            "contract": current.number,
            "service_year": service_year,
            "stage": evaluation.get_stage_display(),
            "evaluator": evaluator.name,
        },
    )
    return evaluation


def _locked(user: User, evaluation: Evaluation, name: str, verb: str) -> Evaluation:
    current = (
        Evaluation.objects.for_user(user, verb)
        .select_for_update(of=("self",))
        .select_related("contract")
        .filter(pk=evaluation.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied("无权操作该评估。")
    check_state(name, current)
    return current


def party_of(user: User, evaluation: Evaluation) -> str | None:
    """The party whose share ``user`` enters on ``evaluation``, or None: the assigned evaluator, the buyer
    bureau, the agreement's township (by its landing-party organisation, or by place when none is named)."""
    scope = scope_of(user)
    org = getattr(user, "organisation_id", None)
    contract = evaluation.contract
    if scope.role == Role.EVALUATOR and org == evaluation.evaluator_id:
        return PartyScore.Party.THIRD_PARTY
    if scope.role == Role.COUNTY_BUREAU and org == contract.buyer_id:
        return PartyScore.Party.COUNTY_BUREAU
    if scope.role == Role.TOWNSHIP:
        if contract.township_id is not None:
            return PartyScore.Party.TOWNSHIP if org == contract.township_id else None
        roots = scope.roots
        if any(contract.division_id.startswith(r) and len(r) == 9 for r in roots):
            return PartyScore.Party.TOWNSHIP
    return None


def template_for(evaluation: Evaluation) -> EvaluationTemplate | None:
    """The buyer bureau's evaluation template, if it adopted one (read as part of the evaluation the caller
    already reached through ``for_user``)."""
    return (
        EvaluationTemplate.objects.filter(bureau_id=evaluation.contract.buyer_id).prefetch_related("indicators").first()
    )


def _indicator_items(template: EvaluationTemplate, indicator_scores: Mapping[Any, Any]) -> list[IndicatorScore]:
    from .indicators import parse_indicator_score

    indicators = list(template.indicators.all())
    unset = [i.name for i in indicators if i.max_score is None]
    if unset:
        raise ValidationError({"indicators": f"民政部门尚未确定指标“{'、'.join(unset)}”的满分，暂不能按指标评分。"})
    known = {i.pk: i for i in indicators}
    given = {}
    for key, value in indicator_scores.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise ValidationError({"indicators": "指标不存在。"}) from None
        if pk not in known:
            raise ValidationError({"indicators": "指标不在本评估适用的指标体系中。"})
        given[pk] = value
    missing = [i.name for i in indicators if i.pk not in given]
    if missing:
        raise ValidationError({"indicators": f"请填写指标“{'、'.join(missing)}”的得分。"})
    items: list[IndicatorScore] = []
    errors: list[str] = []
    for ind in indicators:
        assert ind.max_score is not None  # noqa: S101 - checked above
        try:
            score = parse_indicator_score(given[ind.pk], ind.name, ind.max_score)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        items.append(
            IndicatorScore(
                indicator=ind,
                aspect=ind.aspect,
                name=ind.name,
                position=ind.position,
                max_score=ind.max_score,
                score=score,
            )
        )
    if errors:
        raise ValidationError({"indicators": errors})
    return items


@declare(
    "evaluation.self_evaluate",
    label="提交机构自评",
    model=Evaluation,
    verb="self_evaluate",
    state_field="state",
    states=[Evaluation.State.SELF],
)
@transaction.atomic
def self_evaluate(
    *,
    acting_user: User,
    evaluation: Evaluation,
    summary: str,
    score: Decimal | None = None,
    indicator_scores: Mapping[Any, Any] | None = None,
    comments: Mapping[Any, str] | None = None,
) -> SelfEvaluation:
    """The agreement's agency submits its self-evaluation; the evaluation moves on to the parties' scoring.

    Where the buyer bureau has an evaluation template the agency scores every indicator (``indicator_scores``:
    {indicator id: score}, optional ``comments``: {indicator id: text}) and its self score is their total scaled
    to 100, by the rule the parties' scores follow (``evaluation.indicators.party_total``); otherwise it gives one
    score from 0 to 100. The summary is required. Submitted once: the procedure is 机构自评、实地评估."""
    current = _locked(acting_user, evaluation, "evaluation.self_evaluate", "self_evaluate")
    if not scope_of(acting_user).is_global and current.contract.agency_id != acting_user.organisation_id:
        raise PermissionDenied("只有协议的承接机构可以提交机构自评。")
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": "请填写自评总结。"})
    if len(summary) > 4000:
        raise ValidationError({"summary": "自评总结不超过 4000 字。"})
    template = template_for(current)
    items: list[SelfIndicatorScore] = []
    notes = {str(k): str(v).strip() for k, v in (comments or {}).items()}
    if template is not None:
        if indicator_scores is None:
            raise ValidationError({"indicators": "本县已制定评估指标体系，请按指标逐项自评。"})
        for item in _indicator_items(template, indicator_scores):
            comment = notes.pop(str(item.indicator_id), "")
            if len(comment) > 500:
                raise ValidationError({"comments": f"指标“{item.name}”的自评说明不超过 500 字。"})
            items.append(
                SelfIndicatorScore(
                    indicator_id=item.indicator_id,
                    aspect=item.aspect,
                    name=item.name,
                    position=item.position,
                    max_score=item.max_score,
                    score=item.score,
                    comment=comment,
                )
            )
        if any(v for v in notes.values()):
            raise ValidationError({"comments": "自评说明对应的指标不在本评估适用的指标体系中。"})
        score = party_total((i.max_score, i.score) for i in items)
    elif indicator_scores is not None:
        raise ValidationError({"indicators": "本县尚未制定评估指标体系，请直接填写自评得分（0 至 100 分）。"})
    if not isinstance(score, Decimal) or not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": "自评得分须在 0 至 100 分之间。"})
    row = SelfEvaluation(
        evaluation=current,
        agency_id=current.contract.agency_id,
        score=score,
        summary=summary,
        submitted_by=acting_user,
    )
    row.full_clean()
    row.save()
    for own in items:
        own.self_evaluation = row
        own.full_clean()
    SelfIndicatorScore.objects.bulk_create(items)
    current.state = Evaluation.State.OPEN
    current.save(update_fields=["state"])
    changes: dict[str, Any] = {
        "state": {"before": Evaluation.State.SELF.label, "after": Evaluation.State.OPEN.label},
        "self_score": str(score),
    }
    if items:
        changes["indicators"] = {f"{i.aspect}/{i.name}": f"{i.score}/{i.max_score}" for i in items}
    audit.record(
        acting_user=acting_user,
        event="self_evaluate",
        obj=current,
        division_code=current.contract.division_id,
        changes=changes,
    )
    return row


@declare(
    "evaluation.score",
    label="录入评分",
    model=Evaluation,
    verb="score",
    state_field="state",
    states=[Evaluation.State.OPEN],
)
@transaction.atomic
def evaluation_score(
    *,
    acting_user: User,
    evaluation: Evaluation,
    score: Decimal | None = None,
    indicator_scores: Mapping[Any, Any] | None = None,
) -> PartyScore:
    """Enter (or correct, while the evaluation is open) the caller's own party's score.

    Where the buyer bureau has an evaluation template, the party gives every indicator's score
    (``indicator_scores``: {indicator id: score}) and its party score is their total scaled to 100
    (``evaluation.indicators.party_total``); otherwise it gives one score from 0 to 100."""
    current = _locked(acting_user, evaluation, "evaluation.score", "score")
    party = party_of(acting_user, current)
    if party is None:
        raise PermissionDenied("您不是该评估的评估方。")
    template = template_for(current)
    items: list[IndicatorScore] = []
    if template is not None:
        if indicator_scores is None:
            raise ValidationError({"indicators": "本县已制定评估指标体系，请按指标逐项评分。"})
        items = _indicator_items(template, indicator_scores)
        score = party_total((i.max_score, i.score) for i in items)
    elif indicator_scores is not None:
        raise ValidationError({"indicators": "本县尚未制定评估指标体系，请直接填写本方评分（0 至 100 分）。"})
    if not isinstance(score, Decimal) or not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": "评分须在 0 至 100 分之间。"})
    row = PartyScore.objects.filter(evaluation=current, party=party).first()
    before = None if row is None else str(row.score)
    if row is None:
        row = PartyScore(evaluation=current, party=party)
    row.score = score
    row.organisation_id = acting_user.organisation_id  # type: ignore[assignment]
    row.entered_by = acting_user
    row.full_clean()
    row.save()
    row.items.all().delete()
    for item in items:
        item.party_score = row
        item.full_clean()
    IndicatorScore.objects.bulk_create(items)
    changes: dict[str, Any] = {f"score_{party}": {"before": before, "after": str(row.score)}}
    if items:
        changes["indicators"] = {f"{i.aspect}/{i.name}": f"{i.score}/{i.max_score}" for i in items}
    audit.record(
        acting_user=acting_user,
        event="score",
        obj=current,
        division_code=current.contract.division_id,
        changes=changes,
    )
    return row


def _county_bureau(user: User) -> Organisation:
    org = user.organisation
    if org is None or org.kind != Organisation.Kind.BUREAU or len(org.division_id) != 6:
        raise PermissionDenied("只有县级民政部门可以进行此项操作。")
    return org


@declare("evaluation.adopt_template", label="采用评估指标体系", model=EvaluationTemplate, verb=Action.ADD, detail=False)
@transaction.atomic
def template_adopt(*, acting_user: User, preset: str) -> EvaluationTemplate:
    """The caller's county bureau adopts the shipped template ``preset``: its aspects and indicators are copied,
    without maximum scores (the documents set none; the bureau sets them with ``evaluation.edit_template``)."""
    org = _county_bureau(acting_user)
    data = presets().get(preset)
    if data is None:
        raise ValidationError({"preset": "请选择政策中的评估指标体系。"})
    if EvaluationTemplate.objects.select_for_update().filter(bureau=org).exists():
        raise ValidationError({"preset": "本局已采用评估指标体系，可在指标体系页面修改满分或增设指标。"})
    template = EvaluationTemplate(
        bureau=org, preset=data["key"], name=data["name"], clause=data["clause"], adopted_by=acting_user
    )
    template.full_clean()
    template.save()
    position = 0
    for aspect in data["aspects"]:
        for indicator in aspect["indicators"]:
            position += 1
            TemplateIndicator.objects.create(
                template=template,
                aspect=aspect["name"],
                aspect_clause=aspect.get("clause", ""),
                name=indicator["name"],
                position=position,
                max_score=None,
            )
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=template,
        division_code=org.division_id,
        changes={"preset": data["key"], "name": data["name"], "clause": data["clause"]},
    )
    return template


@declare("evaluation.edit_template", label="设定指标满分", model=EvaluationTemplate, verb=Action.CHANGE)
@transaction.atomic
def template_edit(
    *,
    acting_user: User,
    template: EvaluationTemplate,
    maxima: Mapping[int, Decimal | None],
    new: Sequence[Mapping[str, Any]] = (),
) -> EvaluationTemplate:
    """Set (or change) the maximum score of the template's indicators (``maxima``: {indicator id: max or None})
    and add indicators under an existing aspect (``new``: [{"aspect", "name", "max_score"}]). Scores already
    entered keep the maximum they were given against (``IndicatorScore.max_score``)."""
    current = (
        EvaluationTemplate.objects.for_user(acting_user, Action.CHANGE)
        .select_for_update()
        .filter(pk=template.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied("无权修改该评估指标体系。")
    if current.bureau_id != acting_user.organisation_id:
        raise PermissionDenied("只有采用该指标体系的民政部门可以修改。")
    indicators = {i.pk: i for i in current.indicators.all()}
    changes: dict[str, Any] = {}
    for pk, value in maxima.items():
        ind = indicators.get(int(pk))
        if ind is None:
            raise ValidationError({"maxima": "指标不在本指标体系中。"})
        if value is not None and not (Decimal(0) < value <= Decimal(100)):
            raise ValidationError({"maxima": f"指标“{ind.name}”的满分须大于 0 分、不超过 100 分。"})
        if ind.max_score != value:
            changes[f"{ind.aspect}/{ind.name}"] = {
                "before": None if ind.max_score is None else str(ind.max_score),
                "after": None if value is None else str(value),
            }
            ind.max_score = value
            ind.full_clean()
            ind.save(update_fields=["max_score"])
    aspects = {i.aspect: i.aspect_clause for i in indicators.values()}
    position = max((i.position for i in indicators.values()), default=0)
    for row in new:
        aspect = str(row.get("aspect", ""))
        name = str(row.get("name", "")).strip()
        if aspect not in aspects:
            raise ValidationError({"new": "请选择指标体系中已有的评估方面。"})
        if not name:
            raise ValidationError({"new": "请填写新增指标的名称。"})
        position += 1
        added = TemplateIndicator(
            template=current,
            aspect=aspect,
            aspect_clause=aspects[aspect],
            name=name[:100],
            position=position,
            max_score=row.get("max_score"),
        )
        added.full_clean()
        added.save()
        changes[f"{aspect}/{added.name}"] = {"added": None if added.max_score is None else str(added.max_score)}
    if not changes:
        raise ValidationError({"maxima": "没有需要保存的修改。"})
    current.changed_by = acting_user
    current.save(update_fields=["changed_by", "changed_at"])
    audit.record(
        acting_user=acting_user, event="update", obj=current, division_code=current.bureau.division_id, changes=changes
    )
    return current


@declare("evaluation.set_star_rules", label="确定星级评定标准", model=StarRule, verb=Action.ADD, detail=False)
@transaction.atomic
def star_rules_set(*, acting_user: User, levels: Mapping[int, Mapping[str, Any]], basis: str) -> list[StarRule]:
    """The caller's county bureau records its star rating criteria: for each level it rates (1–5)
    ``{"min_total": Decimal, "min_brief_rate": Decimal | None}``; levels left out are removed. A higher level may
    not ask for less than a lower one."""
    org = _county_bureau(acting_user)
    basis = basis.strip()
    if not basis:
        raise ValidationError({"basis": "请填写确定星级评定标准的依据（如局务会议纪要）。"})
    if not levels:
        raise ValidationError({"levels": "请至少确定一个星级的标准。"})
    clean: dict[int, tuple[Decimal, Decimal | None]] = {}
    for stars, level in sorted(levels.items()):
        if stars not in range(1, 6):
            raise ValidationError({"levels": "星级须为 1 至 5 星。"})
        total, rate = level.get("min_total"), level.get("min_brief_rate")
        if not isinstance(total, Decimal) or not Decimal(0) <= total <= Decimal(100):
            raise ValidationError({"levels": f"{stars}星级的末期评估总分下限须在 0 至 100 分之间。"})
        if rate is not None and (not isinstance(rate, Decimal) or not Decimal(0) <= rate <= Decimal(100)):
            raise ValidationError({"levels": f"{stars}星级的月度简报报送率下限须在 0 至 100 之间。"})
        cent = Decimal("0.01")
        if total != total.quantize(cent) or (rate is not None and rate != rate.quantize(cent)):
            raise ValidationError({"levels": f"{stars}星级的标准最多保留两位小数。"})
        clean[stars] = (total.quantize(cent), None if rate is None else rate.quantize(cent))
    ordered = sorted(clean.items())
    for (low, (low_total, low_rate)), (high, (high_total, high_rate)) in zip(ordered, ordered[1:], strict=False):
        if high_total < low_total or (low_rate is not None and (high_rate or Decimal(-1)) < low_rate):
            raise ValidationError({"levels": f"{high}星级的标准不能低于{low}星级。"})
    existing = {r.stars: r for r in StarRule.objects.select_for_update().filter(bureau=org)}
    before = {
        s: [str(r.min_total), None if r.min_brief_rate is None else str(r.min_brief_rate)] for s, r in existing.items()
    }
    StarRule.objects.filter(bureau=org).exclude(stars__in=list(clean)).delete()
    saved = []
    for stars, (total, rate) in ordered:
        rule = existing.get(stars) or StarRule(bureau=org, stars=stars)
        rule.min_total, rule.min_brief_rate, rule.basis, rule.set_by = total, rate, basis[:200], acting_user
        rule.full_clean()
        rule.save()
        saved.append(rule)
    after = {s: [str(t), None if r is None else str(r)] for s, (t, r) in ordered}
    audit.record(
        acting_user=acting_user,
        event="update" if existing else "create",
        obj=saved[-1],
        division_code=org.division_id,
        changes={"levels": {"before": before, "after": after}, "basis": basis[:200]},
    )
    return saved


@declare("evaluation.publish_star_ratings", label="公布站点星级", model=StarRule, verb=Action.ADD, detail=False)
@transaction.atomic
def star_ratings_publish(*, acting_user: User, year: int) -> list[dict[str, Any]]:
    """The county bureau publishes ``year``'s ratings: every station of its county whose rating is determined by the
    bureau's criteria (``evaluation.ratings``) takes it as its recorded star level (``Station.star_rating``, what
    the station pages, lists and dashboards show), each change audited with the criteria it met. A station without
    a determined rating keeps its recorded level. Answers the changes made."""
    from stations.models import Division

    from .ratings import station_ratings

    org = _county_bureau(acting_user)
    ratings = [r for r in station_ratings(acting_user, Division.objects.get(pk=org.division_id), year) if r.stars]
    if not ratings:
        raise ValidationError(
            {"year": f"{year}年度尚无评定出星级的站点：须先确定星级评定标准，并认定本年度的末期评估结果。"}
        )
    stations = {
        s.pk: s
        for s in Station.objects.for_user(acting_user, Action.CHANGE)
        .select_for_update()
        .filter(pk__in=[r.station for r in ratings])
    }
    changed = []
    for r in ratings:
        station = stations.get(r.station)
        if station is None:  # seen, but not the bureau's to change
            continue
        before = station.star_rating
        if before == r.stars:
            continue
        station.star_rating = r.stars
        station.save(update_fields=["star_rating", "updated_at"])
        met = next((f["message"] for f in r.findings if f["outcome"] == "pass"), "")
        audit.record(
            acting_user=acting_user,
            event="update",
            obj=station,
            division_code=station.division_id,
            changes={"star_rating": {"before": before, "after": r.stars}, "year": year, "basis": met},
        )
        changed.append({"station": station.pk, "name": station.name, "before": before, "after": r.stars})
    if not changed:
        raise ValidationError({"year": f"各站点现登记的星级已与{year}年度的评定结果一致，无需更新。"})
    return changed


@declare("evaluation.set_pass_mark", label="确定合格分数线", model=PassMark, verb=Action.ADD, detail=False)
@transaction.atomic
def pass_mark_set(*, acting_user: User, mark: Decimal, basis: str) -> PassMark:
    """The caller's county bureau sets (or changes) the pass mark for its evaluations, with its basis."""
    org = acting_user.organisation
    if org is None or org.kind != Organisation.Kind.BUREAU:
        raise PermissionDenied("只有民政部门可以确定合格分数线。")
    if not basis.strip():
        raise ValidationError({"basis": "请填写确定合格分数线的依据（如局务会议纪要）。"})
    policy = effective_policy(org.division_id)
    if policy_mark(policy) is not None:
        raise ValidationError({"mark": "实施方案已规定合格分数线，按方案执行，无需另行确定。"})
    row = PassMark.objects.select_for_update().filter(bureau=org).first()
    before = None if row is None else str(row.mark)
    if row is None:
        row = PassMark(bureau=org)
    row.mark = mark
    row.basis = basis.strip()[:200]
    row.set_by = acting_user
    row.full_clean()
    row.save()
    audit.record(
        acting_user=acting_user,
        event="update" if before is not None else "create",
        obj=row,
        division_code=org.division_id,
        changes={"mark": {"before": before, "after": str(row.mark)}, "basis": row.basis},
    )
    return row


def applicable_mark(policy: EffectivePolicy, bureau_id: int) -> Mark | None:
    """The pass mark for an evaluation: the policy's, else the buyer bureau's own (with who and when)."""
    mark = policy_mark(policy)
    if mark is not None:
        return mark
    row = PassMark.objects.select_related("set_by").filter(bureau_id=bureau_id).first()
    if row is None:
        return None
    when = timezone.localtime(row.set_at)
    note = f"实施方案未规定，由民政部门确定：{row.set_by}，{when:%Y年%m月%d日}，依据：{row.basis}"
    return Mark(row.mark, "bureau", note)


def current_score(evaluation: Evaluation) -> tuple[EffectivePolicy, Score]:
    """The evaluation's weighted total as its scores stand, by the same code as the score API."""
    policy = effective_policy(evaluation.contract.division_id)
    scores = {s.party: s.score for s in evaluation.scores.all()}
    return policy, weighted_score(policy, scores)


@declare(
    "evaluation.finalize",
    label="认定评估结果",
    model=Evaluation,
    verb="finalize",
    state_field="state",
    states=[Evaluation.State.OPEN],
)
@transaction.atomic
def evaluation_finalize(*, acting_user: User, evaluation: Evaluation) -> Evaluation:
    """Fix the result: all weighted parties scored, a pass mark known; total, pass and findings are kept."""
    current = _locked(acting_user, evaluation, "evaluation.finalize", "finalize")
    if not scope_of(acting_user).is_global and current.contract.buyer_id != acting_user.organisation_id:
        raise PermissionDenied("只有协议的购买主体可以认定评估结果。")
    policy, result = current_score(current)
    if result.total is None:
        raise ValidationError({"total": result.findings[0].message})
    mark = applicable_mark(policy, current.contract.buyer_id)
    if mark is None:
        raise ValidationError({"pass_mark": pass_mark_finding(policy, result.total, None).message})
    verdict = pass_mark_finding(policy, result.total, mark)
    current.total = result.total
    current.pass_mark = mark.value
    current.pass_mark_note = mark.note[:200]
    current.passed = verdict.outcome == PASS
    current.findings = [f.to_dict() for f in [*result.findings, verdict]]
    current.state = Evaluation.State.FINAL
    current.finalized_by = acting_user
    current.finalized_at = timezone.now()
    current.save()
    audit.record(
        acting_user=acting_user,
        event="finalize",
        obj=current,
        division_code=current.contract.division_id,
        changes={
            "state": {"before": Evaluation.State.OPEN.label, "after": Evaluation.State.FINAL.label},
            "total": str(current.total),
            "pass_mark": str(current.pass_mark),
            "passed": current.passed,
        },
    )
    return current


# --- the renewal gate (issue 8 item 5, issue 11 item 6) --------------------------------------------------------


def final_evaluation(contract: Contract) -> Evaluation | None:
    """The finalised final-stage evaluation of the term's service year (the year the term starts in)."""
    return (
        Evaluation.objects.filter(
            contract=contract,
            service_year=contract.start_date.year,
            stage=Evaluation.Stage.FINAL,
            state=Evaluation.State.FINAL,
        )
        .order_by("-finalized_at")
        .first()
    )


def gate_finding(
    policy: EffectivePolicy, year: int, passed: bool, *, evaluation: Evaluation | None, reason: str = ""
) -> Finding:
    """What the rule ``contract.renewal_evaluation`` says about renewing after this year's result."""
    rule = rules()[RENEWAL_RULE]
    mode = policy.get(RENEWAL_RULE)
    if evaluation is not None:
        result = f"{year}年度末期评估总分 {evaluation.total} 分，{'合格' if passed else '不合格'}"
    else:
        result = f"{year}年度尚无评估记录，民政部门手工录入评估结论：{'合格' if passed else '不合格'}（理由：{reason}）"
    facts = {"year": year, "passed": passed, "by_hand": evaluation is None}
    if mode is None:
        message = f"{rule.label}：本区划的政策未规定评估结果与续签的关系；{result}。"
        return Finding(RENEWAL_RULE, rule.label, UNKNOWN, message, facts=facts, reason=reason)
    effective = policy.rules[RENEWAL_RULE]
    source = effective.source
    if source is None:  # callers ask only about rules the policy sets
        raise LookupError("rule not set")
    if passed:
        outcome, tail = PASS, "可以续签下一年度协议"
    elif mode == "gate":
        outcome, tail = FAIL, "不予续签，按照政府采购程序重新确定承接机构"
    else:
        outcome, tail = FAIL, "评估结果作为续签的重要参考，续签须记录理由"
    return Finding(
        rule_key=RENEWAL_RULE,
        rule_label=rule.label,
        outcome=outcome,
        message=f"{rule.label}：{result}，{tail}（{source.division_name}，{cite(source.clause)}）。",
        strength=source.strength,
        expected=mode,
        expected_display=effective.display,
        facts=facts,
        clause=source.clause,
        citation=cite(source.clause),
        quote=source.quote,
        division_name=source.division_name,
        reason=reason,
    )


def _next_term(contract: Contract) -> tuple[dt.date, dt.date]:
    start = contract.end_date + dt.timedelta(days=1)
    try:
        end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 1, day=28)
    return start, end


@declare(
    "evaluation.renew",
    label="续签下一年度协议",
    model=Contract,
    verb=Action.CHANGE,
    roles=[Role.COUNTY_BUREAU],
    state_field="status",
    states=RENEWABLE,
)
@transaction.atomic
def renew(
    *,
    acting_user: User,
    contract: Contract,
    signed_date: dt.date,
    passed_by_hand: bool | None = None,
    reason: str = "",
) -> Renewal:
    """The renewal gate: sign the next yearly term only when this year's final evaluation allows it.

    With a finalised final evaluation its result decides; without one the bureau records the outcome by hand
    (``passed_by_hand``) with a reason, through this same gate. A pass creates the next term's contract through
    ``contracts.create`` and signs it (``contracts.sign``). A fail where the policy makes the evaluation a gate
    records the refusal and marks the project for procurement again (``Renewal.Outcome.REPROCURE``); where the
    policy makes it only a reference, or is silent, renewing after a fail needs a recorded reason."""
    current = Contract.objects.for_user(acting_user, Action.CHANGE).select_for_update().filter(pk=contract.pk).first()
    if current is None:
        raise PermissionDenied("无权操作该协议。")
    check_state("evaluation.renew", current)
    if current.buyer_id != acting_user.organisation_id:
        raise PermissionDenied("只有协议的购买主体可以续签。")
    if Renewal.objects.filter(previous=current).exists():
        raise ValidationError({"contract": "本年度协议已作出续签决定。"})
    reason = reason.strip()
    year = current.start_date.year
    evaluation = final_evaluation(current)
    report = None
    if evaluation is not None:
        if passed_by_hand is not None:
            raise ValidationError({"passed_by_hand": "本年度已有认定的末期评估结果，不能手工录入。"})
        passed = bool(evaluation.passed)
    else:
        if passed_by_hand is None:
            raise ValidationError({"passed_by_hand": f"{year}年度尚无认定的末期评估结果，请手工录入评估结论。"})
        if not reason:
            raise ValidationError({"reason": "手工录入评估结论须填写理由（如评估报告文号）。"})
        from contracts.documents import latest_evaluation_report

        report = latest_evaluation_report(current)
        if report is None:
            raise ValidationError(
                {"document": "手工录入评估结论须先在协议页面上传该年度的评估报告（文件类型选“评估报告”）。"}
            )
        passed = passed_by_hand
    policy = effective_policy(current.division_id)
    finding = gate_finding(policy, year, passed, evaluation=evaluation, reason=reason)
    document: dict[str, Any] | None = None
    if report is not None:
        # The document the by-hand outcome rests on, kept with the decision.
        document = {"id": report.pk, "title": report.title, "sha256": report.sha256}
        finding.facts["document"] = document
    mode = policy.get(RENEWAL_RULE)
    renewal = Renewal(
        previous=current,
        service_year=year,
        evaluation=evaluation,
        by_hand=evaluation is None,
        passed=passed,
        reason=reason[:300],
        findings=[finding.to_dict()],
        decided_by=acting_user,
    )
    if not passed and mode == "gate":
        renewal.outcome = Renewal.Outcome.REPROCURE
        renewal.full_clean()
        renewal.save()
        audit.record(
            acting_user=acting_user,
            event="renewal_refused",
            obj=renewal,
            division_code=current.division_id,
            changes={
                "contract": current.number,
                "outcome": renewal.get_outcome_display(),
                "finding": finding.message,
                **({"document": document["title"]} if document else {}),
            },
        )
        return renewal
    if not passed and evaluation is not None and not reason:
        raise ValidationError({"reason": finding.message})
    if signed_date > timezone.localdate():
        raise ValidationError({"signed_date": "签订日期不能晚于今天。"})
    start, end = _next_term(current)
    # The next term carries on what the agreement covers on its last day: the signed stations and yearly amount
    # as changed by the amendments effective by then.
    from contracts.selectors import stations_on

    stations = list(Station.objects.for_user(acting_user).filter(pk__in=sorted(stations_on(current, current.end_date))))
    amended = (
        current.amendments.filter(effective_date__lte=current.end_date, amount_per_year__isnull=False)
        .order_by("-effective_date", "-pk")
        .values_list("amount_per_year", flat=True)
        .first()
    )
    following = Contract(
        number=f"{current.number}-{start.year}"[:60],
        buyer_id=current.buyer_id,
        division_id=current.division_id,
        township_id=current.township_id,
        agency_id=current.agency_id,
        procurement_id=current.procurement_id,
        procurement_method=current.procurement_method,
        amount_per_year=amended if amended is not None else current.amount_per_year,
        start_date=start,
        end_date=end,
        cycle_start=current.cycle_start,
        cycle_end=current.cycle_end,
        resident_workers=current.resident_workers,
        station_head_required=current.station_head_required,
        staffing_note=current.staffing_note,
    )
    following = contract_actions.contract_create(acting_user=acting_user, contract=following, stations=stations)
    following = contract_actions.contract_sign(acting_user=acting_user, contract=following, signed_date=signed_date)
    renewal.outcome = Renewal.Outcome.RENEWED
    renewal.next = following
    renewal.full_clean()
    renewal.save()
    audit.record(
        acting_user=acting_user,
        event="renew",
        obj=renewal,
        division_code=current.division_id,
        changes={
            "contract": current.number,
            "next": following.number,
            "finding": finding.message,
            **({"document": document["title"]} if document else {}),
        },
    )
    return renewal
