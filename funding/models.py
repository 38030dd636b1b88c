"""Money of the stations (DOMAIN §7): a budget per station and year with its lines by category and source, the
base figures of the relief-fund cap the bureau enters, the agency's spending with its receipts, and the
disbursements (tranches of an agreement; Nantong's twice-yearly care subsidy).

Money is ``Decimal`` yuan with two places everywhere (JSON as strings); 万元 only in display.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.scoping import BUREAU_ROLES, Action, Role, ScopedManager, ScopeRule
from core.storage import PrivateStorage
from stations.models import Division, Station

BUREAU = frozenset({Role.COUNTY_BUREAU})
AGENCY = frozenset({Role.AGENCY})

_receipts = PrivateStorage("funding")


def _receipt_path(instance: Expenditure, filename: str) -> str:
    # Never the uploader's name: a random name with the checked extension.
    return f"{instance.budget.station_id}/{uuid.uuid4().hex}.{instance.receipt_extension}"


class LineKind(models.TextChoices):
    LABOUR = "labour", "人力服务费用"
    OPERATIONS = "operations", "运营费用"


class Source(models.TextChoices):
    """Where a budget line's money comes from (DOMAIN §7; [000 §7(2)], [001 §6(2)], [002 §4], [004 §3(1)])."""

    PROVINCE = "province", "省级财政"
    COUNTY = "county", "县级财政"
    RELIEF = "relief", "困难群众救助补助资金"
    LOTTERY = "lottery", "福彩公益金"
    TOWNSHIP = "township", "乡镇配套资金"
    CHARITY = "charity", "慈善及社会资金"
    CARE_SUBSIDY = "care_subsidy", "分散特困人员探视照料补贴"


class Budget(models.Model):
    """A station's money for one year (项目经费): proposed from the policy standard, edited and approved by the
    county bureau. Approval checks the relief-fund cap of the county and the labour share where it applies."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        APPROVED = "approved", "已批准"

    station = models.ForeignKey(Station, verbose_name="站点", on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField("年度")
    first_year = models.BooleanField("新建站当年", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    basis = models.CharField("测算依据", max_length=300, blank=True)
    findings = models.JSONField("批准时的核对结果", default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编制人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    # Kept by the nightly check (funding.checks.refresh), set-based; the obligations read them.
    over_limit = models.BooleanField("有科目超支", default=False, editable=False)
    near_limit = models.BooleanField("有科目接近预算", default=False, editable=False)
    labour_short = models.BooleanField("人力成本占比低于下限", default=False, editable=False)
    checked_on = models.DateField("核对日期", null=True, blank=True, editable=False)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="station__division_id",
        station="station_id",
        writers={Action.ADD: BUREAU, Action.CHANGE: BUREAU, "approve": BUREAU},
    )

    class Meta:
        verbose_name = "站点年度经费预算"
        verbose_name_plural = "站点年度经费预算"
        ordering = ["-year", "station__division_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "year"],
                name="%(app_label)s_%(class)s_one_per_station_year",
                violation_error_message="该站点本年度已有经费预算。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station.name}{self.year}年经费预算"

    def get_absolute_url(self) -> str:
        return reverse("funding:budget-detail", args=[self.pk])


class BudgetLine(models.Model):
    """One line of a budget: labour or operations, optionally one spending category, from one source."""

    budget = models.ForeignKey(Budget, verbose_name="预算", on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField("科目", max_length=12, choices=LineKind.choices)
    category = models.CharField("支出类别", max_length=30, blank=True)
    source = models.CharField("资金来源", max_length=16, choices=Source.choices)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "预算科目"
        verbose_name_plural = "预算科目"
        ordering = ["budget", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message="金额不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}·{self.get_source_display()} {self.amount} 元"

    @property
    def category_name(self) -> str:
        from policies.registry import label_of

        return label_of("spending_categories", self.category) if self.category else ""


class ReliefBase(models.Model):
    """The base figure of the relief-fund cap the county bureau enters for a year: what the policy names (Datian:
    the year's relief-fund budget [000 §7(2)]; Luzhou: last year's relief spending [001 §6(2)])."""

    division = models.ForeignKey(Division, verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("计算基数（元）", max_digits=14, decimal_places=2)
    basis = models.CharField("基数口径", max_length=40)
    document = models.CharField("依据文件", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("填报时间", auto_now=True)
    # Kept by the nightly check: the relief money the county's approved budgets of the year use, the cap the
    # policy sets on this base, and whether the use passes it (a base lowered after approval, a policy changed).
    used = models.DecimalField(
        "已批准使用（元）", max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    cap = models.DecimalField("上限（元）", max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    over_cap = models.BooleanField("超过上限", default=False, editable=False)

    objects = ScopedManager()
    # The bureau's own budget figure: bureaus see it (their subtree); agencies and townships need not.
    scoping = ScopeRule(
        division="division_id", viewers=BUREAU_ROLES, writers={Action.ADD: BUREAU, Action.CHANGE: BUREAU}
    )

    class Meta:
        verbose_name = "救助资金计算基数"
        verbose_name_plural = "救助资金计算基数"
        ordering = ["-year", "division_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "year"],
                name="%(app_label)s_%(class)s_one_per_county_year",
                violation_error_message="该县本年度已填报计算基数。",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message="金额不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division.name}{self.year}年救助资金计算基数"


class Expenditure(models.Model):
    """A spending entry of the agency against a budget line (经费支出), with its receipt: refused at entry when the
    policy forbids the category; approved or returned by the county bureau."""

    class Status(models.TextChoices):
        RECORDED = "recorded", "待审核"
        APPROVED = "approved", "已核准"
        RETURNED = "returned", "已退回"

    budget = models.ForeignKey(Budget, verbose_name="预算", on_delete=models.PROTECT, related_name="expenditures")
    line = models.ForeignKey(BudgetLine, verbose_name="预算科目", on_delete=models.PROTECT, related_name="expenditures")
    category = models.CharField("支出类别", max_length=30)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    spent_on = models.DateField("支出日期")
    payee = models.CharField("收款方", max_length=100)
    description = models.CharField("用途说明", max_length=300)
    clause = models.CharField("适用条款", max_length=300, blank=True)
    receipt = models.FileField("票据", storage=_receipts, upload_to=_receipt_path, max_length=200)
    receipt_type = models.CharField("票据格式", max_length=40)
    receipt_extension = models.CharField("扩展名", max_length=5)
    receipt_size = models.PositiveIntegerField("票据大小（字节）")
    receipt_sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RECORDED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=300, blank=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="budget__station__division_id",
        station="budget__station_id",
        writers={Action.ADD: AGENCY, "approve": BUREAU},
    )

    class Meta:
        verbose_name = "经费支出"
        verbose_name_plural = "经费支出"
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message="支出金额须大于零。",
            ),
        ]
        indexes = [models.Index(fields=["line", "status"], name="funding_exp_line_status")]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.payee} {self.amount} 元"

    def get_absolute_url(self) -> str:
        return reverse("funding:expenditure-detail", args=[self.pk])

    @property
    def category_name(self) -> str:
        from policies.registry import label_of

        return label_of("spending_categories", self.category)


class Disbursement(models.Model):
    """Money paid out (资金拨付): a tranche of an agreement's schedule, or Nantong's care subsidy to a township for
    a half-year, computed from its scattered 特困 persons by assessed self-care level [004 §3(1)]."""

    class Kind(models.TextChoices):
        TRANCHE = "tranche", "协议拨付"
        CARE_SUBSIDY = "care_subsidy", "探视照料补贴"

    class Status(models.TextChoices):
        PLANNED = "planned", "待拨付"
        PAID = "paid", "已拨付"

    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    division = models.ForeignKey(Division, verbose_name="拨付到", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name="站点", on_delete=models.PROTECT, related_name="disbursements", null=True, blank=True
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name="协议",
        on_delete=models.PROTECT,
        related_name="disbursements",
        null=True,
        blank=True,
    )
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveSmallIntegerField("期次")
    due_date = models.DateField("计划拨付日期")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    computation = models.JSONField("测算明细", default=dict, blank=True)
    basis = models.CharField("依据", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    # Care subsidy only, where the policy ring-fences it (funding.ring_fenced: Nantong [004 §3(1)]): the budget line
    # of source 探视照料补贴 of the township station's approved budget of the year the paid money is recorded against.
    line = models.ForeignKey(
        BudgetLine,
        verbose_name="记入预算科目",
        on_delete=models.PROTECT,
        related_name="subsidies",
        null=True,
        blank=True,
        editable=False,
    )
    # Care subsidy only, kept by the nightly check: what of the year's subsidy the township has not yet spent,
    # on the year's last tranche once it is paid (no surplus may remain [004 §3(1)]).
    surplus = models.DecimalField(
        "年度结余（元）", max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()
    scoping = ScopeRule(
        division="division_id",
        station="station_id",
        writers={Action.ADD: BUREAU, Action.CHANGE: BUREAU},
    )

    class Meta:
        verbose_name = "资金拨付"
        verbose_name_plural = "资金拨付"
        ordering = ["-year", "division_id", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "division", "contract", "year", "sequence"],
                name="%(app_label)s_%(class)s_one_per_tranche",
                nulls_distinct=False,
                violation_error_message="该期拨付已登记。",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message="金额不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division.name}{self.year}年第{self.sequence}期{self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("funding:disbursement-detail", args=[self.pk])


ZERO = Decimal("0.00")
