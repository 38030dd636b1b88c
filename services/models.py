from __future__ import annotations

from django.db import models

from core.scoping import ScopedManager, ScopeRule


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
