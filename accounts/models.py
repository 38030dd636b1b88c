from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.scoping import BUREAU_ROLES, Role, ScopedManager, ScopeRule, scope_of

from .validators import validate_credit_code


class Organisation(models.Model):
    """A tenant: a civil-affairs bureau, a township government, an agency or an evaluator (DOMAIN §1)."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", "民政部门"
        TOWNSHIP = "township", "乡镇人民政府"
        AGENCY = "agency", "社工机构"
        EVALUATOR = "evaluator", "第三方评估机构"

    class Rating(models.TextChoices):
        A1 = "1A", "1A"
        A2 = "2A", "2A"
        A3 = "3A", "3A"
        A4 = "4A", "4A"
        A5 = "5A", "5A"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        SUSPENDED = "suspended", "暂停"
        DEREGISTERED = "deregistered", "已注销"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=120)
    division = models.ForeignKey(
        "stations.Division",
        verbose_name="所在行政区划",
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, null=True, unique=True, validators=[validate_credit_code]
    )
    rating = models.CharField("社会组织评估等级", max_length=2, choices=Rating.choices, blank=True)
    is_local = models.BooleanField("本地机构", default=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    # Who sees which organisations (issue 6): bureaus and townships every organisation in their subtree and
    # the bureaus above them; agencies and evaluators their own organisation and the government bodies
    # (bureaus, townships) where they work and above — never another agency's or evaluator's record.
    scoping = ScopeRule(
        division="division_id",
        owner="pk",
        ancestors=True,
        ancestors_q=models.Q(kind="bureau"),
        station_q=models.Q(kind__in=["bureau", "township"]),
    )

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["division_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "division"],
                condition=models.Q(kind__in=["bureau", "township"]),
                name="%(app_label)s_%(class)s_one_government_per_division",
                violation_error_message="该行政区划已有同类政府机构。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active_org(self) -> bool:
        return self.status == self.Status.ACTIVE

    def clean(self) -> None:
        if self.kind == self.Kind.AGENCY and not self.credit_code:
            raise ValidationError({"credit_code": "社工机构须填写统一社会信用代码。"})
        if self.kind == self.Kind.BUREAU and self.division_id and len(self.division_id) not in (2, 4, 6):
            raise ValidationError({"division": "民政部门只能设在省、市、县级行政区划。"})
        if self.kind == self.Kind.TOWNSHIP and self.division_id and len(self.division_id) != 9:
            raise ValidationError({"division": "乡镇人民政府须对应乡镇（街道）级行政区划。"})
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()


class User(AbstractUser):
    """A person; belongs to exactly one organisation (none only for system administrators)."""

    class Position(models.TextChoices):
        OFFICER = "officer", "工作人员"
        MANAGER = "manager", "负责人"
        SOCIAL_WORKER = "social_worker", "驻站社工"
        EVALUATOR = "evaluator", "评估人员"

    organisation = models.ForeignKey(
        Organisation, verbose_name="所属机构", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    position = models.CharField("岗位", max_length=16, choices=Position.choices, default=Position.OFFICER)
    full_name = models.CharField("姓名", max_length=60, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # A township government's village civil-affairs worker (村级民政专干): the account's scope is narrowed to
    # this village's subtree (core.scoping Role.VILLAGE) and it is told of the village's visit problems.
    village = models.ForeignKey(
        "stations.Division",
        verbose_name="负责村（社区）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="仅乡镇人民政府的村级民政专干填写；填写后该账号只能看到本村（社区）的数据。",
    )

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.village_id:
            org = self.organisation
            if org is None or org.kind != Organisation.Kind.TOWNSHIP:
                raise ValidationError({"village": "只有乡镇人民政府的账号可以指定负责的村（社区）。"})
            if len(self.village_id) != 12 or not self.village_id.startswith(org.division_id):
                raise ValidationError({"village": "负责的村（社区）须是本乡镇（街道）下辖的村（社区）。"})

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        if self.pk is not None:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user_id=self.pk).delete()  # a new password revokes API tokens

    @property
    def role(self) -> Role:
        return scope_of(self).role

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, "未授权")

    @property
    def is_bureau(self) -> bool:
        """A civil-affairs bureau account (province, city or county)."""
        return self.role in BUREAU_ROLES

    @property
    def can_manage_org_users(self) -> bool:
        from .actions import can_manage_org_users

        return can_manage_org_users(self)


ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: "系统管理员",
    Role.PROVINCE_BUREAU: "省级民政部门",
    Role.CITY_BUREAU: "市级民政部门",
    Role.COUNTY_BUREAU: "县级民政局",
    Role.TOWNSHIP: "乡镇（街道）",
    Role.VILLAGE: "村级民政专干",
    Role.AGENCY: "社工机构",
    Role.EVALUATOR: "第三方评估机构",
    Role.NONE: "未授权",
}
