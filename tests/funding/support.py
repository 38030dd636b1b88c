"""Places for the funding tests: a county's bureau and a township station run by an agency under an agreement in
force, in Datian (demo), Baisha, Luzhou or Nantong (their policies: DOMAIN §7)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organisation, User
from contracts.models import Contract
from stations.models import Division, Station

_seq = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Place:
    bureau: User
    agency: User
    station: Station
    county: Division


def _division(code: str, name: str, level: int, parent: str | None) -> Division:
    return Division.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})[0]


def place(county: str, *, status: str = Station.Status.OPERATING, plaque: dt.date | None = None) -> Place:
    """A township station of ``county`` with its bureau and agency (new accounts each call, except in Datian)."""
    names = {
        "469025": ("白沙黎族自治县", "4690", "省直辖县级行政区划", "46", "海南省"),
        "510502": ("江阳区", "5105", "泸州市", "51", "四川省"),
        "320612": ("通州区", "3206", "南通市", "32", "江苏省"),
        "350425": ("大田县", "3504", "三明市", "35", "福建省"),
    }
    name, city, city_name, province, province_name = names[county]
    _division(province, province_name, 1, None)
    _division(city, city_name, 2, province)
    division = _division(county, name, 3, city)
    n = next(_seq)
    town = _division(f"{county}{800 + n:03d}", f"测试{n}镇", 4, county)
    _division(f"{town.code}201", f"测试{n}村", 5, town.code)
    if county == "350425":
        bureau = User.objects.get(username="datian_bureau")
    else:
        org = Organisation.objects.filter(kind="bureau", division=division).first() or Organisation.objects.create(
            kind="bureau", name=f"{name}民政局", division=division
        )
        bureau = User.objects.create_user(f"fund_bureau_{n}", password="Xx-12345678", organisation=org)
    agency_org = Organisation.objects.create(kind="agency", name=f"测试社工机构{n}", division=division)
    agency = User.objects.create_user(f"fund_agency_{n}", password="Xx-12345678", organisation=agency_org)
    station = Station.objects.create(
        division=town,
        level=Station.Level.TOWNSHIP,
        name=f"{name}测试{n}镇社会工作服务站",
        status=status,
        plaque_date=plaque,
    )
    today = timezone.localdate()
    contract = Contract.objects.create(
        number=f"FUND-{n}",
        buyer=bureau.organisation,
        division=town,
        agency=agency_org,
        start_date=today.replace(month=1, day=1),
        end_date=today.replace(month=12, day=31),
        status=Contract.Status.ACTIVE,
    )
    contract.stations.add(station)
    return Place(bureau, agency, station, division)


def pdf(data: bytes = PDF, name: str = "receipt.pdf") -> Any:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png() -> Any:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 250, 250)).save(out, format="PNG")
    return SimpleUploadedFile("receipt.png", out.getvalue(), content_type="image/png")


def set_rule(county: str, key: str, value: Any, clause: str = "测试：局务会议确定") -> None:
    """A bureau decision on the county's own policy (the documents are silent on it)."""
    from policies.models import Policy, PolicyRule

    policy, _ = Policy.objects.get_or_create(division_id=county, defaults={"name": "本级补充规定"})
    PolicyRule.objects.update_or_create(policy=policy, key=key, defaults={"value": value, "clause": clause})


def adopt_nantong() -> None:
    """Nantong city adopts its preset (the demo holds no Nantong policy) through the bureau's action."""
    from policies.actions import preset_adopt
    from policies.models import Policy, PolicyPreset

    if Policy.objects.filter(division_id="3206").exists():
        return
    city = _division("3206", "南通市", 2, "32")
    org = Organisation.objects.create(kind="bureau", name="南通市民政局", division=city)
    officer = User.objects.create_user("nantong_city_fund", password="Xx-12345678", organisation=org)
    preset_adopt(acting_user=officer, preset=PolicyPreset.objects.get(code="nantong-2022"), division=city)
