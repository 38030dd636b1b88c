from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core.scoping import Role, ScopedManager, ScopeRule
from core.storage import PrivateStorage

COUNTY_WRITERS = frozenset({Role.COUNTY_BUREAU})


class Method(models.TextChoices):
    """Government procurement methods, coded as the policy vocabulary ``procurement_methods``."""

    OPEN_TENDER = "open_tender", "公开招标"
    INVITED_TENDER = "invited_tender", "邀请招标"
    NEGOTIATION = "competitive_negotiation", "竞争性谈判"
    CONSULTATION = "competitive_consultation", "竞争性磋商"
    SINGLE_SOURCE = "single_source", "单一来源采购"


class Procurement(models.Model):
    """A county bureau's procurement of station services: method, budget, dates, bidders and the award.

    [000 §5(2)]: 公开招标、邀请招标、竞争性谈判、竞争性磋商、单一来源采购等方式确定承接机构."""

    class Status(models.TextChoices):
        OPEN = "open", "采购中"
        AWARDED = "awarded", "已确定承接机构"
        CANCELLED = "cancelled", "已终止采购"

    number = models.CharField("采购项目编号", max_length=60)
    title = models.CharField("采购项目名称", max_length=200)
    buyer = models.ForeignKey(
        "accounts.Organisation", verbose_name="采购人", on_delete=models.PROTECT, related_name="procurements"
    )
    division = models.ForeignKey(
        "stations.Division", verbose_name="项目区划", on_delete=models.PROTECT, related_name="procurements"
    )
    method = models.CharField("采购方式", max_length=30, choices=Method.choices)
    rationale = models.CharField("采用该方式的依据", max_length=300, blank=True)
    budget = models.DecimalField("预算金额（元）", max_digits=14, decimal_places=2)
    announced_date = models.DateField("公告（邀请）日期")
    bid_deadline = models.DateField("响应截止日期")
    award_date = models.DateField("成交日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    winner = models.ForeignKey(
        "Bidder", verbose_name="成交供应商", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    award_findings = models.JSONField("成交时的资格核对", default=list, blank=True)
    award_reason = models.CharField("原则性规定的例外理由", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    # Government bodies by place; agencies and evaluators see no procurement record (an agency reads the
    # outcome in its agreement). Scope paths must be single-valued, so "the procurements it bid in" is not one.
    scoping = ScopeRule(
        division="division_id",
        viewers=frozenset({Role.PROVINCE_BUREAU, Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP}),
        writers={"add": COUNTY_WRITERS, "change": COUNTY_WRITERS},
    )

    class Meta:
        verbose_name = "政府采购项目"
        verbose_name_plural = "政府采购项目"
        ordering = ["-announced_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "number"],
                name="%(app_label)s_%(class)s_unique_number_per_buyer",
                violation_error_message="该采购人下采购项目编号重复。",
            ),
            models.CheckConstraint(
                condition=models.Q(bid_deadline__gte=models.F("announced_date")),
                name="%(app_label)s_%(class)s_deadline_after_announcement",
                violation_error_message="响应截止日期不能早于公告日期。",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gt=0),
                name="%(app_label)s_%(class)s_budget_positive",
                violation_error_message="预算金额须大于零。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        from accounts.models import Organisation

        errors: dict[str, str] = {}
        if self.buyer_id and self.buyer.kind != Organisation.Kind.BUREAU:
            errors["buyer"] = "采购人须为民政部门。"
        if self.buyer_id and self.division_id and not self.division_id.startswith(self.buyer.division_id):
            errors["division"] = "项目区划须在采购人辖区内。"
        if errors:
            raise ValidationError(errors)


class Bidder(models.Model):
    """An agency that answered a procurement, with the facts its eligibility is checked against."""

    procurement = models.ForeignKey(
        Procurement, verbose_name="采购项目", on_delete=models.CASCADE, related_name="bidders"
    )
    agency = models.ForeignKey(
        "accounts.Organisation", verbose_name="供应商（社工机构）", on_delete=models.PROTECT, related_name="bids"
    )
    price = models.DecimalField("报价（元）", max_digits=14, decimal_places=2)
    registered_social_work = models.BooleanField("在民政部门登记、章程明确社会工作服务宗旨", default=False)
    finance_qualified = models.BooleanField("财务纳税规范、有固定场所和专业团队", default=False)
    no_violation = models.BooleanField("无违法违规记录", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(division="procurement__division_id", writers={"add": COUNTY_WRITERS, "change": COUNTY_WRITERS})

    class Meta:
        verbose_name = "投标（响应）供应商"
        verbose_name_plural = "投标（响应）供应商"
        ordering = ["procurement", "price", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "agency"],
                name="%(app_label)s_%(class)s_one_bid_per_agency",
                violation_error_message="该机构已在本项目中响应。",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gt=0),
                name="%(app_label)s_%(class)s_price_positive",
                violation_error_message="报价须大于零。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procurement.number} {self.agency.name}"

    def clean(self) -> None:
        from accounts.models import Organisation

        if self.agency_id and self.agency.kind != Organisation.Kind.AGENCY:
            raise ValidationError({"agency": "供应商须为社工机构。"})


class Contract(models.Model):
    """Three-party purchase agreement: county bureau (buyer), township (landing party), agency (provider).

    Minimal for now (issue 2): it makes an agency's scope real. [000 §5(3)], [001 annex 2 item 11]
    """

    class Status(models.TextChoices):
        # "active" keeps its meaning "in force" (生效履行中): the agency scope reads it.
        DRAFT = "draft", "草拟"
        SIGNED = "signed", "已签订"
        FILED = "filed", "已备案"
        ACTIVE = "active", "履行中"
        TERMINATED = "terminated", "已终止"
        EXPIRED = "expired", "已到期"

    Method = Method

    number = models.CharField("协议编号", max_length=60)
    buyer = models.ForeignKey(
        "accounts.Organisation", verbose_name="购买主体", on_delete=models.PROTECT, related_name="purchased_contracts"
    )
    division = models.ForeignKey(
        "stations.Division",
        verbose_name="项目落地区划",
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text="乡镇（或覆盖多个乡镇时的县）",
    )
    township = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="项目落地方",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="landed_contracts",
    )
    agency = models.ForeignKey(
        "accounts.Organisation", verbose_name="承接主体", on_delete=models.PROTECT, related_name="contracts"
    )
    stations = models.ManyToManyField("stations.Station", verbose_name="服务站点", related_name="contracts")
    # The service content the agreement buys: items chosen from the service catalogue (服务内容，[000 §5(3)]).
    service_items = models.ManyToManyField(
        "services.ServiceItem", verbose_name="服务内容（服务清单项目）", related_name="contracts", blank=True
    )
    procurement = models.ForeignKey(
        Procurement,
        verbose_name="采购项目",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    procurement_method = models.CharField("采购方式", max_length=30, choices=Method.choices, blank=True)
    amount_per_year = models.DecimalField("年度金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    filed_date = models.DateField("报备日期", null=True, blank=True)
    filed_with = models.CharField("报备机关", max_length=120, blank=True)
    # The city (or province) bureau's acknowledgement of the filing (contracts.receive_filing).
    filing_received_date = models.DateField("报备接收日期", null=True, blank=True)
    filing_received_by = models.ForeignKey(
        "accounts.User",
        verbose_name="报备接收人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    terminated_date = models.DateField("终止日期", null=True, blank=True)
    termination_reason = models.CharField("终止原因", max_length=300, blank=True)
    signed_date = models.DateField("签订日期", null=True, blank=True)
    start_date = models.DateField("服务开始日期")
    end_date = models.DateField("服务结束日期")
    # The project cycle the yearly terms are signed within ([000 §5(3)]: 项目周期3年，协议一年一签); the
    # term (start_date..end_date) lies inside it.
    cycle_start = models.DateField("项目周期开始日期", null=True, blank=True)
    cycle_end = models.DateField("项目周期结束日期", null=True, blank=True)
    # The staffing the agreement requires (协议载明的人员配备要求).
    resident_workers = models.PositiveSmallIntegerField("每站驻站社工人数", null=True, blank=True)
    station_head_required = models.BooleanField("须配备站长", default=False)
    staffing_note = models.CharField("人员配备要求说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="division_id",
        agency="agency_id",
        writers={"add": COUNTY_WRITERS, "change": COUNTY_WRITERS},
    )

    class Meta:
        verbose_name = "三方服务协议"
        verbose_name_plural = "三方服务协议"
        ordering = ["-start_date", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message="服务结束日期不能早于开始日期。",
            ),
            models.UniqueConstraint(
                fields=["buyer", "number"],
                name="%(app_label)s_%(class)s_unique_number_per_buyer",
                violation_error_message="该购买主体下协议编号重复。",
            ),
            models.CheckConstraint(
                condition=models.Q(cycle_start__isnull=True)
                | models.Q(cycle_end__isnull=True)
                | models.Q(cycle_end__gte=models.F("cycle_start")),
                name="%(app_label)s_%(class)s_cycle_end_after_start",
                violation_error_message="项目周期结束日期不能早于开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        from accounts.models import Organisation

        errors: dict[str, str] = {}
        buyer, agency, township = (
            self.buyer if self.buyer_id else None,
            self.agency if self.agency_id else None,
            self.township if self.township_id else None,
        )
        if buyer is not None and buyer.kind != Organisation.Kind.BUREAU:
            errors["buyer"] = "购买主体须为民政部门。"
        if agency is not None and agency.kind != Organisation.Kind.AGENCY:
            errors["agency"] = "承接主体须为社工机构。"
        if township is not None and township.kind != Organisation.Kind.TOWNSHIP:
            errors["township"] = "项目落地方须为乡镇人民政府。"
        if buyer is not None and self.division_id and not self.division_id.startswith(buyer.division_id):
            errors["division"] = "项目落地区划须在购买主体辖区内。"
        if township is not None and self.division_id and not township.division_id.startswith(self.division_id):
            errors["township"] = "项目落地方须在项目落地区划内。"
        if (self.cycle_start is None) != (self.cycle_end is None):
            errors["cycle_end"] = "请同时填写项目周期的开始和结束日期。"
        elif self.cycle_start and self.cycle_end and self.start_date and self.end_date:
            if not self.cycle_start <= self.start_date <= self.end_date <= self.cycle_end:
                errors["start_date"] = "本期服务期须在项目周期之内。"
        if errors:
            raise ValidationError(errors)


class Amendment(models.Model):
    """A change to an agreement from its effective date: stations added or removed, a new yearly amount.

    The agreement's own fields keep what was signed; the amended values apply from ``effective_date`` on
    (``contracts.selectors.active_contract_stations`` reads them for the agency's scope)."""

    contract = models.ForeignKey(Contract, verbose_name="协议", on_delete=models.CASCADE, related_name="amendments")
    signed_date = models.DateField("补充协议签订日期")
    effective_date = models.DateField("生效日期")
    reason = models.CharField("变更原因", max_length=300)
    stations_added = models.ManyToManyField("stations.Station", verbose_name="增加的站点", related_name="+", blank=True)
    stations_removed = models.ManyToManyField(
        "stations.Station", verbose_name="减少的站点", related_name="+", blank=True
    )
    amount_per_year = models.DecimalField(
        "变更后的年度金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="contract__division_id",
        agency="contract__agency_id",
        writers={"add": COUNTY_WRITERS, "change": COUNTY_WRITERS},
    )

    class Meta:
        verbose_name = "补充协议（变更）"
        verbose_name_plural = "补充协议（变更）"
        ordering = ["contract", "effective_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_date__gte=models.F("signed_date")),
                name="%(app_label)s_%(class)s_effective_after_signing",
                violation_error_message="生效日期不能早于签订日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} 变更（{self.effective_date:%Y年%m月%d日}起）"


class TaskBook(models.Model):
    """项目任务书: the agreement's annex the agency drafts; confirmed by the parties the policy names.

    [001 annex 2 item 11]: 任务书作为协议附件，经街道(乡镇)政府、市(州)和县(市、区)民政部门确认."""

    contract = models.OneToOneField(Contract, verbose_name="协议", on_delete=models.CASCADE, related_name="task_book")
    staffing = models.TextField("人员配置")
    overview = models.TextField("项目概述")
    needs_analysis = models.TextField("需求分析")
    service_plan = models.TextField("服务计划")
    indicators = models.TextField("绩效指标")
    fund_plan = models.TextField("资金使用计划")
    updated_at = models.DateTimeField(auto_now=True)

    SECTIONS = ["staffing", "overview", "needs_analysis", "service_plan", "indicators", "fund_plan"]

    class Meta:
        verbose_name = "项目任务书"
        verbose_name_plural = "项目任务书"

    def __str__(self) -> str:
        return f"{self.contract.number} 项目任务书"


class TaskBookConfirmation(models.Model):
    """One party's confirmation of the task book as it stood: who, for which body, when."""

    task_book = models.ForeignKey(
        TaskBook, verbose_name="任务书", on_delete=models.CASCADE, related_name="confirmations"
    )
    party = models.CharField("确认方", max_length=30)  # a key of contracts.taskbook.PARTIES
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="确认单位", on_delete=models.PROTECT)
    confirmed_by = models.ForeignKey("accounts.User", verbose_name="确认人", on_delete=models.PROTECT)
    confirmed_at = models.DateTimeField("确认时间", auto_now_add=True)

    class Meta:
        verbose_name = "任务书确认"
        verbose_name_plural = "任务书确认"
        ordering = ["confirmed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task_book", "party"],
                name="%(app_label)s_%(class)s_once_per_party",
                violation_error_message="该确认方已确认。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_book} · {self.party}"


def _private_storage() -> Any:
    return PrivateStorage("contracts")


def _document_path(instance: ContractDocument, filename: str) -> str:
    # A random name: the uploader's file name is kept in ``original_name`` and never used as a path.
    import uuid

    return f"{instance.contract_id}/{uuid.uuid4().hex}{instance.extension}"


class ContractDocument(models.Model):
    """A document of the agreement (signed scan, task book, annex): checked for type, size and content on upload,
    stored under ``settings.PRIVATE_MEDIA_ROOT`` and served only through the scoped download view."""

    class Kind(models.TextChoices):
        SIGNED_SCAN = "signed_scan", "协议签字盖章扫描件"
        TASK_BOOK = "task_book", "项目任务书"
        ANNEX = "annex", "其他附件"
        # The year's evaluation report: the document behind an outcome the bureau records by hand at the renewal
        # gate (evaluation.renew) when no final evaluation was scored on the platform (issue 8 item 5).
        EVALUATION_REPORT = "evaluation_report", "评估报告"

    contract = models.ForeignKey(Contract, verbose_name="协议", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("文件类型", max_length=20, choices=Kind.choices)
    title = models.CharField("文件名称", max_length=120)
    original_name = models.CharField("上传时的文件名", max_length=200)
    file = models.FileField("文件", storage=_private_storage, upload_to=_document_path, max_length=200)
    content_type = models.CharField("格式", max_length=100)
    extension = models.CharField("扩展名", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="contract__division_id",
        agency="contract__agency_id",
        writers={"add": frozenset({Role.COUNTY_BUREAU, Role.AGENCY})},
    )

    class Meta:
        verbose_name = "协议文件"
        verbose_name_plural = "协议文件"
        ordering = ["contract", "kind", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.title}"


class PaymentInstalment(models.Model):
    """One instalment of the fund disbursement schedule (资金拨付安排): when, how much, on what condition."""

    contract = models.ForeignKey(Contract, verbose_name="协议", on_delete=models.CASCADE, related_name="payments")
    sequence = models.PositiveSmallIntegerField("期次")
    due_date = models.DateField("拨付时间")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    condition = models.CharField("拨付条件", max_length=200, blank=True, help_text="如 协议签订后、中期评估合格后")

    class Meta:
        verbose_name = "资金拨付安排"
        verbose_name_plural = "资金拨付安排"
        ordering = ["contract", "sequence", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message="拨付金额须大于零。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} 第{self.sequence}期"


class PerformanceIndicator(models.Model):
    """A performance indicator of the agreement with its target (绩效指标及目标值)."""

    contract = models.ForeignKey(Contract, verbose_name="协议", on_delete=models.CASCADE, related_name="indicators")
    sequence = models.PositiveSmallIntegerField("序号")
    name = models.CharField("指标", max_length=120)
    target = models.CharField("目标值", max_length=60)
    unit = models.CharField("单位", max_length=20, blank=True)

    class Meta:
        verbose_name = "绩效指标"
        verbose_name_plural = "绩效指标"
        ordering = ["contract", "sequence", "pk"]

    def __str__(self) -> str:
        return f"{self.name}：{self.target}{self.unit}"


class BreachTerm(models.Model):
    """A breach term (违约责任): which party, what it owes when in breach."""

    class Party(models.TextChoices):
        BUYER = "buyer", "甲方（购买主体）"
        AGENCY = "agency", "乙方（承接主体）"
        TOWNSHIP = "township", "丙方（项目落地方）"

    contract = models.ForeignKey(Contract, verbose_name="协议", on_delete=models.CASCADE, related_name="breach_terms")
    sequence = models.PositiveSmallIntegerField("序号")
    party = models.CharField("违约方", max_length=10, choices=Party.choices)
    text = models.CharField("违约情形及责任", max_length=500)

    class Meta:
        verbose_name = "违约责任"
        verbose_name_plural = "违约责任"
        ordering = ["contract", "sequence", "pk"]

    def __str__(self) -> str:
        return f"{self.get_party_display()}：{self.text[:20]}"


# Who may read the care agreement of a child (core.scoping ScopeRule.minors): the same roles that read the child's
# own beneficiary record (services.models CHILD_SERVERS).
CARE_CHILD_VIEWERS = frozenset({Role.COUNTY_BUREAU, Role.AGENCY})
CARE_WRITERS = frozenset({Role.TOWNSHIP, Role.COUNTY_BUREAU})


class CareAgreement(models.Model):
    """四方服务协议 for the care of a scattered 特困 person (DOMAIN §3, Jiangsu variant [004 §3(7)]): the township
    government, the village (community), the station worker and the cared-for person, with its term.

    The station is a party through its worker; the facts the policy asks about the station as a registered legal
    person (民非) whose head is a township civil-affairs employee [004 §3(3)] are recorded here as they stand at
    signing, and the policy findings on them are kept with the signing (``findings``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟"
        SIGNED = "signed", "履行中"
        ENDED = "ended", "已终止"

    number = models.CharField("协议编号", max_length=60)
    township = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="乡镇（街道）人民政府",
        on_delete=models.PROTECT,
        related_name="care_agreements",
    )
    village = models.ForeignKey(
        "stations.Division", verbose_name="村（社区）", on_delete=models.PROTECT, related_name="care_agreements"
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name="社工站", on_delete=models.PROTECT, related_name="care_agreements"
    )
    worker = models.ForeignKey(
        "staffing.SocialWorker",
        verbose_name="社工站工作人员",
        on_delete=models.PROTECT,
        related_name="care_agreements",
    )
    beneficiary = models.ForeignKey(
        "services.Beneficiary",
        verbose_name="分散特困供养人员",
        on_delete=models.PROTECT,
        related_name="care_agreements",
    )
    start_date = models.DateField("服务开始日期")
    end_date = models.DateField("服务结束日期")
    station_legal_person = models.BooleanField("社工站已登记为民办非企业单位（社会服务机构）", default=False)
    station_credit_code = models.CharField("社工站统一社会信用代码", max_length=18, blank=True)
    station_head_name = models.CharField("社工站站长（法人代表）", max_length=50, blank=True)
    station_head_civil_affairs = models.BooleanField("站长为乡镇（街道）从事民政工作的事业性质人员", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_date = models.DateField("签订日期", null=True, blank=True)
    findings = models.JSONField("签订时的政策核对", default=list, blank=True)
    ended_date = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="village_id",
        station="station_id",
        minors="beneficiary__birth_date",
        minor_viewers=CARE_CHILD_VIEWERS,
        writers={"add": CARE_WRITERS, "change": CARE_WRITERS},
    )

    class Meta:
        verbose_name = "四方服务协议"
        verbose_name_plural = "四方服务协议"
        ordering = ["-start_date", "number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message="服务结束日期不能早于开始日期。",
            ),
            models.UniqueConstraint(
                fields=["township", "number"],
                name="%(app_label)s_%(class)s_unique_number_per_township",
                violation_error_message="该乡镇（街道）下协议编号重复。",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        from accounts.models import Organisation
        from accounts.validators import validate_credit_code
        from stations.models import Station

        errors: dict[str, str] = {}
        township = self.township if self.township_id else None
        if township is not None and township.kind != Organisation.Kind.TOWNSHIP:
            errors["township"] = "签约方须为乡镇（街道）人民政府。"
        if self.village_id and len(self.village_id) != 12:  # a village (community) code
            errors["village"] = "请选择村（社区）。"
        elif township is not None and self.village_id and not self.village_id.startswith(township.division_id):
            errors["village"] = "村（社区）须在该乡镇（街道）辖区内。"
        station = self.station if self.station_id else None
        if station is not None and township is not None:
            if station.level != Station.Level.TOWNSHIP or station.division_id != township.division_id:
                errors["station"] = "社工站须为该乡镇（街道）的社工站。"
        if self.beneficiary_id and self.village_id and self.beneficiary.division_id != self.village_id:
            errors["beneficiary"] = "服务对象须住在所选村（社区）。"
        if self.worker_id and township is not None and not self.worker.division_id.startswith(township.division_id):
            errors["worker"] = "工作人员须在该乡镇（街道）社工站工作。"
        if self.station_credit_code:
            try:
                validate_credit_code(self.station_credit_code)
            except ValidationError as exc:
                errors["station_credit_code"] = "；".join(exc.messages)
        if errors:
            raise ValidationError(errors)
