"""Evaluation templates (评估指标体系, issue 11 item 5): the shipped policy templates carry each aspect's clause and
no invented maximum; a county bureau adopts one and sets maxima (audited); where the buyer bureau has a template a
party scores indicator by indicator, its party score being the total scaled to 100, two places, half up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.models import AuditLog
from evaluation import actions
from evaluation.indicators import aspect_totals, parse_indicator_score, party_total, presets
from evaluation.models import EvaluationTemplate, IndicatorScore, PartyScore

from .support import api, evaluation, user

pytestmark = pytest.mark.django_db

D = Decimal


# --- the shipped templates are policy data -------------------------------------------------------------------


def test_shipped_templates_name_the_clause_of_each_aspect_and_no_maximum() -> None:
    shipped = presets()
    luzhou, baisha = shipped["luzhou-2021"], shipped["baisha-2023"]
    assert [a["name"] for a in luzhou["aspects"]] == [
        "服务质量标准",
        "服务量及服务成果标准",
        "专业服务标准",
        "服务项目管理标准",
    ]
    assert [a["name"] for a in baisha["aspects"]] == ["项目实施", "项目管理", "服务绩效", "资金使用"]
    for data in (luzhou, baisha):
        assert data["max_scores"] == "ask_bureau"
        for aspect in data["aspects"]:
            assert aspect["clause"] in {"[001 annex 2 item 17(4)]", "[002 §7(2)]"}
            assert all("max_score" not in i for i in aspect["indicators"])  # the documents set none
    # The quotes are in the seeds, word for word (not paraphrased numbers).
    from pathlib import Path

    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in Path("/work/shared/seeds").glob("*.txt")}
    if seeds:
        assert "服务质量标准、服务量及服务成果标准、专业服务标准、服务项目管理标准等四个方面" in seeds["001"]
        assert baisha["quote"].split("评估内容包括")[1][:20] in seeds["002"]


# --- the arithmetic --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # maxima adding up to 100: the plain sum
        ([("40", "33.33"), ("60", "50.01")], "83.34"),
        # maxima adding up to 80: 66.02 / 80 × 100 = 82.525 → half up 82.53 (banker's rounding would give 82.52)
        ([("30", "25.01"), ("50", "41.01")], "82.53"),
        ([("30", "25.01"), ("50", "41.00")], "82.51"),  # 82.5125 → 82.51
        # 0.005 above: 1.01 of 8 = 12.625 → 12.63
        ([("8", "1.01")], "12.63"),
        # 1/3 of 30: 33.333… → 33.33; 2/3 → 66.67
        ([("30", "10")], "33.33"),
        ([("30", "20")], "66.67"),
        # full and zero
        ([("25", "25"), ("25", "25")], "100.00"),
        ([("25", "0"), ("25", "0")], "0.00"),
    ],
)
def test_party_total_scales_to_100_half_up(pairs: list[tuple[str, str]], expected: str) -> None:
    assert party_total((D(m), D(s)) for m, s in pairs) == D(expected)


def test_an_indicator_score_above_its_maximum_is_refused_in_chinese() -> None:
    assert parse_indicator_score("25.00", "服务绩效", D("25")) == D("25.00")
    with pytest.raises(ValueError, match="超过该指标满分 25.00 分"):
        parse_indicator_score("25.01", "服务绩效", D("25.00"))
    with pytest.raises(ValueError, match="不能为负数"):
        parse_indicator_score("-1", "服务绩效", D("25"))
    with pytest.raises(ValueError, match="最多保留两位小数"):
        parse_indicator_score("1.005", "服务绩效", D("25"))
    with pytest.raises(ValueError, match="请填写"):
        parse_indicator_score("", "服务绩效", D("25"))


# --- adopt, set maxima, score ----------------------------------------------------------------------------------


def _adopted(maxima: list[str] | None = None) -> EvaluationTemplate:
    bureau = user("datian_bureau")
    template = actions.template_adopt(acting_user=bureau, preset="baisha-2023")
    if maxima is not None:
        ids = [i.pk for i in template.indicators.order_by("position")]
        actions.template_edit(acting_user=bureau, template=template, maxima=dict(zip(ids, map(D, maxima), strict=True)))
    return template


def test_adopt_copies_the_aspects_without_maxima_and_is_audited() -> None:
    template = _adopted()
    rows = list(template.indicators.order_by("position").values_list("aspect", "aspect_clause", "max_score"))
    assert rows == [(a, "[002 §7(2)]", None) for a in ["项目实施", "项目管理", "服务绩效", "资金使用"]]
    assert AuditLog.objects.filter(
        event="create", object_id=str(template.pk), object_type="evaluation.EvaluationTemplate"
    ).exists()
    with pytest.raises(ValidationError, match="已采用"):
        actions.template_adopt(acting_user=user("datian_bureau"), preset="luzhou-2021")
    with pytest.raises(Http404):  # a township is not a writer
        actions.template_adopt(acting_user=user("junxi_town"), preset="luzhou-2021")


def test_maxima_are_set_and_indicators_added_with_audit() -> None:
    template = _adopted(["30", "20", "40", "10"])
    bureau = user("datian_bureau")
    actions.template_edit(
        acting_user=bureau,
        template=template,
        maxima={},
        new=[{"aspect": "服务绩效", "name": "服务对象满意度", "max_score": D("10")}],
    )
    assert sum((i.max_score or D(0)) for i in template.indicators.all()) == D("110")
    log = AuditLog.objects.filter(
        event="update", object_id=str(template.pk), object_type="evaluation.EvaluationTemplate"
    ).order_by("pk")
    assert log.count() == 2 and "服务绩效/服务对象满意度" in log.last().changes  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="已有的评估方面"):
        actions.template_edit(acting_user=bureau, template=template, maxima={}, new=[{"aspect": "别的", "name": "x"}])
    with pytest.raises(ValidationError, match="不超过 100"):
        first = template.indicators.order_by("position").first()
        assert first is not None
        actions.template_edit(acting_user=bureau, template=template, maxima={first.pk: D("101")})


def test_another_county_cannot_edit_the_template() -> None:
    from accounts.models import Organisation, User

    template = _adopted()
    other = Organisation.objects.create(kind=Organisation.Kind.BUREAU, name="清流县民政局测试", division_id="350424")
    stranger = User.objects.create(username="qingliu_bureau_t", organisation=other)
    with pytest.raises(PermissionDenied):
        actions.template_edit(acting_user=stranger, template=template, maxima={})


def test_scoring_by_indicators_scales_and_keeps_the_maximum_it_was_given_against(user_client) -> None:  # type: ignore[no-untyped-def]
    template = _adopted(["30", "20", "20", "10"])  # maxima add up to 80
    ids = [i.pk for i in template.indicators.order_by("position")]
    e = evaluation()
    town = user_client("junxi_town")
    # a single number is refused where the county has a template
    refused = api(town, f"evaluations/{e.pk}/scores/", {"score": "80"})
    assert refused.status_code == 400 and "按指标逐项评分" in refused.content.decode()
    # above an indicator's maximum: refused in Chinese, nothing saved
    over = api(
        town, f"evaluations/{e.pk}/scores/", {"indicators": {str(ids[0]): "30.01", **{str(i): "1" for i in ids[1:]}}}
    )
    assert over.status_code == 400 and "超过该指标满分 30.00 分" in over.content.decode()
    assert not PartyScore.objects.filter(evaluation=e).exists()
    # missing an indicator: refused
    short = api(town, f"evaluations/{e.pk}/scores/", {"indicators": {str(ids[0]): "1"}})
    assert short.status_code == 400 and "请填写指标" in short.content.decode()
    # 25.01 + 15 + 16.01 + 10 = 66.02 of 80 → 82.525 → 82.53
    given = dict(zip(map(str, ids), ["25.01", "15", "16.01", "10"], strict=True))
    data = api(town, f"evaluations/{e.pk}/scores/", {"indicators": given}).json()
    mine = data["scores"][0]
    assert mine["score"] == "82.53"
    assert [(a["aspect"], a["score"], a["max_score"]) for a in mine["aspects"]] == [
        ("项目实施", "25.01", "30.00"),
        ("项目管理", "15.00", "20.00"),
        ("服务绩效", "16.01", "20.00"),
        ("资金使用", "10.00", "10.00"),
    ]
    row = PartyScore.objects.get(evaluation=e, party="township")
    assert row.score == D("82.53") and row.items.count() == 4
    # a later change of a maximum does not rewrite the score already given
    actions.template_edit(acting_user=user("datian_bureau"), template=template, maxima={ids[0]: D("40")})
    assert IndicatorScore.objects.get(party_score=row, indicator_id=ids[0]).max_score == D("30")
    # the detail page shows the per-aspect subtotals and the indicator form
    page = town.get(f"/evaluations/{e.pk}/").content.decode()
    assert 'id="aspects-township"' in page and "25.01 / 30.00" in page and f'name="ind-{ids[0]}"' in page
    # the page form posts indicator by indicator
    form = {f"ind-{i}": "10" for i in ids}
    assert town.post(f"/evaluations/{e.pk}/score/", form).status_code == 302
    row.refresh_from_db()
    assert row.score == D("44.44")  # 40 of 90 (the first maximum is now 40) → 44.444… → 44.44
    assert aspect_totals(row.items.all())[0].maximum == D("40")


def test_scoring_waits_for_every_maximum() -> None:
    _adopted()
    e = evaluation()
    with pytest.raises(ValidationError, match="尚未确定指标"):
        actions.evaluation_score(acting_user=user("junxi_town"), evaluation=e, indicator_scores={})


def test_without_a_template_the_single_number_stays() -> None:
    e = evaluation()
    row = actions.evaluation_score(acting_user=user("junxi_town"), evaluation=e, score=D("80.50"))
    assert row.score == D("80.50") and not row.items.exists()
    with pytest.raises(ValidationError, match="尚未制定评估指标体系"):
        actions.evaluation_score(acting_user=user("junxi_town"), evaluation=e, indicator_scores={"1": "2"})


def test_template_page_and_api(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    page = bureau.get("/evaluations/template/").content.decode()
    assert "泸州：项目评价四个方面" in page and "[002 §7(2)]" in page
    assert bureau.post("/evaluations/template/adopt/", {"preset": "luzhou-2021"}).status_code == 302
    template = EvaluationTemplate.objects.get(bureau=user("datian_bureau").organisation)
    ids = [i.pk for i in template.indicators.order_by("position")]
    form = {f"max-{i}": "25" for i in ids}
    form[f"max-{ids[0]}"] = "abc"
    bureau.post(f"/evaluations/template/{template.pk}/", form)
    assert not template.indicators.filter(max_score__isnull=False).exists()  # nothing saved on an error
    form[f"max-{ids[0]}"] = "25"
    assert bureau.post(f"/evaluations/template/{template.pk}/", form).status_code == 302
    assert set(template.indicators.values_list("max_score", flat=True)) == {D("25")}
    listed = bureau.get("/api/v1/evaluation-templates/").json()["results"]
    assert [t["id"] for t in listed] == [template.pk] and len(listed[0]["indicators"]) == 4
    presets_answer = bureau.get("/api/v1/evaluation-templates/presets/").json()
    assert {p["key"] for p in presets_answer} == {"luzhou-2021", "baisha-2023"}
    patched = bureau.patch(
        f"/api/v1/evaluation-templates/{template.pk}/",
        {"maxima": {str(ids[0]): "30"}},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["indicators"][0]["max_score"] == "30.00"
    # townships and evaluators do not read templates through the list; a township cannot adopt
    assert user_client("junxi_town").get("/evaluations/template/").status_code == 404
    assert user_client("junxi_town").get("/api/v1/evaluation-templates/").json()["results"] == []
    assert api(user_client("junxi_town"), "evaluation-templates/", {"preset": "baisha-2023"}).status_code == 404
