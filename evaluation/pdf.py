"""The evaluation report as a Chinese PDF (WeasyPrint, through core.personal.exports.pdf_response like the monthly
brief): the agreement and its stations, the agency's self-evaluation, each party's score with its indicators and
aspects (only the shares the reader may read, the rule of the page and the API), the weighted total and the
findings with their clauses. Fonts are the system's Noto CJK faces, embedded as subsets; the text stays selectable.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from accounts.models import User

from .api.serializers import visible_parties
from .indicators import aspect_totals
from .models import Evaluation, PartyScore


def report_title(evaluation: Evaluation, stations: list[str]) -> str:
    where = "、".join(stations) or evaluation.contract.division.name
    return f"{where}{evaluation.service_year}年度{evaluation.get_stage_display()}报告"


def report_context(user: User, evaluation: Evaluation) -> dict[str, Any]:
    """What the report shows to ``user`` (who has already been given ``evaluation`` through ``for_user``)."""
    from . import actions

    stations = list(evaluation.contract.stations.order_by("name").values_list("name", flat=True))
    shown = visible_parties(user, evaluation)
    scores = {s.party: s for s in evaluation.scores.all()}
    parties = []
    for code, label in PartyScore.Party.choices:
        if shown is not None and code not in shown:
            continue
        entry = scores.get(code)
        items = list(entry.items.all()) if entry is not None else []
        parties.append({"label": label, "entry": entry, "items": items, "aspects": aspect_totals(items)})
    try:
        own = evaluation.self_evaluation
    except ObjectDoesNotExist:
        own = None
    own_items = list(own.items.all()) if own is not None else []
    context: dict[str, Any] = {
        "evaluation": evaluation,
        "title": report_title(evaluation, stations),
        "stations": stations,
        "self_eval": own,
        "self_items": own_items,
        "self_aspects": aspect_totals(own_items),
        "parties": parties,
        "all_parties": shown is None,
        "generated": timezone.localdate(),
        "preview": None,
        "mark": None,
    }
    if shown is None and evaluation.state != Evaluation.State.FINAL:
        policy, result = actions.current_score(evaluation)
        context["preview"] = result
        context["mark"] = actions.applicable_mark(policy, evaluation.contract.buyer_id)
    return context
