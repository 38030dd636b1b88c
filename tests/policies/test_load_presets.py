"""Presets and catalogues reach a production install without demo data: ``migrate`` loads them (post_migrate),
``load_presets`` reloads them idempotently, and neither makes any preset the law of a division."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from policies.models import Policy, PolicyPreset, PolicyRule
from policies.registry import preset_files
from services.models import ServiceCatalogue, ServiceItem

pytestmark = pytest.mark.django_db


def test_migrate_loads_presets_and_catalogues_without_attaching_them(demo: None) -> None:
    Policy.objects.all().delete()
    PolicyPreset.objects.all().delete()
    # Station service lists and service records hold on to the catalogue (PROTECT): let it go first.
    from services.models import ServiceRecord, StationServiceList

    StationServiceList.objects.all().delete()
    ServiceRecord.objects.update(item=None)
    ServiceCatalogue.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert PolicyPreset.objects.count() == len(preset_files()) == 5
    assert ServiceItem.objects.filter(domain__catalogue__code="baisha-2023").count() == 30
    assert not Policy.objects.exists() and not PolicyRule.objects.exists()


def test_load_presets_is_idempotent(demo: None) -> None:
    call_command("load_presets", verbosity=0)
    before = sorted(PolicyPreset.objects.values_list("code", "rules"))
    rules_before = PolicyRule.objects.count()
    call_command("load_presets", verbosity=0)
    assert sorted(PolicyPreset.objects.values_list("code", "rules")) == before
    assert PolicyRule.objects.count() == rules_before


def test_catalogue_page_puts_the_places_catalogue_first_and_keeps_luzhous_phases(user_client) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User
    from policies.actions import policy_rule_set

    officer = User.objects.get(username="datian_bureau")
    policy_rule_set(
        acting_user=officer,
        policy=Policy.objects.get(division_id="350425"),
        key="service.catalogue",
        value="luzhou-2021",
        clause="大田县民政局通知 第一条",
    )
    body = user_client("junxi_town").get("/catalogue/").content.decode()
    luzhou, baisha = body.index("泸州市社工站服务领域"), body.index("白沙黎族自治县社工站服务清单")
    assert luzhou < body.index("其他地方的参考清单") < baisha
    assert "白沙黎族自治县的清单，供参考" in body and "本区划适用" in body
    assert body.count("率先开展") == 5 and body.count("后期拓展") == 10
    assert "《泸州市社会工作服务体系建设试点工作方案》 第五部分第（六）项" in body
