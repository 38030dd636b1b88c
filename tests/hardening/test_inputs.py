"""Issue 7, first list: every input an outsider can send is answered without a server error, and nothing
outside a role's scope shows in a nested field or a filter. Each test failed before its fix."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from core.jsonbounds import MAX_DEPTH, JSONBoundsError, json_depth, loads_bounded
from core.pagination import MAX_PAGE_SIZE
from policies.models import Policy, PolicyRule
from stations.models import MAX_ROOM_NAME, MAX_ROOMS, Division, Station

pytestmark = pytest.mark.django_db

DEEP = "[" * 50000 + "]" * 50000
JUNXI = "350425100"


def junxi_station() -> Station:
    return Station.objects.get(division_id=JUNXI, level=Station.Level.TOWNSHIP)


# --- request depth and size ----------------------------------------------------------------------


def test_deep_json_to_the_token_endpoint_is_a_chinese_400_without_logging_in() -> None:
    response = APIClient().post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套层数过多" in response.json()["detail"]


def test_deep_json_in_a_station_patch_is_a_400_and_changes_nothing(api) -> None:  # type: ignore[no-untyped-def]
    station = junxi_station()
    before = station.address
    client = api("datian_bureau")
    for body in (DEEP, '{"address": "x", "rooms": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}"):
        response = client.patch(f"/api/v1/stations/{station.pk}/", body, content_type="application/json")
        assert response.status_code == 400, response.content[:200]
        assert "嵌套层数过多" in response.json()["detail"]
    station.refresh_from_db()
    assert station.address == before


def test_brackets_inside_strings_are_text_not_depth(api) -> None:  # type: ignore[no-untyped-def]
    station = junxi_station()
    address = "[" * 100 + "{均溪镇}" + "]" * 100
    response = api("datian_bureau").patch(f"/api/v1/stations/{station.pk}/", {"address": address[:200]}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert json_depth('{"a": "[[[[\\"[[["}') == 1


def test_oversized_body_is_a_400(api, settings) -> None:  # type: ignore[no-untyped-def]
    body = '{"address": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = api("datian_bureau").patch(
        f"/api/v1/stations/{junxi_station().pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "请求内容过大" in response.json()["detail"]


def test_non_json_constants_and_bad_text_are_400s(api) -> None:  # type: ignore[no-untyped-def]
    client = api("datian_bureau")
    url = f"/api/v1/stations/{junxi_station().pk}/"
    assert client.patch(url, '{"floor_area": NaN}', content_type="application/json").status_code == 400
    assert client.patch(url, b'{"address": "\xff"}', content_type="application/json").status_code == 400
    assert client.patch(url, '{"address": ', content_type="application/json").status_code == 400


def test_loads_bounded_refuses_depth_and_length_before_parsing() -> None:
    assert loads_bounded('{"a": [1, {"b": 2}]}') == {"a": [1, {"b": 2}]}
    with pytest.raises(JSONBoundsError, match="嵌套层数过多"):
        loads_bounded("[" * 3 + "]" * 3, max_depth=2)
    loads_bounded("[" * 2 + "]" * 2, max_depth=2)  # the limit itself is allowed
    with pytest.raises(JSONBoundsError, match="过长"):
        loads_bounded('"' + "x" * 20 + '"', max_chars=10)
    with pytest.raises(JSONBoundsError, match="格式有误"):
        loads_bounded("{")


def test_deep_json_in_the_policy_editor_map_field_is_an_error_next_to_the_field(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    key = "evaluation.weights"
    prefix = "r-evaluation-weights"
    before = list(PolicyRule.objects.filter(policy__division_id="350425", key=key).values_list("value", flat=True))
    for value in (DEEP, "[" * 30 + "]" * 30):
        response = client.post(
            "/policies/edit/", {"key": key, "op": "set", f"{prefix}-value": value, f"{prefix}-clause": "[000 §1]"}
        )
        # The editor no longer reads JSON at all (one field per party): a deep string is a Chinese field error.
        assert response.status_code == 400
        body = response.content.decode()
        assert "invalid-feedback" in body or "is-invalid" in body
    after = list(PolicyRule.objects.filter(policy__division_id="350425", key=key).values_list("value", flat=True))
    assert after == before


# --- paging --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["limit=99999999999999999999", "limit=abc", "limit=-1", "limit=0", "offset=null", "offset=-5", "limit="]
)
def test_bad_paging_parameters_are_chinese_400s(api, query: str) -> None:  # type: ignore[no-untyped-def]
    response = api("datian_bureau").get(f"/api/v1/divisions/?{query}")
    assert response.status_code == 400, (query, response.status_code)
    field = query.split("=")[0]
    assert re.search("[\u4e00-\u9fff]", str(response.json()[field]))


def test_page_size_is_capped(api) -> None:  # type: ignore[no-untyped-def]
    response = api("admin").get("/api/v1/divisions/?limit=100000")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] > MAX_PAGE_SIZE
    assert len(data["results"]) == MAX_PAGE_SIZE
    assert f"limit={MAX_PAGE_SIZE}" in data["next"] and f"offset={MAX_PAGE_SIZE}" in data["next"]


def test_an_offset_past_the_end_is_an_empty_page(api) -> None:  # type: ignore[no-untyped-def]
    response = api("datian_bureau").get("/api/v1/stations/?offset=999999999")
    assert response.status_code == 200 and response.json()["results"] == []


# --- filters and nested fields obey the scope --------------------------------------------------


def test_admin_policy_rule_filter_lists_only_policies_in_scope(staff_client) -> None:  # type: ignore[no-untyped-def]
    client = staff_client("datian_bureau", "view_policyrule", "view_policy")
    response = client.get("/admin/policies/policyrule/")
    assert response.status_code == 200
    body = response.content.decode()
    officer = User.objects.get(username="datian_bureau")
    visible = set(Policy.objects.for_user(officer).values_list("name", flat=True))
    assert "大田县社会工作服务站购买服务项目实施方案（试行）" in visible
    for policy in Policy.objects.exclude(name__in=visible):
        assert policy.name not in body, policy.name
    # The filter still offers the policies the bureau may see.
    assert "大田县社会工作服务站购买服务项目实施方案（试行）" in body


def test_every_relation_filter_of_a_scoped_admin_goes_through_the_door() -> None:
    from django.contrib import admin as django_admin

    from core.admin_base import ScopedAdmin, ScopedRelatedFieldListFilter

    checked = 0
    for model, model_admin in django_admin.site._registry.items():
        if not isinstance(model_admin, ScopedAdmin):
            continue
        for entry in model_admin.get_list_filter(None):  # type: ignore[arg-type]
            if not isinstance(entry, str | tuple):
                continue  # a list filter class writes its own choices (e.g. the audit log's subject filter)
            name = entry[0] if isinstance(entry, tuple) else entry
            field = model._meta.get_field(name.split("__")[0])
            if field.is_relation:
                assert isinstance(entry, tuple) and entry[1] is ScopedRelatedFieldListFilter, (model, entry)
                checked += 1
    assert checked >= 2  # policies.PolicyRule.policy and the service catalogue filters


def test_admin_dropdowns_offer_only_divisions_in_scope(staff_client) -> None:  # type: ignore[no-untyped-def]
    client = staff_client("datian_bureau", "view_station", "change_station")
    regional = Station.objects.get(level=Station.Level.REGIONAL)
    response = client.get(f"/admin/stations/station/{regional.pk}/change/")
    assert response.status_code == 200
    options = re.findall(r'<option value="(\d+)"', response.content.decode())
    assert options, "the covered-townships selector lists the county's townships"
    officer = User.objects.get(username="datian_bureau")
    visible = set(Division.objects.for_user(officer).values_list("code", flat=True))
    assert set(options) <= visible, sorted(set(options) - visible)[:5]
    assert not any(code.startswith("469025") for code in options)


def test_covered_townships_show_only_codes_the_user_can_open(api) -> None:  # type: ignore[no-untyped-def]
    regional = Station.objects.get(level=Station.Level.REGIONAL)
    covered = sorted(regional.covered_townships.values_list("code", flat=True))
    assert len(covered) > 1 and JUNXI in covered
    town = api("junxi_town")
    shown = town.get("/api/v1/stations/?level=regional").json()["results"]
    assert [r["covered_townships"] for r in shown if r["id"] == regional.pk] == [[JUNXI]]
    for code in covered:
        assert town.get(f"/api/v1/divisions/{code}/").status_code == (200 if code == JUNXI else 404)
    # The county bureau sees all of them, and so does the detail answer.
    bureau = api("datian_bureau").get(f"/api/v1/stations/{regional.pk}/").json()
    assert bureau["covered_townships"] == covered
    assert town.get(f"/api/v1/stations/{regional.pk}/").json()["covered_townships"] == [JUNXI]


# --- bounds on what a user sets ------------------------------------------------------------------


@pytest.mark.parametrize("template", ["{township:>200000}", "{township!r}社工站", "{county:^50}{township}"])
def test_signage_template_with_format_spec_is_refused(user_client, template: str) -> None:  # type: ignore[no-untyped-def]
    client = user_client("datian_bureau")
    prefix = "r-station-signage-template"
    response = client.post(
        "/policies/edit/",
        {"key": "station.signage_template", "op": "set", f"{prefix}-value": template, f"{prefix}-clause": "[000 §4]"},
    )
    # The editor offers the name templates as a choice now; whatever is posted, nothing malformed is stored,
    # and the registry (shared by the editor, the API and preset files) names the reason.
    assert response.status_code == 400
    assert not PolicyRule.objects.filter(key="station.signage_template", value=template).exists()
    from policies.registry import rules

    with pytest.raises(ValueError, match="格式说明"):
        rules()["station.signage_template"].validate(template)


def test_rooms_are_bounded_in_the_api_the_model_and_the_page(api, user_client) -> None:  # type: ignore[no-untyped-def]
    station = junxi_station()
    before = list(station.rooms)
    client = api("datian_bureau")
    url = f"/api/v1/stations/{station.pk}/"
    too_many = [f"室{i}" for i in range(MAX_ROOMS + 1)]
    assert client.patch(url, {"rooms": too_many}, format="json").status_code == 400
    assert client.patch(url, {"rooms": ["长" * (MAX_ROOM_NAME + 1)]}, format="json").status_code == 400
    assert client.patch(url, {"rooms": [f"室{i}" for i in range(MAX_ROOMS)]}, format="json").status_code == 200
    station.refresh_from_db()
    assert len(station.rooms) == MAX_ROOMS
    station.rooms = before
    station.save(update_fields=["rooms"])

    # The model itself (shared by the admin form and station_update).
    from django.core.exceptions import ValidationError

    station.rooms = too_many
    with pytest.raises(ValidationError) as exc:
        station.full_clean()
    assert "rooms" in exc.value.message_dict

    # The edit page shows the error next to the "other rooms" field.
    page = user_client("datian_bureau").get(f"/stations/{station.pk}/edit/")
    assert page.status_code == 200
    form = {
        "name": station.name,
        "address": "",
        "status": "operating",
        "rooms_other": "，".join(too_many),
    }
    response = user_client("datian_bureau").post(f"/stations/{station.pk}/edit/", form)
    assert response.status_code in (200, 400)
    assert f"功能室最多 {MAX_ROOMS} 个" in response.content.decode()
    station.refresh_from_db()
    assert station.rooms == before


def test_policy_list_and_text_values_are_bounded(demo: None) -> None:
    from policies.registry import MAX_ITEMS, MAX_TEXT, RuleDef

    as_list = RuleDef(key="x", label="x", type="list", section="s")
    with pytest.raises(ValueError, match="不能超过"):
        as_list.validate("\n".join(str(i) for i in range(MAX_ITEMS + 1)))
    as_text = RuleDef(key="x", label="x", type="text", section="s")
    with pytest.raises(ValueError, match="不能超过"):
        as_text.validate("长" * (MAX_TEXT + 1))
    as_list_long_item = RuleDef(key="x", label="x", type="list", section="s")
    with pytest.raises(ValueError, match="不能超过"):
        as_list_long_item.validate(["长" * 101])


# --- a division code the schema refuses is refused by the view, and the reverse ----------------------


def test_effective_policy_division_pattern_matches_the_view(api) -> None:  # type: ignore[no-untyped-def]
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    params = document["paths"]["/api/v1/policies/effective/"]["get"]["parameters"]
    pattern = next(p for p in params if p["name"] == "division")["schema"]["pattern"]
    client = api("datian_bureau")
    for code in ["000", "3504251", "35042", "35", "350425", "350425100", "350425100201"]:
        schema_ok = re.fullmatch(pattern.strip("^$"), code) is not None
        status = client.get(f"/api/v1/policies/effective/?division={code}").status_code
        assert (status != 400) == schema_ok, (code, status, pattern)


def test_schema_documents_errors_and_blank_enums() -> None:
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert {"400", "404"} <= set(operation["responses"]), (method, path)
    rating = document["components"]["schemas"]["Organisation"]["properties"]["rating"]
    assert "" in str(rating) and "BlankEnum" in str(rating)
    assert "BlankEnum" in str(document["components"]["schemas"]["Contract"]["properties"]["procurement_method"])


def test_unmatched_api_paths_answer_json_404(api) -> None:  # type: ignore[no-untyped-def]
    response = api("datian_bureau").get("/api/v1/stations/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "未找到。"}


def test_division_detail_of_a_foreign_code_stays_404(api) -> None:  # type: ignore[no-untyped-def]
    assert Division.objects.filter(code="469025").exists()
    assert api("junxi_town").get("/api/v1/divisions/469025/").status_code == 404
