"""People for the isolation suite and the personal-data tests: adults, children under 14, and a person of
unknown birth date, in several Datian townships and one place outside the county."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.personal.idnumber import check_character
from stations.models import Division

from .models import Person

COUNTY = "350425"


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        base = today.replace(year=today.year - years)
    except ValueError:
        base = dt.date(today.year - years, 2, 28)
    return base - dt.timedelta(days=days)


def _person(division: Division, name: str, birth: dt.date | None, seq: int, phone: str) -> Person:
    region = division.code[:6]
    person = Person(
        division=division,
        name=name,
        id_number=make_id_number(region, birth, seq) if birth else "",
        phone=phone,
        address=f"{division.full_name()}{seq % 9 + 1}组{seq}号",
    )
    person.full_clean()
    person.save()
    return person


def load_people() -> None:
    if Person.objects.exists():
        return
    townships = list(Division.objects.filter(code__startswith=COUNTY, level=Division.Level.TOWNSHIP).order_by("code"))
    seq = 100
    for n, township in enumerate(townships[:4]):
        village = Division.objects.filter(code__startswith=township.code, level=Division.Level.VILLAGE).order_by("code")
        place = village.first() or township
        seq += 2
        _person(place, f"成人{n}", years_ago(45, n), seq + 1, f"1380000{n:04d}")
        _person(township, f"儿童{n}", years_ago(9, n), seq + 2, f"0598-72{n:05d}")
    _person(townships[0], "未知生日", None, 999, "13900000000")
    # Another county of the same province (the provincial bureau sees it, Datian does not), else anywhere.
    other = Division.objects.exclude(code__startswith=COUNTY).filter(level__gte=Division.Level.COUNTY)
    outside = other.filter(code__startswith=COUNTY[:2]).order_by("-level", "code").first() or other.first()
    if outside is not None:
        _person(outside, "县外成人", years_ago(50), 501, "13700000000")
        _person(outside, "县外儿童", years_ago(5), 502, "13700000001")
