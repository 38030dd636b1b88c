"""Roster import (all or nothing, row/column messages, limits before parsing, no formulas) and export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from accounts.models import User
from core.models import AuditLog
from staffing import actions, roster
from staffing.demo import id_number
from staffing.models import Certificate, SocialWorker

pytestmark = pytest.mark.django_db


def _book(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([c for c, _ in roster.COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(n: int, **over: object) -> list[object]:
    base: dict[int, object] = {
        0: f"导入{n}",
        1: id_number("350425", dt.date(1994, 1, 1) + dt.timedelta(days=n), 200 + n),
        2: "",
        3: "本科",
        4: "社会工作",
        5: "是",
        6: "350425100",
        7: "2026-01-05",
        8: "",
        9: "",
        10: "",
    }
    base.update({int(k): v for k, v in over.items()})
    return [base[i] for i in range(11)]


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.xlsx", content)


def _agency() -> User:
    return User.objects.get(username="agency_sunshine")


def test_good_file_imports_every_row_with_certificates(demo: None) -> None:
    rows = [_row(n) for n in range(30)]
    rows[3] = _row(3, **{"8": "助理社会工作师", "9": "ZS-3", "10": "2025-06-20"})
    created = actions.roster_import(acting_user=_agency(), upload=_upload(_book(rows)))
    assert len(created) == 30
    assert Certificate.objects.filter(number="ZS-3", level="assistant").exists()
    assert AuditLog.objects.filter(event="import").exists()


def test_one_bad_row_among_many_imports_nothing(demo: None) -> None:
    before = SocialWorker.objects.count()
    rows = [_row(n) for n in range(50)]
    bad = _row(31)
    bad[1] = str(bad[1])[:17] + ("0" if str(bad[1])[17] != "0" else "1")  # wrong check character
    rows[31] = bad
    with pytest.raises(ValidationError) as exc:
        actions.roster_import(acting_user=_agency(), upload=_upload(_book(rows)))
    messages = exc.value.messages
    assert messages == ["第 33 行 B 列（身份证号码）：身份证号码校验位不正确，请核对。"]
    assert SocialWorker.objects.count() == before


def test_messages_name_row_and_column(demo: None) -> None:
    rows = [
        _row(1, **{"3": "小学毕业"}),
        _row(2, **{"7": "2026/13/40"}),
        _row(3, **{"8": "社工证"}),
        _row(1),  # duplicate of row 2's ID number
        _row(5, **{"0": '=HYPERLINK("x")'}),
    ]
    with pytest.raises(ValidationError) as exc:
        roster.parse(_book(rows))
    text = "\n".join(exc.value.messages)
    assert "第 2 行 D 列（最高学历）：无法识别" in text
    assert "第 3 行 H 列（入职日期）" in text
    assert "第 4 行 I 列（证书等级）" in text
    assert "第 5 行 B 列（身份证号码）：与第 2 行重复" in text
    assert "第 6 行 A 列（姓名）：不能使用公式" in text


def test_number_already_registered_rolls_back_the_file(demo: None) -> None:
    existing = SocialWorker.objects.filter(agency__name__contains="阳光").first()
    assert existing is not None
    rows = [_row(n) for n in range(5)]
    rows.append(_row(9, **{"1": existing.id_number}))
    before = SocialWorker.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.roster_import(acting_user=_agency(), upload=_upload(_book(rows)))
    assert "第 7 行" in exc.value.messages[0] and "已登记" in exc.value.messages[0]
    assert SocialWorker.objects.count() == before


def test_limits_are_checked_before_parsing() -> None:
    with pytest.raises(ValidationError, match="不是有效的 Excel"):
        roster.check_container(b"not a zip")
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<x/>")
        z.writestr("xl/bomb.xml", "0" * (roster.LIMITS["max_unpacked"] + 1))
    with pytest.raises(ValidationError, match="解压后过大"):
        roster.check_container(big.getvalue())
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as z:
        for i in range(roster.LIMITS["max_entries"] + 1):
            z.writestr(f"x/{i}.xml", "")
    with pytest.raises(ValidationError, match="条目过多"):
        roster.check_container(many.getvalue())
    with pytest.raises(ValidationError, match="MB"):
        roster.check_container(b"0" * (roster.LIMITS["max_bytes"] + 1))


def test_row_limit(demo: None) -> None:
    rows = [_row(n % 300) for n in range(roster.LIMITS["max_rows"] + 1)]
    with pytest.raises(ValidationError, match="一次最多导入"):
        roster.parse(_book(rows))


def test_template_and_import_pages(user_client) -> None:  # type: ignore[no-untyped-def]
    client = user_client("agency_sunshine")
    template = client.get("/staffing/workers/import/template/")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in sheet[1]][:2] == ["姓名", "身份证号码"]  # type: ignore[index]
    bad = _book([_row(1, **{"3": "?"})])
    page = client.post("/staffing/workers/import/", {"file": _upload(bad)})
    assert page.status_code == 400 and "第 2 行 D 列" in page.content.decode()
    good = client.post("/staffing/workers/import/", {"file": _upload(_book([_row(77)]))})
    assert good.status_code == 302


def test_export_is_masked_strings_and_clear_only_with_reason(user_client) -> None:  # type: ignore[no-untyped-def]
    worker = SocialWorker.objects.filter(agency__name__contains="阳光").first()
    assert worker is not None
    worker.name = "=1+1"
    worker.save(update_fields=["name"])
    client = user_client("agency_sunshine")
    masked = client.get("/staffing/?export=xlsx")
    assert masked.status_code == 200
    sheet = load_workbook(io.BytesIO(masked.content)).active
    rows = list(sheet.iter_rows(min_row=2))  # type: ignore[union-attr]
    assert all(c.data_type == "s" for row in rows for c in row if c.value is not None)
    ids = [row[1].value for row in rows]
    assert worker.id_number not in ids and any("*" in str(v) for v in ids)
    assert any(row[0].value == "=1+1" for row in rows)
    refused = client.post("/staffing/workers/export/", {})
    assert refused.status_code == 400
    clear = client.post("/staffing/workers/export/", {"reason": "verify", "reason_text": "报送花名册"})
    assert clear.status_code == 200
    sheet = load_workbook(io.BytesIO(clear.content)).active
    assert worker.id_number in [r[1].value for r in sheet.iter_rows(min_row=2)]  # type: ignore[union-attr]
    assert user_client("junxi_town").get("/staffing/workers/export/").status_code == 404
