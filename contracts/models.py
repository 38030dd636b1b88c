from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from core.scoping import Role, ScopedManager, ScopeRule

COUNTY_WRITERS = frozenset({Role.COUNTY_BUREAU})


class Contract(models.Model):
    """Three-party purchase agreement: county bureau (buyer), township (landing party), agency (provider).

    Minimal for now (issue 2): it makes an agency's scope real. [000 §5(3)], [001 annex 2 item 11]
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟"
        ACTIVE = "active", "履行中"
        TERMINATED = "terminated", "已终止"
        EXPIRED = "expired", "已到期"

    class Method(models.TextChoices):
        OPEN_TENDER = "open_tender", "公开招标"
        INVITED_TENDER = "invited_tender", "邀请招标"
        NEGOTIATION = "negotiation", "竞争性谈判"
        CONSULTATION = "consultation", "竞争性磋商"
        SINGLE_SOURCE = "single_source", "单一来源采购"

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
    procurement_method = models.CharField("采购方式", max_length=20, choices=Method.choices, blank=True)
    signed_date = models.DateField("签订日期", null=True, blank=True)
    start_date = models.DateField("服务开始日期")
    end_date = models.DateField("服务结束日期")
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
        if errors:
            raise ValidationError(errors)
