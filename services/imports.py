"""Excel import of beneficiaries: a template, then all-or-nothing (SECURITY.md, issue 10 item 8).

Limits are checked before parsing: the upload's size, the zip's entry count and unpacked size (an xlsx is a
zip), then the row count. openpyxl parses with defusedxml (installed), formulas are never evaluated: a cell
holding a formula is refused. Every row is validated first; one bad row (or a duplicate ID number) and
nothing is saved, with messages naming the row and the column in Chinese.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from accounts.http import authed_user
from accounts.models import User
from core.personal.exports import attachment, workbook_bytes
from core.scoping import Action, scope_of
from policies.registry import vocabulary
from stations.models import Division, Station

from . import actions
from .forms import ImportForm
from .models import Beneficiary

MAX_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 50
MAX_UNPACKED = 30 * 1024 * 1024
MAX_ROWS = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Template columns: header, attribute, required.
COLUMNS = [
    ("姓名", "name", True),
    ("身份证号码", "id_number", False),
    ("联系电话", "phone", False),
    ("住址", "address", False),
    ("村（社区）区划代码", "division", True),
    ("服务对象类别（用顿号分隔）", "categories", True),
    ("风险等级（低/中/高）", "risk_level", False),
    ("本人或监护人已同意（是/否）", "consent", False),
    ("监护人姓名", "guardian_name", False),
]
COLUMN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    created: int = 0


def template_bytes() -> bytes:
    labels = "、".join(list(vocabulary("beneficiary_categories").values())[:3])
    example = ["张三", "", "", "", "350425100201", labels.split("、")[0], "中", "是", ""]
    return workbook_bytes([c[0] for c in COLUMNS], [example], title="服务对象")


def check_container(data: bytes) -> str | None:
    """Size, zip entries and unpacked size, before any XML is parsed; a Chinese message or None."""
    if len(data) > MAX_BYTES:
        return "文件超过 2 MB，请分批导入。"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        return "文件不是有效的 Excel（.xlsx）文件。"
    if len(infos) > MAX_ENTRIES:
        return "文件内部条目过多，不是本系统的导入模板。"
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        return "文件解压后过大，请分批导入。"
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        return "文件不是有效的 Excel（.xlsx）文件。"
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_rows(data: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    from openpyxl import load_workbook

    problem = check_container(data)
    if problem:
        return [], [problem]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any parse failure is one message to the user
        return [], ["无法读取该 Excel 文件，请使用下载的模板。"]
    sheet = book.worksheets[0]
    if (sheet.max_row or 0) > MAX_ROWS + 1:
        return [], [f"最多导入 {MAX_ROWS} 行，请分批导入。"]
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for n, raw in enumerate(sheet.iter_rows(values_only=True), start=1):
        if n == 1:
            headers = [_text(v) for v in raw[: len(COLUMNS)]]
            if headers != [c[0] for c in COLUMNS]:
                return [], ["表头与模板不一致，请使用下载的模板。"]
            continue
        if n > MAX_ROWS + 1:
            return [], [f"最多导入 {MAX_ROWS} 行，请分批导入。"]
        values = [*raw[: len(COLUMNS)], *[None] * (len(COLUMNS) - len(raw))]
        if all(v in (None, "") for v in values):
            continue
        row: dict[str, Any] = {"_row": n}
        for i, (header, attr, required) in enumerate(COLUMNS):
            text = _text(values[i])
            if text.startswith("="):
                errors.append(f"第 {n} 行 {COLUMN_LETTERS[i]} 列（{header}）：不能是公式。")
                text, row["_bad"] = "", True
            elif required and not text:
                errors.append(f"第 {n} 行 {COLUMN_LETTERS[i]} 列（{header}）：不能为空。")
                row["_bad"] = True
            row[attr] = text
        rows.append(row)
    return rows, errors


RISK = {"低": "low", "中": "medium", "高": "high", "": "low"}
YES = {"是": True, "否": False, "": False}


def import_beneficiaries(*, acting_user: User, station: Station, data: bytes) -> ImportResult:
    """All or nothing: every row through the declared create action inside one transaction."""
    result = ImportResult()
    rows, errors = parse_rows(data)
    result.errors.extend(errors)
    if not rows:
        if not result.errors:
            result.errors.append("文件中没有数据行。")
        return result
    by_label = {label: code for code, label in vocabulary("beneficiary_categories").items()}
    villages = {
        d.code: d for d in Division.objects.for_user(acting_user).filter(code__in={r["division"] for r in rows})
    }
    seen: dict[str, int] = {}
    prepared = []
    for row in rows:
        n = row["_row"]
        if row.get("_bad"):
            continue  # already reported; the other rows are still checked so every problem is listed at once
        village = villages.get(row["division"])
        if village is None or len(village.code) != 12:
            result.errors.append(f"第 {n} 行 E 列（村（社区）区划代码）：不是您权限范围内的村（社区）。")
            continue
        labels = [x.strip() for x in row["categories"].replace("，", "、").split("、") if x.strip()]
        unknown = [x for x in labels if x not in by_label]
        if unknown:
            result.errors.append(f"第 {n} 行 F 列（服务对象类别）：“{unknown[0]}”不是政策词表中的类别。")
            continue
        if row["risk_level"] not in RISK:
            result.errors.append(f"第 {n} 行 G 列（风险等级）：请填写低、中或高。")
            continue
        if row["consent"] not in YES:
            result.errors.append(f"第 {n} 行 H 列（同意）：请填写是或否。")
            continue
        if row["id_number"]:
            key = row["id_number"].upper()
            if key in seen:
                result.errors.append(f"第 {n} 行 B 列（身份证号码）：与第 {seen[key]} 行重复。")
                continue
            seen[key] = n
        consent = YES[row["consent"]]
        prepared.append(
            (
                n,
                village,
                {
                    "name": row["name"][:50],
                    "id_number": row["id_number"],
                    "phone": row["phone"],
                    "address": row["address"],
                    "categories": [by_label[x] for x in labels],
                    "risk_level": RISK[row["risk_level"]],
                    "consent": consent,
                    "consent_by": ("guardian" if row["guardian_name"] else "self") if consent else "",
                    "consent_date": timezone.localdate() if consent else None,
                    "guardian_name": row["guardian_name"][:50],
                },
            )
        )
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for n, village, fields in prepared:
                try:
                    actions.beneficiary_create(acting_user=acting_user, station=station, division=village, data=fields)
                except ValidationError as exc:
                    for name, messages_ in exc.message_dict.items():
                        name = {"consent_by": "consent", "consent_date": "consent", "birth_date": "id_number"}.get(
                            name, name
                        )
                        column = next(
                            (f"{COLUMN_LETTERS[i]} 列（{c[0]}）" for i, c in enumerate(COLUMNS) if c[1] == name), ""
                        )
                        result.errors.append(f"第 {n} 行 {column}：{'；'.join(messages_)}")
                else:
                    result.created += 1
            if result.errors:
                raise ValidationError("rollback")
    except ValidationError:
        result.created = 0
    return result


def _may_import(user: User) -> bool:
    return bool(Beneficiary.scoping.may(scope_of(user).role, Action.ADD))


def template_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated or not _may_import(request.user):
        raise Http404("未找到。")
    return attachment(template_bytes(), "服务对象导入模板.xlsx", XLSX_TYPE)


class BeneficiaryImportView(LoginRequiredMixin, View):
    template_name = "services/beneficiary_import.html"

    def _form(self, request: HttpRequest, data: Any = None, files: Any = None) -> ImportForm:
        stations = Station.objects.for_user(request.user).exclude(status=Station.Status.CLOSED).order_by("division_id")
        return ImportForm(data, files, stations=stations)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_import(authed_user(request)):
            raise Http404("未找到。")
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_import(authed_user(request)):
            raise Http404("未找到。")
        form = self._form(request, request.POST, request.FILES)
        errors: list[str] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_BYTES:
                errors = ["文件超过 2 MB，请分批导入。"]
            elif not upload.name.lower().endswith(".xlsx"):
                errors = ["请上传 .xlsx 格式的 Excel 文件。"]
            else:
                try:
                    result = import_beneficiaries(
                        acting_user=authed_user(request),
                        station=form.cleaned_data["station"],
                        data=upload.read(MAX_BYTES + 1),
                    )
                except (PermissionDenied, Http404):
                    raise Http404("未找到。") from None
                errors = result.errors
                if not errors:
                    messages.success(request, f"已导入 {result.created} 名服务对象。")
                    return redirect("services:beneficiary-list")
        return render(request, self.template_name, {"form": form, "errors": errors[:100]}, status=400)
