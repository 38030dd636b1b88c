"""The agreement and procurement pages: what each role sees and may do; deadlines on the agreement's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contracts.models import Contract, Procurement

pytestmark = pytest.mark.django_db


def _signed() -> Contract:
    return Contract.objects.get(status=Contract.Status.SIGNED, number__startswith="DT-")


def test_the_signed_agreement_shows_its_deadlines_and_the_bureaus_next_steps(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _signed()
    body = user_client("datian_bureau").get(f"/contracts/{contract.pk}/").content.decode()
    assert "协议报备" in body and "驻站社工到岗" in body
    assert "田政办" in body or "依据" in body
    assert f'action="/contracts/{contract.pk}/file/"' in body
    assert f'action="/contracts/{contract.pk}/terminate/"' in body
    assert f'action="/contracts/{contract.pk}/sign/"' not in body
    assert "<script>" not in body and " onclick=" not in body


def test_the_agency_sees_its_agreement_without_action_forms(user_client) -> None:  # type: ignore[no-untyped-def]
    import re

    contract = _signed()
    body = user_client("agency_sunshine").get(f"/contracts/{contract.pk}/").content.decode()
    # Only the document upload (the agency attaches its own documents) and the PDF download; no transition form.
    forms = set(re.findall(rf'action="/contracts/{contract.pk}/([^"]*)"', body))
    assert contract.number in body and forms == {"documents/", "pdf/"}


def test_transition_page_by_role(user_client) -> None:  # type: ignore[no-untyped-def]
    contract = _signed()
    url = f"/contracts/{contract.pk}/file/"
    data = {"filed_date": timezone.localdate().isoformat(), "filed_with": "三明市民政局"}
    for username in ("junxi_town", "agency_sunshine", "agency_harmony", "evaluator", "fj_province"):
        assert user_client(username).post(url, data).status_code == 404, username
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    # A bad date comes back as a Chinese message, nothing saved.
    bureau = user_client("datian_bureau")
    response = bureau.post(url, {"filed_date": "不是日期", "filed_with": "三明市民政局"}, follow=True)
    assert "请填写正确的日期" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    # Filing before signing is refused by the action.
    early = (contract.signed_date or timezone.localdate()) - dt.timedelta(days=1)
    response = bureau.post(url, {"filed_date": early.isoformat(), "filed_with": "三明市民政局"}, follow=True)
    assert "不能早于签订日期" in response.content.decode()
    response = bureau.post(url, data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.FILED and contract.filed_with == "三明市民政局"
    # An unknown transition name is 404; GET is not allowed.
    assert bureau.post(f"/contracts/{contract.pk}/delete/").status_code == 404
    assert bureau.get(url).status_code == 405


def test_procurement_page_shows_the_method_and_the_bids(user_client) -> None:  # type: ignore[no-untyped-def]
    procurement = Procurement.objects.filter(status=Procurement.Status.AWARDED).order_by("pk").first()
    assert procurement is not None
    body = user_client("datian_bureau").get(f"/procurements/{procurement.pk}/").content.decode()
    assert "公开招标" in body and "第二十六条" in body
    assert body.count("报价") == 2
    assert user_client("agency_sunshine").get(f"/procurements/{procurement.pk}/").status_code == 404


def test_task_book_flow(user_client) -> None:  # type: ignore[no-untyped-def]
    """The bureau writes the task book (API); the township confirms it on the page; the agency cannot; a change
    of content withdraws the confirmations."""
    from contracts.models import TaskBook, TaskBookConfirmation

    contract = Contract.objects.filter(status=Contract.Status.ACTIVE, township__users__username="junxi_town").first()
    assert contract is not None
    sections = {name: f"内容{name}" for name in TaskBook.SECTIONS}
    bureau = user_client("datian_bureau")
    url = f"/api/v1/contracts/{contract.pk}/task-book/"
    data = bureau.post(url, sections, content_type="application/json").json()
    assert [c["party"] for c in data["task_book"]["confirmations"]] == ["township", "county"]
    assert "未规定任务书确认方" in data["task_book"]["confirmers_note"]
    town = user_client("junxi_town")
    page = town.get(f"/contracts/{contract.pk}/").content.decode()
    assert "确认项目任务书" in page and "内容overview" in page
    confirm = f"/contracts/{contract.pk}/task-book/confirm/"
    assert user_client("agency_sunshine").post(confirm).status_code == 404  # a role that may not confirm
    assert not TaskBookConfirmation.objects.filter(task_book__contract=contract).exists()
    assert user_client("shipai_town").post(confirm).status_code == 404
    assert town.post(confirm).status_code == 302
    row = TaskBookConfirmation.objects.get(task_book__contract=contract)
    assert row.party == "township" and row.confirmed_by.username == "junxi_town"
    again = town.post(confirm, follow=True).content.decode()
    assert "已确认" in again
    assert TaskBookConfirmation.objects.filter(task_book__contract=contract).count() == 1
    # The bureau changes the plan: the township's confirmation is withdrawn.
    bureau.post(url, {**sections, "service_plan": "新的服务计划"}, content_type="application/json")
    assert not TaskBookConfirmation.objects.filter(task_book__contract=contract).exists()


def test_the_register_is_an_excel_sheet_with_codes_as_text(user_client) -> None:  # type: ignore[no-untyped-def]
    import io

    from openpyxl import load_workbook

    response = user_client("datian_bureau").get("/contracts/?state=active&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "协议编号" and rows[0][3] == "区划代码"
    body = rows[1:]
    assert len(body) == Contract.objects.filter(status="active", division__code__startswith="350425").count()
    assert all(isinstance(r[3], str) and r[3].startswith("350425") for r in body)
    assert all(r[-1] == "履行中" for r in body)
    assert all(isinstance(r[9], dt.datetime | dt.date) or r[9] is None for r in body)


def test_the_register_never_turns_text_into_a_formula(user_client) -> None:  # type: ignore[no-untyped-def]
    """A number or a name starting with "=" stays text (no formula injection into the bureau's Excel)."""
    import io

    from openpyxl import load_workbook

    contract = Contract.objects.filter(status="active", division__code__startswith="350425").order_by("pk").first()
    assert contract is not None
    Contract.objects.filter(pk=contract.pk).update(number='=HYPERLINK("http://x.example","点此")')
    response = user_client("datian_bureau").get("/contracts/?state=active&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]  # type: ignore[union-attr]
    hostile = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert len(hostile) == 1 and hostile[0].data_type == "s", [(c.value, c.data_type) for c in hostile]
    amounts = [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)]  # type: ignore[union-attr]
    assert any(isinstance(a, int | float) for a in amounts)  # the yearly amount stays a number
