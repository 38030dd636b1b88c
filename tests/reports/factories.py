"""Fresh briefs and reports for the tenancy checks (each call makes a new row)."""

from __future__ import annotations

import datetime as dt
import itertools

from accounts.models import Organisation, User
from contracts.models import Contract
from evaluation.reports.models import MonthlyBrief, PeriodicReport
from stations.models import Division, Station

_periods = itertools.count(0)
BAISHA = "469025"


def _period() -> str:
    n = next(_periods)
    return f"{2001 + n // 12}-{n % 12 + 1:02d}"


def town_division(username: str) -> str:
    org = User.objects.get(username=username).organisation
    assert org is not None
    return org.division_id


def contract_in(code: str) -> Contract:
    contract = Contract.objects.filter(division_id=code, status=Contract.Status.ACTIVE).order_by("pk").first()
    assert contract is not None, code
    return contract


def baisha_contract() -> Contract:
    found = (
        Contract.objects.filter(division_id=BAISHA, status=Contract.Status.ACTIVE, stations__isnull=False)
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    baisha = Division.objects.get(code=BAISHA)
    bureau, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.BUREAU, division=baisha, defaults={"name": "白沙黎族自治县民政局"}
    )
    agency = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name="白沙报告测试社工中心", division=baisha)
    station = Station.objects.filter(division=baisha).order_by("pk").first() or Station.objects.create(
        division=baisha, level=Station.Level.COUNTY_HQ, name="白沙报告测试社工总站"
    )
    contract = Contract.objects.create(
        number="BS-REPORTS-HQ",
        buyer=bureau,
        division=baisha,
        agency=agency,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        status=Contract.Status.ACTIVE,
    )
    contract.stations.add(station)
    return contract


def brief(state: str = MonthlyBrief.State.DRAFT, *, contract: Contract | None = None, **fields: object) -> MonthlyBrief:
    contract = contract or contract_in(town_division("junxi_town"))
    station = contract.stations.order_by("division_id", "pk").first()
    assert station is not None
    values: dict[str, object] = {
        "station": station,
        "contract": contract,
        "agency_id": contract.agency_id,
        "division_id": station.division_id,
        "period": _period(),
        "due_date": dt.date(2030, 1, 26),
        "state": state,
        "narrative": "本月开展入户走访。",
    }
    values.update(fields)
    return MonthlyBrief.objects.create(**values)


def agency_user(contract: Contract) -> str:
    user = User.objects.filter(organisation_id=contract.agency_id).order_by("pk").first()
    assert user is not None
    return user.username


def periodic(owner: Organisation, division: str, state: str = PeriodicReport.State.DRAFT) -> PeriodicReport:
    return PeriodicReport.objects.create(
        kind=PeriodicReport.Kind.COUNTY_SELF_EVALUATION,
        period=_period(),
        period_label="测试年度",
        owner=owner,
        division_id=division,
        notify_division_id=division[:4],
        due_date=dt.date(2030, 11, 30),
        state=state,
    )


def datian_bureau_org() -> Organisation:
    org = User.objects.get(username="datian_bureau").organisation
    assert org is not None
    return org
