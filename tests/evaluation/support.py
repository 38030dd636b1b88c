"""Rows the evaluation tests share: a Datian agreement landed on 均溪镇 with a station granted to the evaluator,
an evaluation of it, and Baisha-like weights put on Datian's policy where a test needs a total."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from accounts.models import Organisation, User
from contracts.models import Contract
from evaluation.actions import _grant
from evaluation.models import Evaluation, PartyScore
from policies.models import Policy, PolicyRule
from stations.models import Station

DATIAN = "350425"
OTHER_COUNTY = "350424"  # 清流县
_seq = itertools.count(1)


def user(username: str) -> User:
    return User.objects.get(username=username)


def evaluator_org() -> Organisation:
    return user("evaluator").organisation  # type: ignore[return-value]


def junxi() -> Organisation:
    return user("junxi_town").organisation  # type: ignore[return-value]


def granted_station(org: Organisation | None = None) -> Station:
    """均溪镇's township station, granted to the evaluator organisation (directly, as the grant page does)."""
    from guardian.shortcuts import assign_perm

    from stations.actions import evaluator_group

    station = Station.objects.filter(division__code__startswith=junxi().division_id).order_by("pk").first()
    assert station is not None
    assign_perm("stations.view_station", evaluator_group(org or evaluator_org()), station)
    return station


def bureau(code: str = DATIAN) -> Organisation:
    return Organisation.objects.get_or_create(
        kind=Organisation.Kind.BUREAU, division_id=code, defaults={"name": f"{code}民政局"}
    )[0]


def contract(
    code: str | None = None, status: str = Contract.Status.ACTIVE, year: int = 2026, township: bool = True
) -> Contract:
    division = code or junxi().division_id
    c = Contract.objects.create(
        number=f"EV-{next(_seq)}",
        buyer=bureau(DATIAN if division.startswith(DATIAN) else division[:6]),
        division_id=division,
        township=junxi() if township and division.startswith(junxi().division_id) else None,
        agency=Organisation.objects.get(name="大田县阳光社会工作服务中心"),
        status=status,
        signed_date=dt.date(year - 1, 12, 20),
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 12, 31),
        amount_per_year=Decimal("250000.00"),
    )
    if division.startswith(DATIAN):
        c.stations.add(granted_station())
    else:
        station = Station.objects.create(division_id=division, level=Station.Level.COUNTY_HQ, name=f"外县站{c.pk}")
        c.stations.add(station)
    return c


def evaluation(
    c: Contract | None = None,
    stage: str = Evaluation.Stage.FINAL,
    *,
    granted: bool = True,
    evaluator: Organisation | None = None,
    state: str = Evaluation.State.OPEN,
) -> Evaluation:
    """An evaluation of ``c``, by default already past the agency's self-evaluation (open for the parties'
    scores); ``state=Evaluation.State.SELF`` for one still waiting for it."""
    c = c or contract()
    org = evaluator or evaluator_org()
    e = Evaluation.objects.create(
        contract=c,
        service_year=c.start_date.year,
        stage=stage,
        evaluator=org,
        created_by=user("datian_bureau"),
        state=state,
    )
    if granted:
        _grant(org, e)
    return e


def scored(e: Evaluation, third: str = "85", county: str = "90", town: str = "80") -> Evaluation:
    for party, value, org_user in [
        (PartyScore.Party.THIRD_PARTY, third, "evaluator"),
        (PartyScore.Party.COUNTY_BUREAU, county, "datian_bureau"),
        (PartyScore.Party.TOWNSHIP, town, "junxi_town"),
    ]:
        u = user(org_user)
        assert u.organisation is not None
        PartyScore.objects.create(
            evaluation=e, party=party, score=Decimal(value), organisation=u.organisation, entered_by=u
        )
    return e


def datian_weights() -> PolicyRule:
    """Weights on Datian's own policy (its real plan sets none), for tests that need a total."""
    policy = Policy.objects.get(division_id=DATIAN)
    rule, _ = PolicyRule.objects.update_or_create(
        policy=policy,
        key="evaluation.weights",
        defaults={
            "value": {"third_party": "0.6", "county_bureau": "0.3", "township": "0.1"},
            "clause": "[000 §5(5)]",
            "quote": "测试用权重",
        },
    )
    return rule


def finalized(passed: bool = True, c: Contract | None = None) -> Evaluation:
    """A final evaluation with its result fixed (total 86.00, pass mark 60 or 90)."""
    e = scored(evaluation(c))
    Evaluation.objects.filter(pk=e.pk).update(
        state=Evaluation.State.FINAL,
        total=Decimal("86.00"),
        pass_mark=Decimal("60") if passed else Decimal("90"),
        passed=passed,
        finalized_by=user("datian_bureau"),
    )
    e.refresh_from_db()
    return e


def api(client: Any, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/{path}", data or {}, content_type="application/json")


def template(org: Organisation | None = None, preset: str = "baisha-2023") -> Any:
    """A fresh evaluation template of ``org`` (Datian's bureau by default) from a shipped preset, maxima unset,
    written directly (as a bureau adopting it would leave it)."""
    from evaluation.indicators import presets
    from evaluation.models import EvaluationTemplate, TemplateIndicator

    org = org or user("datian_bureau").organisation
    assert org is not None
    EvaluationTemplate.objects.filter(bureau=org).delete()
    data = presets()[preset]
    t = EvaluationTemplate.objects.create(
        bureau=org, preset=preset, name=data["name"], clause=data["clause"], adopted_by=user("admin")
    )
    for position, aspect in enumerate(data["aspects"], start=1):
        TemplateIndicator.objects.create(
            template=t, aspect=aspect["name"], aspect_clause=aspect["clause"], name=aspect["name"], position=position
        )
    return t


def with_report(c: Contract) -> Contract:
    """The year's evaluation report on the agreement (the document a by-hand renewal outcome rests on)."""
    import hashlib

    from django.core.files.base import ContentFile

    from contracts.models import ContractDocument
    from tests.contracts.docs_support import PDF

    document = ContractDocument(
        contract=c,
        kind=ContractDocument.Kind.EVALUATION_REPORT,
        title=f"{c.start_date.year}年度评估报告",
        original_name="评估报告.pdf",
        content_type="application/pdf",
        extension=".pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=User.objects.get(username="datian_bureau"),
    )
    document.file.save("upload", ContentFile(PDF), save=True)
    return c
