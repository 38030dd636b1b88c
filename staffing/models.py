"""Resident social workers (驻站社工), their certificates, station assignments and replacements (DOMAIN §4).

A worker is employed by one agency (承接主体) and works at most at one station at a time; each placement is an
``Assignment`` row with a role (station head, full-time, part-time) and its dates, kept as history. A worker
who leaves a station for another is a ``Replacement`` with its reason [000 §6(3)], [001 annex 2 item 14].

Scope: an agency manages its own workers; bureaus and townships see the workers whose current place of work
(``division``: the station's division, else the agency's) lies in their subtree; an evaluator sees the workers
it is granted (django-guardian, direct-foreign-key tables below).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.personal.fields import IdNumberField, LookupHashField, PhoneField
from core.personal.idnumber import parse_id_number
from core.personal.models import PersonalManager, PersonalRecord
from core.scoping import Action, Role, ScopedManager, ScopeRule

AGENCY_WRITERS = frozenset({Role.AGENCY})
# Clear ID numbers and phones: the employer and the county bureau that supervises the team (SECURITY.md).
UNMASKERS = frozenset({Role.AGENCY, Role.COUNTY_BUREAU})


class Education(models.TextChoices):
    """Highest education completed (the codes of policies' ``education_levels`` vocabulary, in rank order)."""

    BELOW_HIGH_SCHOOL = "below_high_school", "初中及以下"
    HIGH_SCHOOL = "high_school", "高中（中专）"
    JUNIOR_COLLEGE = "junior_college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"
    DOCTOR = "doctor", "博士研究生"


EDUCATION_RANK: dict[str, int] = {code: rank for rank, code in enumerate(Education.values)}


class CertificateLevel(models.TextChoices):
    """社会工作者职业水平证书 (the codes of policies' ``certificate_levels`` vocabulary, in rank order)."""

    ASSISTANT = "assistant", "助理社会工作师"
    INTERMEDIATE = "intermediate", "社会工作师"
    SENIOR = "senior", "高级社会工作师"


CERTIFICATE_RANK: dict[str, int] = {code: rank for rank, code in enumerate(CertificateLevel.values)}


class StaffRole(models.TextChoices):
    HEAD = "head", "站长"
    FULL_TIME = "full_time", "专职社工"
    PART_TIME = "part_time", "兼职社工"


class SocialWorker(PersonalRecord):
    """A resident social worker (驻站社工) employed by an agency."""

    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Status(models.TextChoices):
        EMPLOYED = "employed", "在职"
        LEFT = "left", "已离职"

    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="用人机构",
        on_delete=models.PROTECT,
        related_name="social_workers",
    )
    # Where the worker works now: the current station's division, else the agency's (kept by the actions).
    division = models.ForeignKey(
        "stations.Division", verbose_name="工作地区划", on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name="当前站点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="current_workers",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="social_worker",
    )
    name = models.CharField("姓名", max_length=50)
    id_number = IdNumberField("身份证号码")
    id_number_hash = LookupHashField(source="id_number", unique=True)
    phone = PhoneField("联系电话", blank=True)
    phone_hash = LookupHashField(source="phone")
    birth_date = models.DateField("出生日期", null=True, blank=True, editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True, editable=False)
    education = models.CharField("最高学历", max_length=20, choices=Education.choices)
    major = models.CharField("所学专业", max_length=60, blank=True)
    social_work_major = models.BooleanField("社会工作相关专业", default=False)
    graduation_year = models.PositiveSmallIntegerField("毕业年份", null=True, blank=True)
    household_division = models.ForeignKey(
        "stations.Division",
        verbose_name="户籍所在地",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hired_on = models.DateField("入职日期")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.EMPLOYED)
    left_on = models.DateField("离职日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonalManager()
    scoping = ScopeRule(
        division="division_id",
        agency="agency_id",
        guardian=True,
        writers={
            Action.ADD: AGENCY_WRITERS,
            Action.CHANGE: AGENCY_WRITERS,
            Action.UNMASK: UNMASKERS,
            Action.EXPORT: UNMASKERS,
        },
    )

    class Meta:
        verbose_name = "驻站社工"
        verbose_name_plural = "驻站社工"
        ordering = ["agency_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("hired_on")),
                name="%(app_label)s_%(class)s_left_after_hired",
                violation_error_message="离职日期不能早于入职日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staffing:worker-detail", args=[self.public_id])

    def clean(self) -> None:
        """Birth date and sex follow the identity number."""
        if self.id_number:
            try:
                parsed = parse_id_number(self.id_number)
            except ValidationError:
                return  # the field's own validator reports it
            self.birth_date = parsed.birth_date
            self.sex = parsed.sex
        if self.agency_id and self.agency.kind != "agency":
            raise ValidationError({"agency": "用人机构须为社工机构。"})

    def save(self, *args: object, **kwargs: object) -> None:
        if self.id_number and (self.birth_date is None or not self.sex):
            try:
                parsed = parse_id_number(self.id_number)
                self.birth_date, self.sex = parsed.birth_date, parsed.sex
            except ValidationError:
                pass
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def is_local_to(self, division_code: str) -> bool:
        """户籍 in the same county as ``division_code`` ("local" in every seed's preference)."""
        return bool(self.household_division_id) and str(self.household_division_id)[:6] == division_code[:6]

    def best_certificate(self, on: dt.date | None = None) -> Certificate | None:
        certs = [c for c in self.certificates.all() if on is None or c.obtained_on <= on]
        return max(certs, key=lambda c: CERTIFICATE_RANK[c.level], default=None)


class SocialWorkerUserObjectPermission(UserObjectPermissionBase):
    """Direct-foreign-key guardian table (guardian docs, performance)."""

    content_object = models.ForeignKey(SocialWorker, on_delete=models.CASCADE)


class SocialWorkerGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SocialWorker, on_delete=models.CASCADE)


class Certificate(models.Model):
    """A 社会工作者职业水平证书 held by a worker."""

    worker = models.ForeignKey(SocialWorker, verbose_name="社工", on_delete=models.CASCADE, related_name="certificates")
    level = models.CharField("证书等级", max_length=16, choices=CertificateLevel.choices)
    number = models.CharField("证书编号", max_length=40)
    obtained_on = models.DateField("取得日期")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="worker__division_id",
        agency="worker__agency_id",
        writers={Action.ADD: AGENCY_WRITERS, Action.CHANGE: AGENCY_WRITERS, Action.DELETE: AGENCY_WRITERS},
    )

    class Meta:
        verbose_name = "职业水平证书"
        verbose_name_plural = "职业水平证书"
        ordering = ["worker_id", "obtained_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message="该证书编号已登记。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.number}"


class Assignment(models.Model):
    """A worker's placement at a station with a role, from ``start_date`` to ``end_date`` (open: current)."""

    worker = models.ForeignKey(SocialWorker, verbose_name="社工", on_delete=models.PROTECT, related_name="assignments")
    station = models.ForeignKey(
        "stations.Station", verbose_name="站点", on_delete=models.PROTECT, related_name="staff_assignments"
    )
    # The employer at the time of the placement (history stays with the agency that made it).
    agency = models.ForeignKey(
        "accounts.Organisation", verbose_name="用人机构", on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name="服务协议",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_assignments",
    )
    role = models.CharField("岗位", max_length=16, choices=StaffRole.choices)
    start_date = models.DateField("到岗日期")
    end_date = models.DateField("离岗日期", null=True, blank=True)
    end_reason = models.CharField("离岗原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="station__division_id",
        agency="agency_id",
        writers={Action.ADD: AGENCY_WRITERS, Action.CHANGE: AGENCY_WRITERS},
    )

    class Meta:
        verbose_name = "派驻记录"
        verbose_name_plural = "派驻记录"
        ordering = ["station_id", "-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message="离岗日期不能早于到岗日期。",
            ),
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(end_date__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_worker",
                violation_error_message="该社工已在岗，请先办理离岗。",
            ),
        ]
        indexes = [models.Index(fields=["station", "end_date"], name="staffing_assign_station_end")]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.station}"

    def is_current(self, on: dt.date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class Replacement(models.Model):
    """A change of worker at a station, with its reason [000 §6(3)] (replacements follow the hiring procedure)."""

    class Reason(models.TextChoices):
        RESIGNED = "resigned", "本人辞职"
        DISMISSED = "dismissed", "解除劳动合同"
        TRANSFERRED = "transferred", "调往其他站点"
        CONTRACT_ENDED = "contract_ended", "劳动合同到期"
        UNQUALIFIED = "unqualified", "未按期取得证书等不符合要求"
        OTHER = "other", "其他原因"

    station = models.ForeignKey(
        "stations.Station", verbose_name="站点", on_delete=models.PROTECT, related_name="staff_replacements"
    )
    agency = models.ForeignKey(
        "accounts.Organisation", verbose_name="用人机构", on_delete=models.PROTECT, related_name="+"
    )
    outgoing = models.OneToOneField(
        Assignment, verbose_name="离岗派驻", on_delete=models.PROTECT, related_name="replaced_by"
    )
    incoming = models.OneToOneField(
        Assignment,
        verbose_name="接替派驻",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
    )
    date = models.DateField("更换日期")
    reason = models.CharField("更换原因", max_length=20, choices=Reason.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="station__division_id",
        agency="agency_id",
        writers={Action.ADD: AGENCY_WRITERS},
    )

    class Meta:
        verbose_name = "人员更换"
        verbose_name_plural = "人员更换"
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.station} {self.date:%Y-%m-%d}"


class StaffingCheck(models.Model):
    """The latest adequacy check of a township station's current team (kept by the daily sweep): what the
    "station short of staff" obligation rests on."""

    station = models.OneToOneField(
        "stations.Station", verbose_name="站点", on_delete=models.CASCADE, related_name="staffing_check"
    )
    adequate = models.BooleanField("符合配备标准")
    short = models.BooleanField("人员不足", default=False)
    short_since = models.DateField("不足起始日期", null=True, blank=True)
    summary = models.CharField("核对结果", max_length=500, blank=True)
    clause = models.CharField("依据条款", max_length=200, blank=True)
    checked_on = models.DateField("核对日期")

    objects = ScopedManager()
    scoping = ScopeRule(division="station__division_id", station="station_id", guardian=False)

    class Meta:
        verbose_name = "人员配备核对"
        verbose_name_plural = "人员配备核对"
        ordering = ["station_id"]

    def __str__(self) -> str:
        return f"{self.station}：{'符合' if self.adequate else '不符合'}"


# --- employment duties (DOMAIN §4: labour contract, monthly pay and insurance, pay target, training) ------------

COUNTY_WRITERS = frozenset({Role.COUNTY_BUREAU})


class AverageWage(models.Model):
    """The county's average wage of a year, entered by the county bureau: the base of the pay target
    ("不低于上年度当地社会平均工资的1.2倍" [003 §3(8)])."""

    division = models.ForeignKey(
        "stations.Division", verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("年平均工资（元）", max_digits=12, decimal_places=2)
    source = models.CharField("数据来源", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="division_id", ancestors=True, writers={Action.ADD: COUNTY_WRITERS, Action.CHANGE: COUNTY_WRITERS}
    )

    class Meta:
        verbose_name = "当地平均工资"
        verbose_name_plural = "当地平均工资"
        ordering = ["division_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "year"],
                name="%(app_label)s_%(class)s_one_per_year",
                violation_error_message="该县本年度的平均工资已登记。",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="%(app_label)s_%(class)s_positive",
                violation_error_message="平均工资须大于零。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.year}"


class _WorkerRecord(models.Model):
    """A record about one worker: scoped like the worker, written by its agency."""

    objects = ScopedManager()
    scoping = ScopeRule(
        division="worker__division_id",
        agency="worker__agency_id",
        writers={Action.ADD: AGENCY_WRITERS, Action.CHANGE: AGENCY_WRITERS},
    )

    class Meta:
        abstract = True


class LabourContract(_WorkerRecord):
    worker = models.ForeignKey(
        SocialWorker, verbose_name="社工", on_delete=models.CASCADE, related_name="labour_contracts"
    )
    start_date = models.DateField("合同开始日期")
    end_date = models.DateField("合同结束日期", null=True, blank=True, help_text="无固定期限合同留空")
    probation_months = models.PositiveSmallIntegerField("试用期（月）", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "劳动合同"
        verbose_name_plural = "劳动合同"
        ordering = ["worker_id", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gt=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message="合同结束日期须晚于开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.start_date}"


class PayRecord(_WorkerRecord):
    """One month's pay of a worker, with the social insurances paid for that month."""

    worker = models.ForeignKey(SocialWorker, verbose_name="社工", on_delete=models.CASCADE, related_name="pay_records")
    month = models.DateField("月份", help_text="该月1日")
    gross_pay = models.DecimalField("应发工资（元）", max_digits=10, decimal_places=2)
    performance_withheld = models.DecimalField("提取的绩效考核工资（元）", max_digits=10, decimal_places=2, default=0)
    insurance_paid = models.BooleanField("已缴五项社会保险", default=False)
    housing_fund_paid = models.BooleanField("已缴住房公积金", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "工资与社保"
        verbose_name_plural = "工资与社保"
        ordering = ["worker_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "month"],
                name="%(app_label)s_%(class)s_one_per_month",
                violation_error_message="该月的工资已登记。",
            ),
            models.CheckConstraint(
                condition=models.Q(gross_pay__gte=0) & models.Q(performance_withheld__gte=0),
                name="%(app_label)s_%(class)s_not_negative",
                violation_error_message="金额不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.month:%Y-%m}"


class TrainingRecord(_WorkerRecord):
    class Kind(models.TextChoices):
        TRAINING = "training", "专业培训"
        SUPERVISION = "supervision", "专业督导"

    class Level(models.TextChoices):
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        OTHER = "other", "其他"

    worker = models.ForeignKey(SocialWorker, verbose_name="社工", on_delete=models.CASCADE, related_name="trainings")
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    level = models.CharField("组织层级", max_length=16, choices=Level.choices, default=Level.COUNTY)
    hours = models.DecimalField("时长（小时/学时）", max_digits=6, decimal_places=1)
    topic = models.CharField("内容", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "培训与督导"
        verbose_name_plural = "培训与督导"
        ordering = ["worker_id", "date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24),
                name="%(app_label)s_%(class)s_hours_in_a_day",
                violation_error_message="时长应在 0 至 24 小时之间。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.date}"


# --- recruitment plans filed with the county bureau (DOMAIN §4; Datian [000 §6(3)]) -------------------------------


class RecruitmentPlan(models.Model):
    """An agency's plan to recruit resident workers in a county for a year, filed with the county bureau
    ("要制定切实可行的驻站社工招聘方案并报县民政局备案" [000 §6(3)]): positions by role, the stations they are
    for, the planned dates. Draft (the agency's own) → filed (the bureau sees it) → acknowledged by the bureau."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        FILED = "filed", "已报县民政局备案"
        ACKNOWLEDGED = "acknowledged", "县民政局已确认备案"

    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="承接机构",
        on_delete=models.PROTECT,
        related_name="recruitment_plans",
    )
    division = models.ForeignKey(
        "stations.Division", verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+"
    )
    stations = models.ManyToManyField(
        "stations.Station", verbose_name="招聘站点", blank=True, related_name="recruitment_plans"
    )
    year = models.PositiveSmallIntegerField("年度")
    heads = models.PositiveSmallIntegerField("站长岗位（人）", default=0)
    full_time = models.PositiveSmallIntegerField("专职社工岗位（人）", default=0)
    part_time = models.PositiveSmallIntegerField("兼职社工岗位（人）", default=0)
    announce_on = models.DateField("发布招聘公告日期")
    interview_on = models.DateField("笔试、面试日期", null=True, blank=True)
    start_on = models.DateField("计划到岗日期")
    conditions = models.TextField("招聘条件和程序", max_length=2000, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    filed_on = models.DateField("报备日期", null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报备人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_on = models.DateField("确认日期", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledge_note = models.CharField("县民政局意见", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    # A township also reads the plans that name one of its stations (never changes them).
    scoping = ScopeRule(
        division="division_id",
        agency="agency_id",
        via="stations__division_id",
        writers={Action.ADD: AGENCY_WRITERS, Action.CHANGE: AGENCY_WRITERS | COUNTY_WRITERS},
    )

    class Meta:
        verbose_name = "驻站社工招聘方案"
        verbose_name_plural = "驻站社工招聘方案"
        ordering = ["-year", "division_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(heads__gt=0) | models.Q(full_time__gt=0) | models.Q(part_time__gt=0),
                name="%(app_label)s_%(class)s_some_position",
                violation_error_message="至少填写一个招聘岗位。",
            ),
            models.CheckConstraint(
                condition=models.Q(start_on__gte=models.F("announce_on")),
                name="%(app_label)s_%(class)s_start_after_announce",
                violation_error_message="计划到岗日期不能早于发布招聘公告日期。",
            ),
            models.CheckConstraint(
                condition=models.Q(interview_on__isnull=True)
                | (
                    models.Q(interview_on__gte=models.F("announce_on"))
                    & models.Q(interview_on__lte=models.F("start_on"))
                ),
                name="%(app_label)s_%(class)s_interview_between",
                violation_error_message="笔试、面试日期应在发布公告之后、计划到岗之前。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年驻站社工招聘方案（{self.agency}）"

    def get_absolute_url(self) -> str:
        return reverse("staffing:recruitment-detail", args=[self.pk])

    @property
    def positions(self) -> int:
        return self.heads + self.full_time + self.part_time
