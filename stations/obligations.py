"""The station-setup milestones as obligation kinds (registered in StationsConfig.ready()).

Each milestone is a dated rule of the policy in force at the station's division (policies/data/rules.json,
section "milestones"); a station whose division has no such date owes nothing. Who owes it: the township
government of the station's township (the documents address 各乡(镇)); who is told: the county bureau.

- 完成挂牌（揭牌）  ``milestone.signage_done``: Datian [000 §4(5)] "各乡(镇)要在2021年5月底前全部完成挂牌";
  Baisha [002 §9(1)] "2023年6月底前……完成社工站揭牌". Done when the station's plaque date is recorded.
- 开展驻站服务  ``milestone.staff_deployed``: Datian [000 §5(4)] "开展驻站服务(2021年6月上旬完成)";
  Baisha [002 §9(1)] "2023年6月底前配齐驻站社工队伍". Done when the station is operating (or has operated and
  is suspended).
- 落实站点场地  ``milestone.site_secured``: Baisha [002 §9(1)] "2023年2月底前落实乡镇社会工作服务站点场地".
  Done when the station's address and floor area are recorded.

A closed station owes none of them any more: the sweep waives what is still open, with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Substr

from core.scoping import Action

from .models import Station

OPEN_LEVELS = [Station.Level.TOWNSHIP]


def milestone_rows(rule_key: str, label: str) -> Any:
    def rows(actor: Any, today: dt.date) -> QuerySet[Station]:
        from accounts.models import Organisation
        from obligations.policy_dates import dated_sources, due_expressions
        from obligations.registry import url_expression

        due, clause = due_expressions(dated_sources(actor, rule_key))
        township_government = (
            Organisation.objects.for_user(actor, Action.VIEW)
            .filter(kind=Organisation.Kind.TOWNSHIP, division_id=OuterRef("division_id"))
            .order_by("pk")
            .values("pk")[:1]
        )
        return (
            Station.objects.for_user(actor, Action.VIEW)
            .filter(level__in=OPEN_LEVELS)
            .exclude(status=Station.Status.CLOSED)
            .annotate(
                ob_object_id=F("pk"),
                ob_period=Value("", output_field=CharField()),
                ob_title=Concat("name", Value(f"：{label}"), output_field=CharField()),
                ob_owner_id=Subquery(township_government),
                ob_division_id=F("division_id"),
                ob_notify_division_id=Substr("division_id", 1, 6),
                ob_due_date=due,
                ob_rule_key=Value(rule_key, output_field=CharField()),
                ob_clause=clause,
                ob_link=url_expression("station-detail"),
            )
            .filter(ob_due_date__isnull=False)
        )

    return rows


def register_kinds() -> None:
    from obligations.registry import ObligationKind, register

    closed = Q(status=Station.Status.CLOSED)
    register(
        ObligationKind(
            key="station.signage",
            label="完成挂牌（揭牌）",
            model=Station,
            rows=milestone_rows("milestone.signage_done", "完成挂牌（揭牌）"),
            done=Q(plaque_date__isnull=False),
            void=closed,
            void_reason="站点已关闭，不再需要挂牌。",
            description="在站点页面填写挂牌日期即视为完成。",
        )
    )
    register(
        ObligationKind(
            key="station.opening",
            label="开展驻站服务",
            model=Station,
            rows=milestone_rows("milestone.staff_deployed", "开展驻站服务"),
            done=Q(status__in=[Station.Status.OPERATING, Station.Status.SUSPENDED]),
            void=closed,
            void_reason="站点已关闭，不再需要开展驻站服务。",
            description="站点状态改为“运营中”即视为完成。",
        )
    )
    register(
        ObligationKind(
            key="station.site",
            label="落实站点场地",
            model=Station,
            rows=milestone_rows("milestone.site_secured", "落实站点场地"),
            done=Q(floor_area__isnull=False) & ~Q(address=""),
            void=closed,
            void_reason="站点已关闭，不再需要落实场地。",
            description="在站点页面填写地址和场地面积即视为完成。",
        )
    )
