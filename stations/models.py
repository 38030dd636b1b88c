from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.scoping import Role, ScopedManager, ScopeRule, ancestor_codes

LEVEL_BY_LENGTH = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}


class Division(models.Model):
    """An administrative division with its NBS statistical code (DOMAIN §2).

    The code is the primary key; its prefixes are the path to the root, so a
    subtree is ``code LIKE '350425%'`` (indexed with varchar_pattern_ops).
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, "省级"
        CITY = 2, "地级"
        COUNTY = 3, "县级"
        TOWNSHIP = 4, "乡级"
        VILLAGE = 5, "村级"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = ScopedManager()
    scoping = ScopeRule(division="code", ancestors=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if len(self.code) not in LEVEL_BY_LENGTH or not self.code.isdigit():
            raise ValidationError({"code": "区划代码应为 2、4、6、9 或 12 位数字。"})

    @property
    def ancestor_codes(self) -> list[str]:
        return ancestor_codes(self.code)

    def ancestors(self) -> list[Division]:
        by_code = Division.objects.in_bulk(self.ancestor_codes)
        return [by_code[c] for c in self.ancestor_codes if c in by_code]

    def full_name(self) -> str:
        names = [d.name for d in self.ancestors() if d.name not in ("市辖区", "县", "省直辖县级行政区划")]
        return "".join([*names, self.name])


# Plain words for each division level, for messages (“乡级” is the statistical term, not what people say).
PLACE_WORDS = {
    Division.Level.PROVINCE: "省（自治区、直辖市）",
    Division.Level.CITY: "地级市（州、盟）",
    Division.Level.COUNTY: "县（市、区）",
    Division.Level.TOWNSHIP: "乡镇（街道）",
    Division.Level.VILLAGE: "村（社区）",
}

FUNCTIONAL_ROOMS = ["社工办公室", "个案工作室", "社工服务中心", "志愿服务中心"]  # "两室两中心" [002 §6(1)]

# A station's rooms: at most MAX_ROOMS names of at most MAX_ROOM_NAME characters. Checked in Station.clean,
# so the edit page, the API (station_update runs full_clean) and the admin share the one bound.
MAX_ROOMS = 20
MAX_ROOM_NAME = 30


def validate_rooms(rooms: object) -> None:
    if not isinstance(rooms, list):
        raise ValidationError("功能室应为名称列表。")
    if len(rooms) > MAX_ROOMS:
        raise ValidationError(f"功能室最多 {MAX_ROOMS} 个。")
    if not all(isinstance(r, str) and r.strip() for r in rooms):
        raise ValidationError("功能室名称不能为空。")
    if any(len(r) > MAX_ROOM_NAME for r in rooms):
        raise ValidationError(f"每个功能室名称不能超过 {MAX_ROOM_NAME} 个字符。")


COUNTY_WRITERS = frozenset({Role.COUNTY_BUREAU})


class Station(models.Model):
    """A social-work station at one level of the network (DOMAIN §2)."""

    class Level(models.TextChoices):
        CITY_CENTRE = "city_centre", "市级服务指导中心"
        COUNTY_HQ = "county_hq", "县级社工总站"
        REGIONAL = "regional", "区域性中心社工站"
        TOWNSHIP = "township", "乡镇（街道）社工站"
        VILLAGE = "village", "村（社区）社工服务点"

    class Status(models.TextChoices):
        PLANNED = "planned", "规划中"
        PREPARING = "preparing", "筹建中"
        OPERATING = "operating", "运营中"
        SUSPENDED = "suspended", "暂停运营"
        CLOSED = "closed", "已关闭"

    # planned → preparing → operating → suspended/closed [DOMAIN §2]
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PLANNED: frozenset({Status.PREPARING, Status.CLOSED}),
        Status.PREPARING: frozenset({Status.OPERATING, Status.CLOSED}),
        Status.OPERATING: frozenset({Status.SUSPENDED, Status.CLOSED}),
        Status.SUSPENDED: frozenset({Status.OPERATING, Status.CLOSED}),
        Status.CLOSED: frozenset(),
    }

    # Division level a station of each level sits on.
    DIVISION_LEVEL = {
        Level.CITY_CENTRE: Division.Level.CITY,
        Level.COUNTY_HQ: Division.Level.COUNTY,
        Level.REGIONAL: Division.Level.TOWNSHIP,
        Level.TOWNSHIP: Division.Level.TOWNSHIP,
        Level.VILLAGE: Division.Level.VILLAGE,
    }

    division = models.ForeignKey(
        Division, verbose_name="所在行政区划", on_delete=models.PROTECT, related_name="stations"
    )
    level = models.CharField("站点层级", max_length=16, choices=Level.choices)
    name = models.CharField("标准挂牌名称", max_length=120)
    address = models.CharField("地址", max_length=200, blank=True)
    floor_area = models.DecimalField(
        "场地面积（m²）", max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    rooms = models.JSONField("功能室", default=list, blank=True)
    plaque_date = models.DateField("挂牌日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PLANNED)
    star_rating = models.PositiveSmallIntegerField(
        "星级", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    covered_townships = models.ManyToManyField(
        Division, verbose_name="覆盖乡镇", blank=True, related_name="regional_centres"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scoping = ScopeRule(
        division="division_id",
        station="pk",
        guardian=True,
        writers={"add": COUNTY_WRITERS, "change": COUNTY_WRITERS, "delete": COUNTY_WRITERS},
    )

    class Meta:
        verbose_name = "社工站"
        verbose_name_plural = "社工站"
        ordering = ["division_id", "level"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(star_rating__isnull=True) | models.Q(star_rating__gte=1, star_rating__lte=5),
                name="%(app_label)s_%(class)s_star_rating_1_5",
                violation_error_message="星级应为 1–5 星。",
            ),
            models.CheckConstraint(
                condition=models.Q(floor_area__isnull=True) | models.Q(floor_area__gte=0),
                name="%(app_label)s_%(class)s_floor_area_positive",
                violation_error_message="场地面积不能为负数。",
            ),
            models.UniqueConstraint(
                fields=["division", "level"],
                condition=models.Q(level__in=["county_hq", "township", "village"]) & ~models.Q(status="closed"),
                name="%(app_label)s_%(class)s_one_open_per_division_level",
                violation_error_message="该行政区划已有同层级的在用站点。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.division_id and self.level:
            expected = self.DIVISION_LEVEL[self.Level(self.level)]
            if len(self.division_id) != {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}[expected]:
                actual = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}.get(len(self.division_id), 0)
                place = PLACE_WORDS.get(Division.Level(actual), "") if actual else ""
                raise ValidationError(
                    {
                        "division": f"{self.Level(self.level).label}要建在{PLACE_WORDS[expected]}，"
                        f"而所选地点是{place or '其他层级的区划'}。"
                        "请改选地点，或改选与地点相符的站点层级。"
                    }
                )
        try:
            validate_rooms(self.rooms)
        except ValidationError as exc:
            raise ValidationError({"rooms": exc.messages}) from None

    @classmethod
    def check_transition(cls, current: str, new: str) -> None:
        """Status moves only along the lifecycle (DOMAIN §2); anything else is a ValidationError on ``status``."""
        if new != current and new not in cls.TRANSITIONS[cls.Status(current)]:
            raise ValidationError(
                {"status": f"站点状态不能从“{cls.Status(current).label}”改为“{cls.Status(new).label}”。"}
            )

    @property
    def county_code(self) -> str:
        return self.division_id[:6]


class StationUserObjectPermission(UserObjectPermissionBase):
    """Direct-foreign-key guardian table (guardian docs, performance)."""

    content_object = models.ForeignKey(Station, on_delete=models.CASCADE)


class StationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Station, on_delete=models.CASCADE)
