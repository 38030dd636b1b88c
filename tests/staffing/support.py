"""Places under each preset for the staffing tests: townships created under Baisha, Luzhou and a Nantong city."""

from __future__ import annotations

from policies.actions import preset_adopt
from policies.models import PolicyPreset
from stations.models import Division

BAISHA_TOWN = "469025100"
LUZHOU_TOWN = "510502001"
NANTONG_TOWN = "320682100"
DATIAN_TOWN = "350425100"


def township(code: str, name: str, villages: int = 0) -> Division:
    county = Division.objects.get(code=code[:6])
    town, _ = Division.objects.get_or_create(
        code=code, defaults={"name": name, "level": Division.Level.TOWNSHIP, "parent": county}
    )
    for n in range(villages):
        Division.objects.get_or_create(
            code=f"{code}{n + 1:03d}", defaults={"name": f"{name}第{n + 1}村", "level": 5, "parent": town}
        )
    return town


def nantong_policy() -> None:
    """The Nantong preset adopted by 如皋市 (the demo adopts it nowhere: its issuer is unnamed)."""
    preset = PolicyPreset.objects.get(code="nantong-2022")
    preset_adopt.__wrapped__(acting_user=None, preset=preset, division=Division.objects.get(code="320682"))  # type: ignore[attr-defined]


def places() -> None:
    township(BAISHA_TOWN, "牙叉镇")
    township(LUZHOU_TOWN, "南城街道")
    township(NANTONG_TOWN, "如城街道", villages=13)
    nantong_policy()
