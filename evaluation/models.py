"""Evaluations of a three-party agreement's service year, the scores the parties enter, the pass mark a bureau
sets where the policy has none, and the renewal decision that links one yearly term to the next (DOMAIN §6, §3).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.scoping import Role, ScopedManager, ScopeRule

COUNTY = frozenset({Role.COUNTY_BUREAU})
AGENCY = frozenset({Role.AGENCY})
SCORERS = frozenset({Role.EVALUATOR, Role.COUNTY_BUREAU, Role.TOWNSHIP})
SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class Evaluation(models.Model):
    """The mid-term or final evaluation of one agreement's service year.

    [002 §7(2)]: 每个服务年度进行中期、末期两次评估; 第三方机构、县民政局、乡镇各按权重评分.
    The third party is the evaluator organisation the bureau assigns (a direct django-guardian grant on this row,
    so an evaluator sees only the evaluations assigned to it)."""

    class Stage(models.TextChoices):
        MIDTERM = "midterm", "中期评估"
        FINAL = "final", "末期（结项）评估"

    class State(models.TextChoices):
        SELF = "self", "待机构自评"
        OPEN = "open", "评分中"
        FINAL = "final", "结果已认定"

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name="协议", on_delete=models.PROTECT, related_name="evaluations"
    )
    service_year = models.PositiveSmallIntegerField("服务年度")
    stage = models.CharField("评估阶段", max_length=12, choices=Stage.choices)
    evaluator = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="第三方评估机构",
        on_delete=models.PROTECT,
        related_name="assigned_evaluations",
    )
    # An evaluation opens with the agency's self-evaluation (机构自评, then 实地评估 [001 annex 2 item 17(4)]); the
    # parties score once it is submitted (evaluation.self_evaluate moves it to OPEN).
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.SELF)
    total = models.DecimalField("加权总分", max_digits=5, decimal_places=2, null=True, blank=True)
    pass_mark = models.DecimalField("合格分数线", max_digits=5, decimal_places=2, null=True, blank=True)
    pass_mark_note = models.CharField("合格分数线依据", max_length=200, blank=True)
    passed = models.BooleanField("是否合格", null=True, blank=True)
    findings = models.JSONField("认定时的核对结果", default=list, blank=True)
    finalized_by = models.ForeignKey(
        "accounts.User", verbose_name="认定人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalized_at = models.DateTimeField("认定时间", null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name="创建人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    # Bureaus and townships by the agreement's place; the agency sees the evaluations of its own agreements;
    # an evaluator sees only the rows granted to it (guardian); scoring is checked per party in actions.py.
    scoping = ScopeRule(
        division="contract__division_id",
        agency="contract__agency_id",
        guardian=True,
        writers={"add": COUNTY, "self_evaluate": AGENCY, "score": SCORERS, "finalize": COUNTY},
    )

    class Meta:
        verbose_name = "绩效评估"
        verbose_name_plural = "绩效评估"
        ordering = ["-service_year", "contract", "stage"]
        permissions = [("score_evaluation", "评分")]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "service_year", "stage"],
                name="%(app_label)s_%(class)s_once_per_stage",
                violation_error_message="该协议本服务年度的此阶段评估已存在。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.service_year}年度{self.get_stage_display()}"


class PartyScore(models.Model):
    """One party's score for an evaluation: entered by that party only, with who and when."""

    class Party(models.TextChoices):
        THIRD_PARTY = "third_party", "第三方机构"
        COUNTY_BUREAU = "county_bureau", "县民政局"
        TOWNSHIP = "township", "乡镇"

    evaluation = models.ForeignKey(Evaluation, verbose_name="评估", on_delete=models.CASCADE, related_name="scores")
    party = models.CharField("评估方", max_length=20, choices=Party.choices)
    score = models.DecimalField("评分", max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="评分单位", on_delete=models.PROTECT)
    entered_by = models.ForeignKey("accounts.User", verbose_name="评分人", on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("评分时间", auto_now=True)

    class Meta:
        verbose_name = "评估方评分"
        verbose_name_plural = "评估方评分"
        ordering = ["evaluation", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "party"],
                name="%(app_label)s_%(class)s_once_per_party",
                violation_error_message="该评估方已评分。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_party_display()}"


class SelfEvaluation(models.Model):
    """The agency's self-evaluation of an evaluation (机构自评): its score on the buyer bureau's template, indicator
    by indicator with a comment on each (or one score where the bureau has no template), and its summary. Submitted
    once, by the agreement's agency, before the parties score; every party and bureau that sees the evaluation sees
    it. Reached through its evaluation (no scope of its own), like the parties' scores."""

    evaluation = models.OneToOneField(
        Evaluation, verbose_name="评估", on_delete=models.CASCADE, related_name="self_evaluation"
    )
    agency = models.ForeignKey("accounts.Organisation", verbose_name="承接机构", on_delete=models.PROTECT)
    score = models.DecimalField("自评得分", max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    summary = models.TextField("自评总结", max_length=4000)
    submitted_by = models.ForeignKey("accounts.User", verbose_name="提交人", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构自评"
        verbose_name_plural = "机构自评"

    def __str__(self) -> str:
        return f"{self.evaluation} · 机构自评"


class SelfIndicatorScore(models.Model):
    """The agency's self-score and comment on one indicator (copied aspect, name and maximum, as IndicatorScore)."""

    self_evaluation = models.ForeignKey(
        SelfEvaluation, verbose_name="机构自评", on_delete=models.CASCADE, related_name="items"
    )
    indicator = models.ForeignKey(
        "TemplateIndicator", verbose_name="指标", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    aspect = models.CharField("评估方面", max_length=60)
    name = models.CharField("指标", max_length=100)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    max_score = models.DecimalField("满分", max_digits=5, decimal_places=2)
    score = models.DecimalField("自评得分", max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])
    comment = models.CharField("自评说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "指标自评"
        verbose_name_plural = "指标自评"
        ordering = ["self_evaluation", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.self_evaluation} · {self.name}"


class PassMark(models.Model):
    """The pass mark a county bureau sets for its evaluations where the policy gives none (rule
    ``evaluation.pass_mark``, ask_bureau), with who set it and when. An evaluation copies it when it is
    finalised, so a later change never rewrites a result already given."""

    bureau = models.OneToOneField(
        "accounts.Organisation", verbose_name="民政部门", on_delete=models.PROTECT, related_name="evaluation_pass_mark"
    )
    mark = models.DecimalField("合格分数线", max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    basis = models.CharField("确定依据", max_length=200)
    set_by = models.ForeignKey("accounts.User", verbose_name="确定人", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("确定时间", auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="bureau__division_id",
        viewers=frozenset({Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU}),
        writers={"add": COUNTY, "change": COUNTY},
    )

    class Meta:
        verbose_name = "评估合格分数线"
        verbose_name_plural = "评估合格分数线"

    def __str__(self) -> str:
        return f"{self.bureau} {self.mark}分"


class Renewal(models.Model):
    """The decision on the next yearly term of an agreement, through the renewal gate: renewed (the next
    term's contract is linked) or refused, which marks the project for procurement again. Where no final
    evaluation exists the bureau records the outcome by hand, with its reason."""

    class Outcome(models.TextChoices):
        RENEWED = "renewed", "已续签"
        REPROCURE = "reprocure", "不予续签，须重新采购"

    previous = models.OneToOneField(
        "contracts.Contract", verbose_name="本年度协议", on_delete=models.PROTECT, related_name="renewal"
    )
    next = models.OneToOneField(
        "contracts.Contract",
        verbose_name="下一年度协议",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_from",
    )
    service_year = models.PositiveSmallIntegerField("评估所属服务年度")
    evaluation = models.ForeignKey(
        Evaluation, verbose_name="末期评估", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_hand = models.BooleanField("手工录入评估结论", default=False)
    passed = models.BooleanField("评估是否合格")
    reason = models.CharField("理由", max_length=300, blank=True)
    outcome = models.CharField("结论", max_length=12, choices=Outcome.choices)
    findings = models.JSONField("核对结果", default=list, blank=True)
    decided_by = models.ForeignKey("accounts.User", verbose_name="决定人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="previous__division_id",
        agency="previous__agency_id",
        writers={"add": COUNTY},
    )

    class Meta:
        verbose_name = "续签决定"
        verbose_name_plural = "续签决定"
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.previous} {self.get_outcome_display()}"


class EvaluationTemplate(models.Model):
    """A county bureau's evaluation template (评估指标体系): aspects → indicators → maximum scores, adopted from a
    shipped policy template (``evaluation/data/templates/*.json``, each aspect with its clause). The documents give
    the aspects but no maximum scores, so the bureau sets them (ask_bureau); the platform invents none. A party
    scoring an evaluation whose buyer bureau has a template enters one score per indicator (``IndicatorScore``)."""

    bureau = models.OneToOneField(
        "accounts.Organisation", verbose_name="民政部门", on_delete=models.PROTECT, related_name="evaluation_template"
    )
    preset = models.CharField("所依据的政策模板", max_length=40)
    name = models.CharField("名称", max_length=100)
    clause = models.CharField("条款", max_length=60)
    adopted_by = models.ForeignKey("accounts.User", verbose_name="采用人", on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField("采用时间", auto_now_add=True)
    changed_by = models.ForeignKey(
        "accounts.User", verbose_name="最近修改人", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    changed_at = models.DateTimeField("最近修改时间", auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="bureau__division_id",
        viewers=frozenset({Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU}),
        writers={"add": COUNTY, "change": COUNTY},
    )

    class Meta:
        verbose_name = "评估指标体系"
        verbose_name_plural = "评估指标体系"
        ordering = ["bureau__division_id", "pk"]

    def __str__(self) -> str:
        return f"{self.bureau} {self.name}"


class TemplateIndicator(models.Model):
    """One indicator of a template, under its aspect, with the maximum score the bureau set (null: not yet)."""

    template = models.ForeignKey(
        EvaluationTemplate, verbose_name="指标体系", on_delete=models.CASCADE, related_name="indicators"
    )
    aspect = models.CharField("评估方面", max_length=60)
    aspect_clause = models.CharField("方面所依据条款", max_length=60, blank=True)
    name = models.CharField("指标", max_length=100)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    max_score = models.DecimalField(
        "满分",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = "评估指标"
        verbose_name_plural = "评估指标"
        ordering = ["template", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "aspect", "name"],
                name="%(app_label)s_%(class)s_once_per_aspect",
                violation_error_message="该方面下已有同名指标。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aspect} · {self.name}"


class IndicatorScore(models.Model):
    """A party's score on one indicator; the indicator's aspect, name and maximum are copied when entered, so a
    later change of the template never rewrites a score already given."""

    party_score = models.ForeignKey(
        PartyScore, verbose_name="评估方评分", on_delete=models.CASCADE, related_name="items"
    )
    indicator = models.ForeignKey(
        TemplateIndicator, verbose_name="指标", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    aspect = models.CharField("评估方面", max_length=60)
    name = models.CharField("指标", max_length=100)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    max_score = models.DecimalField("满分", max_digits=5, decimal_places=2)
    score = models.DecimalField("得分", max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = "指标得分"
        verbose_name_plural = "指标得分"
        ordering = ["party_score", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.party_score} · {self.name}"


class StarRule(models.Model):
    """One star level of a county bureau's station star rating (星级评定, DOMAIN §6): the minimum final evaluation
    total and, optionally, the minimum share of monthly briefs handed in during the year. The documents set no
    criteria, so the bureau records them (who, when); a station gets the highest level whose criteria it meets."""

    bureau = models.ForeignKey(
        "accounts.Organisation", verbose_name="民政部门", on_delete=models.PROTECT, related_name="star_rules"
    )
    stars = models.PositiveSmallIntegerField("星级", validators=[MinValueValidator(1), MaxValueValidator(5)])
    min_total = models.DecimalField("末期评估总分不低于", max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    min_brief_rate = models.DecimalField(
        "月度简报报送率不低于（%）",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
    )
    basis = models.CharField("确定依据", max_length=200)
    set_by = models.ForeignKey("accounts.User", verbose_name="确定人", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("确定时间", auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="bureau__division_id",
        viewers=frozenset({Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU}),
        writers={"add": COUNTY, "change": COUNTY},
    )

    class Meta:
        verbose_name = "星级评定标准"
        verbose_name_plural = "星级评定标准"
        ordering = ["bureau", "stars"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "stars"],
                name="%(app_label)s_%(class)s_once_per_level",
                violation_error_message="该星级的标准已存在。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bureau} {self.stars}星"


from evaluation.reports.models import *  # noqa: E402,F401,F403  (the reports half of the app)
