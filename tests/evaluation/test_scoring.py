"""The weighted score by the policy: Baisha's 60/30/10, two places half up at the rounding boundaries, the
silent policy, and the API answer (issue 11 item 5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluation.scoring import money_round, parse_score, weighted_score
from policies.policy import effective_policy

pytestmark = pytest.mark.django_db

BAISHA = "469025"
DATIAN = "350425"


def D(text: str) -> Decimal:
    return Decimal(text)


def _score(code: str, tp: str | None, cb: str | None, tw: str | None):  # type: ignore[no-untyped-def]
    scores = {
        k: None if v is None else D(v) for k, v in {"third_party": tp, "county_bureau": cb, "township": tw}.items()
    }
    return weighted_score(effective_policy(code), scores)


def test_baisha_weights_come_from_the_policy(demo: None) -> None:
    result = _score(BAISHA, "85", "90", "80")
    assert [(p.party, p.weight) for p in result.parts] == [
        ("third_party", D("0.6")),
        ("county_bureau", D("0.3")),
        ("township", D("0.1")),
    ]
    assert result.total == D("86.00")  # 51 + 27 + 8
    (finding,) = result.findings
    assert finding.rule_key == "evaluation.weights"
    assert finding.clause == "[002 §7(2)]"
    assert finding.outcome == "pass"
    assert "60%" in finding.message and "86.00" in finding.message


@pytest.mark.parametrize(
    ("tp", "cb", "tw", "total"),
    [
        # 0.6 x 80.01 = 48.006; 0.3 x 70.01 = 21.003; 0.1 x 90.01 = 9.001 -> 78.010 exactly
        ("80.01", "70.01", "90.01", "78.01"),
        # exact sum 78.005 -> half up to 78.01 (banker's rounding would give 78.00)
        ("80.00", "70.00", "90.05", "78.01"),
        # exact sum 78.0049... never arises with two-place scores; 78.004 stays 78.00
        ("80.00", "70.00", "90.04", "78.00"),
        # exact sum 78.015 -> 78.02 (half up; half-even would also give 78.02)
        ("80.00", "70.05", "90.00", "78.02"),
        # exact sum 78.025 -> 78.03 (half-even would give 78.02)
        ("80.00", "70.05", "90.10", "78.03"),
        ("100", "100", "100", "100.00"),
        ("0", "0", "0", "0.00"),
    ],
)
def test_rounding_boundaries_half_up(demo: None, tp: str, cb: str, tw: str, total: str) -> None:
    assert _score(BAISHA, tp, cb, tw).total == D(total)


def test_total_rounds_the_exact_sum_not_the_rounded_parts(demo: None) -> None:
    # parts: 48.03, 21.015 -> 21.02, 9.005 -> 9.01: rounded parts add to 78.06, the exact sum is 78.05
    result = _score(BAISHA, "80.05", "70.05", "90.05")
    assert [p.weighted for p in result.parts] == [D("48.03"), D("21.02"), D("9.01")]
    assert result.total == D("78.05")


def test_a_missing_score_gives_no_total(demo: None) -> None:
    result = _score(BAISHA, "85", None, "80")
    assert result.total is None
    assert result.parts[1].weighted is None
    assert result.findings[0].outcome == "unknown"
    assert "县民政局" in result.findings[0].message


def test_a_division_without_weights_is_told_the_policy_is_silent(demo: None) -> None:
    # Datian's plan names the parties but not their weights.
    result = _score(DATIAN, "85", "90", "80")
    assert result.total is None and result.parts == []
    (finding,) = result.findings
    assert finding.rule_key == "evaluation.weights" and finding.outcome == "unknown"
    assert "未规定" in finding.message


def test_money_round_is_half_up() -> None:
    assert money_round(D("0.005")) == D("0.01")
    assert money_round(D("0.015")) == D("0.02")
    assert money_round(D("0.025")) == D("0.03")
    assert money_round(D("0.0249")) == D("0.02")


@pytest.mark.parametrize("bad", ["-1", "100.01", "abc", "85.555", "NaN", "Infinity", 85.5])
def test_parse_score_refuses(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_score(bad, "township")


def test_parse_score_accepts() -> None:
    assert parse_score("85.5") == D("85.50")
    assert parse_score(90) == D("90.00")
    assert parse_score("") is None and parse_score(None) is None


def test_score_api_answers_baisha_for_the_administrator(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("admin")
    response = client.post(
        "/api/v1/evaluations/score/",
        {"division": BAISHA, "scores": {"third_party": "85", "county_bureau": "90", "township": "80.05"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["total"] == "86.01"  # 51 + 27 + 8.005 = 86.005 -> 86.01
    assert [p["party"] for p in data["parts"]] == ["third_party", "county_bureau", "township"]
    assert data["parts"][2] == {
        "party": "township",
        "party_label": "乡镇",
        "score": "80.05",
        "weight": "0.1",
        "weighted": "8.01",
    }
    assert data["findings"][0]["rule_key"] == "evaluation.weights"
    assert data["findings"][0]["clause"] == "[002 §7(2)]"


def test_score_api_silent_policy_and_scope(user_client) -> None:  # type: ignore[no-untyped-def]
    bureau = user_client("datian_bureau")
    body = {"division": DATIAN, "scores": {"third_party": "85", "county_bureau": "90", "township": "80"}}
    data = bureau.post("/api/v1/evaluations/score/", body, content_type="application/json").json()
    assert data["total"] is None and data["parts"] == []
    assert "未规定" in data["findings"][0]["message"]
    # Baisha is outside Datian's bureau: the same answer as an unknown division.
    body["division"] = BAISHA
    assert bureau.post("/api/v1/evaluations/score/", body, content_type="application/json").status_code == 404
    assert (
        bureau.post(
            "/api/v1/evaluations/score/",
            {"division": DATIAN, "scores": {"township": "101"}},
            content_type="application/json",
        ).status_code
        == 400
    )
