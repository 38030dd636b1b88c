"""Excel roster: the import template, parsing an upload (limits before parsing, formulas never evaluated,
every row checked with Chinese row/column messages) and the write-only export (masked unless clear).

Limits: file size, number of zip entries and unpacked size are checked on the zip directory before openpyxl
reads anything; openpyxl parses the XML with defusedxml when installed; cells are read with ``data_only=False``
so a formula arrives as its text and is refused, never evaluated.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import TYPE_STRING, WriteOnlyCell

from core.personal.exports import XLSX_TYPE, attachment
from core.personal.idnumber import normalize_id_number, parse_id_number, validate_phone
from core.personal.masking import mask

from .models import CertificateLevel, Education
from .policy import certificate_code, education_code

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_entries": 100, "max_unpacked": 50 * 1024 * 1024, "max_rows": 2000}

COLUMNS = [
    ("姓名", True),
    ("身份证号码", True),
    ("联系电话", False),
    ("最高学历", True),
    ("所学专业", False),
    ("社会工作相关专业", False),
    ("户籍所在地区划代码", False),
    ("入职日期", True),
    ("证书等级", False),
    ("证书编号", False),
    ("取得证书日期", False),
]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class RosterRow:
    row: int
    data: dict[str, Any]
    certificate: dict[str, Any] | None


def template_response() -> HttpResponse:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101
    sheet.title = "驻站社工花名册"
    sheet.append([c for c, _ in COLUMNS])
    sheet.append(
        ["张三", "350425199001011234", "13800000000", "本科", "社会工作", "是", "350425100", "2026-01-05",
         "助理社会工作师", "Z2026001", "2025-06-20"]
    )  # fmt: skip
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = TYPE_STRING
    notes = book.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    help_text = {
        "最高学历": "、".join(label for _, label in Education.choices),
        "证书等级": "、".join(label for _, label in CertificateLevel.choices) + "；未持证留空",
        "入职日期": "格式 2026-01-05",
        "社会工作相关专业": "是 或 否",
        "户籍所在地区划代码": "6、9 或 12 位统计用区划代码",
    }
    for name, required in COLUMNS:
        notes.append([name, "必填" if required else "选填", help_text.get(name, "")])
    notes.append(["示例行", "", "第 2 行为示例，导入前请删除"])
    out = io.BytesIO()
    book.save(out)
    return attachment(out.getvalue(), "驻站社工花名册模板.xlsx", XLSX_TYPE)


def check_container(content: bytes) -> None:
    """Size, zip entries and unpacked size, before any XML is parsed (SECURITY.md, ASVS 5.2)."""
    if len(content) > LIMITS["max_bytes"]:
        raise ValidationError(f"文件超过 {LIMITS['max_bytes'] // 1024 // 1024} MB，请拆分后再导入。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ValidationError("文件不是有效的 Excel（.xlsx）文件。") from None
    infos = archive.infolist()
    if len(infos) > LIMITS["max_entries"]:
        raise ValidationError("文件内部结构异常（条目过多），已拒绝。")
    if sum(i.file_size for i in infos) > LIMITS["max_unpacked"]:
        raise ValidationError("文件解压后过大，已拒绝。")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise ValidationError("文件不是有效的 Excel（.xlsx）文件。")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("日期格式应为 2026-01-05") from None


def parse(content: bytes) -> list[RosterRow]:  # noqa: C901 - one check per column
    check_container(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any parser failure is a bad file for the clerk
        raise ValidationError("无法读取该 Excel 文件，请使用下载的模板。") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    expected = [c for c, _ in COLUMNS]
    if header[: len(expected)] != expected:
        raise ValidationError("表头与模板不一致，请使用下载的模板（第 1 行为表头）。")
    errors: list[str] = []
    out: list[RosterRow] = []
    seen_ids: dict[str, int] = {}
    seen_certs: dict[str, int] = {}
    for n, values in enumerate(rows, start=2):
        cells = list(values)[: len(COLUMNS)] + [None] * max(0, len(COLUMNS) - len(values))
        if all(_text(v) == "" for v in cells):
            continue
        if len(out) >= LIMITS["max_rows"]:
            raise ValidationError(f"一次最多导入 {LIMITS['max_rows']} 行，请拆分后再导入。")

        def err(col: int, message: str, n: int = n) -> None:
            errors.append(f"第 {n} 行 {LETTERS[col]} 列（{COLUMNS[col][0]}）：{message}")

        for col, value in enumerate(cells):
            if isinstance(value, str) and value.startswith("="):
                err(col, "不能使用公式，请填写数值")
                cells[col] = None
        for col, (_, required) in enumerate(COLUMNS):
            if required and _text(cells[col]) == "":
                err(col, "必填")
        name, id_text, phone = _text(cells[0]), normalize_id_number(_text(cells[1])), _text(cells[2])
        if len(name) > 50:
            err(0, "不超过 50 个字")
        if id_text:
            try:
                parse_id_number(id_text)
            except ValidationError as exc:
                err(1, exc.messages[0])
            else:
                if id_text in seen_ids:
                    err(1, f"与第 {seen_ids[id_text]} 行重复")
                seen_ids.setdefault(id_text, n)
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as exc:
                err(2, exc.messages[0])
        education = education_code(_text(cells[3])) if _text(cells[3]) else None
        if _text(cells[3]) and education is None:
            err(3, "无法识别，应为" + "、".join(label for _, label in Education.choices))
        sw = _text(cells[5])
        if sw not in ("", "是", "否"):
            err(5, "应填“是”或“否”")
        household = _text(cells[6])
        if household and (not household.isdigit() or len(household) not in (6, 9, 12)):
            err(6, "应为 6、9 或 12 位区划代码")
        hired = None
        try:
            hired = _date(cells[7])
        except ValueError as exc:
            err(7, str(exc))
        if hired and hired > dt.date.today() + dt.timedelta(days=366):  # noqa: DTZ011 - a plausibility bound only
            err(7, "入职日期不合理")
        level_text, number = _text(cells[8]), _text(cells[9])
        level = certificate_code(level_text) if level_text else None
        obtained = None
        try:
            obtained = _date(cells[10])
        except ValueError as exc:
            err(10, str(exc))
        if level_text and level is None:
            err(8, "应为助理社会工作师、社会工作师或高级社会工作师")
        if level and not number:
            err(9, "填写了证书等级时必填")
        if level and not obtained:
            err(10, "填写了证书等级时必填")
        if (number or obtained) and not level_text:
            err(8, "填写了证书编号或日期时必填")
        if level and number:
            key = f"{level}:{number}"
            if key in seen_certs:
                err(9, f"与第 {seen_certs[key]} 行重复")
            seen_certs.setdefault(key, n)
        out.append(
            RosterRow(
                row=n,
                data={
                    "name": name,
                    "id_number": id_text,
                    "phone": phone,
                    "education": education or "",
                    "major": _text(cells[4])[:60],
                    "social_work_major": sw == "是",
                    "household_division_id": household or None,
                    "hired_on": hired,
                },
                certificate={"level": level, "number": number, "obtained_on": obtained} if level else None,
            )
        )
    if errors:
        raise ValidationError(errors[:200] + ([f"……另有 {len(errors) - 200} 处错误"] if len(errors) > 200 else []))
    if not out:
        raise ValidationError("文件中没有社工数据。")
    return out


# --- export ----------------------------------------------------------------------------------------------------

EXPORT_HEADERS = ["姓名", "身份证号码", "性别", "出生日期", "联系电话", "最高学历", "所学专业", "用人机构",
                  "当前站点", "入职日期", "状态", "证书"]  # fmt: skip


def export_queryset(workers: Any) -> Any:
    """The export's one SELECT: agency and station joined, certificates aggregated in a subquery, streamed with
    a server-side cursor, so the number of queries does not grow with the number of workers."""
    from django.contrib.postgres.aggregates import StringAgg
    from django.db.models import OuterRef, Subquery

    from .models import Certificate

    certs = (
        Certificate.objects.filter(worker=OuterRef("pk"))
        .order_by()
        .values("worker")
        .annotate(text=StringAgg("level", delimiter=",", order_by="obtained_on"))
        .values("text")
    )
    return (
        workers.select_related("agency", "station")
        .prefetch_related(None)
        .annotate(certificate_levels=Subquery(certs))
        .order_by("agency_id", "name", "pk")
    )


def export_rows(workers: Iterable[Any], *, clear: bool) -> Iterable[list[Any]]:
    education = dict(Education.choices)
    levels = dict(CertificateLevel.choices)
    for w in workers:
        held = getattr(w, "certificate_levels", None)
        if held is None and not hasattr(w, "certificate_levels"):
            certificates = "、".join(levels[c.level] for c in w.certificates.all())
        else:
            certificates = "、".join(levels[c] for c in (held or "").split(",") if c)
        yield [
            w.name,
            w.id_number if clear else mask("id_number", w.id_number),
            {"M": "男", "F": "女"}.get(w.sex, ""),
            w.birth_date.isoformat() if w.birth_date else "",
            w.phone if clear else mask("phone", w.phone),
            education.get(w.education, ""),
            w.major,
            w.agency.name,
            w.station.name if w.station_id else "",
            w.hired_on.isoformat(),
            "在职" if w.status == "employed" else "已离职",
            certificates,
        ]


def export_bytes(workers: Iterable[Any], *, clear: bool) -> bytes:
    """A write-only workbook: rows streamed to the file, every cell a string (never a formula)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("驻站社工")

    def cells(values: list[Any]) -> list[WriteOnlyCell]:
        out = []
        for v in values:
            cell = WriteOnlyCell(sheet, value=str(v))
            cell.data_type = TYPE_STRING
            out.append(cell)
        return out

    sheet.append(cells(EXPORT_HEADERS))
    for row in export_rows(workers, clear=clear):
        sheet.append(cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(workers: Iterable[Any], *, clear: bool) -> HttpResponse:
    iterable = export_queryset(workers).iterator(chunk_size=2000) if hasattr(workers, "iterator") else workers
    name = "驻站社工花名册（明文）.xlsx" if clear else "驻站社工花名册.xlsx"
    return attachment(export_bytes(iterable, clear=clear), name, XLSX_TYPE)
