from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.personal.fields import AddressField, IdNumberField, LookupHashField, PhoneField
from core.personal.idnumber import age_on, parse_id_number
from core.personal.models import PersonalManager, PersonalRecord
from core.scoping import Action, Role, ScopedManager, ScopeRule
from core.storage import PrivateStorage
from stations.models import Division, Station

MINOR_AGE = 14  # 个人信息保护法 第二十八条、第三十一条 (the law's age, as core.scoping's ScopeRule.minor_age)


class ServiceCatalogue(models.Model):
    """A service catalogue from a policy document (e.g. Baisha annex 1, 30 items) [002 §5]."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    seed = models.CharField("来源文件", max_length=8, blank=True)
    clause = models.CharField("条款", max_length=120, blank=True)

    objects = ScopedManager()
    scoping = ScopeRule(public=True)

    class Meta:
        verbose_name = "服务清单"
        verbose_name_plural = "服务清单"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceDomain(models.Model):
    catalogue = models.ForeignKey(ServiceCatalogue, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("服务领域", max_length=60)
    description = models.TextField("说明", blank=True)
    clause = models.CharField("条款", max_length=120, blank=True)
    description_clause = models.CharField("说明的条款", max_length=120, blank=True)
    phase = models.CharField(
        "开展阶段",
        max_length=12,
        blank=True,
        # 社区治理 comes from the station construction guide (annex 2 item 16), not from §5(6)'s two phases.
        choices=[("initial", "率先开展"), ("later", "后期拓展"), ("guide", "建设指引列出")],
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    objects = ScopedManager()
    scoping = ScopeRule(public=True)

    class Meta:
        verbose_name = "服务领域"
        verbose_name_plural = "服务领域"
        ordering = ["catalogue_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="%(app_label)s_%(class)s_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """A catalogue entry with its operating guideline (服务项目)."""

    domain = models.ForeignKey(ServiceDomain, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("编号", max_length=20)
    name = models.CharField("服务项目", max_length=200)
    guideline = models.TextField("操作指引", blank=True)
    targets = models.CharField("服务对象", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    objects = ScopedManager()
    scoping = ScopeRule(public=True)

    class Meta:
        verbose_name = "服务项目"
        verbose_name_plural = "服务项目"
        ordering = ["domain__catalogue_id", "domain__order", "order"]
        constraints = [models.UniqueConstraint(fields=["domain", "code"], name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# --- station service lists, beneficiaries, service records, visits, cases (issue 10) ------------------------

# Who writes what (DOMAIN §5): the agency running a station records its work; the township and the county bureau
# confirm the station's service list and follow up escalations; the county bureau serves children too.
AGENCY = frozenset({Role.AGENCY})
CONFIRMERS = frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP})
FIELD_WRITERS = frozenset({Role.AGENCY, Role.TOWNSHIP, Role.COUNTY_BUREAU})
# Children (不满十四周岁) are served by the county bureau (children's welfare) and the agency running the station.
CHILD_SERVERS = frozenset({Role.COUNTY_BUREAU, Role.AGENCY})


class StationServiceList(models.Model):
    """A station's own service list, chosen from the catalogue of the policy in force, reported to the county
    bureau and the township and confirmed by both (or returned with comments) [002 §5]."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟中"
        SUBMITTED = "submitted", "已报送"
        CONFIRMED = "confirmed", "已确认"
        RETURNED = "returned", "已退回"

    station = models.ForeignKey(Station, verbose_name="社工站", on_delete=models.PROTECT, related_name="service_lists")
    year = models.PositiveSmallIntegerField("年度")
    catalogue = models.ForeignKey(
        ServiceCatalogue, verbose_name="服务清单", on_delete=models.PROTECT, related_name="station_lists"
    )
    items = models.ManyToManyField(ServiceItem, verbose_name="服务项目", related_name="station_lists", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    bureau_confirmed_at = models.DateTimeField("县民政局确认时间", null=True, blank=True)
    township_confirmed_at = models.DateTimeField("乡镇确认时间", null=True, blank=True)
    comments = models.TextField("退回意见", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="station__division_id",
        station="station_id",
        writers={Action.ADD: AGENCY, Action.CHANGE: AGENCY, "confirm": CONFIRMERS},
    )

    class Meta:
        verbose_name = "站点服务清单"
        verbose_name_plural = "站点服务清单"
        ordering = ["-year", "station_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "year"],
                name="%(app_label)s_%(class)s_one_per_station_year",
                violation_error_message="该站点本年度已有服务清单。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station.name}{self.year}年服务清单"

    def get_absolute_url(self) -> str:
        return reverse("services:station-list-detail", args=[self.pk])


class Beneficiary(PersonalRecord):
    """A person the station serves (服务对象): sensitive personal data through core.personal [SECURITY.md]."""

    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Risk(models.TextChoices):
        LOW = "low", "低"
        MEDIUM = "medium", "中"
        HIGH = "high", "高"

    class SelfCare(models.TextChoices):
        FULL = "full", "能够自理"
        PARTIAL = "partial", "部分自理"
        NONE = "none", "不能自理"

    class ConsentBy(models.TextChoices):
        SELF = "self", "本人"
        GUARDIAN = "guardian", "监护人"

    station = models.ForeignKey(Station, verbose_name="服务站点", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    id_number = IdNumberField("身份证号码", blank=True)
    id_number_hash = LookupHashField(source="id_number", unique=True)
    phone = PhoneField("联系电话", blank=True)
    phone_hash = LookupHashField(source="phone")
    address = AddressField("住址", blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    categories = ArrayField(models.CharField(max_length=30), verbose_name="服务对象类别", default=list, blank=True)
    household = models.CharField("户主或户号", max_length=50, blank=True)
    household_size = models.PositiveSmallIntegerField("家庭人口", null=True, blank=True)
    risk_level = models.CharField("风险等级", max_length=8, choices=Risk.choices, default=Risk.LOW)
    self_care = models.CharField("自理能力评估", max_length=8, choices=SelfCare.choices, blank=True)
    consent = models.BooleanField("已同意处理个人信息", default=False)
    consent_by = models.CharField("同意人", max_length=10, choices=ConsentBy.choices, blank=True)
    consent_date = models.DateField("同意日期", null=True, blank=True)
    guardian_name = models.CharField("监护人姓名", max_length=50, blank=True)
    last_visit_date = models.DateField("最近一次探访", null=True, blank=True, editable=False)
    active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalManager()
    scoping = ScopeRule(
        division="division_id",
        station="station_id",
        minors="birth_date",
        minor_viewers=CHILD_SERVERS,
        writers={
            Action.ADD: FIELD_WRITERS,
            Action.CHANGE: FIELD_WRITERS,
            Action.UNMASK: FIELD_WRITERS,
            Action.EXPORT: frozenset({Role.COUNTY_BUREAU}),
        },
    )

    class Meta:
        verbose_name = "服务对象"
        verbose_name_plural = "服务对象"
        ordering = ["division_id", "name", "pk"]
        indexes = [models.Index(fields=["station", "active"], name="services_benef_station_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:beneficiary-detail", args=[self.public_id])

    @property
    def category_labels(self) -> list[str]:
        from policies.registry import vocabulary

        labels = vocabulary("beneficiary_categories")
        return [labels.get(c, c) for c in self.categories]

    def clean(self) -> None:
        from policies.registry import vocabulary

        errors: dict[str, str] = {}
        if self.id_number:
            try:
                parsed = parse_id_number(self.id_number)
            except Exception:  # noqa: BLE001 - the field's own validator reports the error
                parsed = None
            if parsed is not None:
                self.birth_date = parsed.birth_date
                self.sex = parsed.sex
        unknown = [c for c in self.categories if c not in vocabulary("beneficiary_categories")]
        if unknown:
            errors["categories"] = "服务对象类别不在政策词表中。"
        if self.division_id and len(self.division_id) != 12:
            errors["division"] = "请选择服务对象所在的村（社区）。"
        if self.station_id and self.division_id:
            station_code = Station.objects.filter(pk=self.station_id).values_list("division_id", flat=True).first()
            if station_code and not self.division_id.startswith(station_code[:9]) and len(station_code) >= 9:
                errors["division"] = "服务对象应住在服务站点所在乡镇（街道）。"
        if self.consent:
            if self.is_child and self.consent_by != self.ConsentBy.GUARDIAN:
                # 个人信息保护法 第三十一条: a child under 14 -- the guardian consents.
                errors["consent_by"] = "不满十四周岁的服务对象须由监护人同意。"
            if self.consent_by == self.ConsentBy.GUARDIAN and not self.guardian_name:
                errors["guardian_name"] = "请填写监护人姓名。"
            if not self.consent_date:
                errors["consent_date"] = "请填写同意日期。"
        if errors:
            raise ValidationError(errors)

    @property
    def is_child(self) -> bool:
        if self.birth_date is None:
            return True
        return age_on(self.birth_date, timezone.localdate()) < MINOR_AGE


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class ServiceRecord(models.Model):
    """One piece of work: case, group, community activity, home visit or administrative work."""

    class Kind(models.TextChoices):
        CASE = "case", "个案工作"
        GROUP = "group", "小组工作"
        COMMUNITY = "community", "社区活动"
        VISIT = "visit", "走访探视"
        ADMIN = "admin", "行政事务"

    PROFESSIONAL = frozenset({Kind.CASE, Kind.GROUP, Kind.COMMUNITY, Kind.VISIT})

    station = models.ForeignKey(Station, verbose_name="社工站", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("工作类型", max_length=10, choices=Kind.choices)
    date = models.DateField("日期")
    hours = models.DecimalField(
        "时长（小时）", max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name="服务项目", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admin_function = models.CharField("所涉行政职能", max_length=10, blank=True)
    village = models.ForeignKey(
        Division, verbose_name="村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    beneficiaries = models.ManyToManyField(Beneficiary, verbose_name="服务对象", blank=True, related_name="records")
    # The social workers who did the work (staffing); ``recorded_by`` is the account that entered it.
    workers = models.ManyToManyField(
        "staffing.SocialWorker", verbose_name="服务社工", blank=True, related_name="service_records"
    )
    participants = models.PositiveIntegerField("参与人数", default=0)
    title = models.CharField("主题", max_length=100)
    notes = models.TextField("记录", blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    client_key = models.UUIDField("离线草稿编号", null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    # A record naming a child (under 14, or of unknown birth date) is seen only by the roles that serve children,
    # as the child's own record is: its beneficiaries, notes and title are about the child.
    scoping = ScopeRule(
        division="station__division_id",
        station="station_id",
        minors_among="beneficiaries__birth_date",
        minor_viewers=CHILD_SERVERS,
        writers={Action.ADD: AGENCY, Action.CHANGE: AGENCY, Action.EXPORT: frozenset({Role.COUNTY_BUREAU})},
    )

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["station", "date"], name="services_record_station_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0),
                name="%(app_label)s_%(class)s_hours_positive",
                violation_error_message="时长应大于零。",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="admin") | models.Q(admin_function=""),
                name="%(app_label)s_%(class)s_negative_list_not_professional",
                violation_error_message="涉及许可、确认、审批、给付等行政职能的工作不能记为专业服务。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("services:record-detail", args=[self.pk])

    @property
    def is_professional(self) -> bool:
        return self.kind in self.PROFESSIONAL


class Visit(models.Model):
    """A home visit to a scattered 特困 person, with the checklist of the policy [004 §2]."""

    class Check(models.TextChoices):
        OK = "ok", "正常"
        FAIL = "fail", "有问题"

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name="服务对象", on_delete=models.PROTECT, related_name="visits"
    )
    station = models.ForeignKey(Station, verbose_name="社工站", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("探访日期")
    week = models.CharField("自然周", max_length=8, editable=False)
    checks = models.JSONField("查看情况", default=dict)
    notes = models.TextField("情况说明", blank=True, max_length=2000)
    record = models.OneToOneField(
        ServiceRecord, verbose_name="服务记录", on_delete=models.PROTECT, related_name="visit", editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    client_key = models.UUIDField("离线草稿编号", null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="beneficiary__division_id",
        station="station_id",
        minors="beneficiary__birth_date",
        minor_viewers=CHILD_SERVERS,
        writers={Action.ADD: AGENCY},
    )

    class Meta:
        verbose_name = "探访记录"
        verbose_name_plural = "探访记录"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["beneficiary", "week"], name="services_visit_week_idx")]

    def __str__(self) -> str:
        return f"{self.beneficiary.name} {self.date}"

    def get_absolute_url(self) -> str:
        return reverse("services:visit-detail", args=[self.pk])

    @property
    def failed_checks(self) -> list[str]:
        return [code for code, value in self.checks.items() if value == self.Check.FAIL]


class Escalation(models.Model):
    """A failed check of a visit: the village worker and the township are told at once, and it stays open until
    someone records what was done [004 §2]."""

    class Status(models.TextChoices):
        OPEN = "open", "待处置"
        RESOLVED = "resolved", "已处置"

    class Outcome(models.TextChoices):
        CLEANING = "cleaning", "已安排卫生清理"
        TRANSFER = "transfer", "已安排到集中供养机构生活"
        TREATMENT = "treatment", "已安排送医救治"
        OTHER = "other", "其他处置"

    visit = models.ForeignKey(Visit, verbose_name="探访记录", on_delete=models.PROTECT, related_name="escalations")
    beneficiary = models.ForeignKey(Beneficiary, verbose_name="服务对象", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, verbose_name="社工站", on_delete=models.PROTECT, related_name="+")
    check_code = models.CharField("查看事项", max_length=20)
    required = models.TextField("处置要求")
    clause = models.CharField("依据条款", max_length=60, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("处置结果", max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("处置说明", blank=True, max_length=2000)
    resolved_at = models.DateTimeField("处置时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处置登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="beneficiary__division_id",
        station="station_id",
        minors="beneficiary__birth_date",
        minor_viewers=CHILD_SERVERS,
        writers={Action.CHANGE: FIELD_WRITERS},
    )

    class Meta:
        verbose_name = "巡访问题处置"
        verbose_name_plural = "巡访问题处置"
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "check_code"], name="%(app_label)s_%(class)s_one_per_check")
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary.name}：{self.check_label}"

    def get_absolute_url(self) -> str:
        return reverse("services:escalation-detail", args=[self.pk])

    @property
    def check_label(self) -> str:
        from policies.registry import label_of

        return label_of("visit_checks", self.check_code)


class Case(models.Model):
    """Case work from intake to closure, each stage with its date and its work [001 annex 2 item 17(3)]."""

    class Stage(models.TextChoices):
        INTAKE = "intake", "接案"
        ASSESSMENT = "assessment", "预估"
        PLAN = "plan", "计划"
        INTERVENTION = "intervention", "介入"
        EVALUATION = "evaluation", "评估"
        CLOSED = "closed", "结案"

    ORDER = [Stage.INTAKE, Stage.ASSESSMENT, Stage.PLAN, Stage.INTERVENTION, Stage.EVALUATION, Stage.CLOSED]
    # The work each stage records (its text field) and its date.
    STAGE_FIELDS = {
        Stage.INTAKE: ("intake_note", "intake_date"),
        Stage.ASSESSMENT: ("assessment", "assessment_date"),
        Stage.PLAN: ("plan", "plan_date"),
        Stage.INTERVENTION: ("intervention", "intervention_date"),
        Stage.EVALUATION: ("evaluation", "evaluation_date"),
        Stage.CLOSED: ("closure", "closed_date"),
    }

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name="服务对象", on_delete=models.PROTECT, related_name="cases"
    )
    station = models.ForeignKey(Station, verbose_name="社工站", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("个案名称", max_length=100)
    stage = models.CharField("阶段", max_length=14, choices=Stage.choices, default=Stage.INTAKE)
    intake_date = models.DateField("接案日期")
    intake_note = models.TextField("接案情况", max_length=4000)
    assessment_date = models.DateField("预估日期", null=True, blank=True)
    assessment = models.TextField("需求预估", blank=True, max_length=4000)
    plan_date = models.DateField("计划日期", null=True, blank=True)
    plan = models.TextField("服务计划", blank=True, max_length=4000)
    intervention_date = models.DateField("介入日期", null=True, blank=True)
    intervention = models.TextField("介入情况", blank=True, max_length=4000)
    evaluation_date = models.DateField("评估日期", null=True, blank=True)
    evaluation = models.TextField("成效评估", blank=True, max_length=4000)
    closed_date = models.DateField("结案日期", null=True, blank=True)
    closure = models.TextField("结案情况", blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="beneficiary__division_id",
        station="station_id",
        minors="beneficiary__birth_date",
        minor_viewers=CHILD_SERVERS,
        writers={Action.ADD: AGENCY, Action.CHANGE: AGENCY},
    )

    class Meta:
        verbose_name = "个案"
        verbose_name_plural = "个案"
        ordering = ["-intake_date", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:case-detail", args=[self.pk])

    @property
    def next_stage(self) -> str | None:
        i = self.ORDER.index(self.Stage(self.stage))
        return self.ORDER[i + 1] if i + 1 < len(self.ORDER) else None


class Referral(models.Model):
    """A case referred to another station (its agency accepts or declines)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待接收"
        ACCEPTED = "accepted", "已接收"
        DECLINED = "declined", "已拒绝"

    case = models.ForeignKey(Case, verbose_name="个案", on_delete=models.PROTECT, related_name="referrals")
    from_station = models.ForeignKey(Station, verbose_name="转出站点", on_delete=models.PROTECT, related_name="+")
    to_station = models.ForeignKey(Station, verbose_name="转入站点", on_delete=models.PROTECT, related_name="+")
    # The agency running the receiving station when the referral was made: it sees and answers the referral.
    to_agency = models.ForeignKey(
        "accounts.Organisation", verbose_name="接收机构", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("转介原因", max_length=2000)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    response = models.TextField("答复意见", blank=True, max_length=2000)
    responded_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    # The reason is about the person of the case: a child's referral follows the child's rule, as the case does.
    scoping = ScopeRule(
        division="from_station__division_id",
        station="from_station_id",
        owner="to_agency_id",
        minors="case__beneficiary__birth_date",
        minor_viewers=CHILD_SERVERS,
        writers={Action.ADD: AGENCY, "respond": AGENCY},
    )

    class Meta:
        verbose_name = "转介"
        verbose_name_plural = "转介"
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return f"{self.case.title}转介"

    def get_absolute_url(self) -> str:
        return reverse("services:referral-detail", args=[self.pk])


class VolunteerTeam(models.Model):
    """A volunteer team a station has formed, with its number of volunteers (counted against Luzhou's targets,
    [001 §5(5)]); no volunteer's personal data is kept here."""

    station = models.ForeignKey(Station, verbose_name="社工站", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("服务队名称", max_length=100)
    founded_on = models.DateField("组建日期")
    members = models.PositiveIntegerField("志愿者人数", validators=[MinValueValidator(1)])
    party_members = models.BooleanField("党员志愿服务队", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(division="station__division_id", station="station_id", writers={Action.ADD: AGENCY})

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        ordering = ["station_id", "-founded_on", "pk"]

    def __str__(self) -> str:
        return self.name


class IncubatedOrganisation(models.Model):
    """A social organisation a station or county headquarters incubated and saw registered [001 §5(5)]."""

    station = models.ForeignKey(Station, verbose_name="孵化站点", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("社会组织名称", max_length=120)
    registered_on = models.DateField("登记注册日期")
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(division="station__division_id", station="station_id", writers={Action.ADD: AGENCY})

    class Meta:
        verbose_name = "孵化社会组织"
        verbose_name_plural = "孵化社会组织"
        ordering = ["station_id", "-registered_on", "pk"]

    def __str__(self) -> str:
        return self.name


def _photo_storage() -> PrivateStorage:
    return PrivateStorage("services")


def _photo_path(instance: ServicePhoto, filename: str) -> str:
    # A random name: nothing the uploader sent becomes a path.
    import uuid

    return f"photos/{instance.record_id}/{uuid.uuid4().hex}{instance.extension}"


class ServicePhoto(models.Model):
    """An evidence photo of a service record: checked (type by content, size, pixel count, a decodable image),
    re-encoded from its pixels so no metadata (EXIF, GPS position, camera, XMP) is kept, stored outside the web
    root and served only through the scoped view. A visit's photo follows the visited person's rule (a child's
    only to the roles that serve children); a photo of other work may show anyone, so only those roles see it."""

    record = models.ForeignKey(ServiceRecord, verbose_name="服务记录", on_delete=models.PROTECT, related_name="photos")
    file = models.FileField("照片", storage=_photo_storage, upload_to=_photo_path, max_length=200)
    content_type = models.CharField("格式", max_length=20)
    extension = models.CharField("扩展名", max_length=5)
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveIntegerField("宽（像素）")
    height = models.PositiveIntegerField("高（像素）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="record__station__division_id",
        station="record__station_id",
        # Fail closed: a photo of anything but a visit has no birth date here, so it is hidden like a child's.
        minors="record__visit__beneficiary__birth_date",
        minor_viewers=CHILD_SERVERS,
        writers={Action.ADD: AGENCY},
    )

    class Meta:
        verbose_name = "服务照片"
        verbose_name_plural = "服务照片"
        ordering = ["record", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.record} 照片"

    def get_absolute_url(self) -> str:
        return reverse("services:photo", args=[self.pk])
